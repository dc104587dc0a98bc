"""A fuzz of the command line: random option values, CSV files and TOML files. The only
allowed outcomes are success (with the report written) or a one-line error and a non-zero
exit status; no exception may escape a subcommand's own handling (the group's last-resort
"set OPTIMLAB_TRACEBACK=1" message counts as a failure here, because the fuzz runs with
that variable set and sees the exception)."""

from __future__ import annotations

import json
import os
import string
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimlab.cli import main

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
#: Each command with the options that keep a run tiny (the fuzzed options come after these).
TINY = {
    "compare": ["--n-samples", "30", "--epochs", "1", "--no-progress"],
    "sweep": [
        "--n-samples",
        "30",
        "--epochs",
        "1",
        "--lrs",
        "0.1",
        "--seeds",
        "1",
        "--jobs",
        "1",
        "--no-progress",
    ],
    "lr-find": ["--n-samples", "40", "--iterations", "20", "--burn-in", "0"],
    "landscape": ["rosenbrock", "--steps", "5", "--no-animate"],
}
#: Values that break things: empty, signs, non-finite, overflow, text, unicode, lists.
VALUES = [
    "",
    "0",
    "-1",
    "1",
    "3",
    "0.5",
    "-0.0",
    "nan",
    "inf",
    "-inf",
    "1e309",
    "1e-320",
    "abc",
    "SGD",
    "Adam:0.1",
    "Newton",
    "Adam:0.1:momentm=1",
    "SGD:nan",
    "Lion:1e9",
    "full",
    "1,2",
    "0,0",
    "true",
    "False",
    "ünïcödé",
    " ",
    "--",
    "moons",
    "iris",
    "mlp",
    "linear",
    "cosine",
    "x" * 300,
    "0x10",
    "1_000",
    "Adam:0.1:betas=0.9",
    "rosenbrock",
    "saddle",
]


def invoke(args: list[str], env: dict[str, str] | None = None):
    """Run in a fresh working folder: a fuzzed relative path (``--store False``) lands there."""
    before = os.getcwd()
    with tempfile.TemporaryDirectory() as folder:
        os.chdir(folder)  # contextlib.chdir needs Python 3.11; we support 3.10
        try:
            return CliRunner().invoke(
                main, args, env={"OPTIMLAB_TRACEBACK": "1", **(env or {})}, catch_exceptions=True
            )
        finally:
            os.chdir(before)


def check_outcome(result, out: Path, args: list[str]) -> str:
    """Success with a report, or a one-line error and a non-zero status; returns which."""
    shown = f"optimlab {' '.join(args)}\n{result.output}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"an exception escaped: {result.exception!r}\n{shown}")
    assert "Traceback" not in result.output, shown
    if result.exit_code == 0:
        assert (out / "report.html").is_file(), f"succeeded without a report\n{shown}"
        return "success"
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) <= 1, shown
    if not errors:  # interrupted or terminated: one short line
        assert result.exit_code in (130, 143), shown
    return "error"


def options_of(command: str) -> list[str]:
    params = main.commands[command].params
    names = [opt for p in params for opt in getattr(p, "opts", []) if opt.startswith("--")]
    return sorted(set(names) - {"--help", "--out", "--config"})


OUTCOMES: dict[str, dict[str, int]] = {}


def count(kind: str, outcome: str) -> None:
    OUTCOMES.setdefault(kind, {"success": 0, "error": 0})[outcome] += 1


@FUZZ
@given(data=st.data())
def test_random_option_values(tmp_path_factory, data):
    command = data.draw(st.sampled_from(sorted(TINY)))
    chosen = data.draw(
        st.lists(st.sampled_from(options_of(command)), min_size=1, max_size=3, unique=True)
    )
    args = [command, *TINY[command]]
    for option in chosen:
        args += [option, data.draw(st.sampled_from(VALUES))]
    out = tmp_path_factory.mktemp("out")
    args += ["--out", str(out / "o")]
    count("options", check_outcome(invoke(args), out / "o", args))


CELLS = ["1", "2.5", "-3", "0", "", "nan", "NaN", "inf", "1e400", "abc", "0x10", '"4,5"', " 7 "]


