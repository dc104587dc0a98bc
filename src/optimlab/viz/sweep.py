"""Sweeps: the final loss against a searched value, one curve per optimizer.

`plot_lr_sweep` draws it against the learning rate; `plot_sensitivity` against any searched
hyperparameter (numbers on a linear or log axis, or choices such as a schedule's name).
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from numbers import Real
from typing import Any

import numpy as np

from optimlab.viz import _inputs as check
from optimlab.viz._figure import new_axes, place_legend
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz.style import curve_style, plain_log_ticks

DIVERGED_HEIGHT = 0.96  # where diverged runs sit, as a fraction of the axes' height
DIVERGED_STAGGER = 0.035  # the next optimizers' marks a little lower (3 rows), not hidden


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
    return _plot(
        results,
        "learning rate",
        path,
        log_x=True,
        lines=True,
        log_scale=log_scale,
        title=title or "Final loss against the learning rate (circled: best rate)",
        y_label=y_label,
    )


def plot_sensitivity(
    results: Mapping[str, Sequence[tuple[Any, float]]],
    name: str,
    path: str | os.PathLike | None = None,
    *,
    log_x: bool = False,
    lines: bool = True,
    log_scale: bool = True,
    title: str | None = None,
    y_label: str | None = None,
) -> Any:
    """Final loss against the values of one hyperparameter, one curve per optimizer: how
    sharply each optimizer's result depends on it.

    Numbers go on a linear axis (log with ``log_x``), sorted; other values (names, True and
    False, None) on evenly spaced ticks in the order they first appear. Diverged runs
    (loss NaN or inf) are ``x`` marks at the top of the axes; each optimizer's best value
    (lowest finite loss) is circled. Optimizer i is drawn in the style
    `optimlab.viz.style.curve_style(i)`.

    Args:
        results: ``{optimizer: [(value, final_loss), ...]}``.
        name: the hyperparameter, for the x axis and the title.
        path: save a PNG (or .svg/.pdf) here, atomically.
        log_x: logarithmic x axis (numbers > 0 only).
        lines: join each optimizer's points (a grid); False draws the points alone (a
            random search, whose points do not form a curve).
        log_scale: logarithmic y axis (values <= 0 are then not drawn).
        title: the title; default "Final loss against NAME (circled: best)".
        y_label: the y axis's name; default "final loss", with "(log scale)" on a log scale.

    Returns:
        The matplotlib Figure.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be the hyperparameter's name, got {name!r}")
    return _plot(
        results,
        name,
        path,
        log_x=check.flag(log_x, "log_x"),
        lines=check.flag(lines, "lines"),
        log_scale=log_scale,
        title=title or f"Final loss against {name} (circled: best)",
        y_label=y_label,
    )


def _plot(
    results: Mapping[str, Sequence[tuple[Any, float]]],
    noun: str,
    path: str | os.PathLike | None,
    *,
    log_x: bool,
    lines: bool,
    log_scale: bool,
    title: str,
    y_label: str | None,
) -> Any:
    target = output_path(path, IMAGE_SUFFIXES)
    named = check.named(results, "results")
    pairs = {label: _pairs(runs, label, noun) for label, runs in named.items()}
    log_scale = check.flag(log_scale, "log_scale")
    title = check.optional_text(title, "title")
    y_label = check.optional_text(y_label, "y_label")
    numeric = log_x or all(_is_number(v) for runs in pairs.values() for v, _ in runs)
    ticks: list[Any] = []
    if numeric:
        for label, runs in pairs.items():
            for i, (value, _) in enumerate(runs):
                where = f"results[{label!r}][{i}] {noun}"
                if log_x:
                    check.positive(value, where)
                elif not math.isfinite(value):
                    raise ValueError(f"{where} must be a finite number, got {value!r}")
    else:
        for runs in pairs.values():
            ticks += [value for value, _ in runs if value not in ticks]

    figure, axes = new_axes()
    top = axes.get_xaxis_transform()  # x in data units, y as a fraction of the axes
    any_diverged = False
    for index, (label, runs) in enumerate(pairs.items()):
        xs = np.array([float(v) if numeric else ticks.index(v) for v, _ in runs])
        losses = np.array([loss for _, loss in runs])
        order = np.argsort(xs, kind="stable")
        xs, losses = xs[order], losses[order]
        finite = np.isfinite(losses)
        style = curve_style(index)
        line = style.line(linewidth=1.8, markersize=5)
        if not lines:
            line["linestyle"] = "none"
        axes.plot(xs[finite], losses[finite], **line, label=label)
        color = style.color
        if finite.any():
            best = int(np.flatnonzero(finite)[np.argmin(losses[finite])])
            axes.plot(xs[best], losses[best], "o", markersize=12, fillstyle="none", color=color)
        if (~finite).any():
            any_diverged = True
            axes.plot(
                xs[~finite],
                np.full((~finite).sum(), DIVERGED_HEIGHT - DIVERGED_STAGGER * (index % 3)),
                "x",
                color=color,
                markersize=9,
                markeredgewidth=2,
                transform=top,
                clip_on=False,
            )
    if any_diverged:
        axes.plot([], [], "x", color="black", label="diverged (drawn at the top)")
    if numeric and log_x:
        axes.set_xscale("log")
        plain_log_ticks(axes.xaxis)
    if not numeric:
        axes.set_xticks(range(len(ticks)), [_tick(v) for v in ticks])
        axes.set_xlim(-0.5, len(ticks) - 0.5)
    axes.margins(y=0.15)  # headroom above the finite losses for the diverged marks
    drawn = [
        loss
        for runs in pairs.values()
        for _, loss in runs
        if math.isfinite(loss) and (loss > 0 or not log_scale)
    ]
    if not drawn:  # nothing on the y axis: say so, instead of an empty (or a log) scale
        axes.set_yticks([])
        axes.text(
            0.5,
            0.5,
            "no finite loss to draw",
            ha="center",
            va="center",
            transform=axes.transAxes,
            color="0.35",
        )
    elif log_scale:
        axes.set_yscale("log", nonpositive="mask")
        plain_log_ticks(axes.yaxis)
    axes.set_xlabel(f"{noun} (log scale)" if numeric and log_x else noun)
    axes.set_ylabel(y_label or ("final loss (log scale)" if log_scale else "final loss"))
    axes.set_title(title)
    place_legend(axes)
    save_figure(figure, target)
    return figure


def _pairs(runs: object, label: str, noun: str) -> list[tuple[Any, float]]:
    """``[(value, loss)]`` after checking every pair (a NaN loss becomes inf)."""
    where = f"results[{label!r}]"
    if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence) or not runs:
        raise ValueError(f"{where} must be a non-empty list of ({noun}, final_loss) pairs")
    pairs = []
    for i, run in enumerate(runs):
        if not isinstance(run, Sequence) or len(run) != 2:
            raise ValueError(f"{where}[{i}] must be a pair ({noun}, final_loss), got {run!r}")
        value, loss = run
        if isinstance(loss, bool) or not isinstance(loss, (int, float, np.number)):
            raise ValueError(f"{where}[{i}] final loss must be a number (NaN if diverged)")
        if not (_is_number(value) or isinstance(value, (str, bool)) or value is None):
            raise ValueError(f"{where}[{i}] {noun} must be a number, a name, a flag or None")
        pairs.append((value, math.inf if math.isnan(loss) else float(loss)))
    return pairs


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)


def _tick(value: Any) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
