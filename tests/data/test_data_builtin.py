"""Built-in data sets match scikit-learn's bundled files; Dataset checks its fields."""

import numpy as np
import pytest
from sklearn import datasets

from optimlab.data import DATASET_NAMES, Dataset, load_dataset

EXPECTED = {  # name: (loader, task, n_classes)
    "iris": (datasets.load_iris, "multiclass", 3),
    "wine": (datasets.load_wine, "multiclass", 3),
    "breast_cancer": (datasets.load_breast_cancer, "binary", 2),
    "digits": (datasets.load_digits, "multiclass", 10),
    "diabetes": (datasets.load_diabetes, "regression", None),
}


def test_every_name_is_listed():
    assert set(DATASET_NAMES) == set(EXPECTED)


@pytest.mark.parametrize("name", EXPECTED)
def test_builtin_sets_match_scikit_learn(name):
    loader, task, n_classes = EXPECTED[name]
    reference = loader()
    data = load_dataset(name)
    assert data.X.shape == reference.data.shape and data.y.shape == reference.target.shape
    np.testing.assert_array_equal(data.X, reference.data)
    np.testing.assert_array_equal(data.y, reference.target)
    assert data.X.dtype == np.float64
    assert data.y.dtype == (np.float64 if task == "regression" else np.int64)
    assert (data.task, data.n_classes, data.name) == (task, n_classes, name)
    assert data.feature_names == tuple(reference.feature_names)
    assert (data.n_samples, data.n_features) == reference.data.shape
    if n_classes is not None:
        assert data.class_labels == tuple(reference.target_names.tolist())
        assert len(np.unique(data.y)) == n_classes


def test_breast_cancer_labels_keep_scikit_learns_meaning():
    assert load_dataset("breast_cancer").class_labels == ("malignant", "benign")


def test_names_ignore_case_and_dashes():
    assert load_dataset("Breast-Cancer").name == "breast_cancer"


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown data set 'mnist'; valid names: iris, wine"):
        load_dataset("mnist")


def test_dataset_checks_its_fields():
    X, y = np.ones((3, 2)), np.array([0, 1, 1])
    with pytest.raises(ValueError, match="feature_names has 1 names for 2 columns"):
        Dataset(X, y, "binary", ("a",), "t", 2, "d")
    with pytest.raises(ValueError, match="n_classes must be None for regression"):
        Dataset(X, y, "regression", ("a", "b"), "t", 2, "d")
    with pytest.raises(ValueError, match="a binary data set has n_classes=2, got 3"):
        Dataset(X, y, "binary", ("a", "b"), "t", 3, "d")
    with pytest.raises(ValueError, match="class_labels has 3 labels for n_classes=2"):
        Dataset(X, y, "binary", ("a", "b"), "t", 2, "d", class_labels=("x", "y", "z"))
    with pytest.raises(ValueError, match=r"must be 0..1; found 2"):
        Dataset(X, np.array([0, 2, 1]), "multiclass", ("a", "b"), "t", 2, "d")
