"""The guide as Markdown (docs/guide.md), its figures beside it in ``images/<stem>/``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimlab.files import atomic_path, atomic_write
from optimlab.lab.guide.document import TITLE, sections

if TYPE_CHECKING:
    from optimlab.lab.guide.runner import GuideResult


def table(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of rows (dicts with the same keys); ``|`` escaped."""
    if not rows:
        return ""
    columns = list(rows[0])

    def cell(value: Any) -> str:
        text = "" if value is None else str(value)
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [
        "| " + " | ".join(cell(c) for c in columns) + " |",
        "|" + "|".join("---" for _ in columns) + "|",
    ]
    lines += ["| " + " | ".join(cell(row.get(c)) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def write_markdown(
    result: GuideResult, path: Path, command: str, notes: Sequence[str] = ()
) -> Path:
    """Write the guide to ``path`` and copy its figures to ``path.parent/images/<stem>/``."""
    images = path.parent / "images" / path.stem
    images.mkdir(parents=True, exist_ok=True)
    if not result.figures:
        raise ValueError("write the guide first (GuideResult.write draws the figures)")
    for figure in result.figures.values():
        with atomic_path(images / figure.name) as temporary:
            shutil.copyfile(figure, temporary)
    link = Path(os.path.relpath(images, path.parent)).as_posix()
    parts = [f"# {TITLE}", ""]
    for title, blocks in sections(result):
        parts += [f"## {title}", ""]
        for kind, value in blocks:
            parts += [_block(kind, value, result, link), ""]
        if title == "How this guide was made":
            parts += [*(f"{note}\n" for note in notes), "```bash", command, "```", ""]
    text = "\n".join(parts).rstrip() + "\n"
    return atomic_write(path, lambda handle: handle.write(text.encode("utf-8")))


def _block(kind: str, value: Any, result: GuideResult, link: str) -> str:
    if kind == "text":
        return value
    if kind == "heading":
        return f"### {value}"
    if kind == "quote":
        column, _, claim = value.partition(": ")
        return f'### {column}: "{claim}"'
    if kind == "verdict":
        return f"**Verdict: {value}**"
    if kind == "table":
        return table(value)
    if kind == "figure":
        name, caption = value
        return f"![{caption}]({link}/{result.figures[name].name})"
    if kind == "code":  # inline: a reader copies it; a docs test does not run the whole guide
        return f"Reproduce: `{value}`"
    raise ValueError(f"unknown block {kind!r}")
