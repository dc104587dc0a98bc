"""What every model shares: packed parameters, a reused gradient buffer, and closures.

A model holds parameters, never data. Its parameters are a dict of views of one
contiguous buffer (`optimlab.optim.packed`), so an optimizer updates them all in one fused
pass; its gradients come back in a second packed buffer with the same keys and shapes,
allocated once and overwritten by every `loss_and_grad` call. The flat order of a model's
parameters (the order of Hessian rows and columns) is the order of that buffer: the dict
keys in order, each array row-major.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping

import numpy as np

from optimlab.models._checks import check_dtype, check_features
from optimlab.optim import flat_view, packed

Params = Mapping[str, np.ndarray]
Closure = Callable[..., tuple]


class Model(ABC):
    """Base class: parameters, validation of (X, y), ``loss_and_grad`` and ``closure``.

    Subclasses provide ``n_features``, ``_check_y`` and ``_loss_and_grad``; models with an
    exact Hessian set ``has_hessian = True`` and provide ``_hessian``.
    """

    n_features: int
    has_hessian: bool = False

    def __init__(self, initial: dict[str, np.ndarray], dtype: object) -> None:
        self.dtype = check_dtype(dtype)
        self.params: dict[str, np.ndarray] = packed(initial, self.dtype)
        self._grads: dict[str, np.ndarray] = packed(
            {k: np.zeros_like(v) for k, v in initial.items()}, self.dtype
        )

    @property
    def n_params(self) -> int:
        """Total number of scalar parameters P (Hessians are P x P)."""
        return sum(p.size for p in self.params.values())

    def flat_params(self) -> np.ndarray:
        """The parameters as one 1-D view in flat order (writing to it writes the model)."""
        return flat_view(list(self.params.values()))

    def set_params(self, values: Params) -> None:
        """Copy ``values`` (same keys and shapes as ``params``) into the parameter buffer.

        The arrays in ``params`` keep their identity, so an optimizer built on them
        continues to drive the model.
        """
        for name, value in self._check_params(values).items():
            self.params[name][...] = value

    def validate(self, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(X, y)`` in the form this model computes with, or raise a clear error.

        ``X`` becomes a finite 2-D array of the model's dtype with ``n_features`` columns;
        ``y`` is checked against the task (length, shape, label values). A training loop may
        validate the whole data set once and then call ``loss_and_grad(..., check=False)``
        on batches of the validated arrays.
        """
        X = self._check_features(X)
        return X, self._check_y(y, X.shape[0])

    def _check_features(self, X: np.ndarray) -> np.ndarray:
        return check_features(X, self.n_features, self.dtype)

    def loss_and_grad(
        self, X: np.ndarray, y: np.ndarray, params: Params | None = None, *, check: bool = True
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Mean loss over the batch (plus the L2 penalty) and its gradient.

        Args:
            X: features, shape ``(n, n_features)``.
            y: targets for the model's task (see the model's docstring).
            params: parameters to evaluate at (same keys and shapes as ``params``);
                None means the model's own ``params``.
            check: validate ``X`` and ``y`` first (pass False only for arrays that came
                out of `validate`).

        Returns:
            ``(loss, grads)``: ``grads`` has the keys and shapes of ``params`` and is a view
            of the model's gradient buffer, overwritten by the next call; copy it to keep it.
        """
        if check:
            X, y = self.validate(X, y)
        return self._loss_and_grad(X, y, self._resolve(params))

    def closure(
        self, X: np.ndarray, y: np.ndarray, hessian: bool = False, *, check: bool = True
    ) -> Closure:
        """Return ``f(params=None) -> (loss, grads)``, or ``(loss, grads, H)`` with ``hessian``.

        ``X`` and ``y`` are validated once, here (``check=False``: only for arrays that came
        out of `validate`, as with `loss_and_grad`). Each call evaluates at the given
        parameters (which need not be the model's) and returns its own copy of the
        gradient (packed, so the optimizer sees one flat buffer), safe to keep across
        calls. ``H`` is the ``(P, P)`` Hessian in the flat parameter order.
        """
        if check:
            X, y = self.validate(X, y)
        if hessian:
            self._require_hessian()

        def f(params: Params | None = None) -> tuple:
            resolved = self._resolve(params)
            loss, grads = self._loss_and_grad(X, y, resolved)
            if not hessian:
                return loss, packed(grads, self.dtype)
            return loss, packed(grads, self.dtype), self._hessian(X, y, resolved)

        return f

    def _require_hessian(self) -> None:
        if not self.has_hessian:
            raise NotImplementedError(
                f"{type(self).__name__} has no exact Hessian; use a first-order optimizer, "
                "or Newton on LinearRegression, LogisticRegression or SoftmaxRegression"
            )

    def _resolve(self, params: Params | None) -> Params:
        if params is None or params is self.params:
            return self.params
        return self._check_params(params)

    def _check_params(self, values: Params) -> dict[str, np.ndarray]:
        if not isinstance(values, Mapping) or list(values) != list(self.params):
            got = list(values) if isinstance(values, Mapping) else type(values).__name__
            raise ValueError(f"params must be a dict with keys {list(self.params)}, got {got}")
        out = {}
        for name, value in values.items():
            value = np.asarray(value, dtype=self.dtype)
            if value.shape != self.params[name].shape:
                raise ValueError(
                    f"params[{name!r}] has shape {value.shape}, expected {self.params[name].shape}"
                )
            out[name] = value
        return out

    @abstractmethod
    def _check_y(self, y: np.ndarray, n_samples: int) -> np.ndarray:
        """Validate targets for this task; return them in computing form."""

    @abstractmethod
    def _loss_and_grad(
        self, X: np.ndarray, y: np.ndarray, params: Params
    ) -> tuple[float, dict[str, np.ndarray]]:
        """Loss and gradient on validated data, written into ``self._grads``."""
