"""Run an optimlab rule on PyTorch tensors: the very function, with NumPy's names bound to torch.

A rule of `optimlab.optim` is a function of scalars written with ``+ - * /`` and a few NumPy
functions (``np.sqrt``, ``np.maximum``, ``np.sign``) and helpers (`optimlab.optim.prelude`).
`on_tensors` rebuilds that function from its own code object with one change: the global
name ``np`` (and any NumPy function or helper it reaches) now resolves to `TORCH_NUMPY`,
which maps each NumPy function to its torch counterpart. Called with `TensorList` arguments
(the tensors of a parameter group), every operation of the rule becomes one
``torch._foreach_*`` call over all of them, in the rule's own order, so the arithmetic is
the rule's and nothing is re-typed.

The operations are the same IEEE operations in the same order as the NumPy path (PyTorch's
``a + b``, ``a * c``, ``a / b`` and ``sqrt`` round exactly as NumPy's do), so in float64 the
results agree with `optimlab.optim` bit for bit on the CPU. Two things are done to keep it
so: a scalar divided by tensors is computed as a division (Python's ``s / tensor`` in torch
is ``s * reciprocal(tensor)``, which rounds twice), and a multiplication by exactly 1.0 is
skipped (it returns its operand unchanged, which is exact).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

__all__ = ["TORCH_NUMPY", "TensorList", "on_tensors"]


def _scalar(value: Any) -> Any:
    """A NumPy scalar as a Python number (torch's foreach calls take Python scalars)."""
    return value.item() if isinstance(value, np.generic) else value


class TensorList:
    """Tensors that one rule updates together; each arithmetic operation is one foreach call.

    Supports ``+ - * /`` with another `TensorList` of the same length or a scalar (on
    either side), unary minus, comparisons (``<``, ``>``, ``==``, ...: masks of 1.0 and 0.0
    that arithmetic and ``np.where`` take) and the functions of `TORCH_NUMPY`. Testing its truth
    value is an error: rules branch only on coefficients (flags), never on array values.
    """

    __slots__ = ("tensors",)
    __array_ufunc__ = None  # a NumPy scalar on the left defers to our reflected operators

    def __init__(self, tensors: Sequence[torch.Tensor]) -> None:
        self.tensors = list(tensors)

    def __len__(self) -> int:
        return len(self.tensors)

    def __repr__(self) -> str:
        return f"TensorList({len(self.tensors)} tensors)"

    def __bool__(self) -> bool:
        raise TypeError(
            "a rule tested an array value (if/and/or on tensors); rules may branch only on "
            "coefficients, which are scalars"
        )

    def _other(self, other: Any) -> Any:
        if isinstance(other, TensorList):
            if len(other) != len(self):
                raise ValueError(f"tensor lists of lengths {len(self)} and {len(other)}")
            return other.tensors
        return _scalar(other)

    def __add__(self, other: Any) -> TensorList:
        return TensorList(torch._foreach_add(self.tensors, self._other(other)))

    __radd__ = __add__

    def __sub__(self, other: Any) -> TensorList:
        return TensorList(torch._foreach_sub(self.tensors, self._other(other)))

    def __rsub__(self, other: Any) -> TensorList:
        # s - x == (-x) + s exactly: negation is exact and addition commutes
        return TensorList(torch._foreach_add(torch._foreach_neg(self.tensors), _scalar(other)))

    def __mul__(self, other: Any) -> TensorList:
        other = self._other(other)
        if not isinstance(other, list) and other == 1.0 and not isinstance(other, bool):
            return self  # x * 1 is x, bit for bit
        return TensorList(torch._foreach_mul(self.tensors, other))

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> TensorList:
        return TensorList(torch._foreach_div(self.tensors, self._other(other)))

    def __rtruediv__(self, other: Any) -> TensorList:
        s = _scalar(other)
        return TensorList([torch.div(t.new_full((), s), t) for t in self.tensors])

    def _compare(self, other: Any, op: Callable) -> TensorList:
        """A mask of 1.0 and 0.0 in each tensor's dtype: NumPy's boolean array times a
        coefficient is a float of the array's dtype, where torch's would be of the default
        dtype (float32), so the mask carries the dtype itself (``np.where`` takes it too)."""
        other = self._other(other)
        if isinstance(other, list):
            return TensorList([op(a, b).to(a.dtype) for a, b in zip(self.tensors, other)])
        return TensorList([op(a, other).to(a.dtype) for a in self.tensors])

    __hash__ = None  # type: ignore[assignment]  # == is elementwise, as on arrays

    def __eq__(self, other: Any) -> TensorList:  # type: ignore[override]
        return self._compare(other, torch.eq)

    def __ne__(self, other: Any) -> TensorList:  # type: ignore[override]
        return self._compare(other, torch.ne)

    def __lt__(self, other: Any) -> TensorList:
        return self._compare(other, torch.lt)

    def __le__(self, other: Any) -> TensorList:
        return self._compare(other, torch.le)

    def __gt__(self, other: Any) -> TensorList:
        return self._compare(other, torch.gt)

    def __ge__(self, other: Any) -> TensorList:
        return self._compare(other, torch.ge)

    def __neg__(self) -> TensorList:
        return TensorList(torch._foreach_neg(self.tensors))

    def __pos__(self) -> TensorList:
        return self


def _unary(name: str, foreach: Callable, single: Callable) -> Callable:
    def function(x: Any) -> Any:
        if isinstance(x, TensorList):
            return TensorList(foreach(x.tensors))
        if isinstance(x, torch.Tensor):
            return single(x)
        return getattr(np, name)(x)

    function.__name__ = name
    return function


def _binary(name: str, foreach: Callable, single: Callable, scalar_single: Callable) -> Callable:
    """A commutative elementwise function of two arguments (maximum, minimum)."""

    def function(a: Any, b: Any) -> Any:
        if not isinstance(a, (TensorList, torch.Tensor)):
            a, b = b, a
        if isinstance(a, TensorList):
            return TensorList(foreach(a.tensors, a._other(b)))
        if isinstance(a, torch.Tensor):
            return single(a, b) if isinstance(b, torch.Tensor) else scalar_single(a, _scalar(b))
        return getattr(np, name)(a, b)

    function.__name__ = name
    return function


def _where(condition: Any, a: Any, b: Any) -> Any:
    if isinstance(condition, TensorList):
        n = len(condition)
        pick = lambda x, i: x.tensors[i] if isinstance(x, TensorList) else x  # noqa: E731
        return TensorList(
            [torch.where(condition.tensors[i] != 0, pick(a, i), pick(b, i)) for i in range(n)]
        )
    if isinstance(condition, torch.Tensor):
        return torch.where(condition != 0, a, b)
    return np.where(condition, a, b)


class _TorchNumpy(types.SimpleNamespace):
    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"optimlab.torch cannot run np.{name} on tensors; a rule may use "
            f"{', '.join('np.' + n for n in sorted(vars(self)))}"
        )


