"""plot_trajectories: the paths drawn are the data given, with markers and a legend."""

import numpy as np
import pytest

from optimlab.landscapes import Quadratic, Rosenbrock
from optimlab.optim import SGD, Adam
from optimlab.viz import plot_trajectories, run_on_landscape
from optimlab.viz.contours import contour_levels


@pytest.fixture(scope="module")
def rosenbrock_paths():
    landscape = Rosenbrock()
    return landscape, {
        "Adam": run_on_landscape(landscape, lambda x: Adam(x, lr=0.05), 40),
        "SGD": run_on_landscape(landscape, lambda x: SGD(x, lr=1e-3), 40),
        "SGD lr=0.01": run_on_landscape(landscape, lambda x: SGD(x, lr=0.01), 40),
    }


def test_writes_a_png_showing_each_path(
    tmp_path, rosenbrock_paths, assert_png, lines_of, legend_of
):
    landscape, paths = rosenbrock_paths
    target = tmp_path / "paths.png"
    figure = plot_trajectories(landscape, paths, path=target)
    assert_png(target)
    drawn = lines_of(figure.axes[0])
    for name in ("Adam", "SGD"):
        assert any(
            x.size == 41
            and np.array_equal(x, paths[name][:, 0])
            and np.array_equal(y, paths[name][:, 1])
            for x, y in drawn
        ), name
    assert legend_of(figure) == ["minimum", "Adam", "SGD", "SGD lr=0.01 (diverged)"]
    minimum = [(x, y) for x, y in drawn if x.size == 1 and x[0] == 1.0 and y[0] == 1.0]
    assert minimum  # the known minimum (1, 1) is marked


def test_a_diverged_path_is_cut_and_marked_inside_the_window(rosenbrock_paths, lines_of):
    landscape, paths = rosenbrock_paths
    diverged = paths["SGD lr=0.01"]
    finite = diverged[np.isfinite(diverged).all(axis=1)]
    figure = plot_trajectories(landscape, {"SGD lr=0.01": diverged})
    drawn = lines_of(figure.axes[0])
    assert any(x.size == len(finite) and np.array_equal(x, finite[:, 0]) for x, _ in drawn)
    marks = [line for line in figure.axes[0].lines if line.get_marker() == "X"]
    assert len(marks) == 1
    (low_x, high_x), (low_y, high_y) = landscape.bounds
    x, y = marks[0].get_xdata()[0], marks[0].get_ydata()[0]
    assert low_x <= x <= high_x and low_y <= y <= high_y
    assert np.clip(finite[-1, 0], low_x, high_x) == x


def test_log_levels_are_geometric_above_the_minimum():
    Z = np.array([[2.0, 3.0], [10.0, 1002.0]])
    levels = contour_levels(Z, 4, log_levels=True)
    # min 2, smallest gap 1, span 1000: 2 + (1, 10, 100, 1000).
    np.testing.assert_allclose(levels, [3.0, 12.0, 102.0, 1002.0])
    np.testing.assert_allclose(contour_levels(Z, 3, log_levels=False), [2.0, 502.0, 1002.0])


def test_linear_levels_option_and_a_flat_region(tmp_path, assert_png):
    landscape = Quadratic(condition_number=5.0)
    path = run_on_landscape(landscape, lambda x: SGD(x, lr=0.1), 10)
    plot_trajectories(landscape, {"GD": path}, path=tmp_path / "q.png", log_levels=False, levels=5)
    assert_png(tmp_path / "q.png")


@pytest.mark.parametrize(
    ("landscape", "paths", "message"),
    [
        (Rosenbrock(), {}, "empty"),
        (Rosenbrock(), [np.zeros((3, 2))], "dict"),
        (Rosenbrock(), {"a": np.zeros((3, 3))}, r"\(T, 2\)"),
        (Rosenbrock(), {"a": np.zeros(3)}, "shape"),
        (Rosenbrock(), {"a": np.full((3, 2), np.nan)}, "start"),
        (Rosenbrock(), {1: np.zeros((3, 2))}, "str"),
        (Quadratic(condition_number=5.0, dim=3), {"a": np.zeros((3, 3))}, "2-D"),
        ("rosenbrock", {"a": np.zeros((3, 2))}, "Landscape"),
    ],
)
def test_bad_input_raises(landscape, paths, message):
    with pytest.raises(ValueError, match=message):
        plot_trajectories(landscape, paths)


