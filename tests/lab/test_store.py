"""The run store: round trips, one row per key, atomic writes, a file that survives being
killed mid-write, and clear errors for files that are not stores or folders that cannot be
written."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from optimlab.lab.experiment import RunResult, RunSpec, run
from optimlab.lab.store import RunStore
from optimlab.train import History

TINY = RunSpec(dataset="moons", model="logistic", n_samples=120, epochs=3, batch_size=16)


def recorded(seed: int, val_loss: float = 0.5) -> RunResult:
    """A result built by hand (no training): what the store keeps is checked field by field."""
    history = History(
        metric="accuracy",
        loss=[0.9, 0.7, math.nan],
        epoch_train_loss=[0.8, 0.6],
        epoch_val_loss=[0.7, val_loss],
        epoch_val_metric=[0.75, 0.8],
        epoch_time=[0.01, 0.02],
    )
    spec = RunSpec(dataset="moons", model="logistic", seed=seed, n_samples=120, epochs=2)
    return RunResult(spec, history, 0.02, {"label": "healthy", "evidence": "e", "remedy": "r"})


@pytest.fixture
def store(tmp_path):
    with RunStore(tmp_path / "runs.sqlite") as opened:
        yield opened


def test_a_real_run_round_trips_exactly(store):
    spec = dataclasses.replace(TINY, options=(("betas", (0.8, 0.9)),))
    result = run(spec)
    key = store.put(result)
    assert key == spec.key()
    back = store.get(key)
    assert back.spec == spec  # option tuples come back as tuples: the spec is equal and hashable
    assert hash(back.spec) == hash(spec)
    assert back.history.to_dict() == result.history.to_dict()
    assert back.seconds == result.seconds
    assert back.diagnosis == result.diagnosis
    assert store.get(spec).spec == spec  # a spec works as its key
    (row,) = store.summaries()
    assert row["key"] == key
    assert row["val_loss"] == result.history.epoch_val_loss[-1]
    assert row["status"] == result.history.stop_reason


def test_non_finite_values_are_stored_as_null_and_read_back_as_nan(store, tmp_path):
    store.put(recorded(0))
    raw = sqlite3.connect(tmp_path / "runs.sqlite")
    (text,) = raw.execute("SELECT history FROM runs").fetchone()
    raw.close()
    assert json.loads(text)["loss"] == [0.9, 0.7, None]
    assert np.isnan(store.get(recorded(0).spec).history.loss[2])


def test_len_has_keys_and_results_follow_the_rows(store):
    results = [recorded(seed) for seed in (3, 1, 2)]
    assert len(store) == 0 and not store.has(results[0].spec)
    for result in results:
        store.put(result)
    keys = [r.spec.key() for r in results]
    assert len(store) == 3
    assert store.keys() == keys  # storing order
    assert keys[1] in store and "0123456789abcdef" not in store
    assert [r.spec.seed for r in store.results()] == [3, 1, 2]
    assert [r.spec.seed for r in store.results([keys[2], keys[0]])] == [2, 3]
    with pytest.raises(KeyError, match="no run with key 'missing'"):
        store.results(["missing"])
    with pytest.raises(KeyError):
        store.get("missing")


def test_putting_a_key_again_keeps_one_row_with_the_newer_result(store):
    store.put(recorded(0, val_loss=0.5))
    store.put(recorded(0, val_loss=0.25))
    assert len(store) == 1
    assert store.get(recorded(0).spec).history.epoch_val_loss[-1] == 0.25


def test_rows_persist_across_reopening_and_the_file_is_in_wal_mode(tmp_path):
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as first:
        first.put(recorded(0))
    with RunStore(path) as second:
        assert second.keys() == [recorded(0).spec.key()]
        mode = second._connection.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_an_interrupted_put_leaves_no_row_and_the_store_usable(store):
    class InterruptAtCommit:  # a Ctrl-C arriving just before the commit
        def __init__(self, conn):
            self.conn = conn

        def execute(self, sql, *args):
            if sql == "COMMIT":
                raise KeyboardInterrupt
            return self.conn.execute(sql, *args)

        @property
        def in_transaction(self):
            return self.conn.in_transaction

    real = store._conn
    store._conn = InterruptAtCommit(real)
    with pytest.raises(KeyboardInterrupt):
        store.put(recorded(0))
    store._conn = real
    assert not real.in_transaction
    assert len(store) == 0
    store.put(recorded(1))
    assert len(store) == 1


def test_a_writer_killed_mid_stream_leaves_a_sound_file_of_complete_rows(tmp_path):
    path = tmp_path / "runs.sqlite"
    script = textwrap.dedent(
        f"""
        from optimlab.lab.experiment import RunResult, RunSpec
        from optimlab.lab.store import RunStore
        from optimlab.train import History
        history = History(metric="accuracy", loss=[0.5] * 20000, epoch_val_loss=[0.4] * 50)
        with RunStore({str(path)!r}) as store:
            for seed in range(100000):
                spec = RunSpec(dataset="moons", seed=seed)
                store.put(RunResult(spec, history, 1.0, {{"label": "healthy"}}))
        """
    )
    writer = subprocess.Popen([sys.executable, "-c", script])
    try:
        deadline = time.monotonic() + 60
        while _rows(path) < 5:
            assert time.monotonic() < deadline, "the writer stored nothing in 60 s"
            time.sleep(0.05)
    finally:
        writer.kill()  # SIGKILL: no cleanup at all
        writer.wait()
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    raw.close()
    with RunStore(path) as store:
        results = store.results()
    assert len(results) >= 5
    assert all(len(r.history.loss) == 20000 for r in results)
    assert sorted(r.spec.seed for r in results) == list(range(len(results)))


def _rows(path) -> int:
    try:
        raw = sqlite3.connect(path)
        try:
            return raw.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        finally:
            raw.close()
    except sqlite3.Error:
        return 0  # not created yet


# -- files that are not stores, places that cannot hold one ---------------------------------


def test_a_text_file_is_not_a_store(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("lr,loss\n0.1,0.5\n")
    with pytest.raises(ValueError, match="not an optimlab run store"):
        RunStore(path)
    assert path.read_text() == "lr,loss\n0.1,0.5\n"  # left untouched


def test_another_sqlite_database_is_not_a_store(tmp_path):
    path = tmp_path / "other.sqlite"
    raw = sqlite3.connect(path)
    raw.execute("CREATE TABLE runs (key TEXT)")
    raw.commit()
    raw.close()
    with pytest.raises(ValueError, match="SQLite database but not an optimlab run store"):
        RunStore(path)


@pytest.mark.parametrize("damage", ["garbled pages", "truncated"])
def test_a_damaged_store_raises_a_clear_error(tmp_path, damage):
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        for seed in range(40):
            store.put(recorded(seed))
    data = bytearray(path.read_bytes())
    assert len(data) > 16384
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        data[4096:8192] = os.urandom(4096)  # the pages after the first
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"runs\.sqlite is not a usable optimlab run store"):
        RunStore(path)


def test_a_sqlite_header_over_garbage_raises_a_clear_error(tmp_path):
    path = tmp_path / "runs.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + os.urandom(2000))
    with pytest.raises(ValueError, match="not a usable optimlab run store"):
        RunStore(path)


def test_an_empty_file_becomes_a_new_store(tmp_path):
    path = tmp_path / "runs.sqlite"
    path.touch()
    with RunStore(path) as store:
        store.put(recorded(0))
        assert len(store) == 1


def test_a_folder_is_not_a_store_path(tmp_path):
    with pytest.raises(ValueError, match="is a folder; give a file name inside it"):
        RunStore(tmp_path)


def test_a_folder_that_cannot_exist_is_reported_at_open(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(PermissionError, match="cannot write the run store in"):
        RunStore(blocker / "runs.sqlite")


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can write any folder"
)
def test_a_read_only_folder_is_reported_at_open(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match="cannot write the run store in"):
            RunStore(folder / "runs.sqlite")
    finally:
        folder.chmod(0o700)


def test_missing_parent_folders_are_created(tmp_path):
    with RunStore(tmp_path / "a" / "b" / "runs.sqlite") as store:
        assert len(store) == 0
    assert (tmp_path / "a" / "b" / "runs.sqlite").is_file()


def test_bad_arguments_and_a_closed_store(tmp_path):
    with pytest.raises(ValueError, match="path must be a file path"):
        RunStore(3)
    store = RunStore(tmp_path / "runs.sqlite")
    with pytest.raises(ValueError, match="put takes a RunResult"):
        store.put({"spec": 1})
    with pytest.raises(ValueError, match="a run key is a string"):
        store.has(7)
    store.close()
    store.close()  # idempotent
    with pytest.raises(ValueError, match="is closed"):
        len(store)


@pytest.mark.slow
def test_two_programs_creating_the_same_new_store_at_once_both_work(tmp_path):
    """Processes held at a barrier (after their imports) open one new store together; each
    puts a run, and every one of them finds a well-formed store holding all the runs."""
    script = textwrap.dedent(
        """
        import pathlib, sys, time
        sys.path.insert(0, sys.argv[3])
        from optimlab.lab.store import RunStore
        from tests.lab.test_store import recorded
        path, seed, go = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[4])
        pathlib.Path(f"{sys.argv[4]}.{seed}").touch()
        while not go.exists():
            time.sleep(0.0005)
        with RunStore(path) as store:
            store.put(recorded(seed))
        """
    )
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    for attempt in range(2):
        path, go = tmp_path / f"race{attempt}.sqlite", tmp_path / f"go{attempt}"
        workers = [
            subprocess.Popen(
                [sys.executable, "-c", script, str(path), str(seed), root, str(go)],
                stderr=subprocess.PIPE,
                text=True,
            )
            for seed in range(3)
        ]
        deadline = time.time() + 60
        while not all((tmp_path / f"go{attempt}.{seed}").exists() for seed in range(3)):
            assert time.time() < deadline and all(w.poll() is None for w in workers)
            time.sleep(0.01)
        go.touch()
        errors = [w.communicate(timeout=60)[1] for w in workers]
        assert [w.returncode for w in workers] == [0, 0, 0], errors
        with RunStore(path) as store:
            assert len(store) == 3
