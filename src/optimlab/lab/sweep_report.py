"""What ``optimlab sweep`` writes: the sensitivity plot, the best runs' curves, the results
as JSON, and the HTML report; `SweepResult.write` calls `write_sweep`."""

from __future__ import annotations

import os
from pathlib import Path

from optimlab.lab.output import PYTHON_COMMAND, output_folder, write_json
from optimlab.lab.report import Report
from optimlab.lab.sweep import SweepResult

__all__ = ["COLUMNS", "write_sweep"]

#: The columns of the ranking table, as printed and in the report.
COLUMNS = (
    "rank",
    "optimizer",
    "best_lr",
    "val_loss_mean",
    "val_loss_std",
    "gap_to_best",
    "diverged_seeds",
    "target_reached",
    "iterations_to_target",
    "seconds_to_target",
    "seconds_per_run",
)


def write_sweep(
    result: SweepResult, folder: str | os.PathLike, *, command: str = PYTHON_COMMAND
) -> Path:
    """Write ``sensitivity.png`` (when an optimizer has a learning rate), ``val_loss.png``,
    ``results.json`` and ``report.html`` into ``folder``; return the report's path."""
    from optimlab import viz

    folder = output_folder(folder)
    rows = result.table()
    report = Report(
        f"optimlab sweep on {result.base.source}",
        command,
        {"base": result.base.to_dict(), "lrs": list(result.lrs), "seeds": list(result.seeds)},
    )
    report.section("Verdict").text(result.verdict.text).table(rows, list(COLUMNS))
    curves = result.curves()
    sensitivity = report.section("Learning-rate sensitivity (first seed)")
    if curves:
        viz.plot_lr_sweep(curves, path=folder / "sensitivity.png")
        sensitivity.figure(
            folder / "sensitivity.png", "final validation loss against the learning rate"
        )
    sensitivity.table(result.sensitivity(), ["optimizer", "lr", "val_loss", "diverged", "best"])
    best = result.best_runs
    viz.plot_losses(
        {f"{run.spec.optimizer} lr={run.spec.lr:g}": run.history.epoch_val_loss for run in best},
        path=folder / "val_loss.png",
        x_label="epoch",
    )
    diagnoses = report.section(
        "Best runs: validation loss and diagnosis (the debugging checklist of "
        "\u201cOptimization Algorithms in Deep Neural Networks\u201d)"
    )
    diagnoses.figure(folder / "val_loss.png", "validation loss per epoch at each best rate")
    diagnoses.table([{"optimizer": run.spec.optimizer, **run.diagnosis} for run in best])
    write_json(folder / "results.json", result.to_dict())
    return report.write(folder / "report.html")
