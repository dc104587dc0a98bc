"""Running the guide: the experiments its claims need, through one store, then the verdicts.

`guide` opens (or creates) the store, runs each experiment the chosen claims read (those
already computed come from the store), applies every claim's rule, and returns a
`GuideResult`, which writes the report. Interrupted (Ctrl-C), it leaves every finished run
and trial in the store; the same call resumes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from optimlab import checks
from optimlab.lab.guide.cache import TrialCache
from optimlab.lab.guide.claims import CLAIMS, Claim, claim
from optimlab.lab.guide.context import Context
from optimlab.lab.guide.experiments.registry import EXPERIMENTS
from optimlab.lab.guide.verdict import Finding
from optimlab.lab.output import PYTHON_COMMAND
from optimlab.lab.store import RunStore

DEFAULT_OUT = "optimlab-guide"
STORE_NAME = "guide.sqlite"


@dataclass
class GuideResult:
    """The guide: every chosen claim with its finding, and the measurements behind them.

    Attributes:
        size: ``"quick"`` or ``"full"``.
        seed: the first seed.
        claims: the claims, in the table's order.
        findings: one `Finding` per claim.
        results: ``{experiment name: its results}`` (plain values).
        seconds: the guide's wall time; ``experiment_seconds`` per experiment.
        load: the machine's load average (1 minute) at the start and at the end.
        computed, reused: runs and trials computed now and found in the store.
        store: the store's path.
        jobs: worker processes used.
    """

    size: str
    seed: int
    claims: tuple[Claim, ...]
    findings: tuple[Finding, ...]
    results: dict[str, Any]
    seconds: float
    experiment_seconds: dict[str, float]
    load: tuple[float, float]
    computed: int
    reused: int
    store: Path
    jobs: int
    figures: dict[str, Path] = field(default_factory=dict)

    def verdicts(self) -> dict[str, str]:
        """``{claim id: verdict}``."""
        return {c.id: f.verdict for c, f in zip(self.claims, self.findings)}

    def finding(self, claim_id: str) -> Finding:
        """The finding of one claim, by id."""
        for c, f in zip(self.claims, self.findings):
            if c.id == claim_id:
                return f
        claim(claim_id)  # an unknown id: the error names the valid ones
        raise KeyError(f"claim {claim_id!r} was not in this guide; run it with claims=[...]")

    def reproduce(self, claim_id: str) -> str:
        """The command that reproduces one claim's verdict."""
        quick = " --quick" if self.size == "quick" else ""
        seed = f" --seed {self.seed}" if self.seed else ""
        return f"optimlab guide --claims {claim_id}{quick}{seed}"

    def write(self, folder: str | os.PathLike, *, command: str = PYTHON_COMMAND) -> Path:
        """Write the figures (``figures/*.png``), ``guide.json`` and ``report.html`` into
        ``folder`` (created if missing); return the report's path."""
        from optimlab.lab.guide.report import write_report

        return write_report(self, Path(folder), command)

    def write_markdown(
        self,
        path: str | os.PathLike,
        *,
        command: str = PYTHON_COMMAND,
        notes: Sequence[str] = (),
    ) -> Path:
        """Write the guide as Markdown to ``path``, its figures into ``images/<stem>/``
        beside it (``docs/guide.md``: ``docs/images/guide/``); ``notes`` are paragraphs
        added under "How this guide was made". Returns the path."""
        from optimlab.lab.guide.markdown import write_markdown

        return write_markdown(self, Path(path), command, notes)


def guide(
    out: str | os.PathLike = DEFAULT_OUT,
    *,
    quick: bool = False,
    store: str | os.PathLike | None = None,
    jobs: int = 1,
    seed: int = 0,
    claims: Sequence[str] | None = None,
    progress: bool = False,
    markdown: str | os.PathLike | None = None,
    command: str = PYTHON_COMMAND,
    notify: Callable[[str], None] | None = None,
) -> GuideResult:
    """Test every claim of the table "Choose an algorithm to optimize your model" of the
    article "Deep Learning Optimization Algorithms", and write the report.

    Args:
        out: the folder for ``report.html``, ``guide.json`` and ``figures/`` (created).
        quick: the small version (about a minute) instead of the full one.
        store: the SQLite store of runs and results (default ``out/guide.sqlite``);
            whatever it holds is reused, so a second call trains nothing.
        jobs: worker processes.
        seed: the first seed (experiments use ``seed, seed + 1, ...``).
        claims: claim ids to test (default: all; see `optimlab.lab.guide.CLAIMS`); only
            their experiments run.
        progress: a progress bar over the experiments.
        markdown: also write the guide as Markdown there (figures beside it, in
            ``images/<its stem>/``).
        command: the command the report records.
        notify: receives messages for the user (which experiment runs).

    Returns:
        The `GuideResult` (already written to ``out``).

    Raises:
        ValueError: a bad argument (before any work); KeyboardInterrupt: re-raised after
            keeping every finished run in the store.
    """
    quick = checks.flag("quick", quick)
    jobs = checks.integer("jobs", jobs, low=1)
    seed = checks.integer("seed", seed, low=0)
    progress = checks.flag("progress", progress)
    chosen = _chosen(claims)
    for name, path in (("out", out), ("store", store), ("markdown", markdown)):
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise checks.ArgumentTypeError(
                f"Invalid {name}: {name} must be a path, got {type(path).__name__}"
            )
    if markdown is not None and Path(markdown).suffix.lower() != ".md":
        raise ValueError(f"Invalid markdown: {str(markdown)!r}; give a file name ending in .md")
    out = Path(out)
    store_path = Path(store) if store is not None else out / STORE_NAME
    names = [n for n in EXPERIMENTS if any(n in c.experiments for c in chosen)]
    say = notify or (lambda message: None)
    started, load_start = time.perf_counter(), os.getloadavg()[0]
    with RunStore(store_path) as run_store:
        cache = TrialCache(store_path)
        try:
            ctx = Context("quick" if quick else "full", seed, jobs, run_store, cache, say)
            results, seconds = {}, {}
            bar = tqdm(names, desc="guide", unit="experiment", disable=not progress)
            for name in bar:
                module = EXPERIMENTS[name]
                bar.set_postfix_str(name, refresh=True)
                say(f"{module.TITLE} ...")
                begin = time.perf_counter()
                results[name] = module.run(ctx)
                seconds[name] = time.perf_counter() - begin
            bar.close()
        finally:
            cache.close()
    findings = tuple(c.judge(results) for c in chosen)
    result = GuideResult(
        size=ctx.size,
        seed=seed,
        claims=chosen,
        findings=findings,
        results=results,
        seconds=time.perf_counter() - started,
        experiment_seconds=seconds,
        load=(load_start, os.getloadavg()[0]),
        computed=ctx.computed,
        reused=ctx.reused,
        store=store_path,
        jobs=jobs,
    )
    result.write(out, command=command)
    if markdown is not None:
        result.write_markdown(markdown, command=command)
    return result


def _chosen(claims: Sequence[str] | None) -> tuple[Claim, ...]:
    if claims is None:
        return CLAIMS
    if isinstance(claims, str) or not isinstance(claims, Sequence) or not claims:
        raise checks.ArgumentTypeError(
            f"Invalid claims: claims must be a non-empty list of claim ids, got {claims!r}"
        )
    wanted = {claim(c).id for c in claims}
    return tuple(c for c in CLAIMS if c.id in wanted)
