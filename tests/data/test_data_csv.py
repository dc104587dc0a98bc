"""load_csv: round trips through files written here, task inference, and every bad file."""

import csv

import numpy as np
import pytest

from optimlab.data import MAX_INFERRED_CLASSES, load_csv


def write_csv(path, header, rows, delimiter=","):
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_regression_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 3)), rng.normal(size=30) * 100
    # The target sits between the features; repr() writes floats that read back exactly.
    rows = [[repr(float(v)) for v in (a, t, b, c)] for (a, b, c), t in zip(X, y, strict=True)]
    path = write_csv(tmp_path / "houses.csv", ["area", "price", "rooms", "age"], rows)
    data = load_csv(path, target="price")
    assert data.task == "regression" and data.n_classes is None and data.class_labels is None
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.y, y)
    assert data.feature_names == ("area", "rooms", "age")
    assert (data.target_name, data.name) == ("price", "houses")


def test_values_agree_with_pandas(tmp_path):
    pandas = pytest.importorskip("pandas")
    rng = np.random.default_rng(1)
    rows = [[f"{v:.6g}" for v in row] for row in rng.normal(size=(25, 4))]
    path = write_csv(tmp_path / "d.csv", ["a", "b", "c", "target"], rows)
    data = load_csv(path, target="target", task="regression")
    frame = pandas.read_csv(path)
    np.testing.assert_array_equal(data.X, frame[["a", "b", "c"]].to_numpy())
    np.testing.assert_array_equal(data.y, frame["target"].to_numpy())


def test_string_labels_are_mapped_in_sorted_order(tmp_path):
    labels = ["setosa", "virginica", "versicolor", "setosa", "virginica", "versicolor"]
    rows = [[str(i), str(i * 2), label] for i, label in enumerate(labels)]
    path = write_csv(tmp_path / "flowers.csv", ["x1", "x2", "species"], rows)
    data = load_csv(path, target="species")
    assert data.task == "multiclass" and data.n_classes == 3
    assert data.class_labels == ("setosa", "versicolor", "virginica")
    np.testing.assert_array_equal(data.y, [0, 2, 1, 0, 2, 1])
    assert [data.class_labels[k] for k in data.y] == labels
    assert data.y.dtype == np.int64


def test_two_string_labels_make_a_binary_task(tmp_path):
    path = write_csv(tmp_path / "d.csv", ["x", "y"], [[1, "yes"], [2, "no"], [3, " yes "]])
    data = load_csv(path, target="y")
    assert (data.task, data.class_labels) == ("binary", ("no", "yes"))
    np.testing.assert_array_equal(data.y, [1, 0, 1])


def test_integer_labels_infer_classification_and_are_mapped(tmp_path):
    rows = [[i, label] for i, label in enumerate([1, 3, 2, 3, 1])]
    data = load_csv(write_csv(tmp_path / "d.csv", ["x", "grade"], rows), target="grade")
    assert (data.task, data.class_labels) == ("multiclass", (1, 2, 3))
    np.testing.assert_array_equal(data.y, [0, 2, 1, 2, 0])
    binary = load_csv(write_csv(tmp_path / "b.csv", ["x", "t"], [[0, -1], [1, 1]]), "t")
    assert (binary.task, binary.class_labels) == ("binary", (-1, 1))
    np.testing.assert_array_equal(binary.y, [0, 1])


def test_many_distinct_integers_or_fractions_infer_regression(tmp_path):
    many = [[i, i] for i in range(MAX_INFERRED_CLASSES + 1)]
    path = write_csv(tmp_path / "many.csv", ["x", "t"], many)
    assert load_csv(path, "t").task == "regression"
    forced = load_csv(path, "t", task="multiclass")
    assert forced.n_classes == MAX_INFERRED_CLASSES + 1
    few = [[i, i % MAX_INFERRED_CLASSES] for i in range(50)]
    assert load_csv(write_csv(tmp_path / "few.csv", ["x", "t"], few), "t").task == "multiclass"
    fractions = [[0, 0.5], [1, 1.0], [2, 0.5]]
    assert load_csv(write_csv(tmp_path / "f.csv", ["x", "t"], fractions), "t").task == (
        "regression"
    )
    labels = [[0, 0], [1, 1], [2, 1]]
    data = load_csv(write_csv(tmp_path / "r.csv", ["x", "t"], labels), "t", task="regression")
    assert data.task == "regression" and data.y.dtype == np.float64


def test_bom_blank_lines_spaces_and_other_delimiters(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("\ufeff a ; b ;label\n1.5; 2 ;0\n\n 3;4e0;1\n", encoding="utf-8")
    data = load_csv(path, target="label", delimiter=";")
    assert data.feature_names == ("a", "b")
    np.testing.assert_array_equal(data.X, [[1.5, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(data.y, [0, 1])


@pytest.mark.parametrize(
    ("content", "target", "task", "message"),
    [
        ("", "y", None, "is empty; it needs a header row"),
        ("\n\n", "y", None, "is empty"),
        ("a,y\n", "y", None, "has a header but no data rows"),
        ("a,b\n1,2\n", "y", None, "target column 'y' is not in .*; its columns are: a, b"),
        ("a,y\n1,2\nx,3\n", "y", None, "column 'a', line 3: non-numeric value 'x'"),
        ("a,b,y\n1,2,0\n3,,1\n", "y", None, "column 'b', line 3: empty cell"),
        ("a,y\n1,0\nnan,1\n", "y", None, "column 'a', line 3: value 'nan' is not finite"),
        ("a,y\n1,0\n1e999,1\n", "y", None, "column 'a', line 3: value '1e999' is not finite"),
        ("a,y\n1,0\n2,1,5\n", "y", None, "line 3: 3 fields, but the header has 2 columns"),
        ("a,a,y\n1,2,3\n", "y", None, r"duplicate column names \['a'\]"),
        ("a,,y\n1,2,3\n", "y", None, "column 2 of the header has no name"),
        ("y\n1\n2\n", "y", None, "has no feature columns besides 'y'"),
        ("a,y\n1,0\n2,\n", "y", None, "column 'y', line 3: empty target cell"),
        ("a,y\n1,0\n2,inf\n", "y", None, "column 'y', line 3: target value 'inf' is not"),
        ("a,y\n1,cat\n2,cat\n", "y", None, "has a single class 'cat'"),
        ("a,y\n1,a\n2,b\n3,c\n", "y", "binary", "task 'binary' needs 2 classes, .* has 3"),
        ("a,y\n1,0\n2,0.5\n", "y", "binary", "line 3: class label 0.5 is not an integer"),
        ("a,y\n1,2.5\n2,big\n", "y", "regression", "line 3: value 'big' is not a number"),
        ("a,y\n1,0\n", "y", "classification", "task must be one of 'regression'"),
    ],
)
def test_bad_csv_files_raise_clear_errors(tmp_path, content, target, task, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_csv(path, target, task=task)


def test_missing_file_directory_and_binary_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"CSV file not found: .*nothing\.csv"):
        load_csv(tmp_path / "nothing.csv", "y")
    with pytest.raises(ValueError, match="is a directory, not a CSV file"):
        load_csv(tmp_path, "y")
    binary = tmp_path / "image.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe")
    with pytest.raises(ValueError, match=r"cannot read .* as UTF-8 text"):
        load_csv(binary, "y")
