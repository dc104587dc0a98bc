"""Every model's gradient and Hessian against central finite differences (float64)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from optimlab.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression

TOLERANCE = 1e-6


def _data(task: str, n: int, d: int, k: int, rng: np.random.Generator):
    X = rng.normal(size=(n, d))
    if task == "regression":
        y = rng.normal(size=n) if k == 1 else rng.normal(size=(n, k))
    elif task == "binary":
        y = rng.integers(0, 2, n)
    else:
        y = rng.integers(0, k, n)
    return X, y


def _linear_models(seed: int, l2: float, fit_intercept: bool):
    """(model, X, y) for each linear model, with random shapes and a random start."""
    rng = np.random.default_rng(seed)
    n, d, k = rng.integers(5, 30), rng.integers(1, 6), rng.integers(2, 5)
    common = {"l2": l2, "fit_intercept": fit_intercept, "init": "normal", "seed": seed}
    cases = [
        (LinearRegression(d, **common), *_data("regression", n, d, 1, rng)),
        (LinearRegression(d, n_outputs=k, **common), *_data("regression", n, d, k, rng)),
        (LogisticRegression(d, **common), *_data("binary", n, d, 1, rng)),
        (SoftmaxRegression(d, k, **common), *_data("multiclass", n, d, k, rng)),
    ]
    for model, _, _ in cases:  # move the intercepts off zero too
        if fit_intercept:
            model.params["b"][...] = rng.normal(size=model.params["b"].shape)
    return cases


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("l2", [0.0, 0.3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_linear_model_gradient_and_hessian_match_finite_differences(fd, seed, l2, fit_intercept):
    for model, X, y in _linear_models(seed, l2, fit_intercept):
        _, grads, H = model.loss_grad_hessian(X, y)
        analytic = fd.flat(grads)
        assert fd.error(analytic, fd.gradient(model, X, y)) < TOLERANCE, type(model).__name__
        assert H.shape == (model.n_params, model.n_params)
        assert fd.error(H, fd.hessian(model, X, y)) < TOLERANCE, type(model).__name__
        np.testing.assert_allclose(H, model.hessian(X, y), rtol=0, atol=0)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
@pytest.mark.parametrize("l2", [0.0, 0.05])
def test_mlp_gradient_matches_finite_differences(fd, activation, task, l2):
    rng = np.random.default_rng(zlib.crc32(f"{activation}-{task}-{l2}".encode()))
    for depth in (1, 2, 3):
        hidden = [int(h) for h in rng.integers(2, 7, depth - 1)]
        d = int(rng.integers(1, 5))
        k = 1 if task == "binary" else int(rng.integers(2, 4))
        n = int(rng.integers(3, 12))
        model = MLP([d, *hidden, k], activation, task, l2=l2, seed=int(rng.integers(1000)))
        for name, value in model.params.items():  # non-zero biases exercise BP3
            if name.startswith("b"):
                value[...] = rng.normal(scale=0.5, size=value.shape)
        X, y = _data(task, n, d, k, rng)
        _, grads = model.loss_and_grad(X, y)
        error = fd.error(fd.flat(grads), fd.gradient(model, X, y))
        assert error < TOLERANCE, (depth, hidden, error)


def test_closure_gradient_and_hessian_at_other_parameters(fd):
    rng = np.random.default_rng(5)
    model = SoftmaxRegression(3, 3, l2=0.1)
    X, y = _data("multiclass", 12, 3, 3, rng)
    other = {name: rng.normal(size=value.shape) for name, value in model.params.items()}
    before = fd.flat(model.params)
    loss, grads, H = model.closure(X, y, hessian=True)(other)
    np.testing.assert_array_equal(fd.flat(model.params), before)  # model untouched
    probe = SoftmaxRegression(3, 3, l2=0.1)
    probe.set_params(other)
    assert loss == pytest.approx(probe.loss_and_grad(X, y)[0], rel=1e-12)
    assert fd.error(fd.flat(grads), fd.gradient(probe, X, y)) < TOLERANCE
    assert fd.error(H, fd.hessian(probe, X, y)) < TOLERANCE
