"""Every path visible on a contour plot: start and end markers, draw order and widths for
paths on top of each other, and paths that leave the frame or diverge marked on its edge."""

import numpy as np
import pytest

from optimlab.landscapes import Quadratic
from optimlab.viz import animate_trajectories, plot_trajectories
from optimlab.viz._paths import frame_exits

LOW, HIGH = -4.0, 4.0  # Quadratic's window, checked below


@pytest.fixture(scope="module")
def landscape():
    surface = Quadratic(condition_number=5.0)
    assert surface.bounds == ((LOW, HIGH), (LOW, HIGH))
    return surface


def _path_line(axes, label):
    """The line drawn for path ``label`` (labelled with it, possibly with a note)."""
    return next(line for line in axes.lines if line.get_label().split(" (")[0] == label)


def _single_points(axes):
    """Single-point marker lines: ``[(x, y, line), ...]``."""
    return [
        (line.get_xdata()[0], line.get_ydata()[0], line)
        for line in axes.lines
        if len(line.get_xdata()) == 1
    ]


def test_overlapping_paths_each_keep_their_start_and_end_markers(landscape, legend_of):
    diagonal = np.linspace([-3.0, -3.0], [3.0, 3.0], 30)
    bent = np.vstack([diagonal[:15], np.linspace([0.1, 0.1], [-2.0, 3.0], 10)])
    paths = {"lower": diagonal, "upper": diagonal.copy(), "bent": bent}
    figure = plot_trajectories(landscape, paths)
    axes = figure.axes[0]
    points = _single_points(axes)
    for label, path in paths.items():
        color = _path_line(axes, label).get_color()
        starts = [
            line
            for x, y, line in points
            if (x, y) == tuple(path[0])
            and line.get_marker() == "o"
            and line.get_markerfacecolor() == "none"
            and line.get_markeredgecolor() == color
        ]
        ends = [
            line
            for x, y, line in points
            if (x, y) == tuple(path[-1])
            and line.get_markerfacecolor() == color
            and line.get_markeredgecolor() == "black"
        ]
        assert len(starts) == 1 and len(ends) == 1, label
    # All three start at (-3, -3): the rings are nested, the one drawn first the largest,
    # so each shows. The two identical paths also share their end.
    rings = sorted(
        (line.get_zorder(), line.get_markersize())
        for x, y, line in points
        if (x, y) == (-3.0, -3.0) and line.get_markerfacecolor() == "none"
    )
    sizes = [size for _, size in rings]
    assert len(sizes) == 3 and sizes == sorted(sizes, reverse=True) and len(set(sizes)) == 3
    # The two identical paths: the one underneath is wider and the one on top has another
    # line style, so the lower one shows along both sides and through the gaps.
    lower, upper = _path_line(axes, "lower"), _path_line(axes, "upper")
    if lower.get_zorder() > upper.get_zorder():
        lower, upper = upper, lower
    assert lower.get_linewidth() > upper.get_linewidth()
    assert lower.get_linestyle() != upper.get_linestyle()
    drawn = [(_path_line(axes, k).get_color(), _path_line(axes, k).get_linestyle()) for k in paths]
    assert len(set(drawn)) == 3
    assert legend_of(figure) == ["minimum", "lower", "upper", "bent"]


def test_longer_paths_are_drawn_underneath(landscape):
    short = np.linspace([0.0, 0.0], [1.0, 0.0], 5)
    long = np.linspace([-3.0, 0.0], [3.0, 0.0], 5)
    axes = plot_trajectories(landscape, {"short": short, "long": long}).axes[0]
    assert _path_line(axes, "long").get_zorder() < _path_line(axes, "short").get_zorder()


def test_a_diverged_path_is_marked_where_it_crosses_the_frame(landscape, legend_of):
    # (2, 1) -> (10, 5) leaves x <= 4 at t = (4 - 2) / 8 = 1/4, where y = 1 + 4 / 4 = 2.
    path = np.array([[0.0, 0.0], [2.0, 1.0], [10.0, 5.0], [np.nan, np.nan]])
    figure = plot_trajectories(landscape, {"boom": path})
    axes = figure.axes[0]
    drawn = _path_line(axes, "boom")
    np.testing.assert_array_equal(drawn.get_xdata(), path[:3, 0])  # drawn up to the frame
    marks = [line for line in axes.lines if line.get_marker() == "X"]
    assert len(marks) == 1
    x, y = marks[0].get_xdata()[0], marks[0].get_ydata()[0]
    assert (x, y) == pytest.approx((4.0, 2.0), abs=1e-12)
    assert x == HIGH  # exactly on the frame's right edge
    assert legend_of(figure) == ["minimum", "boom (diverged)"]


def test_a_path_that_leaves_the_frame_gets_an_arrow_on_that_edge(landscape, legend_of):
    # (1, 2) -> (2, 8) leaves y <= 4 at t = (4 - 2) / 6 = 1/3, where x = 1 + 1/3.
    path = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 8.0]])
    figure = plot_trajectories(landscape, {"away": path})
    axes = figure.axes[0]
    arrows = [line for line in axes.lines if line.get_marker() == "^"]
    assert len(arrows) == 1
    x, y = arrows[0].get_xdata()[0], arrows[0].get_ydata()[0]
    assert (x, y) == pytest.approx((4 / 3, 4.0), abs=1e-12)
    assert not any(line.get_marker() == "X" for line in axes.lines)
    assert legend_of(figure) == ["minimum", "away (left the frame)"]


def test_frame_exits_of_a_path_crossing_the_whole_frame_and_one_coming_back():
    low, high = np.array([LOW, LOW]), np.array([HIGH, HIGH])
    (through,) = frame_exits(np.array([[-10.0, 0.0], [10.0, 1.0]]), low, high)
    # enters at x = -4 and leaves at x = 4, where y = (4 + 10) / 20 = 0.7
    assert through.side == "right" and through.step == 0
    np.testing.assert_allclose(through.point, [4.0, 0.7], atol=1e-12)
    (out,) = frame_exits(np.array([[0.0, 0.0], [0.0, -6.0], [1.0, 0.0]]), low, high)
    assert out.side == "bottom" and tuple(out.point) == (0.0, -4.0)
    assert frame_exits(np.array([[5.0, 5.0], [6.0, 7.0]]), low, high) == []  # never inside


def test_the_animation_marks_a_diverged_path_at_the_frame_once_reached(tmp_path, landscape):
    path = np.array([[0.0, 0.0], [2.0, 1.0], [10.0, 5.0], [np.nan, np.nan]])
    calm = np.linspace([-3.0, -3.0], [0.0, 0.0], 6)
    figure = animate_trajectories(landscape, {"boom": path, "calm": calm}, tmp_path / "a.gif")
    axes = figure.axes[0]
    (mark,) = [line for line in axes.lines if line.get_marker() == "X"]
    assert mark.get_visible()
    assert (mark.get_xdata()[0], mark.get_ydata()[0]) == pytest.approx((4.0, 2.0), abs=1e-12)
    rings = [line for line in axes.lines if line.get_label().startswith("_start of")]
    assert sorted((r.get_xdata()[0], r.get_ydata()[0]) for r in rings) == [(-3.0, -3.0), (0, 0)]
    assert (tmp_path / "a.gif").stat().st_size > 0
