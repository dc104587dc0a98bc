"""The paths the explorer draws, computed by optimlab's own optimizers.

Each path is one optimizer run from the start point: ``x_0 = start`` and ``x_k`` the
iterate after k updates, exactly as `optimlab.viz.run_on_landscape` (what ``optimlab
landscape`` runs) records them. Two engines give the same numbers:

* an optimizer that needs a closure (Newton, Nesterov's look-ahead) takes
  ``opt.step(closure=f)``, as everywhere else;
* an elementwise optimizer is driven through its public seam, the trajectory loop of
  docs/dev/architecture.md: the gradient at ``x_k``, then ``opt.rule_at(t, lr)`` run by
  the rule's compiled loop on the parameters and state buffers, then
  ``opt.record_steps(1)``. That is what ``opt.step`` does, less its per-call checks, so a
  500-step path costs a few milliseconds.

No update rule is written here: the rules are the optimizers'. A run stops at its first
non-finite gradient, iterate or value, or a singular Newton system, and says which.
"""

from __future__ import annotations

import contextlib
import math
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimlab.landscapes import Landscape, Noisy
from optimlab.optim import OPTIMIZERS, ElementwiseOptimizer, Newton, Optimizer
from optimlab.play.config import OptimizerSetting, PlayConfig
from optimlab.play.stepping import make_schedule, make_stepped, make_surface
from optimlab.theory import gd_rate, heavy_ball_optimal, linear_rate

__all__ = [
    "Run",
    "RunCache",
    "build_surface",
    "prediction",
    "run_optimizer",
    "warm_up",
]


@dataclass
class Run:
    """One optimizer's path and what was measured on it.

    Attributes:
        name: the optimizer.
        path: ``(steps + 1, 2)``; rows after the last finite iterate are NaN.
        losses: f at each iterate (NaN after the last).
        distances: the distance of each iterate to the minimum nearest the last one, or
            None when the surface lists no minimum.
        last: the index of the last finite iterate.
        stopped: why the run stopped early ("" when it ran every step).
        error: why the optimizer could not be built (then there is no path).
        measured_rate: the linear rate of the distances (`optimlab.theory.linear_rate`).
        predicted_rate: what `optimlab.theory` predicts, NaN where it has nothing.
        prediction: what the prediction is.
    """

    name: str
    path: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))
    losses: np.ndarray = field(default_factory=lambda: np.zeros(0))
    distances: np.ndarray | None = None
    last: int = 0
    stopped: str = ""
    error: str = ""
    measured_rate: float = math.nan
    predicted_rate: float = math.nan
    prediction: str = ""

    @property
    def end(self) -> np.ndarray:
        """The last finite iterate."""
        return self.path[self.last]


def build_surface(config: PlayConfig) -> Landscape:
    """The exact surface of ``config`` (`optimlab.play.stepping.make_surface`; no noise, no
    batches drawn yet).

    Raises:
        ValueError: a formula that is refused (`optimlab.play.expression.ExpressionError`).
    """
    return make_surface(
        config.surface,
        expression=config.expression,
        start=config.start,
        sampling=config.sampling,
        batch_size=config.batch_size,
        seed=config.seed,
    )


def stepped_surface(config: PlayConfig, surface: Landscape) -> Landscape:
    """The surface an optimizer steps on (`optimlab.play.stepping.make_stepped`): fresh
    batches and fresh noise from the seed, and the clipping."""
    return make_stepped(
        surface,
        sampling=config.sampling,
        batch_size=config.batch_size,
        noise=config.noise,
        seed=config.seed,
        clip=config.clip,
        clip_at=config.clip_threshold,
    )


def optimizer_kwargs(config: PlayConfig, setting: OptimizerSetting) -> dict[str, Any]:
    """The constructor's arguments: the setting's, with the schedule in place of lr."""
    kwargs = setting.kwargs
    if config.schedule != "constant":
        kwargs["lr"] = make_schedule(
            config.schedule,
            setting.lr,
            steps=config.steps,
            decay=config.decay,
            period=config.period,
        )
    return kwargs


