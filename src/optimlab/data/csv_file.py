"""The user's own data: a CSV file with a header row, numeric features and a named target.

Format: UTF-8 text (a byte-order mark is fine), the first row names the columns, one
sample per row, every column except the target holds numbers. The target holds numbers
(regression or integer class labels) or strings (class labels). Blank lines are skipped.

pandas reads the file (its C parser). When what it read is not clean (a cell that is not
a number, an empty cell, a row of the wrong length), a line-by-line scan with Python's
``csv`` module finds the first problem and names its column and file line. A file is read
once per process: `load_csv` keeps the last few data sets it returned, keyed by the file's
identity (path, size, modification time), so a command that trains many runs on one file
parses it once (unless the file was modified in the last two seconds).
"""

from __future__ import annotations

import csv
import math
import os
import re
from collections import OrderedDict
from pathlib import Path

import numpy as np

from optimlab.checks import closest
from optimlab.data.dataset import Dataset
from optimlab.data.fingerprints import settled_identity
from optimlab.data.validation import check_task

MAX_INFERRED_CLASSES = 20
"""A numeric target is taken as class labels when all its values are integers and it has at
most this many distinct values; otherwise it is a regression target."""

CACHE_SIZE = 4
"""How many data sets `load_csv` keeps (the most recently used)."""

_cache: OrderedDict[tuple, Dataset] = OrderedDict()
_INDEX_NAME = re.compile(r"(Unnamed: \d+|index)")
_INDEX_HINT = (
    "a row index, as pandas' DataFrame.to_csv writes unless index=False: save the file with "
    "to_csv(path, index=False), or delete that column"
)
_NAN_WORDS = {"nan", "+nan", "-nan"}
_GROUPED = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")  # 481,442 or 1,234.5


