"""A self-contained HTML report: figures embedded as data URIs, tables, diagnoses, and the
exact command and configuration that produced it. It works offline: no external URLs."""

from __future__ import annotations

import base64
import html
import json
import mimetypes
import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from optimlab import __version__
from optimlab.files import atomic_write

_STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1100px; margin: 2em auto; color: #222;
       padding: 0 1em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
.meta { color: #666; font-size: 0.9em; }
figure { display: inline-block; margin: 0.5em; vertical-align: top; max-width: 48%; }
figure.wide { display: block; max-width: 100%; }
figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 0.85em; color: #555; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.9em; }
th, td { border: 1px solid #ddd; padding: 0.3em 0.6em; text-align: right; }
th { background: #f5f5f5; } td:first-child, th:first-child, td.text { text-align: left; }
.diverged { color: #b00; } .healthy { color: #080; }
code { background: #f3f3f3; padding: 0 0.2em; border-radius: 3px; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
nav a { margin-right: 1em; }
"""


@dataclass
class Section:
    """One titled part of the report, built from HTML fragments in order."""

    title: str
    parts: list[str] = field(default_factory=list)

    def text(self, paragraph: str) -> Section:
        """A paragraph of plain text, with `code` in backquotes; one that starts with
        "- " is an item of a bulleted list (consecutive items make one list)."""
        if not paragraph.startswith("- "):
            self.parts.append(f"<p>{_inline(paragraph)}</p>")
        elif self.parts and self.parts[-1].startswith("<ul>"):
            self.parts[-1] = self.parts[-1].removesuffix("</ul>") + _item(paragraph) + "</ul>"
        else:
            self.parts.append(f"<ul>{_item(paragraph)}</ul>")
        return self

    def figure(self, path: str | os.PathLike, caption: str = "") -> Section:
        """An image file (PNG, GIF), embedded as a data URI; two share a row, but a PNG
        more than twice as wide as high (a row of panels) gets the whole width, so that
        its text is not shrunk to half."""
        path = Path(path)
        mime = mimetypes.guess_type(path.name)[0] or "image/png"
        content = path.read_bytes()
        encoded = base64.b64encode(content).decode("ascii")
        wide = ' class="wide"' if _aspect(content) > 2 else ""
        self.parts.append(
            f'<figure{wide}><img alt="{html.escape(caption or path.stem)}" '
            f'src="data:{mime};base64,{encoded}"><figcaption>{html.escape(caption)}</figcaption>'
            "</figure>"
        )
        return self

    def table(self, rows: list[dict[str, Any]], columns: list[str] | None = None) -> Section:
        """A table of rows (dicts); numbers formatted to 4 significant digits."""
        if not rows:
            return self
        columns = columns or list(rows[0])
        head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
        body = "".join(
            "<tr>" + "".join(_cell(row.get(c)) for c in columns) + "</tr>" for row in rows
        )
        self.parts.append(f"<table><tr>{head}</tr>{body}</table>")
        return self

    def code(self, text: str) -> Section:
        """Preformatted text (a command, a configuration)."""
        self.parts.append(f"<pre>{html.escape(text)}</pre>")
        return self


def _aspect(content: bytes) -> float:
    """Width over height of a PNG (from its header), 0 for anything else."""
    if content[:8] != b"\x89PNG\r\n\x1a\n" or len(content) < 24:
        return 0.0
    width, height = struct.unpack(">II", content[16:24])
    return width / height if height else 0.0


def cell_text(value: Any) -> str:
    """A table cell's text: numbers to 4 significant digits, True and False as yes and no,
    None and empty collections as "-", a dict as ``key=value, ...`` (``scale=true``), a list
    as ``item; ...``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_setting(v)}" for k, v in value.items()) or "-"
    if isinstance(value, (list, tuple)):
        return "; ".join(cell_text(v) for v in value) or "-"
    return "-" if value is None else str(value)


def _setting(value: Any) -> str:
    """A setting's value as an option would be written (``nesterov=true``)."""
    return str(value).lower() if isinstance(value, bool) else cell_text(value)


def _cell(value: Any) -> str:
    """A cell: numbers right-aligned (digits line up), words left-aligned."""
    text = cell_text(value)
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    classes = [name for name in ("diverged", "healthy") if text == name]
    if not number and value is not None:
        classes.append("text")
    css = f' class="{" ".join(classes)}"' if classes else ""
    return f"<td{css}>{_inline(text)}</td>"


def _inline(text: str) -> str:
    """Escaped HTML, with `code` in backquotes set as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _item(paragraph: str) -> str:
    return f"<li>{_inline(paragraph.removeprefix('- '))}</li>"


@dataclass
class Report:
    """An HTML report: a title, sections, and the command and configuration that made it."""

    title: str
    command: str
    config: dict[str, Any] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)

    def section(self, title: str) -> Section:
        """Add and return a new section."""
        self.sections.append(Section(title))
        return self.sections[-1]

    def render(self) -> str:
        """The whole document as one string."""
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        anchors = [f"s{i}" for i in range(len(self.sections))]
        nav = " ".join(
            f'<a href="#{a}">{html.escape(s.title)}</a>' for a, s in zip(anchors, self.sections)
        )
        body = "".join(
            f'<h2 id="{a}">{html.escape(s.title)}</h2>' + "".join(s.parts)
            for a, s in zip(anchors, self.sections)
        )
        reproduce = (
            "<h2>How this report was made</h2><p>Command:</p>"
            f"<pre>{html.escape(self.command)}</pre><p>Configuration:</p>"
            f"<pre>{html.escape(json.dumps(self.config, indent=2, default=str))}</pre>"
        )
        return (
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(self.title)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>{html.escape(self.title)}</h1>"
            f"<p class='meta'>optimlab {__version__} · {stamp}</p><nav>{nav}</nav>"
            f"{body}{reproduce}</body></html>"
        )

    def write(self, path: str | os.PathLike) -> Path:
        """Write the report atomically; returns the path."""
        text = self.render().encode("utf-8")
        return atomic_write(path, lambda handle: handle.write(text))
