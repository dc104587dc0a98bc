"""``--config FILE.toml``: keys named like the options, tables per command, one-line errors."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from optimlab.cli import main

TINY = 'dataset = "moons"\nn-samples = 60\nmodel = "logistic"\nprogress = false\n'


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def runs(folder):
    return json.loads((folder / "results.json").read_text())["runs"]


def test_keys_are_the_option_names_as_typed(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(
        TINY
        + 'epochs = 2\nbatch-size = 16\noptimizer = ["SGD:0.2", "Adam:0.05"]\nhidden = [8, 4]\n'
    )
    result = invoke("compare", "--config", config, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    specs = [r["spec"] for r in runs(tmp_path / "o")]
    assert [(s["optimizer"], s["lr"]) for s in specs] == [("SGD", 0.2), ("Adam", 0.05)]
    assert specs[0]["epochs"] == 2 and specs[0]["batch_size"] == 16
    assert specs[0]["hidden"] == [8, 4]  # a list for a comma-separated option
    assert specs[0]["n_samples"] == 60


def test_underscores_and_the_plural_of_a_repeatable_option_work_too(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(TINY + 'epochs = 1\nbatch_size = "full"\noptimizers = "Adam:0.1"\n')
    result = invoke("compare", "--config", config, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    spec = runs(tmp_path / "o")[0]["spec"]
    assert spec["batch_size"] is None and spec["optimizer"] == "Adam"  # one value, no list


def test_the_command_table_wins_over_top_level_keys_and_the_command_line_over_both(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(
        TINY + 'epochs = 5\nseed = 4\noptimizer = "SGD:0.1"\n'
        "[compare]\nepochs = 2\n[sweep]\nseeds = 7\n"  # [sweep] is left to sweep
    )
    result = invoke("compare", "--config", config, "--seed", 9, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    spec = runs(tmp_path / "o")[0]["spec"]
    assert (spec["epochs"], spec["seed"]) == (2, 9)


def test_a_file_can_give_a_landscape_its_function_argument(tmp_path):
    config = tmp_path / "paths.toml"
    config.write_text('[landscape]\nfunction = "booth"\nsteps = 3\nanimate = false\n')
    result = invoke("landscape", "--config", config, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "o" / "booth.png").exists() and not (tmp_path / "o" / "booth.gif").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "epochz = 2\n",
            "unknown setting 'epochz' for 'optimlab compare' (did you mean 'epochs'?)",
        ),
        (
            "csv_path = 'x.csv'\n",
            "unknown setting 'csv_path' for 'optimlab compare' (did you mean 'csv'?)",
        ),
        ("lr-min = 0.1\n", "unknown setting 'lr-min'"),
        ("[compre]\nepochs = 2\n", "unknown table [compre] (did you mean [compare]?)"),
        (
            "[sweep]\nseeds = 2\n",
            "has no settings for 'optimlab compare' (it has settings for sweep only)",
        ),
        ("", "has no settings for 'optimlab compare'"),
        ("epochs = 'abc'\n", "epochs must be an integer, got 'abc'"),
        ("epochs = 2.5\n", "epochs must be an integer, got 2.5"),
        ("epochs = true\n", "epochs must be an integer, got true"),
        ("epochs = 0\n", "epochs = 0: 0 is not in the range x>=1"),
        ("epochs = [1, 2]\n", "epochs takes one value, not a list"),
        ("dataset = ['moons', 'xor']\n", "dataset takes one value, not a list"),
        ("lr = 'fast'\n", "lr must be a number, got 'fast'"),
        ("progress = 'no'\n", "progress must be true or false, got 'no'"),
        ("seed = 1979-05-27\n", "seed must be an integer, got 1979-05-27"),
        ("model = 'tree'\n", "model = 'tree': 'tree' is not one of"),
        ("optimizer = [1, {a = 1}]\n", "optimizer must be a single value"),
        ("batch-size = 8\nbatch_size = 16\n", "'batch-size' and 'batch_size' are the same setting"),
        ("[compare]\n[compare.model]\nkind = 'mlp'\n", "model is a table; give it a value"),
        ("epochs = 3\noptimizer = ['Adam:0.01'\n", "is not valid TOML"),
        ("epochs = 3\nlr = = 0.1\n", "line 2"),
    ],
)
def test_every_problem_with_a_file_is_one_line_before_any_work(tmp_path, text, message):
    config = tmp_path / "bad.toml"
    config.write_text(text)
    result = CliRunner().invoke(
        main, ["compare", "--config", str(config), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 2, result.output
    assert message in result.output
    error = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(error) == 1 and str(config) in error[0]
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not (tmp_path / "o").exists()


def test_a_file_that_is_not_utf8_a_folder_or_missing_is_one_line(tmp_path):
    latin = tmp_path / "latin.toml"
    latin.write_bytes("model = 'mlp' # caf\xe9\n".encode("latin-1"))
    cases = {
        str(latin): "is not UTF-8 text (byte 19 is 0xe9)",
        str(tmp_path): "is a directory",
        str(tmp_path / "missing.toml"): "does not exist",
    }
    for path, message in cases.items():
        result = CliRunner().invoke(main, ["compare", "--config", path])
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path):
    config = tmp_path / "bom.toml"
    config.write_bytes(b"\xef\xbb\xbf" + (TINY + 'epochs = 1\noptimizer = "Adam"\n').encode())
    result = invoke("compare", "--config", config, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read anything")
def test_an_unreadable_file_is_one_line(tmp_path):
    config = tmp_path / "secret.toml"
    config.write_text("epochs = 2\n")
    config.chmod(0)
    result = CliRunner().invoke(main, ["compare", "--config", str(config)])
    assert result.exit_code == 2 and "not readable" in result.output


def test_a_file_that_cannot_be_read_is_one_line(tmp_path, monkeypatch):
    config = tmp_path / "run.toml"
    config.write_text("epochs = 2\n")

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(config), "read_bytes", refuse)
    result = CliRunner().invoke(main, ["compare", "--config", str(config)])
    assert result.exit_code == 2
    assert f"cannot read {config}: Permission denied" in result.output
