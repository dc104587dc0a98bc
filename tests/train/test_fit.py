"""The training loop's mechanics: budgets, modes, schedules, clipping, callbacks, resume, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import optim
from optimlab.data import moons
from optimlab.models import MLP, LinearRegression, LogisticRegression
from optimlab.schedules import StepDecay
from optimlab.train import Callback, EarlyStopping, fit


@pytest.fixture
def data():
    return moons(120, noise=0.2, seed=0)


def make(seed=0):
    model = MLP([2, 8, 1], activation="tanh", task="binary", seed=seed)
    return model, optim.Adam(model.params, lr=0.01)


def test_iterations_per_epoch_follow_the_sampling_mode(data):
    X, y = data
    for batch_size, mode, per_epoch in [
        (None, None, 1),
        (1, None, 120),
        (32, None, 4),
        (32, "online", 4),
    ]:
        model, opt = make()
        history = fit(model, opt, X, y, epochs=2, batch_size=batch_size, mode=mode)
        assert history.iterations == 2 * per_epoch and history.epochs == 2
    model, opt = make()
    history = fit(model, opt, X, y, epochs=2, batch_size=32, drop_last=True)
    assert history.iterations == 6


def test_an_iteration_budget_can_end_mid_epoch(data):
    model, opt = make()
    history = fit(model, opt, *data, iterations=10, batch_size=32)
    assert history.iterations == 10 and opt.step_count == 10 and history.epochs == 3


def test_recorded_loss_is_the_batch_loss_before_each_update(data):
    X, y = data
    model, opt = make()
    before = model.loss_and_grad(X, y)[0]
    history = fit(model, opt, X, y, iterations=1)
    assert history.loss[0] == pytest.approx(before, rel=1e-12)
    assert history.lr == [0.01]


def test_schedule_per_epoch_and_per_iteration(data):
    X, y = data
    model, opt = make()
    history = fit(
        model,
        opt,
        X,
        y,
        epochs=3,
        batch_size=60,
        lr_schedule=StepDecay(0.1, step_size=1, gamma=0.5),
        schedule_unit="epoch",
    )
    assert history.lr == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    model, opt = make()
    history = fit(
        model,
        opt,
        X,
        y,
        iterations=3,
        batch_size=60,
        lr_schedule=StepDecay(0.1, step_size=1, gamma=0.5),
    )
    assert history.lr == pytest.approx([0.1, 0.05, 0.025])


def test_clip_norm_bounds_the_update():
    X = np.array([[1.0], [2.0]])
    y = np.array([100.0, 200.0])
    model = LinearRegression(1)
    opt = optim.SGD(model.params, lr=1.0)
    history = fit(model, opt, X, y, iterations=1, clip_norm=1.0)
    step = np.concatenate([model.params["W"].ravel(), model.params["b"]])
    assert history.grad_norm[0] > 100  # recorded before clipping
    assert np.linalg.norm(step) == pytest.approx(1.0, rel=1e-5)


def test_huge_learning_rate_stops_with_the_divergence_message_and_finite_params(data):
    X, y = data
    model = LogisticRegression(2)
    history = fit(model, optim.SGD(model.params, lr=1e8), X, y, epochs=5, batch_size=16)
    assert history.diverged and history.stop_reason == "diverged"
    assert "lower the learning rate" in history.message and "clip" in history.message
    assert np.isfinite(model.flat_params()).all()
    # full batch: the loss after the first update explodes, so the start is what is kept
    model = LogisticRegression(2)
    start = model.flat_params().copy()
    history = fit(model, optim.SGD(model.params, lr=1e8), X, y, epochs=5)
    assert history.diverged and history.iterations == 1
    assert "exploded" in history.message
    np.testing.assert_array_equal(model.flat_params(), start)


def test_nan_in_the_gradient_path_is_divergence_not_a_crash():
    X = np.array([[1e200], [1.0]])
    y = np.array([1.0, 0.0])
    model = LinearRegression(1)
    history = fit(model, optim.SGD(model.params, lr=1.0), X, y, iterations=5)
    assert history.diverged
    assert np.isfinite(model.flat_params()).all()


def test_early_stopping_restores_the_best_parameters(data):
    X, y = data

    class Record(Callback):
        def __init__(self):
            self.params = []

        def on_epoch_end(self, state):
            self.params.append(state.flat_params.copy())

    model, _ = make()
    record = Record()
    stopper = EarlyStopping(patience=2, monitor="val_loss")
    history = fit(
        model,
        optim.SGD(model.params, lr=3.0),
        X[:80],
        y[:80],
        epochs=200,
        batch_size=8,
        validation=(X[80:], y[80:]),
        callbacks=[record, stopper],
    )
    assert history.stop_reason == "early_stopping"
    best = int(np.argmin(history.epoch_val_loss))
    assert history.best_epoch == best + 1
    np.testing.assert_array_equal(model.flat_params(), record.params[best])


def test_resume_equals_an_uninterrupted_run(data, tmp_path):
    X, y = data
    path = tmp_path / "run.npz"
    kwargs = dict(batch_size=16, validation=(X[:20], y[:20]), seed=3)

    model_a, opt_a = make()
    straight = fit(model_a, opt_a, X, y, epochs=6, **kwargs)

    model_b, opt_b = make()
    fit(model_b, opt_b, X, y, epochs=6, checkpoint=path, callbacks=[StopAt(2)], **kwargs)
    model_c, opt_c = make(seed=99)  # different initial values: all must come from the file
    resumed = fit(model_c, opt_c, X, y, epochs=6, resume=path, checkpoint=path, **kwargs)

    np.testing.assert_array_equal(model_c.flat_params(), model_a.flat_params())
    assert resumed.loss == straight.loss
    assert resumed.epoch_val_loss == straight.epoch_val_loss
    assert not list(tmp_path.glob("*.tmp"))  # the atomic write left nothing behind


class StopAt(Callback):
    """Stop after a given epoch (an interruption)."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_end(self, state):
        return state.epoch >= self.epoch


