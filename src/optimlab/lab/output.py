"""Where the lab's builders write: an output folder, JSON results, the command behind them."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from optimlab.files import atomic_write
from optimlab.lab.store import json_safe

__all__ = ["PYTHON_COMMAND", "output_folder", "write_json"]

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
