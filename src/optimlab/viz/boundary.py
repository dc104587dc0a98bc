"""Decision regions of a 2-D classifier with the training points on top."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from optimlab.viz import _inputs as check
from optimlab.viz._figure import new_axes, place_legend
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz.style import curve_style

MARGIN = 0.1  # of the data's range, added on each side


def plot_decision_boundary(
    predict_proba_fn: Callable[[np.ndarray], ArrayLike],
    X: ArrayLike,
    y: ArrayLike,
    path: str | os.PathLike | None = None,
    resolution: int = 200,
    title: str | None = None,
) -> Any:
    """What a classifier predicts over the plane, and the data it was trained on.

    ``predict_proba_fn`` is called once on a ``resolution x resolution`` grid covering
    the data plus a 10% margin (shape ``(resolution**2, 2)``) and returns either P(y=1),
    shape ``(m,)`` or ``(m, 1)`` (binary: shaded by probability, the 0.5 level drawn as
    the decision boundary), or class probabilities, shape ``(m, K)`` (each point shaded
    by its most probable class). Class k's points are drawn in
    `optimlab.viz.style.curve_style(k)`'s colour and marker, with a black edge.

    Args:
        predict_proba_fn: grid points ``(m, 2)`` -> probabilities, as above.
        X: ``(n, 2)`` finite inputs.
        y: ``(n,)`` integer class labels 0..K-1.
        path: save a PNG (or .svg/.pdf) here, atomically.
        resolution: grid points per axis, 10 to 1000.
        title: the title; default says what the shading and the line show.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    if not callable(predict_proba_fn):
        raise ValueError("predict_proba_fn must be a callable (m, 2) grid -> probabilities")
    X = check.real_array(X, "X", ndim=2)
    if X.shape[1] != 2 or not np.isfinite(X).all():
        raise ValueError(f"X must be finite with shape (n, 2), got shape {X.shape}")
    labels = _labels(y, X.shape[0])
    resolution = check.integer(resolution, "resolution", minimum=10, maximum=1000)
    title = check.optional_text(title, "title")

    xs, ys = (_axis_range(X[:, j], resolution) for j in range(2))
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    probabilities = _probabilities(predict_proba_fn(grid), grid.shape[0])
    known = max(probabilities.shape[1], 2)
    if labels.max() >= known:
        raise ValueError(
            f"y has label {labels.max()} but predict_proba_fn gives {known} classes "
            "(labels must be 0..K-1)"
        )

    figure, axes = new_axes()
    classes = known
    if probabilities.shape[1] == 1:
        p = probabilities[:, 0].reshape(grid_x.shape)
        shading = axes.contourf(
            grid_x, grid_y, p, levels=np.linspace(0, 1, 11), cmap="RdBu_r", alpha=0.6
        )
        boundary = axes.contour(grid_x, grid_y, p, levels=[0.5], colors="black", linewidths=1.5)
        segments = [seg for level in boundary.allsegs for seg in level if len(seg)]
        if segments:  # label the longest piece of the boundary at its middle, away from edges
            longest = max(segments, key=len)
            axes.clabel(
                boundary,
                fmt={0.5: "P = 0.5"},
                fontsize="small",
                manual=[longest[len(longest) // 2]],
            )
        figure.colorbar(shading, ax=axes, label="predicted P(y = 1)")
        default = "Predicted probability of class 1; black line: decision boundary"
    else:
        from matplotlib.colors import ListedColormap

        predicted = probabilities.argmax(axis=1).reshape(grid_x.shape)
        axes.contourf(
            grid_x,
            grid_y,
            predicted,
            levels=np.arange(classes + 1) - 0.5,
            cmap=ListedColormap([curve_style(k).color for k in range(classes)]),
            alpha=0.3,
        )
        default = "Predicted class (shaded) and the data (points)"
    for k in range(classes):
        members = labels == k
        if members.any():
            style = curve_style(k)
            axes.scatter(
                X[members, 0],
                X[members, 1],
                s=20,
                color=style.color,
                marker=style.marker,
                edgecolors="black",
                linewidths=0.5,
                label=f"class {k}",
            )
    axes.set_xlim(xs[0], xs[-1])
    axes.set_ylim(ys[0], ys[-1])
    axes.set_xlabel("feature x1")
    axes.set_ylabel("feature x2")
    axes.set_title(title or default)
    place_legend(axes)
    save_figure(figure, target)
    return figure


def _labels(y: ArrayLike, n: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.shape != (n,):
        raise ValueError(f"y must have shape ({n},), one label per row of X; got {labels.shape}")
    if labels.dtype.kind == "b":
        return labels.astype(int)
    if labels.dtype.kind not in "iuf" or not np.isfinite(labels).all():
        raise ValueError(f"y must hold integer class labels, got dtype {labels.dtype}")
    if (labels != np.round(labels)).any() or labels.min() < 0:
        raise ValueError("y must hold class labels 0, 1, ..., K-1 (non-negative integers)")
    return labels.astype(int)


def _axis_range(values: np.ndarray, resolution: int) -> np.ndarray:
    low, high = float(values.min()), float(values.max())
    margin = MARGIN * (high - low) if high > low else 1.0
    return np.linspace(low - margin, high + margin, resolution)


def _probabilities(output: ArrayLike, m: int) -> np.ndarray:
    """The classifier's output as an ``(m, 1)`` or ``(m, K)`` array, checked."""
    p = np.asarray(output, dtype=np.float64)
    if p.ndim == 1:
        p = p[:, None]
    if p.ndim != 2 or p.shape[0] != m:
        raise ValueError(
            f"predict_proba_fn must return shape ({m},) or ({m}, K) for {m} grid points, "
            f"got shape {np.shape(output)}"
        )
    if not np.isfinite(p).all():
        raise ValueError("predict_proba_fn returned non-finite probabilities")
    return p
