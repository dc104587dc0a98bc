"""A fair comparison of optimizers, following the protocol of Schneider et al. 2019 (DeepOBS),
resumable through a store.

1. Tuning: every optimizer runs at every configuration of the search (by default a
   log-spaced learning-rate grid; a grid or a random search over any optimizer argument or
   run setting, see `optimlab.lab.search`), with the first seed and the same budget for all.
2. Each optimizer's best setting is the configuration with the lowest final validation loss
   (diverged runs rank last).
3. The best setting is re-run with every seed (the first seed's run is reused).
4. Per optimizer: the sensitivity along each searched dimension, the mean and spread over
   seeds of the final validation loss and metric, and the time to reach a target
   validation loss; the winner, its margin over the runner-up, and whether that margin
   exceeds the seed-to-seed spread.

Every run goes through a `RunStore`: a run whose key is stored is never run again, and each
result is stored as soon as it arrives, so an interrupted sweep started again loses nothing
and repeats nothing. The runs are executed by one of `optimlab.lab.engines` (in this process,
a process pool, or dask).
"""

from __future__ import annotations

__all__ = [
    "DEFAULT_HIGH",
    "DEFAULT_LOW",
    "DEFAULT_PER_DECADE",
    "PROTOCOL",
    "TARGET_FACTOR",
    "Grid",
    "Interval",
    "OptimizerOutcome",
    "RandomSearch",
    "SweepResult",
    "TimeToTarget",
    "TuningPoint",
    "Verdict",
    "decide",
    "lr_grid",
    "sweep",
    "time_to_target",
]

import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from tqdm.auto import tqdm

from optimlab import checks, optim
from optimlab.lab import engines
from optimlab.lab.diagnosis import diagnose
from optimlab.lab.diagnosis.remedies import beyond_grid
from optimlab.lab.experiment import (
    RunResult,
    RunSpec,
    check_task,
    iterations_per_epoch,
    run,
    run_context,
)
from optimlab.lab.optimizer_spec import optimizer_name
from optimlab.lab.output import PYTHON_COMMAND
from optimlab.lab.search import (
    DEFAULT_HIGH,
    DEFAULT_LOW,
    DEFAULT_PER_DECADE,
    MAX_CONFIGURATIONS,
    Grid,
    Interval,
    RandomSearch,
    SearchPlan,
    lr_grid,
    plan,
)
from optimlab.lab.store import RunStore, json_safe
from optimlab.train import History

#: The default target validation loss is this factor times the winner's mean final loss.
TARGET_FACTOR = 1.1
ENGINES = engines.ENGINES
PROTOCOL = (
    "Schneider et al. 2019 (DeepOBS): every configuration of the search on the first seed, "
    "each optimizer's best setting re-run on every seed"
)
#: Errors that make a run count as failed (diverged) instead of stopping the sweep.
NUMERICAL_FAILURES = (np.linalg.LinAlgError, FloatingPointError, OverflowError)


class TimeToTarget(NamedTuple):
    """When a run first reached the target validation loss."""

    epoch: int  # 1-based: the epoch at whose end the validation loss was <= target
    iterations: int  # updates made by then
    seconds: float  # training time by then


def time_to_target(
    history: History, target: float, iterations_per_epoch: int
) -> TimeToTarget | None:
    """The first epoch whose validation loss is at most ``target``, as epochs, iterations
    (``epoch * iterations_per_epoch``; the recorded count for a diverged run's last, partial
    epoch) and seconds (``history.epoch_time`` at that epoch); None if never reached."""
    if not (isinstance(target, (int, float)) and math.isfinite(target)):
        raise ValueError(f"Invalid target: {target!r}; it must be a finite validation loss")
    if (
        isinstance(iterations_per_epoch, bool)
        or not isinstance(iterations_per_epoch, (int, np.integer))
        or iterations_per_epoch < 1
    ):
        raise ValueError(
            f"Invalid iterations_per_epoch: {iterations_per_epoch!r}; it must be an integer >= 1"
        )
    for index, loss in enumerate(history.epoch_val_loss):
        if math.isfinite(loss) and loss <= target:
            epoch = index + 1
            iterations = epoch * int(iterations_per_epoch)
            if history.diverged and epoch == history.epochs:
                iterations = history.iterations
            return TimeToTarget(epoch, iterations, float(history.epoch_time[index]))
    return None


