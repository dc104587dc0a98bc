"""How optimizers' paths share one contour plot so that every path stays visible.

The rules (see docs/viz.md):

- **Draw order**: paths spanning more of the frame are drawn first (underneath).
- **Overlaps**: a path counts as hidden under a later one when 20% of its length lies
  within 1.2% of the frame's diagonal of it. A hidden path is drawn wider than the one
  on top (0.9 points per layer, at most 4.5 points, so its colour shows along both
  sides) and the one on top gets a dashed or dotted line (the lower one shows through).
- **Start and end**: every path has a hollow ring at its start and a filled marker of its
  own shape at its end. Where several paths start (or end) at the same place their
  markers are nested, the lower path's marker larger, so each one shows as a rim.
- **Leaving the frame**: a path is drawn up to the frame's edge; each place where it
  leaves the frame gets an arrowhead pointing out through that side. A path that ends
  outside the frame is "left the frame"; a path that became non-finite is "diverged"
  and gets a red ``X`` where it left the frame, or at its last point if that is inside.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from optimlab.viz._figure import DIVERGED_COLOR
from optimlab.viz.style import LINESTYLES, curve_style

CLOSE = 0.012  # of the frame's diagonal: points closer than this coincide
HIDDEN = 0.2  # a path is hidden under another when this fraction of it is covered
SAMPLES_PER_DIAGONAL = 250
MAX_SAMPLES = 4000
BASE_WIDTH = 1.5
WIDTH_STEP = 0.9
MAX_WIDTH = 4.5
START_SIZE = 7.0
END_SIZE = 8.0
SIZE_STEP = 3.0
MAX_EXIT_MARKS = 20
ON_TOP_STYLES = ("--", "-.", ":")
ARROWS = {"left": "<", "right": ">", "bottom": "v", "top": "^"}


@dataclass(frozen=True)
class Exit:
    """Where a path crosses the frame's edge going out: on the segment from its point
    ``step`` to ``step + 1``, at ``point``, through ``side``."""

    step: int
    point: np.ndarray
    side: str


@dataclass
class PlannedPath:
    """One path with everything needed to draw it."""

    label: str
    points: np.ndarray  # the finite rows
    diverged: bool
    color: str
    linestyle: str
    marker: str  # of its end
    exits: list[Exit]
    ends_outside: bool
    rank: int = 0  # 0 is drawn first (underneath)
    linewidth: float = BASE_WIDTH
    start_size: float = START_SIZE
    end_size: float = END_SIZE
    hidden_under: list[str] = field(default_factory=list)

    @property
    def fate(self) -> str:
        """ "diverged", "left the frame" or "" (ended inside the frame)."""
        if self.diverged:
            return "diverged"
        return "left the frame" if self.ends_outside else ""

    @property
    def legend_label(self) -> str:
        return f"{self.label} ({self.fate})" if self.fate else self.label

    @property
    def has_end_marker(self) -> bool:
        return not self.fate

    @property
    def final_mark(self) -> tuple[np.ndarray, str] | None:
        """Where the path is marked as having gone (point, marker), or None."""
        if self.ends_outside:
            last = self.exits[-1] if self.exits else None
            point = last.point if last else self.points[-1]
            if self.diverged:
                return point, "X"
            return point, ARROWS[last.side] if last else "X"
        if self.diverged:
            return self.points[-1], "X"
        return None

    @property
    def passing_exits(self) -> list[Exit]:
        """The exits before the last one when the path ended outside (it came back)."""
        exits = self.exits[:-1] if self.ends_outside else self.exits
        return exits[-MAX_EXIT_MARKS:]

    @property
    def final_step(self) -> int:
        """The iteration from which `final_mark` is shown in an animation."""
        if self.ends_outside and self.exits:
            return self.exits[-1].step + 1
        return len(self.points) - 1

    @property
    def zorder(self) -> float:
        return 2.0 + 0.01 * self.rank


def plan(paths: dict[str, tuple[np.ndarray, bool]], bounds: Any) -> list[PlannedPath]:
    """Styles, draw order, widths and marker sizes for ``{label: (points, diverged)}``."""
    low, high = (np.asarray(b, dtype=np.float64) for b in zip(*bounds))
    planned = []
    for index, (label, (points, diverged)) in enumerate(paths.items()):
        style = curve_style(index)
        planned.append(
            PlannedPath(
                label=label,
                points=points,
                diverged=diverged,
                color=style.color,
                linestyle=style.linestyle,
                marker=style.marker,
                exits=frame_exits(points, low, high),
                ends_outside=not _inside(points[-1], low, high),
            )
        )
    scale = high - low
    samples = [_samples(p.points, low, high) / scale for p in planned]
    extents = [float(np.hypot(*np.ptp(s, axis=0))) if len(s) else 0.0 for s in samples]
    order = sorted(range(len(planned)), key=lambda i: -extents[i])  # stable: ties keep order
    for rank, i in enumerate(order):
        planned[i].rank = rank
    _layer(planned, order, samples, math.sqrt(2.0) * CLOSE)
    _nest(planned, order, lambda p: p.points[0], "start_size", START_SIZE, low, scale)
    ended = [i for i in order if planned[i].has_end_marker]
    _nest(planned, ended, lambda p: p.points[-1], "end_size", END_SIZE, low, scale)
    return planned


def emptiest_corner(planned: list[PlannedPath], bounds: Any) -> str:
    """The corner of the frame (a legend ``loc``) crossed by the fewest path points."""
    low, high = (np.asarray(b, dtype=np.float64) for b in zip(*bounds))
    scaled = [(_samples(p.points, low, high) - low) / (high - low) for p in planned]
    points = np.concatenate(scaled) if scaled else np.empty((0, 2))
    corners = {
        "upper right": (points[:, 0] > 0.6) & (points[:, 1] > 0.6),
        "upper left": (points[:, 0] < 0.4) & (points[:, 1] > 0.6),
        "lower right": (points[:, 0] > 0.6) & (points[:, 1] < 0.4),
        "lower left": (points[:, 0] < 0.4) & (points[:, 1] < 0.4),
    }
    return min(corners, key=lambda corner: int(corners[corner].sum()))


def frame_exits(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> list[Exit]:
    """Every place where the polyline ``points`` crosses the box's edge going out.

    Per segment ``p + t (q - p)``, t in [0, 1], the part inside the box is
    ``[t_in, t_out]`` (Liang and Barsky's clipping); the segment leaves the box at
    ``t_out`` when that part is not empty and ``t_out < 1``. The crossing's coordinate on
    the side it leaves through is that side's bound exactly.
    """
    if len(points) < 2:
        return []
    start, delta = points[:-1], np.diff(points, axis=0)
    with np.errstate(all="ignore"):
        to_low, to_high = (low - start) / delta, (high - start) / delta
        near, far = np.minimum(to_low, to_high), np.maximum(to_low, to_high)
    still = delta == 0
    outside = still & ((start < low) | (start > high))
    near = np.where(still, -np.inf, near)
    far = np.where(still, np.inf, far)
    t_in = np.maximum(near.max(axis=1), 0.0)
    t_out = np.minimum(far.min(axis=1), 1.0)
    leaves = (t_in <= t_out) & (t_out < 1.0) & ~outside.any(axis=1) & np.isfinite(t_out)
    exits = []
    for k in np.flatnonzero(leaves):
        axis = int(np.argmin(far[k]))
        upper = delta[k, axis] > 0
        with np.errstate(all="ignore"):
            point = start[k] + t_out[k] * delta[k]
        point = np.clip(np.where(np.isfinite(point), point, start[k]), low, high)
        point[axis] = high[axis] if upper else low[axis]
        side = ("right" if upper else "left") if axis == 0 else ("top" if upper else "bottom")
        exits.append(Exit(int(k), point, side))
    return exits


def legend_handle(path: PlannedPath) -> Any:
    """A legend entry showing the path's colour, line and end marker."""
    from matplotlib.lines import Line2D

    mark = path.final_mark
    return Line2D(
        [],
        [],
        color=path.color,
        linestyle=path.linestyle,
        linewidth=min(path.linewidth, 3.0),
        marker=mark[1] if mark else path.marker,
        markersize=7,
        markerfacecolor=DIVERGED_COLOR if mark and mark[1] == "X" else path.color,
        markeredgecolor=path.color if mark and mark[1] == "X" else "black",
        markeredgewidth=0.8,
    )


def key_handles(planned: list[PlannedPath]) -> tuple[list[Any], list[str]]:
    """The marker key: start, end, and (where some path has them) leaving and diverging."""
    from matplotlib.lines import Line2D

    grey = "0.45"
    outlined = {"color": grey, "markeredgecolor": "black", "markeredgewidth": 0.8}
    entries = [
        (
            True,
            "start",
            {
                "marker": "o",
                "markersize": 8,
                "markerfacecolor": "none",
                "markeredgecolor": grey,
                "markeredgewidth": 2.0,
            },
        ),
        (
            any(p.has_end_marker for p in planned),
            "end",
            {"marker": "s", "markersize": 7, **outlined},
        ),
        (
            any(p.exits for p in planned),
            "left the frame",
            {"marker": ">", "markersize": 8, **outlined},
        ),
        (
            any(p.diverged for p in planned),
            "diverged",
            {"marker": "X", "markersize": 9, "color": DIVERGED_COLOR, "markeredgecolor": grey},
        ),
    ]
    shown = [(label, style) for wanted, label, style in entries if wanted]
    handles = [Line2D([], [], linestyle="none", **style) for _, style in shown]
    return handles, [label for label, _ in shown]


def draw_start(axes: Any, path: PlannedPath) -> Any:
    (ring,) = axes.plot(
        *path.points[0],
        marker="o",
        linestyle="none",
        markersize=path.start_size,
        markerfacecolor="none",
        markeredgecolor=path.color,
        markeredgewidth=1.6,
        zorder=3.0 + 0.01 * path.rank,
        label=f"_start of {path.label}",
    )
    return ring


def draw_end(axes: Any, path: PlannedPath, point: np.ndarray | None = None) -> Any:
    """The end marker (at ``point``, default the path's last point)."""
    (end,) = axes.plot(
        *(path.points[-1] if point is None else point),
        marker=path.marker,
        linestyle="none",
        markersize=path.end_size,
        color=path.color,
        markeredgecolor="black",
        markeredgewidth=0.8,
        zorder=3.5 + 0.01 * path.rank,
        label=f"_end of {path.label}",
    )
    return end


def draw_exit(axes: Any, path: PlannedPath, exit: Exit, final: bool) -> Any:
    """An arrowhead in the path's colour where it leaves the frame (larger if final)."""
    (arrow,) = axes.plot(
        *exit.point,
        marker=ARROWS[exit.side],
        linestyle="none",
        markersize=10 if final else 6,
        color=path.color,
        markeredgecolor="black",
        markeredgewidth=0.8,
        zorder=5.0,
        clip_on=False,
        label=f"_left the frame: {path.label}",
    )
    return arrow


def _inside(point: np.ndarray, low: np.ndarray, high: np.ndarray) -> bool:
    return bool(np.all(point >= low) and np.all(point <= high))


def _samples(points: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Points along the parts of the polyline inside the box, evenly spaced."""
    keep = np.all((points >= low) & (points <= high), axis=1)
    if len(points) < 2:
        return points[keep]
    spacing = float(np.hypot(*(high - low))) / SAMPLES_PER_DIAGONAL
    pieces = [points[keep]]
    for p, q in itertools.pairwise(points):
        t_in, t_out = _clip_segment(p, q, low, high)
        if t_in >= t_out:
            continue
        a, b = p + t_in * (q - p), p + t_out * (q - p)
        count = min(int(np.hypot(*(b - a)) / spacing), MAX_SAMPLES)
        if count:
            t = np.linspace(0.0, 1.0, count + 2)[1:-1, None]
            pieces.append(a + t * (b - a))
    sampled = np.concatenate(pieces)
    if len(sampled) > MAX_SAMPLES:
        sampled = sampled[np.linspace(0, len(sampled) - 1, MAX_SAMPLES).astype(int)]
    return sampled


def _clip_segment(
    p: np.ndarray, q: np.ndarray, low: np.ndarray, high: np.ndarray
) -> tuple[float, float]:
    t_in, t_out = 0.0, 1.0
    with np.errstate(all="ignore"):
        for j in range(len(p)):
            d = q[j] - p[j]
            if d == 0:
                if not low[j] <= p[j] <= high[j]:
                    return 1.0, 0.0
                continue
            a, b = (low[j] - p[j]) / d, (high[j] - p[j]) / d
            t_in, t_out = max(t_in, min(a, b)), min(t_out, max(a, b))
    if not (math.isfinite(t_in) and math.isfinite(t_out)):
        return 1.0, 0.0
    return t_in, t_out


def _covered(samples: np.ndarray, by: np.ndarray, radius: float) -> float:
    """The fraction of ``samples`` within ``radius`` of some point of ``by``."""
    if not len(samples) or not len(by):
        return 0.0
    from scipy.spatial import cKDTree

    distances, _ = cKDTree(by).query(samples, distance_upper_bound=radius)
    return float(np.mean(np.isfinite(distances)))


def _layer(
    planned: list[PlannedPath], order: list[int], samples: list[np.ndarray], radius: float
) -> None:
    """Widen hidden paths and dash the paths on top of them."""
    level = dict.fromkeys(order, 0)
    covers = dict.fromkeys(order, False)
    for position in range(len(order) - 1, -1, -1):  # from the top down
        lower = order[position]
        for upper in order[position + 1 :]:
            if _covered(samples[lower], samples[upper], radius) >= HIDDEN:
                level[lower] = max(level[lower], level[upper] + 1)
                covers[upper] = True
                planned[lower].hidden_under.append(planned[upper].label)
    used = {(planned[i].color, planned[i].linestyle) for i in order if not covers[i]}
    dashed = 0
    for i in order:
        path = planned[i]
        path.linewidth = min(BASE_WIDTH + WIDTH_STEP * level[i], MAX_WIDTH)
        if covers[i]:
            choices = ON_TOP_STYLES[dashed % 3 :] + ON_TOP_STYLES[: dashed % 3] + LINESTYLES
            path.linestyle = next(
                (s for s in choices if (path.color, s) not in used), path.linestyle
            )
            used.add((path.color, path.linestyle))
            dashed += 1


def _nest(
    planned: list[PlannedPath],
    order: list[int],
    where: Any,
    attribute: str,
    base: float,
    low: np.ndarray,
    scale: np.ndarray,
) -> None:
    """Markers at coinciding places get sizes growing downwards in the draw order."""
    radius = math.sqrt(2.0) * CLOSE
    spots = {i: (where(planned[i]) - low) / scale for i in order}
    for position, i in enumerate(order):
        above = sum(1 for j in order[position + 1 :] if np.hypot(*(spots[i] - spots[j])) <= radius)
        setattr(planned[i], attribute, base + SIZE_STEP * above)
