"""MLP: dtype kept end to end, initialisation, parity with PyTorch autograd, buffers."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.models import MLP
from optimlab.optim import flat_view


def _batch(task: str, n: int, d: int, k: int, seed: int):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = {
        "regression": rng.normal(size=(n, k)),
        "binary": rng.integers(0, 2, n),
        "multiclass": rng.integers(0, k, n),
    }[task]
    return X, y


@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_float32_model_stays_float32_and_agrees_with_float64(task, activation):
    k = 1 if task == "binary" else 3
    X, y = _batch(task, 16, 5, k, 0)
    net32 = MLP([5, 8, k], activation, task, l2=0.01, dtype=np.float32, seed=1)
    net64 = MLP([5, 8, k], activation, task, l2=0.01, dtype=np.float64, seed=1)
    loss32, grads32 = net32.loss_and_grad(X.astype(np.float32), y)
    loss64, grads64 = net64.loss_and_grad(X, y)
    assert all(p.dtype == np.float32 for p in net32.params.values())
    assert all(g.dtype == np.float32 for g in grads32.values())
    assert net32.predict(X.astype(np.float32)).dtype == (
        np.float32 if task == "regression" else np.intp
    )
    if task != "regression":
        assert net32.predict_proba(X.astype(np.float32)).dtype == np.float32
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    flat32, flat64 = flat_view(list(grads32.values())), flat_view(list(grads64.values()))
    np.testing.assert_allclose(flat32, flat64, rtol=1e-3, atol=1e-5)


@pytest.mark.parametrize(
    ("activation", "init", "variance"),
    [
        ("relu", "auto", lambda i, o: 2 / i),
        ("tanh", "auto", lambda i, o: 2 / (i + o)),
        ("sigmoid", "he", lambda i, o: 2 / i),
        ("relu", "xavier", lambda i, o: 2 / (i + o)),
    ],
)
def test_initial_weight_variance(activation, init, variance):
    net = MLP([400, 300, 10], activation, init=init, seed=0)
    for name, fan_in, fan_out in (("W1", 400, 300), ("W2", 300, 10)):
        assert net.params[name].var() == pytest.approx(variance(fan_in, fan_out), rel=0.05)
    assert not net.params["b1"].any()
    same = MLP([400, 300, 10], activation, init=init, seed=0)
    np.testing.assert_array_equal(same.params["W1"], net.params["W1"])


@pytest.mark.torch
@pytest.mark.parametrize("task", ["regression", "binary", "multiclass"])
def test_loss_and_gradient_match_pytorch_autograd(task):
    torch = pytest.importorskip("torch")
    k = 1 if task == "binary" else 3
    X, y = _batch(task, 20, 4, k, 2)
    net = MLP([4, 6, 5, k], "tanh", task, l2=0.1, seed=3)
    loss, grads = net.loss_and_grad(X, y)

    weights = {name: torch.tensor(v, requires_grad=True) for name, v in net.params.items()}
    a = torch.from_numpy(X)
    for layer in (1, 2, 3):
        a = a @ weights[f"W{layer}"] + weights[f"b{layer}"]
        if layer < 3:
            a = torch.tanh(a)
    F = torch.nn.functional
    if task == "regression":  # mean over samples of the squared error summed over outputs
        data_loss = ((a - torch.from_numpy(y)) ** 2).sum(dim=1).mean()
    elif task == "binary":
        data_loss = F.binary_cross_entropy_with_logits(a[:, 0], torch.from_numpy(y).double())
    else:
        data_loss = F.cross_entropy(a, torch.from_numpy(y))
    penalty = sum((weights[f"W{layer}"] ** 2).sum() for layer in (1, 2, 3))
    total = data_loss + 0.1 / 2 * penalty
    total.backward()
    assert loss == pytest.approx(total.item(), rel=1e-12)
    for name, value in weights.items():
        np.testing.assert_allclose(grads[name], value.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_gradient_buffer_is_reused_and_closure_returns_copies():
    X, y = _batch("multiclass", 10, 3, 4, 4)
    net = MLP([3, 5, 4], "relu", "multiclass", seed=0)
    _, first = net.loss_and_grad(X, y)
    kept = {name: g.copy() for name, g in first.items()}
    _, second = net.loss_and_grad(X[:4], y[:4])  # a different batch size
    assert all(second[name] is first[name] for name in first)  # same buffer, overwritten
    assert flat_view(list(second.values())) is not None
    f = net.closure(X, y)
    _, a = f()
    _, b = f({name: p + 0.1 for name, p in net.params.items()})
    for name in kept:
        np.testing.assert_allclose(a[name], kept[name], rtol=1e-12)
        assert not np.allclose(b[name], a[name])
    assert flat_view(list(a.values())) is not None


def test_predictions_have_task_shapes():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(7, 3))
    assert MLP([3, 4, 1], task="regression").predict(X).shape == (7,)
    assert MLP([3, 4, 2], task="regression").predict(X).shape == (7, 2)
    binary = MLP([3, 4, 1], task="binary", seed=0)
    p = binary.predict_proba(X)
    assert p.shape == (7,) and np.all((p > 0) & (p < 1))
    np.testing.assert_array_equal(binary.predict(X), (p > 0.5).astype(int))
    multi = MLP([3, 4, 5], task="multiclass", seed=0)
    proba = multi.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(multi.predict(X), proba.argmax(axis=1))