def test_bad_levels_raise():
    with pytest.raises(ValueError, match="levels"):
        plot_trajectories(Rosenbrock(), {"a": np.zeros((2, 2))}, levels=1)
    with pytest.raises(ValueError, match="log_levels"):
        plot_trajectories(Rosenbrock(), {"a": np.zeros((2, 2))}, log_levels="yes")


def test_the_title_names_the_function_a_formula_and_the_noise():
    from optimlab.landscapes import Noisy

    pytest.importorskip("sympy")
    from optimlab.play.expression import ExpressionLandscape

    formula = ExpressionLandscape("(x - 1)^2 + 3*y^2", start=(0.5, 0.5))
    long = ExpressionLandscape("x^2 + y^2" + " + 0*x" * 20, start=(0.5, 0.5))
    for landscape, title in (
        (Rosenbrock(), "Rosenbrock: "),
        (formula, "f(x, y) = (x - 1)^2 + 3*y^2: "),
        (Noisy(Quadratic(), 0.5), "Quadratic, noisy gradient (std 0.5): "),
    ):
        path = run_on_landscape(landscape, lambda x: SGD(x, lr=0.01), 5)
        figure = plot_trajectories(landscape, {"SGD": path})
        assert figure.axes[0].get_title().startswith(title)
    path = run_on_landscape(long, lambda x: SGD(x, lr=0.01), 5)
    shown = plot_trajectories(long, {"SGD": path}).axes[0].get_title().split(":")[0]
    assert shown.endswith("…") and len(shown) == 60  # one line, however long the formula


def test_the_logistic_loss_is_drawn_over_its_weights():
    from optimlab.play.logistic import LogisticLandscape

    landscape = LogisticLandscape()
    path = run_on_landscape(landscape, lambda x: SGD(x, lr=0.5), 5)
    axes = plot_trajectories(landscape, {"SGD": path}).axes[0]
    assert (axes.get_xlabel(), axes.get_ylabel()) == ("w1", "w2")
    assert axes.get_title().startswith("Logistic regression's loss (mean cross-entropy): ")


@pytest.mark.parametrize(
    ("formula", "said"),
    [("3", "f = 3 everywhere in this window"), ("0*x + 0*y", "f = 0 everywhere")],
)
def test_a_flat_surface_says_why_it_has_no_contour_lines(formula, said):
    ExpressionLandscape = pytest.importorskip("optimlab.play.expression").ExpressionLandscape
    landscape = ExpressionLandscape(formula, start=(-1, 1))
    path = run_on_landscape(landscape, lambda x: Adam(x, lr=0.1), 5)
    figure = plot_trajectories(landscape, {"Adam": path})
    texts = [t.get_text() for t in figure.axes[0].texts]
    assert any(said in text and "no contour lines" in text for text in texts), texts


def test_a_surface_with_contours_has_no_such_note(rosenbrock_paths):
    landscape, paths = rosenbrock_paths
    figure = plot_trajectories(landscape, paths)
    assert not any("no contour lines" in t.get_text() for t in figure.axes[0].texts)


def test_a_window_where_f_is_partly_undefined_draws_without_warnings(recwarn):
    ExpressionLandscape = pytest.importorskip("optimlab.play.expression").ExpressionLandscape
    landscape = ExpressionLandscape("log(x) + y^2", start=(1, 1))  # undefined for x <= 0
    path = run_on_landscape(landscape, lambda x: Adam(x, lr=0.1), 5)
    plot_trajectories(landscape, {"Adam": path})
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_levels_leave_out_the_values_near_a_pole():
    # 1/x on a grid that passes close to 0: the levels span the bulk, not -1e12..1e12
    x = np.r_[np.linspace(-3.0, -0.03, 100), -1e-12, 1e-12, np.linspace(0.03, 3.0, 100)]
    Z = 1.0 / x[None, :] + np.linspace(0.0, 9.0, 50)[:, None]
    for log_levels in (True, False):
        levels = contour_levels(Z, 30, log_levels)
        assert levels.min() > -200 and levels.max() < 200
        np.testing.assert_allclose(np.diff(levels), np.diff(levels)[0])  # no floor: even


def test_levels_of_a_huge_constant_still_increase():
    levels = contour_levels(np.full((3, 3), 1e300), 30, log_levels=True)
    assert levels.size == 2 and levels[1] > levels[0]