def load_csv(
    path: str | os.PathLike, target: str, task: str | None = None, delimiter: str | None = None
) -> Dataset:
    """Load a CSV file with a header row as a `Dataset`; ``target`` names the target column.

    The task is inferred unless given: string labels -> classification; numbers that are
    all integers with at most `MAX_INFERRED_CLASSES` distinct values -> classification;
    other numbers -> regression. Classification is ``"binary"`` with 2 classes, else
    ``"multiclass"``. Class labels (strings or integers) are mapped to 0..K-1 in sorted
    order; ``Dataset.class_labels[k]`` is the original label of class ``k``.

    The file is parsed by pandas once per process: a later call with the same arguments,
    while the file is unchanged (same size and modification time), returns the data set
    read the first time (a file modified in the last two seconds is read again; see
    `optimlab.data.fingerprints.settled_identity`). Its arrays are therefore read-only:
    copy them (``data.X.copy()``) to change them in place.

    Args:
        path: the CSV file.
        target: name of the target column; every other column is a feature.
        task: ``"regression"``, ``"binary"``, ``"multiclass"``, or None to infer it.
        delimiter: the field separator (one character), or None (default) to take it from
            the header row: a comma, unless the header holds none and more semicolons or
            tabs (as spreadsheets in many locales save).

    Raises:
        FileNotFoundError: no such file.
        ValueError: unreadable or empty file, a row of the wrong length, a missing target
            column (the message lists the columns), an empty or non-numeric feature cell
            (the message names the column and line, and every column holding text), a
            row-index column saved by pandas (the message says how to save without it), or
            labels that do not fit ``task``.
    """
    if task is not None:
        check_task(task)
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1):
        raise ValueError(f"delimiter must be one character, got {delimiter!r}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"CSV file not found: {str(path)!r}")
    if path.is_file() and delimiter is None:
        delimiter = _detect_delimiter(path)
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory, not a CSV file")
    identity = settled_identity(path)
    if identity is None:  # modified just now: a later write might keep its identity
        return _read(path, target, task, delimiter)
    key = (identity, target, task, delimiter)
    if key not in _cache:
        _cache[key] = _read(path, target, task, delimiter)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    _cache.move_to_end(key)
    return _cache[key]


def _read(path: Path, target: str, task: str | None, delimiter: str) -> Dataset:
    header, unnamed = _header(path, delimiter)
    if target not in header:
        near = closest(str(target), header)
        headless = all(_is_number(name) for name in header)
        raise ValueError(
            f"target column {target!r} is not in {str(path)!r}"
            f"{f' (did you mean {near!r}?)' if near else ''}; its columns are: "
            f"{', '.join(header)}"
            + (
                "; the first row looks like data: the file needs a header row naming its columns"
                if headless
                else ""
            )
        )
    if len(header) < 2:
        raise ValueError(f"CSV file {str(path)!r} has no feature columns besides {target!r}")
    frame = _frame(path, delimiter, header, unnamed)
    features = [name for name in header if name != target]
    X = _feature_matrix(frame, features)
    target_numbers = _numbers(frame[target])
    target_text = None if target_numbers is not None else _labels(frame[target])
    if target_text is not None and delimiter == "," and task in (None, "regression"):
        grouped = _grouped_numbers(target_text)
        if grouped is not None and task is None:
            raise ValueError(
                f"CSV file {str(path)!r}, column {target!r} holds numbers with thousands "
                f"separators ({next(c for c in target_text if ',' in c)!r}), which read as "
                "text: one class per value; pass task='regression' to read them as numbers"
            )
        if grouped is not None:
            target_numbers, target_text = grouped, None
    target_finite = target_numbers is None or bool(np.isfinite(target_numbers).all())
    clean = X is not None and bool(np.isfinite(X).all())
    if not (clean and target_finite and (target_numbers is not None or target_text is not None)):
        _diagnose(path, delimiter, header, target, _text_columns(frame, features), unnamed)
        raise ValueError(
            f"CSV file {str(path)!r}: pandas could not read every feature as a number or "
            f"every target as a label; feature columns must hold plain decimal numbers"
        )
    for j, name in enumerate(features):
        _refuse_index_column(name, X[:, j], path)
    task = _resolve_task(task, target_numbers, target_text, path, delimiter, target)
    if task == "regression":
        y, class_labels, n_classes = target_numbers, None, None
    else:
        y, class_labels = _encode_labels(target_numbers, target_text)
        n_classes = len(class_labels)
        if n_classes < 2:
            raise ValueError(
                f"target column {target!r} has a single class {class_labels[0]!r}; "
                "classification needs at least two (pass task='regression' for a numeric "
                "target)"
            )
        if task == "binary" and n_classes != 2:
            raise ValueError(
                f"task 'binary' needs 2 classes, target column {target!r} has {n_classes}: "
                f"{list(class_labels)[:10]}; use task='multiclass'"
            )
    X.flags.writeable = False  # shared by every later call for the unchanged file
    y.flags.writeable = False
    return Dataset(
        X=X,
        y=y,
        task=task,
        feature_names=tuple(features),
        target_name=target,
        n_classes=n_classes,
        name=path.stem,
        class_labels=class_labels,
    )


def _detect_delimiter(path: Path) -> str:
    """A comma, unless the first non-blank line holds none and more semicolons or tabs."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            line = next((line for line in file if line.strip()), "")
    except (OSError, UnicodeDecodeError):
        return ","  # reading the header again reports the problem
    counts = {separator: line.count(separator) for separator in ";\t"}
    best = max(counts, key=counts.get)
    return best if "," not in line and counts[best] > 0 else ","


def _header(path: Path, delimiter: str) -> tuple[list[str], int]:
    """The column names (the first non-blank row, checked for empty and repeated names) and
    how many unnamed columns end it (``a,b,y,,`` as spreadsheets export: 2); those must be
    empty (`_frame` checks) and are left out."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            header = next(
                (row for row in csv.reader(file, delimiter=delimiter) if _filled(row)), None
            )
    except UnicodeDecodeError as error:
        raise _not_text(path, error) from None
    except (OSError, csv.Error) as error:
        raise ValueError(f"cannot read CSV file {str(path)!r}: {error}") from None
    if header is None:
        raise ValueError(f"CSV file {str(path)!r} is empty; it needs a header row and data rows")
    header = [name.strip() for name in header]
    named = len(header)
    while named > 1 and not header[named - 1]:
        named -= 1
    unnamed, header = len(header) - named, header[:named]
    if "" in header:
        column = header.index("") + 1
        hint = f"; if it is {_INDEX_HINT}" if column == 1 else "; name it"
        raise ValueError(f"CSV file {str(path)!r}: column {column} of the header has no name{hint}")
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ValueError(f"CSV file {str(path)!r}: duplicate column names {duplicates}")
    return header, unnamed


