"""The convergence figure: each measured run with the line theory predicts, checked against
closed forms computed here."""

import math

import numpy as np
import pytest

from optimlab.landscapes import Quadratic
from optimlab.theory import convergence_table
from optimlab.viz import plot_convergence, plot_convergence_table
from optimlab.viz.convergence import order_line


@pytest.fixture(scope="module")
def table_figure():
    rows = convergence_table(condition_number=100.0)
    return rows, plot_convergence_table(rows)


def _line(figure, label):
    return next(line for axes in figure.axes for line in axes.lines if line.get_label() == label)


def test_gradient_descent_has_its_theory_line_one_minus_mu_over_l(table_figure):
    rows, figure = table_figure
    quadratic = Quadratic(condition_number=100.0)
    e0 = np.linalg.norm(quadratic.start - quadratic.minima[0])  # ||(-3, 1)|| = sqrt(10)
    assert e0 == pytest.approx(math.sqrt(10.0))
    measured = _line(figure, "gradient descent, lr=1/L")
    theory = _line(figure, "theory: rate 0.99")
    k = np.arange(len(rows[0]["errors"]))
    np.testing.assert_allclose(theory.get_ydata(), e0 * (1 - 1 / 100) ** k, rtol=1e-12)
    np.testing.assert_array_equal(measured.get_ydata(), rows[0]["errors"])
    assert theory.get_linestyle() == "--" and measured.get_linestyle() == "-"
    assert theory.get_color() == measured.get_color()
    assert theory.axes is measured.axes


def test_heavy_ball_has_its_theory_line(table_figure):
    rows, figure = table_figure
    rate = (math.sqrt(100) - 1) / (math.sqrt(100) + 1)  # 9 / 11
    theory = _line(figure, f"theory: rate {rate:.4g}")
    k = np.arange(len(rows[1]["errors"]))
    np.testing.assert_allclose(theory.get_ydata(), math.sqrt(10.0) * rate**k, rtol=1e-12)
    measured = _line(figure, "heavy ball, optimal lr and momentum")
    assert theory.get_color() == measured.get_color()


def test_newton_has_an_order_two_line_and_the_exact_step_is_named(table_figure, tmp_path):
    rows, figure = table_figure
    errors = rows[3]["errors"]
    theory = _line(figure, "theory: order 2")
    # m_1 = e_1, m_{k+1} = C m_k^2 with C = e_2 / e_1^2, in closed form
    # m_k = (C e_1)^(2^(k-1)) / C.
    c = errors[2] / errors[1] ** 2
    steps = theory.get_xdata()
    expected = (c * errors[1]) ** (2.0 ** (steps - 1)) / c
    np.testing.assert_allclose(theory.get_ydata(), expected, rtol=1e-9)
    assert steps[0] == 1 and theory.get_ydata()[1] == pytest.approx(errors[2], rel=1e-12)
    newton = _line(figure, "Newton, exp bowl")
    assert theory.get_color() == newton.get_color() and theory.axes is newton.axes
    exact = _line(figure, "Newton, quadratic (theory: exact in one step)")
    assert exact.axes is newton.axes is not _line(figure, "theory: rate 0.99").axes
    titles = [axes.get_title() for axes in figure.axes]
    assert all(titles) and figure.get_suptitle()
    assert all(axes.get_ylabel() == "error e_k (log scale)" for axes in figure.axes)


def test_order_line_stops_before_underflow():
    steps, model = order_line(np.array([1.0, 1e-3, 1e-6, 1e-12, 1e-24, 1e-48, 1e-96]), 2.0)
    # C = 1e-6 / 1e-6 = 1: m_k = 1e-3^(2^(k-1)) = 1e-3, 1e-6, 1e-12, 1e-24, 1e-48, 1e-96
    np.testing.assert_allclose(model, 10.0 ** (-3.0 * 2.0 ** (steps - 1)), rtol=1e-12)
    assert list(steps) == [1, 2, 3, 4, 5, 6]
    _, long = order_line(np.array([1.0, 1e-3, 1e-6, *np.full(20, 1e-300)]), 2.0)
    assert long.min() > 1e-300


def test_exact_zeros_are_marked_at_the_bottom():
    figure = plot_convergence({"Newton": [2.0, 0.0]})
    axes = figure.axes[0]
    zero = next(line for line in axes.lines if line.get_marker() == "v")
    assert zero.get_xdata()[0] == 1 and zero.get_transform() == axes.get_xaxis_transform()
    assert any(text.get_text() == "e = 0" for text in axes.texts)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"orders": {"a": 1.0}}, "must be > 1"),
        ({"orders": {"a": 2.0}, "errors": {"a": [1.0, 0.1]}}, "e_0, e_1, e_2"),
        ({"panels": {"left": ["a"]}}, "every label"),
        ({"panels": {"left": "a"}}, "list of labels"),
        ({"panels": []}, "panels"),
    ],
)
def test_bad_theory_and_panel_arguments_raise(kwargs, message):
    arguments = {"errors": {"a": [1.0, 0.1, 0.01], "b": [1.0, 0.5, 0.25]}, **kwargs}
    with pytest.raises(ValueError, match=message):
        plot_convergence(**arguments)


def test_the_table_figure_checks_its_rows():
    with pytest.raises(ValueError, match="rows"):
        plot_convergence_table([])
    with pytest.raises(ValueError, match="lacks"):
        plot_convergence_table([{"method": "GD"}])
