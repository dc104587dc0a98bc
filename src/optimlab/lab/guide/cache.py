"""The guide's own results, kept beside the runs: experiments that are not `RunSpec` runs.

Landscape starts, effective step sizes, update variances and the guide's synthetic tasks
are computed by small module-level functions ("trials") of plain parameters. Each result
is stored, as JSON, in the table ``guide_trials`` of the run store's SQLite file, keyed by
a hash of the function's name, its parameters and `TRIALS_VERSION`. Trials run on one
BLAS thread each (several run side by side, and on a busy machine BLAS threads wait for
each other far longer than the guide's small products take). One row per
transaction, so an interrupted guide leaves every row whole or absent, and a rerun
computes only what is missing. The ``runs`` table of the `RunStore` is left as it is.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import math
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

#: Part of every key: raised when a trial's meaning changes, so stale results are not reused.
TRIALS_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS guide_trials (
    key TEXT PRIMARY KEY NOT NULL,
    function TEXT NOT NULL,
    params TEXT NOT NULL,
    result TEXT NOT NULL,
    seconds REAL NOT NULL,
    created REAL NOT NULL
)
"""


def plain(value: Any) -> Any:
    """``value`` as JSON values: NumPy numbers and arrays become Python ones, tuples lists,
    and non-finite floats None."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return plain(value.tolist())
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def function_name(function: Callable) -> str:
    """``module:qualname`` of a module-level function (how workers find it)."""
    return f"{function.__module__}:{function.__qualname__}"


def trial_key(function: Callable, params: dict[str, Any]) -> str:
    """The stored key of ``function(**params)``."""
    text = json.dumps(
        {"function": function_name(function), "params": plain(params), "v": TRIALS_VERSION},
        sort_keys=True,
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def call_trial(item: tuple[str, dict[str, Any], str]) -> tuple[str, str, dict, Any, float]:
    """Run one trial (module-level, so that worker processes can receive it): ``item`` is
    ``(function name, params, key)``; returns ``(key, name, params, result, seconds)``."""
    name, params, key = item
    module, qualname = name.split(":")
    function = importlib.import_module(module)
    for part in qualname.split("."):
        function = getattr(function, part)
    start = time.perf_counter()
    with threadpool_limits(1):  # trials run side by side; BLAS threads would wait on each other
        result = plain(function(**params))
    return key, name, params, result, time.perf_counter() - start


class TrialCache:
    """The ``guide_trials`` table in an SQLite file (the run store's, opened first by
    `RunStore`, which checks the file and sets write-ahead logging)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = sqlite3.connect(
            self.path, isolation_level=None, timeout=30.0
        )
        with self._transaction() as conn:
            conn.execute(_SCHEMA)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        finally:  # an error or an interrupt before COMMIT undoes the whole change
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    @property
    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError(f"the guide's results in {self.path} are closed")
        return self._conn

    def close(self) -> None:
        """Close the connection (idempotent)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __len__(self) -> int:
        return self._connection.execute("SELECT COUNT(*) FROM guide_trials").fetchone()[0]

    def has(self, key: str) -> bool:
        """Whether the trial with this key is stored."""
        query = "SELECT 1 FROM guide_trials WHERE key = ?"
        return self._connection.execute(query, (key,)).fetchone() is not None

    def get(self, key: str) -> Any:
        """The stored result (KeyError if absent)."""
        row = self._connection.execute(
            "SELECT result FROM guide_trials WHERE key = ?", (key,)
        ).fetchone()
        if row is None:
            raise KeyError(f"no guide result with key {key!r} in {self.path}")
        return json.loads(row[0])

    def put(self, key: str, function: str, params: dict, result: Any, seconds: float) -> None:
        """Store one result in one transaction (replacing a row with its key)."""
        row = (
            key,
            function,
            json.dumps(plain(params), sort_keys=True, allow_nan=False),
            json.dumps(plain(result), sort_keys=True, allow_nan=False),
            float(seconds),
            time.time(),
        )
        with self._transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO guide_trials VALUES (?, ?, ?, ?, ?, ?)", row)
