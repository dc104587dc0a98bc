"""A noisy series and its exponentially weighted moving averages, the demonstration of the
course notes "Optimizers in Deep Learning"."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optimlab.ewma import ewma
from optimlab.viz import _inputs as check
from optimlab.viz._figure import new_axes, place_legend
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz.style import curve_style, marker_positions


def plot_ewma_demo(
    series: ArrayLike,
    betas: Sequence[float] = (0.5, 0.9, 0.98),
    path: str | os.PathLike | None = None,
    debias: bool = False,
    title: str | None = None,
) -> Any:
    """A series (grey dots) and its EWMA for each beta.

        v_0 = 0,   v_t = beta v_{t-1} + (1 - beta) x_t

    averages roughly the last ``1 / (1 - beta)`` points (shown in the legend): a larger
    beta is smoother but lags behind changes. Started at 0, the average is biased low at
    first (visible at the left for large beta); ``debias=True`` divides by
    ``1 - beta^t`` (Adam's bias correction) and removes that.

    Args:
        series: 1-D, finite, at least 2 values.
        betas: one or more EWMA weights of the past, each in [0, 1).
        path: save a PNG (or .svg/.pdf) here, atomically.
        debias: apply the bias correction.
        title: the title; default says what beta does and whether the bias is corrected.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    values = check.real_array(series, "series", ndim=1)
    if values.size < 2 or not np.isfinite(values).all():
        raise ValueError("series must hold at least 2 values, all finite")
    if isinstance(betas, (str, bytes)) or not isinstance(betas, Sequence) or not betas:
        raise ValueError(f"betas must be a non-empty sequence of numbers in [0, 1), got {betas!r}")
    betas = [check.beta(b, f"betas[{i}]") for i, b in enumerate(betas)]
    debias = check.flag(debias, "debias")
    title = check.optional_text(title, "title")

    figure, axes = new_axes(figsize=(8.0, 4.5))
    steps = np.arange(1, values.size + 1)
    axes.plot(steps, values, ".", color="grey", markersize=4, alpha=0.7, label="data")
    for index, beta in enumerate(betas):
        window = 1.0 / (1.0 - beta)
        style = curve_style(index)
        axes.plot(
            steps,
            ewma(values, beta=beta, debias=debias),
            **style.line(
                linewidth=2.4 - 0.6 * index / max(len(betas) - 1, 1),
                markersize=5,
                markevery=marker_positions(steps.size, index, len(betas)),
            ),
            label=f"beta = {beta:g} (about {window:.3g} points)",
        )
    axes.set_xlabel("step t")
    axes.set_ylabel("data x_t (dots) and average v_t (lines)")
    correction = "bias-corrected" if debias else "v_0 = 0, no bias correction"
    axes.set_title(title or f"EWMA: larger beta, smoother and slower ({correction})")
    place_legend(axes)
    save_figure(figure, target)
    return figure
