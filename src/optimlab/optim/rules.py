"""The rule interface: an elementwise update written once, its coefficients bound by name.

A rule is a function of scalars that reads like the textbook formula::

    @rule(n_state=2)
    def adam_rule(p, g, m, v, beta1, one_minus_beta1, ..., eps):
        m = beta1 * m + one_minus_beta1 * g
        ...
        return p, m, v

Its signature is the single declaration of what it needs: the parameter ``p`` and the
gradient ``g``, then ``n_state`` state values (``m``, ``v``), then the coefficients, by name.
An optimizer says, for update number t at rate lr, which rule runs with which coefficients
by binding them by name: ``adam_rule.bind(beta1=0.9, ...)``; a missing or unknown name is a
``TypeError`` naming it, so a coefficient can never land in another's place. The bound
`RuleStep` keeps the coefficients as one flat tuple in the rule's order: the hot path never
looks names up.

The same function runs in every engine:

* `Rule.numpy`: on whole NumPy arrays (the readable reference path, one temporary per
  operation);
* `Rule.fused`: compiled by Numba into one loop over flat contiguous buffers, reading and
  writing every value once (the default path of `optimlab.optim`);
* any other engine, through `Rule.fn` and `RuleStep.named`: the compiled per-sample epoch
  of `optimlab.train`, or an adapter that runs the rule on another library's arrays.

Both paths compute in the parameters' dtype, with every coefficient converted to it (flags
become 1 or 0 and are only ever tested, never multiplied), and perform the same operations
in the same order, so their iterates agree. Rules contain no numeric literals: every
constant (``1 - beta1`` too) arrives as a coefficient, because a Python literal would
silently promote float32 arithmetic to float64 inside Numba.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from optimlab.optim._kernels import (
    HAVE_NUMBA,
    MAX_STATE,
    NO_CHECK,
    compile_loop,
    has_nonfinite,
    helper,
    runs_parallel,
)
from optimlab.optim._pool import run_in_chunks

if HAVE_NUMBA:
    import numba

__all__ = ["HAVE_NUMBA", "Rule", "RuleStep", "has_nonfinite", "helper", "rule"]


class Rule:
    """An elementwise update rule with ``n_state`` state arrays, runnable both ways.

    Attributes:
        fn: the scalar function ``fn(p, g, *states, *coefficients) -> (p, *states)``.
        n_state: how many state values it reads and returns.
        state_names: the names of its state arguments, from its signature.
        coefficient_names: the names of its coefficients, in its signature's order.
        bind: ``bind(**coefficients) -> RuleStep``, the coefficients by name, every name
            exactly once; a missing or unknown name raises ``TypeError`` naming it.
    """

    def __init__(self, fn: Callable, n_state: int) -> None:
        if not 0 <= n_state <= MAX_STATE:
            raise ValueError(f"a rule has 0 to {MAX_STATE} state arrays, got {n_state}")
        names = list(inspect.signature(fn).parameters)
        if names[:2] != ["p", "g"] or len(names) < 2 + n_state:
            raise ValueError(
                f"rule {fn.__name__} must take (p, g, <{n_state} state values>, "
                f"<coefficients>...), got ({', '.join(names)})"
            )
        self.fn = fn
        self.n_state = n_state
        self.state_names = tuple(names[2 : 2 + n_state])
        self.coefficient_names = tuple(names[2 + n_state :])
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__
        self.bind = _keyword_binder(self)
        self._jitted = None
        self._loop = None

    def __repr__(self) -> str:
        return f"Rule({self.__name__}, n_state={self.n_state})"

    def _refuse_binding(self, given: tuple, unknown: dict[str, Any]) -> None:
        missing = [n for n, v in zip(self.coefficient_names, given) if v is _MISSING]
        raise TypeError(
            f"{self.__name__} takes the coefficients {', '.join(self.coefficient_names)}; "
            f"missing {missing}, unknown {sorted(unknown)}"
        )

    def numpy(
        self, p: np.ndarray, g: np.ndarray, states: Sequence[np.ndarray], coefficients: tuple
    ) -> None:
        """Update ``p`` and ``states`` in place with NumPy array arithmetic."""
        cast = p.dtype.type
        out = self.fn(p, g, *states, *(cast(c) for c in coefficients))
        if self.n_state == 0:
            out = (out,)
        for target, value in zip((p, *states), out):
            target[...] = value

    @property
    def jitted(self) -> Any:
        """The rule compiled by Numba, for use inside other compiled code."""
        if self._jitted is None:
            self._jitted = numba.njit(error_model="numpy")(self.fn)
        return self._jitted

    def loop(self) -> Any:
        """The compiled ``loop(p, g, *states, coefficients, flags)`` of this rule
        (`optimlab.optim._kernels.compile_loop`): one pass on the calling thread, the GIL
        released."""
        if self._loop is None:
            self._loop = compile_loop(self.jitted, self.n_state, len(self.coefficient_names))
        return self._loop

    def fused(
        self,
        p: np.ndarray,
        g: np.ndarray,
        states: Sequence[np.ndarray],
        coefficients: Any,
        flags: np.ndarray = NO_CHECK,
    ) -> bool:
        """Update 1-D contiguous ``p`` and ``states`` in place in one compiled pass
        (``coefficients``: a tuple, or an array already in ``p``'s dtype), shared among the
        cores for long buffers (`optimlab.optim.parallel_threshold`). ``flags``: two int64
        values; with ``flags[0]`` set, a gradient holding an inf or a NaN is refused first
        (nothing is written, the result is False); ``flags[1]`` is set once the update is
        made (see `optimlab.optim._kernels.compile_loop`)."""
        values = coefficients
        if type(values) is not np.ndarray:
            values = np.array(values, dtype=p.dtype)
        loop = self._loop or self.loop()
        if not runs_parallel(p.size):
            return loop(p, g, *states, values, flags)
        if flags[0] and has_nonfinite(g):  # every chunk checked before any is written
            return False

        def chunk(lo: int, hi: int) -> None:
            loop(p[lo:hi], g[lo:hi], *[s[lo:hi] for s in states], values, NO_CHECK)

        # Backwards: the end of g, which the check read last, is still in cache.
        run_in_chunks(chunk, p.size, reverse=True)
        flags[1] = 1
        return True


_MISSING = object()


def _keyword_binder(rule: Rule) -> Callable[..., RuleStep]:
    """A function whose keyword-only parameters are the rule's coefficient names, returning
    the `RuleStep`: Python's own argument matching puts each value in its place, about twice
    as fast as looking names up in a dict. Anything missing or unknown goes to
    `Rule._refuse_binding` for the error."""
    names = rule.coefficient_names
    source = (
        f"def bind(*, {', '.join(f'{n}=_MISSING' for n in names)}, **unknown):\n"
        f"    if unknown or {' or '.join(f'{n} is _MISSING' for n in names) or 'False'}:\n"
        f"        rule._refuse_binding(({''.join(f'{n}, ' for n in names)}), unknown)\n"
        f"    return new(RuleStep, (rule, ({''.join(f'{n}, ' for n in names)})))\n"
    )
    namespace = {"_MISSING": _MISSING, "rule": rule, "new": tuple.__new__, "RuleStep": RuleStep}
    exec(source, namespace)
    bind = namespace["bind"]
    bind.__doc__ = f"Bind the coefficients of {rule.__name__} by name: {', '.join(names)}."
    return bind


def rule(n_state: int) -> Callable[[Callable], Rule]:
    """Decorator: make a scalar update function a `Rule` with ``n_state`` state arrays."""
    return lambda fn: Rule(fn, n_state)


class RuleStep(NamedTuple):
    """What an optimizer runs for one update: a rule and its coefficients in the rule's order.

    Attributes:
        rule: the `Rule`.
        coefficients: the values, in ``rule.coefficient_names`` order (Python floats and
            bools, in float64 precision; engines convert them to the parameters' dtype).
    """

    rule: Rule
    coefficients: tuple

    def named(self) -> dict[str, Any]:
        """The coefficients by name."""
        return dict(zip(self.rule.coefficient_names, self.coefficients))

    def array(self, dtype: Any) -> np.ndarray:
        """The coefficients as one array of ``dtype`` (flags as 1 and 0), as compiled loops
        take them."""
        return np.array(self.coefficients, dtype=dtype)
