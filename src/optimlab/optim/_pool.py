"""A small pool of sleeping threads that runs compiled kernels on chunks of long buffers.

An update step on millions of values is bound by memory bandwidth, and on most machines one
core cannot use all of it. `run_in_chunks` splits a buffer into chunks of `CHUNK` values and
has the calling thread and the pool's threads take them in turn until none is left: a thread
that falls behind (a busy core) takes fewer. The kernels are Numba functions compiled with
``nogil=True``, so the threads run them at the same time.

Why not Numba's own parallel loops: of its threading layers, ``workqueue`` (the one always
available) gave these loops no second core on the machines measured, and OpenMP's threads
spin for a while after each loop and take the cores from the BLAS threads of a training
loop's next matrix products (docs/benchmarks.md). Threads here wait on a queue, asleep,
whenever no step is running; they are made on first use, remade in a forked child, and never
keep the process alive.

A step must not stop halfway: `uninterrupted` holds back a Ctrl-C until the step is whole.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

__all__ = ["CHUNK", "parallel_threads", "run_in_chunks", "uninterrupted"]

#: Values per chunk: 2 MiB of float32 per array, long enough that handing a chunk to a thread
#: (about 2 us) costs under 1 %, short enough to share the work evenly.
CHUNK = 1 << 19

_pool: tuple[ThreadPoolExecutor | None, int] | None = None  # see `_helpers`
_pool_lock = threading.Lock()


def parallel_threads() -> int:
    """How many threads share a long step: the cores this process may use, at most
    ``NUMBA_NUM_THREADS`` when that environment variable is set."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    limit = os.environ.get("NUMBA_NUM_THREADS", "").strip()
    if limit.isdigit() and int(limit) > 0:
        cores = min(cores, int(limit))
    return max(1, cores)


def _helpers() -> tuple[ThreadPoolExecutor | None, int]:
    """The helper threads and how many there are (one fewer than `parallel_threads`: the
    caller is the other; none on one core), made on first use."""
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                count = parallel_threads() - 1
                name = "optimlab-step"
                threads = ThreadPoolExecutor(count, thread_name_prefix=name) if count else None
                _pool = (threads, count)
    return _pool


def _forget_pool() -> None:
    """In a forked child the pool's threads do not exist: make new ones on first use."""
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def run_in_chunks(task: Callable[[int, int], object], size: int, reverse: bool = False) -> bool:
    """Call ``task(lo, hi)`` once for every chunk ``[lo, hi)`` of ``range(size)``, on this
    thread and the pool's, and return whether any call returned a true value.

    Chunks are handed out in increasing order (``reverse``: decreasing, which finds in cache
    the end of a buffer that a forward pass read last). Returns when every call has
    returned; a Ctrl-C meanwhile is held back until then (`uninterrupted`).
    """
    n_chunks = -(-size // CHUNK)
    order = range(n_chunks - 1, -1, -1) if reverse else range(n_chunks)
    handout = iter(order)
    lock = threading.Lock()

    def work() -> bool:
        found = False
        while True:
            with lock:
                i = next(handout, None)
            if i is None:
                return found
            found |= bool(task(i * CHUNK, min(size, (i + 1) * CHUNK)))

    threads, count = _helpers() if n_chunks > 1 else (None, 0)
    with uninterrupted():
        helpers = [threads.submit(work) for _ in range(count)]
        found = work()
        for helper in helpers:
            if not helper.cancel():  # started: wait for its last chunk
                found |= helper.result()
    return found


_holding = threading.local()


@contextmanager
def uninterrupted() -> Iterator[None]:
    """Hold back Ctrl-C (SIGINT) inside the block and deliver it at the end, so an update
    is applied whole or not at all. Only the main thread receives signals; elsewhere, and
    inside an enclosing `uninterrupted`, this does nothing."""
    nested = getattr(_holding, "active", False)
    if nested or threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = signal.getsignal(signal.SIGINT)
    if not callable(handler):  # ignored, default or set outside Python: nothing to hold
        yield
        return
    caught: list[tuple] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append((signum, frame)))
    _holding.active = True
    try:
        yield
    finally:
        _holding.active = False
        signal.signal(signal.SIGINT, handler)
    if caught:
        handler(*caught[0])
