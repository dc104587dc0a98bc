"""Optimizers on a 2-D test function: what ``optimlab landscape`` runs and writes.

```python
from optimlab.lab import run_landscape

paths = run_landscape("rosenbrock", ["SGD:0.001:momentum=0.9", "Adam:0.05"], steps=300)
paths.table()            # where each one ended, the value there, whether it diverged
paths.write("out")       # rosenbrock.png, rosenbrock.gif, report.html
```
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from optimlab import checks, landscapes, optim
from optimlab.lab.optimizer_spec import parse_optimizer
from optimlab.lab.output import PYTHON_COMMAND, output_folder
from optimlab.lab.report import Report

__all__ = [
    "DEFAULT_OPTIMIZERS",
    "LandscapeResult",
    "ending",
    "landscape_by_name",
    "run_landscape",
]

#: The optimizers run when none are given.
DEFAULT_OPTIMIZERS = ("SGD:0.001", "SGD:0.001:momentum=0.9", "RMSprop:0.01", "Adam:0.05")
#: The learning rate of an optimizer written without one.
DEFAULT_LR = 0.01


@dataclass(frozen=True)
class LandscapeResult:
    """The paths of several optimizers from a test function's start point.

    ``paths[label]`` has shape ``(steps + 1, 2)``: the start, then each iterate; the rows
    after a divergence are NaN.
    """

    function: str
    surface: landscapes.Landscape
    paths: dict[str, np.ndarray]  # by the optimizer spec as written
    steps: int
    noise: float
    seed: int

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
        }

    def write(
        self,
        folder: str | os.PathLike,
        *,
        command: str = PYTHON_COMMAND,
        animate: bool = True,
        log: Callable[[str], None] | None = None,
    ) -> Path:
        """Write ``NAME.png`` (the paths on the contours), with ``animate`` ``NAME.gif``, and
        ``report.html`` (which records ``command``) into ``folder`` (created if missing);
        return the report's path. ``log`` is called with a one-line message before each
        figure (the animation takes the longest)."""
        from optimlab import viz

        checks.flag("animate", animate)
        say = log or (lambda message: None)
        folder = output_folder(folder)
        name = self.surface.name
        say(f"drawing {name}.png ...")
        viz.plot_trajectories(self.surface, self.paths, path=folder / f"{name}.png")
        report = Report(f"optimlab landscape {name}", command, self.config())
        section = report.section(f"Paths on {name}").table(self.table())
        section.text(
            "status: 'minimum' or 'saddle point' where a path stopped at a point whose "
            "gradient vanishes (a saddle point has a direction of negative curvature: the "
            "path is stuck, not done); 'moving' where it was still on its way after the "
            "last step; 'left the frame' where it ended outside the plotted window; "
            "'diverged' where its values stopped being finite."
        )
        start = tuple(float(v) for v in self.surface.start)
        section.figure(folder / f"{name}.png", f"{self.steps} steps from {start}")
        if animate:
            say(f"animating {name}.gif (this takes a few seconds) ...")
            viz.animate_trajectories(self.surface, self.paths, folder / f"{name}.gif")
            section.figure(folder / f"{name}.gif", "animated")
        return report.write(folder / "report.html")


#: A point whose gradient norm is at most this is stationary.
STATIONARY = 1e-6


def ending(surface: landscapes.Landscape, path: np.ndarray) -> str:
    """How a path ended: ``"diverged"`` (non-finite values), ``"left the frame"`` (outside
    the plotted window), ``"minimum"`` or ``"saddle point"`` (a vanishing gradient, told
    apart by the Hessian's smallest eigenvalue), else ``"moving"``."""
    finite = path[np.isfinite(path).all(axis=1)]
    if len(finite) < len(path):
        return "diverged"
    end = finite[-1]
    if any(not low <= value <= high for value, (low, high) in zip(end, surface.bounds)):
        return "left the frame"
    if np.linalg.norm(surface.grad(end)) > STATIONARY:
        return "moving"
    curvature = np.linalg.eigvalsh(surface.hessian(end)).min()
    return "saddle point" if curvature < 0 else "minimum"


def run_landscape(
    function: str,
    optimizers: Sequence[str] = DEFAULT_OPTIMIZERS,
    *,
    steps: int = 300,
    noise: float = 0.0,
    seed: int = 0,
    log: Callable[[str], None] | None = None,
) -> LandscapeResult:
    """Run each optimizer ``steps`` times from the function's standard start point.

    Args:
        function: a 2-D test function of `optimlab.landscapes` (``"rosenbrock"``, ...).
        optimizers: specs ``NAME[:LR][:key=value...]`` (`parse_optimizer`; learning rate
            0.01 when none is written), each once.
        steps: updates per optimizer, >= 1.
        noise: standard deviation of Gaussian noise added to every gradient (SGD noise).
        seed: seed of that noise.
        log: called with a one-line message before each optimizer runs (e.g. ``print``).

    Raises:
        ValueError: an unknown function, one that is not 2-D, a bad optimizer spec or a bad
            number, before any optimizer runs.
    """
    from optimlab.viz import run_on_landscape

    surface = landscape_by_name(function)
    steps = checks.integer("steps", steps, low=1)
    noise = checks.nonnegative("noise", noise)
    seed = checks.integer("seed", seed, low=0)
    if isinstance(optimizers, str) or not isinstance(optimizers, Sequence) or not optimizers:
        raise ValueError(f"optimizers must be a non-empty list of specs, got {optimizers!r}")
    repeated = {text for text in optimizers if list(optimizers).count(text) > 1}
    if repeated:
        raise ValueError(f"optimizers lists {sorted(repeated)} more than once; give each once")
    factories = {text: _factory(*parse_optimizer(text, DEFAULT_LR)) for text in optimizers}
    stepped = landscapes.Noisy(surface, noise, seed=seed) if noise else surface
    paths = {}
    for label, factory in factories.items():
        if log is not None:
            log(f"{label}: {steps} steps on {surface.name} ...")
        paths[label] = run_on_landscape(stepped, factory, steps)
    return LandscapeResult(function, surface, paths, steps, noise, seed)


def landscape_by_name(name: str) -> landscapes.Landscape:
    """The 2-D test function called ``name`` (`optimlab.landscapes.get_landscape`).

    Raises:
        ValueError: an unknown name (with the closest valid one) or a function that is not
            2-D.
    """
    try:
        surface = landscapes.get_landscape(name)
    except ValueError as error:
        near = checks.closest(str(name), landscapes.LANDSCAPES)
        hint = f" (did you mean {near!r}?)" if near is not None else ""
        raise ValueError(f"{error}{hint}") from None
    if surface.dim != 2:
        raise ValueError(f"{name} is {surface.dim}-D; the paths are drawn in 2-D")
    return surface


def _factory(name: str, lr: float, options: dict[str, Any]) -> Callable[[np.ndarray], Any]:
    cls = optim.OPTIMIZERS[name]
    kwargs = {"lr": lr, **options}
    return lambda x: cls(x, **kwargs)
