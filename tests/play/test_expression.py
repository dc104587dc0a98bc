"""The formula surface: what the parser accepts and refuses, and its exact derivatives."""

import numpy as np
import pytest

pytest.importorskip("sympy")

from optimlab.landscapes import Rosenbrock
from optimlab.play.expression import (
    ExpressionError,
    ExpressionLandscape,
    parse_expression,
)

POINTS = [(-1.3, 0.7), (0.2, -2.1), (1.5, 1.1)]


@pytest.mark.parametrize(
    ("text", "x", "y", "expected"),
    [
        ("x^2 + 3*y^2", 2.0, 1.0, 7.0),
        ("x**2 + 3*y**2", 2.0, 1.0, 7.0),
        ("-x^2", 3.0, 0.0, -9.0),  # ^ binds tighter than unary minus, as ** does
        ("2^3^2", 0.0, 0.0, 512.0),  # right-associative
        ("sin(x) * cos(y)", np.pi / 2, 0.0, 1.0),
        ("exp(x) + log(y) + sqrt(y) + abs(x)", 0.0, 1.0, 2.0),
        ("tanh(x) + atan(y)", 0.0, 1.0, np.pi / 4),
        ("pi * e", 0.0, 0.0, np.pi * np.e),
        ("(x - 1)*(y + 2) / 4", 3.0, 2.0, 2.0),
        ("1.5e-1 * x", 2.0, 0.0, 0.3),
    ],
)
def test_accepted_formulas_evaluate_to_their_value(text, x, y, expected):
    formula = parse_expression(text)
    values = {"x": x, "y": y}
    value = float(formula.subs({s: values[str(s)] for s in formula.free_symbols}))
    assert value == pytest.approx(expected, rel=1e-14, abs=1e-14)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("__import__('os').system('true')", "attribute access (.) cannot be called"),
        ("__import__('os')", "unknown function '__import__'"),
        ("x.real", "attribute access"),
        ("(lambda: 1)()", "cannot be called"),
        ("lambda: x", "lambda is not allowed"),
        ("x**10**10", "exponent 10000000000 is too large"),
        ("9**400", "exponent 400 is too large"),
        ("(10**60)**60", "too large"),
        ("x[0]", "indexing"),
        ("'x'", "not a number"),
        ("open('f')", "unknown function 'open'"),
        ("sin(x, y)", "exactly one argument"),
        ("sin(x=1)", "exactly one argument"),
        ("x if y else 1", "if/else"),
        ("x < y", "comparison"),
        ("[x for x in y]", "comprehension"),
        ("z + 1", "unknown name 'z'"),
        ("x +", "not a formula"),
        ("", "empty"),
        ("1/0", "not a real, finite formula"),
        ("sqrt(-1) * x", "not a real, finite formula"),
        ("True + x", "not a number"),
        ("x" + " + x" * 200, "characters long"),
        ("x^2 + y^2 # c", "'#' at column 11 is not allowed"),
        ("x^2 + 1e400", "the number 1e400 is too large"),
        ("x + 1" + "0" * 330, "the number 10000000... (331 characters) is too large"),
    ],
)
def test_refused_formulas_say_why_in_one_line(text, says):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    message = str(caught.value)
    assert says in message
    assert "\n" not in message


def test_non_text_is_refused():
    with pytest.raises(ExpressionError, match="must be text"):
        parse_expression(3)


def test_rosenbrock_typed_in_matches_the_library_rosenbrock():
    typed = ExpressionLandscape("(1 - x)^2 + 100*(y - x^2)^2", start=(-1.2, 1.0))
    exact = Rosenbrock()
    for point in POINTS:
        assert typed.value(point) == pytest.approx(exact.value(point), rel=1e-14)
        np.testing.assert_allclose(typed.grad(point), exact.grad(point), rtol=1e-13)
        np.testing.assert_allclose(typed.hessian(point), exact.hessian(point), rtol=1e-13)
    np.testing.assert_allclose(typed.minima[0], [1.0, 1.0], atol=1e-6)


def test_derivatives_match_finite_differences():
    land = ExpressionLandscape("sin(x) * exp(y / 2) + x^3 * y - log(1 + x^2)", start=(0.5, 0.5))
    h = 1e-6
    for point in POINTS:
        p = np.array(point)
        numeric = [(land.value(p + h * e) - land.value(p - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(land.grad(p), numeric, rtol=1e-7, atol=1e-7)
        numeric_h = [(land.grad(p + h * e) - land.grad(p - h * e)) / (2 * h) for e in np.eye(2)]
        np.testing.assert_allclose(land.hessian(p), np.array(numeric_h).T, rtol=1e-6, atol=1e-6)


def test_constant_derivatives_broadcast_over_a_grid():
    land = ExpressionLandscape("x + 2*y", start=(0.0, 0.0))
    X, Y = np.meshgrid(np.linspace(-1, 1, 3), np.linspace(-1, 1, 4))
    np.testing.assert_array_equal(land.value_grid(X, Y), X + 2 * Y)
    np.testing.assert_array_equal(land.grad((0.3, 0.1)), [1.0, 2.0])
    np.testing.assert_array_equal(land.hessian((0.3, 0.1)), np.zeros((2, 2)))
    assert land.minima == []  # unbounded below: no minimum is invented


def test_quadratic_minimum_is_found_at_its_closed_form():
    # f = (x-1)^2 + 2 (y+0.5)^2 + x y: grad = 0 at the solution of [[2,1],[1,4]] p = [2, -2]
    land = ExpressionLandscape("(x-1)^2 + 2*(y+0.5)^2 + x*y", start=(0.0, 0.0))
    np.testing.assert_allclose(
        land.minima[0], np.linalg.solve([[2, 1], [1, 4]], [2, -2]), atol=1e-8
    )


def test_a_start_where_f_is_not_finite_is_refused():
    with pytest.raises(ExpressionError, match="not finite at the start point"):
        ExpressionLandscape("log(x)", start=(-1.0, 0.0))


def test_bounds_are_checked():
    with pytest.raises(ValueError, match="low < high"):
        ExpressionLandscape("x^2", start=(0.0, 0.0), bounds=((1.0, -1.0), (-1.0, 1.0)))
