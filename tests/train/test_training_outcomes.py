"""Training reaches independent references: OLS, scikit-learn's solvers, accuracy targets."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression as SkLogistic

from optimlab import optim
from optimlab.data import Standardizer, linear_regression, load_dataset, moons, train_val_split
from optimlab.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression
from optimlab.train import fit


def test_linear_regression_by_gradient_descent_reaches_ols():
    X, y, _ = linear_regression(200, n_features=3, noise=0.5, seed=0)
    model = LinearRegression(3)
    fit(model, optim.SGD(model.params, lr=0.1), X, y, epochs=500)
    design = np.column_stack([X, np.ones(len(X))])
    ols = np.linalg.lstsq(design, y, rcond=None)[0]  # the closed form, independently
    np.testing.assert_allclose(model.params["W"].ravel(), ols[:3], rtol=1e-6)
    np.testing.assert_allclose(model.params["b"], ols[3:], rtol=1e-6)


def standardized(name):
    data = load_dataset(name)
    return Standardizer().fit_transform(data.X), data.y


def sklearn_penalty(C, n):
    """scikit-learn minimises sum(loss) + ||w||^2 / (2C); we minimise mean(loss) + l2/2 ||w||^2."""
    return 1.0 / (C * n)


def test_newton_logistic_regression_matches_sklearn_on_breast_cancer():
    # The standardised set is linearly separable, so the unpenalised optimum is at infinity;
    # compare at a finite C (the same problem for both).
    X, y = standardized("breast_cancer")
    C = 1.0
    reference = SkLogistic(C=C, solver="newton-cholesky", tol=1e-12, max_iter=200).fit(X, y)
    model = LogisticRegression(X.shape[1], l2=sklearn_penalty(C, len(X)))
    history = fit(model, optim.Newton(model.params), X, y, iterations=15, evaluate_train=False)
    np.testing.assert_allclose(model.params["W"].ravel(), reference.coef_.ravel(), atol=1e-6)
    np.testing.assert_allclose(model.params["b"], reference.intercept_, atol=1e-6)
    # quadratic convergence: the loss stops changing well inside 15 iterations
    assert abs(history.loss[8] - history.loss[-1]) < 1e-12


def test_newton_softmax_regression_matches_sklearn_on_iris():
    X, y = standardized("iris")
    C = 10.0
    reference = SkLogistic(C=C, solver="newton-cg", tol=1e-12, max_iter=500).fit(X, y)
    model = SoftmaxRegression(X.shape[1], 3, l2=sklearn_penalty(C, len(X)))
    # the intercepts of a K-class softmax are free up to a shared constant (no penalty on b):
    # pinv picks a solution; compare predicted probabilities, which are unique
    fit(model, optim.Newton(model.params, method="pinv"), X, y, iterations=15)
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X), atol=1e-6)


def test_newton_pinv_handles_a_duplicated_feature():
    X, y = standardized("breast_cancer")
    X = np.column_stack([X[:, :5], X[:, :1]])  # column 0 twice: the Hessian is singular
    model = LogisticRegression(6, l2=0.0)
    with pytest.raises(np.linalg.LinAlgError, match="pinv"):
        fit(model, optim.Newton(model.params), X, y, iterations=3)
    model = LogisticRegression(6)
    history = fit(model, optim.Newton(model.params, method="pinv"), X, y, iterations=10)
    assert history.stop_reason == "completed"
    W = model.params["W"].ravel()
    assert W[0] == pytest.approx(W[5], rel=1e-8)  # the minimum-norm split of a shared weight


def test_damped_newton_works_far_from_the_optimum():
    X, y = standardized("breast_cancer")

    def far_away():
        model = LogisticRegression(X.shape[1], l2=1e-3)
        model.params["W"][...] = 3.0  # saturated sigmoids: a numerically singular Hessian
        return model

    model = far_away()
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        fit(model, optim.Newton(model.params), X, y, iterations=40)
    model = far_away()
    history = fit(model, optim.Newton(model.params, damping=1.0), X, y, iterations=40)
    assert history.stop_reason == "completed"
    assert history.loss[-1] < 0.1 < 40 < history.loss[0]


def test_mlp_reaches_97_percent_on_digits_with_adam():
    data = load_dataset("digits")
    X_train, X_val, y_train, y_val = train_val_split(data.X / 16.0, data.y, seed=0, stratify=True)
    model = MLP([64, 64, 10], activation="relu", task="multiclass", seed=0)
    history = fit(
        model,
        optim.Adam(model.params, lr=3e-3),
        X_train,
        y_train,
        epochs=40,
        batch_size=32,
        validation=(X_val, y_val),
        seed=0,
    )
    assert history.epoch_val_metric[-1] >= 0.97


# Learning rates tuned on a separate seed (seed 1: grid 0.1x, 0.3x, 1x, 3x around a first guess,
# by the mean validation accuracy of the last 5 epochs); the test runs on seed 2.
TUNED = [
    (optim.SGD, {"lr": 0.05}),
    (optim.SGD, {"lr": 0.01, "momentum": 0.9}),
    (optim.SGD, {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    (optim.Momentum, {"lr": 0.15}),
    (optim.Nesterov, {"lr": 0.01}),
    (optim.Adagrad, {"lr": 0.03}),
    (optim.RMSprop, {"lr": 0.001}),
    (optim.Adadelta, {"lr": 0.3}),
    (optim.Adam, {"lr": 0.001}),
    (optim.AdamW, {"lr": 0.001}),
    (optim.NAdam, {"lr": 0.001}),
    (optim.RAdam, {"lr": 0.003}),
    (optim.Lion, {"lr": 0.002}),
]


@pytest.mark.parametrize(("cls", "kwargs"), TUNED, ids=lambda v: getattr(v, "__name__", str(v)))
def test_every_first_order_optimizer_trains_an_mlp_on_moons(cls, kwargs):
    X, y = moons(1000, noise=0.2, seed=2)
    X_train, X_val, y_train, y_val = train_val_split(X, y, seed=2)
    model = MLP([2, 32, 32, 1], activation="tanh", task="binary", seed=2)
    history = fit(
        model,
        cls(model.params, **kwargs),
        X_train,
        y_train,
        epochs=100,
        batch_size=32,
        validation=(X_val, y_val),
        seed=2,
        evaluate_train=False,
    )
    assert history.epoch_val_metric[-1] >= 0.95, history.epoch_val_metric[-5:]
