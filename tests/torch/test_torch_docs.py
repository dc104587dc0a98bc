"""The examples of docs/torch.md (and README's PyTorch section) run and do what they say."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "torch.md"


def blocks(path: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", path.read_text(), re.S)


def run(code: str, tmp_path, monkeypatch) -> dict:
    monkeypatch.chdir(tmp_path)  # the training example writes checkpoint.pt
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # steady on a shared machine; the examples are small
    try:
        namespace: dict = {"__name__": "__example__"}
        exec(compile(code, "docs example", "exec"), namespace)
        return namespace
    finally:
        torch.set_num_threads(threads)


def test_the_quick_start_fits_its_data(tmp_path, monkeypatch):
    ns = run(blocks(DOCS)[0], tmp_path, monkeypatch)
    with torch.no_grad():
        start = torch.nn.functional.mse_loss(torch.zeros(256), ns["y"]).item()
    assert ns["loss"].item() < 0.05 < start / 50
    assert ns["opt"].param_groups[0]["lr"] == pytest.approx(0.01 * 0.5**3)


@pytest.mark.slow
def test_the_digits_cnn_learns_and_its_checkpoint_resumes(tmp_path, monkeypatch):
    ns = run(blocks(DOCS)[1], tmp_path, monkeypatch)
    assert ns["accuracy"] >= 0.9
    saved = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    opt = type(ns["opt"])(ns["model"].parameters(), lr=1e-2, convention="keras")
    opt.load_state_dict(saved["optimizer"])
    assert float(opt.state[next(ns["model"].parameters())]["step"]) == 8 * 24


def test_the_nesterov_example_converges(tmp_path, monkeypatch):
    ns = run(blocks(DOCS)[2], tmp_path, monkeypatch)
    assert ns["w"].detach().abs().max() < 1e-3


def test_the_newton_example_reaches_the_optimum(tmp_path, monkeypatch):
    ns = run(blocks(DOCS)[3], tmp_path, monkeypatch)
    params = [p.detach() for p in ns["model"].parameters()]
    grads = torch.func.grad(ns["loss_at"])(params)
    assert max(float(g.abs().max()) for g in grads) < 1e-10


def test_the_schedule_free_example_evaluates_at_the_average(tmp_path, monkeypatch):
    ns = run(blocks(DOCS)[4], tmp_path, monkeypatch)
    opt, model = ns["opt"], ns["model"]
    assert opt.training  # evaluating() put the parameters back at y
    with torch.no_grad():
        at_y = torch.nn.functional.mse_loss(model(ns["X"]), ns["y"]).item()
    assert ns["loss"] != at_y and ns["loss"] < 1.2  # x is another point, and a fit


def test_the_task_file_of_the_docs_trains_through_the_lab(tmp_path, monkeypatch):
    from optimlab.lab.experiment import RunSpec
    from optimlab.lab.experiment import run as run_spec

    code = blocks(DOCS)[5]
    assert code.startswith("# mytask.py\n")
    (tmp_path / "mytask_docs.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    result = run_spec(RunSpec(task="mytask_docs.py:make_task", optimizer="Adam", epochs=5))
    assert result.history.epoch_val_metric[-1] > 0.8  # the MLP learns the XOR-like labels


def test_the_python_run_compare_example_of_the_lab_section(tmp_path, monkeypatch):
    ns = run(blocks(DOCS)[6], tmp_path, monkeypatch)
    assert [r.spec.optimizer for r in ns["result"].results] == ["SGD", "Rprop"]
    assert all(row["val_metric"] > 0.5 for row in ns["result"].table())


def test_the_readme_pytorch_example_is_the_quick_start(tmp_path, monkeypatch):
    text = (ROOT / "README.md").read_text()
    section = re.search(r"^## PyTorch\n(.*?)(?=^## )", text + "\n## ", re.S | re.M)
    if section is None:
        pytest.skip("README.md has no '## PyTorch' section yet")
    (code,) = re.findall(r"```python\n(.*?)```", section.group(1), re.S)
    assert code == blocks(DOCS)[0]
    ns = run(code, tmp_path, monkeypatch)
    assert ns["loss"].item() < 0.05
