"""A sweep on a real dask cluster: a scheduler and two workers started as separate processes
(``dask scheduler``, ``dask worker`` on 127.0.0.1), the sweep submitted by ``optimlab sweep
--address``, one worker killed (SIGKILL) while it trains a run. The sweep must complete on
the other worker with every configuration stored exactly once, by the client, and the
same numbers as a process-pool run of the same sweep."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import optimlab
from optimlab.lab.experiment import RunSpec
from optimlab.lab.sweep import sweep

distributed = pytest.importorskip("dask.distributed")
DASK = Path(sys.executable).with_name("dask")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="process groups and signals: Linux"),
    pytest.mark.skipif(not DASK.exists(), reason="the dask command is not installed"),
]

#: Loaded by each worker (``--preload``): real runs, but once the store holds 3 rows each
#: run waits for the test's release file, leaving a file that names its worker's process.
GATE = """
import os, sqlite3, time
from pathlib import Path
from optimlab.lab import sweep as sweep_module

folder = Path(os.environ["OPTIMLAB_TEST_FOLDER"])
real = getattr(sweep_module.run, "real", sweep_module.run)  # dask may load this file twice

def stored():
    try:
        with sqlite3.connect(folder / "out" / "runs.sqlite", timeout=5) as conn:
            return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    except sqlite3.Error:
        return 0

def gated(spec):
    result = real(spec)
    if stored() >= 3 and not (folder / "release").exists():
        (folder / f"held-{os.getpid()}-{spec.key()}").touch()
        while not (folder / "release").exists():
            time.sleep(0.01)
    return result