def _filled(row: list[str]) -> bool:
    return any(cell.strip() for cell in row)


def _not_text(path: Path, error: UnicodeDecodeError) -> ValueError:
    return ValueError(
        f"cannot read {str(path)!r} as UTF-8 text ({error.reason}); is it a CSV file? "
        "Save it as UTF-8 CSV"
    )


def _frame(path: Path, delimiter: str, header: list[str], unnamed: int = 0):
    """The file as a pandas DataFrame named by ``header``, rows with only blanks dropped, and
    the ``unnamed`` columns after the named ones left out once found empty.

    Cells are kept as read (``na_filter=False``): an empty cell is an empty string, so a
    column holding one is not numeric and the scan reports it."""
    import pandas as pd  # imported here: pandas is slow to import

    try:
        frame = pd.read_csv(path, sep=delimiter, header=0, na_filter=False, encoding="utf-8")
    except UnicodeDecodeError as error:
        raise _not_text(path, error) from None
    except pd.errors.ParserError as error:  # a row with too many fields, bad quoting
        _diagnose(path, delimiter, header, None, [], unnamed)
        raise ValueError(f"cannot read CSV file {str(path)!r}: {error}".strip()) from None
    if frame.shape[1] != len(header) + unnamed:
        raise ValueError(
            f"CSV file {str(path)!r}: pandas found {frame.shape[1]} columns, the header names "
            f"{len(header)}; check the delimiter and the quoting"
        )
    if unnamed:
        extra = frame.iloc[:, len(header) :].astype(str).apply(lambda c: c.str.strip())
        if extra.ne("").to_numpy().any():
            _rows(path, delimiter, len(header), unnamed)  # raises, naming the line
        frame = frame.iloc[:, : len(header)]
    frame.columns = header
    text = [name for name in header if not _is_numeric_dtype(frame[name])]
    if len(text) == len(header):  # only then can a row be all blanks (e.g. ",,")
        blank = np.logical_and.reduce([frame[name].str.strip().eq("").to_numpy() for name in text])
        frame = frame[~blank]
    if len(frame) == 0:
        raise ValueError(f"CSV file {str(path)!r} has a header but no data rows")
    return frame


def _is_numeric_dtype(column) -> bool:
    return column.dtype.kind in "iuf"


def _feature_matrix(frame, features: list[str]) -> np.ndarray | None:
    """The feature columns as one float64 matrix (non-finite values kept), or None if a cell
    is not a number. Numeric columns come from pandas' own block, without a copy per
    column."""
    if all(_is_numeric_dtype(frame[name]) for name in features):
        return frame[features].to_numpy(dtype=np.float64)
    columns = [_numbers(frame[name]) for name in features]
    return None if any(c is None for c in columns) else np.column_stack(columns)


def _numbers(column) -> np.ndarray | None:
    """The column as float64 (non-finite values kept), or None if a cell is not a number."""
    import pandas as pd

    if _is_numeric_dtype(column):
        return column.to_numpy(dtype=np.float64)
    if column.dtype.kind == "b":
        return None
    text = column.astype(str).str.strip()
    values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64)
    missing = np.isnan(values) & ~text.str.lower().isin(_NAN_WORDS).to_numpy()
    return None if missing.any() else values


def _labels(column) -> np.ndarray | None:
    """String class labels (stripped), or None if a cell is empty."""
    labels = column.astype(str).str.strip().to_numpy(dtype=object)
    return None if (labels == "").any() else labels


def _text_columns(frame, features: list[str]) -> list[str]:
    """The feature columns in which most non-empty cells are not numbers."""
    import pandas as pd

    found = []
    for name in features:
        column = frame[name]
        if _is_numeric_dtype(column):
            continue
        text = column.astype(str).str.strip()
        text = text[text.ne("")]
        numbers = pd.to_numeric(text, errors="coerce")
        words = numbers.isna() & ~text.str.lower().isin(_NAN_WORDS)
        if len(text) and words.mean() > 0.5:
            found.append(name)
    return found


