"""One flat buffer behind many parameter arrays.

An optimizer's fused path makes one pass over one contiguous array. When a model's parameters
are views of a single buffer (as `packed` makes them), the optimizer finds that buffer with
`flat_view` and updates every parameter in one kernel call instead of one call per array.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


def packed(arrays: Mapping[str, np.ndarray], dtype: np.dtype | type | None = None) -> dict:
    """Copy ``arrays`` into one contiguous 1-D buffer and return views of it, by name.

    Args:
        arrays: the parameter arrays, by name; their order is the buffer's layout.
        dtype: the buffer's dtype (default: the arrays' common float dtype).

    Returns:
        A dict with the same keys whose values are C-contiguous views of one buffer, so
        that ``flat_view(list(result.values()))`` is that buffer.

    Example:
        >>> params = packed({"W": np.zeros((2, 3)), "b": np.ones(3)})
        >>> flat_view(list(params.values())).shape
        (9,)
    """
    if not isinstance(arrays, Mapping) or not arrays:
        raise ValueError("arrays must be a non-empty dict of arrays")
    values = [np.asarray(a) for a in arrays.values()]
    if dtype is None:
        dtype = np.result_type(*values)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"packed parameters must be float, got dtype {dtype}")
    buffer = np.empty(sum(a.size for a in values), dtype=dtype)
    out, start = {}, 0
    for name, a in zip(arrays, values):
        view = buffer[start : start + a.size].reshape(a.shape)
        view[...] = a
        out[name] = view
        start += a.size
    return out


def _address(a: np.ndarray) -> int:
    return a.__array_interface__["data"][0]


def flat_view(arrays: Sequence[np.ndarray]) -> np.ndarray | None:
    """Return a 1-D view covering ``arrays`` if they lie back to back in one buffer, else None.

    The arrays must share one dtype, be C-contiguous, and follow each other in memory in
    the given order (as `packed` lays them out). Writing to the returned view writes them.
    """
    if not arrays:
        return None
    dtype = arrays[0].dtype
    if any(a.dtype != dtype or not a.flags.c_contiguous for a in arrays):
        return None
    if len(arrays) == 1:
        return arrays[0].reshape(-1)
    root = arrays[0]
    while isinstance(root.base, np.ndarray):
        root = root.base
    if not root.flags.c_contiguous or root.dtype != dtype:
        return None
    offset, remainder = divmod(_address(arrays[0]) - _address(root), dtype.itemsize)
    if remainder or offset < 0:
        return None
    expected = _address(arrays[0])
    for a in arrays:
        if _address(a) != expected:
            return None
        expected += a.nbytes
    total = sum(a.size for a in arrays)
    flat = root.reshape(-1)
    if offset + total > flat.size:
        return None
    return flat[offset : offset + total]
