"""What every experiment of the guide gets: its size, the random seeds, and two ways to compute
that both go through the store (so that a rerun computes only what is missing).

* `Context.sweep`: the fair protocol of `optimlab.lab.sweep.sweep` on `RunSpec` runs,
  stored in the `RunStore`; `Context.runs`: given `RunSpec` runs, stored there too;
* `Context.trials`: the guide's own module-level functions of plain parameters, stored in
  the `TrialCache` beside the runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from optimlab.lab import engines
from optimlab.lab.experiment import RunResult, RunSpec, run
from optimlab.lab.guide.cache import TrialCache, call_trial, function_name, plain, trial_key
from optimlab.lab.store import RunStore
from optimlab.lab.sweep import NUMERICAL_FAILURES, SweepResult, sweep
from optimlab.train import History


@dataclass
class Context:
    """An experiment's view of the guide run.

    Attributes:
        size: ``"quick"`` or ``"full"``.
        seed: the first seed; experiments use ``seed, seed + 1, ...`` (`seeds`).
        jobs: worker processes for runs and trials.
        store: the run store (`RunStore`) of the `RunSpec` runs.
        cache: the guide's own results (`TrialCache`), in the same file.
        notify: receives messages for the user.
        computed: runs and trials computed by this guide run.
        reused: runs and trials found in the store.
    """

    size: str
    seed: int
    jobs: int
    store: RunStore
    cache: TrialCache
    notify: Callable[[str], None] = lambda message: None
    computed: int = 0
    reused: int = 0
    warm: bool = field(default=False, repr=False)

    @property
    def quick(self) -> bool:
        return self.size == "quick"

    def pick(self, quick: Any, full: Any) -> Any:
        """``quick`` in the quick guide, else ``full``."""
        return quick if self.quick else full

    def seeds(self, count: int) -> tuple[int, ...]:
        """``count`` seeds from `seed`."""
        return tuple(range(self.seed, self.seed + count))

    def sweep(
        self,
        base: RunSpec,
        optimizers: Sequence[str],
        lrs: Sequence[float],
        seeds: Sequence[int],
        target: float | None = None,
    ) -> SweepResult:
        """`optimlab.lab.sweep.sweep` on the store: the lr grid on the first seed, the best
        rate on every seed; runs already stored are reused."""
        tuning = [
            replace(base, optimizer=o, lr=lr, seed=seeds[0]) for o in optimizers for lr in lrs
        ]
        if not all(self.store.has(spec) for spec in tuning):
            self._warm_up(runs=True)
        result = sweep(
            base,
            list(optimizers),
            list(lrs),
            tuple(seeds),
            store=self.store,
            jobs=self.jobs,
            target=target,
            notify=self.notify,
        )
        self.computed += result.computed
        self.reused += result.reused
        return result

    def runs(self, specs: Sequence[RunSpec]) -> list[RunResult]:
        """Each spec's run, from the store or trained now (in ``jobs`` worker processes,
        each stored as soon as it arrives); a numerical failure is a diverged run, as in
        the sweep."""
        pending = {}
        for spec in specs:
            key = spec.key()
            if key in pending:
                continue
            if self.store.has(key):
                self.reused += 1
            else:
                pending[key] = spec
        if pending:
            self._warm_up(runs=True)
            engine = engines.make("process", self.jobs, notify=self.notify)
            failed = True
            try:
                engine.run(run_or_fail, list(pending.values()), self._store_run)
                failed = False
            finally:
                engine.close(wait=not failed)
        return self.store.results(specs)

    def _store_run(self, result: RunResult) -> None:
        self.store.put(result)
        self.computed += 1

    def trials(
        self, function: Callable[..., Any], params: Sequence[dict[str, Any]], inline: bool = False
    ) -> list[Any]:
        """``[function(**p) for p in params]``, each computed once and kept in the cache.

        The missing ones run in ``jobs`` worker processes (``inline``: in this process, one
        after the other, as timings need); each result is stored as soon as it arrives.
        """
        keys = [trial_key(function, p) for p in params]
        name = function_name(function)
        pending = {}
        for key, p in zip(keys, params):
            if key in pending:
                continue
            if self.cache.has(key):
                self.reused += 1
            else:
                pending[key] = (name, plain(p), key)
        if pending:
            self._warm_up(runs=False)
            jobs = 1 if inline or len(pending) == 1 else self.jobs
            engine = engines.make("process", jobs, notify=self.notify)
            failed = True
            try:
                engine.run(call_trial, list(pending.values()), self._keep)
                failed = False
            finally:
                engine.close(wait=not failed)
        return [self.cache.get(key) for key in keys]

    def _warm_up(self, runs: bool) -> None:
        """Before work goes to worker processes, prepare this process once (see
        `warm_up`); with one job everything runs here anyway."""
        if self.jobs > 1 and not self.warm:
            warm_up(runs)
            self.warm = runs

    def _keep(self, outcome: tuple[str, str, dict, Any, float]) -> None:
        key, name, params, result, seconds = outcome
        self.cache.put(key, name, params, result, seconds)
        self.computed += 1


def run_or_fail(spec: RunSpec) -> RunResult:
    """`optimlab.lab.experiment.run`, with a numerical failure (a singular Hessian, an
    overflow) kept as a diverged run with the error as its message, as the sweep keeps it."""
    start = time.perf_counter()
    try:
        return run(spec)
    except NUMERICAL_FAILURES as error:
        history = History(stop_reason="diverged", message=f"the run failed: {error}")
        return RunResult(spec, history, time.perf_counter() - start)


def warm_up(runs: bool = True) -> None:
    """Import (scikit-learn's data sets) and, with ``runs``, compile (each optimizer's rule,
    through one tiny run each, which also imports the diagnosis) in this process, so that
    worker processes forked later start ready instead of each doing it again."""
    from optimlab.data import load_dataset

    load_dataset("breast_cancer")
    if not runs:
        return
    for name in ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam"):
        lr = 1.0 if name == "Adadelta" else 0.01
        run(
            RunSpec(
                dataset="moons",
                n_samples=40,
                model="mlp",
                hidden=(2,),
                epochs=1,
                optimizer=name,
                lr=lr,
            )
        )
