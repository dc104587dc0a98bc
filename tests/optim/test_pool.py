"""The chunk pool: every value once, results combined, Ctrl-C held back, forks and threads."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading

import numpy as np
import pytest

from optimlab import optim
from optimlab.optim import _pool
from optimlab.optim._kernels import HAVE_NUMBA

needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="Numba is not installed")


@pytest.fixture
def chunks_of_100(monkeypatch):
    monkeypatch.setattr(_pool, "CHUNK", 100)


@pytest.mark.parametrize("size", [1, 99, 100, 101, 1000, 1017])
@pytest.mark.parametrize("reverse", [False, True])
def test_every_index_is_covered_exactly_once(size, reverse, chunks_of_100):
    seen = np.zeros(size, dtype=int)
    calls = []
    lock = threading.Lock()

    def task(lo, hi):
        with lock:
            calls.append((lo, hi))
        seen[lo:hi] += 1
        return False

    assert _pool.run_in_chunks(task, size, reverse=reverse) is False
    assert (seen == 1).all()
    assert len(calls) == -(-size // 100)
    assert all(hi - lo <= 100 for lo, hi in calls)


def test_chunks_are_handed_out_in_the_order_asked_for(chunks_of_100, monkeypatch):
    monkeypatch.setattr(_pool, "_helpers", lambda: (None, 0))  # one thread: the order is exact
    for reverse, expected in ((False, [0, 100, 200]), (True, [200, 100, 0])):
        starts: list[int] = []
        _pool.run_in_chunks(lambda lo, hi, seen=starts: seen.append(lo), 250, reverse=reverse)
        assert starts == expected


@pytest.mark.skipif(_pool.parallel_threads() < 2, reason="one core: nothing to share")
def test_the_chunks_are_shared_among_threads(chunks_of_100):
    import time

    threads = set()

    def task(lo, hi):
        threads.add(threading.get_ident())
        time.sleep(0.005)  # releases the GIL, as the compiled kernels do

    _pool.run_in_chunks(task, 2000)
    assert len(threads) >= 2


@pytest.mark.parametrize("where", [0, 555, 999])
def test_any_true_result_is_reported(where, chunks_of_100):
    assert _pool.run_in_chunks(lambda lo, hi: lo <= where < hi, 1000) is True


@needs_numba
@pytest.mark.parametrize("where", [None, 0, 512_345, 2**20 + 7])
def test_nonfinite_check_on_a_shared_buffer(where):
    x = np.ones(2**20 + 8, dtype=np.float32)  # three chunks of 2^19 values
    if where is not None:
        x[where] = np.nan if where % 2 else np.inf
    assert optim.has_nonfinite(x) is (where is not None)


def test_ctrl_c_inside_waits_until_every_chunk_ran(chunks_of_100):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    done = np.zeros(1000, dtype=int)

    def task(lo, hi):
        if lo == 0:
            os.kill(os.getpid(), signal.SIGINT)
        done[lo:hi] += 1

    with pytest.raises(KeyboardInterrupt):
        _pool.run_in_chunks(task, 1000)
    assert (done == 1).all()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_uninterrupted_calls_the_users_handler_afterwards_once():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        with _pool.uninterrupted():
            os.kill(os.getpid(), signal.SIGINT)
            os.kill(os.getpid(), signal.SIGINT)
            assert received == []
        assert received == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


@needs_numba
def test_a_long_step_interrupted_is_applied_whole(monkeypatch):
    """Ctrl-C during a shared step: the step and its count are complete when it lands."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    monkeypatch.setattr(_pool, "CHUNK", 1000)
    default = optim.parallel_threshold()
    optim.set_parallel_threshold(1000)
    try:
        rng = np.random.default_rng(0)
        start, g = rng.normal(size=10_000), rng.normal(size=10_000)
        expected = start.copy()
        optim.SGD(expected, lr=0.1).step(g)
        params = start.copy()
        opt = optim.SGD(params, lr=0.1)
        real = _pool.run_in_chunks

        def interrupted(task, size, reverse=False):
            def first_interrupts(lo, hi):
                if lo == 0:
                    os.kill(os.getpid(), signal.SIGINT)
                return task(lo, hi)

            return real(first_interrupts, size, reverse)

        monkeypatch.setattr("optimlab.optim.rules.run_in_chunks", interrupted)
        with pytest.raises(KeyboardInterrupt):
            opt.step(g)
        np.testing.assert_array_equal(params, expected)
        assert opt.step_count == 1
    finally:
        optim.set_parallel_threshold(default)


def _step_in_child(queue):
    params = np.zeros(2**20 + 3, dtype=np.float32)
    optim.SGD(params, lr=1.0).step(np.ones_like(params))
    queue.put(float(params.sum()))


@needs_numba
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_gets_a_pool_of_its_own():
    params = np.zeros(2**20 + 3, dtype=np.float32)
    optim.SGD(params, lr=1.0).step(np.ones_like(params))  # the parent's pool now runs
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_step_in_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    if child.is_alive():
        child.kill()
        pytest.fail("the child's shared step hung")
    assert queue.get(timeout=5) == -(2**20 + 3)


def test_parallel_threads_follow_numba_num_threads(monkeypatch):
    monkeypatch.setenv("NUMBA_NUM_THREADS", "1")
    assert _pool.parallel_threads() == 1
    monkeypatch.delenv("NUMBA_NUM_THREADS")
    assert _pool.parallel_threads() == len(os.sched_getaffinity(0))


@needs_numba
@pytest.mark.parametrize("size", [200_000, 2**20 + 5])  # one compiled call; chunks
def test_ctrl_c_during_a_loop_of_steps_leaves_whole_counted_steps(size):
    """SGD with lr 1 and gradient 1: after k counted steps every parameter is -k, wherever
    the Ctrl-C landed (it mostly lands inside the compiled update, and Python raises it
    right after the call returns, before the step is counted unless optimlab sees to it)."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    g = np.ones(size)
    for _ in range(3):
        params = np.zeros(size)
        opt = optim.SGD(params, lr=1.0)
        opt.step(g)  # compiled before the clock starts
        timer = threading.Timer(0.2, os.kill, (os.getpid(), signal.SIGINT))
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            for _ in range(10**6):
                opt.step(g)
        timer.join()
        assert params[0] == params[-1] == -opt.step_count