gated.real = real
sweep_module.run = gated
"""

OPTIMIZERS = ["SGD", "Adam"]
LRS = [1e-3, 1e-2, 1e-1, 1.0, 10.0]
TOTAL = len(OPTIMIZERS) * len(LRS) + len(OPTIMIZERS)  # tuning, then each best on seed 1


def stored_rows(path: Path) -> dict[str, list]:
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    count, distinct = raw.execute("SELECT COUNT(*), COUNT(DISTINCT key) FROM runs").fetchone()
    rows = raw.execute("SELECT key, history FROM runs").fetchall()
    raw.close()
    assert count == distinct
    return {key: json.loads(history)["epoch_val_loss"] for key, history in rows}


class Processes:
    """The processes a test starts, each in its own process group with its output in a
    file of ``folder``; all killed at the end."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.started: list[subprocess.Popen] = []

    def start(self, name: str, *command: str) -> subprocess.Popen:
        with (
            (self.folder / f"{name}.out").open("w") as out,
            (self.folder / f"{name}.log").open("w") as log,
        ):
            process = subprocess.Popen(
                command,
                env=self.env,
                cwd=self.folder,
                stdout=out,
                stderr=log,
                start_new_session=True,  # its own process group, killed as one
            )
        self.started.append(process)
        return process

    def output(self, name: str) -> tuple[str, str]:
        """What ``name`` wrote on stdout and stderr."""
        return tuple((self.folder / f"{name}.{e}").read_text() for e in ("out", "log"))

    def wait_for(self, condition, seconds: float, what: str) -> None:
        """Until ``condition()``; fails at once if a process ends, showing the logs."""
        deadline = time.monotonic() + seconds
        while not condition():
            if any(process.poll() is not None for process in self.started):
                logs = {f.name: f.read_text()[-2000:] for f in self.folder.glob("*.log")}
                pytest.fail(f"a process ended while waiting for {what}: {logs}")
            assert time.monotonic() < deadline, f"not within {seconds} s: {what}"
            time.sleep(0.05)

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def test_a_sweep_survives_a_killed_worker_and_stores_each_run_once(tmp_path):
    (tmp_path / "gate.py").write_text(GATE)
    source = str(Path(optimlab.__file__).parents[1])
    processes = Processes(
        tmp_path,
        {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
            "OPTIMLAB_TEST_FOLDER": str(tmp_path),
            # a result lost with its worker is asked for again after 5 s, not dask's 30
            "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "5s",
        },
    )
    scheduler_file = tmp_path / "scheduler.json"
    try:
        processes.start(
            "scheduler",
            str(DASK),
            "scheduler",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--no-dashboard",
            "--scheduler-file",
            str(scheduler_file),
        )

        def scheduler_address() -> str | None:
            """The address, once the scheduler has written its file whole (it exists, empty,
            a moment before)."""
            try:
                return json.loads(scheduler_file.read_text())["address"]
            except (OSError, ValueError, KeyError):
                return None

        processes.wait_for(lambda: scheduler_address() is not None, 60, "the scheduler's address")
        address = scheduler_address()
        assert address.startswith("tcp://127.0.0.1:")
        workers = [
            processes.start(
                f"worker-{i}",
                str(DASK),
                "worker",
                address,
                "--nthreads",
                "1",
                "--no-nanny",
                "--no-dashboard",
                "--name",
                f"worker-{i}",
                "--preload",
                str(tmp_path / "gate.py"),
            )
            for i in range(2)
        ]
        with distributed.Client(address, timeout=30, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)

        sweep_process = processes.start(
            "sweep",
            sys.executable,
            "-m",
            "optimlab",
            "sweep",
            "--dataset",
            "moons",
            "--n-samples",
            "120",
            "--model",
            "logistic",
            "--epochs",
            "3",
            "--batch-size",
            "16",
            "--optimizers",
            ",".join(OPTIMIZERS),
            "--lrs",
            ",".join(map(str, LRS)),
            "--seeds",
            "2",
            "--address",
            address,
            "--progress",
            "--out",
            str(tmp_path / "out"),
        )

        def held_by(process: subprocess.Popen) -> list[Path]:
            return list(tmp_path.glob(f"held-{process.pid}-*"))

        # both workers inside a run that cannot finish: the kill lands mid-run
        processes.wait_for(lambda: all(held_by(w) for w in workers), 90, "two held runs")
        killed_key = held_by(workers[0])[0].name.split("-", 2)[2]
        before = stored_rows(tmp_path / "out" / "runs.sqlite")
        assert 3 <= len(before) < TOTAL and killed_key not in before
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=10)
        (tmp_path / "release").touch()
        sweep_process.wait(timeout=120)
        stdout, stderr = processes.output("sweep")
        assert sweep_process.returncode == 0, stderr
    finally:
        processes.kill_all()

    # every configuration once: the stored keys are exactly those of the result
    dask_rows = stored_rows(tmp_path / "out" / "runs.sqlite")
    data = json.loads((tmp_path / "out" / "results.json").read_text())
    expected = {row["key"] for row in data["sensitivity"]}
    expected |= {run["key"] for runs in data["seed_runs"].values() for run in runs}
    assert set(dask_rows) == expected and len(dask_rows) == TOTAL
    assert killed_key in dask_rows  # the killed worker's run was trained again, stored once
    assert f"{TOTAL} runs trained now, 0 reused from the store" in stdout
    assert f"{TOTAL}/{TOTAL}" in stderr  # the progress bar counted every finished run

    # the same sweep in a process pool gives the same runs and the same numbers
    base = RunSpec.from_dict(data["base"])
    pool = sweep(base, OPTIMIZERS, LRS, seeds=(0, 1), store=tmp_path / "pool.sqlite", jobs=2)
    assert stored_rows(tmp_path / "pool.sqlite") == dask_rows
    timeless = [
        {k: v for k, v in row.items() if not k.startswith("seconds")} for row in pool.table()
    ]
    assert timeless == [
        {k: v for k, v in row.items() if not k.startswith("seconds")}
        for row in json.loads(json.dumps(data["table"]))
    ]
    assert data["verdict"]["text"] == pool.verdict.text
