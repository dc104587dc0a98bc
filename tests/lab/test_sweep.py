"""The sweep: the grid, the protocol (checked against the stored rows read with plain SQL),
no recomputation, parallel runs equal serial ones, an interrupted sweep resumed, and the
verdict and time-to-target on hand-built numbers."""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import replace

import numpy as np
import pytest

from optimlab.lab import sweep as sweep_module
from optimlab.lab.experiment import RunResult, RunSpec
from optimlab.lab.store import RunStore
from optimlab.lab.sweep import (
    TimeToTarget,
    decide,
    lr_grid,
    sweep,
    time_to_target,
)
from optimlab.train import History

TINY = RunSpec(dataset="moons", model="logistic", n_samples=120, epochs=3, batch_size=16)
LRS = [1e-2, 1e-1, 1.0]


@pytest.fixture
def counted(monkeypatch):
    """Count (and record) the runs the sweep trains, calling the real `run`."""
    real = sweep_module.run
    calls: list[RunSpec] = []

    def counting(spec):
        calls.append(spec)
        return real(spec)

    monkeypatch.setattr(sweep_module, "run", counting)
    return calls


def stored_rows(path) -> list[dict]:
    """Every row of the store, read with plain SQL and JSON (not through RunStore)."""
    raw = sqlite3.connect(path)
    rows = raw.execute("SELECT key, spec, summary, history, created FROM runs").fetchall()
    raw.close()
    return [
        {
            "key": key,
            "spec": json.loads(spec),
            "summary": json.loads(summary),
            "history": json.loads(history),
            "created": created,
        }
        for key, spec, summary, history, created in rows
    ]


# -- the grid -------------------------------------------------------------------------------


def test_the_default_grid_spans_1e_5_to_1e2_with_three_rates_per_decade():
    grid = lr_grid()
    assert len(grid) == 7 * 3 + 1
    assert grid[0] == 1e-5 and grid[-1] == 1e2 and 0.01 in grid and 1.0 in grid
    np.testing.assert_allclose(np.diff(np.log10(grid)), 1 / 3, rtol=1e-5)


def test_the_grid_follows_its_formula():
    # lr_i = low * (high / low) ** (i / n), n = round(per_decade * log10(high / low))
    expected = [10 ** (-3 + 3 * i / 6) for i in range(7)]
    np.testing.assert_allclose(lr_grid(1e-3, 1.0, 2), expected, rtol=1e-5)  # 6 digits
    np.testing.assert_allclose(  # n = round(log10(250)) = 2 steps from 2e-3 to 0.5
        lr_grid(2e-3, 5e-1, 1), [2e-3 * 250 ** (i / 2) for i in range(3)], rtol=1e-5
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"low": 0.0}, "Invalid low"),
        ({"high": math.inf}, "Invalid high"),
        ({"low": 1.0, "high": 0.1}, "must be greater than low"),
        ({"per_decade": 0}, "Invalid per_decade"),
        ({"per_decade": 2.5}, "Invalid per_decade"),
    ],
)
def test_bad_grids_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lr_grid(**kwargs)


# -- the protocol, against the stored rows ---------------------------------------------------


def test_every_rate_runs_once_and_the_best_is_the_argmin_of_the_stored_losses(tmp_path, counted):
    path = tmp_path / "runs.sqlite"
    result = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=path)

    tuning = [(s.optimizer, s.lr) for s in counted if s.seed == 0]
    assert sorted(tuning) == sorted((o, lr) for o in ("SGD", "Adam") for lr in LRS)
    assert len(counted) == 2 * 3 + 2  # + each best rate on seed 1; seed 0 reused
    assert len({s.key() for s in counted}) == len(counted)

    rows = stored_rows(path)
    assert len(rows) == len(counted)
    for optimizer in ("SGD", "Adam"):
        curve = {
            r["spec"]["lr"]: r["summary"]["val_loss"]
            for r in rows
            if r["spec"]["optimizer"] == optimizer and r["spec"]["seed"] == 0
        }
        best = min(curve, key=curve.get)
        outcome = result.outcome(optimizer)
        assert outcome.best_lr == best
        assert [p.lr for p in outcome.curve] == LRS
        assert [p.val_loss for p in outcome.curve] == [curve[lr] for lr in LRS]
        seed_losses = sorted(
            (r["spec"]["seed"], r["summary"]["val_loss"])
            for r in rows
            if r["spec"]["optimizer"] == optimizer and r["spec"]["lr"] == best
        )
        assert [seed for seed, _ in seed_losses] == [0, 1]
        losses = [loss for _, loss in seed_losses]
        assert outcome.val_loss_mean == pytest.approx(np.mean(losses), rel=1e-12)
        assert outcome.val_loss_std == pytest.approx(np.std(losses, ddof=1), rel=1e-12)
    assert result.computed == len(counted) and result.reused == 0


