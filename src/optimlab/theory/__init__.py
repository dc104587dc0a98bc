"""Convergence theory next to measurement: rates and orders measured from error sequences,
the rates theory predicts, and a table that puts the two side by side. See docs/theory.md.

- `linear_rate`, `convergence_order`: what a run did (from its errors e_k).
- `gd_rate`, `heavy_ball_optimal`, `adagrad_effective_rates`: what theory says.
- `convergence_table`, `format_table`: GD, heavy ball and Newton, measured and predicted.
- `ExpBowl`: a smooth, strictly convex, non-quadratic test function with a known minimizer.
"""

from optimlab.theory.exp_bowl import ExpBowl
from optimlab.theory.measured import convergence_order, linear_rate, reliable_errors
from optimlab.theory.predicted import adagrad_effective_rates, gd_rate, heavy_ball_optimal
from optimlab.theory.table import convergence_table, format_table

__all__ = [
    "ExpBowl",
    "adagrad_effective_rates",
    "convergence_order",
    "convergence_table",
    "format_table",
    "gd_rate",
    "heavy_ball_optimal",
    "linear_rate",
    "reliable_errors",
]
