"""Log-error convergence plots, with the lines theory predicts drawn next to the measured ones."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from optimlab.viz import _inputs as check
from optimlab.viz._figure import mark_divergence, place_legend
from optimlab.viz._output import IMAGE_SUFFIXES, output_path, save_figure
from optimlab.viz.curves import curves_of, needs_positive
from optimlab.viz.style import curve_style, marker_positions

SMALLEST_LOG10 = -300.0  # theory lines stop before they underflow


def plot_convergence(
    errors: Mapping[str, np.ndarray],
    path: str | os.PathLike | None = None,
    rates: Mapping[str, float] | None = None,
    orders: Mapping[str, float] | None = None,
    panels: Mapping[str, Sequence[str]] | None = None,
    title: str | None = None,
) -> Any:
    """Errors ``e_k`` (e.g. ``||x_k - x*||``) on a log scale against the iteration k.

    On this plot linear convergence ``e_k = c r^k`` is a straight line of slope
    ``log10 r`` per step, and quadratic convergence a curve that bends ever more steeply
    down (the number of correct digits doubles each step). Each run is a wide, pale line
    in its colour and marker (`optimlab.viz.style`); its theory line, where given, is
    thin, dashed and opaque in the same colour on top, so it shows even where the two
    coincide. An exact zero (a method that hit the solution) is a triangle at the bottom
    of the axes, labelled ``e = 0``; a diverged run is marked as in `plot_losses`.

    Args:
        errors: ``{label: 1-D array of errors >= 0}``.
        path: save a PNG (or .svg/.pdf) here, atomically.
        rates: ``{label: predicted rate r > 0}``: the line ``e_0 r^k``.
        orders: ``{label: predicted order q > 1}``: the line of ``e_{k+1} = C e_k^q`` from
            ``e_1``, with C set by the first step in it (``C = e_2 / e_1^q``), so every
            later point is predicted. (The step from ``e_0`` is left out: far from the
            solution the order has not set in yet.) Needs ``e_0, e_1, e_2 > 0``.
        panels: ``{panel title: [labels]}`` to draw side by side with their own x ranges
            (every label in exactly one panel); default one panel.
        title: the figure's title; default says what is drawn.

    Returns:
        The matplotlib Figure.
    """
    target = output_path(path, IMAGE_SUFFIXES)
    curves = curves_of(errors, "errors")
    for label, (values, _) in curves.items():
        if (values < 0).any():
            raise ValueError(f"errors[{label!r}] has negative values; errors are distances >= 0")
    needs_positive(curves, "errors")
    rates = _per_label(rates, "rates", curves)
    orders = _per_label(orders, "orders", curves)
    for label, order in orders.items():
        if order <= 1:
            raise ValueError(
                f"orders[{label!r}] must be > 1, got {order:g}; give a linear rate in rates"
            )
        if not (curves[label][0][:3] > 0).all() or curves[label][0].size < 3:
            raise ValueError(
                f"orders[{label!r}]: errors[{label!r}] needs e_0, e_1, e_2 > 0 to set the "
                "constant of its order line"
            )
    groups = _panels(panels, curves)
    title = check.optional_text(title, "title")

    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    theory = bool(rates or orders)
    size = (6.4, 4.8) if len(groups) == 1 else (5.2 * len(groups), 5.0)
    figure = Figure(figsize=size, layout="constrained")
    grid = figure.subplots(1, len(groups), squeeze=False)[0]
    index = {label: i for i, label in enumerate(curves)}
    for axes, (heading, labels) in zip(grid, groups.items()):
        for label in labels:
            _draw_run(axes, label, curves[label], index[label], len(curves), rates, orders)
        axes.set_yscale("log", nonpositive="mask")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("iteration k")
        axes.set_ylabel("error e_k (log scale)")
        if heading:
            axes.set_title(heading)
        place_legend(axes, outside=False if len(groups) > 1 else None)
    default = "Error per iteration" + (": measured (pale band), theory (dashed)" if theory else "")
    if len(groups) == 1:
        grid[0].set_title(title or default)
    else:
        figure.suptitle(title or default)
    save_figure(figure, target)
    return figure


def plot_convergence_table(
    rows: Sequence[Mapping[str, Any]],
    path: str | os.PathLike | None = None,
    title: str | None = None,
) -> Any:
    """`optimlab.theory.convergence_table`'s runs, each with the line theory predicts.

    Linear methods (predicted order 1) go in the left panel with the line
    ``e_0 r^k`` of their predicted rate r (gradient descent with step 1/L:
    ``r = 1 - mu/L``; heavy ball with its optimal parameters:
    ``r = (sqrt(kappa) - 1)/(sqrt(kappa) + 1)``). Newton's runs go in the right panel:
    with a predicted order q > 1, the line of ``e_{k+1} = C e_k^q`` (see
    `plot_convergence`'s ``orders``); a run theory calls exact in one step says so in
    its label (its ``e_1`` is drawn as ``e = 0`` at the bottom).

    Args:
        rows: `convergence_table`'s rows (keys ``method``, ``problem``, ``errors``,
            ``predicted_rate``, ``predicted_order``, ``note``).
        path: save a PNG (or .svg/.pdf) here, atomically.
        title: the figure's title.

    Returns:
        The matplotlib Figure.
    """
    if isinstance(rows, Mapping) or not isinstance(rows, Sequence) or not rows:
        raise ValueError("rows must be a non-empty list of dicts, as convergence_table returns")
    required = ("method", "problem", "errors", "predicted_rate", "predicted_order")
    for i, row in enumerate(rows):
        missing = [key for key in required if not isinstance(row, Mapping) or key not in row]
        if missing:
            raise ValueError(f"rows[{i}] lacks {missing}; pass convergence_table's rows")
    methods = [row["method"] for row in rows]
    errors, rates, orders = {}, {}, {}
    linear, superlinear = [], []
    for row in rows:
        label = str(row["method"])
        if methods.count(row["method"]) > 1:
            label += f", {_short(str(row['problem']))}"
        rate, order = float(row["predicted_rate"]), float(row["predicted_order"])
        if order > 1:
            orders[label] = order
        elif rate > 0:
            rates[label] = rate
        elif row.get("note"):
            label += f" (theory: {row['note']})"
        errors[label] = row["errors"]
        (linear if order == 1 else superlinear).append(label)
    panels = {
        "Linear convergence: e_k ~ r^k": linear,
        "Newton's method: digits double each step": superlinear,
    }
    return plot_convergence(
        errors,
        path=path,
        rates=rates,
        orders=orders,
        panels={heading: labels for heading, labels in panels.items() if labels},
        title=title
        or "Convergence on a quadratic and a convex bowl: measured (pale band), theory (dashed)",
    )


def order_line(values: np.ndarray, order: float) -> tuple[np.ndarray, np.ndarray]:
    """The steps k >= 1 and the model ``m_1 = e_1, m_{k+1} = C m_k^q``, ``C = e_2 / e_1^q``.

    Computed in logarithms, ``log m_{k+1} = log C + q log m_k``, and cut before it
    falls below ``1e-300`` (it would underflow).
    """
    log_c = math.log10(values[2]) - order * math.log10(values[1])
    logs = [math.log10(values[1])]
    while len(logs) < values.size - 1 and logs[-1] > SMALLEST_LOG10:
        logs.append(log_c + order * logs[-1])
    logs = np.array(logs)
    keep = logs > SMALLEST_LOG10
    return np.arange(1, logs.size + 1)[keep], 10.0 ** logs[keep]


def _draw_run(
    axes: Any,
    label: str,
    curve: tuple[np.ndarray, bool],
    index: int,
    count: int,
    rates: dict[str, float],
    orders: dict[str, float],
) -> None:
    values, diverged = curve
    steps = np.arange(values.size)
    style = curve_style(index)
    name = f"{label} (diverged)" if diverged else label
    axes.plot(
        steps,
        values,
        **style.line(
            linestyle="-" if style.linestyle == "--" else style.linestyle,
            linewidth=3.2,
            alpha=0.5,
            markersize=6,
            markevery=marker_positions(values.size, index, count),
        ),
        label=name,
    )
    if diverged:
        mark_divergence(axes, steps[-1], values[-1], style.color)
    zeros = np.flatnonzero(values == 0)
    if zeros.size:
        k = int(zeros[0])
        axes.plot(
            [k],
            [0.0],
            marker="v",
            markersize=7,
            color=style.color,
            markeredgecolor="black",
            linestyle="none",
            transform=axes.get_xaxis_transform(),
            clip_on=False,
            label="_exact zero",
        )
        axes.annotate(
            "e = 0",
            (k, 0.0),
            xycoords=axes.get_xaxis_transform(),
            xytext=(6, 4),
            textcoords="offset points",
            fontsize="small",
            color=style.color,
        )
    if label in rates:
        with np.errstate(under="ignore"):
            reference = values[0] * rates[label] ** steps.astype(float)
        _theory(axes, steps, reference, style.color, f"theory: rate {rates[label]:.4g}")
    if label in orders:
        model_steps, model = order_line(values, orders[label])
        _theory(axes, model_steps, model, style.color, f"theory: order {orders[label]:g}")


def _theory(axes: Any, steps: np.ndarray, values: np.ndarray, color: str, label: str) -> None:
    """A theory line: dashed in the run's colour, thin and opaque on top of the measured
    run's wide translucent band, so it shows even where the two coincide."""
    axes.plot(steps, values, "--", color=color, linewidth=1.4, zorder=2.5, label=label)


