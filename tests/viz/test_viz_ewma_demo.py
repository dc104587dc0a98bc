"""plot_ewma_demo: one EWMA per beta, by the recursion of the course notes "Optimizers in
Deep Learning" (or pandas when debiased)."""

import numpy as np
import pandas as pd
import pytest

from optimlab.viz import plot_ewma_demo


@pytest.fixture
def series():
    rng = np.random.default_rng(2)
    return 10 + np.cumsum(rng.normal(size=120)) * 0.1 + rng.normal(size=120)


def test_draws_the_data_and_each_beta(tmp_path, series, assert_png, legend_of):
    figure = plot_ewma_demo(series, betas=(0.5, 0.9, 0.98), path=tmp_path / "ewma.png")
    assert_png(tmp_path / "ewma.png")
    data, *averages = figure.axes[0].lines
    np.testing.assert_array_equal(data.get_ydata(), series)
    for beta, line in zip((0.5, 0.9, 0.98), averages):
        v, expected = 0.0, []
        for x in series:  # v_t = beta v_{t-1} + (1 - beta) x_t, v_0 = 0
            v = beta * v + (1 - beta) * x
            expected.append(v)
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12)
    assert legend_of(figure) == [
        "data",
        "beta = 0.5 (about 2 points)",
        "beta = 0.9 (about 10 points)",
        "beta = 0.98 (about 50 points)",
    ]


def test_debiased_equals_pandas_adjusted(series):
    figure = plot_ewma_demo(series, betas=[0.9], debias=True)
    expected = pd.Series(series).ewm(alpha=0.1, adjust=True).mean().to_numpy()
    np.testing.assert_allclose(figure.axes[0].lines[1].get_ydata(), expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("data", "betas", "message"),
    [
        ([1.0], (0.9,), "at least 2"),
        ([1.0, np.nan], (0.9,), "finite"),
        (np.ones((2, 2)), (0.9,), "shape"),
        ([1.0, 2.0], (), "betas"),
        ([1.0, 2.0], 0.9, "betas"),
        ([1.0, 2.0], (0.5, 1.0), r"betas\[1\]"),
    ],
)
def test_bad_input_raises(data, betas, message):
    with pytest.raises(ValueError, match=message):
        plot_ewma_demo(data, betas=betas)
