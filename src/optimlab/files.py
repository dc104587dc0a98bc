"""Atomic file writes (public: every package that saves files uses them): what a user asked
to save is never left half-written."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary name in ``path``'s folder; on success rename it over ``path``.

    Readers never see a half-written file: ``os.replace`` is atomic within one file
    system. On any error the temporary file is removed and ``path`` is left as it was.
    The temporary name keeps the suffix, for writers that choose a format by it.
    """
    path = Path(path)
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    temporary = path.with_name(f".{path.stem}.{secrets.token_hex(6)}.tmp{path.suffix}")
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Write a file through ``write(handle)`` atomically (see `atomic_path`); return its path."""
    with atomic_path(path) as temporary, open(temporary, "wb") as handle:
        write(handle)
        handle.flush()
        os.fsync(handle.fileno())
    return Path(path)
