"""The process engine: no worker outlives the program, however it ends (kill -9, SIGTERM,
Ctrl-C twice), and the first Ctrl-C says what it waits for, then keeps that work. The dask
engine on a scheduler given by its address (`connect`)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from optimlab.lab import engines
from optimlab.lab.engines import DaskEngine, InlineEngine, PoolEngine, connect

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc: Linux")

SCRIPT = """
import os, signal, sys, time
from pathlib import Path
from optimlab.lab.engines import PoolEngine, Terminated

folder = Path(sys.argv[1])

def work(item):  # records its process, then waits for the test's release file
    (folder / f"worker-{item}").write_text(str(os.getpid()))
    while not (folder / "release").exists():
        time.sleep(0.01)
    return item

def on_term(signum, frame):
    raise Terminated

if __name__ == "__main__":
    signal.signal(signal.SIGTERM, on_term)
    kept = []
    engine = PoolEngine(2, notify=lambda message: print(message, file=sys.stderr, flush=True))
    try:
        engine.run(work, [0, 1, 2, 3], kept.append)
    except KeyboardInterrupt as error:
        print(f"{type(error).__name__}; kept {sorted(kept)}", file=sys.stderr, flush=True)
        engine.close(wait=False)
        sys.exit(130)
    engine.close(wait=True)
"""


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie no longer counts)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except FileNotFoundError:
        return False
    return status != "Z"


def start(tmp_path: Path) -> tuple[subprocess.Popen, list[int]]:
    """The script running, with its two workers inside their first items."""
    script = tmp_path / "engine.py"
    script.write_text(textwrap.dedent(SCRIPT))
    process = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    files = [tmp_path / "worker-0", tmp_path / "worker-1"]
    while not all(f.exists() and f.read_text() for f in files):
        assert process.poll() is None, process.stderr.read()
        assert time.monotonic() < deadline, "the workers did not start within 60 s"
        time.sleep(0.02)
    return process, [int(f.read_text()) for f in files]


def wait_gone(pids: list[int], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids):
        assert time.monotonic() < deadline, f"workers still running: {pids}"
        time.sleep(0.05)


@pytest.mark.slow
def test_workers_die_with_their_parent_even_after_kill_9(tmp_path):
    process, workers = start(tmp_path)
    process.kill()
    process.wait(timeout=10)
    wait_gone(workers)


@pytest.mark.slow
def test_sigterm_stops_the_workers_at_once(tmp_path):
    process, workers = start(tmp_path)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130 and "Terminated; kept []" in stderr
    wait_gone(workers)


@pytest.mark.slow
def test_ctrl_c_says_what_it_waits_for_and_keeps_it_a_second_stops_at_once(tmp_path):
    process, workers = start(tmp_path)
    process.send_signal(signal.SIGINT)
    line = process.stderr.readline()
    assert "waiting for the 2 run(s) in progress" in line and "Ctrl-C again" in line
    assert all(alive(pid) for pid in workers)  # still working: nothing was killed
    (tmp_path / "release").touch()
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130 and "KeyboardInterrupt; kept [0, 1]" in stderr
    wait_gone(workers)

    for name in ("worker-0", "worker-1", "worker-2", "worker-3", "release"):
        (tmp_path / name).unlink(missing_ok=True)
    process, workers = start(tmp_path)
    process.send_signal(signal.SIGINT)
    assert "waiting for the 2 run(s)" in process.stderr.readline()
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 130 and "kept []" in stderr
    wait_gone(workers)


def test_results_arrive_as_each_item_finishes():
    kept: list[int] = []
    engine = PoolEngine(2)
    engine.run(abs, [-3, -1, -2], kept.append)
    engine.close(wait=True)
    assert sorted(kept) == [1, 2, 3] and engine.pool is None
    InlineEngine().run(abs, [-4], kept.append)
    assert kept[-1] == 4


def test_an_error_in_a_worker_reaches_the_caller_after_the_others_are_kept():
    kept: list[float] = []
    engine = PoolEngine(2)
    with pytest.raises(ZeroDivisionError):
        engine.run(_inverse, [1, 0, 2], kept.append)
    engine.close(wait=False)
    assert 1.0 in kept and engine.pool is None


def _inverse(x: float) -> float:
    return 1 / x


def _threshold(_: object) -> object:
    from optimlab.optim import parallel_threshold

    return parallel_threshold()


def test_workers_update_on_one_thread_and_the_parent_keeps_its_setting():
    """The workers already share the cores: each steps on its own thread."""
    from optimlab.optim import parallel_threshold

    kept: list[object] = []
    engine = PoolEngine(2)
    engine.run(_threshold, [0, 1], kept.append)
    engine.close(wait=True)
    assert kept == [None, None]
    assert parallel_threshold() == 2**21


def test_nothing_starts_until_there_is_work():
    engine = PoolEngine(2)
    engine.run(abs, [], print)
    assert engine.pool is None
    engine.close(wait=True)


# -- dask: a scheduler given by its address ----------------------------------------------------


@pytest.fixture
def local_scheduler():
    """A dask scheduler with one worker thread in this process, reachable over TCP."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def test_connect_gives_a_client_the_dask_engine_submits_to_and_leaves_open(local_scheduler):
    client = connect(local_scheduler, timeout=10)
    try:
        engine = DaskEngine(jobs=1, client=client)
        kept: list[int] = []
        engine.run(abs, [-3, -1, -2], kept.append)
        engine.close(wait=True)
        assert sorted(kept) == [1, 2, 3]
        assert client.status == "running"  # the caller's client: the engine does not close it
    finally:
        client.close()


def version_elsewhere() -> str:
    """optimlab's version in the main thread, another one in a worker's thread."""
    import optimlab

    return (
        optimlab.__version__ if threading.current_thread() is threading.main_thread() else "0.0.1"
    )


def test_connect_refuses_workers_that_run_another_optimlab(local_scheduler, monkeypatch):
    monkeypatch.setattr(engines, "_optimlab_version", version_elsewhere)
    with pytest.raises(
        ValueError, match=r"must run optimlab .*: tcp://127\.0\.0\.1:\d+ has 0\.0\.1"
    ):
        connect(local_scheduler, timeout=10)


def test_connect_says_what_is_wrong_with_an_address_in_one_line():
    pytest.importorskip("dask.distributed")
    with pytest.raises(ValueError, match="Invalid address: 'nowhere'"):
        connect("nowhere")
    start = time.monotonic()
    with pytest.raises(
        ConnectionError, match=r"no dask scheduler answered at tcp://127\.0\.0\.1:1 within 0\.5 s"
    ):
        connect("tcp://127.0.0.1:1", timeout=0.5)
    assert time.monotonic() - start < 5


def test_connect_refuses_a_server_that_is_not_a_dask_scheduler():
    pytest.importorskip("dask.distributed")
    with socket.create_server(("127.0.0.1", 0)) as server:  # answers HTTP-like junk
        port = server.getsockname()[1]

        def answer() -> None:
            connection, _ = server.accept()
            with connection:
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n" * 4)
                time.sleep(1)

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        with pytest.raises(ConnectionError, match=f"127.0.0.1:{port} is not a dask scheduler"):
            connect(f"tcp://127.0.0.1:{port}", timeout=2)
        thread.join(timeout=5)
