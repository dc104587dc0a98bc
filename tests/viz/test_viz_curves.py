"""plot_losses and plot_convergence: the curves drawn, EWMA smoothing (against pandas),
divergence marks, log scales and reference rates."""

import math

import numpy as np
import pandas as pd
import pytest

from optimlab.viz import plot_convergence, plot_losses


def test_plot_losses_draws_each_history(tmp_path, assert_png, lines_of, legend_of):
    histories = {"batch": np.array([4.0, 2.0, 1.0]), "sgd": np.array([4.0, 3.0, 1.5, 1.2, 0.9])}
    figure = plot_losses(histories, path=tmp_path / "loss.png", x_label="epoch")
    assert_png(tmp_path / "loss.png")
    drawn = lines_of(figure.axes[0])
    for values in histories.values():  # epoch k's loss is recorded at its end: epochs from 1
        assert any(
            np.array_equal(y, values) and np.array_equal(x, np.arange(1, y.size + 1))
            for x, y in drawn
        )
    assert legend_of(figure) == ["batch", "sgd"]
    assert figure.axes[0].get_yscale() == "log"
    assert figure.axes[0].get_xlabel() == "epoch"
    figure = plot_losses(histories, x_label="iteration")
    assert any(np.array_equal(x, np.arange(3)) for x, _ in lines_of(figure.axes[0]))


def test_smoothing_is_the_debiased_ewma_drawn_over_the_faint_raw_curve(lines_of):
    rng = np.random.default_rng(0)
    noisy = np.exp(-np.arange(50) / 20) + 0.1 * rng.random(50)
    figure = plot_losses({"sgd": noisy}, smooth_beta=0.9)
    raw, smoothed = figure.axes[0].lines[:2]
    np.testing.assert_array_equal(raw.get_ydata(), noisy)
    assert raw.get_alpha() < 0.5 and smoothed.get_linewidth() > raw.get_linewidth()
    # pandas' adjusted EWMA (adjust=True) is the zero-started average divided by 1 - beta^t.
    expected = pd.Series(noisy).ewm(alpha=0.1, adjust=True).mean().to_numpy()
    np.testing.assert_allclose(smoothed.get_ydata(), expected, rtol=1e-12)
    assert smoothed.get_color() == raw.get_color()


def test_a_diverged_history_is_cut_and_marked(legend_of):
    history = np.array([1.0, 2.0, 8.0, 64.0, np.inf, np.nan])
    figure = plot_losses({"lr=10": history, "lr=0.1": np.array([1.0, 0.5])})
    axes = figure.axes[0]
    assert axes.lines[0].get_ydata().tolist() == [1.0, 2.0, 8.0, 64.0]
    marks = [line for line in axes.lines if line.get_marker() == "X"]
    assert [(m.get_xdata()[0], m.get_ydata()[0]) for m in marks] == [(3, 64.0)]
    assert legend_of(figure) == ["lr=10 (diverged)", "lr=0.1"]


def test_a_run_that_diverged_before_its_first_value_is_named_in_the_legend_only(legend_of):
    """A training run can diverge in its first epoch: its history is empty (or starts with a
    NaN); the figure still shows the others and names it."""
    figure = plot_losses(
        {"lr=1e3": [], "lr=10": [math.nan, 1.0], "lr=0.1": [1.0, 0.5]}, x_label="epoch"
    )
    axes = figure.axes[0]
    assert [line.get_ydata().tolist() for line in axes.lines] == [[], [], [1.0, 0.5]]
    assert legend_of(figure) == ["lr=1e3 (diverged at once)", "lr=10 (diverged at once)", "lr=0.1"]
    assert axes.get_yscale() == "log"


def test_when_every_run_diverged_at_once_the_figure_says_so(tmp_path, assert_png):
    figure = plot_losses({"a": [], "b": [math.inf]}, path=tmp_path / "loss.png")
    assert_png(tmp_path / "loss.png")
    texts = [text.get_text() for text in figure.axes[0].texts]
    assert texts == ["every run diverged before its first value"]


def test_linear_scale_allows_negative_values():
    figure = plot_losses({"saddle": np.array([0.0, -1.0, -4.0])}, log_scale=False)
    assert figure.axes[0].get_yscale() == "linear"


@pytest.mark.parametrize(
    ("histories", "kwargs", "message"),
    [
        ({}, {}, "empty"),
        ([1.0, 2.0], {}, "dict"),
        ({"a": np.ones((2, 2))}, {}, "shape"),
        ({"a": ["x", "y"]}, {}, "real numbers"),
        ({"a": [1.0, 0.5]}, {"smooth_beta": 1.0}, "smooth_beta"),
        ({"a": [1.0, 0.5]}, {"smooth_beta": -0.1}, "smooth_beta"),
        ({"a": [0.0, -1.0]}, {}, "log scale"),
        ({"a": [1.0, 0.5]}, {"x_label": 3}, "x_label"),
        ({"a": [1.0, 0.5]}, {"log_scale": "no"}, "log_scale"),
    ],
)
def test_plot_losses_rejects_bad_input(histories, kwargs, message):
    with pytest.raises(ValueError, match=message):
        plot_losses(histories, **kwargs)


def test_plot_convergence_with_reference_rates(tmp_path, assert_png, legend_of):
    k = np.arange(30)
    errors = {"GD": 3.0 * 0.9**k, "Newton": np.array([1.0, 0.1, 1e-3, 1e-7, 1e-15, 0.0])}
    figure = plot_convergence(errors, path=tmp_path / "c.png", rates={"GD": 0.8})
    assert_png(tmp_path / "c.png")
    axes = figure.axes[0]
    assert axes.get_yscale() == "log"
    reference = next(line for line in axes.lines if line.get_linestyle() == "--")
    np.testing.assert_allclose(reference.get_ydata(), 3.0 * 0.8**k, rtol=1e-12)
    assert reference.get_color() == axes.lines[0].get_color()
    assert legend_of(figure) == ["GD", "theory: rate 0.8", "Newton"]


@pytest.mark.parametrize(
    ("errors", "rates", "message"),
    [
        ({}, None, "empty"),
        ({"a": [1.0, -0.1]}, None, ">= 0"),
        ({"a": [0.0, 0.0]}, None, "log scale"),
        ({"a": [1.0, 0.1]}, {"b": 0.5}, "not in errors"),
        ({"a": [1.0, 0.1]}, {"a": 0.0}, "rates"),
        ({"a": [1.0, 0.1]}, [0.5], "rates"),
    ],
)
def test_plot_convergence_rejects_bad_input(errors, rates, message):
    with pytest.raises(ValueError, match=message):
        plot_convergence(errors, rates=rates)


def test_log_ticks_read_as_plain_numbers_and_one_epoch_gets_one_tick():
    figure = plot_losses({"a": [0.4], "b": [0.32]}, x_label="epoch")
    axes = figure.axes[0]
    figure.canvas.draw()
    labels = [t.get_text() for t in axes.yaxis.get_ticklabels(which="both") if t.get_text()]
    assert labels and all(float(label) > 0 for label in labels)  # not $4\times10^{-1}$
    assert axes.get_xticks().tolist() == [1]