@dataclass(frozen=True)
class Verdict:
    """Who won, by how much, and whether the margin is larger than the seed-to-seed spread.

    ``margin`` is the runner-up's mean final validation loss minus the winner's; ``spread``
    the larger of their two standard deviations over seeds; ``clear`` is ``margin > spread``
    (None when it cannot be judged: one seed, or no runner-up).
    """

    winner: str | None
    runner_up: str | None
    margin: float | None
    spread: float | None
    clear: bool | None
    text: str


def decide(means: Mapping[str, float], stds: Mapping[str, float], n_seeds: int) -> Verdict:
    """The `Verdict` from each optimizer's mean and standard deviation of the final
    validation loss over ``n_seeds`` seeds (inf for an optimizer with a diverged seed)."""
    ranked = sorted(means, key=lambda name: means[name])  # stable: ties keep the given order
    if not ranked or not math.isfinite(means[ranked[0]]):
        return Verdict(None, None, None, None, None, "no winner: every optimizer diverged")
    winner = ranked[0]
    if len(ranked) == 1:
        return Verdict(winner, None, None, None, None, f"{winner} is the only optimizer compared")
    runner_up = ranked[1]
    margin = means[runner_up] - means[winner]
    if not math.isfinite(margin):
        text = f"{winner} wins: every other optimizer diverged at its best learning rate"
        return Verdict(winner, runner_up, margin, None, True, text)
    spread = max(stds[winner], stds[runner_up])
    lead = f"{winner} beats {runner_up} by {margin:.4g} in mean final validation loss"
    if n_seeds < 2:
        text = f"{lead}, on one seed: the seed-to-seed spread is unknown (use more seeds)"
        return Verdict(winner, runner_up, margin, None, None, text)
    if margin > spread:
        text = f"{lead}, more than the seed-to-seed spread ({spread:.4g})"
        return Verdict(winner, runner_up, margin, spread, True, text)
    text = f"{lead}: within noise (the seed-to-seed spread is {spread:.4g})"
    return Verdict(winner, runner_up, margin, spread, False, text)


@dataclass(frozen=True)
class TuningPoint:
    """One tuning run: its searched setting and final validation numbers."""

    lr: float
    val_loss: float  # final validation loss as recorded (NaN if none)
    val_metric: float
    diverged: bool
    key: str
    #: The searched values that applied to this optimizer, lr included, as (name, value).
    setting: tuple[tuple[str, Any], ...] = ()

    @property
    def rank_loss(self) -> float:
        """The loss the best setting is chosen by: inf for a diverged or non-finite run."""
        return self.val_loss if not self.diverged and math.isfinite(self.val_loss) else math.inf


