"""Sweeps that search more than the learning rate: the protocol (best setting, seeds, verdict)
checked against the stored rows read with plain SQL, the sensitivity along each dimension
computed by hand from those rows, resuming a random search, and what the report draws."""

from __future__ import annotations

import json
import math
import sqlite3
from collections import defaultdict

import numpy as np
import pytest

from optimlab import viz
from optimlab.lab import sweep as sweep_module
from optimlab.lab.experiment import RunSpec
from optimlab.lab.sweep import Interval, RandomSearch, sweep

TINY = RunSpec(dataset="moons", model="logistic", n_samples=120, epochs=3, batch_size=16)
LRS = [0.01, 0.1, 1.0]
GRID = {"momentum": [0.0, 0.9], "beta2": [0.9, 0.999], "batch_size": [16, 48]}


@pytest.fixture
def counted(monkeypatch):
    real = sweep_module.run
    calls: list[RunSpec] = []

    def counting(spec):
        calls.append(spec)
        return real(spec)

    monkeypatch.setattr(sweep_module, "run", counting)
    return calls


def stored_rows(path) -> list[dict]:
    """Every row of the store, read with plain SQL and JSON (not through RunStore)."""
    raw = sqlite3.connect(path)
    rows = raw.execute("SELECT key, spec, summary FROM runs").fetchall()
    raw.close()
    return [
        {"key": key, "spec": json.loads(spec), "summary": json.loads(summary)}
        for key, spec, summary in rows
    ]


def setting_of(row: dict) -> dict:
    """The searched values of a stored row, read from its spec by hand."""
    spec = row["spec"]
    options = spec["options"]
    found = {"lr": spec["lr"], "batch_size": spec["batch_size"]}
    if "momentum" in options:
        found["momentum"] = options["momentum"]
    if "betas" in options:
        found["beta2"] = options["betas"][1]
    return found


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory):
    path = tmp_path_factory.mktemp("grid") / "runs.sqlite"
    result = sweep(TINY, ["SGD", "Adam"], LRS, seeds=(0, 1), search=GRID, store=path)
    return result, stored_rows(path)


def test_each_optimizer_gets_the_grid_of_the_names_it_takes(grid_sweep):
    result, rows = grid_sweep
    tuning = [r for r in rows if r["spec"]["seed"] == 0]
    sgd = sorted(
        tuple(sorted(setting_of(r).items())) for r in tuning if r["spec"]["optimizer"] == "SGD"
    )
    assert sgd == sorted(
        (("batch_size", b), ("lr", lr), ("momentum", m))
        for lr in LRS
        for m in (0.0, 0.9)
        for b in (16, 48)
    )
    adam = [r["spec"]["options"] for r in tuning if r["spec"]["optimizer"] == "Adam"]
    assert len(adam) == 12 and all(set(o) == {"betas"} and o["betas"][0] == 0.9 for o in adam)
    assert len(rows) == 24 + 2  # + each best setting on seed 1
    assert result.search.dimension("momentum").applies_to == ("SGD",)
    assert result.search.dimension("beta2").applies_to == ("Adam",)


def test_the_best_setting_is_the_argmin_of_the_stored_tuning_rows_and_is_run_on_every_seed(
    grid_sweep,
):
    result, rows = grid_sweep
    means = {}
    for optimizer in ("SGD", "Adam"):
        tuning = [r for r in rows if r["spec"]["optimizer"] == optimizer and r["spec"]["seed"] == 0]
        best = min(tuning, key=lambda r: r["summary"]["val_loss"])  # none diverged here
        assert all(r["summary"]["status"] != "diverged" for r in tuning)
        outcome = result.outcome(optimizer)
        assert dict(outcome.best_setting) == setting_of(best)
        assert outcome.seed_keys[0] == best["key"]
        seed_1 = [r for r in rows if r["spec"]["seed"] == 1 and r["spec"]["optimizer"] == optimizer]
        assert len(seed_1) == 1 and setting_of(seed_1[0]) == setting_of(best)
        losses = [best["summary"]["val_loss"], seed_1[0]["summary"]["val_loss"]]
        metrics = [best["summary"]["val_metric"], seed_1[0]["summary"]["val_metric"]]
        means[optimizer] = np.mean(losses)
        row = next(r for r in result.table() if r["optimizer"] == optimizer)
        assert row["val_loss_mean"] == pytest.approx(np.mean(losses), rel=1e-12)
        assert row["val_loss_std"] == pytest.approx(np.std(losses, ddof=1), rel=1e-12)
        assert row["val_accuracy_mean"] == pytest.approx(np.mean(metrics), rel=1e-12)
        assert row["val_accuracy_std"] == pytest.approx(np.std(metrics, ddof=1), rel=1e-12)
        assert row["best_lr"] == setting_of(best)["lr"]
    assert result.verdict.winner == min(means, key=means.get)
    sgd_row = next(r for r in result.table() if r["optimizer"] == "SGD")
    assert sgd_row["best_beta2"] is None and sgd_row["best_momentum"] in (0.0, 0.9)


