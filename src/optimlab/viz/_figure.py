"""Figures without pyplot: matplotlib's object API renders headless (Agg) and keeps no
global state, so plots can be made from threads, servers and tests alike."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

DIVERGED_COLOR = "crimson"
INSIDE_ENTRIES = 5  # legends with more entries go outside the axes
INSIDE_LABEL = 26  # ... and so do legends with a label longer than this


def new_axes(figsize: tuple[float, float] = (6.4, 4.8), dpi: int = 100) -> tuple[Any, Any]:
    """A fresh (Figure, Axes) pair, not registered with pyplot."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    return figure, figure.add_subplot()


def place_legend(
    axes: Any,
    handles: Sequence[Any] | None = None,
    labels: Sequence[str] | None = None,
    *,
    outside: bool | None = None,
    corner: str = "upper left",
    **options: Any,
) -> Any:
    """The axes' legend: inside ("best") when short, else right of the axes.

    A legend goes outside when it has more than 5 entries or a label longer than 26
    characters (unless ``outside`` says otherwise), so it never covers the curves; the
    constrained layout makes room for it. ``corner`` is the legend's corner that sits at
    the axes' right edge (``"upper left"``: top-aligned, ``"lower left"``: bottom).
    """
    if handles is None:
        handles, labels = axes.get_legend_handles_labels()
    if outside is None:
        outside = len(labels) > INSIDE_ENTRIES or any(len(t) > INSIDE_LABEL for t in labels)
    options.setdefault("fontsize", "small")
    if outside:
        anchor = (1.02, 0.0) if corner.startswith("lower") else (1.02, 1.0)
        return axes.legend(
            handles, labels, loc=corner, bbox_to_anchor=anchor, borderaxespad=0.0, **options
        )
    options.setdefault("loc", "best")
    return axes.legend(handles, labels, **options)


def mark_divergence(axes: Any, x: float, y: float, color: str, size: float = 11) -> Any:
    """An ``X`` where a curve or path stopped because it diverged."""
    (mark,) = axes.plot(
        [x],
        [y],
        marker="X",
        markersize=size,
        color=DIVERGED_COLOR,
        markeredgecolor=color,
        markeredgewidth=1.5,
        linestyle="none",
        zorder=6,
        clip_on=False,  # whole even on the window's edge
    )
    return mark


def mark_window_exits(
    axes: Any,
    x: np.ndarray,
    values: np.ndarray,
    window: tuple[float, float],
    color: str,
    size: float = 7,
) -> bool:
    """A triangle on the top (bottom) edge at each x where the curve goes above (below) the
    y window (a scatter, so the axes' lines stay the curves); whether there was any."""
    low, high = window
    any_exit = False
    for outside, edge, marker in ((values > high, 1.0, "^"), (values < low, 0.0, "v")):
        starts = np.flatnonzero(outside & ~np.concatenate([[False], outside[:-1]]))
        if starts.size:
            any_exit = True
            axes.scatter(
                x[starts],
                np.full(starts.size, edge),
                s=size**2,
                marker=marker,
                color=color,
                edgecolors="black",
                linewidths=0.6,
                transform=axes.get_xaxis_transform(),
                clip_on=False,
                zorder=5,
                label="_leaves the window",
            )
    return any_exit