@dataclass(frozen=True)
class OptimizerOutcome:
    """One optimizer's part of a sweep: its tuning runs, best setting and that setting's
    seeds."""

    optimizer: str
    curve: tuple[TuningPoint, ...]  # its tuning runs, sorted by learning rate
    best_lr: float  # the rate (Newton: the step length) its best tuning run used
    seed_keys: tuple[str, ...]
    val_losses: tuple[float, ...]  # per seed, inf where the run diverged
    val_metrics: tuple[float, ...]  # per seed, as recorded
    seconds: tuple[float, ...]  # per seed, training time
    to_target: tuple[TimeToTarget | None, ...]  # per seed
    #: The best tuning run's searched values, lr included, as (name, value).
    best_setting: tuple[tuple[str, Any], ...] = ()

    @property
    def val_loss_mean(self) -> float:
        return float(np.mean(self.val_losses))

    @property
    def val_loss_std(self) -> float | None:
        """Sample standard deviation over seeds (None for one seed: unknown; NaN if one
        diverged)."""
        return _std(self.val_losses) if len(self.val_losses) > 1 else None

    @property
    def val_metric_mean(self) -> float:
        return float(np.mean(self.val_metrics))

    @property
    def val_metric_std(self) -> float | None:
        """As `val_loss_std`, of the metric."""
        return _std(self.val_metrics) if len(self.val_metrics) > 1 else None

    @property
    def diverged_seeds(self) -> int:
        return sum(not math.isfinite(loss) for loss in self.val_losses)

    @property
    def reached(self) -> list[TimeToTarget]:
        """The times to target of the random seeds that reached it."""
        return [t for t in self.to_target if t is not None]

    @property
    def iterations_to_target(self) -> float | None:
        """Mean over the random seeds that reached the target (None if none did)."""
        reached = self.reached
        return float(np.mean([t.iterations for t in reached])) if reached else None

    @property
    def seconds_to_target(self) -> float | None:
        """Mean over the random seeds that reached the target (None if none did)."""
        reached = self.reached
        return float(np.mean([t.seconds for t in reached])) if reached else None


