"""A run store: one SQLite file holding every finished run, so no configuration runs twice.

Each row is one run, keyed by `RunSpec.key`: the spec, the final numbers (the run's
`summary`), the whole `History`, the diagnosis, the training time and when it was stored,
as JSON text. Each `RunStore.put` is a single transaction in write-ahead-log mode, so an
interrupted program leaves every row either complete or absent and the file never corrupt.
One process writes (the sweep's parent); any number may read.
"""

from __future__ import annotations

import json
import math
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from optimlab.lab.experiment import RunResult, RunSpec
from optimlab.train import History

#: Written into the SQLite header (PRAGMA application_id) to mark the file as ours: "OLRS".
APPLICATION_ID = 0x4F4C5253
#: The layout of the ``runs`` table (PRAGMA user_version).
SCHEMA_VERSION = 1
SQLITE_HEADER = b"SQLite format 3\x00"

_SCHEMA = """
CREATE TABLE runs (
    key TEXT PRIMARY KEY NOT NULL,
    spec TEXT NOT NULL,
    summary TEXT NOT NULL,
    history TEXT NOT NULL,
    diagnosis TEXT NOT NULL,
    seconds REAL NOT NULL,
    created REAL NOT NULL
)
"""
_COLUMNS = ("key", "spec", "summary", "history", "diagnosis", "seconds", "created")


