"""The learning-rate range test on a `RunSpec`: what ``optimlab lr-find`` runs and writes.

`run_lr_find` loads the spec's data, builds its model and optimizer, and runs
`optimlab.lab.lr_find.lr_find` (the test itself and its definitions are there)::

    from optimlab.lab import RunSpec, run_lr_find

    found = run_lr_find(RunSpec(dataset="digits", model="mlp", hidden=(64,), optimizer="Adam"))
    found.result.suggested      # the steepest fall of the smoothed loss
    found.write("out")          # lr_find.png, lr_find.json, report.html
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from optimlab.lab.experiment import RunSpec, build_model, build_optimizer, check_task, load_split
from optimlab.lab.lr_find import (
    SUGGESTION_NAMES,
    LRFindResult,
    _check_arguments,
    _result,
    burn_in_for,
    lr_find,
)
from optimlab.lab.optimizer_spec import check_optimizer
from optimlab.lab.output import PYTHON_COMMAND, output_folder, write_json
from optimlab.lab.report import Report
from optimlab.optim import OPTIMIZERS

__all__ = ["LRFindRun", "check_settings", "run_lr_find"]


@dataclass(frozen=True)
class LRFindRun:
    """A range test on a spec: the spec, the test's settings and its `LRFindResult`."""

    spec: RunSpec
    settings: dict[str, Any]  # start, end, iterations, beta, burn_in, diverge_factor
    result: LRFindResult

    @property
    def ended(self) -> str:
        """How the ramp ended, in words."""
        last = self.result.lrs[-1]
        if self.result.stopped_early:
            return f"stopped early at lr {last:.3g}: the smoothed loss diverged"
        if self.result.still_falling:
            return (
                f"ran the whole ramp to lr {last:.3g} and the smoothed loss was still falling "
                f"there: the {SUGGESTION_NAMES['min_loss_div10']} is only the ramp's end over "
                "10 (try a larger --end)"
            )
        return f"ran the whole ramp to lr {last:.3g}"

    def to_dict(self) -> dict[str, Any]:
        """The settings (with the whole spec under ``"run"``) and the result, JSON-safe."""
        return {
            "settings": {"run": self.spec.to_dict(), **self.settings},
            "result": self.result.to_dict(),
        }

    def write(self, folder: str | os.PathLike, *, command: str = PYTHON_COMMAND) -> Path:
        """Write ``lr_find.png``, ``lr_find.json`` and ``report.html`` (which records
        ``command``) into ``folder`` (created if missing); return the report's path."""
        from optimlab import viz

        folder = output_folder(folder)
        found = self.result
        plot = folder / "lr_find.png"
        named = {SUGGESTION_NAMES.get(k, k): v for k, v in found.suggestions.items()}
        viz.plot_lr_find(found.lrs, found.losses, found.smoothed, named, plot, found.burn_in)
        data = self.to_dict()
        write_json(folder / "lr_find.json", data)
        unused = ("lr", "epochs", "schedule", "clip_norm", "patience")  # a ramp, not a run
        shown = {**data["settings"], "run": self.spec.settings(leave_out=unused)}
        report = Report(f"optimlab lr-find on {self.spec.source}", command, shown)
        section = report.section("Learning-rate range test")
        ended = self.ended[0].upper() + self.ended[1:]
        section.text(f"Suggested learning rate: {found.suggested:.3g}. {ended}.")
        section.table([{"suggestion": k, "lr": v} for k, v in named.items()])
        section.figure(plot, "batch loss and its debiased EWMA against the learning rate")
        return report.write(folder / "report.html")


def check_settings(
    start: float = 1e-7,
    end: float = 10.0,
    iterations: int = 100,
    beta: float = 0.98,
    burn_in: int | None = None,
    diverge_factor: float = 4.0,
) -> None:
    """Refuse settings `lr_find` would refuse (named, with the valid range), before any work.

    Raises:
        ValueError: a bad setting.
    """
    burn_in = burn_in_for(iterations, burn_in)
    _check_arguments(start, end, iterations, beta, burn_in, diverge_factor)