def test_the_winner_target_and_time_to_target_follow_the_stored_histories(tmp_path):
    path = tmp_path / "runs.sqlite"
    result = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=path)
    rows = stored_rows(path)
    means = {}
    for optimizer in ("SGD", "Adam"):
        best = result.outcome(optimizer).best_lr
        means[optimizer] = np.mean(
            [
                r["summary"]["val_loss"]
                for r in rows
                if r["spec"]["optimizer"] == optimizer and r["spec"]["lr"] == best
            ]
        )
    winner = min(means, key=means.get)
    assert result.verdict.winner == winner
    assert result.verdict.margin == pytest.approx(abs(means["SGD"] - means["Adam"]), rel=1e-12)
    assert result.target == pytest.approx(1.1 * means[winner], rel=1e-12)

    # 96 training rows (120 - ceil(0.2 * 120)), batches of 16: 6 updates per epoch
    assert result.iterations_per_epoch == 6
    for optimizer in ("SGD", "Adam"):
        outcome = result.outcome(optimizer)
        hand = []
        for r in rows:
            if r["spec"]["optimizer"] == optimizer and r["spec"]["lr"] == outcome.best_lr:
                val, times = r["history"]["epoch_val_loss"], r["history"]["epoch_time"]
                hit = [i for i, v in enumerate(val) if v is not None and v <= result.target]
                hand.append(None if not hit else (6 * (hit[0] + 1), times[hit[0]]))
        reached = [h for h in hand if h is not None]
        expected_iterations = np.mean([h[0] for h in reached]) if reached else None
        assert outcome.iterations_to_target == expected_iterations
        if reached:
            assert outcome.seconds_to_target == pytest.approx(np.mean([h[1] for h in reached]))
    json.dumps(result.to_dict(), allow_nan=False)  # plain JSON


def test_diverged_runs_rank_last_even_with_a_lower_recorded_loss(tmp_path):
    # linear regression, SGD: lr=1 completes with a huge loss; lr=100 diverges at once, and
    # fit restores the initial parameters, so its recorded validation loss is lower
    base = RunSpec(dataset="regression", model="linear", n_samples=120, epochs=3, batch_size=16)
    path = tmp_path / "runs.sqlite"
    result = sweep(base, ["SGD"], [1.0, 100.0], seeds=(0,), store=path)
    status = {r["spec"]["lr"]: r["summary"] for r in stored_rows(path)}
    assert status[100.0]["status"] == "diverged" and status[1.0]["status"] == "completed"
    assert status[100.0]["val_loss"] < status[1.0]["val_loss"]
    assert result.outcome("SGD").best_lr == 1.0
    assert [p.diverged for p in result.outcome("SGD").curve] == [False, True]
    assert result.curves()["SGD"] == [(1.0, status[1.0]["val_loss"]), (100.0, math.inf)]