def run_optimizer(
    config: PlayConfig, setting: OptimizerSetting, surface: Landscape, start: np.ndarray
) -> Run:
    """Run one optimizer of ``config`` on ``surface`` from ``start``."""
    run = Run(setting.name)
    x = np.array(start, dtype=np.float64)
    try:
        optimizer = OPTIMIZERS[setting.name](x, **optimizer_kwargs(config, setting))
    except (TypeError, ValueError) as error:
        run.error = str(error)
        return run
    stepped = stepped_surface(config, surface)
    path = np.full((config.steps + 1, 2), np.nan)
    path[0] = x
    with np.errstate(all="ignore"):
        run.stopped, run.last = _trajectory(optimizer, stepped, config, path)
        finite = path[: run.last + 1]
        run.losses = np.full(len(path), np.nan)
        run.losses[: run.last + 1] = surface.value_grid(finite[:, 0], finite[:, 1])
    run.path = path
    _measure(run, surface, config, setting)
    return run


def _trajectory(
    optimizer: Optimizer, surface: Landscape, config: PlayConfig, path: np.ndarray
) -> tuple[str, int]:
    """Fill ``path`` in place; return (why it stopped, the last finite row).

    The value at each iterate is checked once for the whole path afterwards (one
    vectorised call): rows from the first non-finite value on are set to NaN, which is
    where a step-by-step check would have stopped. A stateless optimizer whose update left
    the point exactly where it was on a deterministic surface has reached a fixed point:
    every later iterate is the same point, so the rest of the path is filled at once.
    """
    stopped, last = _steps(optimizer, surface, config, path)
    values = surface.value_grid(path[: last + 1, 0], path[: last + 1, 1])
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        last = int(bad[0]) - 1
        stopped = f"step {last + 1}: diverged (f overflowed)"
    path[last + 1 :] = np.nan
    return stopped, last


def _steps(
    optimizer: Optimizer, surface: Landscape, config: PlayConfig, path: np.ndarray
) -> tuple[str, int]:
    x = optimizer.params
    lean = (
        isinstance(optimizer, ElementwiseOptimizer)
        and not optimizer.needs_closure
        and optimizer.flat_params is not None
    )
    if lean:
        states = list(optimizer.state_buffers.values())
        flat = optimizer.flat_params
    else:
        objective = surface.closure(with_hessian=isinstance(optimizer, Newton))
    settles = _settles(optimizer, surface, config)
    for k in range(1, len(path)):
        if lean:
            g = surface.grad(x)
            if not np.isfinite(g).all():
                return f"step {k}: diverged (the gradient overflowed)", k - 1
            step = optimizer.rule_at(optimizer.step_count + 1, optimizer.learning_rate())
            if optimizer.fused:
                step.rule.fused(flat, g, states, step.array(flat.dtype))
            else:
                step.rule.numpy(flat, g, states, step.coefficients)
            optimizer.record_steps(1)
        else:
            try:
                optimizer.step(closure=objective)
            except FloatingPointError as error:
                return f"step {k}: {_first_clause(error)}", k - 1
            except np.linalg.LinAlgError:
                return f"step {k}: the Hessian is singular; use damping > 0 or method=pinv", k - 1
        if not np.isfinite(x).all():
            return f"step {k}: diverged (the iterate overflowed)", k - 1
        path[k] = x
        if settles and np.array_equal(path[k], path[k - 1]):
            path[k + 1 :] = x
            return "", len(path) - 1
    return "", len(path) - 1


def _settles(optimizer: Optimizer, surface: Landscape, config: PlayConfig) -> bool:
    """True when x_{k+1} depends on x_k alone: no state, no step-dependent coefficient,
    a constant rate and an exact gradient."""
    if callable(optimizer.lr) or config.clip != "none" or isinstance(surface, Noisy):
        return False
    if config.surface == "logistic" and config.sampling != "full":
        return False
    if isinstance(optimizer, Newton):
        return not optimizer.line_search
    return (
        isinstance(optimizer, ElementwiseOptimizer)
        and optimizer.constant_coefficients
        and not optimizer.state_buffers
    )


def _first_clause(error: Exception) -> str:
    text = str(error)
    text = text.split(": ", 1)[1] if text.startswith("step ") and ": " in text else text
    return text.split(";")[0]


