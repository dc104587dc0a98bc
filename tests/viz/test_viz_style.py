"""The style cycle: distinct (colour, line style) for many curves, a colour-blind-safe
palette, and every line plot drawing its curves in those styles."""

import itertools

import numpy as np
import pytest

from optimlab.viz import plot_losses, plot_lr_sweep
from optimlab.viz.style import PALETTE, curve_style, curve_styles, marker_positions

# Okabe and Ito (2008), "Color Universal Design": the eight published colours.
OKABE_ITO = {
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#009E73",  # bluish green
    "#F0E442",  # yellow
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
}


def test_twenty_curves_have_pairwise_distinct_colour_and_line_style():
    pairs = [(s.color, s.linestyle) for s in curve_styles(20)]
    assert len(set(pairs)) == 20


def test_the_cycle_repeats_a_colour_and_line_style_only_after_28_curves():
    styles = curve_styles(29)
    pairs = [(s.color, s.linestyle) for s in styles[:28]]
    assert len(set(pairs)) == 28
    assert (styles[28].color, styles[28].linestyle) == pairs[0]
    assert styles[28].marker != styles[0].marker  # the marker still tells them apart
    triples = {(s.color, s.linestyle, s.marker) for s in curve_styles(140)}
    assert len(triples) == 140


def test_the_palette_is_okabe_ito_without_yellow():
    assert set(PALETTE) == OKABE_ITO - {"#F0E442"}
    assert len(PALETTE) == len(set(PALETTE))


def test_the_first_seven_curves_are_solid_in_seven_colours():
    styles = curve_styles(7)
    assert {s.linestyle for s in styles} == {"-"}
    assert len({s.color for s in styles}) == 7


def test_style_is_deterministic_and_checks_its_index():
    assert curve_style(12) == curve_style(12)
    with pytest.raises(ValueError, match="index"):
        curve_style(-1)
    with pytest.raises(TypeError, match="index"):
        curve_style(1.5)


def test_markers_of_overlapping_long_curves_fall_at_different_steps():
    # 400 points, 8 markers: every ceil(400 / 8) = 50 points, curve i starting at 50 i / 3.
    assert [marker_positions(400, i, 3) for i in range(3)] == [(0, 50), (16, 50), (33, 50)]
    assert marker_positions(30, 1, 3) is None  # short curves: a marker on every point


def test_plot_losses_draws_twenty_distinguishable_curves(tmp_path, assert_png):
    histories = {f"run {i}": np.linspace(1.0, 0.1 + 0.01 * i, 50) for i in range(20)}
    figure = plot_losses(histories, path=tmp_path / "many.png")
    assert_png(tmp_path / "many.png")
    axes = figure.axes[0]
    drawn = {line.get_label(): line for line in axes.lines}
    pairs = {(drawn[k].get_color(), drawn[k].get_linestyle()) for k in histories}
    assert len(pairs) == 20
    legend = axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(histories)
    # 20 entries: the legend sits right of the axes, not over the curves.
    assert legend.get_window_extent().x0 >= axes.get_window_extent().x1


def test_plot_lr_sweep_uses_the_cycle():
    figure = plot_lr_sweep({"SGD": [(0.1, 1.0), (1.0, 0.5)], "Adam": [(0.1, 0.3), (1.0, 0.2)]})
    lines = figure.axes[0].lines
    assert lines[0].get_color() == curve_style(0).color
    sweep_lines = [line for line in lines if line.get_label() == "Adam"]
    assert sweep_lines[0].get_color() == curve_style(1).color
    assert sweep_lines[0].get_marker() == curve_style(1).marker


def test_titles_and_axis_labels_say_what_is_plotted():
    figure = plot_losses({"a": [1.0, 0.5]}, x_label="epoch")
    axes = figure.axes[0]
    assert axes.get_title() == "Loss per epoch"
    assert axes.get_ylabel() == "loss (log scale)"
    figure = plot_losses({"a": [1.0, 0.5]}, log_scale=False, title="Training loss", y_label="MSE")
    assert (figure.axes[0].get_title(), figure.axes[0].get_ylabel()) == ("Training loss", "MSE")
    with pytest.raises(ValueError, match="title"):
        plot_losses({"a": [1.0, 0.5]}, title=3)


def test_a_curve_leaving_the_y_window_is_marked_on_its_edge(legend_of):
    values = np.array([0.5, 2.0, 3.0, 0.5, 0.4, 5.0, 0.05, 0.3])
    figure = plot_losses({"jumpy": values, "calm": np.full(8, 0.5)}, y_range=(0.1, 1.0))
    axes = figure.axes[0]
    assert axes.get_ylim() == pytest.approx((0.1, 1.0))
    marks = sorted(tuple(point) for c in axes.collections for point in c.get_offsets())
    # Above 1.0 from steps 1 and 5 (two excursions), below 0.1 at step 6; in axes
    # fractions the top edge is y = 1 and the bottom edge y = 0.
    assert marks == [(1.0, 1.0), (5.0, 1.0), (6.0, 0.0)]
    assert legend_of(figure) == ["jumpy (leaves the window)", "calm"]
    with pytest.raises(ValueError, match="y_range"):
        plot_losses({"a": [1.0, 0.5]}, y_range=(0.0, 1.0))
    with pytest.raises(ValueError, match="y_range"):
        plot_losses({"a": [1.0, 0.5]}, y_range=(1.0, 0.5))


@pytest.mark.parametrize("count", [2, 11])
def test_earlier_curves_are_wider_so_later_ones_do_not_hide_them(count):
    histories = {f"c{i}": np.full(5, 1.0) for i in range(count)}  # all on top of each other
    lines = plot_losses(histories).axes[0].lines
    widths = [line.get_linewidth() for line in lines]
    assert all(a > b for a, b in itertools.pairwise(widths))