class RunStore:
    """A SQLite file of finished runs, one row per `RunSpec.key`.

    Opening creates the file (and missing parent folders) if needed, and checks that an
    existing file is an optimlab run store in good order. Use it as a context manager, or
    call `close`.

    Args:
        path: the store's file, e.g. ``"runs.sqlite"``.

    Raises:
        ValueError: the file exists but is not an optimlab run store, or is damaged.
        PermissionError: the folder or the file cannot be written.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise ValueError(f"path must be a file path, got {type(path).__name__}")
        self.path = Path(path)
        new = _check_location(self.path)
        self._conn: sqlite3.Connection | None = None
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
            if new:
                self._create_if_missing()
            self._check_identity()
            self._write_ahead_log()
            self._conn.execute("PRAGMA synchronous=FULL")
        except sqlite3.DatabaseError as error:
            self.close()
            raise ValueError(
                f"{self.path} is not a usable optimlab run store ({error}); "
                "give a new file name, or delete the file if it is a damaged store"
            ) from None
        except BaseException:
            self.close()
            raise

    def _write_ahead_log(self) -> None:
        """Switch to write-ahead logging, waiting (up to 30 s) while another program opening
        the same store holds the lock the switch needs (SQLite does not wait for it)."""
        deadline = time.monotonic() + 30.0
        while True:
            try:
                self._connection.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def _create_if_missing(self) -> None:
        """Create the table, unless another process created it first: the check and the
        creation are one write transaction, so two programs opening the same new store at
        the same moment both find one well-formed store."""
        with self._transaction() as conn:
            tables = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if tables == 0:
                conn.execute(_SCHEMA)
                conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction: everything inside is committed together, or nothing is."""
        conn = self._connection
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
            conn.execute("COMMIT")
        finally:  # an error or an interrupt before COMMIT completes undoes the whole change
            if conn.in_transaction:
                conn.execute("ROLLBACK")

    def _check_identity(self) -> None:
        conn = self._connection
        application_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if application_id != APPLICATION_ID:
            raise ValueError(
                f"{self.path} is an SQLite database but not an optimlab run store; "
                "give a new file name for the store"
            )
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ValueError(
                f"{self.path} was written by a newer optimlab (store version {version}, this one "
                f"reads up to {SCHEMA_VERSION}); upgrade optimlab or use a new store"
            )
        columns = tuple(row[1] for row in conn.execute("PRAGMA table_info(runs)"))
        if columns != _COLUMNS:
            raise ValueError(
                f"{self.path} is marked as an optimlab run store but its runs table has columns "
                f"{list(columns)}, expected {list(_COLUMNS)}; the file is damaged, use a new one"
            )
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise ValueError(f"{self.path} is a damaged run store (SQLite says: {check})")

    @property
    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError(f"the run store {self.path} is closed")
        return self._conn

    def close(self) -> None:
        """Close the file (idempotent). Every stored row is already on disk."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> RunStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __len__(self) -> int:
        return self._connection.execute("SELECT COUNT(*) FROM runs").fetchone()[0]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (str, RunSpec)) and self.has(key)

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else f"{len(self)} runs"
        return f"RunStore({str(self.path)!r}, {state})"

    def has(self, key: str | RunSpec) -> bool:
        """True if the run with this key (or this spec) is stored."""
        row = self._connection.execute("SELECT 1 FROM runs WHERE key = ?", (_key(key),)).fetchone()
        return row is not None

    def keys(self) -> list[str]:
        """Every stored key, in the order the runs were stored."""
        return [row[0] for row in self._connection.execute("SELECT key FROM runs ORDER BY rowid")]

    def put(self, result: RunResult) -> str:
        """Store a finished run in one transaction (replacing an earlier row with its key).

        Returns:
            The run's key.
        """
        if not isinstance(result, RunResult):
            raise ValueError(f"put takes a RunResult, got {type(result).__name__}")
        key = result.spec.key()
        row = (
            key,
            _dumps(result.spec.to_dict()),
            _dumps(result.summary()),
            _dumps(result.history.to_dict()),
            _dumps(result.diagnosis),
            float(result.seconds),
            time.time(),
        )
        with self._transaction() as conn:
            conn.execute(
                f"INSERT OR REPLACE INTO runs ({', '.join(_COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return key

    def get(self, key: str | RunSpec) -> RunResult:
        """The stored run with this key (or this spec).

        Raises:
            KeyError: no such run is stored.
        """
        row = self._connection.execute(
            "SELECT spec, history, diagnosis, seconds FROM runs WHERE key = ?", (_key(key),)
        ).fetchone()
        if row is None:
            raise KeyError(f"no run with key {_key(key)!r} in {self.path}")
        return _result(*row)

    def results(self, keys: Iterable[str | RunSpec] | None = None) -> list[RunResult]:
        """The stored runs with these keys, in their order (default: all, in storing order).

        Raises:
            KeyError: one of the keys is not stored.
        """
        if keys is None:
            rows = self._connection.execute(
                "SELECT spec, history, diagnosis, seconds FROM runs ORDER BY rowid"
            )
            return [_result(*row) for row in rows]
        return [self.get(key) for key in keys]

    def summaries(self) -> list[dict[str, Any]]:
        """Every run's final numbers (its `RunResult.summary`) with ``key`` and ``created``
        (Unix time), in storing order, without loading the histories."""
        rows = self._connection.execute("SELECT key, summary, created FROM runs ORDER BY rowid")
        return [
            {"key": key, **json.loads(summary), "created": created}
            for key, summary, created in rows
        ]


def _check_location(path: Path) -> bool:
    """Check that the store can live at ``path``; return True if it is a new store."""
    if path.is_dir():
        raise ValueError(f"the run store path {path} is a folder; give a file name inside it")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass  # SQLite's write-ahead log needs files beside the store
    except OSError as error:
        raise PermissionError(
            f"cannot write the run store in {folder}: {error.strerror or error}; "
            "choose a folder you can write to"
        ) from None
    if not path.exists() or path.stat().st_size == 0:
        return True
    if not os.access(path, os.R_OK | os.W_OK):
        raise PermissionError(f"cannot read and write the run store {path}; check its permissions")
    with open(path, "rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise ValueError(
            f"{path} is not an optimlab run store (not an SQLite database); "
            "give a new file name for the store"
        )
    return False


def _key(key: str | RunSpec) -> str:
    if isinstance(key, RunSpec):
        return key.key()
    if not isinstance(key, str):
        raise ValueError(f"a run key is a string (RunSpec.key()) or a RunSpec, got {key!r}")
    return key


def json_safe(value: Any) -> Any:
    """Non-finite floats become None (JSON has no NaN or infinity), in nested values too."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def _dumps(value: Any) -> str:
    return json.dumps(json_safe(value), allow_nan=False, sort_keys=True)


def _tuples(value: Any) -> Any:
    """JSON lists back to tuples, as RunSpec option values are written (e.g. betas)."""
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


def _result(spec: str, history: str, diagnosis: str, seconds: float) -> RunResult:
    values = json.loads(spec)
    values["options"] = {name: _tuples(v) for name, v in values.get("options", {}).items()}
    return RunResult(
        RunSpec.from_dict(values),
        History.from_dict(json.loads(history)),
        seconds,
        json.loads(diagnosis),
    )
