"""Data fingerprints: what a file holds, as a hash of its bytes, computed once per process.

A run store keys runs by their settings; for a data file those settings must say what the
file holds, not where it lies, or an edited file would be served the runs of its old
contents. `fingerprint` hashes the bytes; `file_identity` (path, size, modification time)
decides whether a file may have changed since it was last hashed or read.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

_CHUNK = 1 << 20
_fingerprints: dict[tuple[str, int, int], str] = {}


def file_identity(path: str | os.PathLike) -> tuple[str, int, int]:
    """``(resolved path, size in bytes, modification time in ns)`` of an existing file.

    Two equal identities mean the file was not rewritten in between (as far as the file
    system's clock can tell); processes use it to reuse what they read from the file.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the path is a directory.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"data file not found: {str(path)!r}")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory, not a data file")
    resolved = path.resolve()
    status = resolved.stat()
    return str(resolved), status.st_size, status.st_mtime_ns


def fingerprint(path: str | os.PathLike) -> str:
    """The SHA-256 hash of the file's bytes, as 64 hex digits.

    Computed once per file per process: later calls return the stored hash while the file's
    `file_identity` is unchanged, and hash it again once the file is rewritten. The hash
    is of the bytes, so a copy of the file has the same fingerprint wherever it lies, and
    any edit (a value, a line ending) gives a new one.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the path is a directory.
    """
    identity = file_identity(path)
    known = _fingerprints.get(identity)
    if known is None:
        digest = hashlib.sha256()
        with open(identity[0], "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
        known = _fingerprints[identity] = digest.hexdigest()
    return known
