"""Bad data and bad arguments raise clear errors, before any work."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression

X = np.random.default_rng(0).normal(size=(6, 3))


def _models():
    return {
        "linear": (LinearRegression(3), np.zeros(6)),
        "logistic": (LogisticRegression(3), np.array([0, 1, 0, 1, 1, 0])),
        "softmax": (SoftmaxRegression(3, 3), np.array([0, 1, 2, 1, 0, 2])),
        "mlp": (MLP([3, 4, 3], task="multiclass"), np.array([0, 1, 2, 1, 0, 2])),
    }


@pytest.mark.parametrize("name", ["linear", "logistic", "softmax", "mlp"])
@pytest.mark.parametrize(
    ("features", "targets", "error", "match"),
    [
        (lambda: X[0], lambda y: y, ValueError, "2-D"),
        (lambda: X[:, :2], lambda y: y, ValueError, "2 features but the model expects 3"),
        (lambda: np.where(X > 1, np.nan, X), lambda y: y, ValueError, "NaN or inf"),
        (lambda: np.where(X > 1, np.inf, X), lambda y: y, ValueError, "NaN or inf"),
        (lambda: X[:0], lambda y: y[:0], ValueError, "empty"),
        (lambda: X.astype(str), lambda y: y, TypeError, "numeric"),
        (lambda: X, lambda y: y[:5], ValueError, "5 samples but X has 6 rows"),
        (lambda: X, lambda y: y[0], ValueError, "scalar"),
    ],
)
def test_bad_data_raises(name, features, targets, error, match):
    model, y = _models()[name]
    with pytest.raises(error, match=match):
        model.loss_and_grad(features(), targets(y))
    with pytest.raises(error, match=match):
        model.closure(features(), targets(y))


@pytest.mark.parametrize(
    ("model", "y", "match"),
    [
        (LinearRegression(3), np.array([0, 1, np.nan, 0, 0, 0]), "y contains NaN"),
        (LinearRegression(3, n_outputs=2), np.zeros(6), r"shape \(6, 2\)"),
        (LogisticRegression(3), np.array([0, 1, 2, 0, 1, 0]), "only the labels 0 and 1"),
        (LogisticRegression(3), np.array([-1, 1, 1, -1, 1, 1]), "binary task, found -1; encode"),
        (MLP([3, 2, 1], task="binary"), np.full(6, 0.5), "binary task, found 0.5;"),
        (SoftmaxRegression(3, 3), np.array([0, 1, 3, 0, 1, 2]), "label 3, outside 0..2"),
        (SoftmaxRegression(3, 3), np.array([0, 1, 0.5, 0, 1, 2]), "whole numbers"),
        (SoftmaxRegression(3, 3), np.full((6, 3), 1 / 3), "one-hot"),
        (SoftmaxRegression(3, 3), np.eye(4)[[0, 1, 2, 3, 0, 1]], "3 columns"),
        (MLP([3, 2, 4], task="multiclass"), np.array(list("abcdef")), "numeric"),
    ],
)
def test_wrong_targets_for_the_task_raise(model, y, match):
    with pytest.raises((ValueError, TypeError), match=match):
        model.loss_and_grad(X, y)


@pytest.mark.parametrize(
    ("build", "error", "match"),
    [
        (lambda: LinearRegression(0), ValueError, "0; n_features must be a positive integer"),
        (lambda: LinearRegression(3, n_outputs=0), ValueError, "n_outputs"),
        (lambda: LinearRegression(3, l2=-1.0), ValueError, "Invalid l2: -1.0; l2 must be >= 0"),
        (lambda: LogisticRegression(3, l2=float("nan")), ValueError, "l2 must be finite"),
        (lambda: LogisticRegression(3, dtype=np.int64), TypeError, "dtype"),
        (lambda: LogisticRegression(3, init="ones"), ValueError, "init must be one of"),
        (lambda: LogisticRegression(3, fit_intercept="yes"), TypeError, "fit_intercept"),
        (lambda: SoftmaxRegression(3, 1), ValueError, "n_classes must be >= 2"),
        (lambda: MLP([3]), ValueError, "at least"),
        (lambda: MLP("34"), TypeError, "layer_sizes"),
        (lambda: MLP([3, 0, 1]), ValueError, "layer_sizes"),
        (lambda: MLP([3, 4, 1], activation="elu"), ValueError, "activation must be one of"),
        (lambda: MLP([3, 4, 1], task="ranking"), ValueError, "task must be one of"),
        (lambda: MLP([3, 4, 2], task="binary"), ValueError, "1 output"),
        (lambda: MLP([3, 4, 1], task="multiclass"), ValueError, ">= 2"),
        (lambda: MLP([3, 4, 1], init="lecun"), ValueError, "init must be one of"),
    ],
)
def test_bad_constructor_arguments_raise(build, error, match):
    with pytest.raises(error, match=match):
        build()


def test_bad_params_and_missing_hessian_raise():
    model, y = _models()["softmax"]
    with pytest.raises(ValueError, match="keys"):
        model.loss_and_grad(X, y, params={"W": model.params["W"]})
    with pytest.raises(ValueError, match=r"params\['W'\] has shape"):
        model.set_params({"W": np.zeros((3, 2)), "b": np.zeros(3)})
    with pytest.raises(NotImplementedError, match="no exact Hessian"):
        MLP([3, 4, 1]).closure(X, np.zeros(6), hessian=True)
    with pytest.raises(ValueError, match="predict_proba"):
        MLP([3, 4, 1]).predict_proba(X)
