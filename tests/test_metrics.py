"""Metrics against scikit-learn's implementations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm

from optimlab.metrics import accuracy, log_loss, r2_score


@pytest.mark.parametrize("seed", range(3))
def test_accuracy_matches_sklearn(seed):
    rng = np.random.default_rng(seed)
    y_true, y_pred = rng.integers(0, 4, 50), rng.integers(0, 4, 50)
    assert accuracy(y_true, y_pred) == pytest.approx(skm.accuracy_score(y_true, y_pred))


@pytest.mark.parametrize("shape", [(40,), (40, 3)])
def test_r2_score_matches_sklearn(shape):
    rng = np.random.default_rng(1)
    y_true = rng.normal(size=shape)
    y_pred = y_true + rng.normal(scale=0.5, size=shape)
    assert r2_score(y_true, y_pred) == pytest.approx(skm.r2_score(y_true, y_pred), rel=1e-12)


def test_r2_score_with_a_constant_target_matches_sklearn():
    y_true = np.column_stack([np.full(5, 2.0), np.arange(5.0), np.full(5, 1.0)])
    y_pred = np.column_stack([np.full(5, 2.0), np.arange(5.0) + 0.3, np.arange(5.0)])
    assert r2_score(y_true, y_pred) == pytest.approx(skm.r2_score(y_true, y_pred))


def test_log_loss_matches_sklearn_binary_and_multiclass():
    rng = np.random.default_rng(2)
    y = rng.integers(0, 2, 30)
    p = rng.uniform(size=30)
    p[:3] = [0.0, 1.0, 1.0]  # exercises the clipping
    assert log_loss(y, p) == pytest.approx(skm.log_loss(y, p, labels=[0, 1]), rel=1e-12)
    y = rng.integers(0, 4, 30)
    proba = rng.dirichlet(np.ones(4), size=30)
    proba[0] = np.eye(4)[(y[0] + 1) % 4]  # a confident wrong prediction
    expected = skm.log_loss(y, proba, labels=[0, 1, 2, 3])
    assert log_loss(y, proba) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: accuracy([0, 1], [0, 1, 1]), "shape"),
        (lambda: accuracy([], []), "empty"),
        (lambda: r2_score([1.0, np.nan], [1.0, 2.0]), "NaN"),
        (lambda: r2_score([1.0], [1.0]), "n >= 2"),
        (lambda: log_loss([0, 2], [0.5, 0.5]), "label 2"),
        (lambda: log_loss([0, 1], [0.5, 1.5]), r"\[0, 1\]"),
        (lambda: log_loss([0, 1], np.full((2, 3), 0.5)), "sum to 1"),
        (lambda: log_loss([0, 1, 1], [0.5, 0.5]), "3 labels"),
    ],
)
def test_bad_inputs_raise(call, match):
    with pytest.raises(ValueError, match=match):
        call()
