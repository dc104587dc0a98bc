"""Plots of optimization runs, from plain data (arrays and dicts of arrays).

matplotlib is imported inside the functions, so ``import optimlab`` stays light, and only
its object API is used (no pyplot), so everything runs headless. Every plot returns the
matplotlib Figure and, given ``path``, writes the file atomically (a temporary file in the
same folder, then ``os.replace``). Every curve and path takes its colour, line style and
marker from `optimlab.viz.style`. See docs/viz.md.
"""

from optimlab.viz.animation import animate_trajectories
from optimlab.viz.boundary import plot_decision_boundary
from optimlab.viz.contours import plot_trajectories
from optimlab.viz.convergence import plot_convergence, plot_convergence_table
from optimlab.viz.curves import plot_losses
from optimlab.viz.ewma_demo import plot_ewma_demo
from optimlab.viz.lr_find import plot_lr_find
from optimlab.viz.sweep import plot_lr_sweep, plot_sensitivity
from optimlab.viz.trajectory import run_on_landscape

__all__ = [
    "animate_trajectories",
    "plot_convergence",
    "plot_convergence_table",
    "plot_decision_boundary",
    "plot_ewma_demo",
    "plot_losses",
    "plot_lr_find",
    "plot_lr_sweep",
    "plot_sensitivity",
    "plot_trajectories",
    "run_on_landscape",
]
