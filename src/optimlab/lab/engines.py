"""Execution engines: apply one function to many items, here, in a process pool or on dask.

An engine hands each result to a ``keep`` callback as soon as it arrives, so that the caller
can store it at once. On any error or interrupt an engine starts nothing more, keeps every
result that finished, and re-raises. ``work`` must be a module-level function (worker
processes receive it by reference).
"""

from __future__ import annotations

import multiprocessing
import signal
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent import futures as cf
from typing import Any

__all__ = ["ENGINES", "DaskEngine", "Engine", "InlineEngine", "PoolEngine", "import_dask", "make"]

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


def _ignore_interrupts() -> None:
    """Workers ignore Ctrl-C: the parent stops submitting and lets running work end."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class PoolEngine(Engine):
    """A `concurrent.futures.ProcessPoolExecutor` of ``jobs`` workers (forked on Linux, so
    that they start at once with the imports done; spawned elsewhere).

    At most ``jobs`` items are handed to the pool at a time, so nothing queues inside it: on
    an interrupt the parent submits nothing more, waits for the work in progress (one item
    per worker), keeps it, and re-raises.
    """

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
        self.pool = cf.ProcessPoolExecutor(jobs, mp_context=context, initializer=_ignore_interrupts)

    def run(self, work: Callable[[Any], Any], items: Sequence[Any], keep: Callable) -> None:
        waiting = list(reversed(items))
        active: set[cf.Future] = set()  # submitted and not yet kept
        try:
            while waiting or active:
                while waiting and len(active) < self.jobs:
                    active.add(self.pool.submit(work, waiting.pop()))
                done, _ = cf.wait(active, return_when=cf.FIRST_COMPLETED)
                for future in done:
                    keep(future.result())
                    active.discard(future)
        except BaseException:
            cf.wait(active)
            for future in active:
                if not future.cancelled() and future.exception() is None:
                    keep(future.result())
            raise

    def close(self, wait: bool) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=True)


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


def make(engine: str, jobs: int, client: Any = None) -> Engine:
    """The engine by name: ``"dask"`` (`DaskEngine`), or ``"process"``: `InlineEngine` for
    one job, else a `PoolEngine` (whose processes start at the first submission)."""
    if engine == "dask":
        return DaskEngine(jobs, client)
    return InlineEngine() if jobs == 1 else PoolEngine(jobs)


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
