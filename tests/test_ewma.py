"""optimlab.ewma against pandas' Series.ewm(...).mean() and hand-computed values."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab.ewma import EWMA, ewma

ALPHAS = [0.05, 0.3, 0.5, 0.9, 1.0]


def loss_curve(n: int = 300, seed: int = 0) -> np.ndarray:
    """A noisy decreasing positive series, like a training loss."""
    rng = np.random.default_rng(seed)
    return 2.0 * np.exp(-np.arange(n) / 80.0) + 0.1 + 0.2 * rng.random(n)


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("adjust", [True, False])
def test_matches_pandas(alpha, adjust):
    pd = pytest.importorskip("pandas")
    x = loss_curve()
    expected = pd.Series(x).ewm(alpha=alpha, adjust=adjust).mean().to_numpy()
    start = "zero" if adjust else "first"
    ours = ewma(x, alpha=alpha, adjust=adjust, start=start)
    np.testing.assert_allclose(ours, expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(ewma(x, 1.0 - alpha, adjust=adjust, start=start), ours, rtol=1e-15)


@pytest.mark.parametrize("alpha", ALPHAS)
def test_debias_equals_pandas_adjust_true(alpha):
    pd = pytest.importorskip("pandas")
    x = loss_curve(seed=1)
    expected = pd.Series(x).ewm(alpha=alpha, adjust=True).mean().to_numpy()
    np.testing.assert_allclose(ewma(x, alpha=alpha, debias=True), expected, rtol=1e-12, atol=0)


def test_zero_start_differs_from_pandas_adjust_false():
    pd = pytest.importorskip("pandas")
    x = np.array([10.0, 10.0, 10.0])
    assert pd.Series(x).ewm(alpha=0.1, adjust=False).mean().iloc[0] == 10.0
    assert ewma(x, 0.9)[0] == pytest.approx(1.0)  # v_1 = (1 - beta) x_1: biased towards 0


def test_seed_002_recursion_by_hand():
    x = [1.0, 2.0, 3.0]
    # v1 = 0.5*1 = 0.5; v2 = 0.5*0.5 + 0.5*2 = 1.25; v3 = 0.5*1.25 + 0.5*3 = 2.125
    np.testing.assert_allclose(ewma(x, 0.5), [0.5, 1.25, 2.125], rtol=1e-15)
    # divided by 1 - 0.5^t = 0.5, 0.75, 0.875
    np.testing.assert_allclose(
        ewma(x, 0.5, debias=True), [1.0, 1.25 / 0.75, 2.125 / 0.875], rtol=1e-15
    )
    # start at x_1: y1 = 1, y2 = 0.5 + 1 = 1.5, y3 = 0.75 + 1.5 = 2.25
    np.testing.assert_allclose(ewma(x, 0.5, start="first"), [1.0, 1.5, 2.25], rtol=1e-15)


def test_weights_match_seed_002_intuition():
    # beta = 0.9: current 10%, one step back 9%, two steps back 8.1%
    impulse_response = ewma([1.0, 0.0, 0.0], 0.9)
    np.testing.assert_allclose(impulse_response, [0.1, 0.09, 0.081], rtol=1e-14)


def test_debias_is_accurate_for_beta_near_one():
    x = np.full(5, 3.0)
    np.testing.assert_allclose(ewma(x, 0.999999, debias=True), x, rtol=1e-9)


def test_beta_zero_returns_the_series():
    x = loss_curve(20)
    for options in ({}, {"debias": True}, {"start": "first"}):
        np.testing.assert_array_equal(ewma(x, 0.0, **options), x)


@pytest.mark.parametrize("debias, start", [(False, "zero"), (True, "zero"), (False, "first")])
def test_streaming_equals_batch(debias, start):
    x = loss_curve(50, seed=2)
    smooth = EWMA(0.8, debias=debias, start=start)
    streamed = [smooth.update(float(v)) for v in x]
    np.testing.assert_allclose(streamed, ewma(x, 0.8, debias=debias, start=start), rtol=1e-14)
    assert smooth.value == streamed[-1] and smooth.count == 50


def test_streaming_by_hand_and_repr():
    smooth = EWMA(0.5)
    assert smooth.update(1.0) == 0.5
    assert smooth.update(2.0) == 1.25
    assert repr(smooth) == "EWMA(beta=0.5, debias=False, start='zero', count=2)"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"beta": 1.0}, r"Invalid beta: 1\.0; beta must be in \[0, 1\)"),
        ({"beta": -0.1}, r"Invalid beta: -0\.1; beta must be in \[0, 1\)"),
        ({"beta": math.nan}, r"Invalid beta: nan; beta must be finite"),
        ({"alpha": 0.0}, r"Invalid alpha: 0\.0; alpha must be in \(0, 1\]"),
        ({"alpha": 1.5}, r"Invalid alpha: 1\.5; alpha must be in \(0, 1\]"),
        ({"beta": 0.9, "alpha": 0.1}, r"exactly one of beta"),
        ({}, r"exactly one of beta"),
        ({"beta": 0.9, "start": "last"}, r"'last'; start must be one of 'zero', 'first'"),
        ({"beta": 0.9, "adjust": True, "debias": True}, r"same average.*pass only one"),
        ({"beta": 0.9, "debias": True, "start": "first"}, r'start="first" has no zero-start bias'),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ewma([1.0, 2.0], **kwargs)


@pytest.mark.parametrize(
    "x, match",
    [
        ([1.0, np.nan, 2.0], r"x\[1\] is nan: x must be finite \(1 non-finite values\)"),
        ([1.0, 2.0, np.inf, -np.inf], r"x\[2\] is inf.*\(2 non-finite values\)"),
        ([], r"x is empty"),
        ([[1.0, 2.0]], r"x must be a 1-D series, got shape \(1, 2\)"),
    ],
)
def test_bad_series(x, match):
    with pytest.raises(ValueError, match=match):
        ewma(x, 0.9)


def test_bad_series_type_and_streaming_errors():
    with pytest.raises(TypeError, match=r"x must hold real numbers, got dtype <U1"):
        ewma(["a", "b"], 0.9)
    smooth = EWMA(0.9, debias=True)
    with pytest.raises(RuntimeError, match=r"no value before the first update"):
        _ = smooth.value
    with pytest.raises(ValueError, match=r"x must be a finite real number, got nan \(update 1\)"):
        smooth.update(math.nan)
    with pytest.raises(ValueError, match=r"beta must be in \[0, 1\)"):
        EWMA(1.0)