TORCH_NUMPY = _TorchNumpy(
    sqrt=_unary("sqrt", torch._foreach_sqrt, torch.sqrt),
    abs=_unary("abs", torch._foreach_abs, torch.abs),
    absolute=_unary("absolute", torch._foreach_abs, torch.abs),
    sign=_unary("sign", torch._foreach_sign, torch.sign),
    exp=_unary("exp", torch._foreach_exp, torch.exp),
    log=_unary("log", torch._foreach_log, torch.log),
    maximum=_binary("maximum", torch._foreach_maximum, torch.maximum, torch.clamp_min),
    minimum=_binary("minimum", torch._foreach_minimum, torch.minimum, torch.clamp_max),
    where=_where,
)
"""NumPy's names as rules use them, each running on `TensorList`, tensors or scalars."""

_UFUNCS = {getattr(np, name): getattr(TORCH_NUMPY, name) for name in vars(TORCH_NUMPY)}
_translated: dict[Callable, Callable] = {}


def on_tensors(fn: Callable) -> Callable:
    """``fn`` rebuilt from its own code so that it runs on `TensorList` arguments.

    Globals of ``fn`` are resolved once: the ``numpy`` module becomes `TORCH_NUMPY`, a NumPy
    function it names directly becomes its torch counterpart, and every plain Python
    function it calls (a rule's helpers, such as `optimlab.optim.prelude.prelude`) is
    rebuilt the same way. Everything else (constants, classes) is kept. The result is
    cached per function.
    """
    if isinstance(fn, types.FunctionType) and fn in _translated:
        return _translated[fn]
    if not isinstance(fn, types.FunctionType):
        raise TypeError(f"on_tensors needs a Python function, got {type(fn).__name__}")
    namespace = dict(fn.__globals__)
    rebuilt = types.FunctionType(
        fn.__code__, namespace, fn.__name__, fn.__defaults__, fn.__closure__
    )
    rebuilt.__kwdefaults__ = fn.__kwdefaults__
    rebuilt.__doc__ = fn.__doc__
    _translated[fn] = rebuilt  # before resolving names: a helper may call fn back
    for name in _global_names(fn.__code__):
        if name not in namespace:
            continue
        value = namespace[name]
        if value is np:
            namespace[name] = TORCH_NUMPY
        elif isinstance(value, np.ufunc) and value in _UFUNCS:
            namespace[name] = _UFUNCS[value]
        elif isinstance(value, types.FunctionType) and value is not fn:
            namespace[name] = on_tensors(value)
    return rebuilt


def _global_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for constant in code.co_consts:
        if isinstance(constant, types.CodeType):
            names |= _global_names(constant)
    return names
