"""Where the lab's builders write: an output folder, JSON results, the command behind them."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from optimlab.files import atomic_write
from optimlab.lab.store import json_safe

__all__ = ["PYTHON_COMMAND", "output_folder", "staged_files", "write_json"]

#: The "command" a report records when it was written from Python without one.
PYTHON_COMMAND = "(written from Python with optimlab.lab)"


def output_folder(folder: str | os.PathLike) -> Path:
    """The folder, created with its parents if missing.

    Raises:
        OSError: it cannot be created (a file is in the way, no permission).
    """
    path = Path(folder)
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_json(path: str | os.PathLike, data: Any, indent: int | None = 1) -> Path:
    """Write ``data`` as strict JSON (non-finite numbers become null), atomically."""
    text = json.dumps(json_safe(data), indent=indent, allow_nan=False).encode()
    return atomic_write(path, lambda handle: handle.write(text))


@contextlib.contextmanager
def staged_files(folder: Path, last: str = "report.html") -> Iterator[Path]:
    """A hidden folder inside ``folder`` to write a set of files into. When the block ends
    normally they replace their namesakes in ``folder`` (``last`` at the end); on an error
    or Ctrl-C they are dropped and ``folder`` keeps its previous files, so a second run
    into the same folder never leaves old and new files mixed."""
    stage = Path(tempfile.mkdtemp(prefix=".optimlab-staging-", dir=folder))
    try:
        yield stage
        for item in sorted(stage.iterdir(), key=lambda file: file.name == last):
            os.replace(item, folder / item.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
