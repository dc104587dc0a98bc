"""The compiled per-sample epoch gives the iterates of the Python loop, only faster."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab import optim
from optimlab.data import linear_regression, linearly_separable
from optimlab.models import LinearRegression, LogisticRegression
from optimlab.optim._kernels import HAVE_NUMBA
from optimlab.train import compiled_sgd, fit

pytestmark = pytest.mark.skipif(not HAVE_NUMBA, reason="Numba is not installed")

CASES = [
    (optim.SGD, {"lr": 0.05}),
    (optim.SGD, {"lr": 0.02, "momentum": 0.9, "dampening": 0.1, "weight_decay": 1e-3}),
    (optim.SGD, {"lr": 0.02, "momentum": 0.9, "nesterov": True}),
    (optim.Momentum, {"lr": 0.05}),
    (optim.Adagrad, {"lr": 0.1}),
    (optim.RMSprop, {"lr": 0.01, "centered": True, "momentum": 0.5}),
    (optim.Adadelta, {}),
    (optim.Adam, {"lr": 0.01, "bias_correction": False}),
    (optim.Lion, {"lr": 0.001}),
]


def problem(kind):
    if kind == "logistic":
        X, y = linearly_separable(300, n_features=4, margin=0.1, noise=2.0, seed=0)
        return X, y, lambda: LogisticRegression(4, l2=1e-3)
    X, y, _ = linear_regression(300, n_features=4, noise=0.3, seed=0)
    return X, y, lambda: LinearRegression(4)


@pytest.mark.parametrize("kind", ["logistic", "linear"])
@pytest.mark.parametrize(("cls", "kwargs"), CASES, ids=lambda v: getattr(v, "__name__", ""))
def test_compiled_epoch_equals_the_python_loop(kind, cls, kwargs):
    X, y, make = problem(kind)
    compiled, python = make(), make()
    opt_c = cls(compiled.params, **kwargs)
    opt_p = cls(python.params, fused=False, **kwargs)  # fused=False takes the Python loop
    assert compiled_sgd.applies(compiled, opt_c, 1, "stochastic")
    assert not compiled_sgd.applies(python, opt_p, 1, "stochastic")
    h_c = fit(compiled, opt_c, X, y, epochs=3, batch_size=1, seed=5)
    h_p = fit(python, opt_p, X, y, epochs=3, batch_size=1, seed=5)
    np.testing.assert_allclose(compiled.flat_params(), python.flat_params(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(h_c.loss, h_p.loss, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(h_c.grad_norm, h_p.grad_norm, rtol=1e-9, atol=1e-12)
    assert h_c.lr == h_p.lr and opt_c.step_count == opt_p.step_count == 900


def test_bias_corrected_adam_is_not_compiled():
    model = LogisticRegression(2)
    assert not compiled_sgd.applies(model, optim.Adam(model.params), 1, "stochastic")
    assert not compiled_sgd.applies(model, optim.SGD(model.params, lr=0.1), 2, "minibatch")
    assert not compiled_sgd.applies(
        model, optim.SGD(model.params, lr=0.1), 1, "stochastic", clip_norm=1.0
    )


def test_compiled_epoch_detects_divergence_and_keeps_finite_parameters():
    X, y, make = problem("linear")
    model = make()
    history = fit(model, optim.SGD(model.params, lr=10.0), X, y, epochs=3, batch_size=1)
    assert history.diverged and "lower the learning rate" in history.message
    assert np.isfinite(model.flat_params()).all()
    python = make()
    h_p = fit(python, optim.SGD(python.params, lr=10.0, fused=False), X, y, epochs=3, batch_size=1)
    assert h_p.iterations == history.iterations
    np.testing.assert_allclose(model.flat_params(), python.flat_params(), rtol=1e-9)
