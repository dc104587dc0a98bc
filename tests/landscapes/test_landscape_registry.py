"""Landscapes by name."""

import numpy as np
import pytest

from optimlab.landscapes import LANDSCAPES, Landscape, Quadratic, TwoBasin, get_landscape


def test_names_cover_the_issue_list():
    expected = {"quadratic", "rosenbrock", "beale", "booth", "himmelblau", "saddle"}
    assert set(LANDSCAPES) == expected | {"two_basin", "rastrigin"}


@pytest.mark.parametrize("name", LANDSCAPES)
def test_every_name_builds_its_landscape(name):
    landscape = get_landscape(name)
    assert isinstance(landscape, Landscape)
    assert landscape.name == name


def test_names_ignore_case_dashes_and_underscores_and_pass_arguments():
    assert isinstance(get_landscape("Two-Basin", dim=1), TwoBasin)
    landscape = get_landscape("QUADRATIC", condition_number=50.0, dim=3)
    assert isinstance(landscape, Quadratic) and (landscape.L, landscape.dim) == (50.0, 3)
    np.testing.assert_array_equal(get_landscape("rosenbrock", start=(-2, 2)).start, [-2, 2])


@pytest.mark.parametrize("name", ["sphere", "", 3])
def test_unknown_name_lists_the_valid_ones(name):
    with pytest.raises(ValueError, match="unknown landscape") as error:
        get_landscape(name)
    for valid in LANDSCAPES:
        assert valid in str(error.value)


def test_unknown_argument_lists_the_valid_ones():
    with pytest.raises(ValueError, match="beale takes no argument dim; valid arguments: start"):
        get_landscape("beale", dim=3)
