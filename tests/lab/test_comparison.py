"""`optimlab.lab.run_compare`: the runs, their table, and the files ``optimlab compare`` writes."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from optimlab.cli import main
from optimlab.lab import comparison
from optimlab.lab.comparison import run_compare
from optimlab.lab.experiment import RunSpec, run

BASE = RunSpec(dataset="moons", model="logistic", n_samples=80, epochs=3)
SPECS = [replace(BASE, optimizer="SGD", lr=0.1), replace(BASE, optimizer="Adam", lr=0.05)]


def strict_json(path):
    def refuse(constant):
        raise AssertionError(f"{path.name} holds {constant}, which is not JSON")

    return json.loads(path.read_text(), parse_constant=refuse)


@pytest.fixture(scope="module")
def compared():
    return run_compare(SPECS)


def test_each_run_is_the_run_of_its_spec(compared):
    for spec, result in zip(SPECS, compared.results):
        alone = run(spec)
        assert result.spec == spec
        assert result.history.loss == alone.history.loss  # deterministic under the seed
        assert result.history.epoch_val_loss == alone.history.epoch_val_loss
    rows = compared.table()
    assert [row["label"] for row in rows] == ["SGD(lr=0.1)", "Adam(lr=0.05)"]
    for row, result in zip(rows, compared.results):
        assert row["val_loss"] == result.history.epoch_val_loss[-1]
        assert row["train_loss"] == result.history.epoch_train_loss[-1]


def test_write_gives_the_files_of_the_command(compared, tmp_path):
    report = compared.write(tmp_path / "lib", command="from a test")
    assert report == tmp_path / "lib" / "report.html"
    names = ("train_loss.png", "val_loss.png", "results.json", "report.html")
    for name in names:
        assert (tmp_path / "lib" / name).stat().st_size > 0
    page = report.read_text()
    assert "from a test" in page and page.count("<img") == 2
    assert "seed 003" not in page

    options = ["--dataset", "moons", "--n-samples", "80", "--model", "logistic"]
    command = [
        "compare",
        *options,
        "--epochs",
        "3",
        "--optimizer",
        "SGD:0.1",
        "--optimizer",
        "Adam:0.05",
        "--out",
        str(tmp_path / "cli"),
        "--no-progress",
    ]
    result = CliRunner().invoke(main, command, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == sorted(names)
    library, cli = (
        strict_json(tmp_path / "lib" / "results.json"),
        strict_json(tmp_path / "cli" / "results.json"),
    )
    for mine, theirs in zip(library["runs"], cli["runs"], strict=True):
        assert mine["spec"] == theirs["spec"]
        assert mine["history"]["loss"] == theirs["history"]["loss"]
        assert mine["history"]["epoch_val_loss"] == theirs["history"]["epoch_val_loss"]
        del mine["summary"]["seconds"], theirs["summary"]["seconds"]
        assert mine["summary"] == theirs["summary"]


def test_a_bad_optimizer_in_the_last_spec_is_refused_before_any_run(monkeypatch):
    calls = []
    monkeypatch.setattr(comparison, "run", lambda spec, **kw: calls.append(spec))
    # a spec with a bad optimizer setting cannot even be made, so no run can start
    with pytest.raises(ValueError, match=r"did you mean 'momentum'"):
        replace(BASE, optimizer="SGD", lr=0.1, options=(("momentm", 0.9),))
    with pytest.raises(ValueError, match=r"Invalid momentum: 2\.0"):
        replace(BASE, optimizer="SGD", options=(("momentum", 2.0),))
    assert calls == []


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        ([], "non-empty list of RunSpec"),
        (["moons"], "must hold RunSpec values"),
        ([SPECS[0], replace(SPECS[0], seed=1)], r"SGD\(lr=0.1\) is given more than once"),
    ],
)
def test_bad_lists_of_specs_are_refused(specs, message, monkeypatch):
    monkeypatch.setattr(comparison, "run", lambda spec, **kw: pytest.fail("trained"))
    with pytest.raises(ValueError, match=message):
        run_compare(specs)


def test_log_is_told_before_each_run(monkeypatch):
    said = []
    run_compare(SPECS[:1], log=said.append)
    assert said == ["training SGD(lr=0.1) ..."]
