"""`outputs`: the output layer before its activation, computed by hand from the parameters."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, softmax

from optimlab.models import MLP, LinearRegression, LogisticRegression, SoftmaxRegression

RNG = np.random.default_rng(0)
X = RNG.normal(size=(7, 3))


@pytest.mark.parametrize(
    "model",
    [
        LinearRegression(3, 2, init="normal", seed=1),
        LogisticRegression(3, init="normal", seed=1),
        SoftmaxRegression(3, 4, init="normal", seed=1),
    ],
    ids=lambda m: type(m).__name__,
)
def test_affine_outputs_are_x_w_plus_b(model):
    model.params["b"][...] = RNG.normal(size=model.params["b"].shape)
    expected = X @ model.params["W"] + model.params["b"]
    np.testing.assert_allclose(model.outputs(X), expected, rtol=1e-14)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_mlp_outputs_are_the_last_layer_before_the_softmax(activation):
    net = MLP([3, 5, 4], activation=activation, task="multiclass", seed=2)
    hidden = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh, "sigmoid": expit}[activation]
    p = net.params
    expected = hidden(X @ p["W1"] + p["b1"]) @ p["W2"] + p["b2"]
    np.testing.assert_allclose(net.outputs(X), expected, rtol=1e-13)
    np.testing.assert_allclose(softmax(net.outputs(X), axis=1), net.predict_proba(X), rtol=1e-13)


def test_binary_logits_give_the_probabilities():
    model = LogisticRegression(3, init="normal", seed=3)
    np.testing.assert_allclose(expit(model.outputs(X)[:, 0]), model.predict_proba(X), rtol=1e-14)