def _refuse_index_column(name: str, values: np.ndarray, path: Path) -> None:
    """A column named like a saved row index and holding 0, 1, 2, ... (or 1, 2, 3, ...)."""
    if not _INDEX_NAME.fullmatch(name):
        return
    steps = np.arange(values.size, dtype=np.float64)
    if np.array_equal(values, steps) or np.array_equal(values, steps + 1):
        raise ValueError(
            f"CSV file {str(path)!r}: column {name!r} holds the row numbers "
            f"{values[0]:g}, {values[1] if values.size > 1 else values[0] + 1:g}, ...: "
            f"{_INDEX_HINT}"
        )


def _diagnose(
    path: Path,
    delimiter: str,
    header: list[str],
    target: str | None,
    text_columns: list[str],
    unnamed: int = 0,
) -> None:
    """Scan the file line by line and raise a ValueError naming the first problem: a row of
    the wrong length, a bad feature cell, an empty or non-finite target cell. Returns if
    it finds none."""
    data = _rows(path, delimiter, len(header), unnamed)
    if target is None:
        return
    t = header.index(target)
    for line, cells in data:
        for j, cell in enumerate(cells):
            if j != t:
                _number(cell, header[j], line, path, text_columns, delimiter != ",")
    where = f"CSV file {str(path)!r}, column {target!r}"
    cells = [(line, row[t].strip()) for line, row in data]
    for line, cell in cells:
        if not cell:
            raise ValueError(f"{where}, line {line}: empty target cell")
    if all(_is_number(cell) for _, cell in cells):
        for line, cell in cells:
            if not math.isfinite(float(cell)):
                raise ValueError(f"{where}, line {line}: target value {cell!r} is not finite")


