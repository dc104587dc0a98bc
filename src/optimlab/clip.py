"""Gradient clipping by value and by global norm, in place.

``grads`` is one array, a list/tuple of arrays or a dict of arrays (see `optimlab.optim.tree`).
The arrays are modified in place and keep their dtype.
"""

from __future__ import annotations

import math

import numpy as np

from optimlab import checks
from optimlab.optim.tree import Tree, leaves

__all__ = ["clip_grad_norm", "clip_grad_value"]

CONVENTIONS = ("pytorch", "optax")
PYTORCH_EPS = 1e-6


def _float_arrays(grads: Tree) -> list[np.ndarray]:
    names, arrays = leaves(grads, "grads")
    if not arrays:
        raise ValueError("grads holds no arrays: pass the gradients of at least one parameter")
    for name, array in zip(names, arrays, strict=True):
        where = f"grads[{name!r}]" if name else "grads"
        if not isinstance(array, np.ndarray) or array.dtype.kind != "f":
            raise TypeError(
                f"{where} must be a float NumPy array (it is clipped in place), "
                f"got {type(array).__name__} {getattr(array, 'dtype', '')}".rstrip()
            )
        if not array.flags.writeable:
            raise ValueError(f"{where} is read-only; pass a writeable copy to clip it in place")
    return arrays


def clip_grad_value(grads: Tree, clip_value: float) -> Tree:
    """Clamp every gradient element to ``[-clip_value, clip_value]``, in place.

    Same rule in PyTorch (``clip_grad_value_``), Optax (``clip``) and Keras (``clipvalue``).
    NaN elements stay NaN. Returns ``grads``.
    """
    c = checks.positive("clip_value", clip_value)
    for g in _float_arrays(grads):
        np.clip(g, -c, c, out=g)
    return grads


def _total_norm(arrays: list[np.ndarray], norm_type: float) -> float:
    """The p-norm of all elements, as if concatenated: the norm of the per-array norms."""
    per_array = [
        np.linalg.norm(g.ravel().astype(np.float64, copy=False), ord=norm_type) if g.size else 0.0
        for g in arrays
    ]
    return float(np.linalg.norm(np.asarray(per_array), ord=norm_type))


def clip_grad_norm(
    grads: Tree,
    max_norm: float,
    norm_type: float = 2.0,
    *,
    convention: str = "pytorch",
    error_if_nonfinite: bool = True,
) -> float:
    """Rescale the gradients in place so that their global norm is at most ``max_norm``.

    N = (sum over all elements |g|^p)^(1/p), or max |g| for ``norm_type=inf`` (computed in
    float64). Then every array is multiplied by

    - ``convention="pytorch"`` (``clip_grad_norm_``): ``min(max_norm / (N + 1e-6), 1)``, always;
      a norm a hair below ``max_norm`` is still shrunk slightly.
    - ``convention="optax"`` (``clip_by_global_norm``; Keras ``global_clipnorm``): nothing if
      ``N < max_norm``, else ``max_norm / N`` (no epsilon).

    The direction of the gradient is kept. Keras's per-variable ``clipnorm`` is this function
    applied to each array separately.

    Args:
        grads: array, list of arrays or dict of arrays (float dtype), modified in place.
        max_norm: largest allowed global norm, finite and > 0.
        norm_type: p of the p-norm, > 0, or ``math.inf``.
        convention: "pytorch" (default) or "optax".
        error_if_nonfinite: raise FloatingPointError if N is NaN or inf (default True; PyTorch's
            option of the same name defaults to False). With False the gradients are scaled by
            the non-finite norm, as PyTorch and Optax do.

    Returns:
        The global norm N before clipping.
    """
    max_norm = checks.positive("max_norm", max_norm)
    p = checks.positive("norm_type", norm_type) if norm_type != math.inf else math.inf
    checks.choice("convention", convention, CONVENTIONS)
    arrays = _float_arrays(grads)

    total = _total_norm(arrays, p)
    if not math.isfinite(total) and error_if_nonfinite:
        raise FloatingPointError(
            f"the total {p}-norm of grads is {total}: the gradients hold NaN or inf. Lower the "
            "learning rate or find the step where the loss overflowed; pass "
            "error_if_nonfinite=False to scale them anyway"
        )
    if convention == "pytorch":
        coef = min(max_norm / (total + PYTORCH_EPS), 1.0)
    elif total < max_norm:
        return total
    else:
        coef = max_norm / total
    for g in arrays:
        g *= g.dtype.type(coef)
    return total
