"""load_csv: round trips through files written here, task inference, and every bad file."""

import csv
import os
import time

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
        ("area,price\n1,2\n", "prize", None, r"not in .* \(did you mean 'price'\?\); its columns"),
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


# --- pandas-written files, hints, and reading once --------------------------------------


def pandas_frame(n=12, seed=0):
    pandas = pytest.importorskip("pandas")
    rng = np.random.default_rng(seed)
    return pandas.DataFrame(
        {"a": rng.normal(size=n), "b": rng.normal(size=n), "y": rng.normal(size=n)}
    )


def test_a_pandas_index_column_is_refused_with_the_fix(tmp_path):
    frame = pandas_frame()
    path = tmp_path / "indexed.csv"
    frame.to_csv(path)  # writes the row index as a first column with no name
    with pytest.raises(
        ValueError, match=r"column 1 of the header has no name; if it is a row index.*index=False"
    ):
        load_csv(path, "y")
    frame.to_csv(path, index=False)
    assert load_csv(path, "y").feature_names == ("a", "b")


@pytest.mark.parametrize("name", ["Unnamed: 0", "index"])
def test_a_saved_index_under_a_name_is_refused(tmp_path, name):
    pandas = pytest.importorskip("pandas")
    frame = pandas_frame()
    frame.to_csv(tmp_path / "once.csv")
    twice = pandas.read_csv(tmp_path / "once.csv").rename(columns={"Unnamed: 0": name})
    twice.to_csv(tmp_path / "twice.csv", index=False)  # the old index is now a named column
    with pytest.raises(
        ValueError, match=rf"column '{name}' holds the row numbers 0, 1, .*index=False"
    ):
        load_csv(tmp_path / "twice.csv", "y")
    twice[name] = twice[name] * 3  # no longer 0, 1, 2, ...: an ordinary feature
    twice.to_csv(tmp_path / "twice.csv", index=False)
    assert load_csv(tmp_path / "twice.csv", "y").feature_names == (name, "a", "b")


def test_text_columns_are_named_with_what_to_do(tmp_path):
    rows = [[1.5, "Paris", "flat", 3.0], [2.5, "Lyon", "house", 4.0], [3.5, "Nice", "flat", 5.0]]
    path = write_csv(tmp_path / "homes.csv", ["area", "city", "kind", "price"], rows)
    message = (
        r"column 'city', line 2: non-numeric value 'Paris'; feature columns must hold numbers\. "
        r"Columns holding text: 'city', 'kind'; encode them as numbers \(e\.g\. one-hot with "
        r"pandas\.get_dummies\) or remove them"
    )
    with pytest.raises(ValueError, match=message):
        load_csv(path, "price")
    stray = write_csv(tmp_path / "typo.csv", ["a", "y"], [[1, 0], [2, 1], ["3,5", 0], [4, 1]])
    with pytest.raises(ValueError, match=r"line 4: non-numeric value '3,5'.*\(correct this value"):
        load_csv(stray, "y")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('a,y\n"1,0\n2,1\n', "line"),  # an unclosed quote
        ("a,y\n1,0\n2,1,3,4\n5,1\n", "line 3: 4 fields"),
        ("a,y\n1,0\n2\n", "line 3: 1 fields"),  # too few fields
        ("a,y\n1,0\n1_000,1\n", "non-numeric value '1_000'"),
        ("a,y\n1,0\nTrue,1\n", "non-numeric value 'True'"),
    ],
)
def test_malformed_files_get_one_line(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message) as caught:
        load_csv(path, "y")
    assert "\n" not in str(caught.value)


def test_invalid_utf8_after_the_header_and_a_bad_delimiter(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(b"a,y\n1,0\n" + "2,caf\u00e9\n".encode("latin-1"))
    with pytest.raises(ValueError, match=r"cannot read .* as UTF-8 text"):
        load_csv(path, "y")
    with pytest.raises(ValueError, match="delimiter must be one character"):
        load_csv(path, "y", delimiter=";;")


def test_rows_of_empty_cells_are_skipped_and_boolean_labels_kept_as_text(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("a,b,y\n1,2,True\n,,\n3,4,False\n , ,\n5,6,True\n")
    data = load_csv(path, "y")
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4], [5, 6]])
    assert data.class_labels == ("False", "True")
    np.testing.assert_array_equal(data.y, [1, 0, 1])


def settle(path, seconds_ago):
    when = time.time_ns() - int(seconds_ago * 1e9)
    os.utime(path, ns=(when, when))


