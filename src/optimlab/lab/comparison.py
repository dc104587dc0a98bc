"""Several optimizers on one problem, side by side: what ``optimlab compare`` runs and writes.

```python
from dataclasses import replace
from optimlab.lab import RunSpec, run_compare

base = RunSpec(dataset="moons", model="mlp", hidden=(16,), epochs=40)
# or a PyTorch model: RunSpec(task="torch:digits_cnn", epochs=5)
specs = [replace(base, optimizer="SGD", lr=0.1), replace(base, optimizer="Adam", lr=0.01)]
result = run_compare(specs)
result.table()                               # one row per run
result.write("out", command="my notebook")  # train_loss.png, val_loss.png, results.json,
                                             # report.html
```
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from optimlab.lab.engines import Terminated
from optimlab.lab.experiment import RunResult, RunSpec, check_task, run
from optimlab.lab.optimizer_spec import check_optimizer
from optimlab.lab.output import PYTHON_COMMAND, output_folder, write_json
from optimlab.lab.report import Report

__all__ = ["COLUMNS", "CompareInterrupted", "CompareResult", "check_specs", "run_compare"]

#: The columns of the results table, in order.
COLUMNS = (
    "label",
    "train_loss",
    "val_loss",
    "train_metric",
    "val_metric",
    "seconds",
    "status",
    "diagnosis",
)
#: The settings that differ between the runs of a comparison (the rest is shared).
OPTIMIZER_FIELDS = ("optimizer", "lr", "options")


@dataclass(frozen=True)
class CompareResult:
    """The finished runs of a comparison, in the order given."""

    results: tuple[RunResult, ...]

    def table(self) -> list[dict[str, Any]]:
        """One row per run (`RunResult.summary`): final losses and metrics, time, status,
        diagnosis label."""
        return [r.summary() for r in self.results]

    def columns(self) -> list[str]:
        """`COLUMNS`, the metric's named (``val_accuracy``, ``val_r2``): for printing the
        `named_table`."""
        return [self._named(column) for column in COLUMNS]

    def named_table(self) -> list[dict[str, Any]]:
        """`table` with the metric's columns named after it, as printed and reported."""
        return [{self._named(k): v for k, v in row.items()} for row in self.table()]

    def _named(self, column: str) -> str:
        metric = self.results[0].history.metric or "metric"
        return column.replace("_metric", f"_{metric}") if column.endswith("_metric") else column

    def diagnoses(self) -> list[dict[str, str]]:
        """One row per run: its label and its diagnosis (label, evidence, remedy)."""
        return [{"run": r.spec.label, **r.diagnosis} for r in self.results]

    def config(self) -> dict[str, Any]:
        """What was compared: the settings the runs share, and each run's optimizer."""
        specs = [r.spec.settings() for r in self.results]
        shared = {
            key: value
            for key, value in specs[0].items()
            if key not in OPTIMIZER_FIELDS and all(s.get(key) == value for s in specs)
        }
        return {"base": shared, "optimizers": [r.spec.label for r in self.results]}

    def to_dict(self) -> dict[str, Any]:
        """Per run: the full spec, the summary row and the whole history."""
        return {
            "runs": [
                {"spec": r.spec.to_dict(), "summary": r.summary(), "history": r.history.to_dict()}
                for r in self.results
            ]
        }

    def write(self, folder: str | os.PathLike, *, command: str = PYTHON_COMMAND) -> Path:
        """Write ``train_loss.png``, ``val_loss.png``, ``results.json`` and ``report.html``
        (which records ``command``) into ``folder`` (created if missing); return the report's
        path."""
        from optimlab import viz

        folder = output_folder(folder)
        loss = "mean squared error" if self.results[0].history.metric == "r2" else "loss"
        viz.plot_losses(
            {r.spec.label: r.history.epoch_train_loss for r in self.results},
            path=folder / "train_loss.png",
            x_label="epoch",
            y_label=f"training {loss} (log scale)",
            title="Training loss per epoch",
        )
        viz.plot_losses(
            {r.spec.label: r.history.epoch_val_loss for r in self.results},
            path=folder / "val_loss.png",
            x_label="epoch",
            y_label=f"validation {loss} (log scale)",
            title="Validation loss per epoch",
        )
        write_json(folder / "results.json", self.to_dict(), indent=None)
        source = self.results[0].spec.source
        report = Report(f"optimlab compare on {source}", command, self.config())
        report.section("Results").table(self.named_table(), self.columns()).figure(
            folder / "train_loss.png", "training loss per epoch"
        ).figure(folder / "val_loss.png", "validation loss per epoch")
        report.section(
            "Diagnoses (the debugging checklist of "
            "\u201cOptimization Algorithms in Deep Neural Networks\u201d)"
        ).table(self.diagnoses())
        notes = [{"run": r.spec.label, "note": note} for r in self.results for note in r.notes]
        if notes:
            report.section("Notes: what the lab chose on its own").table(notes)
        return report.write(folder / "report.html")


