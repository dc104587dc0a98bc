"""Data fingerprints: what a file holds, as a hash of its bytes, computed once per process.

A run store keys runs by their settings; for a data file those settings must say what the
file holds, not where it lies, or an edited file would be served the runs of its old
contents. `fingerprint` hashes the bytes; `file_identity` (path, size, modification time)
decides whether a file may have changed since it was last hashed or read.

A file system stamps modification times with a coarse clock (a few milliseconds, up to two
seconds on some), so two writes of the same size within one tick leave the same identity.
`settled_identity` therefore returns an identity only for a file left unmodified for
`SETTLE_SECONDS`; what is read from a more recent file is not kept.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

SETTLE_SECONDS = 2.0
"""A file modified less than this long ago is read again at every use, never cached."""

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


def settled_identity(path: str | os.PathLike) -> tuple[str, int, int] | None:
    """`file_identity`, or None while the file was modified less than `SETTLE_SECONDS` ago
    (its identity cannot yet key a cache).

    Raises:
        FileNotFoundError: no such file.
        ValueError: the path is a directory.
    """
    identity = file_identity(path)
    return identity if time.time_ns() - identity[2] > SETTLE_SECONDS * 1e9 else None


def fingerprint(path: str | os.PathLike) -> str:
    """The SHA-256 hash of the file's bytes, as 64 hex digits.

    Computed once per file per process: later calls return the stored hash while the file's
    `file_identity` is unchanged, and hash it again once the file is rewritten (a file
    modified in the last `SETTLE_SECONDS` is hashed at every call). The hash is of the
    bytes, so a copy of the file has the same fingerprint wherever it lies, and any edit
    (a value, a line ending) gives a new one.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the path is a directory.
    """
    identity = settled_identity(path)
    if identity in _fingerprints:
        return _fingerprints[identity]
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    if identity is not None:
        _fingerprints[identity] = digest.hexdigest()
    return digest.hexdigest()