def test_a_numerical_failure_is_a_diverged_run_and_is_not_retried(tmp_path, monkeypatch):
    real = sweep_module.run
    calls = []

    def singular_at_large_rates(spec):
        calls.append(spec.key())
        if spec.lr >= 1.0:
            raise np.linalg.LinAlgError("the Hessian is singular")
        return real(spec)

    monkeypatch.setattr(sweep_module, "run", singular_at_large_rates)
    path = tmp_path / "runs.sqlite"
    result = sweep(TINY, ["SGD"], LRS, seeds=(0,), store=path)
    failed = result.outcome("SGD").curve[-1]
    assert failed.lr == 1.0 and failed.diverged and math.isnan(failed.val_loss)
    assert result.outcome("SGD").best_lr != 1.0
    row = result.table()[0]  # one seed: no spread to show (it is not 0)
    assert row["val_loss_std"] is None and row[f"val_{result.metric}_std"] is None
    with RunStore(path) as store:
        message = store.get(failed.key).history.message
    assert message == "the run failed: LinAlgError: the Hessian is singular"
    calls.clear()
    sweep(TINY, ["SGD"], LRS, seeds=(0,), store=path)
    assert calls == []


def test_newtons_step_length_is_searched_like_a_learning_rate(tmp_path, counted):
    result = sweep(TINY, ["SGD", "Newton"], LRS, seeds=(0,), store=tmp_path / "runs.sqlite")
    newton = sorted(s.lr for s in counted if s.optimizer == "Newton")
    assert newton == LRS
    assert result.outcome("Newton").best_lr in LRS
    assert [lr for lr, _ in result.curves()["Newton"]] == LRS


# -- the store makes it resumable -------------------------------------------------------------


def test_a_repeated_sweep_computes_nothing_and_gives_the_same_result(tmp_path, counted):
    path = tmp_path / "runs.sqlite"
    first = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=path)
    created = {r["key"]: r["created"] for r in stored_rows(path)}
    counted.clear()
    second = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=path)
    assert counted == []
    assert {r["key"]: r["created"] for r in stored_rows(path)} == created  # nothing rewritten
    assert second.computed == 0 and second.reused == len(created)
    assert second.table() == first.table()
    assert second.verdict == first.verdict


def test_adding_a_seed_runs_only_the_new_seed(tmp_path, counted):
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:  # an open store works as well as a path
        sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=store)
        counted.clear()
        result = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1, 2), store=store)
        assert len(store) == 2 * 3 + 2 * 2
    assert sorted((s.optimizer, s.seed) for s in counted) == [("Adam", 2), ("SGD", 2)]
    assert result.reused == 8 and result.computed == 2


def test_two_workers_give_the_same_numbers_as_one(tmp_path):
    one = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=tmp_path / "one.sqlite")
    two = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=tmp_path / "two.sqlite", jobs=2)

    def numbers(path):
        return {r["key"]: r["history"]["epoch_val_loss"] for r in stored_rows(path)}

    assert numbers(tmp_path / "two.sqlite") == numbers(tmp_path / "one.sqlite")
    assert [o.best_lr for o in two.outcomes] == [o.best_lr for o in one.outcomes]
    assert two.verdict == one.verdict


def test_an_interrupt_inline_keeps_the_finished_runs(tmp_path, monkeypatch):
    real = sweep_module.run
    calls = []

    def interrupted_at_the_fourth(spec):
        calls.append(spec)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return real(spec)

    monkeypatch.setattr(sweep_module, "run", interrupted_at_the_fourth)
    path = tmp_path / "runs.sqlite"
    with pytest.raises(KeyboardInterrupt):
        sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=path)
    assert sorted(r["key"] for r in stored_rows(path)) == sorted(s.key() for s in calls[:3])


