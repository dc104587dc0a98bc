"""Listed stationary points have the right Hessian signature; known values by hand."""

import numpy as np
import pytest

from optimlab.landscapes import (
    Beale,
    Booth,
    Himmelblau,
    Quadratic,
    Rastrigin,
    Rosenbrock,
    Saddle,
    TwoBasin,
)


def assert_stationary(landscape, x):
    scale = 1.0 + np.max(np.abs(landscape.hessian(x)))
    np.testing.assert_allclose(landscape.grad(x), 0.0, atol=1e-10 * scale)


def test_minima_are_stationary_with_positive_definite_hessian(landscape):
    for minimum in landscape.minima:
        assert_stationary(landscape, minimum)
        assert np.min(np.linalg.eigvalsh(landscape.hessian(minimum))) > 0


def test_saddles_are_stationary_with_indefinite_hessian(landscape):
    for saddle in landscape.saddles:
        assert_stationary(landscape, saddle)
        eigenvalues = np.linalg.eigvalsh(landscape.hessian(saddle))
        assert eigenvalues[0] < 0 < eigenvalues[-1]


def test_maxima_are_stationary_with_negative_definite_hessian(landscape):
    for maximum in landscape.maxima:
        assert_stationary(landscape, maximum)
        assert np.max(np.linalg.eigvalsh(landscape.hessian(maximum))) < 0


def test_window_contains_start_and_minima(landscape):
    low, high = np.array(landscape.bounds).T
    for p in [landscape.start, *landscape.minima]:
        assert np.all(low <= p) and np.all(p <= high)


def test_points_are_copies(landscape):
    start = landscape.start
    start += 1.0
    assert not np.array_equal(start, landscape.start)


@pytest.mark.parametrize(("a", "b"), [(1.0, 100.0), (1.5, 20.0), (-0.5, 3.0)])
def test_rosenbrock_minimum_is_zero_at_a_a_squared(a, b):
    landscape = Rosenbrock(a=a, b=b)
    np.testing.assert_array_equal(landscape.minima[0], [a, a * a])
    assert landscape.value((a, a * a)) == 0.0


def test_rosenbrock_hand_values():
    landscape = Rosenbrock()
    # f(-1.2, 1) = 2.2^2 + 100 (1 - 1.44)^2 = 4.84 + 19.36
    assert landscape.value((-1.2, 1.0)) == pytest.approx(24.2, rel=1e-14)
    # Hessian at (1, 1): [[2 - 400 y + 1200 x^2, -400 x], [-400 x, 200]]
    np.testing.assert_allclose(landscape.hessian((1.0, 1.0)), [[802.0, -400.0], [-400.0, 200.0]])
    assert Rosenbrock(dim=6).value(np.ones(6)) == 0.0
    # n-D sum: for x = (0, 0, 0) each of the two terms contributes (1 - 0)^2
    assert Rosenbrock(dim=3).value(np.zeros(3)) == 2.0
    np.testing.assert_array_equal(Rosenbrock(dim=5).start, [-1.2, 1.0, -1.2, 1.0, -1.2])
    np.testing.assert_array_equal(Rosenbrock(start=(-2, 2)).start, [-2.0, 2.0])


def test_beale_minimum_saddle_and_hessian_by_hand():
    landscape = Beale()
    assert landscape.value((3.0, 0.5)) == 0.0
    np.testing.assert_array_equal(landscape.start, [3.0, 4.0])
    # f(0, y) = 1.5^2 + 2.25^2 + 2.625^2 for every y: the saddle's flat line
    assert landscape.value((0.0, -2.0)) == pytest.approx(1.5**2 + 2.25**2 + 2.625**2)
    # at the minimum all residuals vanish, so H = 2 J^T J with
    # J = [[y - 1, x], [y^2 - 1, 2xy], [y^3 - 1, 3xy^2]] = [[-.5, 3], [-.75, 3], [-.875, 2.25]]
    expected = 2.0 * np.array([[1.578125, -5.71875], [-5.71875, 23.0625]])
    np.testing.assert_allclose(landscape.hessian((3.0, 0.5)), expected, rtol=1e-14)


