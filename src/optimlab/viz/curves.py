"""Curves over iterations: loss histories (optionally EWMA-smoothed) and log-error plots."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab.ewma import ewma
from optimlab.viz import _inputs as check
from optimlab.viz._figure import mark_divergence, new_axes
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure

SHORT_RUN = 30  # runs with at most this many errors get a marker on each


def plot_losses(
    histories: Mapping[str, np.ndarray],
    path: str | os.PathLike | None = None,
    x_label: str = "iteration",
    log_scale: bool = True,
    smooth_beta: float | None = None,
) -> Any:
    """Loss curves, one per run, against their index (iteration or epoch).

    A run that diverged (a NaN or inf in its history) is drawn up to its last finite
    value and marked there with a red ``X``; the legend says "diverged". With
    ``smooth_beta`` each curve is also smoothed by the debiased EWMA

        v_t = beta v_{t-1} + (1 - beta) loss_t,   shown as v_t / (1 - beta^t),

    drawn bold over the faint raw curve (noisy SGD losses become readable). On a log
    scale, values <= 0 are not drawn.

    Args:
        histories: ``{label: 1-D array of losses}``; lengths may differ.
        path: save a PNG (or .svg/.pdf) here, atomically.
        x_label: the x axis's name ("iteration", "epoch", ...).
        log_scale: logarithmic y axis.
        smooth_beta: EWMA weight of the past in [0, 1), or None for raw curves only.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    curves = _curves(histories, "histories")
    if not isinstance(x_label, str):
        raise ValueError(f"x_label must be a str, got {x_label!r}")
    log_scale = check.flag(log_scale, "log_scale")
    if smooth_beta is not None:
        smooth_beta = check.beta(smooth_beta, "smooth_beta")
    if log_scale:
        _needs_positive(curves, "histories")

    figure, axes = new_axes()
    for label, (values, diverged) in curves.items():
        steps = np.arange(values.size)
        name = f"{label} (diverged)" if diverged else label
        if smooth_beta is None:
            (line,) = axes.plot(steps, values, linewidth=1.5, label=name)
        else:
            (line,) = axes.plot(steps, values, linewidth=1.0, alpha=0.3)
            smoothed = ewma(values, beta=smooth_beta, debias=True)
            axes.plot(steps, smoothed, linewidth=2.2, color=line.get_color(), label=name)
        if diverged:
            mark_divergence(axes, steps[-1], values[-1], line.get_color())
    if log_scale:
        axes.set_yscale("log", nonpositive="mask")
    axes.set_xlabel(x_label)
    title = "loss" if smooth_beta is None else f"loss (bold: EWMA, beta={smooth_beta:g})"
    axes.set_ylabel("loss")
    axes.set_title(title)
    axes.legend(loc="best", fontsize="small")
    save_figure(figure, target)
    return figure


def plot_convergence(
    errors: Mapping[str, np.ndarray],
    path: str | os.PathLike | None = None,
    rates: Mapping[str, float] | None = None,
) -> Any:
    """Errors ``e_k`` (e.g. ``||x_k - x*||``) on a log scale against the iteration k.

    On this plot linear convergence ``e_k = c r^k`` is a straight line of slope
    ``log10 r`` per step, and quadratic convergence a curve that bends ever more steeply
    down (the number of correct digits doubles each step). Exact zeros (a method that
    hit the solution) are not drawn; a diverged run is marked as in `plot_losses`.

    Args:
        errors: ``{label: 1-D array of errors >= 0}``.
        path: save a PNG (or .svg/.pdf) here, atomically.
        rates: optional ``{label: predicted rate r}``, drawn as dashed reference lines
            ``e_0 r^k`` in the colour of that run.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    curves = _curves(errors, "errors")
    for label, (values, _) in curves.items():
        if (values < 0).any():
            raise ValueError(f"errors[{label!r}] has negative values; errors are distances >= 0")
    _needs_positive(curves, "errors")
    rates = _rates(rates, curves)

    figure, axes = new_axes()
    for label, (values, diverged) in curves.items():
        steps = np.arange(values.size)
        name = f"{label} (diverged)" if diverged else label
        marker = "o" if values.size <= SHORT_RUN else None  # a few Newton steps stay visible
        (line,) = axes.plot(steps, values, linewidth=1.5, marker=marker, markersize=4, label=name)
        if diverged:
            mark_divergence(axes, steps[-1], values[-1], line.get_color())
        if label in rates:
            with np.errstate(under="ignore"):
                reference = values[0] * rates[label] ** steps.astype(float)
            axes.plot(
                steps,
                reference,
                "--",
                color=line.get_color(),
                linewidth=1.0,
                label=f"theory: rate {rates[label]:.4g}",
            )
    axes.set_yscale("log", nonpositive="mask")
    axes.set_xlabel("iteration k")
    axes.set_ylabel("error e_k")
    axes.set_title("convergence")
    axes.legend(loc="best", fontsize="small")
    save_figure(figure, target)
    return figure


def _curves(mapping: object, name: str) -> dict[str, tuple[np.ndarray, bool]]:
    return {
        label: check.curve(values, f"{name}[{label!r}]")
        for label, values in check.named(mapping, name).items()
    }


def _needs_positive(curves: dict[str, tuple[np.ndarray, bool]], name: str) -> None:
    for label, (values, _) in curves.items():
        if not (values > 0).any():
            raise ValueError(
                f"{name}[{label!r}] has no value > 0 to show on a log scale; "
                "pass log_scale=False or plot positive quantities"
            )


def _rates(rates: object, curves: dict[str, tuple[np.ndarray, bool]]) -> dict[str, float]:
    if rates is None:
        return {}
    if not isinstance(rates, Mapping):
        raise ValueError(f"rates must be a dict {{label: rate}}, got {type(rates).__name__}")
    unknown = sorted(set(rates) - set(curves))
    if unknown:
        raise ValueError(f"rates has labels {unknown} that are not in errors {sorted(curves)}")
    checked = {}
    for label, rate in rates.items():
        checked[label] = check.positive(rate, f"rates[{label!r}]")
    return checked
