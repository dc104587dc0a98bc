"""Test functions ("landscapes") with exact gradients and Hessians, for watching optimizers.

Each landscape is an objective like the models: ``x = land.start`` gives a 1-D array that an
optimizer updates in place, and ``land.closure()`` gives ``f(params) -> (loss, grads,
hessian)`` for ``opt.step(closure=f)``. See docs/landscapes.md.
"""

from optimlab.landscapes.base import Landscape
from optimlab.landscapes.beale import Beale
from optimlab.landscapes.booth import Booth
from optimlab.landscapes.himmelblau import Himmelblau
from optimlab.landscapes.noisy import Noisy
from optimlab.landscapes.quadratic import Quadratic
from optimlab.landscapes.rastrigin import Rastrigin
from optimlab.landscapes.registry import LANDSCAPES, get_landscape
from optimlab.landscapes.rosenbrock import Rosenbrock
from optimlab.landscapes.saddle import Saddle
from optimlab.landscapes.two_basin import TwoBasin
from optimlab.landscapes.wrapped import GradientWrapper

__all__ = [
    "LANDSCAPES",
    "Beale",
    "Booth",
    "GradientWrapper",
    "Himmelblau",
    "Landscape",
    "Noisy",
    "Quadratic",
    "Rastrigin",
    "Rosenbrock",
    "Saddle",
    "TwoBasin",
    "get_landscape",
]