def _per_label(mapping: object, name: str, curves: dict[str, Any]) -> dict[str, float]:
    if mapping is None:
        return {}
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{name} must be a dict {{label: value}}, got {type(mapping).__name__}")
    unknown = sorted(set(mapping) - set(curves))
    if unknown:
        raise ValueError(f"{name} has labels {unknown} that are not in errors {sorted(curves)}")
    return {label: check.positive(value, f"{name}[{label!r}]") for label, value in mapping.items()}


def _panels(panels: object, curves: dict[str, Any]) -> dict[str, list[str]]:
    if panels is None:
        return {"": list(curves)}
    if not isinstance(panels, Mapping) or not panels:
        raise ValueError("panels must be a non-empty dict {panel title: [labels]}")
    seen: list[str] = []
    for heading, labels in panels.items():
        if isinstance(labels, str) or not isinstance(labels, Sequence) or not labels:
            raise ValueError(f"panels[{heading!r}] must be a non-empty list of labels")
        seen += list(labels)
    if sorted(seen) != sorted(curves):
        raise ValueError(
            f"panels must name every label of errors exactly once: got {sorted(seen)}, "
            f"errors has {sorted(curves)}"
        )
    return {str(heading): list(labels) for heading, labels in panels.items()}


def _short(problem: str) -> str:
    """ "quadratic, kappa=100, dim=2" -> "quadratic"; "exp bowl (convex, ...)" -> "exp bowl"."""
    return problem.split(",")[0].split(" (")[0]
