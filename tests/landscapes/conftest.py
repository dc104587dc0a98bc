"""Every landscape configuration the generic checks run on."""

import pytest

from optimlab.landscapes import (
    Beale,
    Booth,
    Himmelblau,
    Noisy,
    Quadratic,
    Rastrigin,
    Rosenbrock,
    Saddle,
    TwoBasin,
)

CASES = {
    "quadratic": lambda: Quadratic(condition_number=10.0),
    "quadratic-rotated-5d": lambda: Quadratic(condition_number=50.0, dim=5, angle=0.7),
    "quadratic-1d": lambda: Quadratic(condition_number=1.0, dim=1),
    "rosenbrock": lambda: Rosenbrock(),
    "rosenbrock-a1.5-b20": lambda: Rosenbrock(a=1.5, b=20.0),
    "rosenbrock-5d": lambda: Rosenbrock(dim=5),
    "beale": lambda: Beale(),
    "booth": lambda: Booth(),
    "himmelblau": lambda: Himmelblau(),
    "saddle": lambda: Saddle(),
    "two_basin-1d": lambda: TwoBasin(dim=1),
    "two_basin-2d": lambda: TwoBasin(dim=2),
    "rastrigin": lambda: Rastrigin(),
    "rastrigin-4d-A3": lambda: Rastrigin(dim=4, A=3.0),
    "noisy-himmelblau-sigma0": lambda: Noisy(Himmelblau(), sigma=0.0, seed=1),
}


@pytest.fixture(params=list(CASES))
def landscape(request):
    return CASES[request.param]()
