"""``--task`` and ``--device`` on the command line: compare, sweep and lr-find on torch
models, and every refusal in one line before any work."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from click.testing import CliRunner  # noqa: E402

from optimlab.cli import _runs, main  # noqa: E402

TASK = ["--task", "torch:logistic:iris"]
#: lr-find trains no run: the budget options belong to compare and sweep.
BUDGET = {"compare": ["--epochs", "1"], "sweep": ["--epochs", "1"], "lr-find": []}


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_compare_trains_a_task_and_reports_it(tmp_path):
    result = invoke(
        "compare",
        *TASK,
        *BUDGET["compare"],
        "--optimizer",
        "SGD:0.1",
        "--optimizer",
        "Adam",
        "--no-progress",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    runs = json.loads((tmp_path / "results.json").read_text())["runs"]
    assert [r["spec"]["task"] for r in runs] == ["torch:logistic:iris"] * 2
    assert all("dataset" not in r["spec"] for r in runs)
    assert "optimlab compare on task torch:logistic:iris" in (tmp_path / "report.html").read_text()
    assert "SGD(lr=0.1)" in result.output and "Adam(lr=0.01)" in result.output


def test_sweep_of_a_task_resumes_from_its_store(tmp_path):
    args = [
        "sweep",
        *TASK,
        *BUDGET["sweep"],
        "--optimizers",
        "SGD,Adam",
        "--lrs",
        "0.01,0.1",
        "--seeds",
        1,
    ]
    args += ["--jobs", 1, "--no-progress", "--out", tmp_path]
    first = invoke(*args)
    assert first.exit_code == 0, first.output
    assert "4 runs trained now, 0 reused" in first.output
    again = invoke(*args)
    assert "0 runs trained now, 4 reused from the store" in again.output


def test_lr_find_ramps_a_tasks_optimizer(tmp_path):
    result = invoke(
        "lr-find",
        *TASK,
        "--optimizer",
        "Adam",
        "--iterations",
        20,
        "--burn-in",
        2,
        "--out",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    assert "suggested learning rate" in result.output
    assert json.loads((tmp_path / "lr_find.json").read_text())["settings"]["run"]["task"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--dataset", "digits"], "--task brings its own data and model, so --dataset cannot"),
        (["--hidden", "8", "--no-scale"], "--hidden, --scale/--no-scale cannot be used"),
        (["--task", "nosuchmodule:make_task"], "importing nosuchmodule failed"),
        (["--task", "torch:cnn"], "unknown built-in task 'torch:cnn'"),
        (["--task", "make_task"], "write MODULE:FUNCTION"),
        (["--device", "tpu"], "device must be 'cpu', 'cuda' or 'cuda:N'"),
    ],
)
def test_bad_task_options_are_refused_in_one_line_before_any_work(tmp_path, args, message):
    result = invoke("compare", *TASK, *BUDGET["compare"], *args, "--out", tmp_path / "o")
    assert result.exit_code == 2 and message in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
def test_device_cuda_without_cuda_is_refused(tmp_path):
    result = invoke("compare", *TASK, "--epochs", "1", "--device", "cuda", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "finds no CUDA device" in result.output
    assert "'--device'" in result.output


def test_device_without_a_task_is_refused(tmp_path):
    result = invoke("compare", "--device", "cuda", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "--device cuda applies to --task" in result.output


@pytest.mark.parametrize("command", ["compare", "sweep", "lr-find"])
def test_without_torch_task_says_which_extra_to_install(tmp_path, monkeypatch, command):
    monkeypatch.setattr(_runs, "torch_available", lambda: False)
    result = invoke(command, *TASK, *BUDGET[command], "--out", tmp_path / "o")
    assert result.exit_code == 2
    assert "Error: --task needs the torch extra: pip install 'optimlab[torch]'" in result.output
    assert not (tmp_path / "o").exists()


def test_help_shows_the_task_options():
    for command in ("compare", "sweep", "lr-find"):
        text = invoke(command, "--help").output
        assert "--task" in text and "--device" in text and "make_task(seed)" in text
