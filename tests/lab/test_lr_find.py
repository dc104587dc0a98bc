"""The learning-rate range test: the ramp, the smoothing, the suggestions on scripted loss
sequences, exact restoration of model and optimizer, real problems, and bad arguments."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from optimlab import optim
from optimlab.data import moons
from optimlab.lab.lr_find import LRFindResult, lr_find
from optimlab.models import MLP, LinearRegression
from optimlab.optim import flat_view, packed
from optimlab.train import fit


class ScriptedModel:
    """A stand-in model whose k-th loss is ``script[k]`` whatever its parameters, with a
    constant gradient (zero by default, so the parameters never move)."""

    def __init__(self, script, gradient=0.0, fail_at=None, nan_gradient_at=None):
        self.script = list(script)
        self.gradient = gradient
        self.fail_at = fail_at
        self.nan_gradient_at = nan_gradient_at
        self.calls = 0
        self.params = packed({"w": np.arange(3.0)}, np.float64)

    def flat_params(self):
        return flat_view(list(self.params.values()))

    def validate(self, X, y):
        return np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)

    def loss_and_grad(self, X, y, check=True):
        if self.calls == self.fail_at:
            raise RuntimeError("scripted failure")
        loss = self.script[self.calls]
        gradient = math.nan if self.calls == self.nan_gradient_at else self.gradient
        self.calls += 1
        return loss, {"w": np.full(3, gradient)}


DATA = (np.zeros((10, 1)), np.zeros(10))


def scripted_run(script, **kwargs):
    model = ScriptedModel(script)
    options = {"beta": 0.0, "batch_size": None, "iterations": len(script)} | kwargs
    return lr_find(model, optim.SGD(model.params), *DATA, **options)


def valley(early_drop=False):
    """100 scripted losses: ``0.65 - 0.35 tanh((k - 50) / 4)`` (from 1 down to 0.3, falling
    fastest at step 50) up to step 69, then ``0.3 * 1.5^(k - 69)``. With ``early_drop``,
    steps 0-19 are ``2 - tanh((k - 8) / 2)`` instead: from 3 down to 1, fastest at step 8."""
    k = np.arange(100)
    losses = 0.65 - 0.35 * np.tanh((k - 50) / 4)
    losses[70:] = 0.3 * 1.5 ** (k[70:] - 69)
    if early_drop:
        losses[:20] = 2 - np.tanh((k[:20] - 8) / 2)
    return losses


def test_the_ramp_is_exponential_from_start_to_end():
    result = scripted_run(np.ones(50), start=1e-6, end=1.0)
    k = np.arange(50)
    np.testing.assert_allclose(result.lrs, 1e-6 * (1.0 / 1e-6) ** (k / 49), rtol=1e-12)
    assert result.lrs[0] == pytest.approx(1e-6, rel=1e-15)
    assert result.lrs[-1] == pytest.approx(1.0, rel=1e-12)
    ratios = result.lrs[1:] / result.lrs[:-1]  # constant: 10^(6/49)
    np.testing.assert_allclose(ratios, 10 ** (6 / 49), rtol=1e-12)
    assert not result.stopped_early


def test_the_updates_use_the_ramp_and_losses_are_taken_before_each_update():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    y = X @ np.array([1.0, -2.0]) + 0.5
    model = LinearRegression(2)
    result = lr_find(model, optim.SGD(model.params), X, y, batch_size=None, iterations=30, end=0.3)
    # replay gradient descent by hand with the closed-form MSE gradient
    w, b, expected = np.zeros(2), 0.0, []
    for lr in result.lrs:
        residual = X @ w + b - y
        expected.append(np.mean(residual**2))
        w, b = w - lr * 2 * X.T @ residual / 40, b - lr * 2 * residual.mean()
    np.testing.assert_allclose(result.losses, expected, rtol=1e-10)


def test_the_smoothed_loss_is_pandas_adjusted_ewm():
    rng = np.random.default_rng(1)
    script = 1.0 + 0.1 * rng.random(60)
    result = scripted_run(script, beta=0.9)
    reference = pd.Series(script).ewm(alpha=0.1, adjust=True).mean().to_numpy()
    np.testing.assert_allclose(result.smoothed, reference, rtol=1e-12)
    np.testing.assert_array_equal(result.losses, script)


def test_steepest_and_min_loss_suggestions_on_a_scripted_valley():
    script = valley()
    result = scripted_run(script, diverge_factor=4.0)
    # beta=0: smoothed = losses. A central difference over a fixed span is steepest when
    # centred on the inflection point of a symmetric fall: step 50
    assert result.suggested == result.suggestions["steepest"] == result.lrs[50]
    # the smallest loss is at step 69 (tanh still rising there, then 0.45 at step 70)
    assert script[69] < script[68] and script[69] < script[70]
    assert result.suggestions["min_loss_div10"] == pytest.approx(result.lrs[69] / 10, rel=1e-15)
    # best ~0.30005: the loss passes 4 x 0.30005 at 0.3 * 1.5^4 = 1.52 (step 73): recorded, stop
    assert result.stopped_early
    assert result.losses.size == 74
    assert result.losses[-1] == pytest.approx(0.3 * 1.5**4)


def test_the_burn_in_is_skipped():
    script = valley(early_drop=True)
    # with burn_in=0 the early fall (slope -2 tanh(2.5) over steps 3..13) is the steepest
    assert scripted_run(script, burn_in=0).suggested == pytest.approx(1e-7 * 1e8 ** (8 / 99))
    # with burn_in=10 only steps >= 10 count: the slopes from step 15 on are at most
    # tanh(6) - tanh(1) = 0.24 early, against 0.7 tanh(1.25) = 0.59 at step 50
    assert scripted_run(script, burn_in=10).suggested == pytest.approx(1e-7 * 1e8 ** (50 / 99))


def test_a_non_finite_loss_stops_the_test_before_recording_it():
    script = np.ones(100)
    script[60] = math.inf
    result = scripted_run(script)
    assert result.stopped_early
    assert result.losses.size == 60
    assert result.lrs.size == 60


def test_a_non_finite_gradient_stops_the_test_without_an_update():
    model = ScriptedModel(np.ones(100), gradient=1.0, nan_gradient_at=40)
    optimizer = optim.SGD(model.params)
    result = lr_find(model, optimizer, *DATA, batch_size=None, beta=0.0)
    assert result.stopped_early and result.losses.size == 40
    np.testing.assert_array_equal(model.flat_params(), np.arange(3.0))


def test_a_batch_larger_than_the_data_means_full_batch():
    rng = np.random.default_rng(2)
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    runs = []
    for batch_size in (None, 10**6):
        model = LinearRegression(2)
        runs.append(lr_find(model, optim.SGD(model.params), X, y, batch_size=batch_size))
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)


def test_diverging_inside_the_burn_in_asks_for_a_lower_start():
    script = np.r_[1.0, 1.0, 1.0, 5.0, np.ones(96)]  # beta=0: 5 > 4 x 1 stops it at step 3
    with pytest.raises(ValueError, match="lower start"):
        scripted_run(script, burn_in=10)


def mlp_problem():
    X, y = moons(200, noise=0.2, seed=0)
    return X, y, lambda: MLP([2, 16, 1], "tanh", "binary", seed=0)


def test_model_and_optimizer_are_restored_bit_for_bit():
    X, y, make = mlp_problem()
    model = make()
    optimizer = optim.Adam(model.params, lr=3e-3, betas=(0.8, 0.99), weight_decay=1e-4)
    fit(model, optimizer, X, y, epochs=3, batch_size=32)  # non-trivial state
    params = model.flat_params().copy()
    state = optimizer.state_dict()
    lr_find(model, optimizer, X, y)
    np.testing.assert_array_equal(model.flat_params(), params)
    after = optimizer.state_dict()
    assert after.keys() == state.keys()
    for key, value in state.items():
        np.testing.assert_array_equal(after[key], value, err_msg=key)
    assert optimizer.lr == 3e-3 and optimizer.betas == (0.8, 0.99)


def test_training_after_a_range_test_is_identical_to_training_without_one():
    X, y, make = mlp_problem()
    runs = []
    for probe in (False, True):
        model = make()
        optimizer = optim.SGD(model.params, lr=0.1, momentum=0.9)
        fit(model, optimizer, X, y, epochs=2, batch_size=32)
        if probe:
            lr_find(model, optimizer, X, y)
        fit(model, optimizer, X, y, epochs=2, batch_size=32, seed=1)
        runs.append(model.flat_params().copy())
    np.testing.assert_array_equal(runs[0], runs[1])


def test_state_is_restored_when_the_test_fails_and_a_schedule_is_kept():
    model = ScriptedModel(np.ones(100), gradient=1.0, fail_at=20)
    optimizer = optim.SGD(model.params, lr=lambda step: 0.01, momentum=0.9)
    schedule = optimizer.lr
    before = model.flat_params().copy()
    with pytest.raises(RuntimeError, match="scripted failure"):
        lr_find(model, optimizer, *DATA, batch_size=None)
    assert model.calls == 20  # it did move the parameters 20 times before failing
    np.testing.assert_array_equal(model.flat_params(), before)
    assert optimizer.lr is schedule
    assert optimizer.step_count == 0
    np.testing.assert_array_equal(optimizer.state_dict()["state/momentum_buffer"], 0.0)


def progress(make, optimizer_class, X, y, lr):
    """Final full-data loss after 30 epochs of mini-batch training, and how the run ended."""
    model = make()
    history = fit(model, optimizer_class(model.params, lr=lr), X, y, epochs=30, batch_size=32)
    return float(model.loss_and_grad(X, y)[0]), history.stop_reason


@pytest.mark.parametrize("optimizer_class", [optim.SGD, optim.Adam])
def test_the_suggested_rate_trains_and_100x_does_worse_on_an_mlp(optimizer_class):
    X, y, make = mlp_problem()
    model = make()
    initial = float(model.loss_and_grad(X, y)[0])
    result = lr_find(model, optimizer_class(model.params), X, y)
    final, status = progress(make, optimizer_class, X, y, result.suggested)
    assert status == "completed" and final < 0.7 * initial
    too_high, status_high = progress(make, optimizer_class, X, y, 100 * result.suggested)
    assert status_high == "diverged" or too_high > final


def test_the_suggested_rate_trains_and_100x_diverges_on_linear_regression():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, 2.0, -1.0]) + 0.3 * rng.normal(size=200)
    make = lambda: LinearRegression(3)  # noqa: E731
    model = make()
    initial = float(model.loss_and_grad(X, y)[0])
    result = lr_find(model, optim.SGD(model.params), X, y)
    assert result.stopped_early  # MSE blows up once lr passes ~2/L
    final, status = progress(make, optim.SGD, X, y, result.suggested)
    assert status == "completed" and final < 0.1 * initial
    assert progress(make, optim.SGD, X, y, 100 * result.suggested)[1] == "diverged"


def test_to_dict_is_json_ready():
    result = scripted_run(valley())
    data = json.loads(json.dumps(result.to_dict()))
    assert data["lrs"] == result.lrs.tolist()
    assert data["suggested"] == result.suggested
    assert data["suggestions"] == result.suggestions
    assert data["stopped_early"] is True and data["burn_in"] == 10
    assert isinstance(result, LRFindResult)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": 1.0, "end": 1.0}, "start=1.0 and end=1.0"),
        ({"start": 2.0, "end": 1.0}, "start=2.0 and end=1.0"),
        ({"start": 0.0}, "Invalid start: 0.0"),
        ({"start": -1e-3}, "Invalid start"),
        ({"end": math.inf}, "Invalid end: inf"),
        ({"iterations": 4}, "Invalid iterations: 4"),
        ({"iterations": 10.5}, "Invalid iterations"),
        ({"beta": 1.0}, "Invalid beta: 1.0"),
        ({"burn_in": -1}, "Invalid burn_in: -1"),
        ({"iterations": 10, "burn_in": 8}, r"8; burn_in must be an integer from 0 to 7"),
        ({"diverge_factor": 1.0}, "Invalid diverge_factor: 1.0"),
        ({"batch_size": 0}, "Invalid batch_size: 0"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    model = ScriptedModel(np.ones(100))
    with pytest.raises(ValueError, match=message):
        lr_find(model, optim.SGD(model.params), *DATA, **kwargs)
    assert model.calls == 0


def test_optimizers_that_cannot_be_ramped_are_refused():
    model = LinearRegression(2)
    X, y = np.ones((4, 2)), np.ones(4)
    advice = re.escape("SGD(model.params, momentum=0.9, nesterov=True)")
    with pytest.raises(ValueError, match=advice):
        lr_find(model, optim.Nesterov(model.params, lr=0.1), X, y)
    with pytest.raises(ValueError, match="built on the model's parameters"):
        lr_find(model, optim.SGD(LinearRegression(2).params), X, y)
    with pytest.raises(TypeError, match="optimizer must be"):
        lr_find(model, "sgd", X, y)


def test_a_loss_still_falling_at_the_end_of_the_ramp_is_said():
    from optimlab.lab.lr_find import _result

    lrs = np.geomspace(1e-4, 1e-2, 40)
    falling = np.linspace(1.0, 0.2, 40)  # never turns up
    assert _result(lrs, falling, 40, 0.5, 0, False).still_falling
    turning = np.concatenate([np.linspace(1.0, 0.2, 30), np.linspace(0.3, 2.0, 10)])
    assert not _result(lrs, turning, 40, 0.5, 0, True).still_falling