def _measure(run: Run, surface: Landscape, config: PlayConfig, setting: OptimizerSetting) -> None:
    minima = surface.minima
    if not minima:
        return
    end = run.end
    target = min(minima, key=lambda m: float(np.linalg.norm(end - m)))
    finite = run.path[: run.last + 1]
    run.distances = np.full(len(run.path), np.nan)
    run.distances[: run.last + 1] = np.linalg.norm(finite - target, axis=1)
    errors = run.distances[: run.last + 1]
    if run.last >= 2 and errors[-1] < errors[0]:
        with contextlib.suppress(ValueError):
            run.measured_rate = linear_rate(errors)
    run.predicted_rate, run.prediction = prediction(config, setting, surface.hessian(target))


def prediction(
    config: PlayConfig, setting: OptimizerSetting, hessian: np.ndarray
) -> tuple[float, str]:
    """What `optimlab.theory` predicts for this optimizer near a minimum with this Hessian.

    Local theory on the quadratic model ``0.5 (x - x*)^T H (x - x*)`` (mu, L: the extreme
    eigenvalues of H): gradient descent's rate ``max |1 - lr lambda|`` (`gd_rate`); for
    heavy ball, the best rate any learning rate and momentum reach (`heavy_ball_optimal`),
    to compare with; Newton: superlinear. Nothing with noise, a schedule or clipping.
    """
    if config.noise or config.schedule != "constant" or config.clip != "none":
        return math.nan, ""
    if config.surface == "logistic" and config.sampling != "full":
        return math.nan, ""
    eigenvalues = np.linalg.eigvalsh(0.5 * (hessian + hessian.T))
    mu, L = float(eigenvalues[0]), float(eigenvalues[-1])
    kwargs = setting.kwargs
    name = setting.name
    if name == "Newton":
        return 0.0, "Newton: superlinear, rate -> 0"
    if mu <= 0:
        return math.nan, ""
    plain = not kwargs.get("weight_decay") and kwargs.get("convention", "pytorch") == "pytorch"
    if name == "SGD" and plain and not kwargs.get("momentum") and not kwargs.get("maximize"):
        return gd_rate(mu, L, setting.lr), "gradient descent: max|1 - lr*lambda|"
    if name == "Momentum" and kwargs.get("beta", 0.9) == 0.0:
        return gd_rate(mu, L, setting.lr), "gradient descent: max|1 - lr*lambda|"
    if (name == "SGD" and plain and kwargs.get("momentum")) or name in ("Momentum", "Nesterov"):
        lr, momentum, rate = heavy_ball_optimal(mu, L)
        return rate, f"best heavy ball (lr={lr:.3g}, momentum={momentum:.3g})"
    return math.nan, ""


def warm_up() -> None:
    """Run every optimizer for two steps, so that their compiled rules are built (Numba
    compiles each rule on first use) before a page asks for a path."""
    config = PlayConfig(surface="quadratic", steps=2)
    surface = build_surface(config)
    for name in OPTIMIZERS:
        run_optimizer(config, OptimizerSetting(name), surface, surface.start)


class RunCache:
    """Runs by their inputs, so a change to one optimizer recomputes that one only."""

    def __init__(self, size: int = 96) -> None:
        self.size = size
        self._runs: OrderedDict[tuple, Run] = OrderedDict()

    def run(
        self, config: PlayConfig, setting: OptimizerSetting, surface: Landscape, start: np.ndarray
    ) -> Run:
        """`run_optimizer`, or its stored result for the same inputs."""
        key = (
            _surface_key(config),
            config.noise,
            config.seed,
            tuple(map(float, start)),
            config.steps,
            config.schedule,
            config.decay,
            config.period,
            config.clip,
            config.clip_threshold,
            setting,
        )
        if key in self._runs:
            self._runs.move_to_end(key)
            return self._runs[key]
        run = run_optimizer(config, setting, surface, start)
        self._runs[key] = run
        if len(self._runs) > self.size:
            self._runs.popitem(last=False)
        return run


def _surface_key(config: PlayConfig) -> tuple:
    if config.surface == "expression":
        return ("expression", config.expression)
    if config.surface == "logistic":
        return ("logistic", config.sampling, config.batch_size)
    return (config.surface,)