def check_rampable(optimizer: str) -> None:
    """Refuse an optimizer the range test cannot ramp, before any work.

    Raises:
        ValueError: Newton (no learning rate to ramp) or an optimizer that steps with a
            closure (the test ramps gradient steps).
    """
    if optimizer == "Newton":
        raise ValueError(
            "Newton has no learning rate to ramp (its step length is best at 1, the full "
            "Newton step); choose a first-order optimizer"
        )
    if OPTIMIZERS[optimizer].needs_closure:
        raise ValueError(
            f"{optimizer} steps with a closure; the range test ramps the rate of optimizers "
            "that take gradients (SGD, Momentum, Adam, ...; for Nesterov momentum: SGD with "
            "momentum=0.9 and nesterov=true, `--optimizer SGD:momentum=0.9:nesterov=true`)"
        )


def run_lr_find(
    spec: RunSpec,
    *,
    start: float = 1e-7,
    end: float = 10.0,
    iterations: int = 100,
    beta: float = 0.98,
    burn_in: int | None = None,
    diverge_factor: float = 4.0,
    log: Callable[[str], None] | None = None,
) -> LRFindRun:
    """Ramp the learning rate of the spec's optimizer on its model and training data.

    The spec gives the data and the model (or a torch task), the optimizer with its
    options, the mini-batch size (``spec.batch_size``) and the seed of the batch order; its
    ``lr`` and ``epochs`` are not used. Every argument, the optimizer's settings and the
    task are checked before the data is loaded.

    Args:
        spec: the run to test.
        start, end, iterations, beta, burn_in, diverge_factor: as `lr_find`.
        log: called with a one-line message before each stage (e.g. ``print``).

    Raises:
        ValueError: a bad argument, an optimizer without a learning rate (Newton) or one
            that steps with a closure, or a test that diverged within the burn-in.
    """
    if not isinstance(spec, RunSpec):
        raise ValueError(f"spec must be a RunSpec, got {type(spec).__name__}")
    check_rampable(spec.optimizer)
    burn_in = burn_in_for(iterations, burn_in)
    check_settings(start, end, iterations, beta, burn_in, diverge_factor)
    check_optimizer(spec.optimizer, start, dict(spec.options))
    check_task(spec)
    if log is not None:
        log(f"loading {spec.source} ...")
    ramping = (
        f"ramping the learning rate of {spec.optimizer} from {start:g} to {end:g} "
        f"over {iterations} updates ..."
    )
    if spec.task is not None:
        from optimlab.torch.lab import lr_ramp

        if log is not None:
            log(ramping)
        ramp = start * (end / start) ** (np.arange(iterations) / (iterations - 1))
        losses, stopped = lr_ramp(spec, ramp, beta, diverge_factor)
        result = _result(ramp[: losses.size], losses, iterations, beta, burn_in, stopped)
    else:
        split = load_split(spec)
        model = build_model(spec, split)
        optimizer = build_optimizer(spec, model)
        if log is not None:
            log(ramping)
        result = lr_find(
            model,
            optimizer,
            split.X_train,
            split.y_train,
            start=start,
            end=end,
            iterations=iterations,
            batch_size=spec.batch_size,
            beta=beta,
            burn_in=burn_in,
            diverge_factor=diverge_factor,
            seed=spec.seed,
        )
        if split.task == "regression":  # on the target's own scale, as compare reports it
            factor = split.loss_factor  # (the suggestions do not depend on the scale)
            result = replace(
                result, losses=result.losses * factor, smoothed=result.smoothed * factor
            )
    settings = {
        "start": start,
        "end": end,
        "iterations": iterations,
        "beta": beta,
        "burn_in": burn_in,
        "diverge_factor": diverge_factor,
    }
    return LRFindRun(spec, settings, result)
