"""Loss curves over iterations or epochs, optionally EWMA-smoothed."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.ewma import ewma
from optimlab.viz import _inputs as check
from optimlab.viz._figure import (
    INSIDE_ENTRIES,
    mark_divergence,
    mark_window_exits,
    new_axes,
    place_legend,
)
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz.style import curve_style, marker_positions, plain_log_ticks


def plot_losses(
    histories: Mapping[str, np.ndarray],
    path: str | os.PathLike | None = None,
    x_label: str = "iteration",
    log_scale: bool = True,
    smooth_beta: float | None = None,
    title: str | None = None,
    y_label: str | None = None,
    y_range: tuple[float, float] | None = None,
) -> Any:
    """Loss curves, one per run, against their index (iteration from 0, or epoch from 1).

    Curve i is drawn in the style `optimlab.viz.style.curve_style(i)` (colour, line style
    and a few markers placed so that curves lying on top of each other stay
    distinguishable), earlier curves slightly wider so later ones do not hide them. A run
    that diverged (a NaN or inf in its history) is drawn up to its last finite value and
    marked there with a red ``X``; the legend says "diverged" (a run that diverged before
    its first value, an empty history or one that starts with a NaN or inf, is named in
    the legend only). With ``smooth_beta`` each
    curve is also smoothed by the debiased EWMA

        v_t = beta v_{t-1} + (1 - beta) loss_t,   shown as v_t / (1 - beta^t),

    drawn bold over the faint raw curve (noisy SGD losses become readable). On a log
    scale, values <= 0 are not drawn. Legends of more than five runs sit right of the plot.

    Args:
        histories: ``{label: 1-D array of losses}``; lengths may differ.
        path: save a PNG (or .svg/.pdf) here, atomically.
        x_label: the x axis's name ("iteration", "epoch", ...).
        log_scale: logarithmic y axis.
        smooth_beta: EWMA weight of the past in [0, 1), or None for raw curves only.
        title: the title; default "Loss per <x_label>" (with the smoothing noted).
        y_label: the y axis's name; default "loss", with "(log scale)" on a log scale.
        y_range: ``(low, high)``, the y window (default: all values). Where a curve (the
            bold one when smoothed; faint raw curves are just clipped) goes above or below
            it, a triangle on that edge marks the step and its legend label says
            "(leaves the window)".

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    curves = curves_of(histories, "histories", diverged_at_once=True)
    if not isinstance(x_label, str):
        raise ValueError(f"x_label must be a str, got {x_label!r}")
    log_scale = check.flag(log_scale, "log_scale")
    if smooth_beta is not None:
        smooth_beta = check.beta(smooth_beta, "smooth_beta")
    title = check.optional_text(title, "title")
    y_label = check.optional_text(y_label, "y_label")
    drawn = {label: curve for label, curve in curves.items() if curve[0].size}
    if log_scale and drawn:
        needs_positive(drawn, "histories")
    if y_range is not None:
        y_range = _window(y_range, log_scale)

    from matplotlib.ticker import MaxNLocator

    figure, axes = new_axes(figsize=(7.6, 4.8) if len(curves) > INSIDE_ENTRIES else (6.4, 4.8))
    count = len(curves)
    first = 1 if x_label == "epoch" else 0  # epoch k's value is recorded at its end
    for index, (label, (values, diverged)) in enumerate(curves.items()):
        steps = np.arange(values.size) + first
        style = curve_style(index)
        if not values.size:  # diverged before its first value: in the legend only
            axes.plot([], [], **style.line(), label=f"{label} (diverged at once)")
            continue
        width = _width(index, count)
        markers = marker_positions(values.size, index, count)
        shown = values
        if smooth_beta is not None:
            axes.plot(steps, values, color=style.color, linewidth=1.0, alpha=0.3, zorder=1.5)
            shown = ewma(values, beta=smooth_beta, debias=True)
            width += 0.8
        leaves = y_range is not None and mark_window_exits(axes, steps, shown, y_range, style.color)
        name = label + " (diverged)" * diverged + " (leaves the window)" * leaves
        axes.plot(
            steps,
            shown,
            **style.line(linewidth=width, markersize=4, markevery=markers),
            label=name,
        )
        if diverged:
            last = values[-1] if y_range is None else np.clip(values[-1], *y_range)
            mark_divergence(axes, steps[-1], last, style.color)
    if not drawn:
        axes.set_yticks([])
        axes.text(
            0.5,
            0.2,
            "every run diverged before its first value",
            ha="center",
            va="center",
            transform=axes.transAxes,
            color="0.35",
        )
    elif log_scale:
        axes.set_yscale("log", nonpositive="mask")
        plain_log_ticks(axes.yaxis)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label or ("loss (log scale)" if log_scale else "loss"))
    default = f"Loss per {x_label}"
    if smooth_beta is not None:
        default += f" (faint: raw; bold: EWMA, beta={smooth_beta:g})"
    axes.set_title(title or default, pad=10 if y_range is not None else None)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # steps are whole numbers
    if max((values.size for values, _ in curves.values()), default=0) == 1:
        axes.set_xlim(first - 0.5, first + 0.5)  # one value each: one tick, at it
        axes.set_xticks([first])
    if not drawn:
        axes.set_xticks([])
    if y_range is not None:
        axes.set_ylim(*y_range)
    place_legend(axes, outside=False, loc="upper center") if not drawn else place_legend(axes)
    save_figure(figure, target)
    return figure


def _window(y_range: object, log_scale: bool) -> tuple[float, float]:
    if isinstance(y_range, (str, bytes)) or not isinstance(y_range, Sequence) or len(y_range) != 2:
        raise ValueError(f"y_range must be a pair (low, high), got {y_range!r}")
    low = checks.number("y_range low", y_range[0])
    high = checks.number("y_range high", y_range[1])
    if not low < high:
        raise ValueError(f"y_range must have low < high, got ({low:g}, {high:g})")
    if log_scale and low <= 0:
        raise ValueError(f"y_range low must be > 0 on a log scale, got {low:g}")
    return low, high


def _width(index: int, count: int) -> float:
    """Line widths from 2.2 (first curve) down to 1.3 (last): lower curves peek out."""
    return 2.2 - 0.9 * index / (count - 1) if count > 1 else 1.8


def curves_of(
    mapping: object, name: str, diverged_at_once: bool = False
) -> dict[str, tuple[np.ndarray, bool]]:
    return {
        label: check.curve(values, f"{name}[{label!r}]", diverged_at_once)
        for label, values in check.named(mapping, name).items()
    }


def needs_positive(curves: dict[str, tuple[np.ndarray, bool]], name: str) -> None:
    for label, (values, _) in curves.items():
        if not (values > 0).any():
            raise ValueError(
                f"{name}[{label!r}] has no value > 0 to show on a log scale; "
                "pass log_scale=False or plot positive quantities"
            )
