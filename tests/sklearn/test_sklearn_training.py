"""What a fit does, checked by hand: the standardised target, the first updates, the
schedules, when training stops, partial_fit and warm_start, the optimizer's arguments, and
the library's fast path."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression as SklearnLinearRegression

from optimlab.schedules import StepDecay
from optimlab.sklearn import OptimClassifier, OptimRegressor
from optimlab.train import compiled_sgd

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4))
Y = np.column_stack([X @ [1.0, -2.0, 0.5, 0.0] + 300.0, 1e-3 * (X @ [0.0, 1.0, 1.0, 1.0])])
Y += 0.01 * RNG.normal(size=Y.shape) * Y.std(axis=0)
LABELS = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
IRIS_X, IRIS_Y = load_iris(return_X_y=True)
IRIS_X = (IRIS_X - IRIS_X.mean(axis=0)) / IRIS_X.std(axis=0)


def full_batch(estimator_class, **settings):
    return estimator_class(batch_size=None, tol=None, random_state=0, **settings)


# -- the target: standardised inside, predictions on the original scale ---------------------


def test_one_sgd_step_on_the_standardised_target_by_hand():
    y = Y[:, 0]
    reg = full_batch(OptimRegressor, model="linear", optimizer="SGD", lr=0.1, epochs=1).fit(X, y)
    z = (y - y.mean()) / y.std()  # the standardised target
    # from W = 0, b = 0: grad W = -(2/n) X^T z, grad b = -(2/n) sum z = 0
    W = 0.1 * 2 / len(X) * X.T @ z
    np.testing.assert_allclose(reg.model_.params["W"][:, 0], W, rtol=1e-12)
    np.testing.assert_allclose(reg.coef_, W * y.std(), rtol=1e-12)
    assert reg.intercept_ == pytest.approx(y.mean(), rel=1e-14)
    assert reg.loss_curve_ == [pytest.approx(1.0, rel=1e-14)]  # mean(z^2) at zero
    np.testing.assert_allclose(reg.predict(X), X @ (W * y.std()) + y.mean(), rtol=1e-12)


def test_newton_lands_on_least_squares_for_targets_of_any_scale():
    reg = full_batch(OptimRegressor, model="linear", optimizer="Newton", epochs=1).fit(X, Y)
    design = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(design, Y, rcond=None)[0]
    np.testing.assert_allclose(reg.predict(X), design @ solution, rtol=1e-10)
    np.testing.assert_allclose(reg.coef_, solution[:-1].T, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(reg.intercept_, solution[-1], rtol=1e-10)
    reference = SklearnLinearRegression().fit(X, Y)
    np.testing.assert_allclose(reg.coef_, reference.coef_, rtol=1e-8, atol=1e-12)
    # each column of the target was standardised: the loss starts at 1 + 1 (two outputs)
    assert reg.loss_curve_[0] == pytest.approx(2.0, rel=1e-14)


def test_initial_classification_losses_by_hand():
    binary = full_batch(OptimClassifier, model="logistic", optimizer="SGD", epochs=1)
    assert binary.fit(X, LABELS).loss_curve_ == [pytest.approx(math.log(2), rel=1e-14)]
    softmax = full_batch(OptimClassifier, model="logistic", optimizer="SGD", epochs=1)
    assert softmax.fit(IRIS_X, IRIS_Y).loss_curve_ == [pytest.approx(math.log(3), rel=1e-14)]


# -- schedules -----------------------------------------------------------------------------


def test_a_named_schedule_spans_the_whole_fit():
    reg = full_batch(
        OptimRegressor, model="linear", optimizer="SGD", lr=0.1, schedule="cosine", epochs=10
    ).fit(X, Y[:, 0])
    expected = [0.1 * (1 + math.cos(math.pi * k / 10)) / 2 for k in range(10)]
    np.testing.assert_allclose(reg.history_.lr, expected, rtol=1e-14)
    assert reg.optimizer_.lr == 0.1  # the optimizer's own rate is left as it was


def test_a_callable_schedule_continues_its_count_across_partial_fit():
    schedule = StepDecay(0.2, step_size=3, gamma=0.5)
    reg = OptimRegressor(model="linear", optimizer="SGD", schedule=schedule, batch_size=20)
    reg.partial_fit(X, Y[:, 0])  # 3 updates: steps 0, 1, 2
    reg.partial_fit(X, Y[:, 0])  # steps 3, 4, 5
    assert reg.history_.lr == [0.1, 0.1, 0.1]
    assert reg.n_iter_ == 2 and len(reg.loss_curve_) == 2


def test_partial_fit_refuses_a_schedule_that_needs_the_fit_length():
    reg = OptimRegressor(model="linear", schedule="cosine")
    with pytest.raises(ValueError, match=r"Invalid schedule: 'cosine'.*partial_fit"):
        reg.partial_fit(X, Y[:, 0])
    assert not hasattr(reg, "n_features_in_")


# -- when training stops -------------------------------------------------------------------


def test_full_batch_stops_once_the_gradient_is_below_tol():
    # Newton lands on the minimum in one step: the second epoch starts at a zero gradient
    reg = OptimRegressor(model="linear", optimizer="Newton", batch_size=None, tol=1e-8)
    reg.fit(X, Y[:, 0])
    assert reg.n_iter_ == 2 and reg.history_.stop_reason == "converged"
    assert reg.history_.grad_norm[0] > 1 > 1e-8 > reg.history_.grad_norm[1]


def test_mini_batches_stop_after_n_iter_no_change_epochs_without_improvement():
    # lr = 0: the epoch loss never improves after the first epoch
    clf = OptimClassifier(hidden_layer_sizes=(5,), lr=0.0, n_iter_no_change=3, random_state=0)
    clf.fit(X, LABELS)
    assert clf.n_iter_ == 1 + 3 and clf.history_.stop_reason == "early_stopping"
    assert clf.validation_scores_ is None
    clf.set_params(tol=None, epochs=7).fit(X, LABELS)
    assert clf.n_iter_ == 7 and clf.history_.stop_reason == "completed"


def test_early_stopping_holds_out_a_stratified_validation_set():
    clf = OptimClassifier(
        hidden_layer_sizes=(5,),
        lr=0.0,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=2,
        random_state=0,
    ).fit(IRIS_X, IRIS_Y)
    assert clf.n_iter_ == 1 + 2 == len(clf.validation_scores_) == len(clf.loss_curve_)
    # 30 held-out rows, 10 per class: a constant model's accuracy is a multiple of 1/30
    score = clf.validation_scores_[0]
    assert score * 30 == pytest.approx(round(score * 30), abs=1e-12)
    assert len(set(clf.validation_scores_)) == 1
    assert clf.history_.epoch_val_loss  # the validation loss is what it monitors


def test_a_diverging_fit_warns_and_keeps_finite_parameters():
    reg = OptimRegressor(model="linear", optimizer="SGD", lr=100.0, batch_size=None)
    with pytest.warns(ConvergenceWarning, match="diverged.*lower the learning rate"):
        reg.fit(X, Y[:, 0])
    assert reg.history_.diverged and np.isfinite(reg.predict(X)).all()


# -- partial_fit and warm_start -------------------------------------------------------------


def test_partial_fit_keeps_the_optimizer_state():
    settings = {"model": "linear", "optimizer": "Adam", "lr": 0.1}
    once = full_batch(OptimRegressor, epochs=3, **settings).fit(X, Y[:, 0])
    steps = full_batch(OptimRegressor, **settings)
    for _ in range(3):
        steps.partial_fit(X, Y[:, 0])
    np.testing.assert_allclose(steps.predict(X), once.predict(X), rtol=1e-13)
    assert steps.optimizer_.step_count == 3 and steps.n_iter_ == 3
    assert steps.loss_curve_ == pytest.approx(once.loss_curve_, rel=1e-13)


def test_warm_start_starts_from_the_fitted_parameters_with_a_new_optimizer_state():
    reg = full_batch(OptimRegressor, model="linear", optimizer="Adam", lr=0.1, epochs=2)
    reg.fit(X, Y[:, 0])
    before = {k: v.copy() for k, v in reg.model_.params.items()}
    _, grads = reg.model_.loss_and_grad(X, reg._target_scaler.transform(Y[:, :1]))
    grads = {k: v.copy() for k, v in grads.items()}
    reg.set_params(warm_start=True, epochs=1).fit(X, Y[:, 0])
    # a new Adam's first step is lr g / (|g| + eps) (both moments bias-corrected to g, g^2)
    for name, g in grads.items():
        expected = before[name] - 0.1 * g / (np.abs(g) + 1e-8)
        np.testing.assert_allclose(reg.model_.params[name], expected, rtol=1e-12)
    assert reg.n_iter_ == 3 and len(reg.loss_curve_) == 3


def test_warm_start_refuses_a_different_network():
    clf = OptimClassifier(hidden_layer_sizes=(4,), epochs=2, random_state=0).fit(X, LABELS)
    predictions = clf.predict(X)
    clf.set_params(warm_start=True, hidden_layer_sizes=(6,))
    with pytest.raises(ValueError, match="Invalid warm_start"):
        clf.fit(X, LABELS)
    np.testing.assert_array_equal(clf.predict(X), predictions)


def test_partial_fit_applies_a_changed_rate_but_refuses_a_changed_option():
    reg = OptimRegressor(model="linear", optimizer="Adam", lr=0.1, batch_size=None)
    reg.partial_fit(X, Y[:, 0])
    reg.set_params(lr=0.02).partial_fit(X, Y[:, 0])
    assert reg.history_.lr == [0.02] and reg.optimizer_.lr == 0.02
    with pytest.raises(ValueError, match="X has 3 features"):  # refused: nothing changes
        reg.set_params(lr=0.5).partial_fit(X[:, :3], Y[:, 0])
    assert reg.optimizer_.lr == 0.02
    state = reg.optimizer_.state_dict()
    with pytest.raises(ValueError, match="Invalid amsgrad: partial_fit continues"):
        reg.set_params(optimizer_params={"amsgrad": True}).partial_fit(X, Y[:, 0])
    with pytest.raises(
        ValueError, match="Invalid optimizer: partial_fit continues the fitted Adam"
    ):
        reg.set_params(optimizer="SGD", optimizer_params=None).partial_fit(X, Y[:, 0])
    assert reg.optimizer_.step_count == 2
    np.testing.assert_array_equal(
        reg.optimizer_.state_dict()["state/exp_avg"], state["state/exp_avg"]
    )


def test_classifier_partial_fit_needs_every_class_on_the_first_call():
    clf = OptimClassifier(model="logistic", batch_size=None)
    with pytest.raises(ValueError, match="classes must be given on the first call"):
        clf.partial_fit(X, LABELS)
    with pytest.raises(ValueError, match=r"labels \[1\] outside the classes \[0\]"):
        clf.partial_fit(X, LABELS, classes=[0])
    clf.partial_fit(X[LABELS == 0], LABELS[LABELS == 0], classes=[0, 1])  # one class so far
    clf.partial_fit(X, LABELS)
    np.testing.assert_array_equal(clf.classes_, [0, 1])
    with pytest.raises(ValueError, match="Invalid classes"):
        clf.partial_fit(X, LABELS, classes=[0, 1, 2])


# -- the optimizer and its arguments --------------------------------------------------------


def test_common_hyperparameters_reach_only_the_optimizers_that_take_them():
    common = {"lr": 0.05, "momentum": 0.9, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.1}
    sgd = OptimClassifier(model="logistic", optimizer="SGD", epochs=1, **common).fit(X, LABELS)
    assert sgd.optimizer_.momentum == 0.9 and sgd.optimizer_.weight_decay == 0.1
    adam = OptimClassifier(model="logistic", optimizer="Adam", epochs=1, **common).fit(X, LABELS)
    assert adam.optimizer_.betas == (0.8, 0.99) and adam.optimizer_.eps == 1e-6
    assert "momentum" not in adam.optimizer_.hyperparameters()
    newton = OptimClassifier(model="logistic", optimizer="Newton", epochs=1, **common)
    assert newton.fit(X, LABELS).optimizer_.hyperparameters()["lr"] == 0.05


def test_optimizer_params_and_defaults():
    clf = OptimClassifier(
        model="logistic", optimizer="RMSprop", optimizer_params={"centered": True}, epochs=1
    ).fit(X, LABELS)
    assert clf.optimizer_.centered and clf.optimizer_.lr == 0.01  # RMSprop's default rate
    amsgrad = OptimClassifier(optimizer="Adam", optimizer_params={"amsgrad": True}, epochs=1)
    assert amsgrad.fit(X, LABELS).optimizer_.amsgrad


@pytest.mark.parametrize(
    ("optimizer", "settings"),
    [
        ("Nesterov", {"lr": 0.01, "batch_size": 32}),  # a look-ahead closure
        ("LBFGS", {"batch_size": None, "epochs": 5}),  # a closure evaluated many times
        ("ScheduleFreeAdamW", {"lr": 0.01, "batch_size": 32}),  # evaluated at x
        ("Muon", {"lr": 0.01, "batch_size": 32}),  # whole-matrix updates
        ("SOAP", {"lr": 0.01, "batch_size": 32}),
    ],
)
def test_optimizers_with_closures_and_evaluation_points_train(optimizer, settings):
    clf = OptimClassifier(hidden_layer_sizes=(8,), optimizer=optimizer, random_state=0)
    clf.set_params(**{"epochs": 50, **settings}).fit(IRIS_X, IRIS_Y)
    assert clf.score(IRIS_X, IRIS_Y) > 0.9
    assert clf.optimizer_.training is (optimizer != "ScheduleFreeAdamW")  # at x, not y


@pytest.mark.parametrize(
    ("init", "variance"), [("he", 2 / 4), ("xavier", 2 / (4 + 400)), ("auto", 2 / 4)]
)
def test_the_initial_weights_have_the_variance_of_their_scheme(init, variance):
    clf = OptimClassifier(hidden_layer_sizes=(400,), init=init, lr=0.0, epochs=1, random_state=0)
    W1 = clf.fit(X, LABELS).model_.params["W1"]  # lr = 0: as initialised
    assert W1.var() == pytest.approx(variance, rel=0.1)  # 1,600 draws: 3.5% standard error


# -- the fast path --------------------------------------------------------------------------


def test_per_sample_sgd_on_logistic_regression_runs_the_compiled_epoch(monkeypatch):
    calls = []
    run_epoch = compiled_sgd.run_epoch

    def counted(*args, **kwargs):
        calls.append(1)
        return run_epoch(*args, **kwargs)

    monkeypatch.setattr(compiled_sgd, "run_epoch", counted)
    clf = OptimClassifier(model="logistic", optimizer="SGD", lr=0.05, batch_size=1, epochs=3)
    clf.set_params(tol=None, random_state=0).fit(X, LABELS)
    assert len(calls) == 3 and clf.history_.iterations == 3 * len(X)
    assert clf.score(X, LABELS) > 0.9


def test_parameters_are_packed_and_float32_stays_float32():
    clf = OptimClassifier(hidden_layer_sizes=(8,), epochs=2).fit(X.astype(np.float32), LABELS)
    assert clf.optimizer_.flat_params is not None  # one buffer, one fused update
    assert clf.model_.dtype == np.float32 and clf.predict_proba(X).dtype == np.float32
    reg = OptimRegressor(model="linear", epochs=2).fit(X.astype(np.float32), Y)
    assert reg.predict(X).dtype == np.float32


def test_newton_with_a_singular_hessian_says_what_to_do():
    clf = OptimClassifier(model="softmax", optimizer="Newton", batch_size=None)
    with pytest.raises(ValueError, match=r"singular.*optimizer_params=\{'method': 'pinv'\}"):
        clf.fit(IRIS_X, IRIS_Y)
    assert not clf.__sklearn_is_fitted__() and not hasattr(clf, "n_features_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clf.set_params(optimizer_params={"method": "pinv"}, epochs=10).fit(IRIS_X, IRIS_Y)
    assert clf.score(IRIS_X, IRIS_Y) > 0.95
