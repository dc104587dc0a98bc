"""The convergence table: GD, heavy ball and Newton, measured rates beside predicted ones."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.landscapes import Landscape, Quadratic
from optimlab.optim import SGD, Newton, Optimizer
from optimlab.theory.exp_bowl import ExpBowl
from optimlab.theory.measured import (
    RELATIVE_FLOOR,
    convergence_order,
    linear_rate,
    reliable_errors,
)
from optimlab.theory.predicted import gd_rate, heavy_ball_optimal

BOWL = "exp bowl (convex, not quadratic)"
COLUMNS = (
    ("method", "method"),
    ("problem", "problem"),
    ("measured_rate", "measured rate"),
    ("predicted_rate", "predicted rate"),
    ("measured_order", "measured order"),
    ("predicted_order", "predicted order"),
    ("iterations", "iterations to tol"),
    ("note", "note"),
)


def convergence_table(
    condition_number: float = 100.0,
    dim: int = 2,
    angle: float = 0.0,
    tol: float = 1e-8,
    max_iter: int = 10_000,
) -> list[dict[str, Any]]:
    """Run four methods to the precision floor and measure their rate and order.

    1. gradient descent, ``SGD(x, lr=1/L)``, on ``Quadratic(condition_number, dim, angle)``:
       predicted rate ``1 - mu/L``;
    2. heavy ball, ``SGD(x, lr, momentum)`` with `heavy_ball_optimal`'s parameters:
       predicted ``(sqrt(kappa) - 1)/(sqrt(kappa) + 1)``;
    3. Newton on the same quadratic: exact in one step;
    4. Newton on `ExpBowl` (convex, not quadratic): predicted order 2.

    The error is ``e_k = ||x_k - x*||``. Each run stops when e_k falls to
    ``1e-13 * e_0`` (rounding level) or after ``max_iter`` steps.

    Returns:
        One dict per method with keys ``method``, ``problem``, ``measured_rate``,
        ``predicted_rate``, ``measured_order``, ``predicted_order`` (NaN where a value is
        undefined, e.g. the rate of a method that is exact in one step), ``iterations``
        (first k with e_k <= tol, None if never), ``tol``, ``note`` and ``errors`` (the
        whole sequence, for `optimlab.viz.plot_convergence`).
    """
    kappa = checks.number("condition_number", condition_number)
    if kappa <= 1.0:
        raise ValueError(
            f"condition_number must be > 1, got {kappa} (at 1 every method here is exact in "
            "one step and there is no rate to measure)"
        )
    tol = checks.positive("tol", tol)
    max_iter = checks.integer("max_iter", max_iter, low=1)
    quadratic = Quadratic(condition_number=kappa, dim=dim, angle=angle)
    mu, L = quadratic.mu, quadratic.L
    lr, momentum, heavy_rate = heavy_ball_optimal(mu, L)
    problem = f"quadratic, kappa={kappa:g}, dim={quadratic.dim}"
    gd = _error_history(quadratic, lambda x: SGD(x, lr=1.0 / L), max_iter)
    heavy = _error_history(quadratic, lambda x: SGD(x, lr=lr, momentum=momentum), max_iter)
    newton = _error_history(quadratic, Newton, max_iter)
    newton_bowl = _error_history(ExpBowl(), Newton, max_iter)
    return [
        _row("gradient descent, lr=1/L", problem, gd, gd_rate(mu, L, 1.0 / L), 1.0, tol),
        _row("heavy ball, optimal lr and momentum", problem, heavy, heavy_rate, 1.0, tol),
        _row("Newton", problem, newton, 0.0, math.nan, tol, "exact in one step"),
        _row("Newton", BOWL, newton_bowl, 0.0, 2.0, tol, "superlinear: rate -> 0"),
    ]


def format_table(rows: Sequence[dict[str, Any]]) -> str:
    """A plain-text table of `convergence_table`'s rows (numbers to 4 significant digits)."""
    if isinstance(rows, dict) or not isinstance(rows, Sequence) or not rows:
        raise ValueError("rows must be a non-empty list of dicts, as convergence_table returns")
    required = [key for key, _ in COLUMNS if key != "note"]
    for i, row in enumerate(rows):
        missing = [key for key in required if not isinstance(row, dict) or key not in row]
        if missing:
            raise ValueError(f"rows[{i}] lacks {missing}; pass convergence_table's rows")
    tol = rows[0].get("tol")
    headers = [
        f"iterations to {tol:g}" if key == "iterations" and tol else title for key, title in COLUMNS
    ]
    cells = [[_cell(row.get(key, "")) for key, _ in COLUMNS] for row in rows]
    widths = [max(len(h), *(len(c[j]) for c in cells)) for j, h in enumerate(headers)]
    lines = [_line(headers, widths), _line(["-" * w for w in widths], widths)]
    lines += [_line(c, widths) for c in cells]
    return "\n".join(lines)


def _error_history(
    landscape: Landscape, factory: Callable[[np.ndarray], Optimizer], max_iter: int
) -> np.ndarray:
    """||x_k - x*|| from the start until it reaches rounding level or max_iter steps."""
    x = landscape.start
    minimizer = landscape.minima[0]
    optimizer = factory(x)
    objective = landscape.closure(with_hessian=isinstance(optimizer, Newton))
    errors = [float(np.linalg.norm(x - minimizer))]
    stop = RELATIVE_FLOOR * errors[0]
    while len(errors) <= max_iter and errors[-1] > stop:
        optimizer.step(closure=objective)
        errors.append(float(np.linalg.norm(x - minimizer)))
    return np.array(errors)


def _row(
    method: str,
    problem: str,
    errors: np.ndarray,
    predicted_rate: float,
    predicted_order: float,
    tol: float,
    note: str = "",
) -> dict[str, Any]:
    reliable = reliable_errors(errors).size
    reached = np.flatnonzero(errors <= tol)
    return {
        "method": method,
        "problem": problem,
        "measured_rate": linear_rate(errors) if reliable >= 2 else math.nan,
        "predicted_rate": predicted_rate,
        "measured_order": convergence_order(errors) if reliable >= 3 else math.nan,
        "predicted_order": predicted_order,
        "iterations": int(reached[0]) if reached.size else None,
        "tol": tol,
        "note": note,
        "errors": errors,
    }


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()