def test_booth_minimum_and_constant_hessian():
    landscape = Booth()
    assert landscape.value((1.0, 3.0)) == 0.0
    assert landscape.value((0.0, 0.0)) == 49.0 + 25.0
    for x in [(0.0, 0.0), (-7.0, 3.0)]:
        np.testing.assert_array_equal(landscape.hessian(x), [[10.0, 8.0], [8.0, 10.0]])


def test_himmelblau_four_zeros_match_the_literature():
    published = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    minima = Himmelblau().minima
    assert len(minima) == 4
    for point in published:
        match = min(minima, key=lambda m: np.linalg.norm(m - point))
        np.testing.assert_allclose(match, point, atol=2e-6)
        assert Himmelblau().value(match) == pytest.approx(0.0, abs=1e-24)


def test_himmelblau_local_maximum_value():
    (maximum,) = Himmelblau().maxima
    np.testing.assert_allclose(maximum, (-0.270845, -0.923039), atol=1e-6)
    assert Himmelblau().value(maximum) == pytest.approx(181.617, abs=1e-3)
    assert len(Himmelblau().saddles) == 4


def test_saddle_has_indefinite_hessian_and_no_minima():
    landscape = Saddle()
    assert landscape.minima == []
    np.testing.assert_array_equal(landscape.grad((0.0, 0.0)), [0.0, 0.0])
    np.testing.assert_array_equal(landscape.hessian((0.3, -2.0)), np.diag([2.0, -2.0]))
    assert landscape.value((2.0, 3.0)) == 4.0 - 9.0


def test_rastrigin_hand_values():
    landscape = Rastrigin()
    assert landscape.value((0.0, 0.0)) == 0.0
    # 2A + (1 - A cos 2pi) + (0 - A cos 0) = 20 + 1 - 10 - 10
    assert landscape.value((1.0, 0.0)) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(
        Rastrigin(dim=3, A=2.0).hessian(np.zeros(3)), np.eye(3) * (2.0 + 8.0 * np.pi**2)
    )


@pytest.mark.parametrize("kappa", [1.0, 10.0, 100.0])
def test_quadratic_mu_l_and_eigen_directions(kappa):
    angle = 0.4
    landscape = Quadratic(condition_number=kappa, angle=angle)
    assert (landscape.mu, landscape.L) == (1.0, kappa)
    np.testing.assert_allclose(np.linalg.eigvalsh(landscape.hessian((0.0, 0.0))), [1.0, kappa])
    shallow = np.array([np.cos(angle), np.sin(angle)])
    steep = np.array([-np.sin(angle), np.cos(angle)])
    assert landscape.value(shallow) == pytest.approx(0.5, rel=1e-14)
    assert landscape.value(steep) == pytest.approx(0.5 * kappa, rel=1e-14)
    np.testing.assert_allclose(landscape.grad(steep), kappa * steep, atol=1e-12 * kappa)


def test_quadratic_in_n_dimensions():
    landscape = Quadratic(condition_number=9.0, dim=4)
    np.testing.assert_allclose(landscape.matrix, np.diag([1.0, 11.0 / 3.0, 19.0 / 3.0, 9.0]))
    assert landscape.value(np.ones(4)) == pytest.approx(0.5 * (1 + 11 / 3 + 19 / 3 + 9))


def test_two_basin_near_basin_is_shallower_and_sharper():
    landscape = TwoBasin(dim=1)
    near, far = landscape.near_minimum, landscape.far_minimum
    (barrier,) = landscape.maxima
    assert landscape.start[0] < near[0] < barrier[0] < far[0]
    assert landscape.value(near) > landscape.value(far)
    assert landscape.hessian(near)[0, 0] > 10 * landscape.hessian(far)[0, 0]
