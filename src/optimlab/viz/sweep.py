"""A learning-rate sweep: final loss against the learning rate, one curve per optimizer."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from optimlab.viz import _inputs as check
from optimlab.viz._figure import new_axes, place_legend
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz.style import curve_style

DIVERGED_HEIGHT = 0.96  # where diverged runs sit, as a fraction of the axes' height


def plot_lr_sweep(
    results: Mapping[str, Sequence[tuple[float, float]]],
    path: str | os.PathLike | None = None,
    log_scale: bool = True,
    title: str | None = None,
    y_label: str | None = None,
) -> Any:
    """Final loss against learning rate (log x axis), one line per optimizer.

    Too small a rate leaves the loss high (slow progress), too large a one diverges; the
    sweet spot lies between. Diverged runs (final loss NaN or inf) have no loss to plot:
    each is an ``x`` at the top of the axes, at its learning rate, in its optimizer's
    colour. Each optimizer's best rate (lowest finite loss) is circled. Optimizer i is drawn
    in the style `optimlab.viz.style.curve_style(i)`.

    Args:
        results: ``{optimizer: [(lr, final_loss), ...]}`` with lr > 0 and final_loss a
            number, NaN or inf for a diverged run; any order.
        path: save a PNG (or .svg/.pdf) here, atomically.
        log_scale: logarithmic y axis (values <= 0 are then not drawn).
        title: the title; default "Final loss against the learning rate (circled: best)".
        y_label: the y axis's name; default "final loss", with "(log scale)" on a log scale.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    sweeps = {label: _sweep(runs, label) for label, runs in check.named(results, "results").items()}
    log_scale = check.flag(log_scale, "log_scale")
    title = check.optional_text(title, "title")
    y_label = check.optional_text(y_label, "y_label")

    figure, axes = new_axes()
    top = axes.get_xaxis_transform()  # x in data units, y as a fraction of the axes
    any_diverged = False
    for index, (label, (lrs, losses)) in enumerate(sweeps.items()):
        finite = np.isfinite(losses)
        style = curve_style(index)
        axes.plot(
            lrs[finite], losses[finite], **style.line(linewidth=1.8, markersize=5), label=label
        )
        color = style.color
        if finite.any():
            best = int(np.flatnonzero(finite)[np.argmin(losses[finite])])
            axes.plot(lrs[best], losses[best], "o", markersize=12, fillstyle="none", color=color)
        if (~finite).any():
            any_diverged = True
            axes.plot(
                lrs[~finite],
                np.full((~finite).sum(), DIVERGED_HEIGHT),
                "x",
                color=color,
                markersize=9,
                markeredgewidth=2,
                transform=top,
                clip_on=False,
            )
    if any_diverged:
        axes.plot([], [], "x", color="black", label="diverged (drawn at the top)")
    axes.set_xscale("log")
    axes.margins(y=0.15)  # headroom above the finite losses for the diverged marks
    if log_scale:
        axes.set_yscale("log", nonpositive="mask")
    axes.set_xlabel("learning rate (log scale)")
    axes.set_ylabel(y_label or ("final loss (log scale)" if log_scale else "final loss"))
    axes.set_title(title or "Final loss against the learning rate (circled: best rate)")
    place_legend(axes)
    save_figure(figure, target)
    return figure


def _sweep(runs: object, label: str) -> tuple[np.ndarray, np.ndarray]:
    """``(lrs, losses)`` sorted by learning rate, after checking every pair."""
    where = f"results[{label!r}]"
    if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence) or not runs:
        raise ValueError(f"{where} must be a non-empty list of (lr, final_loss) pairs")
    pairs = []
    for i, run in enumerate(runs):
        if not isinstance(run, Sequence) or len(run) != 2:
            raise ValueError(f"{where}[{i}] must be a pair (lr, final_loss), got {run!r}")
        lr = check.positive(run[0], f"{where}[{i}] learning rate")
        loss = run[1]
        if isinstance(loss, bool) or not isinstance(loss, (int, float, np.number)):
            raise ValueError(f"{where}[{i}] final loss must be a number (NaN if diverged)")
        pairs.append((lr, math.inf if math.isnan(loss) else float(loss)))
    pairs.sort()
    lrs, losses = np.array(pairs).T
    return lrs, losses
