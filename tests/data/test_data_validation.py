"""check_Xy: every bad input raises a message that names the problem; good input converts."""

import numpy as np
import pytest

from optimlab.data import check_Xy


def test_good_input_is_returned_as_float_features_and_typed_targets():
    X = np.array([[1, 2], [3, 4], [5, 6]])  # integers become float64
    X_out, y_out = check_Xy(X, [0, 1, 1], "binary")
    assert X_out.dtype == np.float64 and y_out.dtype == np.int64
    np.testing.assert_array_equal(X_out, X)
    np.testing.assert_array_equal(y_out, [0, 1, 1])
    X32 = np.ones((3, 2), dtype=np.float32)
    X_out, y_out = check_Xy(X32, [0.5, 1.5, 2.5], "regression")
    assert X_out.dtype == np.float32 and y_out.dtype == np.float32
    _, y_out = check_Xy(X, [2.0, 0.0, 1.0], "multiclass", n_classes=3)
    np.testing.assert_array_equal(y_out, [2, 0, 1])
    _, y_out = check_Xy(X, np.ones((3, 2)), "regression")  # several outputs
    assert y_out.shape == (3, 2)


@pytest.mark.parametrize(
    ("X", "y", "task", "message"),
    [
        (np.ones(3), np.ones(3), "regression", r"X must be 2-D .* X.reshape\(-1, 1\)"),
        (np.ones((2, 2, 2)), np.ones(2), "regression", r"X must be 2-D .*\(2, 2, 2\)"),
        (np.ones((0, 3)), np.ones(0), "regression", r"X is empty \(shape \(0, 3\)\)"),
        (np.ones((3, 0)), np.ones(3), "regression", r"X is empty"),
        (np.ones((3, 2)), np.ones(4), "regression", "X has 3 rows, y has 4"),
        (np.ones((3, 2)), np.ones((3, 2)), "binary", r"y must be 1-D .*'binary'"),
        (np.ones((3, 2)), np.float64(1.0), "regression", "y must be 1-D"),
        (np.ones((3, 2)), np.ones(3), "classification", "task must be one of 'regression'"),
        (np.ones((3, 2)), [0, 1, 2], "binary", r"must be 0 or 1; found 2 at rows 2"),
        (np.ones((3, 2)), [0, -1, 1], "binary", r"found -1 at rows 1"),
        (np.ones((3, 2)), [0, 0.5, 1], "binary", r"integer class labels .* 0.5 at rows 1"),
        (np.ones((3, 2)), [0, -2, 1], "multiclass", r"integers >= 0; found -2"),
    ],
)
def test_bad_shapes_tasks_and_labels_raise(X, y, task, message):
    with pytest.raises(ValueError, match=message):
        check_Xy(X, y, task)


def test_multiclass_labels_must_be_below_n_classes():
    with pytest.raises(ValueError, match=r"must be 0..2; found 3, 4 at rows 1, 2"):
        check_Xy(np.ones((4, 2)), [0, 3, 4, 1], "multiclass", n_classes=3)
    with pytest.raises(ValueError, match="n_classes must be a positive integer"):
        check_Xy(np.ones((4, 2)), [0, 0, 0, 0], "multiclass", n_classes=0)


def test_nan_and_inf_are_located_by_row_and_column():
    X = np.zeros((8, 4))
    X[2, 1] = np.nan
    X[5, 3] = np.inf
    with pytest.raises(ValueError, match=r"2 cells: rows 2, 5; columns 1, 3"):
        check_Xy(X, np.zeros(8), "regression")
    y = np.zeros(8)
    y[[0, 7]] = [np.nan, -np.inf]
    with pytest.raises(ValueError, match=r"y contains NaN or inf at rows 0, 7"):
        check_Xy(np.zeros((8, 4)), y, "regression")


def test_long_lists_of_bad_rows_are_shortened():
    X = np.full((20, 1), np.nan)
    with pytest.raises(ValueError, match=r"rows 0, 1, 2, 3, 4 and 15 more"):
        check_Xy(X, np.zeros(20), "regression")


def test_non_numeric_data_raises_type_error():
    with pytest.raises(TypeError, match="X must hold numbers, got dtype <U1"):
        check_Xy([["a", "b"]], [0], "binary")
    with pytest.raises(TypeError, match="y must hold numbers"):
        check_Xy([[1.0]], ["cat"], "binary")
