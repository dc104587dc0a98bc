"""The learning-rate range test's curve: batch loss and its smoothing against the rate."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab.viz import _inputs as check
from optimlab.viz._figure import mark_window_exits, new_axes, place_legend
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz.style import PALETTE, curve_style

SUGGESTION_STYLES = ("--", "-.", ":")


def plot_lr_find(
    lrs: Any,
    losses: Any,
    smoothed: Any,
    suggestions: Mapping[str, float] | None = None,
    path: str | os.PathLike | None = None,
    burn_in: int = 0,
    title: str | None = None,
) -> Any:
    """Loss against learning rate (log x axis): the raw batch losses faint, the smoothed
    ones bold, each suggested rate a dashed vertical line named in the legend, and the
    burn-in steps (left out of the suggestions) greyed. The y window frames the smoothed
    curve; where the batch loss leaves it, a small grey triangle on that edge says so.

    Args:
        lrs: the ramp's rates, > 0, one per step.
        losses: the batch loss of each step (same length).
        smoothed: the debiased EWMA of ``losses`` (same length).
        suggestions: ``{name: rate}`` to mark, e.g. ``LRFindResult.suggestions``.
        path: save a PNG (or .svg/.pdf) here, atomically.
        burn_in: how many first steps the suggestions ignored.
        title: the title; default "Learning-rate range test: loss against the rate".

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    lrs = check.real_array(lrs, "lrs", 1)
    losses = check.real_array(losses, "losses", 1)
    smoothed = check.real_array(smoothed, "smoothed", 1)
    if not (lrs.size == losses.size == smoothed.size) or lrs.size == 0:
        raise ValueError(
            f"lrs, losses and smoothed must have the same non-zero length, got "
            f"{lrs.size}, {losses.size} and {smoothed.size}"
        )
    if not (np.isfinite(lrs).all() and (lrs > 0).all()):
        raise ValueError("lrs must be finite and > 0 (the ramp's rates)")
    named = check.named(suggestions, "suggestions") if suggestions else {}
    marks = {name: check.positive(rate, f"suggestions[{name!r}]") for name, rate in named.items()}
    burn_in = check.integer(burn_in, "burn_in", 0, lrs.size)
    title = check.optional_text(title, "title")

    figure, axes = new_axes()
    axes.plot(lrs, losses, color="0.55", linewidth=0.8, label="batch loss")
    axes.plot(lrs, smoothed, color=PALETTE[0], linewidth=2.2, label="smoothed (debiased EWMA)")
    if burn_in:
        axes.axvspan(lrs[0], lrs[burn_in - 1], color="0.9", zorder=0, label="burn-in")
    for index, (name, rate) in enumerate(marks.items()):
        style = curve_style(index + 1)  # the smoothed curve has style 0's colour
        axes.axvline(
            rate,
            color=style.color,
            linestyle=SUGGESTION_STYLES[index % len(SUGGESTION_STYLES)],
            linewidth=1.6,
            label=f"{name}: {rate:.3g}",
        )
    axes.set_xscale("log")
    finite = smoothed[np.isfinite(smoothed)]
    outside = False
    if finite.size:  # frame the smoothed curve; where the raw loss leaves it, mark the edge
        low, high = float(finite.min()), float(finite.max())
        pad = 0.1 * (high - low) or 0.1 * abs(high) or 1.0
        window = (low - pad, high + pad)
        axes.set_ylim(*window)
        with np.errstate(invalid="ignore"):
            outside = mark_window_exits(axes, lrs, losses, window, "0.55", size=5)
    note = "\ngrey triangles on an edge: the batch loss leaves the window there" * outside
    axes.set_xlabel("learning rate (log scale; rises every step)" + note)
    axes.set_ylabel("training loss of the batch")
    axes.set_title(title or "Learning-rate range test: loss against the rate")
    place_legend(axes, outside=len(marks) > 2)
    save_figure(figure, target)
    return figure
