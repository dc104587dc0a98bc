"""Checkpoints: the whole state of a training run in one .npz file, written atomically."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from optimlab.files import atomic_write

FORMAT = "optimlab-checkpoint-1"


def save_checkpoint(
    path: str | os.PathLike, arrays: dict[str, np.ndarray], meta: dict[str, Any]
) -> Path:
    """Save ``arrays`` and JSON-able ``meta`` to ``path`` (.npz) atomically."""
    payload = dict(arrays)
    payload["meta"] = np.array(json.dumps({"format": FORMAT, **meta}))
    return atomic_write(path, lambda handle: np.savez(handle, **payload))


def load_checkpoint(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Read what `save_checkpoint` wrote: ``(arrays, meta)``; a clear error if it cannot."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        meta = json.loads(str(arrays.pop("meta")))
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} is not a readable optimlab checkpoint ({error})") from error
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path} is not an optimlab checkpoint (format {meta.get('format')!r})")
    return arrays, meta
