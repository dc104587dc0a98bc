"""One look for every curve: a deterministic style per curve index.

Curve ``i`` of a plot gets

    colour     = PALETTE[i mod 7]
    line style = LINESTYLES[(i div 7) mod 4]
    marker     = MARKERS[i mod 5]

so the first seven curves are solid lines in seven different colours, the next seven
dashed, and so on. Two curves share a colour and a line style only if their indices
differ by a multiple of 28, and share all three only if they differ by a multiple of 140
(7 x 4 x 5, as 5 is prime to 28): any plot of up to 28 curves has pairwise different
(colour, line style) pairs.

The palette is Okabe and Ito's colour-universal design (2008), which stays
distinguishable under the common colour-vision deficiencies, without its yellow (too
faint on white).

`plain_log_ticks` labels a log axis in plain numbers, for every figure alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from optimlab import checks

PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
)
LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v")
MARKS_PER_CURVE = 8  # long curves carry about this many markers
SHORT_CURVE = 30  # curves with at most this many points get a marker on every point


@dataclass(frozen=True)
class CurveStyle:
    """How one curve is drawn: its colour, line style and marker."""

    color: str
    linestyle: str
    marker: str

    def line(self, **overrides: Any) -> dict[str, Any]:
        """Keyword arguments for ``axes.plot`` (``overrides`` win)."""
        return {
            "color": self.color,
            "linestyle": self.linestyle,
            "marker": self.marker,
            **overrides,
        }


def curve_style(index: int) -> CurveStyle:
    """The style of curve ``index`` (0, 1, 2, ...), as in the module docstring."""
    index = checks.integer("index", index, low=0)
    return CurveStyle(
        color=PALETTE[index % len(PALETTE)],
        linestyle=LINESTYLES[(index // len(PALETTE)) % len(LINESTYLES)],
        marker=MARKERS[index % len(MARKERS)],
    )


def curve_styles(count: int) -> list[CurveStyle]:
    """The styles of curves ``0 .. count - 1``."""
    count = checks.integer("count", count, low=0)
    return [curve_style(i) for i in range(count)]


def marker_positions(points: int, index: int, count: int) -> Any:
    """``markevery`` for curve ``index`` of ``count``, ``points`` long.

    Short curves (at most 30 points) get a marker on every point. Longer ones get about
    eight, every ``s = ceil(points / 8)`` points, starting at ``index * s // count``: the
    markers of curves that lie on top of each other fall at different places, so each
    curve's marker stays visible.
    """
    if points <= SHORT_CURVE:
        return None
    step = -(-points // MARKS_PER_CURVE)
    return (index * step // max(count, 1), step)


def plain_log_ticks(axis: Any) -> None:
    """Label a log axis's ticks as plain numbers (0.4, 2, 1e-05) instead of 4 x 10^-1;
    matplotlib still picks which ticks get a label (minor ones on a short span only).
    Call it after setting the log scale, which resets the labels."""
    from matplotlib.ticker import LogFormatterSciNotation

    class Plain(LogFormatterSciNotation):
        def __call__(self, x: float, pos: int | None = None) -> str:
            return f"{x:g}" if super().__call__(x, pos) else ""

    axis.set_major_formatter(Plain())
    axis.set_minor_formatter(Plain(labelOnlyBase=False))
