"""``optimlab landscape``'s surface, start, schedule and clipping options: refused up front in
one line naming the option, and read from the command line and from a file."""

from __future__ import annotations

import importlib.util
import json

import numpy as np
import pytest
from click.testing import CliRunner

from optimlab.cli import main
from optimlab.lab import landscape_run


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def ran(monkeypatch):
    """The optimizers the command ran (none, if refused up front)."""
    calls = []
    real = landscape_run.LandscapeSetup.run
    monkeypatch.setattr(
        landscape_run.LandscapeSetup,
        "run",
        lambda self, optimizers, log=None: calls.append(optimizers) or real(self, optimizers, log),
    )
    return calls


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rosenbrock", "--start", "1"], "Invalid value for '--start': must be two numbers x,y"),
        (["rosenbrock", "--start", "1,2,3"], "must be two numbers x,y (--start=-1.5,2), got"),
        (["rosenbrock", "--start", "nan,1"], "Invalid --start: nan; --start must be finite"),
        (["booth", "--start", "1e200,1e200"], "f or its gradient is not finite there"),
        (["booth", "--optimizer", "SGD:0.1", "--optimizer", "sgd:0.1"], "more than once"),
        (["rosenbrock", "--clip", "norm", "--clip-at", "0"], "Invalid --clip-at: 0.0; --clip-at "),
        (["rosenbrock", "--clip", "norms"], "(did you mean 'norm'?)"),
        (["rosenbrock", "--schedule", "cosin"], "Invalid --schedule: 'cosin'; --schedule must be"),
        (["rosenbrock", "--schedule", "cosin"], "(did you mean 'cosine'?)"),
        (["rosenbrock", "--schedule", "step", "--decay", "1.5"], "Invalid --decay: 1.5;"),
        (["rosenbrock", "--schedule", "step", "--period", "0"], "Invalid --period: 0;"),
        (["rosenbrock", "--decay", "0.5"], "--decay applies to --schedule step, exponential or"),
        (["rosenbrock", "--schedule", "cosine", "--period", "5"], "--period applies to --sche"),
        (["rosenbrock", "--clip-at", "2"], "--clip-at applies to --clip norm or value only"),
        (["rosenbrock", "--sampling", "minibatch"], "--sampling applies to FUNCTION logistic"),
        (["rosenbrock", "--sampling", "minibatch"], "out or use the function logistic ("),
        (
            ["rosenbrock", "--schedule", "warmup_cosine", "--period", "1000"],
            "Invalid --period: 1000; the warmup of --schedule warmup_cosine must be shorter "
            "than the run (--steps = 300): set --period to at most 299 or --steps above 1000",
        ),
        (
            ["booth", "--schedule", "warmup_cosine", "--steps", "100", "--period", "100"],
            "--steps above 100",
        ),
        (["logistic", "--batch-size", "5"], "--batch-size applies to --sampling minibatch only"),
        (["logistic", "--sampling", "batch"], "Invalid --sampling: 'batch'; --sampling must be"),
        (["logistic", "--sampling", "minibatch", "--batch-size", "0"], "Invalid --batch-size: 0"),
        (["rosenbrock", "--expression", "x^2"], "give FUNCTION or --expression, not both"),
        ([], "Missing argument 'FUNCTION'"),
        (["logistc"], "did you mean 'logistic'?"),
    ],
)
def test_a_bad_setting_is_refused_in_one_line_before_any_work(tmp_path, ran, args, message):
    result = invoke("landscape", *args, "--out", tmp_path / "o")
    assert result.exit_code == 2 and message in result.output, result.output
    assert len([line for line in result.output.splitlines() if line.startswith("Error")]) == 1
    assert ran == [] and not (tmp_path / "o").exists()


@pytest.mark.parametrize("formula", ["__import__('os')", "x.real", "x +", "", "(lambda: 1)()"])
def test_a_refused_formula_gives_the_parsers_message(tmp_path, ran, formula):
    pytest.importorskip("sympy")
    from optimlab.play.expression import ExpressionError, ExpressionLandscape

    with pytest.raises(ExpressionError) as refused:
        ExpressionLandscape(formula, start=(-2.0, 2.0))
    result = invoke("landscape", "--expression", formula, "--out", tmp_path / "o")
    assert result.exit_code == 2, result.output
    assert f"Error: Invalid value for '--expression': {refused.value}" in result.output
    assert ran == [] and not (tmp_path / "o").exists()


def test_a_formula_without_sympy_names_the_extra(tmp_path, monkeypatch, ran):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "sympy" else real(name, *a)
    )
    result = invoke("landscape", "--expression", "x^2 + y^2", "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "needs SymPy: pip install 'optimlab[play]'" in result.output, result.output
    assert ran == [] and not (tmp_path / "o").exists()


def _paths(out):
    return {k: np.array(v, dtype=float) for k, v in json.loads(out.read_text())["paths"].items()}


def test_a_negative_start_reads_with_or_without_the_equals_sign(tmp_path):
    for index, start in enumerate([["--start=-1,2"], ["--start", "-1,2"]]):
        out = tmp_path / str(index)
        result = invoke(
            "landscape", "booth", *start, "--steps", 3, "--optimizer", "SGD:0.01",
            "--no-animate", "--out", out,
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        assert _paths(out / "landscape.json")["SGD:0.01"][0].tolist() == [-1.0, 2.0]


def test_the_command_line_wins_over_the_files_function_or_expression(tmp_path):
    pytest.importorskip("sympy")
    config = tmp_path / "view.toml"
    config.write_text('[landscape]\nfunction = "booth"\nsteps = 4\nanimate = false\n')
    result = invoke(
        "landscape", "--config", config, "--expression", "x^2 + 3*y^2", "--start", "1,1",
        "--optimizer", "SGD:0.1", "--out", tmp_path / "o",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    # f = x^2 + 3 y^2: x_k = (1 - 2 lr)^k, y_k = (1 - 6 lr)^k from (1, 1)
    k = np.arange(5)[:, None]
    expected = np.array([0.8, 0.4]) ** k
    path = _paths(tmp_path / "o" / "landscape.json")["SGD:0.1"]
    np.testing.assert_allclose(path, expected, rtol=1e-15, atol=1e-15)
    assert (tmp_path / "o" / "expression.png").exists()


@pytest.mark.parametrize("formula", ["log(x) + y^2", "log(x - 10)"])
def test_a_formula_undefined_at_the_start_points_at_both_options(tmp_path, ran, formula):
    pytest.importorskip("sympy")
    result = invoke("landscape", "--expression", formula, "--out", tmp_path / "o")
    assert result.exit_code == 2
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("Error: f is not finite at the start point (-2, 2)")
    assert line.endswith("move the start (--start=x,y) or change f")
    assert ran == [] and not (tmp_path / "o").exists()


def test_a_short_warmup_cosine_run_takes_a_default_warmup_that_fits(tmp_path):
    """--period is not given: the warmup is --steps - 1 (49), not the default 100 refused."""
    args = ["landscape", "booth", "--schedule", "warmup_cosine", "--steps", "50"]
    result = CliRunner().invoke(main, [*args, "--no-animate", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "landscape.json").read_text())["config"]["period"] == 49
