"""Plain-text tables for the terminal."""

from __future__ import annotations

from typing import Any

from optimlab.lab.report import cell_text


def format_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """Rows as aligned text columns, each cell as in the HTML report (`cell_text`)."""
    cells = [[cell_text(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)
