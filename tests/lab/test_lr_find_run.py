"""`optimlab.lab.run_lr_find`: the range test on a RunSpec, and the files it writes."""

from __future__ import annotations

import json

import numpy as np
import pytest

from optimlab import models, optim
from optimlab.data import Standardizer, moons, train_val_split
from optimlab.lab import lr_find_run
from optimlab.lab.experiment import RunSpec
from optimlab.lab.lr_find import lr_find
from optimlab.lab.lr_find_run import run_lr_find

SPEC = RunSpec(
    dataset="moons", model="logistic", n_samples=200, optimizer="SGD", options=(("momentum", 0.9),)
)


def test_the_test_runs_on_the_specs_data_model_and_optimizer():
    found = run_lr_find(SPEC, iterations=40, burn_in=5)
    # the same test set up by hand from the data generator, split and scaler
    X, y = moons(200, noise=0.2, seed=0)
    X_train, _, y_train, _ = train_val_split(X, y, val_fraction=0.2, seed=0, stratify=True)
    X_train = Standardizer().fit(X_train).transform(X_train)
    model = models.LogisticRegression(2)
    by_hand = lr_find(
        model,
        optim.SGD(model.params, lr=1e-7, momentum=0.9),
        X_train,
        y_train,
        iterations=40,
        burn_in=5,
        batch_size=32,
        seed=0,
    )
    np.testing.assert_array_equal(found.result.losses, by_hand.losses)
    assert found.result.suggested == by_hand.suggested
    assert found.ended == f"ran the whole ramp to lr {by_hand.lrs[-1]:.3g}"


def test_write_gives_the_plot_the_history_and_the_report(tmp_path):
    found = run_lr_find(SPEC, iterations=30, burn_in=3)
    report = found.write(tmp_path, command="from a test")
    data = json.loads((tmp_path / "lr_find.json").read_text())
    assert data["settings"]["run"]["options"] == {"momentum": 0.9}
    assert data["settings"]["iterations"] == 30
    assert data["result"]["losses"] == found.result.losses.tolist()
    assert (tmp_path / "lr_find.png").stat().st_size > 0
    page = report.read_text()
    assert "from a test" in page and f"{found.result.suggested:.3g}" in page


@pytest.mark.parametrize(
    ("spec", "settings", "message"),
    [
        (SPEC, {"start": 1.0, "end": 0.1}, "start < end"),
        (SPEC, {"iterations": 3}, "Invalid iterations"),
        (SPEC, {"burn_in": 99}, "Invalid burn_in"),
        (RunSpec(optimizer="Newton"), {}, "Newton has no learning rate"),
        ("moons", {}, "spec must be a RunSpec"),
    ],
)
def test_bad_settings_are_refused_before_the_data_is_loaded(spec, settings, message, monkeypatch):
    monkeypatch.setattr(lr_find_run, "load_split", lambda spec: pytest.fail("loaded the data"))
    with pytest.raises(ValueError, match=message):
        run_lr_find(spec, **settings)


def test_log_names_each_stage():
    said = []
    run_lr_find(SPEC, iterations=20, burn_in=0, log=said.append)
    assert said == [
        "loading moons ...",
        "ramping the learning rate of SGD from 1e-07 to 10 over 20 updates ...",
    ]


def test_a_misspelt_option_is_refused_when_the_spec_is_made():
    with pytest.raises(ValueError, match="did you mean 'momentum'"):
        RunSpec(optimizer="SGD", options=(("momentm", 0.9),))


def test_a_regression_tests_losses_are_on_the_targets_own_scale():
    """The model trains on the standardised target; the losses shown are on the target's
    scale, as `optimlab compare` reports them (the target's variance times the model's)."""
    from sklearn.datasets import load_diabetes

    spec = RunSpec(dataset="diabetes", model="linear", optimizer="SGD")
    found = run_lr_find(spec, iterations=30, burn_in=5)
    X, y = load_diabetes(return_X_y=True)
    X_train, _, y_train, _ = train_val_split(X, y, val_fraction=0.2, seed=0, stratify=False)
    variance = np.var(y_train)  # the population variance, as the target is standardised
    X_scaled = Standardizer().fit(X_train).transform(X_train)
    y_scaled = (y_train - y_train.mean()) / np.sqrt(variance)
    model = models.LinearRegression(10)
    by_hand = lr_find(
        model, optim.SGD(model.params, lr=1e-7), X_scaled, y_scaled,
        iterations=30, burn_in=5, batch_size=32, seed=0,
    )  # fmt: skip
    np.testing.assert_allclose(found.result.losses, by_hand.losses * variance, rtol=1e-9)
    assert found.result.suggested == by_hand.suggested
    assert found.result.losses[0] > 1000  # diabetes' target spans about 25 to 346


def test_a_short_ramp_gets_a_burn_in_that_fits_unless_one_is_given():
    # 5 steps: a slope needs h = 1 step on each side, so at most 5 - 2 - 1 = 2 are left out
    assert run_lr_find(SPEC, iterations=5).settings["burn_in"] == 2
    assert run_lr_find(SPEC, iterations=100).settings["burn_in"] == 10
    with pytest.raises(ValueError, match="Invalid burn_in: 3"):
        run_lr_find(SPEC, iterations=5, burn_in=3)
