"""``optimlab sweep``: the grid, the store, the verdict, resuming after Ctrl-C."""

from __future__ import annotations

import json
import math
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from optimlab.cli import main
from optimlab.lab.experiment import RunSpec, run

TINY = ["--dataset", "moons", "--n-samples", "80", "--model", "logistic", "--epochs", "3"]
GRID = ["--lr-min", "1e-3", "--lr-max", "10", "--per-decade", "1"]
HAND_GRID = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
SMALL_SWEEP = [*TINY, *GRID, "--optimizers", "SGD,Adam", "--seeds", 2, "--jobs", 1, "--no-progress"]


def sweep(*args):
    return CliRunner().invoke(main, ["sweep", *map(str, args)], catch_exceptions=False)


def test_sweep_runs_the_grid_and_the_seeds_and_names_the_winner(tmp_path):
    result = sweep(*SMALL_SWEEP, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    for name in ("report.html", "results.json", "runs.sqlite", "sensitivity.png", "val_loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["lrs"] == HAND_GRID
    assert data["seeds"] == [0, 1]
    # 5 tuning runs per optimizer, then the best rate with the second seed
    assert data["runs"] == {"computed": 2 * 5 + 2, "reused_from_store": 0}
    with sqlite3.connect(tmp_path / "runs.sqlite") as conn:
        assert conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 12
    for name in ("SGD", "Adam"):
        points = [p for p in data["sensitivity"] if p["optimizer"] == name]
        assert sorted(p["lr"] for p in points) == HAND_GRID
        finite = [p for p in points if not p["diverged"] and p["val_loss"] is not None]
        best = min(finite, key=lambda p: p["val_loss"])
        row = next(r for r in data["table"] if r["optimizer"] == name)
        assert row["best_lr"] == best["lr"]
        # the stored number is what training that configuration gives
        again = run(
            RunSpec(
                dataset="moons",
                n_samples=80,
                model="logistic",
                epochs=3,
                optimizer=name,
                lr=best["lr"],
                seed=1,
            )
        )
        seed_1 = data["seed_runs"][name][1]
        assert seed_1["val_loss"] == pytest.approx(again.history.epoch_val_loss[-1], rel=1e-12)
    means = {
        name: sum(r["val_loss"] for r in runs) / len(runs)
        for name, runs in data["seed_runs"].items()
    }
    winner = min(means, key=means.get)
    assert data["verdict"]["winner"] == winner
    assert data["verdict"]["margin"] == pytest.approx(max(means.values()) - min(means.values()))
    assert data["verdict"]["text"] in result.output
    assert f"1     {winner}" in result.output

    again = sweep(*SMALL_SWEEP, "--out", tmp_path)
    assert "0 runs trained now, 12 reused from the store" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--optimizers", "Adam,Adamm"], "unknown optimizer 'Adamm'; choose one of SGD"),
        (["--lr-min", "1", "--lr-max", "0.1"], "must be greater than low"),
        (["--lrs", "0.1,-1"], "finite learning rates > 0"),
        (["--target-loss", "nan"], "must be a finite loss"),
    ],
)
def test_sweep_bad_input_is_refused_before_work(args, message, tmp_path):
    result = CliRunner().invoke(main, ["sweep", *args, "--out", str(tmp_path)])
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "runs.sqlite").exists()


def test_a_file_that_is_not_a_store_is_refused(tmp_path):
    (tmp_path / "notes.sqlite").write_text("my notes")
    result = CliRunner().invoke(
        main, ["sweep", "--store", str(tmp_path / "notes.sqlite"), "--out", str(tmp_path)]
    )
    assert result.exit_code != 0 and "--store" in result.output
    assert (tmp_path / "notes.sqlite").read_text() == "my notes"


def stored_runs(path) -> int:
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(path, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.OperationalError:  # not created yet
        return 0


GATED_COMMAND = """
import os, sqlite3, sys, time
from optimlab.cli import main
from optimlab.lab import sweep as sweep_module

real = sweep_module.run
store = os.path.join(sys.argv[sys.argv.index("--out") + 1], "runs.sqlite")
release = os.environ["RELEASE"]

def stored():
    with sqlite3.connect(store, timeout=5) as conn:
        return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

def gated(spec):  # real runs; once 2 are stored, each waits for the test's release file
    result = real(spec)
    while stored() >= 2 and not os.path.exists(release):
        time.sleep(0.01)
    return result

sweep_module.run = gated
main(sys.argv[1:], prog_name="optimlab")
"""


def test_ctrl_c_keeps_finished_runs_and_the_same_command_finishes(tmp_path):
    """SIGINT while runs are held back: exit 130 with a message; the same command run again
    trains only what is missing."""
    script = tmp_path / "gated.py"
    script.write_text(GATED_COMMAND)
    release = tmp_path / "release"
    out = tmp_path / "out"
    options = [
        *map(str, TINY),
        "--optimizers",
        "SGD,Adam",
        "--lrs",
        "0.01,0.1,1",
        "--seeds",
        "2",
        "--jobs",
        "1",
        "--no-progress",
        "--out",
        str(out),
    ]
    env = {**os.environ, "RELEASE": str(release)}
    process = subprocess.Popen(
        [sys.executable, str(script), "sweep", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    deadline = time.monotonic() + 120
    while stored_runs(out / "runs.sqlite") < 2:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "no run was stored within 120 s"
        time.sleep(0.02)
    assert process.poll() is None, "the sweep ended before the interrupt"
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted: 2 finished runs are kept" in err and "run the same command again" in err
    release.touch()

    total = 2 * 3 + 2
    finished = subprocess.run(
        [sys.executable, "-m", "optimlab", "sweep", *options],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stderr
    assert f"{total - 2} runs trained now, 2 reused from the store" in finished.stdout
    assert stored_runs(out / "runs.sqlite") == total
    data = json.loads((out / "results.json").read_text())
    assert all(math.isfinite(r["val_loss"]) for runs in data["seed_runs"].values() for r in runs)
