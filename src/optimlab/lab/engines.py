"""Execution engines: apply one function to many items, here, in a process pool or on dask.

An engine hands each result to a ``keep`` callback as soon as it arrives, in the calling
process, so that the caller (and only the caller) can store it at once. On any error or
interrupt an engine starts nothing more, keeps every result that finished, and re-raises.
``work`` must be a module-level function (worker processes receive it by reference, so a
dask worker needs optimlab installed).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import multiprocessing
import os
import queue
import signal
import sys
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any

from optimlab.optim import set_parallel_threshold

__all__ = [
    "ENGINES",
    "DaskEngine",
    "Engine",
    "InlineEngine",
    "PoolEngine",
    "Terminated",
    "connect",
    "import_dask",
    "make",
]

#: The engine names `make` accepts.
ENGINES = ("process", "dask")
#: Seconds `connect` waits for a dask scheduler to answer.
CONNECT_TIMEOUT = 10.0


class Engine(ABC):
    """Runs ``work`` on items, calling ``keep`` with each result as it arrives."""

    @abstractmethod
    def run(self, work: Callable[[Any], Any], items: Sequence[Any], keep: Callable) -> None:
        """Call ``keep(work(item))`` for every item (in any order)."""

    def close(self, wait: bool) -> None:
        """Release the workers (``wait``: let running work finish first)."""


class InlineEngine(Engine):
    """One item after the other, in the calling process."""

    def run(self, work: Callable[[Any], Any], items: Sequence[Any], keep: Callable) -> None:
        for item in items:
            keep(work(item))


class Terminated(KeyboardInterrupt):
    """The program was asked to stop now (SIGTERM): engines stop their workers at once
    instead of waiting for the work in progress. The command line raises it from its
    SIGTERM handler."""


def _worker_setup(parent: int) -> None:
    """In each worker: leave Ctrl-C to the parent (which decides what to wait for), die on
    SIGTERM, die with the parent however it ends (even ``kill -9``), and update on one
    thread (the workers already share the cores)."""
    set_parallel_threshold(None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    else:  # pragma: no cover - a watchdog where the kernel offers no parent-death signal
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _watch_parent(parent: int) -> None:  # pragma: no cover - non-Linux only
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _next(done: queue.SimpleQueue) -> tuple[bool, Any]:
    """The next ``(ok, result or error)`` a worker reported (waiting in short slices, so
    that Ctrl-C is seen at once)."""
    while True:
        try:
            return done.get(timeout=0.2)
        except queue.Empty:
            continue


class PoolEngine(Engine):
    """A `multiprocessing.Pool` of ``jobs`` workers (forked on Linux, so that they start at
    once with the imports done; spawned elsewhere), started at the first item.

    At most ``jobs`` items are handed to the pool at a time, so nothing queues inside it.
    On Ctrl-C the parent submits nothing more, says (through ``notify``) which runs it waits
    for, waits for them and keeps them; a second Ctrl-C, SIGTERM (`Terminated`) or the
    parent's death stops the workers at once. No worker outlives the engine.
    """

    def __init__(self, jobs: int, notify: Callable[[str], None] | None = None) -> None:
        self.jobs = jobs
        self.notify = notify or (lambda message: None)
        self.pool: Any = None

    def _start(self) -> Any:
        if self.pool is None:
            context = multiprocessing.get_context("fork" if sys.platform == "linux" else None)
            self.pool = context.Pool(self.jobs, _worker_setup, (os.getpid(),))
        return self.pool

    def run(self, work: Callable[[Any], Any], items: Sequence[Any], keep: Callable) -> None:
        if not items:
            return
        pool = self._start()
        done: queue.SimpleQueue = queue.SimpleQueue()
        waiting = list(reversed(items))
        active = 0
        try:
            while waiting or active:
                while waiting and active < self.jobs:
                    pool.apply_async(
                        work,
                        (waiting.pop(),),
                        callback=lambda result: done.put((True, result)),
                        error_callback=lambda error: done.put((False, error)),
                    )
                    active += 1
                ok, value = _next(done)
                active -= 1
                if not ok:
                    raise value
                keep(value)
        except Terminated:
            self.stop_now()
            raise
        except BaseException as error:
            if active and isinstance(error, KeyboardInterrupt):
                self.notify(
                    f"stopping: waiting for the {active} run(s) in progress to finish so that "
                    "they are kept; press Ctrl-C again to stop at once"
                )
            self._finish(done, active, keep)
            raise

    def _finish(self, done: queue.SimpleQueue, active: int, keep: Callable) -> None:
        """Keep what the ``active`` items in progress give; stop at once on a new Ctrl-C."""
        try:
            for _ in range(active):
                ok, value = _next(done)
                if ok:
                    keep(value)
        except BaseException:
            self.stop_now()
            raise

    def stop_now(self) -> None:
        """Kill the workers (their runs in progress are lost) and wait until they are gone."""
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()
            self.pool = None

    def close(self, wait: bool) -> None:
        if self.pool is None:
            return
        if not wait:
            self.stop_now()
            return
        self.pool.close()
        self.pool.join()
        self.pool = None


class DaskEngine(Engine):
    """A dask.distributed client: the one given (a scheduler anywhere, see `connect`), or a
    local cluster of ``jobs`` worker processes started here and closed at the end.

    Every item is submitted at once; each result is handed to ``keep`` as it arrives, then
    released from the cluster. A worker that dies loses its items in progress, and dask runs
    them again on the others (up to its ``distributed.scheduler.allowed-failures``); each
    item's result still reaches ``keep`` once. On an interrupt the unfinished items are
    cancelled and the finished ones kept.
    """

    def __init__(self, jobs: int, client: Any = None) -> None:
        self.distributed = import_dask()
        self.own_client = client is None
        if client is None:
            client = self.distributed.Client(n_workers=jobs, threads_per_worker=1)
        self.client = client

    def run(self, work: Callable[[Any], Any], items: Sequence[Any], keep: Callable) -> None:
        submitted = [self.client.submit(work, item, pure=False) for item in items]
        pending = set(submitted)
        try:
            for future in self.distributed.as_completed(submitted, loop=self.client.loop):
                if future not in pending:  # as_completed reports each once; be sure
                    continue
                keep(future.result())
                pending.discard(future)
                future.release()  # a worker lost later need not compute it again
        except BaseException:
            self.client.cancel([f for f in pending if not f.done()])
            for future in pending:
                if future.status == "finished":
                    keep(future.result())
            raise

    def close(self, wait: bool) -> None:
        if self.own_client:
            self.client.close()


def connect(address: str, timeout: float = CONNECT_TIMEOUT) -> Any:
    """A ``dask.distributed.Client`` of the scheduler at ``address`` (``tcp://HOST:PORT``,
    as ``dask scheduler`` prints it), for `DaskEngine`; close it when done (the cluster
    keeps running). Checks that every worker runs this version of optimlab.

    Raises:
        ImportError: dask.distributed is not installed (saying how to install it).
        ValueError: ``address`` is not an address, or a worker runs another optimlab.
        ConnectionError: no scheduler answered at ``address`` within ``timeout`` seconds, or
            what answered is not a dask scheduler.
    """
    distributed = import_dask()
    if not isinstance(address, str) or not address.strip():
        raise ValueError(f"Invalid address: {address!r}; give the scheduler's tcp://HOST:PORT")
    timeout = float(timeout)
    try:
        with concurrent.futures.ThreadPoolExecutor(1) as thread:  # also under a running loop
            thread.submit(asyncio.run, _probe(address.strip(), timeout)).result()
    except ValueError as error:
        raise ValueError(
            f"Invalid address: {address!r} ({error}); give the scheduler's tcp://HOST:PORT"
        ) from None
    except OSError as error:
        raise ConnectionError(
            f"no dask scheduler answered at {address} within {timeout:g} s ({error}); start "
            "one with `dask scheduler` and give the address it prints"
        ) from None
    except Exception as error:  # something else listens there and answered nonsense
        raise ConnectionError(
            f"what answered at {address} is not a dask scheduler ({type(error).__name__}: "
            f"{error}); give the address `dask scheduler` prints"
        ) from None
    client = distributed.Client(address.strip(), timeout=timeout, set_as_default=False)
    try:
        versions = client.run(_optimlab_version)
    except ImportError:
        client.close()
        raise ValueError(
            f"the dask workers of {address} cannot import optimlab; install optimlab on "
            "every worker (the same version as here)"
        ) from None
    mine = _optimlab_version()
    other = {worker: v for worker, v in versions.items() if v != mine}
    if other:
        client.close()
        listed = ", ".join(f"{worker} has {v}" for worker, v in sorted(other.items()))
        raise ValueError(
            f"the dask workers must run optimlab {mine}, as here: {listed}; install the "
            "same version on every worker"
        )
    return client


async def _probe(address: str, timeout: float) -> None:
    """Open and close one connection to ``address`` (a clean error where a failed
    ``Client`` would leave a half-made client behind)."""
    from distributed.comm import connect as open_comm

    comm = await open_comm(address, timeout=timeout)
    await comm.close()


def _optimlab_version() -> str:
    """The optimlab version of this process (run on each worker by `connect`)."""
    import optimlab

    return optimlab.__version__


def make(
    engine: str, jobs: int, client: Any = None, notify: Callable[[str], None] | None = None
) -> Engine:
    """The engine by name: ``"dask"`` (`DaskEngine`), or ``"process"``: `InlineEngine` for
    one job, else a `PoolEngine` (whose processes start at the first item). ``notify``
    receives messages for the user (what an interruption waits for)."""
    if engine == "dask":
        return DaskEngine(jobs, client)
    return InlineEngine() if jobs == 1 else PoolEngine(jobs, notify)


def import_dask() -> Any:
    """``dask.distributed``, or an ImportError saying how to install it."""
    try:
        from dask import distributed
    except ImportError:
        raise ImportError(
            'engine="dask" needs dask.distributed, which is not installed; install it with '
            'pip install "dask[distributed]", or use the default engine="process"'
        ) from None
    return distributed
