"""The user's own data: a CSV file with a header row, numeric features and a named target.

Format: UTF-8 text (a byte-order mark is fine), the first row names the columns, one
sample per row, every column except the target holds numbers. The target holds numbers
(regression or integer class labels) or strings (class labels). Blank lines are skipped.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import numpy as np

from optimlab.data.dataset import Dataset
from optimlab.data.validation import check_task

MAX_INFERRED_CLASSES = 20
"""A numeric target is taken as class labels when all its values are integers and it has at
most this many distinct values; otherwise it is a regression target."""


def _read_rows(path: Path, delimiter: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Return the header and ``(line number, cells)`` for every non-blank data row."""
    if not path.exists():
        raise FileNotFoundError(f"CSV file not found: {str(path)!r}")
    if path.is_dir():
        raise ValueError(f"{str(path)!r} is a directory, not a CSV file")
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.reader(file, delimiter=delimiter)
            rows = [(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except UnicodeDecodeError as error:
        raise ValueError(
            f"cannot read {str(path)!r} as UTF-8 text ({error.reason} at byte {error.start}); "
            "is it a CSV file? Save it as UTF-8 CSV"
        ) from None
    except (OSError, csv.Error) as error:
        raise ValueError(f"cannot read CSV file {str(path)!r}: {error}") from None
    if not rows:
        raise ValueError(f"CSV file {str(path)!r} is empty; it needs a header row and data rows")
    (_, header), data = rows[0], rows[1:]
    header = [name.strip() for name in header]
    if "" in header:
        raise ValueError(
            f"CSV file {str(path)!r}: column {header.index('') + 1} of the header has no name"
        )
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        raise ValueError(f"CSV file {str(path)!r}: duplicate column names {duplicates}")
    if not data:
        raise ValueError(f"CSV file {str(path)!r} has a header but no data rows")
    for line, cells in data:
        if len(cells) != len(header):
            raise ValueError(
                f"CSV file {str(path)!r}, line {line}: {len(cells)} fields, but the header "
                f"has {len(header)} columns"
            )
    return header, data


def _feature_matrix(
    data: list[tuple[int, list[str]]], header: list[str], target: str, path: Path
) -> np.ndarray:
    """Parse every feature cell as a finite float; name the column and line of a bad one."""
    columns = [j for j, name in enumerate(header) if name != target]
    cells = np.array([row for _, row in data], dtype=str)[:, columns]
    try:
        X = cells.astype(np.float64)
    except ValueError:  # find the bad cell; Python's float() parses the rest
        X = np.array(
            [
                [_number(cell, header[j], line, path) for j, cell in zip(columns, row, strict=True)]
                for (line, _), row in zip(data, cells, strict=True)
            ]
        )
    bad = np.argwhere(~np.isfinite(X))
    if len(bad):
        i, j = bad[0]
        where = f"CSV file {str(path)!r}, column {header[columns[j]]!r}, line {data[i][0]}"
        raise ValueError(f"{where}: value {cells[i, j].strip()!r} is not finite")
    return X


def _number(cell: str, column: str, line: int, path: Path) -> float:
    text = cell.strip()
    where = f"CSV file {str(path)!r}, column {column!r}, line {line}"
    if not text:
        raise ValueError(f"{where}: empty cell; fill in or remove missing values")
    try:
        return float(text)
    except ValueError:
        raise ValueError(
            f"{where}: non-numeric value {text!r}; feature columns must hold numbers "
            "(encode or remove this column)"
        ) from None


def _encode_labels(raw: list[str], numeric: list[float] | None) -> tuple[np.ndarray, tuple]:
    """Map class labels to 0..K-1 in sorted order; return codes and the original labels."""
    if numeric is not None:
        values = np.asarray(numeric)
        classes, codes = np.unique(values, return_inverse=True)
        return codes.astype(np.int64), tuple(int(c) for c in classes)
    classes, codes = np.unique(np.asarray([c.strip() for c in raw]), return_inverse=True)
    return codes.astype(np.int64), tuple(str(c) for c in classes)


def load_csv(
    path: str | os.PathLike, target: str, task: str | None = None, delimiter: str = ","
) -> Dataset:
    """Load a CSV file with a header row as a `Dataset`; ``target`` names the target column.

    The task is inferred unless given: string labels -> classification; numbers that are
    all integers with at most `MAX_INFERRED_CLASSES` distinct values -> classification;
    other numbers -> regression. Classification is ``"binary"`` with 2 classes, else
    ``"multiclass"``. Class labels (strings or integers) are mapped to 0..K-1 in sorted
    order; ``Dataset.class_labels[k]`` is the original label of class ``k``.

    Args:
        path: the CSV file.
        target: name of the target column; every other column is a feature.
        task: ``"regression"``, ``"binary"``, ``"multiclass"``, or None to infer it.
        delimiter: the field separator.

    Raises:
        FileNotFoundError: no such file.
        ValueError: unreadable or empty file, a row of the wrong length, a missing target
            column (the message lists the columns), an empty or non-numeric feature cell
            (the message names the column and line), or labels that do not fit ``task``.
    """
    if task is not None:
        check_task(task)
    path = Path(path)
    header, data = _read_rows(path, delimiter)
    if target not in header:
        raise ValueError(
            f"target column {target!r} is not in {str(path)!r}; its columns are: "
            f"{', '.join(header)}"
        )
    if len(header) < 2:
        raise ValueError(f"CSV file {str(path)!r} has no feature columns besides {target!r}")
    t = header.index(target)
    features = [name for name in header if name != target]
    X = _feature_matrix(data, header, target, path)
    where = f"CSV file {str(path)!r}, column {target!r}"
    raw = [cells[t] for _, cells in data]
    lines = [line for line, _ in data]
    for line, cell in zip(lines, raw, strict=True):
        if not cell.strip():
            raise ValueError(f"{where}, line {line}: empty target cell")
    numeric = _numeric_target(raw, lines, where)
    task = _resolve_task(task, raw, numeric, lines, where)
    if task == "regression":
        y, class_labels, n_classes = np.asarray(numeric), None, None
    else:
        y, class_labels = _encode_labels(raw, numeric)
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


def _numeric_target(raw: list[str], lines: list[int], where: str) -> list[float] | None:
    """The target as numbers if every cell is a number, else None (string class labels)."""
    try:
        values = [float(cell) for cell in raw]
    except ValueError:
        return None
    for line, cell, value in zip(lines, raw, values, strict=True):
        if not math.isfinite(value):
            raise ValueError(f"{where}, line {line}: target value {cell.strip()!r} is not finite")
    return values


def _resolve_task(
    task: str | None,
    raw: list[str],
    numeric: list[float] | None,
    lines: list[int],
    where: str,
) -> str:
    if numeric is None:
        if task == "regression":
            line, cell = next((n, c) for n, c in zip(lines, raw, strict=True) if not _is_number(c))
            raise ValueError(
                f"{where}, line {line}: value {cell.strip()!r} is not a number; a regression "
                "target must hold numbers"
            )
        n_classes = len({cell.strip() for cell in raw})
        return task or ("binary" if n_classes == 2 else "multiclass")
    integral = all(v == round(v) for v in numeric)
    if task is None:
        n_distinct = len(set(numeric))
        if not integral or n_distinct > MAX_INFERRED_CLASSES:
            return "regression"
        return "binary" if n_distinct == 2 else "multiclass"
    if task != "regression" and not integral:
        line, value = next((n, v) for n, v in zip(lines, numeric, strict=True) if v != round(v))
        raise ValueError(
            f"{where}, line {line}: class label {value!r} is not an integer; use "
            "task='regression' or integer/string labels"
        )
    return task


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
