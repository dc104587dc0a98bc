"""linear_rate, convergence_order and the precision floor, on sequences with known answers."""

import math

import numpy as np
import pytest

from optimlab.theory import convergence_order, linear_rate, reliable_errors


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9, 0.99])
def test_linear_rate_of_a_geometric_sequence_is_its_ratio(rate):
    errors = 3.0 * rate ** np.arange(200)
    assert linear_rate(errors) == pytest.approx(rate, rel=1e-12)


def test_linear_rate_ignores_a_transient_that_has_died_out():
    # A fast component 0.3^k dies out by the tail (0.3^50 / 0.9^50 = 3^-50): rate 0.9.
    k = np.arange(100)
    errors = 5.0 * 0.3**k + 0.9**k
    assert linear_rate(errors) == pytest.approx(0.9, rel=1e-12)
    # With the whole sequence (transient=0) the early fast decay drags the mean down.
    assert linear_rate(errors, transient=0.0) < 0.9 * (1 - 1e-3)


def test_linear_rate_ignores_an_erratic_start():
    rng = np.random.default_rng(0)
    errors = 0.8 ** np.arange(60)
    errors[:10] = rng.uniform(1.0, 100.0, size=10)
    assert linear_rate(errors) == pytest.approx(0.8, rel=1e-12)


def test_linear_rate_by_hand_on_a_short_sequence():
    errors = [10.0, 1.0, 0.5, 0.25]
    # transient 0.5: 3 steps, the first floor(1.5) = 1 dropped: (0.25 / 1)^(1/2).
    assert linear_rate(errors) == pytest.approx(0.5)
    # transient 0: the geometric mean of all three ratios, (0.25 / 10)^(1/3).
    assert linear_rate(errors, transient=0.0) == pytest.approx(0.025 ** (1 / 3))


def test_errors_below_the_precision_floor_are_cut():
    errors = 0.5 ** np.arange(80)
    rng = np.random.default_rng(1)
    errors[50:] = rng.uniform(1e-17, 1e-15, size=30)  # rounding noise after the floor
    reliable = reliable_errors(errors)
    # Default floor 1e-13 * max = 1e-13: 0.5^43 = 1.1e-13 is the last value above it.
    assert reliable.size == 44
    assert linear_rate(errors) == pytest.approx(0.5, rel=1e-12)
    assert convergence_order(errors) == pytest.approx(1.0, rel=1e-12)


def test_an_explicit_floor_and_exact_zeros():
    errors = np.array([1.0, 0.1, 0.01, 1e-3, 0.0, 0.0])
    assert reliable_errors(errors, floor=0.0).tolist() == [1.0, 0.1, 0.01, 1e-3]
    assert reliable_errors(errors, floor=0.05).tolist() == [1.0, 0.1]


@pytest.mark.parametrize(("constant", "order"), [(1.0, 2.0), (3.0, 1.5), (0.5, 3.0)])
def test_convergence_order_of_e_next_equal_c_e_to_the_q(constant, order):
    errors = [0.1]
    while errors[-1] > 1e-200:
        errors.append(constant * errors[-1] ** order)
    assert convergence_order(errors) == pytest.approx(order, rel=1e-9)


def test_convergence_order_of_squaring_with_a_floor_after_it():
    errors = [0.5]
    for _ in range(5):
        errors.append(errors[-1] ** 2)  # 0.5, 0.25, ..., 2.3e-10
    errors += [3e-16, 1e-16, 2e-16]  # rounding noise: below 1e-13 * 0.5, cut
    assert convergence_order(errors) == pytest.approx(2.0, rel=1e-12)


def test_convergence_order_of_linear_convergence_is_one():
    assert convergence_order(2.0 * 0.7 ** np.arange(50)) == pytest.approx(1.0, rel=1e-12)


def test_convergence_order_takes_the_median_of_the_last_window():
    # Ratios 1/2, 1/4, 1/64, 1/1024: log-ratio quotients 2, 3, 5/3 (last three).
    errors = np.array([1.0, 0.5, 0.125, 0.125 / 64, 0.125 / 64 / 1024])
    assert convergence_order(errors, window=1) == pytest.approx(10 / 6)
    assert convergence_order(errors, window=3) == pytest.approx(2.0)


def test_a_stagnant_step_carries_no_order_information():
    errors = [1.0, 0.5, 0.5, 0.25, 0.125]
    # Triples: (1, .5, .5) -> 0/-log2 = 0; (.5, .5, .25) has a zero denominator, skipped;
    # (.5, .25, .125) -> 1. Median of [0, 1] = 0.5.
    assert convergence_order(errors) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="never change"):
        convergence_order([1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    ("errors", "message"),
    [
        ([], "empty"),
        ([[1.0, 0.5]], "1-D"),
        ([1.0, math.nan, 0.1], "finite"),
        ([1.0, math.inf], "finite"),
        ([1.0, -0.5], ">= 0"),
        (["a", "b"], "real numbers"),
        ([1.0], "at least two"),
        ([1.0, 0.0], "at least two"),
        ([0.0, 0.0], "at least two"),
    ],
)
def test_linear_rate_rejects_bad_errors(errors, message):
    with pytest.raises(ValueError, match=message):
        linear_rate(errors)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="at least three"):
        convergence_order([1.0, 0.5])
    with pytest.raises(ValueError, match="transient"):
        linear_rate([1.0, 0.5, 0.25], transient=1.0)
    with pytest.raises(ValueError, match="transient"):
        linear_rate([1.0, 0.5, 0.25], transient=-0.1)
    with pytest.raises(ValueError, match="window"):
        convergence_order([1.0, 0.5, 0.25], window=0)
    with pytest.raises(ValueError, match="floor"):
        reliable_errors([1.0, 0.5], floor=-1.0)
    with pytest.raises(ValueError, match="floor"):
        reliable_errors([1.0, 0.5], floor=math.nan)