@dataclass(frozen=True)
class SweepResult:
    """The outcome of `sweep`: one `OptimizerOutcome` per optimizer and the `Verdict`."""

    base: RunSpec
    lrs: tuple[float, ...]  # every learning rate searched, sorted
    seeds: tuple[int, ...]
    outcomes: tuple[OptimizerOutcome, ...]  # in the order the optimizers were given
    verdict: Verdict
    target: float | None
    target_source: str
    iterations_per_epoch: int
    metric: str
    computed: int  # runs trained by this call
    reused: int  # runs found in the store
    #: Each optimizer's run at its best setting with the first seed (history and
    #: diagnosis), in the order of ``outcomes``.
    best_runs: tuple[RunResult, ...] = field(default=(), compare=False, repr=False)
    #: What was searched: the dimensions, whom each applied to, the configurations.
    search: SearchPlan | None = field(default=None, compare=False, repr=False)

    def outcome(self, optimizer: str) -> OptimizerOutcome:
        """The outcome of one optimizer, by name."""
        for outcome in self.outcomes:
            if outcome.optimizer == optimizer:
                return outcome
        names = ", ".join(o.optimizer for o in self.outcomes)
        raise KeyError(f"{optimizer!r} was not in this sweep; it compared {names}")

    def best_run(self, optimizer: str) -> RunResult:
        """One optimizer's run at its best setting with the first seed, by name."""
        self.outcome(optimizer)  # a KeyError naming the optimizers for an unknown one
        return next(r for r in self.best_runs if r.spec.optimizer == optimizer)

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The searched names, ``lr`` first."""
        return ("lr",) if self.search is None else self.search.names

    @property
    def notes(self) -> tuple[str, ...]:
        """Warnings about the choice: optimizers whose best rate is the smallest or the
        largest of the rates searched for them (the best may lie beyond), one per edge; none
        for an optimizer whose best run's diagnosis blames the model or the data (no rate
        can help it)."""
        causes = {run.spec.optimizer: run.diagnosis.get("cause") for run in self.best_runs}
        edges: dict[tuple[str, float], list[str]] = {}
        for outcome in self.outcomes:
            rates = self.lrs if self.search is None else _rates_of(self.search, outcome.optimizer)
            if len(rates) < 2 or not math.isfinite(outcome.val_loss_mean):
                continue
            if causes.get(outcome.optimizer) in ("model", "data"):
                continue
            for side, edge in (("lowest", rates[0]), ("highest", rates[-1])):
                if math.isclose(outcome.best_lr, edge, rel_tol=1e-9):
                    edges.setdefault((side, edge), []).append(f"{outcome.optimizer}'s")
        listed = self.search is None or self.search.kind == "grid"
        notes = []
        for (side, edge), names in edges.items():
            owners = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
            tried = "smallest" if side == "lowest" else "largest"
            notes.append(
                f"{owners} best rate is the {tried} tried ({edge:.3g}): the best may lie "
                f"beyond; {beyond_grid(side, edge, listed)}."
            )
        return tuple(notes)

    def write(self, folder: str | os.PathLike, *, command: str = PYTHON_COMMAND) -> Path:
        """Write ``results.json``, ``report.html`` (which records ``command``), the best runs'
        ``val_loss.png`` and a sensitivity figure per searched dimension
        (``sensitivity.png`` for the learning rate, ``sensitivity_NAME.png`` for the others)
        into ``folder`` (created if missing); return the report's path. See
        `optimlab.lab.sweep_report`."""
        from optimlab.lab.sweep_report import write_sweep

        return write_sweep(self, folder, command=command)

    def table(self) -> list[dict[str, Any]]:
        """One row per optimizer, best first (by mean final validation loss): the best
        setting (``best_lr``, and ``best_NAME`` for each other searched name, None where it
        does not apply), the final validation loss and metric over seeds, time to target."""
        ranked = sorted(self.outcomes, key=lambda o: o.val_loss_mean)
        best = ranked[0].val_loss_mean
        others = [name for name in self.dimensions if name != "lr"]
        rows = []
        for rank, o in enumerate(ranked, start=1):
            setting = dict(o.best_setting)
            rows.append(
                {
                    "rank": rank,
                    "optimizer": o.optimizer,
                    "best_lr": o.best_lr,
                    **{f"best_{name}": setting.get(name) for name in others},
                    "val_loss_mean": o.val_loss_mean,
                    "val_loss_std": o.val_loss_std,
                    "gap_to_best": o.val_loss_mean - best if math.isfinite(best) else None,
                    f"val_{self.metric}_mean": o.val_metric_mean,
                    f"val_{self.metric}_std": o.val_metric_std,
                    "diverged_seeds": o.diverged_seeds,
                    "target_reached": f"{len(o.reached)}/{len(o.to_target)}",
                    "iterations_to_target": o.iterations_to_target,
                    "seconds_to_target": o.seconds_to_target,
                    "seconds_per_run": float(np.mean(o.seconds)),
                }
            )
        return rows

    def sensitivity(self) -> list[dict[str, Any]]:
        """One row per tuning run: optimizer, each searched value (None where it does not
        apply), final validation loss and metric, whether it diverged and whether it is the
        optimizer's chosen setting."""
        rows = []
        for o in self.outcomes:
            for point in o.curve:
                setting = dict(point.setting) or {"lr": point.lr}
                rows.append(
                    {
                        "optimizer": o.optimizer,
                        **{name: setting.get(name) for name in self.dimensions},
                        "val_loss": point.val_loss,
                        f"val_{self.metric}": point.val_metric,
                        "diverged": point.diverged,
                        "best": point.key == o.seed_keys[0],
                        "key": point.key,
                    }
                )
        return rows

    def sensitivity_along(self, name: str) -> dict[str, list[tuple[Any, float]]]:
        """``{optimizer: [(value, loss), ...]}`` along one searched dimension, for the
        optimizers it applies to: at each value, the lowest final validation loss of the
        tuning runs with that value (the other searched dimensions at their best for it;
        inf if they all diverged). Values in the dimension's order (numbers ascending)."""
        if name not in self.dimensions:
            raise KeyError(f"{name!r} was not searched; searched: {', '.join(self.dimensions)}")
        along: dict[str, list[tuple[Any, float]]] = {}
        for o in self.outcomes:
            best: dict[Any, float] = {}
            for point in o.curve:
                setting = dict(point.setting) or {"lr": point.lr}
                if name in setting:
                    value = setting[name]
                    best[value] = min(best.get(value, math.inf), point.rank_loss)
            if best:
                order = sorted(best) if self.search is None else self.search.dimension(name).values
                along[o.optimizer] = [(value, best[value]) for value in order if value in best]
        return along

    def curves(self) -> dict[str, list[tuple[float, float]]]:
        """``{optimizer: [(lr, final val loss or inf if diverged), ...]}``: the sensitivity
        along the learning rate (`sensitivity_along`), the input of
        `optimlab.viz.plot_lr_sweep`."""
        return self.sensitivity_along("lr")

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-safe values (non-finite numbers become None)."""
        verdict = self.verdict
        return json_safe(
            {
                "protocol": PROTOCOL,
                "base": self.base.to_dict(),
                "search": None if self.search is None else self.search.to_dict(),
                "lrs": list(self.lrs),
                "seeds": list(self.seeds),
                "metric": self.metric,
                "iterations_per_epoch": self.iterations_per_epoch,
                "target": self.target,
                "target_source": self.target_source,
                "verdict": {
                    "winner": verdict.winner,
                    "runner_up": verdict.runner_up,
                    "margin": verdict.margin,
                    "spread": verdict.spread,
                    "clear": verdict.clear,
                    "text": verdict.text,
                },
                "notes": list(self.notes),
                "table": self.table(),
                "sensitivity": self.sensitivity(),
                "sensitivity_by_dimension": {
                    name: {
                        optimizer: [[value, loss] for value, loss in points]
                        for optimizer, points in self.sensitivity_along(name).items()
                    }
                    for name in self.dimensions
                },
                "seed_runs": {
                    o.optimizer: [
                        {
                            "seed": seed,
                            "key": key,
                            "val_loss": loss,
                            f"val_{self.metric}": metric,
                            "seconds": seconds,
                            "to_target": None if t is None else t._asdict(),
                        }
                        for seed, key, loss, metric, seconds, t in zip(
                            self.seeds,
                            o.seed_keys,
                            o.val_losses,
                            o.val_metrics,
                            o.seconds,
                            o.to_target,
                        )
                    ]
                    for o in self.outcomes
                },
                "runs": {"computed": self.computed, "reused_from_store": self.reused},
            }
        )


def sweep(
    base: RunSpec,
    optimizers: Sequence[str],
    lrs: Sequence[float] | None = None,
    seeds: Sequence[int] = (0, 1, 2),
    *,
    search: Grid | RandomSearch | Mapping[str, Sequence[Any]] | None = None,
    store: RunStore | str | os.PathLike,
    jobs: int = 1,
    progress: bool = False,
    target: float | None = None,
    engine: str = "process",
    client: Any = None,
    notify: Callable[[str], None] | None = None,
) -> SweepResult:
    """Compare optimizers fairly (the protocol of Schneider et al. 2019, DeepOBS; see the
    module docstring).

    Args:
        base: the run every optimizer gets (data and model, or a torch task; budget,
            schedule, clipping); its ``optimizer``, ``lr``, ``seed`` and the searched
            settings are replaced by the sweep's.
        optimizers: `optimlab.optim` class names, e.g. ``["SGD", "Adam"]``.
        lrs: the learning-rate grid (default: `lr_grid()`, 1e-5 to 1e2, 3 per decade),
            unless ``search`` gives ``lr``.
        seeds: ``seeds[0]`` tunes; the best setting is run with all of them.
        search: what else to search (`optimlab.lab.search`): a `Grid` (or a mapping
            ``{name: [values]}``), e.g. ``{"momentum": [0, 0.9], "batch_size": [16, 64]}``,
            or a `RandomSearch`. A name is ``lr``, an argument an optimizer declares (only
            the optimizers that declare it get it; ``beta1``/``beta2`` for ``betas``) or a
            run setting (`optimlab.lab.search.RUN_SETTINGS`). None: the learning rate alone.
        store: a `RunStore` or the path of one (opened and closed here). Stored runs are
            reused; new ones are stored as each finishes.
        jobs: worker processes (1: run in this process).
        progress: show a progress bar over the runs (those found in the store count as done).
        target: the validation loss for time-to-target (default: `TARGET_FACTOR` times the
            winner's mean final validation loss).
        engine: ``"process"`` (a process pool of ``jobs`` workers) or ``"dask"`` (a
            dask.distributed ``client``, or a local cluster of ``jobs`` workers).
        client: a ``dask.distributed.Client`` for ``engine="dask"``, e.g. connected to a
            scheduler elsewhere (`optimlab.lab.engines.connect`); it stays open.
        notify: receives messages for the user while the sweep runs (what an interruption
            waits for).

    Every configuration is checked (names, values, size) before any run. Each optimizer's
    best run is diagnosed knowing where its rate sits among the rates searched.

    Returns:
        The `SweepResult`.

    Raises:
        KeyboardInterrupt: re-raised after pending runs are cancelled; every finished run
            is in the store, and the same call resumes from there.
    """
    names = _check_optimizers(optimizers)
    seeds = _check_seeds(seeds)
    _check_settings(base, jobs, progress, target, engine, client)
    checked_lrs = None if lrs is None else _check_lrs(lrs)
    plan_ = plan(search, names, base, checked_lrs, seeds[0])
    check_task(replace(base, seed=seeds[0]))
    owned = not isinstance(store, RunStore)
    run_store = RunStore(store) if owned else store
    try:
        per_epoch = iterations_per_epoch(replace(base, seed=seeds[0]))
        total = sum(len(s) for s in plan_.specs.values()) + len(names) * (len(seeds) - 1)
        with _Runner(
            run_store, engines.make(engine, jobs, client, notify), progress, total
        ) as runner:
            runner.run_all([spec for specs in plan_.specs.values() for spec in specs])
            curves = {name: _curve(plan_, name, run_store) for name in names}
            finals = {
                name: [replace(_chosen(plan_, name, curves[name]), seed=s) for s in seeds]
                for name in names
            }
            runner.run_all([spec for specs in finals.values() for spec in specs])
        seed_results = {name: run_store.results(specs) for name, specs in finals.items()}
        return _summarise(base, plan_, seeds, curves, seed_results, target, per_epoch, runner)
    finally:
        if owned:
            run_store.close()


def _summarise(
    base: RunSpec,
    plan_: SearchPlan,
    seeds: tuple[int, ...],
    curves: dict[str, tuple[TuningPoint, ...]],
    seed_results: dict[str, list[RunResult]],
    target: float | None,
    per_epoch: int,
    runner: _Runner,
) -> SweepResult:
    """Statistics over seeds, the verdict and time-to-target, from the stored runs."""
    losses = {
        name: tuple(_point(r).rank_loss for r in results) for name, results in seed_results.items()
    }
    means = {name: float(np.mean(values)) for name, values in losses.items()}
    stds = {name: _std(values) for name, values in losses.items()}
    verdict = decide(means, stds, len(seeds))
    if target is not None:
        source = "given"
    elif verdict.winner is not None:
        target = TARGET_FACTOR * means[verdict.winner]
        source = f"{TARGET_FACTOR} x the winner's ({verdict.winner}) mean final validation loss"
    else:
        source = "none: every optimizer diverged"
    outcomes = []
    for name, results in seed_results.items():
        best_key = results[0].spec.key()
        outcomes.append(
            OptimizerOutcome(
                optimizer=name,
                curve=curves[name],
                best_lr=results[0].spec.lr,
                seed_keys=tuple(r.spec.key() for r in results),
                val_losses=losses[name],
                val_metrics=tuple(_point(r).val_metric for r in results),
                seconds=tuple(float(r.seconds) for r in results),
                to_target=tuple(
                    None if target is None else time_to_target(r.history, target, per_epoch)
                    for r in results
                ),
                best_setting=next(p.setting for p in curves[name] if p.key == best_key),
            )
        )
    metric = next(
        (r.history.metric for rs in seed_results.values() for r in rs if r.history.metric), ""
    )
    return SweepResult(
        base=base,
        lrs=plan_.dimension("lr").values,
        seeds=seeds,
        outcomes=tuple(outcomes),
        verdict=verdict,
        target=target,
        target_source=source,
        iterations_per_epoch=per_epoch,
        metric=metric,
        computed=runner.computed,
        reused=runner.reused,
        best_runs=tuple(
            _diagnosed(results[0], _rates_of(plan_, name)) for name, results in seed_results.items()
        ),
        search=plan_,
    )


def _rates_of(plan_: SearchPlan, optimizer: str) -> tuple[float, ...]:
    """The learning rates searched for one optimizer, sorted."""
    return tuple(sorted({setting["lr"] for setting in plan_.configurations[optimizer]}))


def _diagnosed(result: RunResult, grid: tuple[float, ...]) -> RunResult:
    """The run with its diagnosis made knowing the rates searched (so that a rate at the
    edge is told to extend the search, not to move past it)."""
    context = run_context(result.spec, lr_grid=grid)
    return replace(result, diagnosis=diagnose(result.history, context).to_dict())


def _point(result: RunResult, setting: Mapping[str, Any] | None = None) -> TuningPoint:
    final = result.history.final()
    return TuningPoint(
        lr=result.spec.lr,
        val_loss=math.nan if final["val_loss"] is None else float(final["val_loss"]),
        val_metric=math.nan if final["val_metric"] is None else float(final["val_metric"]),
        diverged=result.history.diverged,
        key=result.spec.key(),
        setting=tuple((setting or {}).items()),
    )


def _curve(plan_: SearchPlan, optimizer: str, store: RunStore) -> tuple[TuningPoint, ...]:
    """The optimizer's tuning runs from the store, sorted by learning rate (then in search
    order)."""
    specs = plan_.specs[optimizer]
    results = store.results(list(specs))
    points = [
        _point(result, setting) for result, setting in zip(results, plan_.configurations[optimizer])
    ]
    return tuple(sorted(points, key=lambda p: p.lr))


def _chosen(plan_: SearchPlan, optimizer: str, curve: tuple[TuningPoint, ...]) -> RunSpec:
    """The tuning spec with the lowest final validation loss (diverged last, then the
    smaller rate, then the earlier configuration)."""
    best = min(curve, key=lambda p: (p.rank_loss, p.lr))  # min keeps the first of ties
    return next(spec for spec in plan_.specs[optimizer] if spec.key() == best.key)


def _std(values: Sequence[float]) -> float:
    """Sample standard deviation (ddof=1); 0 for one value, NaN if a value is not finite."""
    if not all(math.isfinite(v) for v in values):
        return math.nan
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


class _Runner:
    """Runs the specs the store lacks, storing each result as it arrives (each key once),
    with a bar over the finished runs."""

    def __init__(self, store: RunStore, engine: engines.Engine, progress: bool, total: int) -> None:
        self.store = store
        self.computed = 0
        self.reused = 0
        self.seen: set[str] = set()
        self.engine = engine
        self.bar = tqdm(total=total, desc="sweep", unit="run", disable=not progress)

    def __enter__(self) -> _Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        self.bar.close()
        self.engine.close(wait=kind is None)

    def run_all(self, specs: list[RunSpec]) -> None:
        """Run every spec not yet stored (each key once)."""
        pending: dict[str, RunSpec] = {}
        for spec in specs:
            key = spec.key()
            if key in self.seen:  # already run or counted in this sweep
                continue
            self.seen.add(key)
            if self.store.has(key):
                self.reused += 1
                self.bar.update(1)
            else:
                pending[key] = spec
        self.bar.set_postfix(from_store=self.reused, refresh=False)
        if pending:
            self.engine.run(_run_one, list(pending.values()), self._keep)

    def _keep(self, result: RunResult) -> None:
        """Store a result unless its key is stored (a run an engine repeated after losing a
        worker is stored once)."""
        if self.store.has(result.spec.key()):
            return
        self.store.put(result)
        self.computed += 1
        self.bar.update(1)


def _run_one(spec: RunSpec) -> RunResult:
    """One run (module-level so that worker processes can receive it). A numerical failure
    (e.g. Newton's singular Hessian) is a failed run, stored as diverged with the error as its
    message and no epochs, so that it ranks last and is not retried on resuming."""
    start = time.perf_counter()
    try:
        return run(spec)
    except NUMERICAL_FAILURES as error:
        message = f"the run failed: {type(error).__name__}: {error}"
        history = History(stop_reason="diverged", message=message)
        diagnosis = diagnose(history, run_context(spec)).to_dict()
        return RunResult(spec, history, time.perf_counter() - start, diagnosis)


def _check_lrs(lrs: Sequence[float]) -> list[float]:
    if isinstance(lrs, (str, bytes)) or not isinstance(lrs, Sequence) or len(lrs) == 0:
        raise ValueError(f"lrs must be a non-empty list of learning rates, got {lrs!r}")
    for lr in lrs:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not 0 < lr < math.inf:
            raise ValueError(
                f"Invalid learning rate in lrs: {lr!r}; each must be a finite number > 0"
            )
    rates = sorted({float(lr) for lr in lrs})
    if len(rates) > MAX_CONFIGURATIONS:
        raise ValueError(
            f"lrs has {len(rates)} rates; at most {MAX_CONFIGURATIONS}: give fewer rates"
        )
    return rates


def _check_optimizers(optimizers: Sequence[str]) -> list[str]:
    valid = ", ".join(optim.OPTIMIZERS)
    if isinstance(optimizers, str) or not isinstance(optimizers, Sequence) or not optimizers:
        raise ValueError(f"optimizers must be a non-empty list of names from: {valid}")
    names = []
    for name in optimizers:
        try:
            names.append(optimizer_name(name))  # in any case, kept as declared
        except ValueError:
            near = checks.closest(str(name), optim.OPTIMIZERS)
            hint = f"; did you mean {near!r}?" if near is not None else ""
            raise ValueError(f"unknown optimizer {name!r}; choose from {valid}{hint}") from None
    if len(set(names)) != len(names):
        raise ValueError(f"optimizers has duplicates: {list(optimizers)}; name each once")
    return names


def _check_seeds(seeds: Sequence[int]) -> tuple[int, ...]:
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence) or len(seeds) == 0:
        raise ValueError(f"seeds must be a non-empty list of integers, got {seeds!r}")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"Invalid seed in seeds: {seed!r}; each must be an integer >= 0")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds has duplicates: {list(seeds)}; give distinct seeds")
    return tuple(int(s) for s in seeds)


def _check_settings(
    base: RunSpec, jobs: int, progress: bool, target: float | None, engine: str, client: Any
) -> None:
    if not isinstance(base, RunSpec):
        raise ValueError(f"base must be a RunSpec, got {type(base).__name__}")
    if "lr" in dict(base.options):
        raise ValueError(
            "base.options sets lr, which would override the sweep's learning rates; remove it"
        )
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"Invalid jobs: {jobs!r}; it must be an integer >= 1")
    if not isinstance(progress, bool):
        raise ValueError(f"Invalid progress: {progress!r}; it must be True or False")
    if target is not None and (
        isinstance(target, bool)
        or not isinstance(target, (int, float))
        or not math.isfinite(target)
    ):
        raise ValueError(f"Invalid target: {target!r}; it must be a finite validation loss or None")
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if client is not None and engine != "dask":
        raise ValueError('a client is only used with engine="dask"')
    if engine == "dask":
        engines.import_dask()