@st.composite
def csv_texts(draw) -> bytes:
    """Mostly a sound numeric table with a few random faults; sometimes random cells, or
    bytes that are not text."""
    kind = draw(st.sampled_from(["sound", "sound", "sound", "cells", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "cells":
        n_columns = draw(st.integers(1, 4))
        header = draw(st.lists(st.sampled_from(NAMES), min_size=n_columns, max_size=n_columns))
        rows = draw(
            st.lists(
                st.lists(
                    st.sampled_from(CELLS), min_size=max(n_columns - 1, 1), max_size=n_columns + 1
                ),
                max_size=40,
            )
        )
    else:
        header = ["y", "x1", "x2"]
        n_rows = draw(st.integers(4, 60))
        regression = draw(st.booleans())
        rows = [
            [
                str(draw(st.floats(-1e4, 1e4)) if regression else draw(st.integers(0, 2))),
                str(draw(st.floats(-1e6, 1e6))),
                str(draw(st.integers(-5, 5))),
            ]
            for _ in range(n_rows)
        ]
        for _ in range(draw(st.integers(0, 2))):  # faults
            row, column = draw(st.integers(0, n_rows - 1)), draw(st.integers(0, 2))
            rows[row][column] = draw(st.sampled_from(CELLS))
    separator = draw(st.sampled_from([",", ",", ",", ";", "\t"]))
    with_header = draw(st.sampled_from([True, True, True, True, False]))
    lines = [separator.join(header)] * with_header + [separator.join(r) for r in rows]
    return ("\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))).encode()


NAMES = ["y", "x", "z", "", "Unnamed: 0", "target", "é"]


@FUZZ
@given(content=csv_texts(), model=st.sampled_from(["auto", "linear", "mlp"]))
def test_random_csv_files(tmp_path_factory, content, model):
    folder = tmp_path_factory.mktemp("csv")
    path = folder / "data.csv"
    path.write_bytes(content)
    out = folder / "o"
    args = [
        "compare",
        "--csv",
        str(path),
        "--target",
        "y",
        "--model",
        model,
        "--epochs",
        "1",
        "--optimizer",
        "Adam",
        "--no-progress",
        "--out",
        str(out),
    ]
    count("csv", check_outcome(invoke(args), out, args))


KEYS = [
    "epochs",
    "batch-size",
    "batch_size",
    "optimizer",
    "optimizers",
    "dataset",
    "lr",
    "csv",
    "target",
    "model",
    "hidden",
    "seed",
    "l2",
    "patience",
    "scale",
    "progress",
    "epoch",
    "learning_rate",
    "n-samples",
    "out",
    "compare",
    "sweep",
]
SCALARS = st.one_of(
    st.integers(-3, 200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.sampled_from(["Adam", "moons", "full", "SGD:0.1", "", "iris"]),
    st.text(string.printable, max_size=8),
)


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(str(value), repr(value))
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return str(value)


@st.composite
def toml_texts(draw) -> bytes:
    if draw(st.integers(0, 6)) == 0:  # sometimes not TOML
        return draw(st.binary(max_size=120))
    entries = draw(
        st.dictionaries(
            st.sampled_from(KEYS), st.one_of(SCALARS, st.lists(SCALARS, max_size=3)), max_size=4
        )
    )
    lines = [f"{key} = {toml_value(value)}" for key, value in entries.items()]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "[compare]")
    return ("\n".join(lines) + "\n").encode()


@FUZZ
@given(content=toml_texts())
def test_random_toml_files(tmp_path_factory, content):
    folder = tmp_path_factory.mktemp("toml")
    path = folder / "settings.toml"
    path.write_bytes(content)
    out = folder / "o"
    args = [
        "compare",
        "--config",
        str(path),
        "--n-samples",
        "30",
        "--epochs",
        "1",
        "--no-progress",
        "--out",
        str(out),
    ]
    count("toml", check_outcome(invoke(args), out, args))


@pytest.fixture(scope="module", autouse=True)
def report_counts():
    """Print how many cases of each kind succeeded or were refused (pytest -s shows it)."""
    yield
    print(f"\nfuzz outcomes: {OUTCOMES}")
