"""What ``optimlab sweep`` writes: a sensitivity figure per searched dimension, the best runs'
curves, the results as JSON, and the HTML report; `SweepResult.write` calls `write_sweep`."""

from __future__ import annotations

import os
from pathlib import Path

from optimlab.files import atomic_write
from optimlab.lab.output import PYTHON_COMMAND, output_folder, write_json
from optimlab.lab.report import Report
from optimlab.lab.search import shown
from optimlab.lab.sweep import PROTOCOL, SweepResult

__all__ = ["columns", "figure_name", "write_sweep"]

_WIDTH, _HEIGHT = 6.4, 4.8  # inches: the figures' size, without an outside legend
_LEGEND_CHAR = 0.07  # inches per character of a legend label


def columns(result: SweepResult) -> list[str]:
    """The columns of the ranking table, as printed and in the report: the best setting
    (one column per searched name), the final validation loss and metric (``val_accuracy``
    or ``val_r2``: mean and standard deviation over seeds), time to target."""
    metric = [f"val_{result.metric}_mean", f"val_{result.metric}_std"] if result.metric else []
    return [
        "rank",
        "optimizer",
        "best_lr",
        *(f"best_{name}" for name in result.dimensions if name != "lr"),
        "val_loss_mean",
        "val_loss_std",
        "gap_to_best",
        *metric,
        "diverged_seeds",
        "target_reached",
        "iterations_to_target",
        "seconds_to_target",
        "seconds_per_run",
    ]


def figure_name(name: str) -> str:
    """The sensitivity figure's file for a searched name: ``sensitivity.png`` for the
    learning rate, ``sensitivity_NAME.png`` for the others."""
    return "sensitivity.png" if name == "lr" else f"sensitivity_{name}.png"


def write_sweep(
    result: SweepResult, folder: str | os.PathLike, *, command: str = PYTHON_COMMAND
) -> Path:
    """Write a sensitivity figure per searched dimension (`figure_name`), ``val_loss.png``,
    ``results.json`` and ``report.html`` into ``folder``; return the report's path."""
    from optimlab import viz

    folder = output_folder(folder)
    search = result.search
    report = Report(
        f"optimlab sweep on {result.base.source}",
        command,
        {
            "base": result.base.settings(leave_out=("optimizer", "lr", "options")),
            "search": search.describe() if search is not None else "lr",
            "seeds": list(result.seeds),
        },
    )
    verdict = report.section("Verdict").text(result.verdict.text)
    for note in result.notes:
        verdict.text(f"Note: {note}")
    verdict.text(f"Protocol: {PROTOCOL}.")
    if search is not None:
        verdict.text(f"Searched: {search.describe()}.")
    verdict.table(result.table(), columns(result))
    for name in result.dimensions:
        _sensitivity(report, result, name, folder, viz)
    setting_columns = ["optimizer", *result.dimensions, "val_loss"]
    if result.metric:
        setting_columns.append(f"val_{result.metric}")
    report.section("Every tuning run (first seed)").table(
        result.sensitivity(), [*setting_columns, "diverged", "best"]
    )
    best = result.best_runs
    curves = {_label(o): run.history.epoch_val_loss for o, run in zip(result.outcomes, best)}
    figure = viz.plot_losses(
        curves,
        x_label="epoch",
        title="Validation loss per epoch at each optimizer's best setting",
        y_label="validation loss (log scale)",
    )
    # long labels (the best settings) sit right of the axes: widen the figure for them
    figure.set_size_inches(_WIDTH + _LEGEND_CHAR * max(map(len, curves)), _HEIGHT)
    atomic_write(folder / "val_loss.png", lambda file: figure.savefig(file, format="png"))
    diagnoses = report.section(
        "Best runs: validation loss and diagnosis (the debugging checklist of "
        "\u201cOptimization Algorithms in Deep Neural Networks\u201d)"
    )
    diagnoses.figure(
        folder / "val_loss.png", "validation loss per epoch at each optimizer's best setting"
    )
    diagnoses.table([{"optimizer": run.spec.optimizer, **run.diagnosis} for run in best])
    write_json(folder / "results.json", result.to_dict())
    return report.write(folder / "report.html")


def _sensitivity(report: Report, result: SweepResult, name: str, folder: Path, viz) -> None:
    """The section of one searched dimension: its figure and whom it applied to."""
    along = result.sensitivity_along(name)
    dimension = result.search.dimension(name) if result.search is not None else None
    others = [n for n in result.dimensions if n != name]
    what = "the learning rate" if name == "lr" else name
    section = report.section(f"Sensitivity to {what} (first seed)")
    if dimension is not None and name != "lr":
        section.text(f"{name} applied to {', '.join(dimension.applies_to)}.")
    reading = "at each value, the lowest final validation loss of the tuning runs with it"
    if others:
        reading += f" (whatever their {', '.join(others)})"
    if not along:
        return
    title = f"Final validation loss against {what} (circled: best)"
    path = folder / figure_name(name)
    viz.plot_sensitivity(
        along,
        "learning rate" if name == "lr" else name,
        path,
        log_x=dimension.log if dimension is not None else name == "lr",
        lines=result.search is None or result.search.kind == "grid",
        title=title,
        y_label="final validation loss (log scale)",
    )
    section.figure(path, f"{reading}; diverged runs drawn as x at the top")


def _label(outcome) -> str:
    """``"Adam lr=0.0464, beta2=0.999"``: the optimizer and its best setting."""
    setting = ", ".join(f"{name}={shown(value)}" for name, value in outcome.best_setting)
    return f"{outcome.optimizer} {setting or f'lr={outcome.best_lr:.3g}'}"
