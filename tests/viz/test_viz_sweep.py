"""plot_lr_sweep: finite runs as lines, diverged runs as crosses at the top, best circled."""

import math

import numpy as np
import pytest

from optimlab.viz import plot_lr_sweep, plot_sensitivity

RESULTS = {
    "SGD": [(1e-1, math.nan), (1e-3, 1.0), (1e-2, 0.1), (1.0, math.inf)],
    "Adam": [(1e-3, 0.5), (1e-2, 0.05), (1e-1, 0.2)],
}


def test_draws_finite_runs_sorted_and_diverged_runs_at_the_top(tmp_path, assert_png, legend_of):
    figure = plot_lr_sweep(RESULTS, path=tmp_path / "sweep.png")
    assert_png(tmp_path / "sweep.png")
    axes = figure.axes[0]
    assert axes.get_xscale() == "log"
    sgd = axes.lines[0]
    assert sgd.get_xdata().tolist() == [1e-3, 1e-2] and sgd.get_ydata().tolist() == [1.0, 0.1]
    crosses = [line for line in axes.lines if line.get_marker() == "x" and len(line.get_xdata())]
    assert len(crosses) == 1
    assert crosses[0].get_xdata().tolist() == [1e-1, 1.0]
    # Placed in axes coordinates: 96% of the height, whatever the losses.
    assert crosses[0].get_ydata().tolist() == [0.96, 0.96]
    assert crosses[0].get_transform() == axes.get_xaxis_transform()
    assert crosses[0].get_color() == sgd.get_color()
    assert legend_of(figure) == ["SGD", "Adam", "diverged (drawn at the top)"]


def test_each_optimizers_best_rate_is_circled():
    figure = plot_lr_sweep(RESULTS)
    circles = [line for line in figure.axes[0].lines if line.get_fillstyle() == "none"]
    best = sorted((c.get_xdata()[0], c.get_ydata()[0]) for c in circles)
    assert best == [(1e-2, 0.05), (1e-2, 0.1)]


def test_an_optimizer_that_always_diverged_has_only_crosses():
    figure = plot_lr_sweep({"Lion": [(1.0, math.nan), (10.0, math.inf)]}, log_scale=False)
    assert figure.axes[0].get_yscale() == "linear"
    crosses = [line for line in figure.axes[0].lines if line.get_marker() == "x"]
    assert crosses[0].get_xdata().tolist() == [1.0, 10.0]


def test_when_every_run_diverged_on_a_log_scale_the_figure_says_so(tmp_path, assert_png):
    """Nothing finite to put on a log axis (matplotlib cannot even place its ticks): the
    crosses are drawn and the axes say why there is nothing else."""
    results = {"SGD": [(0.01, math.inf), (0.1, math.nan)], "Adam": [(0.01, math.inf)]}
    figure = plot_lr_sweep(results, path=tmp_path / "lr.png")
    assert_png(tmp_path / "lr.png")
    axes = figure.axes[0]
    assert [text.get_text() for text in axes.texts] == ["no finite loss to draw"]
    crosses = [line for line in axes.lines if line.get_marker() == "x" and line.get_xdata().size]
    heights = [line.get_ydata()[0] for line in crosses]
    assert len(crosses) == 2 and heights[0] != heights[1]  # SGD's cross not under Adam's


@pytest.mark.parametrize(
    ("results", "message"),
    [
        ({}, "empty"),
        ({"SGD": []}, "non-empty list"),
        ({"SGD": "0.1"}, "non-empty list"),
        ({"SGD": [(0.1,)]}, "pair"),
        ({"SGD": [(0.0, 1.0)]}, "learning rate"),
        ({"SGD": [(-1.0, 1.0)]}, "learning rate"),
        ({"SGD": [(math.inf, 1.0)]}, "learning rate"),
        ({"SGD": [(0.1, "low")]}, "final loss"),
        ({"SGD": [(0.1, np.array([1.0]))]}, "final loss"),
    ],
)
def test_bad_input_raises(results, message):
    with pytest.raises(ValueError, match=message):
        plot_lr_sweep(results)


# -- plot_sensitivity: any searched hyperparameter ---------------------------------------------


def test_sensitivity_to_a_number_is_drawn_on_a_linear_axis_sorted():
    figure = plot_sensitivity(
        {"SGD": [(0.9, 0.3), (0.0, 0.5), (0.5, 0.2)], "RMSprop": [(0.0, math.nan), (0.9, 0.4)]},
        "momentum",
    )
    axes = figure.axes[0]
    assert axes.get_xscale() == "linear" and axes.get_xlabel() == "momentum"
    sgd = axes.lines[0]
    assert sgd.get_xdata().tolist() == [0.0, 0.5, 0.9] and sgd.get_ydata().tolist() == [
        0.5,
        0.2,
        0.3,
    ]
    circles = [line for line in axes.lines if line.get_fillstyle() == "none"]
    assert sorted((c.get_xdata()[0], c.get_ydata()[0]) for c in circles) == [(0.5, 0.2), (0.9, 0.4)]
    crosses = [line for line in axes.lines if line.get_marker() == "x" and len(line.get_xdata())]
    assert crosses[0].get_xdata().tolist() == [0.0]
    assert axes.get_title() == "Final loss against momentum (circled: best)"


def test_sensitivity_to_choices_puts_them_on_evenly_spaced_ticks_in_order():
    figure = plot_sensitivity(
        {"SGD": [("constant", 0.3), ("cosine", 0.2)], "Adam": [("step", 0.4), ("cosine", 0.1)]},
        "schedule",
    )
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_xticklabels()] == ["constant", "cosine", "step"]
    curves = {line.get_label(): line for line in axes.lines}
    assert curves["SGD"].get_xdata().tolist() == [0, 1]
    assert curves["Adam"].get_xdata().tolist() == [1, 2]  # cosine, step
    assert curves["Adam"].get_ydata().tolist() == [0.1, 0.4]


def test_points_of_a_random_search_are_not_joined(tmp_path, assert_png):
    figure = plot_sensitivity(
        {"Adam": [(1e-3, 0.5), (3e-2, 0.2), (2e-4, 0.6)]},
        "learning rate",
        tmp_path / "random.png",
        log_x=True,
        lines=False,
    )
    assert_png(tmp_path / "random.png")
    axes = figure.axes[0]
    assert axes.get_xscale() == "log" and axes.get_xlabel() == "learning rate (log scale)"
    assert axes.lines[0].get_linestyle() == "None"
    assert axes.lines[0].get_xdata().tolist() == [2e-4, 1e-3, 3e-2]


@pytest.mark.parametrize(
    ("results", "options", "message"),
    [
        ({"SGD": [(0.0, 1.0)]}, {"log_x": True}, "must be > 0"),
        ({"SGD": [(math.inf, 1.0)]}, {}, "must be a finite number"),
        ({"SGD": [([1], 1.0)]}, {}, "must be a number, a name, a flag or None"),
        ({"SGD": [(0.1, 1.0)]}, {"lines": "yes"}, "lines must be True or False"),
    ],
)
def test_sensitivity_bad_input_raises(results, options, message):
    with pytest.raises(ValueError, match=message):
        plot_sensitivity(results, "momentum", **options)
    with pytest.raises(ValueError, match="name must be"):
        plot_sensitivity({"SGD": [(0.1, 1.0)]}, "")