INTERRUPTED_SWEEP = """
import os, signal, sqlite3, sys, time
from optimlab.lab import sweep as sweep_module

# Python keeps SIGINT ignored when it starts ignored (a test run launched as a background
# job): take Ctrl-C's usual meaning, as in a terminal.
signal.signal(signal.SIGINT, signal.default_int_handler)
from optimlab.lab.experiment import RunSpec

real = sweep_module.run
store, jobs, release = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def stored():
    with sqlite3.connect(store, timeout=5) as conn:
        return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

def gated(spec):  # real runs; once 3 are stored, each waits for the test's release file
    result = real(spec)
    while stored() >= 3 and not os.path.exists(release):
        time.sleep(0.01)
    return result

sweep_module.run = gated  # forked workers inherit it
base = RunSpec(dataset="moons", model="logistic", n_samples=120, epochs=3, batch_size=16)
if __name__ == "__main__":
    sweep_module.sweep(base, ["SGD", "Adam"], [1e-3, 1e-2, 1e-1, 1.0, 10.0], seeds=(0, 1),
                       store=store, jobs=jobs)
"""


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_sweep_interrupted_by_sigint_resumes_without_losing_or_repeating_runs(
    tmp_path, counted, jobs
):
    """SIGINT lands while runs are held back (the sweep cannot finish first, however loaded
    the machine); the held runs are released after the signal."""
    path = tmp_path / "runs.sqlite"
    script = tmp_path / "interrupted.py"
    release = tmp_path / "release"
    script.write_text(textwrap.dedent(INTERRUPTED_SWEEP))
    process = subprocess.Popen(
        [sys.executable, str(script), str(path), str(jobs), str(release)],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while _count(path) < 3:
        assert process.poll() is None, f"the sweep ended early: {process.stderr.read()}"
        assert time.monotonic() < deadline, "no run was stored within 120 s"
        time.sleep(0.02)
    assert process.poll() is None, "the sweep ended before the interrupt"
    os.kill(process.pid, signal.SIGINT)
    time.sleep(0.2)
    release.touch()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode != 0 and "KeyboardInterrupt" in stderr

    total = 2 * 5 + 2
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    before = {r["key"] for r in stored_rows(path)}
    assert 3 <= len(before) < total

    base = RunSpec(dataset="moons", model="logistic", n_samples=120, epochs=3, batch_size=16)
    result = sweep(base, ["SGD", "Adam"], [1e-3, 1e-2, 1e-1, 1.0, 10.0], seeds=(0, 1), store=path)
    rerun = [s.key() for s in counted]
    assert not set(rerun) & before  # nothing stored was computed again
    assert len(rerun) == total - len(before)
    raw = sqlite3.connect(path)
    count, distinct = raw.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM runs").fetchone()
    raw.close()
    expected = {p.key for o in result.outcomes for p in o.curve}
    expected |= {key for o in result.outcomes for key in o.seed_keys}
    assert count == distinct == total == len(expected)
    assert {r["key"] for r in stored_rows(path)} == expected


def _count(path) -> int:
    try:
        raw = sqlite3.connect(path)
        try:
            return raw.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        finally:
            raw.close()
    except sqlite3.Error:
        return 0  # not created yet


# -- time to target and the verdict, on hand-built numbers -----------------------------------


def test_time_to_target_by_hand():
    history = History(
        loss=[1.0] * 28,
        epoch_train_loss=[1, 1, 1, 1],
        epoch_val_loss=[1.0, 0.6, 0.4, 0.5],
        epoch_time=[0.1, 0.25, 0.4, 0.55],
    )
    # 0.5: first reached at the third epoch (0.4); 7 updates per epoch -> 21, at 0.4 s
    assert time_to_target(history, 0.5, 7) == TimeToTarget(3, 21, 0.4)
    assert time_to_target(history, 0.6, 7) == TimeToTarget(2, 14, 0.25)  # <= counts
    assert time_to_target(history, 1.5, 7) == TimeToTarget(1, 7, 0.1)
    assert time_to_target(history, 0.39, 7) is None


def test_time_to_target_skips_non_finite_losses_and_counts_a_diverged_epoch_exactly():
    history = History(
        loss=[1.0] * 10,  # 7 updates in epoch 1, then 3 before the divergence
        epoch_train_loss=[1, 1],
        epoch_val_loss=[math.nan, 0.3],
        epoch_time=[0.1, 0.15],
        stop_reason="diverged",
    )
    assert time_to_target(history, 0.5, 7) == TimeToTarget(2, 10, 0.15)


def test_time_to_target_refuses_bad_arguments():
    with pytest.raises(ValueError, match="Invalid target"):
        time_to_target(History(), math.nan, 7)
    with pytest.raises(ValueError, match="Invalid iterations_per_epoch"):
        time_to_target(History(), 0.5, 0)


def test_a_margin_larger_than_the_spread_is_a_clear_win():
    verdict = decide({"SGD": 0.35, "Adam": 0.30}, {"SGD": 0.02, "Adam": 0.01}, n_seeds=3)
    assert (verdict.winner, verdict.runner_up) == ("Adam", "SGD")
    assert verdict.margin == pytest.approx(0.05) and verdict.spread == 0.02
    assert verdict.clear is True and "more than the seed-to-seed spread" in verdict.text


def test_a_margin_inside_the_spread_is_within_noise():
    verdict = decide(
        {"SGD": 0.31, "Adam": 0.30, "RMSprop": 0.5},
        {"SGD": 0.02, "Adam": 0.005, "RMSprop": 0.0},
        n_seeds=3,
    )
    assert (verdict.winner, verdict.runner_up) == ("Adam", "SGD")
    assert verdict.margin == pytest.approx(0.01) and verdict.spread == 0.02
    assert verdict.clear is False and "within noise" in verdict.text


def test_the_spread_is_the_larger_of_the_two_deviations():
    verdict = decide({"A": 0.30, "B": 0.33}, {"A": 0.04, "B": 0.01}, n_seeds=2)
    assert verdict.spread == 0.04 and verdict.clear is False


def test_verdicts_that_cannot_be_judged_say_why():
    one_seed = decide({"A": 0.3, "B": 0.4}, {"A": 0.0, "B": 0.0}, n_seeds=1)
    assert one_seed.clear is None and "one seed" in one_seed.text
    alone = decide({"A": 0.3}, {"A": 0.01}, n_seeds=3)
    assert alone.winner == "A" and alone.runner_up is None and alone.clear is None
    diverged = decide({"A": math.inf, "B": math.inf}, {"A": math.nan, "B": math.nan}, 3)
    assert diverged.winner is None and "every optimizer diverged" in diverged.text
    others = decide({"A": math.inf, "B": 0.4}, {"A": math.nan, "B": 0.1}, n_seeds=3)
    assert (others.winner, others.clear) == ("B", True) and "diverged" in others.text


# -- bad input, before any work ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"optimizers": ["SGD", "Adamm"]}, "unknown optimizer 'Adamm'; choose from SGD,"),
        ({"optimizers": "SGD"}, "optimizers must be a non-empty list"),
        ({"optimizers": ["SGD", "SGD"]}, "duplicates"),
        ({"optimizers": ["SGD", "sgd"]}, "duplicates"),
        ({"lrs": [0.1, -1.0]}, "Invalid learning rate in lrs: -1.0"),
        ({"lrs": [math.nan]}, "Invalid learning rate"),
        ({"lrs": []}, "lrs must be a non-empty list"),
        ({"seeds": ()}, "seeds must be a non-empty list"),
        ({"seeds": (0, 0)}, "seeds has duplicates"),
        ({"jobs": 0}, "Invalid jobs: 0"),
        ({"target": math.inf}, "Invalid target"),
        ({"engine": "ray"}, "unknown engine 'ray'"),
        ({"client": object()}, 'only used with engine="dask"'),
        ({"base": replace(TINY, options=(("lr", 0.1),))}, "base.options sets lr"),
        ({"base": "moons"}, "base must be a RunSpec"),
    ],
)
def test_bad_arguments_are_refused_before_any_run(tmp_path, counted, arguments, message):
    settings = {"base": TINY, "optimizers": ["SGD"], "lrs": LRS, "seeds": (0,), **arguments}
    with pytest.raises(ValueError, match=message):
        sweep(store=tmp_path / "runs.sqlite", **settings)
    assert counted == []