def test_closure_optimizers_run_in_the_loop(data):
    X, y = data
    model = LogisticRegression(2)
    history = fit(model, optim.Nesterov(model.params, lr=0.1), X, y, epochs=3, batch_size=20)
    assert history.iterations == 18 and all(math.isfinite(v) for v in history.grad_norm)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({}, ValueError, "exactly one of epochs and iterations"),
        ({"epochs": 0}, ValueError, "Invalid epochs"),
        ({"epochs": 1, "batch_size": 0}, ValueError, "batch_size"),
        ({"epochs": 1, "batch_size": 1000}, ValueError, "batch_size"),
        ({"epochs": 1, "clip_norm": -1.0}, ValueError, "Invalid clip_norm"),
        ({"epochs": 1, "schedule_unit": "batch"}, ValueError, "schedule_unit"),
        ({"epochs": 1, "validation": (np.zeros((3, 2)),)}, ValueError, "pair"),
    ],
)
def test_bad_arguments_are_refused_before_training(data, kwargs, error, match):
    model, opt = make()
    before = model.flat_params().copy()
    with pytest.raises(error, match=match):
        fit(model, opt, *data, **kwargs)
    np.testing.assert_array_equal(model.flat_params(), before)


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros((5, 2)), np.zeros(4), "length|samples"),
        (np.zeros((5, 2)), np.array([0, 1, 2, 0, 1]), "0 and 1"),
        (np.array([[np.nan, 0.0]] * 3), np.zeros(3), "finite|NaN"),
        (np.array([[np.inf, 0.0]] * 3), np.zeros(3), "finite|inf"),
        (np.zeros((0, 2)), np.zeros(0), "empty|no samples|0 samples"),
    ],
)
def test_bad_data_is_refused_before_training(X, y, match):
    model, opt = make()
    with pytest.raises(ValueError, match=match):
        fit(model, opt, X, y, epochs=1)
    assert opt.step_count == 0


def test_optimizer_must_drive_the_model(data):
    model, _ = make()
    _, opt = make()
    with pytest.raises(ValueError, match="built on the model's parameters"):
        fit(model, opt, *data, epochs=1)
