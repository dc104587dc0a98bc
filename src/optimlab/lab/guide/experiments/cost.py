"""What an update costs: the state each rule keeps, the arithmetic it does per parameter,
and the time one update takes on a million parameters (the fastest of several updates in
one process: the least disturbed by other programs, as `timeit` advises).

The arithmetic is counted on the rule itself (the scalar function every engine runs): the
rule is called once on stand-ins that count each operation done on them (``+ - * /``,
powers, and NumPy functions such as ``sqrt``), with the coefficients of its first update.
The gradient adjustments every rule shares (sign, weight decay) are not counted.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from optimlab import optim
from optimlab.lab.guide.context import Context
from optimlab.optim.prelude import prelude

NAME = "cost"
TITLE = "What one update costs"
#: The table's algorithms by the optimizer that runs their rule (gradient descent, SGD and
#: mini-batch gradient descent share SGD's rule; they differ in the data each step sees).
OPTIMIZERS = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam")
DEFAULT_RATES = {"Adadelta": 1.0}
N_PARAMS = 1_000_000


class _Counted:
    """A stand-in for a value that counts the arithmetic done with it."""

    def __init__(self, counter: list[int]) -> None:
        self.counter = counter

    def _operation(self, *others: Any) -> _Counted:
        self.counter[0] += 1
        return _Counted(self.counter)

    __add__ = __radd__ = __sub__ = __rsub__ = _operation
    __mul__ = __rmul__ = __truediv__ = __rtruediv__ = _operation
    __pow__ = __rpow__ = __neg__ = _operation

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> _Counted:
        return self._operation()


def count_operations(function: Any, n_values: int, coefficients: tuple) -> int:
    """Arithmetic operations ``function(*values, *coefficients)`` performs on ``n_values``
    counted stand-ins (the coefficients are plain numbers and flags)."""
    counter = [0]
    function(*(_Counted(counter) for _ in range(n_values)), *coefficients)
    return counter[0]


def rule_operations(name: str) -> dict[str, int]:
    """The state arrays and the operations per parameter of one update of an optimizer at
    its default settings (its first update's rule), without the shared gradient
    adjustments (`optimlab.optim.prelude.prelude`)."""
    cls = optim.OPTIMIZERS[name]
    opt = cls(np.zeros(1), lr=DEFAULT_RATES.get(name, 0.01), fused=False)
    step = opt.rule_at(1, opt.lr)
    shared = count_operations(prelude, 2, (1.0, 0.0, 1.0))
    total = count_operations(step.rule.fn, 2 + step.rule.n_state, step.coefficients)
    return {"state_arrays": step.rule.n_state, "operations": total - shared}


def update_seconds(name: str, repeats: int) -> list[float]:
    """Seconds of ``repeats`` updates of ``N_PARAMS`` parameters (the default, compiled
    path), after one update that compiles it."""
    rng = np.random.default_rng(0)
    params, grad = np.zeros(N_PARAMS), rng.normal(size=N_PARAMS)
    opt = optim.OPTIMIZERS[name](params, lr=DEFAULT_RATES.get(name, 0.01))
    opt.step(grad)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        opt.step(grad)
        times.append(time.perf_counter() - start)
    return times


def run(ctx: Context) -> dict[str, Any]:
    repeats = ctx.pick(7, 31)
    rows = []
    for name in OPTIMIZERS:
        counts = rule_operations(name)
        (times,) = ctx.trials(update_seconds, [{"name": name, "repeats": repeats}], inline=True)
        rows.append(
            {
                "optimizer": name,
                **counts,
                "ms_per_update": 1e3 * min(times),
                "ms_median": 1e3 * float(np.median(times)),
                "bytes_per_parameter": 8 * (2 + counts["state_arrays"]),
            }
        )
    return {"rows": rows, "n_params": N_PARAMS, "repeats": repeats}


def figure(results: dict[str, Any], path: Any) -> None:
    from optimlab.lab.guide.figures import bars, panels, save

    rows = results["rows"]
    names = [r["optimizer"] for r in rows]
    figure, axes = panels(3, width=10.5, bottom=0.24)
    bars(axes[0], names, [r["state_arrays"] for r in rows], "(a) state arrays per parameter")
    bars(axes[1], names, [r["operations"] for r in rows], "(b) operations per parameter")
    bars(
        axes[2],
        names,
        [r["ms_per_update"] for r in rows],
        f"(c) ms per update, {results['n_params']:.0e} params",
    )
    save(figure, path)
