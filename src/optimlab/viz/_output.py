"""Where figures go: the output path is checked before any work, and written atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from optimlab.files import atomic_path

IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


def output_path(path: str | os.PathLike | None, suffixes: tuple[str, ...]) -> Path | None:
    """``path`` as a Path after checking its suffix and that its folder can be written.

    Args:
        path: where to write, or None for no file.
        suffixes: the accepted file suffixes (lower case, with the dot).

    Raises:
        ValueError: a wrong suffix, a missing folder or one that cannot be written.
    """
    if path is None:
        return None
    if not isinstance(path, (str, os.PathLike)):
        raise ValueError(f"path must be a file path (str or Path), got {type(path).__name__}")
    target = Path(path)
    if target.suffix.lower() not in suffixes:
        raise ValueError(
            f"path {str(target)!r} must end with one of {', '.join(suffixes)}, "
            f"got {target.suffix or 'no suffix'!r}"
        )
    folder = target.parent
    if not folder.is_dir():
        raise ValueError(
            f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist; create it first"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(f"cannot write {str(target)!r}: folder {str(folder)!r} is not writable")
    if target.is_dir():
        raise ValueError(f"path {str(target)!r} is a folder; give a file name")
    return target


def save_figure(figure: Any, path: Path | None, **options: Any) -> None:
    """Save a matplotlib Figure to ``path`` atomically (no-op for None), grown to hold
    whatever sticks out of it (a title wider than the axes beside an outside legend)."""
    if path is None:
        return
    options.setdefault("bbox_inches", "tight")
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format=path.suffix[1:].lower(), **options)
