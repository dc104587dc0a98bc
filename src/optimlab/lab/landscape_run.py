"""Optimizers on a 2-D surface: what ``optimlab landscape`` runs and writes.

```python
from optimlab.lab import run_landscape

paths = run_landscape("rosenbrock", ["SGD:0.001:momentum=0.9", "Adam:0.05"], steps=300)
paths.table()            # where each one ended, the value there, whether it diverged
paths.write("out")       # rosenbrock.png, rosenbrock.gif, landscape.json, report.html
```

The surface is a test function of `optimlab.landscapes`, the logistic model's loss
(``"logistic"``) or a formula (``expression="x**2 + 3*y**2"``); the start, the gradient
noise, the logistic model's batches, a learning-rate schedule and gradient clipping are
built by `optimlab.play.stepping`, as the explorer (``optimlab play``) builds them, so a view
exported from it gives the same paths here.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from optimlab import checks, landscapes, optim
from optimlab.lab.optimizer_spec import ParsedOptimizer, parse_optimizer
from optimlab.lab.output import PYTHON_COMMAND, output_folder, staged_files, write_json
from optimlab.lab.report import Report
from optimlab.play.expression import ExpressionLandscape
from optimlab.play.stepping import (
    CLIPS,
    DEFAULT_PERIOD,
    FACTOR_SCHEDULES,
    SAMPLINGS,
    SCHEDULES,
    check_period,
    make_schedule,
    make_stepped,
    make_surface,
    period_for,
    settings_used,
)

__all__ = [
    "DEFAULT_OPTIMIZERS",
    "LandscapeResult",
    "LandscapeSetup",
    "ending",
    "landscape_by_name",
    "landscape_setup",
    "run_landscape",
]

#: The optimizers run when none are given.
DEFAULT_OPTIMIZERS = ("SGD:0.001", "SGD:0.001:momentum=0.9", "RMSprop:0.01", "Adam:0.05")
#: The learning rate of an optimizer written without one.
DEFAULT_LR = 0.01
#: The surfaces a name may give: the test functions and the logistic model's loss.
FUNCTIONS = (*landscapes.LANDSCAPES, "logistic")


@dataclass(frozen=True)
class LandscapeResult:
    """The paths of several optimizers from a surface's start point.

    ``paths[label]`` has shape ``(steps + 1, 2)``: the start, then each iterate; the rows
    after a divergence are NaN. ``settings`` holds the settings beyond function, steps,
    noise and seed that the run used (start, schedule, clipping, ...).
    """

    function: str
    surface: landscapes.Landscape
    paths: dict[str, np.ndarray]  # by the optimizer spec as written
    steps: int
    noise: float
    seed: int
    settings: dict[str, Any] = field(default_factory=dict)

    def table(self) -> list[dict[str, Any]]:
        """Per optimizer: where it ended (its last finite point), the function's value there,
        and how it ended (`ending`)."""
        rows = []
        for label, path in self.paths.items():
            finite = path[np.isfinite(path).all(axis=1)]
            end = finite[-1]
            rows.append(
                {
                    "optimizer": label,
                    "end": f"({end[0]:.4g}, {end[1]:.4g})",
                    "loss": float(self.surface.value(end)),
                    "status": ending(self.surface, path),
                }
            )
        return rows

    def config(self) -> dict[str, Any]:
        """The settings of the run."""
        return {
            "function": self.function,
            "optimizers": list(self.paths),
            "steps": self.steps,
            "noise": self.noise,
            "seed": self.seed,
            **self.settings,
        }

    def write(
        self,
        folder: str | os.PathLike,
        *,
        command: str = PYTHON_COMMAND,
        animate: bool = True,
        log: Callable[[str], None] | None = None,
    ) -> Path:
        """Write ``NAME.png`` (the paths on the contours), with ``animate`` ``NAME.gif``,
        ``landscape.json`` (the settings and every path, NaN written as null) and
        ``report.html`` (which records ``command``) into ``folder`` (created if missing);
        return the report's path. ``log`` is called with a one-line message before each
        figure (the animation takes the longest). A Ctrl-C meanwhile leaves the folder's
        previous files as they were."""
        checks.flag("animate", animate)
        folder = output_folder(folder)
        with staged_files(folder) as stage:  # all new files, or (Ctrl-C) all the old ones
            self._write_files(stage, command, animate, log or (lambda message: None))
        return folder / "report.html"

    def _write_files(
        self, folder: Path, command: str, animate: bool, say: Callable[[str], None]
    ) -> None:
        from optimlab import viz

        name = self.surface.name
        say(f"drawing {name}.png ...")
        viz.plot_trajectories(self.surface, self.paths, path=folder / f"{name}.png")
        paths = {label: path.tolist() for label, path in self.paths.items()}
        write_json(
            folder / "landscape.json", {"config": self.config(), "paths": paths}, indent=None
        )
        report = Report(f"optimlab landscape {name}", command, self.config())
        section = report.section(f"Paths on {name}").table(self.table())
        section.text(
            "status: 'minimum', 'saddle point' or 'maximum' where a path stopped at a "
            "point whose gradient vanishes (norm at most "
            f"{STATIONARY:g} times its norm at the start; a saddle point has a direction of "
            "negative curvature, a maximum only such directions: the path is stuck, not "
            "done); 'flat' where f has neither slope nor curvature at the start and the end "
            "(a constant f: nothing to descend); 'moving' where it was still on its way "
            "after the last step; 'left the frame' where it ended outside the plotted "
            "window; 'crossed a singularity' where a step jumped over a point where f is "
            "not finite or blows up (the pole of 1/x): its values after that say little; "
            "'diverged' where its values stopped being finite (or Newton's Hessian was "
            "singular, so that no step could be taken)."
        )
        start = tuple(float(v) for v in self.surface.start)
        section.figure(folder / f"{name}.png", f"{self.steps} steps from {start}")
        if animate:
            say(f"animating {name}.gif (this takes a few seconds) ...")
            viz.animate_trajectories(self.surface, self.paths, folder / f"{name}.gif")
            section.figure(folder / f"{name}.gif", "animated")
        report.write(folder / "report.html")


def parse_optimizers(optimizers: Sequence[str]) -> dict[str, ParsedOptimizer]:
    """Each spec ``NAME[:LR][:key=value...]`` parsed, by its text.

    Raises:
        ValueError: an empty list, a bad spec, or two specs with the same settings however
            written (``Adam:0.05`` and ``adam:5e-2``).
    """
    if isinstance(optimizers, str) or not isinstance(optimizers, Sequence) or not optimizers:
        raise ValueError(f"optimizers must be a non-empty list of specs, got {optimizers!r}")
    parsed: dict[str, ParsedOptimizer] = {}
    seen: dict[str, str] = {}
    for text in optimizers:
        spec = parse_optimizer(text, DEFAULT_LR)
        key = repr((spec.name, spec.lr, sorted(spec.options.items())))
        if key in seen:
            raise ValueError(
                f"optimizers lists {spec.name} with the same settings more than once "
                f"({seen[key]!r} and {text!r}); give each once"
            )
        seen[key], parsed[text] = text, spec
    return parsed


#: A path has stopped where its gradient's norm is at most this fraction of the norm at
#: its start (a fraction, so that the test holds for f and its gradient on any scale).
STATIONARY = 1e-6
#: f blows up between two iterates where |f| grows past this many times its size at both.
BLOW_UP = 1e8


def ending(surface: landscapes.Landscape, path: np.ndarray) -> str:
    """How a path ended: ``"diverged"`` (non-finite values), ``"crossed a singularity"``
    (on a formula, f not finite or blowing up between two iterates: `crosses_singularity`),
    ``"left the frame"`` (outside the plotted window), ``"flat"`` (no gradient nor curvature,
    at the start as at the end), ``"minimum"``, ``"saddle point"`` or ``"maximum"`` (a gradient
    norm at most `STATIONARY` times the start's, told apart by the signs of the Hessian's
    eigenvalues), else ``"moving"``."""
    finite = path[np.isfinite(path).all(axis=1)]
    if len(finite) < len(path):
        return "diverged"
    if isinstance(surface, ExpressionLandscape) and crosses_singularity(surface, path):
        return "crossed a singularity"  # (the built-in surfaces are smooth everywhere)
    end = finite[-1]
    if any(not low <= value <= high for value, (low, high) in zip(end, surface.bounds)):
        return "left the frame"
    first = np.linalg.norm(surface.grad(path[0]))
    if np.linalg.norm(surface.grad(end)) > STATIONARY * first:
        return "moving"
    curvature = np.linalg.eigvalsh(surface.hessian(end))
    if first == 0 and not curvature.any():
        return "flat"
    if curvature.max() < 0:
        return "maximum"
    return "saddle point" if curvature.min() < 0 else "minimum"


def crosses_singularity(
    surface: landscapes.Landscape, path: np.ndarray, rounds: int = 10, samples: int = 33
) -> bool:
    """Whether f is not finite, or blows up (`BLOW_UP`), somewhere on the straight segment
    between two iterates of a finite ``path``: as a step over the pole of ``1/x``. Each
    segment is sampled at ``samples`` points, then ``rounds`` times again around its
    largest ``|f|``, 16 times closer each time."""
    a, b = path[:-1], path[1:]
    moved = (a != b).any(axis=1)
    a, b = a[moved], b[moved]
    if not len(a):
        return False
    rows, t = np.arange(len(a)), np.linspace(0.0, 1.0, samples)
    low, high = np.zeros(len(a)), np.ones(len(a))
    with np.errstate(all="ignore"):
        ends = np.maximum(*(np.abs(surface.value_grid(p[:, 0], p[:, 1])) for p in (a, b)))
        for _ in range(rounds):
            at = low[:, None] + (high - low)[:, None] * t
            points = a[:, None, :] + at[..., None] * (b - a)[:, None, :]
            size = np.abs(surface.value_grid(points[..., 0], points[..., 1]))
            if not np.isfinite(size).all():
                return True
            near, gap = at[rows, size.argmax(axis=1)], (high - low) / (samples - 1)
            low, high = np.maximum(near - gap, 0.0), np.minimum(near + gap, 1.0)
        return bool((size.max(axis=1) > BLOW_UP * (1.0 + ends)).any())


@dataclass(frozen=True)
class LandscapeSetup:
    """Everything a landscape run needs besides its optimizers, checked: build it with
    `landscape_setup` (the arguments of `run_landscape`).

    Attributes:
        surface: the exact surface, from the run's start point (the logistic model's with
            every sample, so that a path's ending is judged on the true gradient).
        function: one of `FUNCTIONS`, or ``"expression"``.
    """

    surface: landscapes.Landscape
    function: str
    expression: str | None = None
    start: tuple[float, float] | None = None
    steps: int = 300
    noise: float = 0.0
    seed: int = 0
    sampling: str = "full"
    batch_size: int = 10
    schedule: str = "constant"
    decay: float = 0.99
    period: int = DEFAULT_PERIOD
    clip: str = "none"
    clip_at: float = 1.0

    def settings(self) -> dict[str, Any]:
        """The settings beyond function, steps, noise and seed that the run reads."""
        used = settings_used(self.function, self.sampling, self.schedule, self.clip)
        start = None if self.start is None else list(self.start)
        found = {"expression": self.expression, "start": start}
        found.update((name, getattr(self, name)) for name in sorted(used))
        return {key: value for key, value in found.items() if value is not None}

    def stepped(self) -> landscapes.Landscape:
        """What one optimizer steps on: fresh batches, fresh noise (from the seed) and the
        clipping, each optimizer its own (`optimlab.play.stepping.make_stepped`)."""
        return make_stepped(
            self.surface,
            sampling=self.sampling,
            batch_size=self.batch_size,
            noise=self.noise,
            seed=self.seed,
            clip=self.clip,
            clip_at=self.clip_at,
        )

    def learning_rate(self, lr: float) -> Any:
        """``lr``, or the schedule starting at it (`optimlab.play.stepping.make_schedule`)."""
        return make_schedule(
            self.schedule, lr, steps=self.steps, decay=self.decay, period=self.period
        )

    def run(
        self, optimizers: Sequence[str], log: Callable[[str], None] | None = None
    ) -> LandscapeResult:
        """Run each optimizer (a spec ``NAME[:LR][:key=value...]``, each once) ``steps``
        times from the start; ``log`` is called with a line before each one.

        Raises:
            ValueError: a bad optimizer spec, or a repeated one, before any optimizer runs.
        """
        from optimlab.viz import run_on_landscape

        parsed = parse_optimizers(optimizers)
        factories = {text: self._factory(*spec) for text, spec in parsed.items()}
        paths = {}
        for label, factory in factories.items():
            if log is not None:
                log(f"{label}: {self.steps} steps on {self.surface.name} ...")
            paths[label] = run_on_landscape(self.stepped(), factory, self.steps)
        return LandscapeResult(
            self.function, self.surface, paths, self.steps, self.noise, self.seed, self.settings()
        )

    def _factory(
        self, name: str, lr: float, options: dict[str, Any]
    ) -> Callable[[np.ndarray], Any]:
        cls = optim.OPTIMIZERS[name]
        kwargs = {"lr": lr, **options}
        kwargs["lr"] = self.learning_rate(kwargs["lr"])
        return lambda x: cls(x, **kwargs)


def landscape_setup(
    function: str | None = None,
    *,
    expression: str | None = None,
    start: Sequence[float] | None = None,
    steps: int = 300,
    noise: float = 0.0,
    seed: int = 0,
    sampling: str = "full",
    batch_size: int = 10,
    schedule: str = "constant",
    decay: float = 0.99,
    period: int | None = DEFAULT_PERIOD,
    clip: str = "none",
    clip_at: float = 1.0,
) -> LandscapeSetup:
    """Check a landscape run's settings and build its surface, before anything runs.

    Args:
        function: a 2-D test function of `optimlab.landscapes` (``"rosenbrock"``, ...) or
            ``"logistic"``, the loss of two-weight logistic regression on iris
            (`optimlab.play.logistic`); None with ``expression``.
        expression: a formula ``f(x, y)`` instead of ``function`` (``"(1 - x)^2 + y^2"``;
            `optimlab.play.expression`, needs SymPy); its paths start at (-2, 2).
        start: the start point ``(x, y)``; None for the surface's own.
        steps: updates per optimizer, >= 1.
        noise: standard deviation of Gaussian noise added to every gradient (SGD noise).
        seed: seed of that noise and of the logistic model's batches.
        sampling: the logistic model's batches: ``"full"``, ``"minibatch"`` or
            ``"stochastic"`` (one sample).
        batch_size: samples per mini-batch, 1 to 100.
        schedule: the learning-rate schedule, one of ``constant``, ``step`` (``decay``
            every ``period`` updates), ``exponential`` (``decay`` per update),
            ``inverse_time`` (``lr / (1 + decay k)``), ``cosine`` (down to 0 over
            ``steps``) and ``warmup_cosine`` (a linear warmup over ``period`` updates, then
            the cosine); it starts at each optimizer's own rate.
        decay: the factor of ``step`` and ``exponential`` (in (0, 1]), the rate of
            ``inverse_time`` (> 0).
        period: the step size of ``step``, >= 1; the warmup of ``warmup_cosine``, 1 to
            ``steps - 1``; None: `optimlab.play.stepping.period_for` (100, or what fits a
            shorter warmup_cosine run).
        clip: gradient clipping: ``"none"``, ``"norm"`` (global norm, PyTorch's rule) or
            ``"value"``.
        clip_at: the largest norm or value, > 0.

    Raises:
        ValueError: an unknown function, one that is not 2-D, a bad setting (named as its
            argument: ``Invalid clip_at: 0.0; clip_at must be > 0``) or a refused formula
            (its parser's message).
        ModuleNotFoundError: a formula without SymPy (``pip install 'optimlab[play]'``).
    """
    steps = checks.integer("steps", steps, low=1)
    noise = checks.nonnegative("noise", noise)
    seed = checks.integer("seed", seed, low=0)
    if start is not None:
        if isinstance(start, (str, bytes)) or np.ndim(start) != 1 or len(start) != 2:
            raise ValueError(f"Invalid start: {start!r}; start must be two numbers (x, y)")
        start = (checks.number("start[0]", start[0]), checks.number("start[1]", start[1]))
    sampling = checks.choice("sampling", sampling, SAMPLINGS)
    batch_size = checks.integer("batch_size", batch_size, low=1, high=100)
    schedule = checks.choice("schedule", schedule, SCHEDULES)
    if schedule in FACTOR_SCHEDULES:
        decay = checks.number("decay", decay, low=0.0, low_open=True, high=1.0)
    else:
        decay = checks.positive("decay", decay)
    period = period_for(schedule, steps) if period is None else period
    period = checks.integer("period", period, low=1)
    check_period(schedule, period, steps)
    clip = checks.choice("clip", clip, CLIPS)
    clip_at = checks.positive("clip_at", clip_at)
    function = _function(function, expression)
    if function != "logistic" and sampling != "full":
        raise ValueError(
            f"Invalid sampling: {sampling!r}; sampling applies to the logistic function only"
        )
    surface = make_surface(
        function, expression=expression, start=start, batch_size=batch_size, seed=seed
    )
    with np.errstate(all="ignore"):
        at_start = surface.value(surface.start), surface.grad(surface.start)
    if not all(np.isfinite(v).all() for v in at_start):
        raise ValueError(
            f"Invalid start: {tuple(float(v) for v in surface.start)}; f or its gradient is "
            "not finite there (too far out?): choose a start nearer the minimum"
        )
    return LandscapeSetup(
        surface,
        function,
        expression=expression,
        start=start,
        steps=steps,
        noise=noise,
        seed=seed,
        sampling=sampling,
        batch_size=batch_size,
        schedule=schedule,
        decay=decay,
        period=period,
        clip=clip,
        clip_at=clip_at,
    )


def _function(function: str | None, expression: str | None) -> str:
    """The surface's name: ``"expression"`` for a formula, else ``function`` checked."""
    if expression is not None:
        if function is not None:
            raise ValueError(
                f"give a function or an expression, not both (got {function!r} and {expression!r})"
            )
        return "expression"
    if function is None:
        raise ValueError(
            "give a function (e.g. 'rosenbrock' or 'logistic') or an expression "
            "(e.g. 'x**2 + 3*y**2')"
        )
    return landscape_by_name(function).name


def run_landscape(
    function: str | None = None,
    optimizers: Sequence[str] = DEFAULT_OPTIMIZERS,
    *,
    log: Callable[[str], None] | None = None,
    **settings: Any,
) -> LandscapeResult:
    """Run each optimizer ``steps`` times from the surface's start point.

    Each optimizer gets its own noise and batches, drawn from ``seed``: a path does not
    depend on which other optimizers run.

    Args:
        function: the surface (`landscape_setup`); None with ``expression=``.
        optimizers: specs ``NAME[:LR][:key=value...]`` (`parse_optimizer`; learning rate
            0.01 when none is written; a pair as ``betas=0.9,0.99``), each once.
        log: called with a one-line message before each optimizer runs (e.g. ``print``).
        **settings: the keyword arguments of `landscape_setup`: ``expression``, ``start``,
            ``steps``, ``noise``, ``seed``, ``sampling``, ``batch_size``, ``schedule``,
            ``decay``, ``period``, ``clip``, ``clip_at``.

    Raises:
        ValueError: an unknown function, a bad optimizer spec, a bad setting or a refused
            formula, before any optimizer runs.
        ModuleNotFoundError: an expression without SymPy installed.
        TypeError: an unknown setting.
    """
    return landscape_setup(function, **settings).run(optimizers, log)


def landscape_by_name(name: str) -> landscapes.Landscape:
    """The 2-D surface called ``name``: a test function (`optimlab.landscapes.get_landscape`)
    or ``"logistic"`` (`optimlab.play.logistic.LogisticLandscape`).

    Raises:
        ValueError: an unknown name (with the closest valid one) or a function that is not
            2-D.
    """
    if isinstance(name, str) and name.strip().lower() == "logistic":
        return make_surface("logistic")
    try:
        surface = landscapes.get_landscape(name)
    except ValueError as error:
        near = checks.closest(str(name), FUNCTIONS)
        hint = f" (did you mean {near!r}?)" if near is not None else ""
        raise ValueError(f"{error}, logistic{hint}") from None
    if surface.dim != 2:
        raise ValueError(f"{name} is {surface.dim}-D; the paths are drawn in 2-D")
    return surface
