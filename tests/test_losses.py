"""Losses: values against hand-written formulas, gradients against finite differences,
stability at logits of +-1000, and input errors."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.losses import (
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    log_softmax,
    mse,
    sigmoid,
    softmax,
)

STEP = 1e-6


def numerical_gradient(loss_fn, z: np.ndarray) -> np.ndarray:
    grad = np.empty_like(z)
    for index in np.ndindex(z.shape):
        plus, minus = z.copy(), z.copy()
        plus[index] += STEP
        minus[index] -= STEP
        grad[index] = (loss_fn(plus)[0] - loss_fn(minus)[0]) / (2 * STEP)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def _shape(rng: np.random.Generator) -> tuple[int, int]:
    return int(rng.integers(1, 9)), int(rng.integers(2, 6))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("half", [False, True])
def test_mse_value_and_gradient(seed, reduction, half):
    rng = np.random.default_rng(seed)
    n, k = _shape(rng)
    pred, target = rng.normal(size=(n, k)), rng.normal(size=(n, k))
    loss, grad = mse(pred, target, reduction=reduction, half=half)
    per_sample = (0.5 if half else 1.0) * np.sum((pred - target) ** 2, axis=1)
    expected = per_sample.mean() if reduction == "mean" else per_sample.sum()
    assert loss == pytest.approx(expected, rel=1e-12)
    f = lambda z: mse(z, target, reduction=reduction, half=half)  # noqa: E731
    assert relative_error(grad, numerical_gradient(f, pred)) < 1e-6


def test_mse_one_output_is_seed_000_practical_mse():
    pred, target = np.array([1.0, 2.0, 4.0]), np.array([0.0, 2.0, 1.0])
    loss, grad = mse(pred, target)
    assert loss == pytest.approx((1 + 0 + 9) / 3)
    np.testing.assert_allclose(grad, 2 * (pred - target) / 3)  # seed 000: -(2/n)(y - yhat)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_binary_cross_entropy_value_and_gradient(seed, reduction):
    rng = np.random.default_rng(seed)
    n, k = _shape(rng)
    z = rng.normal(scale=3, size=(n, k))
    y = rng.integers(0, 2, (n, k)).astype(float)
    loss, grad = binary_cross_entropy_with_logits(z, y, reduction=reduction)
    p = 1 / (1 + np.exp(-z))
    per_sample = np.sum(-y * np.log(p) - (1 - y) * np.log(1 - p), axis=1)
    expected = per_sample.mean() if reduction == "mean" else per_sample.sum()
    assert loss == pytest.approx(expected, rel=1e-10)
    f = lambda v: binary_cross_entropy_with_logits(v, y, reduction=reduction)  # noqa: E731
    assert relative_error(grad, numerical_gradient(f, z)) < 1e-6


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_cross_entropy_labels_one_hot_and_probabilities(seed, reduction):
    rng = np.random.default_rng(seed)
    n, K = _shape(rng)
    z = rng.normal(scale=3, size=(n, K))
    labels = rng.integers(0, K, n)
    one_hot = np.eye(K)[labels]
    exp = np.exp(z)
    probs = exp / exp.sum(axis=1, keepdims=True)
    per_sample = -np.log(probs[np.arange(n), labels])
    expected = per_sample.mean() if reduction == "mean" else per_sample.sum()
    for target in (labels, labels.astype(float), one_hot):
        loss, grad = cross_entropy_with_logits(z, target, reduction=reduction)
        assert loss == pytest.approx(expected, rel=1e-10)
        f = lambda v, t=target: cross_entropy_with_logits(v, t, reduction=reduction)  # noqa: E731
        assert relative_error(grad, numerical_gradient(f, z)) < 1e-6
    soft = rng.dirichlet(np.ones(K), size=n)
    loss, grad = cross_entropy_with_logits(z, soft, reduction=reduction)
    per_sample = -np.sum(soft * np.log(probs), axis=1)
    assert loss == pytest.approx(per_sample.mean() if reduction == "mean" else per_sample.sum())
    f = lambda v: cross_entropy_with_logits(v, soft, reduction=reduction)  # noqa: E731
    assert relative_error(grad, numerical_gradient(f, z)) < 1e-6


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_binary_cross_entropy_at_logits_of_plus_minus_1000(dtype):
    z = np.array([1000.0, 1000.0, -1000.0, -1000.0], dtype=dtype)
    y = np.array([0.0, 1.0, 0.0, 1.0], dtype=dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, grad = binary_cross_entropy_with_logits(z, y, reduction="sum")
    # log(1 + e^z) - y z: 1000 - 0, 1000 - 1000, 0 - 0, 0 + 1000 (e^-1000 vanishes).
    assert loss == 2000.0
    # sigmoid(z) - y: 1 - 0, 1 - 1, 0 - 0, 0 - 1.
    np.testing.assert_array_equal(grad, np.array([1.0, 0.0, 0.0, -1.0], dtype=dtype))
    assert grad.dtype == dtype


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_at_logits_of_plus_minus_1000(dtype):
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 0.0]], dtype=dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss, grad = cross_entropy_with_logits(z, np.array([0, 1]), reduction="sum")
    # logsumexp(z) = 1000, so -log p = 1000 - z_label: 0 for label 0, 2000 for label 1.
    assert loss == 2000.0
    np.testing.assert_array_equal(grad, np.array([[0, 0, 0], [1, -1, 0]], dtype=dtype))
    assert grad.dtype == dtype


def test_activation_helpers_at_extremes_without_overflow():
    z = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = sigmoid(z)
        np.testing.assert_allclose(
            s, [0.0, np.exp(-30) / (1 + np.exp(-30)), 0.5, 1 / (1 + np.exp(-30)), 1.0]
        )
        rows = np.array([[1000.0, 0.0, -1000.0], [1.0, 2.0, 3.0]])
        np.testing.assert_allclose(softmax(rows)[0], [1.0, 0.0, 0.0])
        expected = np.exp([1.0, 2.0, 3.0]) / np.exp([1.0, 2.0, 3.0]).sum()
        np.testing.assert_allclose(softmax(rows)[1], expected)
        np.testing.assert_allclose(log_softmax(rows)[0], [0.0, -1000.0, -2000.0])
        np.testing.assert_allclose(log_softmax(rows)[1], np.log(expected))
    assert sigmoid(z.astype(np.float32)).dtype == np.float32


@pytest.mark.torch
def test_losses_agree_with_pytorch():
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(7)
    z, y = rng.normal(scale=4, size=(6, 4)), rng.integers(0, 4, 6)
    expected = F.cross_entropy(torch.from_numpy(z), torch.from_numpy(y)).item()
    assert cross_entropy_with_logits(z, y)[0] == pytest.approx(expected, rel=1e-12)
    t = rng.integers(0, 2, (6, 4)).astype(float)
    expected = F.binary_cross_entropy_with_logits(torch.from_numpy(z), torch.from_numpy(t))
    # PyTorch averages over all 24 elements; ours over the 6 samples (sum over the 4 outputs).
    assert binary_cross_entropy_with_logits(z, t)[0] == pytest.approx(4 * expected.item())
    expected = F.mse_loss(torch.from_numpy(z[:, 0]), torch.from_numpy(t[:, 0])).item()
    assert mse(z[:, 0], t[:, 0])[0] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: mse(np.zeros(3), np.zeros(4)), ValueError, "shape"),
        (lambda: mse(np.zeros(3), np.array([0, np.nan, 0])), ValueError, "NaN"),
        (lambda: mse(np.zeros(3), np.zeros(3), reduction="avg"), ValueError, "reduction"),
        (lambda: mse(np.zeros(0), np.zeros(0)), ValueError, "at least one sample"),
        (lambda: mse(np.array(["a"]), np.zeros(1)), TypeError, "numeric"),
        (lambda: binary_cross_entropy_with_logits(np.zeros(2), [0, 2]), ValueError, r"\[0, 1\]"),
        (lambda: cross_entropy_with_logits(np.zeros(3), [0, 1, 2]), ValueError, "2-D"),
        (lambda: cross_entropy_with_logits(np.zeros((2, 3)), [0, 3]), ValueError, "label 3"),
        (lambda: cross_entropy_with_logits(np.zeros((2, 3)), [0, -1]), ValueError, "label -1"),
        (lambda: cross_entropy_with_logits(np.zeros((2, 3)), [0, 1.5]), ValueError, "whole"),
        (lambda: cross_entropy_with_logits(np.zeros((2, 3)), [0]), ValueError, "1 labels"),
        (
            lambda: cross_entropy_with_logits(np.zeros((2, 3)), np.ones((2, 3))),
            ValueError,
            "one-hot",
        ),
    ],
)
def test_bad_inputs_raise(call, error, match):
    with pytest.raises(error, match=match):
        call()