class CompareInterrupted(KeyboardInterrupt):
    """Ctrl-C during `run_compare`: ``finished`` is the `CompareResult` of the runs that
    had completed (None if none had), ``stopped`` the label of the run it stopped."""

    def __init__(self, finished: CompareResult | None, stopped: str) -> None:
        super().__init__(f"interrupted while training {stopped}")
        self.finished = finished
        self.stopped = stopped


def run_compare(
    specs: Sequence[RunSpec],
    *,
    progress: bool = False,
    log: Callable[[str], None] | None = None,
) -> CompareResult:
    """Train each spec in turn (each optimizer on the same data, model and budget, as the
    specs say) and diagnose it.

    Every spec's optimizer (name, options and their values) and task (`check_task`) is
    checked before the first run trains, so a typo in the last one costs nothing.

    Args:
        specs: the runs, e.g. one base spec with different ``optimizer``/``lr``/``options``.
        progress: show a progress bar per run.
        log: called with a one-line message before each run (e.g. ``print``).

    Raises:
        ValueError: no specs, a spec that is not a `RunSpec`, an invalid optimizer
            setting or task (naming the run), or two runs with one label, before any
            training.
        CompareInterrupted: Ctrl-C; it holds the runs that had finished.
    """
    check_specs(specs)
    results: list[RunResult] = []
    for spec in specs:
        if log is not None:
            log(f"training {spec.label} ...")
        try:
            results.append(run(spec, progress=progress))
        except Terminated:
            raise
        except KeyboardInterrupt as interrupt:
            finished = CompareResult(tuple(results)) if results else None
            raise CompareInterrupted(finished, spec.label) from interrupt
    return CompareResult(tuple(results))


def check_specs(specs: Sequence[RunSpec]) -> None:
    """Refuse specs `run_compare` cannot run: none, not `RunSpec` values, an invalid
    optimizer setting or task (naming the run; each task is made once to check it), or
    two runs with one label.

    Raises:
        ValueError: the first problem found.
    """
    if not isinstance(specs, Sequence) or not specs:
        raise ValueError(f"specs must be a non-empty list of RunSpec, got {specs!r}")
    for spec in specs:
        if not isinstance(spec, RunSpec):
            raise ValueError(f"specs must hold RunSpec values, got {type(spec).__name__}")
        try:
            check_optimizer(spec.optimizer, spec.lr, dict(spec.options))
        except ValueError as error:
            raise ValueError(f"{spec.label}: {error}") from None
    checked = set()
    for spec in specs:
        if spec.task is not None and (spec.task, spec.seed, spec.device) not in checked:
            checked.add((spec.task, spec.seed, spec.device))
            try:
                check_task(spec)
            except ValueError as error:
                raise ValueError(f"{spec.label}: {error}") from None
    labels = [spec.label for spec in specs]
    repeated = sorted({label for label in labels if labels.count(label) > 1})
    if repeated:
        raise ValueError(
            f"{', '.join(repeated)} is given more than once; the plots and the table need "
            "each run to differ in its optimizer, lr or options"
        )
