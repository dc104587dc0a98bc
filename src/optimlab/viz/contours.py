"""Optimizers' paths on a contour plot of a 2-D landscape."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab.landscapes import Landscape
from optimlab.viz import _inputs as check
from optimlab.viz._figure import mark_divergence, new_axes
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure

GRID_POINTS = 200


def plot_trajectories(
    landscape: Landscape,
    trajectories: Mapping[str, np.ndarray],
    path: str | os.PathLike | None = None,
    levels: int = 30,
    log_levels: bool = True,
) -> Any:
    """Contours of a 2-D landscape with one coloured path per optimizer.

    Each path starts with a circle and ends with a square, or with a red ``X`` at its
    last finite point where it diverged (moved to the window's edge if that point lies
    outside; the legend says "diverged"). Known minima are black
    stars. The view is ``landscape.bounds``.

    With ``log_levels`` the contour levels are ``f_min + geomspace(d, f_max - f_min)``
    (``d`` the smallest positive gap above ``f_min`` on the grid, at least
    ``1e-6 (f_max - f_min)``): dense near the minimum, so a valley like Rosenbrock's,
    whose values span 0 to thousands, shows its floor. Otherwise levels are evenly spaced.

    Args:
        landscape: a 2-D `Landscape`.
        trajectories: ``{label: (T, 2) array}``, e.g. from `run_on_landscape`.
        path: save a PNG (or .svg/.pdf) here, atomically.
        levels: number of contour levels, >= 2.
        log_levels: logarithmically spaced levels.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    paths = checked_paths(landscape, trajectories)
    levels = check.integer(levels, "levels", minimum=2)
    log_levels = check.flag(log_levels, "log_levels")

    figure, axes = new_axes()
    draw_landscape(axes, landscape, levels, log_levels)
    for label, (points, diverged) in paths.items():
        (line,) = axes.plot(
            points[:, 0],
            points[:, 1],
            "-",
            marker=".",
            markersize=3,
            linewidth=1.5,
            label=f"{label} (diverged)" if diverged else label,
        )
        color = line.get_color()
        axes.plot(*points[0], "o", color=color, markersize=7, markeredgecolor="black")
        if diverged:
            mark_divergence(axes, *inside(points[-1], landscape.bounds), color)
        else:
            axes.plot(*points[-1], "s", color=color, markersize=7, markeredgecolor="black")
    axes.legend(loc="best", fontsize="small")
    save_figure(figure, target)
    return figure


def checked_paths(
    landscape: Landscape, trajectories: Mapping[str, np.ndarray]
) -> dict[str, tuple[np.ndarray, bool]]:
    """Check a 2-D landscape and its paths; ``{label: (finite rows, diverged)}``."""
    if not isinstance(landscape, Landscape):
        raise ValueError(
            f"landscape must be a Landscape (e.g. Rosenbrock()), got {type(landscape).__name__}"
        )
    if landscape.dim != 2:
        raise ValueError(
            f"contour plots need a 2-D landscape; {landscape.name} has dim={landscape.dim}"
        )
    trajectories = check.named(trajectories, "trajectories")
    return {
        label: check.path(points, f"trajectories[{label!r}]", dim=2)
        for label, points in trajectories.items()
    }


def draw_landscape(axes: Any, landscape: Landscape, levels: int, log_levels: bool) -> None:
    """Contour lines of ``landscape`` over its bounds, its minima, labels and limits."""
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    X, Y = np.meshgrid(
        np.linspace(x_low, x_high, GRID_POINTS), np.linspace(y_low, y_high, GRID_POINTS)
    )
    Z = landscape.value_grid(X, Y)
    from matplotlib import colormaps

    spaced = contour_levels(Z, levels, log_levels)
    # Colour by rank, not value: with log-spaced levels, colour by value would paint
    # almost every line the colour of the lowest one.
    colors = colormaps["viridis"](np.linspace(0.0, 0.9, spaced.size))
    axes.contour(X, Y, Z, levels=spaced, colors=colors, linewidths=0.8, alpha=0.8)
    minima = landscape.minima
    if minima:
        points = np.array(minima)
        axes.plot(
            points[:, 0],
            points[:, 1],
            "*",
            color="black",
            markersize=12,
            label="minimum",
            linestyle="none",
            zorder=4,
        )
    axes.set_xlim(x_low, x_high)
    axes.set_ylim(y_low, y_high)
    axes.set_xlabel("x")
    axes.set_ylabel("y")
    axes.set_title(landscape.name)


def contour_levels(Z: np.ndarray, count: int, log_levels: bool) -> np.ndarray:
    """``count`` increasing levels spanning the finite values of ``Z``."""
    finite = Z[np.isfinite(Z)]
    low, high = float(finite.min()), float(finite.max())
    span = high - low
    if span <= 0:
        return np.array([low, low + 1.0])
    if not log_levels:
        return np.linspace(low, high, count)
    gaps = finite - low
    smallest = max(float(gaps[gaps > 0].min()), 1e-6 * span)
    return low + np.geomspace(smallest, span, count)


def inside(point: np.ndarray, bounds: tuple[tuple[float, float], ...]) -> np.ndarray:
    """``point`` moved onto the window ``bounds`` if it lies outside (for markers)."""
    low, high = np.array(bounds).T
    return np.clip(point, low, high)
