"""``optimlab guide``: option parsing and printing around `optimlab.lab.guide`."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from optimlab.cli._common import (
    comma_separated,
    command_line,
    interrupted,
    one_line,
    out_option,
    output_folder,
    say,
    seed_option,
    show,
)
from optimlab.cli._config import config_option
from optimlab.cli._table import format_table


def _usable_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _claim_ids(text: str | None) -> list[str] | None:
    from optimlab.lab.guide.claims import claim

    if text is None:
        return None
    ids = comma_separated(text, "--claims", "claim id (see --list)")
    try:
        return [claim(i).id for i in ids]
    except ValueError as error:
        raise click.BadParameter(one_line(error), param_hint="--claims") from None


def _list_claims() -> None:
    from optimlab.lab.guide.claims import CLAIMS

    rows = [
        {"id": c.id, "algorithm": c.algorithm, "column": c.column, "claim": c.text} for c in CLAIMS
    ]
    click.echo(format_table(rows, ["id", "algorithm", "column", "claim"]))


@click.command()
@click.option(
    "--quick",
    is_flag=True,
    help="The small guide (under a minute) instead of the full one (a few minutes).",
)
@click.option(
    "--claims",
    help="Comma-separated claim ids to test (default: every claim of the table); see --list.",
)
@click.option("--list", "list_only", is_flag=True, help="List the claims and their ids, then stop.")
@out_option("optimlab-guide")
@click.option(
    "--store",
    type=click.Path(dir_okay=False),
    help="SQLite store of runs and results (default OUT/guide.sqlite); what it holds is reused.",
)
@click.option(
    "--markdown",
    type=click.Path(dir_okay=False),
    help="Also write the guide as Markdown to this file, its figures in images/<name>/ beside it.",
)
@click.option(
    "--jobs",
    default=_usable_cores,
    show_default="the usable cores",
    type=click.IntRange(min=1),
    help="Worker processes.",
)
@seed_option
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Show a progress bar [default: when stderr is a terminal].",
)
@config_option
def guide(quick, claims, list_only, out, store, markdown, jobs, seed, progress) -> None:
    """Test every claim of a course's "which optimizer when" table, and give each a verdict.

    The table "Choose an algorithm to optimize your model" of the article "Deep Learning
    Optimization Algorithms" lists, for gradient descent, SGD, mini-batch gradient descent,
    AdaGrad, RMSprop, AdaDelta and Adam, their pros, cons and when to use them. Each claim
    gets an experiment on optimlab's own tasks (optimizers tuned by the fair protocol,
    several seeds) and a verdict by a written rule: supported, not supported, or depends on
    something. Writes report.html, guide.json and the figures; runs are kept in a store, so
    a second run (or one stopped with Ctrl-C and started again) computes only what is
    missing.
    """
    from optimlab.lab import engines
    from optimlab.lab.guide.runner import guide as run_guide
    from optimlab.lab.store import RunStore

    if list_only:
        _list_claims()
        return
    ids = _claim_ids(claims)
    if markdown is not None and Path(markdown).suffix.lower() != ".md":
        raise click.BadParameter(f"must end with .md, got {markdown!r}", param_hint="--markdown")
    if progress is None:
        progress = sys.stderr.isatty()
    started = time.perf_counter()
    with output_folder(out) as folder:
        store_path = Path(store) if store else folder / "guide.sqlite"
        try:
            RunStore(store_path).close()
        except (ValueError, OSError) as error:
            raise click.BadParameter(one_line(error), param_hint="--store") from error
        size = "quick" if quick else "full"
        count = "every claim" if ids is None else f"{len(ids)} claim(s)"
        say(f"guide ({size}): {count} of the table; store {store_path}")
        try:
            result = run_guide(
                folder,
                quick=quick,
                store=store_path,
                jobs=jobs,
                seed=seed,
                claims=ids,
                progress=progress,
                markdown=markdown,
                command=command_line(),
                notify=say,
            )
        except KeyboardInterrupt as interrupt:
            interrupted.handled()
            terminated = isinstance(interrupt, engines.Terminated)
            say(
                f"\n{'terminated' if terminated else 'interrupted'}: every finished run is kept "
                f"in {store_path}; run the same command again to continue where it stopped"
            )
            raise SystemExit(143 if terminated else 130) from None
        except (ValueError, TypeError, OSError) as error:
            raise click.ClickException(one_line(error)) from error
    rows = [
        {"algorithm": c.algorithm, "column": c.column, "claim": c.text, "verdict": f.verdict}
        for c, f in zip(result.claims, result.findings)
    ]
    show(format_table(rows, ["algorithm", "column", "claim", "verdict"]))
    click.echo(
        f"\n{result.computed} runs and trials computed now, {result.reused} reused from the "
        f"store (claims that share a run count it once as computed, then as reused); "
        f"{time.perf_counter() - started:.0f} s"
    )
    if markdown is not None:
        click.echo(f"Markdown: {Path(markdown).resolve()}")
    click.echo(f"Report: {(folder / 'report.html').resolve()}")
