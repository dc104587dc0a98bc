"""Linear, logistic and softmax regression against closed forms and scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import linear_model as sk

from optimlab.models import LinearRegression, LogisticRegression, SoftmaxRegression


def _well_conditioned(n: int, d: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, d))


def test_ols_solution_recovers_known_coefficients_and_matches_lstsq():
    X = _well_conditioned(50, 3, 0)
    w, b = np.array([[1.5], [-2.0], [0.25]]), 0.75
    model = LinearRegression(3)
    solution = model.ols_solution(X, X @ w[:, 0] + b)  # noise-free: the answer is (w, b)
    np.testing.assert_allclose(solution["W"], w, atol=1e-12)
    np.testing.assert_allclose(solution["b"], [b], atol=1e-12)

    y = X @ w[:, 0] + b + np.random.default_rng(1).normal(scale=0.3, size=50)
    solution = model.ols_solution(X, y)
    reference = np.linalg.lstsq(np.column_stack([X, np.ones(50)]), y, rcond=None)[0]
    np.testing.assert_allclose(solution["W"][:, 0], reference[:3], atol=1e-12)
    np.testing.assert_allclose(solution["b"], reference[3:], atol=1e-12)
    model.set_params(solution)
    _, grads = model.loss_and_grad(X, y)
    assert max(np.abs(g).max() for g in grads.values()) < 1e-12  # stationary point


def test_ridge_solution_matches_sklearn_ridge():
    X = _well_conditioned(40, 4, 2)
    Y = X @ np.random.default_rng(3).normal(size=(4, 2)) + 1.0
    l2 = 0.2
    model = LinearRegression(4, n_outputs=2, l2=l2)
    solution = model.ols_solution(X, Y)
    # (1/n)||r||^2 + l2/2 ||W||^2 = (||r||^2 + alpha ||W||^2) / n with alpha = n l2 / 2.
    ridge = sk.Ridge(alpha=40 * l2 / 2).fit(X, Y)
    np.testing.assert_allclose(solution["W"], ridge.coef_.T, atol=1e-10)
    np.testing.assert_allclose(solution["b"], ridge.intercept_, atol=1e-10)


def test_one_newton_step_from_zero_lands_on_the_least_squares_solution():
    X = _well_conditioned(30, 3, 4)
    y = np.random.default_rng(5).normal(size=30)
    model = LinearRegression(3)
    _, grads, H = model.loss_grad_hessian(X, y)
    gradient = np.concatenate([g.ravel() for g in grads.values()])
    step = -np.linalg.solve(H, gradient)
    reference = np.linalg.lstsq(np.column_stack([X, np.ones(30)]), y, rcond=None)[0]
    np.testing.assert_allclose(step, reference, atol=1e-10)


def _logistic_problem(seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(200, 3))
    logits = X @ np.array([1.0, -0.5, 0.3]) + 0.2
    y = (rng.uniform(size=200) < 1 / (1 + np.exp(-logits))).astype(int)
    return X, y


def test_logistic_regression_by_gradient_descent_approaches_sklearn():
    X, y = _logistic_problem(6)
    model = LogisticRegression(3)
    for _ in range(3000):
        _, grads = model.loss_and_grad(X, y)
        for name in model.params:
            model.params[name] -= 1.0 * grads[name]
    reference = sk.LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(model.params["W"][:, 0], reference.coef_[0], atol=1e-5)
    np.testing.assert_allclose(model.params["b"], reference.intercept_, atol=1e-5)


def test_probabilities_and_labels_match_sklearn_given_its_coefficients():
    X, y = _logistic_problem(7)
    reference = sk.LogisticRegression(C=1.0, tol=1e-12, max_iter=10_000).fit(X, y)
    model = LogisticRegression(3)
    model.set_params({"W": reference.coef_.T, "b": reference.intercept_})
    np.testing.assert_allclose(model.predict_proba(X), reference.predict_proba(X)[:, 1], atol=1e-12)
    np.testing.assert_array_equal(model.predict(X), reference.predict(X))
    # sklearn minimises C * sum(log-loss) + ||w||^2 / 2, so our l2 = 1 / (C n) is stationary there.
    regularised = LogisticRegression(3, l2=1 / 200)
    regularised.set_params(model.params)
    _, grads = regularised.loss_and_grad(X, y)
    assert max(np.abs(g).max() for g in grads.values()) < 1e-8

    rng = np.random.default_rng(8)
    X3, y3 = rng.normal(size=(90, 4)), rng.integers(0, 3, 90)
    reference = sk.LogisticRegression(C=1.0).fit(X3, y3)
    softmax = SoftmaxRegression(4, 3)
    softmax.set_params({"W": reference.coef_.T, "b": reference.intercept_})
    np.testing.assert_allclose(softmax.predict_proba(X3), reference.predict_proba(X3), atol=1e-12)
    np.testing.assert_array_equal(softmax.predict(X3), reference.predict(X3))


@pytest.mark.parametrize(
    ("l2", "fit_intercept", "zero_eigenvalues"),
    [(0.0, True, 5), (0.0, False, 4), (0.1, True, 1), (0.1, False, 0)],
)
def test_softmax_hessian_null_space(l2, fit_intercept, zero_eigenvalues):
    rng = np.random.default_rng(9)
    X, y = rng.normal(size=(60, 4)), rng.integers(0, 3, 60)
    model = SoftmaxRegression(4, 3, l2=l2, fit_intercept=fit_intercept, init="normal", seed=1)
    eigenvalues = np.linalg.eigvalsh(model.hessian(X, y))
    assert eigenvalues.min() > -1e-12  # convex
    assert np.sum(eigenvalues < 1e-10) == zero_eigenvalues
    # The null space: the same vector added to every class's column of [W; b].
    shift = np.outer(rng.normal(size=5 if fit_intercept else 4), np.ones(3)).ravel()
    if l2 == 0:
        np.testing.assert_allclose(model.hessian(X, y) @ shift, 0, atol=1e-12)


def test_logistic_hessian_is_positive_definite_on_full_rank_data():
    X, y = _logistic_problem(10)
    H = LogisticRegression(3).hessian(X, y)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    assert np.linalg.eigvalsh(H).min() > 1e-3


def test_float32_linear_models_stay_float32_and_unchecked_path_agrees():
    rng = np.random.default_rng(11)
    X = rng.normal(size=(25, 3))
    cases = [
        (LinearRegression, {}, rng.normal(size=25)),
        (LogisticRegression, {}, rng.integers(0, 2, 25)),
        (SoftmaxRegression, {"n_classes": 3}, rng.integers(0, 3, 25)),
    ]
    for cls, extra, y in cases:
        model32 = cls(3, **extra, l2=0.1, dtype=np.float32, init="normal", seed=0)
        model64 = cls(3, **extra, l2=0.1, dtype=np.float64, init="normal", seed=0)
        loss32, grads32, H32 = model32.loss_grad_hessian(X, y)
        loss64, grads64, H64 = model64.loss_grad_hessian(X, y)
        assert all(g.dtype == np.float32 for g in grads32.values()), cls.__name__
        assert H32.dtype == np.float32
        outputs = model32.predict(X) if cls is LinearRegression else model32.predict_proba(X)
        assert outputs.dtype == np.float32
        assert loss32 == pytest.approx(loss64, rel=1e-5)
        np.testing.assert_allclose(H32, H64, rtol=1e-4, atol=1e-6)
        for name in grads64:
            np.testing.assert_allclose(grads32[name], grads64[name], rtol=1e-4, atol=1e-6)
        X64, y64 = model64.validate(X, y)
        unchecked = model64.loss_and_grad(X64, y64, check=False)
        assert unchecked[0] == loss64
    solution = LinearRegression(3, dtype=np.float32).ols_solution(X, cases[0][2])
    assert solution["W"].dtype == np.float32