def test_the_sensitivity_along_a_dimension_is_the_lowest_loss_at_each_value(grid_sweep):
    result, rows = grid_sweep
    tuning = [r for r in rows if r["spec"]["seed"] == 0]
    for name in ("lr", "momentum", "beta2", "batch_size"):
        by_hand: dict[str, dict] = defaultdict(lambda: defaultdict(lambda: math.inf))
        for r in tuning:
            setting = setting_of(r)
            if name in setting:
                optimizer, value = r["spec"]["optimizer"], setting[name]
                by_hand[optimizer][value] = min(by_hand[optimizer][value], r["summary"]["val_loss"])
        expected = {o: sorted(values.items()) for o, values in by_hand.items()}
        assert result.sensitivity_along(name) == expected
    assert result.curves() == result.sensitivity_along("lr")
    with pytest.raises(KeyError, match="'eps' was not searched"):
        result.sensitivity_along("eps")


def test_the_files_hold_the_search_and_draw_one_sensitivity_figure_per_dimension(
    grid_sweep, tmp_path, monkeypatch
):
    result, _ = grid_sweep
    drawn = {}
    real = viz.plot_sensitivity

    def spy(results, name, path=None, **options):
        drawn[name] = (results, options)
        return real(results, name, path, **options)

    monkeypatch.setattr(viz, "plot_sensitivity", spy)
    report = result.write(tmp_path, command="from a test")
    for name in ("sensitivity.png", "sensitivity_momentum.png", "sensitivity_beta2.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert (tmp_path / "sensitivity_batch_size.png").stat().st_size > 0
    assert drawn["momentum"][0] == result.sensitivity_along("momentum")
    assert drawn["learning rate"][1]["log_x"] is True and drawn["momentum"][1]["log_x"] is False
    page = report.read_text()
    assert page.count("<img") == 4 + 1  # one per dimension, and the best runs' curves
    assert "momentum applied to SGD." in page and "Schneider et al. 2019" in page
    data = json.loads((tmp_path / "results.json").read_text())
    dims = {d["name"]: d for d in data["search"]["dimensions"]}
    assert dims["beta2"]["applies_to"] == ["Adam"] and dims["beta2"]["values"] == [0.9, 0.999]
    assert data["sensitivity_by_dimension"]["momentum"]["SGD"] == [
        list(pair) for pair in result.sensitivity_along("momentum")["SGD"]
    ]
    assert data == json.loads(json.dumps(result.to_dict()))


def test_the_best_runs_curves_are_titled_and_labelled_with_their_settings(tmp_path, monkeypatch):
    result = sweep(TINY, ["SGD"], [4.64159], seeds=(0,), store=tmp_path / "runs.sqlite")
    figures = []
    real = viz.plot_losses

    def spy(*args, **kwargs):
        figures.append(real(*args, **kwargs))
        return figures[-1]

    monkeypatch.setattr(viz, "plot_losses", spy)
    result.write(tmp_path / "out")
    axes = figures[0].axes[0]
    assert axes.get_title() == "Validation loss per epoch at each optimizer's best setting"
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["SGD lr=4.64"]


def test_a_random_search_resumes_from_the_store_without_training_again(tmp_path, counted):
    search = RandomSearch(
        5, {"lr": Interval(1e-3, 1.0, log=True), "beta2": Interval(0.9, 0.9999)}, seed=4
    )
    path = tmp_path / "runs.sqlite"
    first = sweep(TINY, ["SGD", "Adam"], seeds=(0, 1), search=search, store=path)
    assert len(counted) == 2 * 5 + 2 and first.computed == 12
    counted.clear()
    again = sweep(TINY, ["SGD", "Adam"], seeds=(0, 1), search=search, store=path)
    assert counted == [] and again.reused == 12
    assert again.table() == first.table()
    lrs = sorted({p.lr for o in first.outcomes for p in o.curve})
    assert list(first.lrs) == lrs and len(lrs) == 5  # both optimizers got the same rates
    wider = RandomSearch(7, dict(search.spaces), seed=4)
    sweep(TINY, ["SGD", "Adam"], seeds=(0, 1), search=wider, store=path)
    assert len([s for s in counted if s.seed == 0]) == 2 * 2  # only the two new draws


def test_a_search_is_checked_before_any_run(tmp_path, counted):
    with pytest.raises(ValueError, match="did you mean 'momentum'"):
        sweep(TINY, ["SGD"], LRS, search={"momentun": [0.9]}, store=tmp_path / "runs.sqlite")
    assert counted == [] and not (tmp_path / "runs.sqlite").exists()
