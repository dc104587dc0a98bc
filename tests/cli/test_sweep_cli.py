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
        (["--lr-min", "1", "--lr-max", "0.1"], "--lr-max=0.1 must be greater than --lr-min=1.0"),
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


# -- searches beyond the learning rate ---------------------------------------------------------


def test_a_grid_over_momentum_and_batch_size_names_whom_each_applies_to(tmp_path):
    result = sweep(
        *TINY,
        "--optimizers",
        "SGD,Adam",
        "--lrs",
        "0.1,1",
        "--grid",
        "momentum=0,0.9",
        "--grid",
        "batch_size=16,32",
        "--seeds",
        2,
        "--jobs",
        1,
        "--out",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert "momentum: 0, 0.9 (SGD)" in result.output
    assert "12 tuning runs" in result.output  # SGD 2 x 2 x 2, Adam 2 x 2
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["runs"] == {"computed": 12 + 2, "reused_from_store": 0}
    dims = {d["name"]: d["applies_to"] for d in data["search"]["dimensions"]}
    assert dims == {"lr": ["SGD", "Adam"], "momentum": ["SGD"], "batch_size": ["SGD", "Adam"]}
    header = next(line for line in result.output.splitlines() if line.startswith("rank"))
    assert header.split() == [
        "rank",
        "optimizer",
        "best_lr",
        "best_momentum",
        "best_batch_size",
        "val_loss_mean",
        "val_loss_std",
        "gap_to_best",
        "val_accuracy_mean",
        "val_accuracy_std",
        "diverged_seeds",
        "target_reached",
        "iterations_to_target",
        "seconds_to_target",
        "seconds_per_run",
    ]
    for name in ("sensitivity.png", "sensitivity_momentum.png", "sensitivity_batch_size.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_grid_lr_and_lrs_are_the_same_sweep(tmp_path):
    first = sweep(
        *TINY, "--optimizers", "SGD", "--lrs", "0.01,0.1", "--seeds", 1, "--out", tmp_path
    )
    assert "2 runs trained now" in first.output, first.output
    again = sweep(
        *TINY, "--optimizers", "SGD", "--grid", "lr=0.1,0.01", "--seeds", 1, "--out", tmp_path
    )
    assert "0 runs trained now, 2 reused from the store" in again.output, again.output


def test_a_random_search_is_drawn_from_the_seed_and_resumes(tmp_path):
    args = [
        *TINY,
        "--optimizers",
        "SGD,Adam",
        "--random",
        4,
        "--space",
        "lr=log:1e-3:1",
        "--space",
        "beta2=0.9:0.9999",
        "--seeds",
        2,
        "--jobs",
        1,
        "--out",
        tmp_path,
    ]
    result = sweep(*args)
    assert result.exit_code == 0, result.output
    assert "random search, 4 draws (seed 0)" in result.output
    assert "beta2: uniform in [0.9, 0.9999] (Adam)" in result.output
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["search"]["kind"] == "random" and data["runs"]["computed"] == 2 * 4 + 2
    rates = {
        o: sorted(p["lr"] for p in data["sensitivity"] if p["optimizer"] == o)
        for o in ("SGD", "Adam")
    }
    assert rates["SGD"] == rates["Adam"] and all(1e-3 <= lr <= 1 for lr in rates["SGD"])
    again = sweep(*args)
    assert "0 runs trained now, 10 reused from the store" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--grid", "momentun=0.9"], "did you mean 'momentum'"),
        (["--grid", "momentum"], "NAME=VALUE"),
        (["--grid", "momentum=0", "--grid", "momentum=0.9"], "momentum is given more than once"),
        (["--grid", "lr=0.1", "--lrs", "0.1"], "both set the learning rates"),
        (["--grid", "momentum=1.5"], "Invalid momentum: 1.5; momentum must be in [0, 1) (for SGD)"),
        (["--space", "lr=log:1e-3:1"], "add --random N"),
        (["--random", "3", "--grid", "momentum=0"], "give one of them"),
        (["--random", "3", "--lrs", "0.1"], "a random search draws lr from a range"),
        (["--random", "3", "--space", "lr=1:0"], "must be greater than low"),
        (
            ["--random", "3", "--space", "lr=log:1:1e-3"],
            "Error: Invalid value for --space: 'lr=log:1:1e-3': high=0.001 must be greater",
        ),
        (["--lr-min", "1e-300", "--lr-max", "1e300", "--per-decade", "100"], "at most 1000"),
        (["--address", "nowhere"], "Invalid address"),
        (["--engine", "process", "--address", "tcp://127.0.0.1:1"], "use it with --engine dask"),
    ],
)
def test_bad_searches_are_refused_in_one_line_before_work(args, message, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["sweep", *TINY, "--optimizers", "SGD", *args, "--out", str(out)]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith("Error:")
    assert not out.exists()


def test_the_progress_bar_shows_only_on_a_terminal_unless_asked(tmp_path):
    runner = CliRunner()
    quiet = runner.invoke(
        main,
        [
            "sweep",
            *map(str, TINY),
            "--optimizers",
            "SGD,Adam",
            "--lrs",
            "0.1",
            "--seeds",
            "1",
            "--out",
            str(tmp_path / "a"),
        ],
    )
    assert quiet.exit_code == 0, quiet.output
    assert "\r" not in quiet.stderr and "run/s" not in quiet.stderr
    shown = runner.invoke(
        main,
        [
            "sweep",
            *map(str, TINY),
            "--optimizers",
            "SGD,Adam",
            "--lrs",
            "0.1",
            "--seeds",
            "1",
            "--progress",
            "--out",
            str(tmp_path / "b"),
        ],
    )
    assert "2/2" in shown.stderr


def test_help_cites_the_protocol():
    result = CliRunner().invoke(main, ["sweep", "--help"])
    assert "Schneider et al. 2019, DeepOBS" in " ".join(result.output.split())


def test_a_winner_at_the_edge_of_the_grid_is_noted_in_the_output_and_the_report(tmp_path):
    result = sweep(
        *("--dataset", "moons", "--model", "logistic", "--optimizers", "SGD,Adam"),
        *("--lrs", "0.0001,0.001", "--epochs", "3", "--seeds", "1", "--jobs", "1"),
        *("--out", tmp_path, "--no-progress"),
    )
    assert result.exit_code == 0, result.output
    note = "SGD's and Adam's best rate is the largest tried (0.001): the best may lie beyond"
    assert f"note: {note}" in result.output
    assert note.replace("'", "&#x27;") in (tmp_path / "report.html").read_text()
    assert json.loads((tmp_path / "results.json").read_text())["notes"][0].startswith(note)


@pytest.mark.parametrize(
    ("in_file", "on_line", "expected"),
    [
        ("lrs = [0.5]", ["--lr-min", "0.01", "--lr-max", "0.1", "--per-decade", "1"], [0.01, 0.1]),
        ("lr-min = 0.01\nlr-max = 0.1", ["--lrs", "0.5"], [0.5]),
        ("lrs = [0.5]\nlr-max = 10", [], "--lr-max would be ignored (in the --config file)"),
        ("seeds = 1", ["--lrs", "0.5", "--lr-min", "0.01"], "--lr-min would be ignored; give"),
    ],
)
def test_a_list_of_rates_and_a_range_the_command_line_wins_one_level_is_refused(
    tmp_path, in_file, on_line, expected
):
    config = tmp_path / "sweep.toml"
    config.write_text(f"[sweep]\n{in_file}\n")
    tiny = ["--optimizers", "SGD", "--epochs", "1", "--seeds", "1", "--jobs", "1"]
    args = ["sweep", "--config", str(config), *on_line, *tiny, "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(main, args)
    if isinstance(expected, str):
        assert result.exit_code == 2 and expected in result.output
    else:
        assert result.exit_code == 0, result.output
        assert json.loads((tmp_path / "o" / "results.json").read_text())["lrs"] == expected
