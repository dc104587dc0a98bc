"""Figures without pyplot: matplotlib's object API renders headless (Agg) and keeps no
global state, so plots can be made from threads, servers and tests alike."""

from __future__ import annotations

from typing import Any

DIVERGED_COLOR = "crimson"


def new_axes(figsize: tuple[float, float] = (6.4, 4.8), dpi: int = 100) -> tuple[Any, Any]:
    """A fresh (Figure, Axes) pair, not registered with pyplot."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    return figure, figure.add_subplot()


def mark_divergence(axes: Any, x: float, y: float, color: str) -> None:
    """An ``x`` where a curve or path stopped because it diverged."""
    axes.plot(
        [x],
        [y],
        marker="X",
        markersize=11,
        color=DIVERGED_COLOR,
        markeredgecolor=color,
        linestyle="none",
        zorder=5,
        clip_on=False,  # whole even on the window's edge
    )