def test_an_unchanged_file_is_parsed_once_and_shared_read_only(tmp_path, monkeypatch):
    pandas = pytest.importorskip("pandas")
    frame = pandas_frame(seed=3)
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    settle(path, 3600)
    calls = []
    real = pandas.read_csv
    monkeypatch.setattr(pandas, "read_csv", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = load_csv(path, "y")
    second = load_csv(path, "y")
    assert len(calls) == 1 and second is first
    np.testing.assert_array_equal(second.X, frame[["a", "b"]].to_numpy())
    with pytest.raises(ValueError, match="read-only"):  # shared: nobody changes it
        first.X[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        first.y[0] = 1.0
    frame.assign(a=frame.a + 1).to_csv(path, index=False)  # new contents
    settle(path, 3500)
    np.testing.assert_array_equal(load_csv(path, "y").X[:, 0], frame.a + 1)
    assert len(calls) == 2
    path.write_text("a,b,y\n1,2,3\n4,5,6\n")  # modified just now: read at every call
    load_csv(path, "y")
    load_csv(path, "y")
    assert len(calls) == 4


@pytest.mark.parametrize("separator", [";", "\t"])
def test_a_semicolon_or_tab_separated_file_is_read_as_such(tmp_path, separator):
    rows = [["y", "a", "b"], ["1.5", "2", "3"], ["2.5", "4", "5"], ["0.5", "6", "7"]]
    path = tmp_path / "data.csv"
    path.write_text("\n".join(separator.join(r) for r in rows) + "\n")
    data = load_csv(path, "y")
    np.testing.assert_array_equal(data.X, [[2, 3], [4, 5], [6, 7]])
    np.testing.assert_array_equal(data.y, [1.5, 2.5, 0.5])


def test_a_file_without_a_header_row_is_told_so(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("1,2,3\n4,5,6\n")
    with pytest.raises(ValueError, match="the first row looks like data: the file needs a header"):
        load_csv(path, "y")


def test_decimal_commas_are_named_as_such(tmp_path):
    path = tmp_path / "data.csv"
    path.write_text("y;a\n1;2,5\n0;3,1\n1;0,7\n")
    with pytest.raises(ValueError, match=r"'2,5' has a decimal comma"):
        load_csv(path, "y")


# --- a spreadsheet user's files: thousands separators, trailing commas ----------------------


def prices_csv(tmp_path):
    prices = [f"{100_000 + 1_234 * i:,}" for i in range(30)]  # '100,000', '101,234', ...
    rows = [[i, i % 7, price] for i, price in enumerate(prices)]
    return write_csv(tmp_path / "prices.csv", ["area", "rooms", "price"], rows), prices


def test_a_target_with_thousands_separators_is_named_and_read_as_regression(tmp_path):
    path, prices = prices_csv(tmp_path)
    with pytest.raises(ValueError, match=r"thousands separators \('100,000'\).*task='regression'"):
        load_csv(path, "price")
    data = load_csv(path, "price", task="regression")
    assert data.task == "regression"
    np.testing.assert_array_equal(data.y, [float(p.replace(",", "")) for p in prices])
    assert load_csv(path, "price", task="multiclass").n_classes == 30  # labels, as told


def test_a_feature_with_thousands_separators_is_named_as_such(tmp_path):
    path, _ = prices_csv(tmp_path)
    with pytest.raises(ValueError, match=r"column 'price', line 2: '100,000' has thousands sep"):
        load_csv(path, "area")


def test_a_text_target_with_a_class_per_row_is_refused_in_auto_mode(tmp_path):
    rows = [[i, f"${1000 + i}"] for i in range(30)]
    path = write_csv(tmp_path / "dollars.csv", ["a", "price"], rows)
    with pytest.raises(ValueError, match="30 distinct values in 30 rows, too many for class"):
        load_csv(path, "price")


@pytest.mark.parametrize("end", [",,", ""])
def test_empty_unnamed_columns_ending_the_header_are_left_out(tmp_path, end):
    path = tmp_path / "export.csv"
    path.write_text(f"a,b,y,,\n1,2,0{end}\n3,4,1{end}\n5,6,0{end}\n", encoding="utf-8")
    data = load_csv(path, "y")
    assert data.feature_names == ("a", "b")
    np.testing.assert_array_equal(data.X, [[1, 2], [3, 4], [5, 6]])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("a,b,y,,\n1,2,0,,\n3,4,1,,x\n", "line 3: column 5 holds 'x' but has no name"),
        ("a,b,y,,\n1,2,0\n3,4\n", "line 3: 2 fields, but the header names 3 columns"),
        ("a,,y,,\n1,2,0\n", "column 2 of the header has no name"),
    ],
)
def test_unnamed_columns_with_data_are_still_refused(tmp_path, content, message):
    path = tmp_path / "export.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_csv(path, "y")
