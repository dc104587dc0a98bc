"""Small figures for the guide: a row of panels, bars, curves, all in the style of
`optimlab.viz.style` (one colour, line style and marker per curve), written atomically.

matplotlib is imported inside the functions (``import optimlab.lab.guide`` stays light)
and only its object API is used (no pyplot), so everything runs headless.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from optimlab.files import atomic_path
from optimlab.viz.style import curve_style, plain_log_ticks

DPI = 90


def panels(
    count: int, width: float = 10.0, height: float = 3.2, bottom: float = 0.16
) -> tuple[Any, list[Any]]:
    """A figure with ``count`` panels side by side, with fixed margins (a layout engine
    would cost more time than the plotting: seconds per figure with logarithmic axes).
    ``bottom``: the share of the height under the panels, for long tick labels."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=DPI)
    figure.subplots_adjust(
        left=0.75 / width, right=1 - 0.15 / width, bottom=bottom, top=0.88, wspace=0.42
    )
    axes = figure.subplots(1, count, squeeze=False)[0]
    return figure, list(axes)


def save(figure: Any, path: str | os.PathLike) -> None:
    """Write the figure as a PNG, atomically."""
    with atomic_path(path) as temporary:
        figure.savefig(temporary, format="png")


def style(index: int, **overrides: Any) -> dict[str, Any]:
    """Keyword arguments for ``axes.plot`` for curve ``index``."""
    return curve_style(index).line(markersize=4, linewidth=1.4, **overrides)


def bars(
    axes: Any,
    names: Sequence[str],
    values: Sequence[float],
    title: str,
    errors: Sequence[float] | None = None,
    log: bool = False,
) -> None:
    """One bar per name, coloured by its index; ``errors`` as error bars."""
    colours = [curve_style(i).color for i in range(len(names))]
    heights = [0.0 if v is None or not math.isfinite(v) else v for v in values]
    axes.bar(range(len(names)), heights, color=colours, yerr=errors, capsize=3)
    axes.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize="small")
    axes.set_title(title, fontsize="medium")
    if log:
        axes.set_yscale("log")
    for i, value in enumerate(values):
        if value is None or not math.isfinite(value):
            axes.annotate("never", (i, 0), ha="center", va="bottom", fontsize="x-small")


def titled(axes: Any, title: str, xlabel: str = "", ylabel: str = "") -> None:
    """Title and axis labels in the guide's sizes."""
    axes.set_title(title, fontsize="medium")
    if xlabel:
        axes.set_xlabel(xlabel, fontsize="small")
    if ylabel:
        axes.set_ylabel(ylabel, fontsize="small")


def legend(axes: Any, **options: Any) -> None:
    """A small legend, if the axes have labelled curves."""
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize="x-small", **options)


def seed_range(
    axes: Any,
    xs: Sequence[float],
    per_seed: Sequence[Sequence[float | None]],
    label: str,
    index: int,
) -> None:
    """The mean over seeds at each x as a curve, with a bar from the lowest to the highest
    seed, where every seed got there; each seed's own value as a faint point."""
    import numpy as np

    for x, values in zip(xs, per_seed):
        mine = [v for v in values if v is not None and math.isfinite(v)]
        axes.plot(
            [x] * len(mine),
            mine,
            linestyle="none",
            marker=".",
            alpha=0.4,
            color=curve_style(index).color,
        )
    points = [
        (x, float(np.mean(v)), min(v), max(v))
        for x, v in zip(xs, per_seed)
        if v and all(item is not None and math.isfinite(item) for item in v)
    ]
    if not points:
        axes.plot([], [], label=f"{label} (never)", **style(index))
        return
    x, mean, low, high = (list(column) for column in zip(*points))
    axes.errorbar(x, mean, yerr=seed_bars(mean, low, high), label=label, capsize=2, **style(index))


def seed_bars(mean: Sequence[float], low: Sequence[float], high: Sequence[float]) -> list:
    """``yerr`` from the mean to the lowest and the highest seed (never negative: the mean
    of equal values can round below them)."""
    return [
        [max(0.0, m - lo) for m, lo in zip(mean, low)],
        [max(0.0, hi - m) for m, hi in zip(mean, high)],
    ]


def log_scale(axes: Any, which: str = "xy") -> None:
    """Logarithmic x and/or y axes, where the axes hold positive data (an empty or
    non-positive axis stays linear, which matplotlib could not draw in log scale). Minor
    ticks of the x axis go unlabelled (over a decade or so, their labels overlap)."""
    import numpy as np
    from matplotlib.ticker import NullFormatter

    limits = axes.dataLim
    for axis in which:
        low, high = (limits.x0, limits.x1) if axis == "x" else (limits.y0, limits.y1)
        if np.isfinite(low) and np.isfinite(high) and high > 0:
            (axes.set_xscale if axis == "x" else axes.set_yscale)("log")
            if axis == "x":
                axes.xaxis.set_minor_formatter(NullFormatter())
            else:
                plain_log_ticks(axes.yaxis)


def grouped_bars(
    axes: Any, groups: Sequence[str], series: dict[str, Sequence[Sequence[float | None]]]
) -> None:
    """Bars of the mean over seeds, one colour per series, side by side in each group, with
    the standard deviation as error bars; a group where a seed never finished (None) gets
    no bar but the word "never"."""
    import numpy as np

    width = 0.8 / max(len(series), 1)
    for i, (name, per_group) in enumerate(series.items()):
        positions = np.arange(len(groups)) + (i - (len(series) - 1) / 2) * width
        heights, errors = [], []
        for position, values in zip(positions, per_group):
            finite = all(v is not None and math.isfinite(v) for v in values)
            heights.append(float(np.mean(values)) if finite else 0.0)
            errors.append(float(np.std(values, ddof=1)) if finite and len(values) > 1 else 0.0)
            if not finite:
                axes.annotate("never", (position, 0), ha="center", va="bottom", fontsize="x-small")
        axes.bar(
            positions,
            heights,
            width=width,
            yerr=errors,
            capsize=2,
            label=name,
            color=curve_style(i).color,
        )
    axes.set_xticks(range(len(groups)), groups, fontsize="small")