def test_an_unwritable_store_folder_is_reported_before_any_run(tmp_path, counted):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PermissionError, match="cannot write the run store"):
        sweep(TINY, ["SGD"], LRS, store=blocker / "runs.sqlite")
    assert counted == []


def test_the_dask_engine_without_dask_says_how_to_install_it(tmp_path, monkeypatch, counted):
    monkeypatch.setitem(sys.modules, "dask", None)  # as if it were not installed
    with pytest.raises(ImportError, match=r'pip install "dask\[distributed\]"'):
        sweep(TINY, ["SGD"], LRS, store=tmp_path / "runs.sqlite", engine="dask")
    assert counted == []


def test_the_dask_engine_gives_the_numbers_of_the_process_engine(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.Client(n_workers=1, threads_per_worker=1, processes=False) as client:
        dask = sweep(
            TINY,
            ["SGD"],
            LRS,
            seeds=(0, 1),
            store=tmp_path / "d.sqlite",
            engine="dask",
            client=client,
        )
    local = sweep(TINY, ["SGD"], LRS, seeds=(0, 1), store=tmp_path / "l.sqlite")
    assert dask.table()[0]["val_loss_mean"] == local.table()[0]["val_loss_mean"]


def test_the_progress_bar_counts_runs_from_the_store(tmp_path, capsys):
    path = tmp_path / "runs.sqlite"
    sweep(TINY, ["SGD"], LRS, seeds=(0, 1), store=path)
    sweep(TINY, ["SGD"], LRS, seeds=(0, 1), store=path, progress=True)
    err = capsys.readouterr().err
    assert "4/4" in err and "from_store=4" in err


# -- what a sweep writes ---------------------------------------------------------------------


def test_the_best_runs_are_the_stored_first_seed_runs_at_the_best_rates(tmp_path):
    path = tmp_path / "runs.sqlite"
    result = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=path)
    with RunStore(path) as store:
        for outcome in result.outcomes:
            best = result.best_run(outcome.optimizer)
            stored = store.get(outcome.seed_keys[0])
            assert best.spec == stored.spec
            assert (best.spec.lr, best.spec.seed) == (outcome.best_lr, 0)
            assert best.history.epoch_val_loss == stored.history.epoch_val_loss
            # the diagnosis is made again knowing the grid: a rate at its top is told so
            at_top = outcome.best_lr == max(LRS)
            notes = " ".join(best.diagnosis["notes"])
            assert ("highest of the sweep's grid" in notes) == at_top
    with pytest.raises(KeyError, match="it compared SGD, Adam"):
        result.best_run("Lion")


