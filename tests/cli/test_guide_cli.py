"""``optimlab guide``: listing the claims, bad input in one line, a small run, and Ctrl-C
followed by a run that resumes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from optimlab.cli import main
from optimlab.lab.guide import CLAIMS


def guide(*args):
    return CliRunner().invoke(main, ["guide", *map(str, args)], catch_exceptions=False)


def test_list_names_every_claim_and_runs_nothing(tmp_path):
    result = guide("--list", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for c in CLAIMS:
        assert c.id in result.output and c.text in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--claims", "gd-simpel"], "did you mean 'gd-simple'"),
        (["--claims", " , "], "give at least one claim id"),
        (["--markdown", "guide.txt"], "--markdown: must end with .md"),
        (["--jobs", "0"], "--jobs"),
    ],
)
def test_bad_input_is_one_line_before_any_work(tmp_path, args, message):
    result = CliRunner().invoke(main, ["guide", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()


def test_a_store_that_is_not_one_is_refused(tmp_path):
    store = tmp_path / "notes.sqlite"
    store.write_text("not a database")
    result = CliRunner().invoke(main, ["guide", "--store", str(store), "--out", str(tmp_path)])
    assert result.exit_code == 2 and "--store" in result.output
    assert "not an optimlab run store" in result.output


@pytest.mark.slow
def test_two_claims_their_report_and_a_rerun_from_the_store(tmp_path):
    args = ["--quick", "--claims", "gd-simple,adadelta-complex", "--jobs", 1, "--no-progress"]
    first = guide(*args, "--out", tmp_path, "--markdown", tmp_path / "md" / "guide.md")
    assert first.exit_code == 0, first.output
    assert "Simple and easy to implement" in first.output and "supported" in first.output
    data = json.loads((tmp_path / "guide.json").read_text())
    assert [c["id"] for c in data["claims"]] == ["gd-simple", "adadelta-complex"]
    assert list(data["results"]) == ["cost"]
    assert (tmp_path / "md" / "images" / "guide" / "cost.png").stat().st_size > 0
    again = guide(*args, "--out", tmp_path)
    assert "0 runs and trials computed now, 5 reused from the store" in again.output


def stored_trials(path) -> int:
    try:
        with sqlite3.connect(path) as conn:
            return conn.execute("SELECT COUNT(*) FROM guide_trials").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_ctrl_c_keeps_what_finished_and_the_same_command_resumes(tmp_path):
    command = [
        sys.executable,
        "-m",
        "optimlab",
        "guide",
        "--quick",
        "--claims",
        "rmsprop-recent-gradients",
        "--jobs",
        "1",
        "--no-progress",
        "--out",
        str(tmp_path),
    ]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while stored_trials(tmp_path / "guide.sqlite") < 2:
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "no result was stored within 120 s"
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted: every finished run is kept" in err and "run the same command" in err
    kept = stored_trials(tmp_path / "guide.sqlite")
    finished = subprocess.run(
        command, capture_output=True, text=True, timeout=300, env={**os.environ}
    )
    assert finished.returncode == 0, finished.stderr
    reused = int(finished.stdout.split(" reused from the store")[0].split(", ")[-1])
    assert reused >= kept >= 2
