"""The benchmark's results as markdown: the machine, the throughput table, the targets.

`section` renders one self-contained markdown block; `write_section` puts it into a
document between two marker comments, replacing the previous run's block and leaving the
rest of the document (other sections, hand-written notes) as it was.
"""

from __future__ import annotations

import math
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

from _timing import Timing

from optimlab.files import atomic_write

HEADING = "## Optimizer step throughput (bench/bench_step.py)"

#: The targets at the largest size: ours / torch fused (foreach where torch has no fused
#: step) with default options, and ours / the memory bound (shown, no longer judged: the
#: non-finite check the optimizers must make costs a read of the gradient).
TARGET_SIZE = 10**7
TARGET_VS_FUSED = 0.9
TARGET_VS_BOUND = 0.8
#: Issue 2's target for the time of one step() at the smallest size.
OVERHEAD_SIZE = 10**4
TARGET_OVERHEAD_US = 10.0


@dataclass
class Row:
    """One line of the table: one of our optimizers at one size, and what it is compared to."""

    label: str
    n: int
    targeted: bool
    ours: Timing
    naive: Timing
    bound: Timing
    bound_name: str
    fused: Timing | None = None
    foreach: Timing | None = None
    busy_rounds: int = 0


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or what `platform` says elsewhere)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor() or "unknown"
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE)
    return match.group(1).strip() if match else "unknown"


def l3_bytes() -> int | None:
    """The last-level cache size reported by Linux, in bytes, if any."""
    path = Path("/sys/devices/system/cpu/cpu0/cache/index3/size")
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * scale[text[-1]] if text[-1] in scale else int(text)


def usable_cores() -> int:
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def size_label(n: int) -> str:
    """``1e7`` for powers of ten, else the number with thousands separators."""
    exponent = round(math.log10(n)) if n > 0 else 0
    return f"1e{exponent}" if 10**exponent == n else f"{n:,}"


def _rate(timing: Timing | None, n: int) -> str:
    """``best (median)`` in millions of parameters per second."""
    if timing is None:
        return "—"
    return f"{n / timing.best / 1e6:,.0f} ({n / timing.median / 1e6:,.0f})"


def _ratio(ours: Timing, other: Timing | None, target: float | None) -> str:
    """ours / other throughput (best over best), flagged against ``target`` if given."""
    if other is None:
        return "—"
    ratio = other.best / ours.best
    if target is None:
        return f"{ratio:.2f}"
    return f"{ratio:.2f} ok" if ratio >= target else f"**{ratio:.2f} MISS**"


def _is_target_row(row: Row) -> bool:
    return row.targeted and row.n == TARGET_SIZE


