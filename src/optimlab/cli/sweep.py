"""``optimlab sweep``: option parsing and printing around `optimlab.lab.sweep.sweep`."""

from __future__ import annotations

import dataclasses
import math
import os
import sys
from pathlib import Path

import click

from optimlab.cli._common import (
    choice_of,
    comma_separated,
    command_line,
    interrupted,
    one_line,
    out_option,
    output_folder,
    say,
    seed_option,
    show,
    with_option_names,
)
from optimlab.cli._config import config_option
from optimlab.cli._runs import as_options, base_spec, data_options
from optimlab.cli._table import format_table


def _names(text: str) -> list[str]:
    from optimlab import optim

    names = comma_separated(text, "--optimizers", "optimizer name")
    names = [choice_of(list(optim.OPTIMIZERS), "optimizer", n, "--optimizers") for n in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise click.BadParameter(
            f"{', '.join(repeated)} is listed more than once; name each optimizer once",
            param_hint="--optimizers",
        )
    return names


#: The names a learning-rate grid's or range's refusal uses, and the options that set them.
_RATE_OPTIONS = {"low": "--lr-min", "high": "--lr-max", "per_decade": "--per-decade"}


def _grid(lr_min: float, lr_max: float, per_decade: int, lrs: str | None) -> list[float]:
    from optimlab.lab.sweep import lr_grid

    if lrs is not None:
        try:
            values = [float(item) for item in comma_separated(lrs, "--lrs", "learning rate")]
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
        raise click.UsageError(with_option_names(one_line(error), _RATE_OPTIONS)) from error


def _given(ctx: click.Context, name: str) -> bool:
    """Whether an option was set on the command line or in the --config file."""
    return ctx.get_parameter_source(name) in (
        click.core.ParameterSource.COMMANDLINE,
        click.core.ParameterSource.DEFAULT_MAP,
    )


#: The options of a log-spaced grid of rates, by parameter name.
_RANGE = {"lr_min": "--lr-min", "lr_max": "--lr-max", "per_decade": "--per-decade"}


def _listed_or_ranged(ctx: click.Context, lrs: str | None) -> str | None:
    """``--lrs``, or None when the log-spaced grid's options win over it: the command line
    wins over the --config file, and options given at one level that contradict each other
    (a list and a range) are refused, not one of them silently ignored."""
    if lrs is None or not _given(ctx, "lrs"):
        return lrs
    source = ctx.get_parameter_source
    command_line = click.core.ParameterSource.COMMANDLINE
    ranged = {name: source(name) for name in _RANGE if _given(ctx, name)}
    if not ranged:
        return lrs
    level = source("lrs")
    clashing = [_RANGE[name] for name, at in ranged.items() if at == level]
    if clashing:
        where = "" if level == command_line else " (in the --config file)"
        raise click.UsageError(
            f"--lrs lists the rates, so {', '.join(clashing)} would be ignored{where}; give "
            "--lrs, or --lr-min/--lr-max/--per-decade for a log-spaced grid"
        )
    return lrs if level == command_line else None  # the command line's wins


def _search(
    ctx: click.Context,
    grid: tuple[str, ...],
    random: int | None,
    space: tuple[str, ...],
    lr_min: float,
    lr_max: float,
    per_decade: int,
    lrs: str | None,
    seed: int,
):
    """The search the options describe and the learning-rate grid (None when the search
    gives lr): ``(search, lrs)``, or a one-line error naming the option."""
    from optimlab.lab.search import Grid, Interval, RandomSearch, parse_grid, parse_space

    if random is not None and grid:
        raise click.UsageError("--grid and --random are two kinds of search; give one of them")
    if space and random is None:
        raise click.UsageError(
            "--space describes a random search: add --random N (or give a grid with --grid)"
        )
    lrs = _listed_or_ranged(ctx, lrs)
    rate_options = [option for name, option in _RANGE.items() if _given(ctx, name)]
    if lrs is not None and _given(ctx, "lrs"):
        rate_options.insert(0, "--lrs")
    if random is None:
        values = dict(_parsed(grid, parse_grid, "--grid"))
        if "lr" in values:
            if rate_options:
                raise click.UsageError(
                    f"--grid lr=... and {', '.join(rate_options)} both set the learning "
                    "rates; give them once"
                )
            return Grid(values), None
        return Grid(values), _grid(lr_min, lr_max, per_decade, lrs)
    spaces = dict(_parsed(space, parse_space, "--space"))
    refused = [o for o in rate_options if o in ("--lrs", "--per-decade")]
    if refused:
        raise click.UsageError(
            f"{refused[0]} sets a grid of rates; a random search draws lr from a range: "
            "--space lr=log:LOW:HIGH (or --lr-min/--lr-max)"
        )
    if "lr" in spaces and rate_options:
        raise click.UsageError(
            f"--space lr=... and {', '.join(rate_options)} both set the learning rates; "
            "give them once"
        )
    if "lr" not in spaces:
        try:
            spaces = {"lr": Interval(lr_min, lr_max, log=True), **spaces}
        except ValueError as error:
            raise click.UsageError(with_option_names(one_line(error), _RATE_OPTIONS)) from None
    return RandomSearch(random, spaces, seed=seed), None


def _parsed(texts: tuple[str, ...], parse, option: str) -> list[tuple[str, object]]:
    """Each ``NAME=...`` parsed, each name once."""
    parsed = []
    for text in texts:
        try:
            parsed.append(parse(text))
        except ValueError as error:  # click says "Invalid value for ...:" already
            message = str(error).removeprefix("Invalid space ")
            raise click.BadParameter(message, param_hint=option) from None
    names = [name for name, _ in parsed]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise click.BadParameter(
            f"{', '.join(repeated)} is given more than once; give all its values in one "
            f"{option} {repeated[0]}=...",
            param_hint=option,
        )
    return parsed


def _default_jobs() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@click.command()
@data_options
@click.option(
    "--optimizers",
    default="SGD,Momentum,RMSprop,Adam",
    show_default=True,
    help="Comma-separated optimizer names; each gets the same search, budget and seeds.",
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
    "--grid",
    multiple=True,
    metavar="NAME=V1,V2,...",
    help="Search these values too (repeatable; every combination): an optimizer argument "
    "(momentum, beta1, beta2, eps, weight_decay, ...; only the optimizers that take it get "
    "it) or a run setting (batch_size, epochs, l2, schedule, clip_norm, patience). "
    "--grid lr=... replaces --lrs.",
)
@click.option(
    "--random",
    type=click.IntRange(min=1, max=1000),
    metavar="N",
    help="A random search of N configurations instead of a grid, drawn from --space "
    "(reproducible from --seed; lr log-uniform in [--lr-min, --lr-max] unless given).",
)
@click.option(
    "--space",
    multiple=True,
    metavar="NAME=[log:]LOW:HIGH",
    help="A range of a random search (repeatable): uniform, log-uniform with log:, or "
    "choices NAME=A,B,C; integers for integer settings (batch_size=log:16:256).",
)
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
    help="Worker processes (with --engine dask and no --address: local dask workers).",
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
    type=click.Choice(["process", "dask"], case_sensitive=False),
    help="Run the jobs in a process pool, or on dask (a local cluster, or --address).",
)
@click.option(
    "--address",
    metavar="tcp://HOST:PORT",
    help="Submit the runs to this dask scheduler (implies --engine dask); results are stored here.",
)
@out_option("optimlab-sweep")
@seed_option
@click.option(
    "--progress/--no-progress",
    default=None,
    help="A progress bar over the finished runs on stderr (default: when stderr is a terminal).",
)
@config_option
@click.pass_context
def sweep(
    ctx,
    optimizers,
    lr_min,
    lr_max,
    per_decade,
    lrs,
    grid,
    random,
    space,
    seeds,
    jobs,
    target_loss,
    store,
    engine,
    address,
    out,
    seed,
    progress,
    **data,
) -> None:
    """Compare optimizers fairly (the protocol of Schneider et al. 2019, DeepOBS) and say
    which to use.

    Every optimizer trains at every configuration of the search (a log-spaced learning-rate
    grid by default; --grid or --random over any optimizer argument or run setting) with
    the first seed and the same budget; each one's best setting (lowest final validation
    loss) is re-run with every seed. Prints the winner, its margin over the runner-up
    against the seed-to-seed spread, and a table with time-to-target; writes a sensitivity
    plot per searched dimension, the loss curves, results.json and a report. Runs are kept
    in a SQLite store: stop the sweep (Ctrl-C) and run the same command again to finish it
    without repeating finished runs.
    """
    from optimlab.lab import engines
    from optimlab.lab.search import plan
    from optimlab.lab.store import RunStore
    from optimlab.lab.sweep import sweep as run_sweep

    names = _names(optimizers)
    search, grid_lrs = _search(ctx, grid, random, space, lr_min, lr_max, per_decade, lrs, seed)
    if target_loss is not None and not math.isfinite(target_loss):
        raise click.BadParameter(
            f"must be a finite loss, got {target_loss}", param_hint="--target-loss"
        )
    if address is not None:
        if engine == "process" and _given(ctx, "engine"):
            raise click.UsageError("--address is a dask scheduler's: use it with --engine dask")
        engine = "dask"
    base = base_spec(seed=seed, **data)
    for name in names:  # an optimizer that cannot train this model, whatever the search
        try:
            dataclasses.replace(base, optimizer=name)
        except ValueError as error:
            message = as_options(one_line(error))
            raise click.BadParameter(message, param_hint="--optimizers") from None
    try:
        searched = plan(search, names, base, grid_lrs, seed)
    except ValueError as error:
        hint = "--random/--space" if random else "--grid" if grid else "--lrs"
        raise click.BadParameter(as_options(one_line(error)), param_hint=hint) from None
    if engine == "dask":
        try:
            engines.import_dask()
        except ImportError as error:
            raise click.BadParameter(str(error), param_hint="--engine") from None
    if progress is None:
        progress = sys.stderr.isatty()
    client = None
    if address is not None:
        try:
            client = engines.connect(address)
        except (ValueError, OSError) as error:
            raise click.BadParameter(one_line(error), param_hint="--address") from None
    try:
        with output_folder(out) as folder:
            store_path = Path(store) if store else folder / "runs.sqlite"
            try:
                run_store = RunStore(store_path)
            except (ValueError, OSError) as error:
                raise click.BadParameter(one_line(error), param_hint="--store") from error
            with run_store:
                tuning = sum(len(specs) for specs in searched.specs.values())
                say(
                    f"sweep: {', '.join(names)}; {searched.describe()}; {tuning} tuning runs, "
                    f"then each optimizer's best setting with {seeds} seed{'s' * (seeds != 1)}; "
                    f"{len(run_store)} runs already in {store_path}"
                    + (f"; on the dask scheduler {address}" if address else "")
                )
                try:
                    result = run_sweep(
                        base,
                        names,
                        grid_lrs,
                        tuple(range(seed, seed + seeds)),
                        search=search,
                        store=run_store,
                        jobs=jobs,
                        progress=progress,
                        target=target_loss,
                        engine=engine,
                        client=client,
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
            _print(result)
            say("writing the plots, results.json and the report ...")
            path = result.write(folder, command=command_line())
    finally:
        if client is not None:
            client.close()
    click.echo(f"Report: {path.resolve()}")


def _print(result) -> None:
    from optimlab.lab.search import shown
    from optimlab.lab.sweep_report import columns

    notes = "".join(f"\nnote: {note}" for note in result.notes)
    show(f"\n{result.verdict.text}{notes}\n")
    click.echo(format_table(result.table(), columns(result)))
    for outcome, run in zip(result.outcomes, result.best_runs):
        setting = ", ".join(f"{name}={shown(value)}" for name, value in outcome.best_setting)
        click.echo(
            f"{run.spec.optimizer} at its best setting ({setting}): "
            f"{run.diagnosis['label']}: {run.diagnosis['remedy']}"
        )
    target = "none" if result.target is None else f"{result.target:.4g}"
    click.echo(
        f"target validation loss {target} ({result.target_source}); "
        f"{result.computed} runs trained now, {result.reused} reused from the store"
    )