def _rows(
    path: Path, delimiter: str, n_columns: int, unnamed: int = 0
) -> list[tuple[int, list[str]]]:
    """``(line number, cells)`` of every non-blank data row, without the ``unnamed`` columns
    that end the header; a row of the wrong length, or a cell filled in an unnamed column,
    is an error naming its line."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file, delimiter=delimiter)
            rows = [(reader.line_num, row) for row in reader if _filled(row)]
    except UnicodeDecodeError as error:
        raise _not_text(path, error) from None
    except (OSError, csv.Error) as error:
        raise ValueError(f"cannot read CSV file {str(path)!r}: {error}") from None
    data = []
    for line, cells in rows[1:]:
        if not n_columns <= len(cells) <= n_columns + unnamed:
            raise ValueError(
                f"CSV file {str(path)!r}, line {line}: {len(cells)} fields, but the header "
                f"{'names' if unnamed else 'has'} {n_columns} columns"
            )
        filled = [j for j in range(n_columns, len(cells)) if cells[j].strip()]
        if filled:
            raise ValueError(
                f"CSV file {str(path)!r}, line {line}: column {filled[0] + 1} holds "
                f"{cells[filled[0]].strip()!r} but has no name in the header; name it"
            )
        data.append((line, cells[:n_columns]))
    return data


def _number(
    cell: str,
    column: str,
    line: int,
    path: Path,
    text_columns: list[str],
    commas_are_decimal: bool = False,
) -> float:
    """A feature cell as a finite float, or a ValueError naming the column and line (a
    decimal comma is named as such in files whose fields are not comma-separated)."""
    text = cell.strip()
    where = f"CSV file {str(path)!r}, column {column!r}, line {line}"
    if not text:
        raise ValueError(f"{where}: empty cell; fill in or remove missing values")
    if not _is_number(text):
        if commas_are_decimal and "," in text and _is_number(text.replace(",", ".", 1)):
            raise ValueError(
                f"{where}: {text!r} has a decimal comma; optimlab reads a point as the "
                "decimal mark: save the file with points in its numbers"
            )
        if _GROUPED.fullmatch(text):
            raise ValueError(
                f"{where}: {text!r} has thousands separators; save the file with plain "
                "numbers (481442, not 481,442) in its feature columns"
            )
        if text_columns:
            names = ", ".join(map(repr, text_columns))
            advice = (
                f". Columns holding text: {names}; encode them as numbers (e.g. one-hot "
                "with pandas.get_dummies) or remove them"
            )
        else:
            advice = " (correct this value or remove the row)"
        raise ValueError(
            f"{where}: non-numeric value {text!r}; feature columns must hold numbers{advice}"
        )
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{where}: value {text!r} is not finite")
    return value


def _is_number(text: str) -> bool:
    """Whether a cell is a number as pandas reads them (Python's float without ``_``)."""
    if "_" in text:
        return False
    try:
        float(text)
    except ValueError:
        return False
    return True


def _encode_labels(numbers: np.ndarray | None, text: np.ndarray | None) -> tuple[np.ndarray, tuple]:
    """Map class labels to 0..K-1 in sorted order; return codes and the original labels."""
    if numbers is not None:
        classes, codes = np.unique(numbers, return_inverse=True)
        return codes.astype(np.int64), tuple(int(c) for c in classes)
    classes, codes = np.unique(text.astype(str), return_inverse=True)
    return codes.astype(np.int64), tuple(str(c) for c in classes)


def _resolve_task(
    task: str | None,
    numbers: np.ndarray | None,
    text: np.ndarray | None,
    path: Path,
    delimiter: str,
    target: str,
) -> str:
    where = f"CSV file {str(path)!r}, column {target!r}"
    if numbers is None:
        if task == "regression":
            i = next(i for i, cell in enumerate(text) if not _is_number(cell))
            raise ValueError(
                f"{where}, line {_line(path, delimiter, i)}: value {text[i]!r} is not a "
                "number; a regression target must hold numbers"
            )
        n_classes = len(set(text))
        if task is None and n_classes > max(MAX_INFERRED_CLASSES, len(text) / 2):
            raise ValueError(
                f"{where} has {n_classes} distinct values in {len(text)} rows, too many for "
                "class labels (a class needs 2 rows or more, to be in both the training and "
                "the validation split); if it holds a quantity, save it as plain numbers (no "
                "units or thousands separators) to train a regression"
            )
        return task or ("binary" if n_classes == 2 else "multiclass")
    integral = np.equal(numbers, np.round(numbers))
    if task is None:
        n_distinct = _distinct(numbers, MAX_INFERRED_CLASSES) if integral.all() else math.inf
        if n_distinct > MAX_INFERRED_CLASSES:
            return "regression"
        return "binary" if n_distinct == 2 else "multiclass"
    if task != "regression" and not integral.all():
        i = int(np.argmin(integral))
        raise ValueError(
            f"{where}, line {_line(path, delimiter, i)}: class label {float(numbers[i])!r} is not "
            "an integer; use task='regression' or integer/string labels"
        )
    return task


def _grouped_numbers(text: np.ndarray) -> np.ndarray | None:
    """Target cells as numbers when each is a number and some have thousands separators
    (``481,442``; read only in comma-separated files, where a comma is no decimal mark),
    else None."""
    grouped = [bool(_GROUPED.fullmatch(cell)) for cell in text]
    if not any(grouped) or not all(g or _is_number(c) for g, c in zip(grouped, text)):
        return None
    return np.array([float(cell.replace(",", "")) for cell in text])


def _distinct(values: np.ndarray, limit: int) -> int:
    """The number of distinct values, or more than ``limit`` as soon as the first thousand
    values show it (no sort of a long regression target)."""
    head = np.unique(values[:1000]).size
    return head if head > limit else np.unique(values).size


def _line(path: Path, delimiter: str, row: int) -> int:
    """The file line on which data row ``row`` (0-based, blank rows skipped) starts."""
    with path.open(newline="", encoding="utf-8-sig") as file:
        reader = csv.reader(file, delimiter=delimiter)
        filled = (reader.line_num for cells in reader if _filled(cells))
        next(filled)  # the header
        for i, line in enumerate(filled):
            if i == row:
                return line
    raise AssertionError(f"data row {row} not found in {path}")