def throughput_table(rows: list[Row]) -> list[str]:
    lines = [
        "| optimizer | params | ours | torch fused | torch foreach | naive NumPy "
        "| memory bound | ours / fused | ours / foreach | ours / bound | ours / naive |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row in rows:
        target = _is_target_row(row)
        bound = f"{_rate(row.bound, row.n)} {row.bound_name}"
        vs_fused = _ratio(row.ours, row.fused, TARGET_VS_FUSED if target else None)
        vs_foreach = _ratio(row.ours, row.foreach, None)
        if target and row.fused is None:
            vs_fused = "n/a: no fused"
            vs_foreach = _ratio(row.ours, row.foreach, TARGET_VS_FUSED)
        marks = (" *" if target else "") + (
            " †" if row.busy_rounds == len(row.ours.seconds) else ""
        )
        lines.append(
            f"| {row.label}{marks} | {size_label(row.n)} "
            f"| {_rate(row.ours, row.n)} "
            f"| {_rate(row.fused, row.n)} | {_rate(row.foreach, row.n)} "
            f"| {_rate(row.naive, row.n)} | {bound} | {vs_fused} "
            f"| {vs_foreach} "
            f"| {_ratio(row.ours, row.bound, None)} "
            f"| {_ratio(row.ours, row.naive, 1.0 if row.targeted else None)} |"
        )
    return lines


def _micros(timing: Timing | None) -> str:
    if timing is None:
        return "—"
    return f"{timing.best * 1e6:.1f} ({timing.median * 1e6:.1f})"


def overhead_table(rows: list[Row]) -> list[str]:
    small = [row for row in rows if row.n == OVERHEAD_SIZE]
    if not small:
        return []
    lines = [
        f"| optimizer | ours µs/step | target < {TARGET_OVERHEAD_US:.0f} µs "
        "| torch fused µs | torch foreach µs | naive NumPy µs |",
        "|---|--:|---|--:|--:|--:|",
    ]
    for row in small:
        ok = row.ours.best * 1e6 < TARGET_OVERHEAD_US
        lines.append(
            f"| {row.label} | {_micros(row.ours)} | {'ok' if ok else '**MISS**'} "
            f"| {_micros(row.fused)} | {_micros(row.foreach)} | {_micros(row.naive)} |"
        )
    return lines


def misses(rows: list[Row]) -> list[str]:
    """Every target this run missed, one line each: at 1e7 the default step's speed against
    torch's fused step (foreach where there is none), at 1e4 the time of one step, and at
    every size the default step against the naive NumPy formula."""
    found = []
    for row in rows:
        if _is_target_row(row):
            anchor, name = (row.fused, "fused") if row.fused else (row.foreach, "foreach")
            if anchor is not None and anchor.best / row.ours.best < TARGET_VS_FUSED:
                found.append(f"{row.label} at 1e7: {anchor.best / row.ours.best:.2f}x torch {name}")
        if not row.targeted:
            continue
        if row.n == OVERHEAD_SIZE and row.ours.best * 1e6 >= TARGET_OVERHEAD_US:
            found.append(f"{row.label} at 1e4: {row.ours.best * 1e6:.1f} µs per step()")
        if row.naive.best < row.ours.best:
            found.append(
                f"{row.label} at {size_label(row.n)}: slower than the naive NumPy formula "
                f"({row.naive.best / row.ours.best:.2f}x)"
            )
    return found


def candidates_table(bounds: dict[tuple[int, int], dict[str, float]]) -> list[str]:
    """Best M params/s of every bound candidate, by traffic pattern and size."""
    names = sorted({name for table in bounds.values() for name in table})
    lines = [
        "| reads + writes per param | params | " + " | ".join(names) + " |",
        "|---|--:|" + "--:|" * len(names),
    ]
    for (k, n), table in sorted(bounds.items()):
        fastest = max(table.values())
        cells = []
        for name in names:
            rate = table.get(name)
            text = "—" if rate is None else f"{rate / 1e6:,.0f}"
            cells.append(f"**{text}**" if rate == fastest else text)
        lines.append(f"| {2 + k} + {1 + k} | {size_label(n)} | " + " | ".join(cells) + " |")
    return lines


def section(
    rows: list[Row],
    bounds: dict[tuple[int, int], dict[str, float]],
    machine: list[str],
    method: list[str],
) -> str:
    """The whole generated markdown block (without the heading)."""
    title = "### Throughput (M params/s: best (median) of the repeats)"
    parts = [*machine, "", *method, "", title, ""]
    parts += throughput_table(rows)
    parts += [
        "",
        "`*` rows carry the targets at 1e7: ours (default options) / torch fused >= "
        f"{TARGET_VS_FUSED} (foreach where torch has no fused step); for the same optimizers, "
        f"one step at 1e4 under {TARGET_OVERHEAD_US:.0f} µs and ours faster than the naive "
        "formula at every size. Ratios are "
        "best over best; > 1 means ours is faster.",
    ]
    if any(row.busy_rounds == len(row.ours.seconds) for row in rows):
        parts[-1] += (
            " `†`: every round of this comparison began while another process held a core "
            "(after the wait ran out), so all its columns are slowed."
        )
    overhead = overhead_table(rows)
    if overhead:
        title = f"### Time per step() at {size_label(OVERHEAD_SIZE)} params (µs: best (median))"
        parts += ["", title, ""]
        parts += overhead
    parts += ["", "### Memory-bound candidates (best M params/s; the fastest in bold)", ""]
    parts += candidates_table(bounds)
    found = misses(rows)
    parts += ["", "### Targets missed in this run", ""]
    parts += [f"- {line}" for line in found] if found else ["- none"]
    return "\n".join(parts) + "\n"


def write_section(
    path: Path, body: str, heading: str = HEADING, script: str = "bench_step.py"
) -> None:
    """Put ``body`` under ``heading`` in ``path`` between ``script``'s markers (creating what
    is missing), leaving the rest of the document as it was; the file is replaced
    atomically."""
    begin = f"<!-- {script} --write: begin (generated; edits here are overwritten) -->"
    end = f"<!-- {script} --write: end -->"
    block = f"{begin}\n{body}{end}"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
        text = head + block + tail
    elif heading in text:
        text = text.replace(heading, f"{heading}\n\n{block}\n", 1)
    else:
        text = text.rstrip("\n") + f"\n\n{heading}\n\n{block}\n"
    atomic_write(path, lambda handle: handle.write(text.encode()))