def test_write_gives_the_files_of_the_command(tmp_path):
    result = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), store=tmp_path / "runs.sqlite")
    report = result.write(tmp_path / "out", command="from a test")
    for name in ("sensitivity.png", "val_loss.png", "results.json", "report.html"):
        assert (tmp_path / "out" / name).stat().st_size > 0
    written = json.loads((tmp_path / "out" / "results.json").read_text())
    assert written == json.loads(json.dumps(result.to_dict()))
    page = report.read_text()
    assert "from a test" in page and result.verdict.text in page and page.count("<img") == 2
    assert "seed 003" not in page


def edge_result(best, cause="optimizer"):
    """A hand-built result of a sweep over ``LRS`` whose optimizers chose ``best``, their
    best runs diagnosed with ``cause``."""
    from optimlab.lab.sweep import OptimizerOutcome, SweepResult

    outcomes = tuple(
        OptimizerOutcome(name, (), lr, ("k",), (0.3,), (0.9,), (1.0,), (None,))
        for name, lr in best.items()
    )
    runs = tuple(
        RunResult(replace(TINY, optimizer=name, lr=lr), History(), 1.0, {"cause": cause})
        for name, lr in best.items()
    )
    verdict = decide({name: 0.3 for name in best}, {name: 0.0 for name in best}, 1)
    return SweepResult(
        TINY, tuple(LRS), (0,), outcomes, verdict, None, "", 1, "", 0, 0, best_runs=runs
    )


def test_a_best_rate_at_the_edge_of_the_grid_is_noted():
    notes = edge_result({"SGD": 1.0, "Adam": 1.0, "RMSprop": 0.1}).notes
    assert notes == (
        "SGD's and Adam's best rate is the largest tried (1): the best may lie beyond; "
        "extend the grid (`--lr-max 10`, or add 10 to the rates of `--lrs` or `--grid lr=...`, "
        "whichever gave them).",
    )
    (note,) = edge_result({"SGD": 0.01}).notes
    assert (
        note.startswith("SGD's best rate is the smallest tried (0.01)") and "--lr-min 0.001" in note
    )
    assert edge_result({"SGD": 0.1}).notes == ()
    # the model is too simple (or the data at fault): no rate beyond the grid can help
    assert edge_result({"SGD": 1.0}, cause="model").notes == ()
