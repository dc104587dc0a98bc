"""Models whose outputs are an affine map of the features: ``Z = X W + b``.

Parameters: ``W`` of shape ``(n_features, m)`` and, with ``fit_intercept``, ``b`` of shape
``(m,)``. Their flat order is row-major ``[W; b]``, i.e. the coefficients of the design
matrix ``Xd = [X, 1]``, so every Hessian here has the form
``H[(j, a), (k, c)] = (1/n) sum_i Xd_ij Xd_ik S_i[a, c] + l2 [j = k < n_features, a = c]``,
where ``S_i`` is the Hessian of sample i's loss with respect to its m outputs.
The L2 penalty ``l2/2 ||W||^2`` applies to ``W`` only, never to the intercept ``b``.
"""

from __future__ import annotations

from abc import abstractmethod

import numpy as np

from optimlab import checks
from optimlab.models._base import Model, Params


class AffineModel(Model):
    """Shared parts of linear, logistic and softmax regression."""

    has_hessian = True

    def __init__(
        self,
        n_features: int,
        n_outputs: int,
        *,
        fit_intercept: bool,
        l2: float,
        init: str,
        dtype: object,
        seed: int | np.random.Generator | None,
    ) -> None:
        self.n_features = checks.integer("n_features", n_features, low=1)
        self.n_outputs = n_outputs
        if not isinstance(fit_intercept, (bool, np.bool_)):
            raise TypeError(f"fit_intercept must be True or False, got {fit_intercept!r}")
        self.fit_intercept = bool(fit_intercept)
        self.l2 = checks.nonnegative("l2", l2)
        self.init = checks.choice("init", init, ("zeros", "normal"))
        shape = (self.n_features, n_outputs)
        if self.init == "zeros":
            W = np.zeros(shape)
        else:
            W = np.random.default_rng(seed).normal(0.0, 1.0 / np.sqrt(self.n_features), shape)
        initial = {"W": W}
        if self.fit_intercept:
            initial["b"] = np.zeros(n_outputs)
        super().__init__(initial, dtype)

    def hessian(self, X: np.ndarray, y: np.ndarray, params: Params | None = None) -> np.ndarray:
        """Exact ``(P, P)`` Hessian of the loss (with L2) in the flat parameter order."""
        X, y = self.validate(X, y)
        return self._hessian(X, y, self._resolve(params))

    def loss_grad_hessian(
        self, X: np.ndarray, y: np.ndarray, params: Params | None = None
    ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """``(loss, grads, H)`` in one call; ``grads`` is overwritten by the next call."""
        X, y = self.validate(X, y)
        resolved = self._resolve(params)
        loss, grads = self._loss_and_grad(X, y, resolved)
        return loss, grads, self._hessian(X, y, resolved)

    def outputs(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """``Z = X W + b``, shape ``(n, n_outputs)``: a classifier's logits (before the sigmoid
        or softmax), a regressor's predictions."""
        return self._outputs(self._check_features(X), self._resolve(params))

    @abstractmethod
    def _hessian(self, X: np.ndarray, y: np.ndarray, params: Params) -> np.ndarray:
        """Exact Hessian on validated data."""

    def _outputs(self, X: np.ndarray, params: Params) -> np.ndarray:
        """``Z = X W + b``, shape ``(n, m)``."""
        Z = X @ params["W"]
        if self.fit_intercept:
            Z += params["b"]
        return Z

    def _penalty(self, params: Params) -> float:
        """``l2/2 ||W||^2``."""
        W = params["W"]
        return 0.5 * self.l2 * float(np.vdot(W, W)) if self.l2 else 0.0

    def _backward(self, X: np.ndarray, dZ: np.ndarray, params: Params) -> dict[str, np.ndarray]:
        """Write ``dL/dW = X^T dZ + l2 W`` and ``dL/db = sum_i dZ_i`` into the gradient buffer."""
        grads = self._grads
        np.matmul(X.T, dZ, out=grads["W"])
        if self.l2:
            grads["W"] += self.l2 * params["W"]
        if self.fit_intercept:
            np.sum(dZ, axis=0, out=grads["b"])
        return grads

    def _gram(self, X: np.ndarray, root: np.ndarray | None = None) -> np.ndarray:
        """``D^T diag(root^2) D`` for the design ``D = [X, 1]`` (``X`` without an intercept;
        ``root`` None: all ones), built from blocks instead of D, with ``A^T A`` (half the
        work of a general product: BLAS's symmetric rank-k update)."""
        A = X if root is None else X * root[:, None]
        if not self.fit_intercept:
            return A.T @ A
        root = np.ones(X.shape[0], dtype=X.dtype) if root is None else root
        d = X.shape[1]
        G = np.empty((d + 1, d + 1), dtype=A.dtype)
        G[:d, :d] = A.T @ A
        G[:d, d] = G[d, :d] = A.T @ root
        G[d, d] = root @ root
        return G

    def _design(self, X: np.ndarray) -> np.ndarray:
        """``[X, 1]`` with an intercept, else ``X``."""
        if not self.fit_intercept:
            return X
        return np.hstack([X, np.ones((X.shape[0], 1), dtype=X.dtype)])

    def _add_l2(self, H: np.ndarray) -> np.ndarray:
        """Add ``l2`` to the diagonal entries of ``W`` (the first ``n_features * m``)."""
        if self.l2:
            n_weights = self.params["W"].size
            H[np.arange(n_weights), np.arange(n_weights)] += self.l2
        return H
