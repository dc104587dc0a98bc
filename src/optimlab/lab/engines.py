"""Execution engines: apply one function to many items, here, in a process pool or on dask.

An engine hands each result to a ``keep`` callback as soon as it arrives, so that the caller
can store it at once. On any error or interrupt an engine starts nothing more, keeps every
result that finished, and re-raises. ``work`` must be a module-level function (worker
processes receive it by reference).
"""

from __future__ import annotations

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

__all__ = [
    "ENGINES",
    "DaskEngine",
    "Engine",
    "InlineEngine",
    "PoolEngine",
    "Terminated",
    "import_dask",
    "make",
]

#: The engine names `make` accepts.
ENGINES = ("process", "dask")


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
    SIGTERM, and die with the parent however it ends (even ``kill -9``)."""
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
    """A dask.distributed client: the one given, or a local cluster of ``jobs`` workers.
    Every item is submitted at once; on an interrupt the unfinished ones are cancelled."""

    def __init__(self, jobs: int, client: Any = None) -> None:
        self.distributed = import_dask()
        self.own_client = client is None
        if client is None:
            client = self.distributed.Client(n_workers=jobs, threads_per_worker=1)
        self.client = client

    def run(self, work: Callable[[Any], Any], items: Sequence[Any], keep: Callable) -> None:
        submitted = [self.client.submit(work, item, pure=False) for item in items]
        kept: set[str] = set()
        try:
            for future in self.distributed.as_completed(submitted):
                keep(future.result())
                kept.add(future.key)
        except BaseException:
            self.client.cancel([f for f in submitted if not f.done()])
            for future in submitted:
                if future.key not in kept and future.status == "finished":
                    keep(future.result())
            raise

    def close(self, wait: bool) -> None:
        if self.own_client:
            self.client.close()


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
