"""train_val_split and Standardizer (statistics from the training split only)."""

import warnings

import numpy as np
import pytest
from sklearn.preprocessing import StandardScaler

from optimlab.data import Standardizer, train_val_split


def test_split_sizes_are_complementary_and_disjoint():
    X = np.arange(22.0).reshape(11, 2)  # row i holds 2i, 2i + 1: rows are identifiable
    y = np.arange(11)
    X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.2, seed=0)
    assert (len(X_train), len(X_val)) == (8, 3)  # ceil(0.2 * 11) = 3
    np.testing.assert_array_equal(np.sort(np.concatenate([y_train, y_val])), np.arange(11))
    np.testing.assert_array_equal(X_train[:, 0], 2 * y_train)  # rows stay paired
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)


def test_split_is_deterministic_under_a_seed():
    X, y = np.arange(100.0).reshape(50, 2), np.arange(50)
    first = train_val_split(X, y, seed=4)
    again = train_val_split(X, y, seed=4)
    other = train_val_split(X, y, seed=5)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[3], other[3])


def test_stratified_split_keeps_class_shares():
    y = np.array([0] * 90 + [1] * 10)
    X = np.zeros((100, 1))
    _, _, y_train, y_val = train_val_split(X, y, val_fraction=0.2, seed=1, stratify=True)
    assert np.bincount(y_val).tolist() == [18, 2]
    assert np.bincount(y_train).tolist() == [72, 8]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"val_fraction": 0.0}, r"val_fraction must be in \(0, 1\)"),
        ({"val_fraction": 1.0}, r"val_fraction must be in \(0, 1\)"),
        ({"val_fraction": 0.95}, "leaves no training samples"),
        ({"stratify": True, "y": [0, 0, 0, 1, 1, 1, 1, 1, 1, 2]}, "class 2 has 1"),
        ({"stratify": True, "y": [0, 1] * 5, "val_fraction": 0.1}, "one per class"),
        ({"y": np.zeros(9)}, "X has 10 rows but y has 9"),
        ({"X": np.zeros(10)}, "X must be 2-D"),
    ],
)
def test_bad_split_arguments_raise(kwargs, message):
    arguments = {"X": np.zeros((10, 2)), "y": np.zeros(10), "seed": 0, **kwargs}
    with pytest.raises(ValueError, match=message):
        train_val_split(**arguments)


def test_standardizer_uses_training_statistics_computed_by_hand():
    X_train = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    X_val = np.array([[7.0, 12.0], [3.0, 10.0]])
    scaler = Standardizer().fit(X_train)
    std = np.sqrt(((1 - 3) ** 2 + 0 + (5 - 3) ** 2) / 3)  # population std of 1, 3, 5
    np.testing.assert_allclose(scaler.mean_, [3.0, 10.0])
    np.testing.assert_allclose(scaler.scale_, [std, 1.0])  # constant column: scale 1
    assert scaler.constant_columns_.tolist() == [False, True]
    np.testing.assert_allclose(scaler.transform(X_val), [[4 / std, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(scaler.transform(X_train), [[-2 / std, 0], [0, 0], [2 / std, 0]])


def test_standardizer_matches_scikit_learn_and_inverts():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, size=(40, 4))
    X[:, 2] = 0.1  # constant, and not exactly representable
    X_val = rng.normal(5.0, 3.0, size=(10, 4))
    ours, reference = Standardizer().fit(X), StandardScaler().fit(X)
    np.testing.assert_allclose(ours.transform(X_val), reference.transform(X_val), rtol=1e-12)
    Z = ours.fit_transform(X)
    assert np.isfinite(Z).all() and (Z[:, 2] == 0).all()
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0)[[0, 1, 3]], 1.0)
    np.testing.assert_allclose(ours.inverse_transform(Z), X, rtol=1e-12)


def test_standardizer_keeps_float32():
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    assert Standardizer().fit_transform(X).dtype == np.float32
    assert Standardizer().fit_transform(X.astype(int)).dtype == np.float64


def test_standardizer_bad_input_raises():
    with pytest.raises(RuntimeError, match=r"call fit\(X_train\) first"):
        Standardizer().transform(np.ones((2, 2)))
    scaler = Standardizer().fit(np.ones((3, 2)))
    with pytest.raises(ValueError, match="X has 3 columns, but the Standardizer was fitted on 2"):
        scaler.transform(np.ones((3, 3)))
    with pytest.raises(ValueError, match="NaN or inf at rows 1"):
        Standardizer().fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="at least one row"):
        Standardizer().fit(np.ones((0, 2)))
    with pytest.raises(TypeError, match="X must hold numbers"):
        Standardizer().fit(np.array([["a"]]))


def test_a_class_too_small_to_split_is_named_by_its_label():
    y = np.array([0] * 5 + [1] * 5 + [2])
    with pytest.raises(ValueError, match="split: class 'emu' has 1 sample,") as error:
        train_val_split(np.zeros((11, 1)), y, seed=0, stratify=True, labels=("cat", "dog", "emu"))
    assert "stratify" not in str(error.value)


def test_standardizer_handles_huge_and_tiny_columns_without_warnings():
    rng = np.random.default_rng(0)
    X = rng.normal(5.0, 3.0, size=(40, 3))
    expected = (X - X.mean(axis=0)) / X.std(axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = Standardizer().fit(X * [1.0, 1e200, 1e-200])
        Z = scaler.transform(X * [1.0, 1e200, 1e-200])
    np.testing.assert_allclose(Z, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(scaler.scale_, X.std(axis=0) * [1.0, 1e200, 1e-200], rtol=1e-12)
    plain = Standardizer().fit(X)  # ordinary data: the same bits as numpy's own mean and std
    assert np.array_equal(plain.mean_, X.mean(axis=0)) and np.array_equal(plain.scale_, X.std(0))
