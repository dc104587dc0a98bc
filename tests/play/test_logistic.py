"""The logistic model's loss surface against scikit-learn and closed forms."""

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression as SkLogistic

from optimlab.play.logistic import LogisticLandscape, logistic_data


def _data():
    iris = load_iris()
    keep = iris.target > 0
    X = iris.data[keep][:, 2:4]
    return (X - X.mean(0)) / X.std(0), (iris.target[keep] == 2).astype(float)


def _loss_and_grad(X, y, w):
    z = X @ w
    p = 1.0 / (1.0 + np.exp(-z))
    return np.mean(np.log1p(np.exp(z)) - y * z), X.T @ (p - y) / len(y)


def test_data_are_the_standardised_iris_petals():
    X, y = logistic_data()
    X_ref, y_ref = _data()
    np.testing.assert_allclose(X, X_ref, rtol=1e-15)
    np.testing.assert_array_equal(y, y_ref)
    assert X.shape == (100, 2) and y.sum() == 50


def test_value_gradient_and_hessian_are_the_mean_cross_entropys():
    land = LogisticLandscape()
    X, y = _data()
    for w in ([0.3, -1.2], [4.0, 4.0], [-1.0, -2.5]):
        loss, grad = _loss_and_grad(X, y, np.array(w))
        assert land.value(w) == pytest.approx(loss, rel=1e-13)
        np.testing.assert_allclose(land.grad(w), grad, rtol=1e-12, atol=1e-15)
        s = 1.0 / (1.0 + np.exp(-(X @ np.array(w))))
        np.testing.assert_allclose(land.hessian(w), (X.T * (s * (1 - s))) @ X / len(y), rtol=1e-12)


def test_value_grid_agrees_with_pointwise_values():
    land = LogisticLandscape()
    W1, W2 = np.meshgrid(np.linspace(-2, 8, 4), np.linspace(-3, 7, 3))
    grid = land.value_grid(W1, W2)
    for i in range(3):
        for j in range(4):
            loss, _ = _loss_and_grad(*_data(), np.array([W1[i, j], W2[i, j]]))
            assert grid[i, j] == pytest.approx(loss, rel=1e-13)


def test_minimizer_matches_scikit_learn():
    X, y = _data()
    reference = SkLogistic(fit_intercept=False, C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(LogisticLandscape().minima[0], reference.coef_[0], rtol=1e-5)


def test_minibatch_gradients_average_to_the_full_gradient_over_an_epoch():
    land = LogisticLandscape("minibatch", batch_size=10, seed=3)
    w = np.array([1.0, -0.5])
    batches = [land.grad(w) for _ in range(10)]  # one epoch: 10 batches of 10
    np.testing.assert_allclose(np.mean(batches, axis=0), _loss_and_grad(*_data(), w)[1], rtol=1e-12)
    assert np.ptp(np.array(batches), axis=0).max() > 1e-3  # the batches do differ


def test_stochastic_gradients_are_single_samples():
    land = LogisticLandscape("stochastic", seed=0)
    X, y = _data()
    w = np.array([0.5, 0.5])
    per_sample = {tuple(np.round((1 / (1 + np.exp(-x @ w)) - t) * x, 12)) for x, t in zip(X, y)}
    for _ in range(5):
        assert tuple(np.round(land.grad(w), 12)) in per_sample


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="sampling"):
        LogisticLandscape("online")
    with pytest.raises(ValueError, match="batch_size"):
        LogisticLandscape("minibatch", batch_size=0)
