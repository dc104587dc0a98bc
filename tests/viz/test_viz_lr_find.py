"""plot_lr_find: raw and smoothed loss against a log-scaled rate, suggestions as lines."""

import math

import numpy as np
import pytest

from optimlab.viz import plot_lr_find

LRS = 1e-4 * 10.0 ** np.arange(6)  # 1e-4 ... 10
LOSSES = np.array([1.0, 0.9, 0.5, 0.3, 0.8, math.inf])
SMOOTHED = np.array([1.0, 0.95, 0.8, 0.6, 0.65, math.inf])


def test_draws_both_curves_and_marks_each_suggestion(tmp_path, assert_png, legend_of):
    figure = plot_lr_find(
        LRS,
        LOSSES,
        SMOOTHED,
        {"steepest": 1e-2, "min_loss_div10": 1e-2 / 10},
        tmp_path / "lr.png",
        burn_in=2,
    )
    assert_png(tmp_path / "lr.png")
    axes = figure.axes[0]
    assert axes.get_xscale() == "log"
    raw, smooth = axes.lines[:2]
    np.testing.assert_array_equal(raw.get_xdata(), LRS)
    np.testing.assert_array_equal(smooth.get_ydata(), SMOOTHED)
    verticals = [line.get_xdata()[0] for line in axes.lines[2:]]
    assert verticals == [1e-2, 1e-3]
    # the y window frames the finite smoothed values (0.6 .. 1.0) with 10% margins
    assert axes.get_ylim() == pytest.approx((0.6 - 0.04, 1.0 + 0.04))
    assert legend_of(figure) == [
        "batch loss",
        "smoothed (debiased EWMA)",
        "burn-in",
        "steepest: 0.01",
        "min_loss_div10: 0.001",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((LRS[:3], LOSSES, SMOOTHED), "same non-zero length"),
        ((-LRS, LOSSES, SMOOTHED), "lrs must be finite and > 0"),
        ((LRS, LOSSES, SMOOTHED, {"steepest": 0.0}), r"suggestions\['steepest'\] must be > 0"),
        ((LRS, LOSSES, SMOOTHED, {1: 0.1}), "legend labels"),
    ],
)
def test_bad_input_names_the_argument(args, message):
    with pytest.raises(ValueError, match=message):
        plot_lr_find(*args)


def test_burn_in_is_checked():
    with pytest.raises(ValueError, match="burn_in must be >= 0 and <= 6"):
        plot_lr_find(LRS, LOSSES, SMOOTHED, burn_in=7)
