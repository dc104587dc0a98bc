"""``optimlab sweep``: option parsing and printing around `optimlab.lab.sweep.sweep`."""

from __future__ import annotations

import math
import os
from pathlib import Path

import click

from optimlab.cli._common import (
    choice_of,
    command_line,
    interrupted,
    one_line,
    out_option,
    output_folder,
    say,
    seed_option,
)
from optimlab.cli._config import config_option
from optimlab.cli._runs import base_spec, data_options
from optimlab.cli._table import format_table


def _names(text: str) -> list[str]:
    from optimlab import optim

    names = [item.strip() for item in text.split(",") if item.strip()]
    if not names:
        raise click.BadParameter("give at least one optimizer name", param_hint="--optimizers")
    names = [choice_of(list(optim.OPTIMIZERS), "optimizer", n, "--optimizers") for n in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise click.BadParameter(
            f"{', '.join(repeated)} is listed more than once; name each optimizer once",
            param_hint="--optimizers",
        )
    return names


def _grid(lr_min: float, lr_max: float, per_decade: int, lrs: str | None) -> list[float]:
    from optimlab.lab.sweep import lr_grid

    if lrs:
        try:
            values = [float(item) for item in lrs.split(",") if item.strip()]
        except ValueError:
            raise click.BadParameter(
                f"must be comma-separated numbers, got {lrs!r}", param_hint="--lrs"
            ) from None
        if not values or not all(math.isfinite(v) and v > 0 for v in values):
            raise click.BadParameter(
                f"must be finite learning rates > 0, got {lrs!r}", param_hint="--lrs"
            )
        return values
    try:
        return lr_grid(lr_min, lr_max, per_decade)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--lr-min/--lr-max") from error


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@click.command()
@data_options
@click.option(
    "--optimizers",
    default="SGD,Momentum,RMSprop,Adam",
    show_default=True,
    help="Comma-separated optimizer names; each gets the same grid, budget and seeds.",
)
@click.option("--lr-min", default=1e-5, show_default=True, type=float, help="Smallest rate.")
@click.option("--lr-max", default=1e2, show_default=True, type=float, help="Largest rate.")
@click.option(
    "--per-decade",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="Rates per factor of ten in the log-spaced grid.",
)
@click.option("--lrs", help="Explicit comma-separated rates instead of the grid.")
@click.option(
    "--seeds",
    default=3,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many seeds the best setting is run with (--seed, --seed+1, ...).",
)
@click.option(
    "--jobs",
    default=_default_jobs,
    show_default="the usable cores",
    type=click.IntRange(min=1),
    help="Worker processes.",
)
@click.option(
    "--target-loss",
    type=float,
    help="Validation loss for time-to-target (default: 1.1 x the winner's final loss).",
)
@click.option(
    "--store",
    type=click.Path(dir_okay=False),
    help="SQLite run store (default OUT/runs.sqlite); finished runs in it are not rerun.",
)
@click.option(
    "--engine",
    default="process",
    show_default=True,
    type=click.Choice(["process", "dask"]),
    help="Run the jobs in a process pool or on a local dask cluster.",
)
@out_option("optimlab-sweep")
@seed_option
@click.option("--progress/--no-progress", default=True, help="Show a progress bar over the runs.")
@config_option
def sweep(
    optimizers,
    lr_min,
    lr_max,
    per_decade,
    lrs,
    seeds,
    jobs,
    target_loss,
    store,
    engine,
    out,
    seed,
    progress,
    **data,
) -> None:
    """Compare optimizers fairly (DeepOBS protocol) and say which to use.

    Every optimizer trains at every rate of a log-spaced grid with the first seed and the
    same budget; each one's best rate (lowest final validation loss) is re-run with every
    seed. Prints the winner, its margin over the runner-up against the seed-to-seed
    spread, and a table with time-to-target; writes the sensitivity plot, the loss curves,
    results.json and a report. Runs are kept in a SQLite store: stop the sweep (Ctrl-C)
    and run the same command again to finish it without repeating finished runs.
    """
    from optimlab.lab import engines
    from optimlab.lab.store import RunStore
    from optimlab.lab.sweep import sweep as run_sweep
    from optimlab.lab.sweep_report import COLUMNS

    names = _names(optimizers)
    grid = _grid(lr_min, lr_max, per_decade, lrs)
    if target_loss is not None and not math.isfinite(target_loss):
        raise click.BadParameter(
            f"must be a finite loss, got {target_loss}", param_hint="--target-loss"
        )
    base = base_spec(seed=seed, **data)
    if engine == "dask":
        try:
            engines.import_dask()
        except ImportError as error:
            raise click.BadParameter(str(error), param_hint="--engine") from None
    with output_folder(out) as folder:
        store_path = Path(store) if store else folder / "runs.sqlite"
        try:
            run_store = RunStore(store_path)
        except (ValueError, OSError) as error:
            raise click.BadParameter(one_line(error), param_hint="--store") from error
        with run_store:
            say(
                f"sweep: {len(names)} optimizers x {len(grid)} rates ({grid[0]:g} to "
                f"{grid[-1]:g}), then the best with {seeds} seeds; {len(run_store)} runs "
                f"already in {store_path}"
            )
            try:
                result = run_sweep(
                    base,
                    names,
                    grid,
                    tuple(range(seed, seed + seeds)),
                    store=run_store,
                    jobs=jobs,
                    progress=progress,
                    target=target_loss,
                    engine=engine,
                    notify=say,
                )
            except KeyboardInterrupt as interrupt:
                interrupted.handled()
                terminated = isinstance(interrupt, engines.Terminated)
                stopped = "terminated" if terminated else "interrupted"
                say(
                    f"\n{stopped}: {len(run_store)} finished runs are kept in {store_path}; "
                    "run the same command again to continue where it stopped"
                )
                raise SystemExit(143 if terminated else 130) from None
            except (ValueError, TypeError, OSError, ImportError) as error:
                raise click.ClickException(one_line(error)) from error
        click.echo(f"\n{result.verdict.text}\n")
        click.echo(format_table(result.table(), list(COLUMNS)))
        for run in result.best_runs:
            click.echo(
                f"{run.spec.optimizer} at its best rate: "
                f"{run.diagnosis['label']}: {run.diagnosis['remedy']}"
            )
        target = "none" if result.target is None else f"{result.target:.4g}"
        click.echo(
            f"target validation loss {target} ({result.target_source}); "
            f"{result.computed} runs trained now, {result.reused} reused from the store"
        )
        say("writing the plots, results.json and the report ...")
        path = result.write(folder, command=command_line())
    click.echo(f"Report: {path.resolve()}")
