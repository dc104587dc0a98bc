"""Schedule-Free's evaluation point: `eval`/`train`/`evaluating`, and `fit` evaluating at x."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab import optim
from optimlab.models import LinearRegression
from optimlab.train import EarlyStopping, fit


def data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.1 * rng.normal(size=40)


def test_eval_moves_to_the_average_and_train_restores_y_exactly():
    w = np.array([1.0, -1.0, 2.0])
    opt = optim.ScheduleFreeSGD(w, lr=0.1, momentum=0.8)
    for g in ([1.0, 2.0, -1.0], [0.5, -0.5, 0.25], [2.0, 1.0, 0.0]):
        opt.step(np.array(g))
    y, z = w.copy(), opt.state["z"].copy()
    with opt.evaluating():
        assert not opt.training
        # y = (1 - beta) z + beta x, so x = (y - (1 - beta) z) / beta
        np.testing.assert_allclose(w, (y - 0.2 * z) / 0.8, rtol=1e-14)
    assert opt.training
    np.testing.assert_array_equal(w, y)


def test_a_step_at_the_evaluation_point_is_refused_and_changes_nothing():
    w = np.ones(3)
    opt = optim.ScheduleFreeAdamW(w, lr=0.1)
    opt.step(np.array([1.0, 2.0, 3.0]))
    opt.eval()
    before, state = w.copy(), {k: np.array(v, copy=True) for k, v in opt.state_dict().items()}
    with pytest.raises(RuntimeError, match=r"call opt\.train\(\)"):
        opt.step(np.ones(3))
    np.testing.assert_array_equal(w, before)
    for key, value in opt.state_dict().items():
        np.testing.assert_array_equal(value, state[key])


def test_a_state_saved_at_x_resumes_at_y():
    w = np.array([0.5, -1.0])
    opt = optim.ScheduleFreeSGD(w, lr=0.1)
    for g in ([1.0, 2.0], [-1.0, 0.5]):
        opt.step(np.array(g))
    y = w.copy()
    opt.eval()
    saved_x, state = w.copy(), opt.state_dict()
    other = optim.ScheduleFreeSGD(saved_x, lr=0.1)
    other.load_state_dict(state)
    assert not other.training
    other.train()  # y = x + (1 - beta)(z - x), from the state alone
    np.testing.assert_allclose(saved_x, y, rtol=1e-14)


def test_fit_trains_at_y_evaluates_at_x_and_returns_x():
    X, y = data()
    model = LinearRegression(3)
    opt = optim.ScheduleFreeSGD(model.params, lr=0.05)
    history = fit(model, opt, X, y, epochs=5, batch_size=8, validation=(X[:10], y[:10]))
    assert not opt.training  # the model comes back at x
    x_loss = float(model.loss_and_grad(X[:10], y[:10])[0])
    assert history.epoch_val_loss[-1] == x_loss
    opt.train()
    y_loss = float(model.loss_and_grad(X[:10], y[:10])[0])
    assert y_loss != x_loss

    # evaluating does not disturb training: the same updates without fit's evaluations
    twin = LinearRegression(3)
    twin_opt = optim.ScheduleFreeSGD(twin.params, lr=0.05)
    fit(twin, twin_opt, X, y, epochs=5, batch_size=8, evaluate_train=False)
    twin_opt.train()
    for k in model.params:
        np.testing.assert_array_equal(model.params[k], twin.params[k])


def test_fit_continues_from_the_evaluation_point():
    X, y = data()
    model = LinearRegression(3)
    opt = optim.ScheduleFreeAdamW(model.params, lr=0.05)
    fit(model, opt, X, y, epochs=2)
    fit(model, opt, X, y, epochs=2)  # trains again from y
    straight = LinearRegression(3)
    straight_opt = optim.ScheduleFreeAdamW(straight.params, lr=0.05)
    fit(straight, straight_opt, X, y, epochs=4)
    for k in model.params:
        np.testing.assert_array_equal(model.params[k], straight.params[k])


def test_early_stopping_keeps_the_best_evaluation_point():
    X, y = data()
    model = LinearRegression(3)
    opt = optim.ScheduleFreeSGD(model.params, lr=0.05)
    stopper = EarlyStopping(patience=2)
    history = fit(model, opt, X, y, epochs=30, validation=(X[:10], y[:10]), callbacks=[stopper])
    best = min(history.epoch_val_loss)
    assert float(model.loss_and_grad(X[:10], y[:10])[0]) == pytest.approx(best, rel=1e-12)


@pytest.mark.parametrize("cls", [optim.Adam, optim.SGD, optim.LBFGS])
def test_other_optimizers_evaluate_where_they_train(cls):
    w = np.ones(2)
    opt = cls(w)
    with opt.evaluating():
        assert opt.training
        np.testing.assert_array_equal(w, 1.0)
