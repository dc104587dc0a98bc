"""Parameter structures: one array, a list/tuple of arrays, or a dict of arrays (public: any
engine that updates an optimizer's parameters walks them the same way).

Every optimizer, clipping function and model accepts these three shapes of container.
`leaves` flattens one into ``(names, arrays)`` in a fixed order; `rebuild` puts arrays back
into the same shape of container; `check_same_structure` refuses a gradient container that
does not match its parameters, naming the first difference (a dict of gradients is matched
to the parameters by key, in any order).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

Tree = np.ndarray | Sequence[np.ndarray] | Mapping[str, np.ndarray]


def leaves(tree: Tree, argument: str = "params") -> tuple[list[str], list[np.ndarray]]:
    """Return the names and arrays of a parameter container, in a fixed order.

    Names are the dict keys, the list positions as strings, or ``""`` for a lone array.
    """
    if isinstance(tree, np.ndarray):
        return [""], [tree]
    if isinstance(tree, Mapping):
        names = [str(k) for k in tree]
        return names, [tree[k] for k in tree]
    if isinstance(tree, (list, tuple)):
        return [str(i) for i in range(len(tree))], list(tree)
    raise TypeError(
        f"{argument} must be a NumPy array, a list of arrays or a dict of arrays, "
        f"got {type(tree).__name__}"
    )


def rebuild(template: Any, arrays: Sequence[np.ndarray]) -> Tree:
    """Put ``arrays`` into a container shaped like ``template``."""
    if isinstance(template, np.ndarray):
        return arrays[0]
    if isinstance(template, Mapping):
        return {k: a for k, a in zip(template, arrays)}
    return type(template)(arrays) if isinstance(template, tuple) else list(arrays)


def check_same_structure(
    params: Tree, grads: Any, names: Sequence[str], shapes: Sequence[tuple[int, ...]]
) -> list[np.ndarray]:
    """Return the gradient arrays of ``grads`` after checking they match the parameters."""
    if (
        type(grads) is np.ndarray
        and type(params) is np.ndarray
        and grads.shape == params.shape
        and grads.dtype.kind == "f"
    ):
        return [grads]  # the common case of one array, checked in full below otherwise
    if isinstance(params, np.ndarray) != isinstance(grads, np.ndarray) or isinstance(
        params, Mapping
    ) != isinstance(grads, Mapping):
        raise TypeError(
            f"grads must have the same structure as params ({type(params).__name__}), "
            f"got {type(grads).__name__}"
        )
    grad_names, grad_arrays = leaves(grads, "grads")
    expected = list(names)
    if isinstance(grads, Mapping) and grad_names != expected:
        by_name = dict(zip(grad_names, grad_arrays))  # matched by key, in any order
        if len(by_name) == len(grad_names) and by_name.keys() == set(expected):
            grad_names, grad_arrays = expected, [by_name[n] for n in expected]
    if grad_names != expected:
        missing = [n for n in names if n not in grad_names]
        extra = [n for n in grad_names if n not in names]
        raise ValueError(
            f"grads do not match params: missing {missing}, unexpected {extra}"
            if (missing or extra)
            else f"grads have {len(grad_names)} entries, params have {len(names)}"
        )
    out = []
    for name, shape, g in zip(names, shapes, grad_arrays):
        g = np.asarray(g)
        if g.shape != shape:
            where = f"grads[{name!r}]" if name else "grads"
            raise ValueError(f"{where} has shape {g.shape}, but the parameter has shape {shape}")
        if g.dtype.kind != "f":
            where = f"grads[{name!r}]" if name else "grads"
            raise TypeError(f"{where} must be a float array, got dtype {g.dtype}")
        out.append(g)
    return out
