"""The convergence table: the issue's theory checks, measured on real runs."""

import math

import numpy as np
import pytest

from optimlab.theory import convergence_table, format_table

KAPPA = 100.0


@pytest.fixture(scope="module")
def rows():
    return {(r["method"], r["problem"]): r for r in convergence_table(condition_number=KAPPA)}


def row(rows, method, quadratic=True):
    return next(
        r
        for (m, p), r in rows.items()
        if m.startswith(method) and quadratic == p.startswith("quadratic")
    )


def test_gd_rate_within_one_percent_of_one_minus_one_over_kappa():
    # The check, on a rotated 10-D quadratic (eigenvalues 1, 12, ..., 100) so
    # that every direction contributes to the error.
    table = convergence_table(condition_number=KAPPA, dim=10, angle=0.5)
    gd = next(r for r in table if r["method"].startswith("gradient descent"))
    assert gd["measured_rate"] == pytest.approx(1 - 1 / KAPPA, rel=0.01)
    assert gd["predicted_rate"] == pytest.approx(1 - 1 / KAPPA, rel=1e-12)
    assert gd["measured_order"] == pytest.approx(1.0, abs=0.01)


def test_gd_iterations_to_tolerance_by_hand(rows):
    # 2-D, angle 0: the start (-3, 1) loses its steep coordinate in the first step
    # (1 - L/L = 0) and keeps 3 * 0.99^k in the flat one.
    expected = math.ceil(math.log(1e-8 / 3) / math.log(1 - 1 / KAPPA))
    assert row(rows, "gradient descent")["iterations"] == expected
    errors = row(rows, "gradient descent")["errors"]
    np.testing.assert_allclose(errors[1:50], 3 * 0.99 ** np.arange(1, 50), rtol=1e-12)


def test_heavy_ball_rate_close_to_theory(rows):
    # Tolerance 2%, one-sided: at the optimal parameters the extreme eigenvalues mu and L
    # give double roots of the iteration, so the error decays like (a + b k) r^k, not r^k.
    # Over the tail [m, n] the measured rate is r ((a + b n)/(a + b m))^(1/(n-m)), above
    # r by about (n/m)^(1/(n-m)) = 2^(2/n): 0.8% for the n ~ 170 steps to rounding level.
    heavy = row(rows, "heavy ball")
    rate = (math.sqrt(KAPPA) - 1) / (math.sqrt(KAPPA) + 1)
    assert heavy["predicted_rate"] == pytest.approx(rate)
    assert rate * (1 - 1e-3) <= heavy["measured_rate"] <= rate * 1.02
    assert heavy["iterations"] < row(rows, "gradient descent")["iterations"] / 5


def test_newton_is_exact_on_the_quadratic(rows):
    newton = row(rows, "Newton")
    assert newton["iterations"] == 1
    assert math.isnan(newton["measured_rate"]) and math.isnan(newton["measured_order"])


def test_newton_converges_quadratically_on_a_non_quadratic_function(rows):
    newton = row(rows, "Newton", quadratic=False)
    assert 1.8 <= newton["measured_order"] <= 2.2
    assert newton["predicted_order"] == 2.0
    assert newton["iterations"] <= 8


def test_rows_stop_at_max_iter_and_report_unreached_tolerance():
    table = convergence_table(condition_number=KAPPA, max_iter=50)
    gd = table[0]
    assert gd["errors"].size == 51 and gd["iterations"] is None
    assert gd["measured_rate"] == pytest.approx(0.99, rel=1e-9)


def test_format_table_lays_out_every_row(rows):
    text = format_table(list(rows.values()))
    lines = text.splitlines()
    assert len(lines) == 2 + len(rows)
    assert lines[0].split()[:3] == ["method", "problem", "measured"]
    assert "iterations to 1e-08" in lines[0]
    assert set(lines[1]) <= {"-", " "}
    newton_quadratic = next(line for line in lines if "exact in one step" in line)
    assert " - " in newton_quadratic  # NaN shown as "-"
    assert "0.99 " in next(line for line in lines if line.startswith("gradient descent"))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"condition_number": 1.0}, "condition_number"),
        ({"condition_number": math.nan}, "condition_number"),
        ({"tol": 0.0}, "tol"),
        ({"max_iter": 0}, "max_iter"),
        ({"dim": 0}, "dim"),
    ],
)
def test_convergence_table_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        convergence_table(**kwargs)


@pytest.mark.parametrize("bad", [[], {}, [{"method": "x"}], "rows", [1]])
def test_format_table_rejects_what_is_not_rows(bad):
    with pytest.raises(ValueError, match="rows"):
        format_table(bad)
