"""Every subcommand, run with tiny sizes in a temporary folder; the files and numbers it writes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from click.testing import CliRunner

from optimlab.cli import main


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    return result


def test_every_subcommand_has_help():
    for name in main.commands:
        result = invoke(name, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


def test_compare_writes_table_plots_report_and_results(tmp_path):
    result = invoke(
        "compare",
        "--dataset",
        "moons",
        "--n-samples",
        80,
        "--model",
        "logistic",
        "--epochs",
        3,
        "--optimizer",
        "SGD:0.1",
        "--optimizer",
        "Adam:0.05",
        "--out",
        tmp_path,
        "--no-progress",
    )
    assert result.exit_code == 0, result.output
    assert "SGD(lr=0.1)" in result.output and "Adam(lr=0.05)" in result.output
    for name in ("train_loss.png", "val_loss.png", "report.html", "results.json"):
        assert (tmp_path / name).stat().st_size > 0
    runs = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert [r["spec"]["optimizer"] for r in runs] == ["SGD", "Adam"]
    history = runs[0]["history"]
    assert len(history["epoch_train_loss"]) == 3
    # the epoch's training loss is the mean of its batch losses (1 batch of 64 per epoch here?)
    assert all(np.isfinite(history["loss"]))


def test_compare_reads_a_csv(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    path = tmp_path / "data.csv"
    path.write_text("a,b,label\n" + "\n".join(f"{a},{b},{c}" for (a, b), c in zip(X, y)))
    result = invoke(
        "compare",
        "--csv",
        path,
        "--target",
        "label",
        "--epochs",
        2,
        "--optimizer",
        "Adam:0.1",
        "--out",
        tmp_path / "out",
        "--no-progress",
    )
    assert result.exit_code == 0, result.output
    spec = json.loads((tmp_path / "out" / "results.json").read_text())["runs"][0]["spec"]
    assert spec["dataset"].startswith("csv:")


def test_landscape_writes_paths_and_animation(tmp_path):
    result = invoke(
        "landscape", "rosenbrock", "--steps", 5, "--optimizer", "Adam:0.05", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rosenbrock.png").stat().st_size > 0
    assert (tmp_path / "rosenbrock.gif").read_bytes()[:6] in (b"GIF89a", b"GIF87a")


def test_demo_quick_writes_the_report(tmp_path):
    result = invoke("demo", "--quick", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    report = (tmp_path / "report.html").read_text()
    assert "Report:" in result.output
    assert report.count("<img") >= 10
    assert "http://" not in report and "https://" not in report  # works offline


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["compare", "--optimizer", "Adamm"], "unknown optimizer 'Adamm'; choose one of SGD"),
        (
            ["compare", "--dataset", "mnist"],
            "Invalid value for --dataset: unknown data set 'mnist'; choose one of",
        ),
        (["landscape", "rosenbrok"], "rosenbrock"),
        (["compare", "--csv", "x.csv"], "--csv needs --target"),
        (["compare", "--batch-size", "0"], "--batch-size must be >= 1"),
    ],
)
def test_bad_names_list_the_valid_ones(args, message, tmp_path):
    result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert message in result.output


def test_malformed_toml_names_the_line(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('epochs = 3\noptimizers = ["Adam:0.01"\n')
    result = CliRunner().invoke(main, ["compare", "--config", str(config)])
    assert result.exit_code != 0 and "line 2" in result.output
    config.write_text("epochs = 3\nlr = = 0.1\nseed = 1\n")
    result = CliRunner().invoke(main, ["compare", "--config", str(config)])
    assert result.exit_code != 0 and "line 2" in result.output


def test_toml_config_sets_defaults_and_unknown_keys_are_refused(tmp_path):
    config = tmp_path / "run.toml"
    config.write_text(
        '[compare]\nepochs = 2\nmodel = "logistic"\nn_samples = 60\noptimizers = ["SGD:0.2"]\n'
    )
    result = invoke("compare", "--config", config, "--out", tmp_path / "o", "--no-progress")
    assert result.exit_code == 0, result.output
    runs = json.loads((tmp_path / "o" / "results.json").read_text())["runs"]
    assert runs[0]["spec"]["epochs"] == 2 and runs[0]["spec"]["lr"] == 0.2
    config.write_text("epochz = 2\n")
    result = CliRunner().invoke(main, ["compare", "--config", str(config)])
    assert result.exit_code != 0 and "unknown setting 'epochz'" in result.output


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_folder_is_reported_before_work(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = CliRunner().invoke(main, ["compare", "--out", str(locked / "x")])
    assert result.exit_code != 0 and "cannot write to the output folder" in result.output


@pytest.mark.parametrize("below", ["", "sub"])
def test_output_folder_that_is_a_file_is_reported_before_work(tmp_path, below):
    blocker = tmp_path / "file"
    blocker.write_text("mine")
    result = CliRunner().invoke(main, ["compare", "--out", str(blocker / below)])
    assert result.exit_code == 2 and "cannot write to the output folder" in result.output
    assert f"{blocker} is a file, not a folder" in result.output
    assert blocker.read_text() == "mine"


@pytest.mark.parametrize("command", ["compare", "demo", "lr-find"])
def test_an_empty_output_folder_is_refused_not_taken_as_the_current_folder(command):
    result = CliRunner().invoke(main, [command, "--out", " "])
    assert result.exit_code == 2 and "--out is empty" in result.output
