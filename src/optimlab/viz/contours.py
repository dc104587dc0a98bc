"""Optimizers' paths on a contour plot of a 2-D landscape."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab.landscapes import Landscape
from optimlab.viz import _inputs as check
from optimlab.viz._figure import mark_divergence, new_axes, place_legend
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz._paths import draw_end, draw_exit, draw_start, key_handles, legend_handle, plan

GRID_POINTS = 200


def plot_trajectories(
    landscape: Landscape,
    trajectories: Mapping[str, np.ndarray],
    path: str | os.PathLike | None = None,
    levels: int = 30,
    log_levels: bool = True,
    title: str | None = None,
) -> Any:
    """Contours of a 2-D landscape with every optimizer's path visible on them.

    Each path has its own colour (see `optimlab.viz.style`), a hollow ring at its start
    and a filled marker of its own shape at its end. Paths spanning more of the frame are
    drawn first; a path hidden under a later one is drawn wider and the one on top
    dashed, and coinciding start or end markers are nested, so no path disappears under
    another. A path is drawn up to the frame's edge and an arrowhead marks where it
    leaves the frame ("left the frame" in the legend if it ends outside); a path that
    diverged (became non-finite) gets a red ``X`` there, or at its last point if that is
    inside ("diverged"). Known minima are hollow black stars. The view is
    ``landscape.bounds``; the path legend and a key to the markers sit right of the plot.

    With ``log_levels`` the contour levels are ``f_min + geomspace(d, f_max - f_min)``
    (``d`` the smallest positive gap above ``f_min`` on the grid, at least
    ``1e-6 (f_max - f_min)``): dense near the minimum, so a valley like Rosenbrock's,
    whose values span 0 to thousands, shows its floor. Otherwise levels are evenly spaced.
    Far outliers (the values near a pole) are left out of that span (`contour_levels`).

    Args:
        landscape: a 2-D `Landscape`.
        trajectories: ``{label: (T, 2) array}``, e.g. from `run_on_landscape`.
        path: save a PNG (or .svg/.pdf) here, atomically.
        levels: number of contour levels, >= 2.
        log_levels: logarithmically spaced levels.
        title: the figure's title; default names the landscape and what is drawn.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    paths = checked_paths(landscape, trajectories)
    levels = check.integer(levels, "levels", minimum=2)
    log_levels = check.flag(log_levels, "log_levels")
    title = check.optional_text(title, "title")

    figure, axes = new_axes(figsize=(8.4, 5.4))
    draw_landscape(axes, landscape, levels, log_levels)
    planned = plan(paths, landscape.bounds)
    for drawn in planned:
        axes.plot(
            drawn.points[:, 0],
            drawn.points[:, 1],
            color=drawn.color,
            linestyle=drawn.linestyle,
            linewidth=drawn.linewidth,
            zorder=drawn.zorder,
            label=drawn.legend_label,
        )
        draw_start(axes, drawn)
        if drawn.has_end_marker:
            draw_end(axes, drawn)
        for exit in drawn.passing_exits:
            draw_exit(axes, drawn, exit, final=False)
        mark = drawn.final_mark
        if mark is not None and mark[1] == "X":
            mark_divergence(axes, *mark[0], drawn.color)
        elif mark is not None:
            draw_exit(axes, drawn, drawn.exits[-1], final=True)
    default = f"{display_name(landscape)}: optimizer paths on its contours"
    axes.set_title(title or default, pad=12)  # room for arrowheads on the top edge
    key = place_legend(axes, *key_handles(planned), outside=True, corner="lower left")
    key.set_title("markers", prop={"size": "small"})
    axes.add_artist(key)
    key.set_clip_on(False)  # add_artist clips to the axes, which would leave it out of the layout
    minimum = [line for line in axes.lines if line.get_label() == "minimum"]
    handles = minimum + [legend_handle(p) for p in planned]
    labels = ["minimum"] * len(minimum) + [p.legend_label for p in planned]
    place_legend(axes, handles, labels, outside=True, title="paths", title_fontsize="small")
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
    """Contour lines of ``landscape`` over its bounds (darker: lower), its minima, axis
    labels and limits."""
    (x_low, x_high), (y_low, y_high) = landscape.bounds
    X, Y = np.meshgrid(
        np.linspace(x_low, x_high, GRID_POINTS), np.linspace(y_low, y_high, GRID_POINTS)
    )
    with np.errstate(all="ignore"):  # log(x < 0), overflow...: not finite, left blank
        Z = landscape.value_grid(X, Y)
    from matplotlib import colormaps

    spaced = contour_levels(Z, levels, log_levels)
    # Grey by rank, not value (with log-spaced levels, shading by value would paint almost
    # every line the shade of the lowest one); grey keeps the paths' colours apart.
    colors = colormaps["Greys"](np.linspace(0.8, 0.3, spaced.size))
    axes.contour(X, Y, Z, levels=spaced, colors=colors, linewidths=0.7, zorder=1)
    blank = flat_surface_note(Z)
    if blank:  # an empty frame would look like a failure: say why there are no lines
        axes.text(
            0.5,
            0.5,
            blank,
            transform=axes.transAxes,
            ha="center",
            va="center",
            color="0.35",
            zorder=0.5,
        )
    minima = landscape.minima
    if minima:
        points = np.array(minima)
        axes.plot(
            points[:, 0],
            points[:, 1],
            marker="*",
            markersize=15,
            markerfacecolor="none",
            markeredgecolor="black",
            markeredgewidth=1.3,
            label="minimum",
            linestyle="none",
            zorder=4.5,
        )
    axes.set_xlim(x_low, x_high)
    axes.set_ylim(y_low, y_high)
    axes.set_xlabel(landscape.axis_labels[0])
    axes.set_ylabel(landscape.axis_labels[1])


def display_name(landscape: Landscape) -> str:
    """The landscape's title for a figure, shortened to one line."""
    title = landscape.title
    return title if len(title) <= 60 else title[:59] + "…"


def flat_surface_note(Z: np.ndarray) -> str:
    """Why a grid of values has no contour lines ("" when it has some)."""
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:
        return "f is not finite anywhere in this window: no contour lines"
    if finite.min() == finite.max():
        return f"f = {float(finite[0]):g} everywhere in this window: no contour lines"
    return ""


def contour_levels(Z: np.ndarray, count: int, log_levels: bool) -> np.ndarray:
    """``count`` increasing levels spanning the finite values of ``Z``, far outliers left
    out (values beyond the 1st to 99th percentiles by more than their spread: the values
    near a pole, as of ``1/x``, would squeeze every level into one line). With
    ``log_levels`` they are geometric above the lowest value, unless that one was left out
    (then there is no floor to show) and evenly spaced otherwise."""
    finite = Z[np.isfinite(Z)]
    if finite.size == 0:  # nothing to draw (every value overflowed): levels of a blank plot
        return np.array([0.0, 1.0])
    first, last = np.quantile(finite, [0.01, 0.99])
    spread = last - first
    low = max(float(finite.min()), first - spread)
    high = min(float(finite.max()), last + spread)
    span = high - low
    if span <= 0:
        levels = np.array([low])
    elif not log_levels or low > finite.min():
        levels = np.linspace(low, high, count)
    else:
        gaps = finite - low
        smallest = max(float(gaps[gaps > 0].min()), 1e-6 * span)
        levels = low + np.geomspace(smallest, span, count)
    levels = np.unique(levels)  # 1e300 + small steps round to the same level
    return levels if levels.size > 1 else np.array([low, low + max(1.0, abs(low))])
