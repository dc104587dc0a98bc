"""Data fingerprints: SHA-256 of the bytes (hashlib computed here), one hash per unchanged
file per process, a new one for new contents."""

import hashlib
import os
import shutil
import time

import pytest

import optimlab.data.fingerprints as module
from optimlab.data import file_identity, fingerprint, settled_identity

HOUR_AGO = time.time_ns() - 3600 * 10**9


def settled(path, text, when=HOUR_AGO):
    """Write ``text`` and date it ``when`` (settled: older than SETTLE_SECONDS)."""
    path.write_text(text)
    os.utime(path, ns=(when, when))
    return path


def test_the_fingerprint_is_the_sha256_of_the_bytes_wherever_the_file_lies(tmp_path):
    path = settled(tmp_path / "a.csv", "x,y\n1,2\n")
    assert fingerprint(path) == hashlib.sha256(b"x,y\n1,2\n").hexdigest()
    copy = tmp_path / "sub" / "b.csv"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    assert fingerprint(copy) == fingerprint(path)
    settled(copy, "x,y\n1,3\n")  # same size, new contents
    assert fingerprint(copy) == hashlib.sha256(b"x,y\n1,3\n").hexdigest()


def test_an_unchanged_file_is_hashed_once(tmp_path, monkeypatch):
    calls = []
    real = hashlib.sha256

    def counted(*args):
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(module.hashlib, "sha256", counted)
    path = settled(tmp_path / "a.csv", "x,y\n1,2\n")
    first = fingerprint(path)
    assert fingerprint(path) == first and len(calls) == 1
    settled(path, "x,y\n5,6\n", when=HOUR_AGO + 10**9)  # rewritten: a new identity
    assert fingerprint(path) != first and len(calls) == 2


def test_a_file_modified_just_now_is_hashed_at_every_call(tmp_path, monkeypatch):
    path = tmp_path / "fresh.csv"
    path.write_text("x,y\n1,2\n")
    assert settled_identity(path) is None
    assert file_identity(path)[1] == len("x,y\n1,2\n")
    calls = []
    real = hashlib.sha256
    monkeypatch.setattr(module.hashlib, "sha256", lambda *a: calls.append(1) or real(*a))
    fingerprint(path)
    path.write_text("x,y\n3,4\n")  # perhaps within the same clock tick: same identity
    assert fingerprint(path) == real(b"x,y\n3,4\n").hexdigest() and len(calls) == 2


def test_missing_files_and_folders_are_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="data file not found"):
        fingerprint(tmp_path / "nothing.csv")
    with pytest.raises(ValueError, match="is a directory"):
        fingerprint(tmp_path)
