"""lab.experiment: RunSpec checks, keys and round trips; scaling fitted on the training split
and results on the original scale (against least squares); Newton's step length, its
singular Hessian and the MLP; Adadelta's eta; models, l2 and early stopping."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.metrics import mean_squared_error

from optimlab import optim
from optimlab.data import train_val_split
from optimlab.lab.experiment import (
    KEY_VERSION,
    NEWTON_DAMPING,
    RunResult,
    RunSpec,
    build_model,
    build_optimizer,
    load_split,
    newton_damps_itself,
    run,
)

TINY = RunSpec(dataset="moons", model="logistic", n_samples=120, epochs=3, batch_size=16)


# --- RunSpec: every field checked on creation ---------------------------------------------


def test_names_are_taken_in_any_case_and_kept_as_declared():
    spec = RunSpec(optimizer="adamw", model="MLP", schedule="Cosine")
    assert (spec.optimizer, spec.model, spec.schedule) == ("AdamW", "mlp", "cosine")
    with pytest.raises(ValueError, match=r"unknown schedule 'cosin'.*did you mean 'cosine'"):
        RunSpec(schedule="cosin")


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"dataset": "mnist"}, ValueError, "unknown data set 'mnist'; choose one of"),
        ({"dataset": "csv:houses.csv"}, ValueError, "written csv:PATH:TARGET"),
        ({"dataset": "csv::price"}, ValueError, "written csv:PATH:TARGET"),
        ({"dataset": 3}, TypeError, "Invalid dataset"),
        ({"model": "tree"}, ValueError, "unknown model 'tree'"),
        ({"hidden": (32, 0)}, ValueError, r"Invalid hidden\[1\]"),
        ({"hidden": (32, 1.5)}, TypeError, r"Invalid hidden\[1\]"),
        ({"hidden": "32"}, TypeError, "Invalid hidden: hidden must be a sequence"),
        ({"activation": "elu"}, ValueError, "Invalid activation"),
        ({"optimizer": "Adamm"}, ValueError, "unknown optimizer 'Adamm'"),
        ({"lr": -0.1}, ValueError, "Invalid lr"),
        ({"lr": math.inf}, ValueError, "Invalid lr"),
        ({"lr": "0.1"}, TypeError, "Invalid lr"),
        ({"optimizer": "SGD", "options": (("momentum", 2.0),)}, ValueError, "momentum"),
        ({"options": (("foo", 1),)}, ValueError, "Adam does not take these options"),
        ({"options": 5}, TypeError, "Invalid options"),
        ({"epochs": 0}, ValueError, "Invalid epochs"),
        ({"epochs": 2.5}, TypeError, "Invalid epochs"),
        ({"batch_size": 0}, ValueError, "Invalid batch_size"),
        ({"schedule": "linear"}, ValueError, "unknown schedule 'linear'"),
        ({"clip_norm": 0.0}, ValueError, "Invalid clip_norm"),
        ({"seed": -1}, ValueError, "Invalid seed"),
        ({"n_samples": 5}, ValueError, "Invalid n_samples"),
        ({"noise": -0.1}, ValueError, "Invalid noise"),
        ({"val_fraction": 1.0}, ValueError, "Invalid val_fraction"),
        ({"val_fraction": 0.0}, ValueError, "Invalid val_fraction"),
        ({"l2": -1.0}, ValueError, "Invalid l2"),
        ({"patience": 0}, ValueError, "Invalid patience"),
        ({"scale": "yes"}, TypeError, "Invalid scale"),
    ],
)
def test_each_bad_field_is_refused_with_its_name(changes, error, message):
    with pytest.raises(error, match=message):
        dataclasses.replace(TINY, **changes)


def test_newton_with_the_mlp_is_refused_up_front_naming_the_fix():
    with pytest.raises(ValueError, match=r"Newton needs the exact Hessian.*model='auto'.*Adam"):
        RunSpec(model="mlp", optimizer="Newton")


def test_spec_values_are_normalised():
    spec = RunSpec(hidden=[8, np.int64(4)], lr=1, options={"eps": 1e-7, "betas": (0.8, 0.9)})
    assert spec.hidden == (8, 4) and isinstance(spec.lr, float)
    assert spec.options == (("betas", (0.8, 0.9)), ("eps", 1e-7))  # sorted by name
    assert hash(spec) == hash(RunSpec(hidden=(8, 4), lr=1.0, options=spec.options))


# --- keys and round trips -------------------------------------------------------------------

ALTERNATIVES = {
    "dataset": "circles",
    "model": "mlp",
    "hidden": (8,),
    "activation": "relu",
    "optimizer": "SGD",
    "lr": 0.02,
    "options": (("betas", (0.8, 0.9)),),
    "epochs": 4,
    "batch_size": None,
    "schedule": "cosine",
    "clip_norm": 1.0,
    "seed": 1,
    "n_samples": 130,
    "noise": 0.3,
    "val_fraction": 0.25,
    "l2": 0.1,
    "patience": 3,
    "scale": False,
}


def test_every_field_changes_the_key():
    # task and device apply to torch tasks (tests/torch/test_torch_lab.py), target_type to
    # CSV data sets (test_target_type_is_part_of_a_csv_runs_key)
    assert set(ALTERNATIVES) | {"task", "device", "target_type"} == {
        f.name for f in dataclasses.fields(RunSpec)
    }
    keys = {name: dataclasses.replace(TINY, **{name: v}).key() for name, v in ALTERNATIVES.items()}
    assert len(set(keys.values()) | {TINY.key()}) == len(ALTERNATIVES) + 1


def test_a_spec_without_a_task_has_the_values_and_key_of_earlier_versions():
    """The task's settings are left out of other specs' values, so their keys (and the
    stores that hold them) are those from before tasks existed."""
    values = TINY.to_dict()
    assert "task" not in values and "device" not in values
    assert RunSpec.from_dict(values) == TINY
    with pytest.raises(ValueError, match="applies to torch tasks"):
        dataclasses.replace(TINY, device="cuda")


def test_the_key_is_stable_across_processes_and_equal_specs():
    code = (
        "from optimlab.lab.experiment import RunSpec; "
        "print(RunSpec(dataset='moons', model='logistic', n_samples=120, epochs=3, "
        "batch_size=16).key())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    other = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == TINY.key()
    assert len(TINY.key()) == 16 and int(TINY.key(), 16) >= 0
    assert dataclasses.replace(TINY, lr=1).key() == dataclasses.replace(TINY, lr=1.0).key()
    same = dataclasses.replace(TINY, l2=1, noise=np.float64(0.2), seed=np.int64(0))
    assert same == dataclasses.replace(TINY, l2=1.0)
    assert same.key() == dataclasses.replace(TINY, l2=1.0).key()
    reordered = dataclasses.replace(TINY, options={"eps": 1e-7, "amsgrad": True})
    assert (
        reordered.key() == dataclasses.replace(TINY, options={"amsgrad": True, "eps": 1e-7}).key()
    )
    assert KEY_VERSION >= 2  # keys of the former meaning (unscaled targets) are not reused


def test_to_dict_from_dict_round_trip_through_json():
    spec = dataclasses.replace(
        TINY, options=(("betas", (0.8, 0.9)),), hidden=(4, 2), patience=2, l2=0.5, scale=False
    )
    values = json.loads(json.dumps(spec.to_dict()))
    values["options"] = {k: tuple(v) for k, v in values["options"].items()}
    back = RunSpec.from_dict(values)
    assert back == spec and back.key() == spec.key()
    with pytest.raises(ValueError, match=r"unknown run settings \['colour'\]"):
        RunSpec.from_dict({**spec.to_dict(), "colour": "red"})


def write_csv(path, header, rows):
    lines = [",".join(header)] + [",".join(repr(float(v)) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_csv_key_follows_the_file_contents_not_its_path(tmp_path):
    rng = np.random.default_rng(0)
    path = write_csv(tmp_path / "data.csv", ["a", "b", "y"], rng.normal(size=(40, 3)).tolist())
    spec = dataclasses.replace(TINY, dataset=f"csv:{path}:y", model="auto")
    before = spec.key()
    assert spec.key() == before
    copy = tmp_path / "elsewhere" / "data.csv"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    assert dataclasses.replace(spec, dataset=f"csv:{copy}:y").key() == before
    write_csv(path, ["a", "b", "y"], rng.normal(size=(40, 3)).tolist())  # new contents
    assert spec.key() != before
    path.unlink()
    with pytest.raises(FileNotFoundError, match="CSV file not found"):
        spec.key()


# --- load_split: scaling fitted on the training split --------------------------------------


def test_features_and_regression_target_are_standardised_with_training_statistics():
    spec = RunSpec(dataset="regression", n_samples=200, noise=0.5, seed=3)
    X_train, X_val, y_train, y_val = train_val_split(
        *_regression_data(spec), val_fraction=0.2, seed=3
    )
    raw, scaled = load_split(dataclasses.replace(spec, scale=False)), load_split(spec)
    np.testing.assert_array_equal(raw.X_train, X_train)
    assert raw.loss_factor == 1.0 and raw.feature_scaler is None
    mean, std = X_train.mean(axis=0), np.sqrt(((X_train - X_train.mean(axis=0)) ** 2).mean(0))
    np.testing.assert_allclose(scaled.X_train, (X_train - mean) / std, rtol=1e-12)
    np.testing.assert_allclose(scaled.X_val, (X_val - mean) / std, rtol=1e-12)
    y_mean, y_std = y_train.mean(), math.sqrt(((y_train - y_train.mean()) ** 2).mean())
    np.testing.assert_allclose(scaled.y_train, (y_train - y_mean) / y_std, rtol=1e-12)
    np.testing.assert_allclose(scaled.y_val, (y_val - y_mean) / y_std, rtol=1e-12)
    assert scaled.loss_factor == pytest.approx(y_std**2, rel=1e-12)
    np.testing.assert_allclose(scaled.original_target(scaled.y_val), y_val, rtol=1e-12)
    assert abs(scaled.X_val.mean(axis=0)).max() > 1e-3  # not the validation split's statistics


def _regression_data(spec):
    from optimlab.data import linear_regression

    X, y, _ = linear_regression(spec.n_samples, n_features=5, noise=spec.noise, seed=spec.seed)
    return X, y


def test_class_labels_are_not_scaled():
    raw, scaled = load_split(dataclasses.replace(TINY, scale=False)), load_split(TINY)
    np.testing.assert_array_equal(scaled.y_train, raw.y_train)
    assert scaled.loss_factor == 1.0


def test_constant_columns_give_zeros_not_nan(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 2))
    rows = [[a, 7.0, b, 2 * a - b] for a, b in X]  # a constant feature
    path = write_csv(tmp_path / "c.csv", ["a", "const", "b", "y"], rows)
    spec = RunSpec(dataset=f"csv:{path}:y", epochs=3)
    split = load_split(spec)
    assert np.isfinite(split.X_train).all() and np.isfinite(split.X_val).all()
    np.testing.assert_array_equal(split.X_train[:, 1], 0.0)
    np.testing.assert_array_equal(split.X_val[:, 1], 0.0)
    result = run(spec)
    assert np.isfinite(result.history.epoch_val_loss).all()


# --- results on the original scale, against least squares ----------------------------------


@pytest.mark.parametrize("scale", [True, False])
def test_newton_lands_on_least_squares_and_reports_original_units(scale):
    spec = RunSpec(
        dataset="diabetes", optimizer="Newton", lr=1.0, batch_size=None, epochs=1, scale=scale
    )
    result = run(spec)
    raw = load_split(dataclasses.replace(spec, scale=False))
    ols = LinearRegression().fit(raw.X_train, raw.y_train)
    final = result.history.final()
    assert final["val_loss"] == pytest.approx(
        mean_squared_error(raw.y_val, ols.predict(raw.X_val)), rel=1e-9
    )
    assert final["val_metric"] == pytest.approx(ols.score(raw.X_val, raw.y_val), rel=1e-9)
    # the epoch's training loss is the loss before the step (at zero weights): mean(y^2)
    start = (raw.y_train - (raw.y_train.mean() if scale else 0.0)) ** 2
    assert final["train_loss"] == pytest.approx(start.mean(), rel=1e-9)
    assert result.notes == ()


def test_ridge_penalty_reaches_the_model_and_is_reported_on_the_original_scale():
    l2 = 0.3
    spec = RunSpec(dataset="diabetes", optimizer="Newton", lr=1.0, batch_size=None, epochs=1, l2=l2)
    split = load_split(spec)
    n = split.X_train.shape[0]
    # mean squared error + l2/2 ||w||^2 is scikit-learn's Ridge with alpha = n * l2 / 2
    ridge = Ridge(alpha=n * l2 / 2).fit(split.X_train, split.y_train)
    penalty = l2 / 2 * float(ridge.coef_ @ ridge.coef_)
    expected = (mean_squared_error(split.y_val, ridge.predict(split.X_val)) + penalty) * (
        split.loss_factor
    )
    assert run(spec).history.final()["val_loss"] == pytest.approx(expected, rel=1e-9)


def test_predictions_come_back_on_the_original_scale():
    spec = RunSpec(dataset="diabetes", optimizer="Newton", lr=1.0, batch_size=None, epochs=1)
    split, raw = load_split(spec), load_split(dataclasses.replace(spec, scale=False))
    model = build_model(spec, split)
    build_optimizer(spec, model).step(closure=model.closure(split.X_train, split.y_train, True))
    ols = LinearRegression().fit(raw.X_train, raw.y_train)
    np.testing.assert_allclose(split.predict(model, raw.X_val), ols.predict(raw.X_val), rtol=1e-9)


def test_adam_with_defaults_fits_house_prices_like_least_squares(tmp_path):
    rng = np.random.default_rng(7)
    n = 400
    area, lot = rng.uniform(600, 4000, n), rng.uniform(2000, 20000, n)
    year = rng.integers(1950, 2021, n).astype(float)
    price = 120 * area + 3 * lot + 800 * (year - 1950) + 50_000 + rng.normal(0, 8000, n)
    rows = np.column_stack([area, lot, year, price]).round(1).tolist()
    path = write_csv(tmp_path / "houses.csv", ["area", "lot", "year", "price"], rows)
    spec = RunSpec(dataset=f"csv:{path}:price", optimizer="Adam", lr=0.01)
    raw = load_split(dataclasses.replace(spec, scale=False))
    ols = LinearRegression().fit(raw.X_train, raw.y_train)
    final = run(spec).history.final()
    best = ols.score(raw.X_val, raw.y_val)
    assert best > 0.99
    assert final["val_metric"] == pytest.approx(best, abs=2e-3)
    best_mse = mean_squared_error(raw.y_val, ols.predict(raw.X_val))
    assert best_mse <= final["val_loss"] < 1.5 * best_mse


def test_no_scale_trains_on_raw_values():
    spec = RunSpec(dataset="diabetes", optimizer="SGD", lr=0.0, epochs=1, scale=False)
    split = load_split(spec)
    history = run(spec).history
    # with lr 0 the weights stay at zero: the loss is the mean squared raw target
    assert history.final()["val_loss"] == pytest.approx(float(np.mean(split.y_val**2)), rel=1e-12)


# --- the optimizers ------------------------------------------------------------------------


def test_newton_takes_the_spec_lr_as_its_step_length():
    spec = RunSpec(dataset="regression", optimizer="Newton", lr=0.5, batch_size=None, scale=False)
    split = load_split(spec)
    model = build_model(spec, split)
    optimizer = build_optimizer(spec, model)
    assert isinstance(optimizer, optim.Newton) and spec.label == "Newton(lr=0.5)"
    optimizer.step(closure=model.closure(split.X_train, split.y_train, hessian=True))
    design = np.column_stack([split.X_train, np.ones(len(split.X_train))])
    solution = np.linalg.lstsq(design, split.y_train, rcond=None)[0]
    np.testing.assert_allclose(model.params["W"][:, 0], 0.5 * solution[:-1], rtol=1e-9)
    np.testing.assert_allclose(model.params["b"], 0.5 * solution[-1:], rtol=1e-9)


def test_adadelta_takes_the_spec_lr_as_eta():
    spec = RunSpec(dataset="regression", optimizer="Adadelta", lr=0.3, scale=False)
    split = load_split(spec)
    model = build_model(spec, split)
    optimizer = build_optimizer(spec, model)
    _, grads = model.loss_and_grad(split.X_train, split.y_train)
    g = {name: value.copy() for name, value in grads.items()}
    optimizer.step(grads)
    rho, eps = 0.9, 1e-6  # Zeiler's rule with PyTorch's defaults; first step from zero state
    for name, value in g.items():
        step = np.sqrt(eps) / np.sqrt((1 - rho) * value**2 + eps) * value
        np.testing.assert_allclose(model.params[name], -0.3 * step, rtol=1e-12)


def test_an_lr_in_the_options_is_the_one_used_and_shown():
    spec = RunSpec(optimizer="Adadelta", lr=0.01, options=(("lr", 1.0),))
    assert spec.effective_lr == 1.0 and spec.label == "Adadelta(lr=1)"
    optimizer = build_optimizer(spec, build_model(spec, load_split(spec)))
    assert optimizer.lr == 1.0
    assert run(dataclasses.replace(spec, epochs=1)).summary()["lr"] == 1.0


def test_newton_with_a_singular_hessian_is_repeated_with_damping_and_a_note():
    spec = RunSpec(dataset="moons", optimizer="Newton", lr=1.0)  # batches of 32
    with pytest.raises(np.linalg.LinAlgError, match="singular"):  # the exact method stops
        _fit_exactly(spec)
    result = run(spec)
    assert result.history.stop_reason == "completed" and result.history.epochs == spec.epochs
    (note,) = result.notes
    assert "singular" in note and f"damping={NEWTON_DAMPING:g}" in note
    assert note in result.summary()["notes"]
    assert result.spec.label == "Newton(lr=1)"
    damped = run(dataclasses.replace(spec, options=(("damping", NEWTON_DAMPING),)))
    assert damped.notes == ()
    assert result.history.epoch_val_loss == damped.history.epoch_val_loss  # what the note says


def _fit_exactly(spec):
    from optimlab.train import fit

    split = load_split(spec)
    model = build_model(spec, split)
    optimizer = optim.Newton(model.params, lr=spec.lr)
    fit(model, optimizer, split.X_train, split.y_train, epochs=spec.epochs, batch_size=32)


def test_a_softmax_model_is_singular_at_once_and_damped():
    result = run(RunSpec(dataset="iris", optimizer="Newton", lr=1.0, batch_size=None, epochs=5))
    assert "at step 1," in result.notes[0]
    assert result.history.final()["val_metric"] > 0.9


def test_only_newton_given_neither_damping_nor_method_damps_itself():
    assert newton_damps_itself(RunSpec(optimizer="Newton"))
    assert not newton_damps_itself(RunSpec(optimizer="Newton", options=(("damping", 0.0),)))
    assert not newton_damps_itself(RunSpec(optimizer="Newton", options=(("method", "solve"),)))
    assert not newton_damps_itself(RunSpec(optimizer="Newton", options=(("damping", 1e-3),)))
    assert not newton_damps_itself(RunSpec(optimizer="Newton", options=(("method", "pinv"),)))
    assert not newton_damps_itself(RunSpec(optimizer="Adam"))


def test_a_first_order_optimizer_gets_the_spec_lr():
    for name in ("SGD", "Adam", "Lion"):
        spec = dataclasses.replace(TINY, optimizer=name, lr=0.0375)
        assert build_optimizer(spec, build_model(spec, load_split(spec))).lr == 0.0375


# --- models, l2 and early stopping ---------------------------------------------------------


@pytest.mark.parametrize(
    ("dataset", "model", "message"),
    [
        ("diabetes", "logistic", "model 'logistic' fits binary data, but diabetes is regression"),
        ("moons", "softmax", "model 'softmax' fits multiclass data, but moons is binary"),
        ("iris", "linear", "model 'linear' fits regression data, but iris is multiclass"),
    ],
)
def test_a_model_that_does_not_fit_the_task_is_refused(dataset, model, message):
    spec = RunSpec(dataset=dataset, model=model)
    with pytest.raises(ValueError, match=message):
        build_model(spec, load_split(spec))


@pytest.mark.parametrize(
    ("dataset", "model", "kind"),
    [
        ("diabetes", "auto", "LinearRegression"),
        ("moons", "auto", "LogisticRegression"),
        ("iris", "auto", "SoftmaxRegression"),
        ("iris", "mlp", "MLP"),
    ],
)
def test_models_by_task_carry_the_l2_penalty(dataset, model, kind):
    spec = RunSpec(dataset=dataset, model=model, l2=0.25, hidden=(4,))
    built = build_model(spec, load_split(spec))
    assert type(built).__name__ == kind and built.l2 == 0.25


def test_patience_stops_early():
    # lr 0: the validation loss never improves after epoch 1, so patience 1 stops at epoch 2
    spec = dataclasses.replace(TINY, optimizer="SGD", lr=0.0, epochs=10, patience=1)
    history = run(spec).history
    assert history.stop_reason == "early_stopping" and history.epochs == 2
    assert run(dataclasses.replace(spec, patience=None)).history.epochs == 10


def test_summary_is_one_row_of_final_numbers():
    result = run(TINY)
    row = result.summary()
    assert row["label"] == "Adam(lr=0.01)" and row["lr"] == 0.01 and row["notes"] == ""
    assert row["val_metric"] == result.history.epoch_val_metric[-1]
    assert isinstance(result, RunResult) and row["status"] == result.history.stop_reason


def test_target_type_is_part_of_a_csv_runs_key_and_says_what_the_target_holds(tmp_path):
    path = tmp_path / "rooms.csv"
    rows = [(float(i % 3 - 1), 1 + i % 5) for i in range(60)]  # rooms: 1..5, whole numbers
    path.write_text("x,rooms\n" + "\n".join(f"{x},{r}" for x, r in rows) + "\n")
    inferred = RunSpec(dataset=f"csv:{path}:rooms", epochs=1)
    said = dataclasses.replace(inferred, target_type="regression")
    assert inferred.key() != said.key() and "target_type" not in inferred.to_dict()
    assert load_split(inferred).task == "multiclass"  # five whole values: classes
    assert load_split(said).task == "regression"
    with pytest.raises(ValueError, match="target_type='regression' applies to a CSV"):
        RunSpec(dataset="moons", target_type="regression")


def test_warm_up_compiles_the_runs_loops_before_the_clock_starts():
    """In a fresh process: after warm_up, the optimizer's compiled loop for the run's dtype
    exists, so the timed run does not pay for Numba's compilation."""
    script = (
        "from optimlab.lab.experiment import RunSpec, load_split, warm_up\n"
        "from optimlab.optim.adamax import adamax_rule\n"
        "spec = RunSpec(dataset='moons', model='logistic', optimizer='Adamax', epochs=2)\n"
        "assert not adamax_rule.loop().signatures\n"
        "warm_up(spec, load_split(spec))\n"
        "print(len(adamax_rule.loop().signatures))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "1", done.stderr


# --- data checks and notes before any run ---------------------------------------------------


def test_a_regression_too_small_for_r2_on_both_splits_is_refused_before_training(tmp_path):
    rows = [[float(i), 1.5 * i + 0.5] for i in range(5)]
    spec = RunSpec(dataset=f"csv:{write_csv(tmp_path / 'five.csv', ['a', 'y'], rows)}:y")
    with pytest.raises(ValueError, match=r"'.*five\.csv' has 5 rows, .* at least 6 rows"):
        load_split(spec)
    six = write_csv(tmp_path / "six.csv", ["a", "y"], [*rows, [5.0, 8.0]])
    split = load_split(dataclasses.replace(spec, dataset=f"csv:{six}:y"))
    assert (len(split.y_train), len(split.y_val)) == (4, 2)  # R^2 computes on both
    assert run(dataclasses.replace(spec, dataset=f"csv:{six}:y", epochs=1)).history.epochs == 1
    three = write_csv(tmp_path / "three.csv", ["a", "y"], rows[:3])
    with pytest.raises(ValueError, match="at least 4 rows"):  # 2 + 2 with half held out
        load_split(dataclasses.replace(spec, dataset=f"csv:{three}:y", val_fraction=0.5))


def test_a_constant_feature_is_a_note_of_the_split_and_of_each_runs_summary(tmp_path):
    rng = np.random.default_rng(0)
    rows = [[a, 5.0, 2 * a] for a in rng.normal(size=40)]
    spec = RunSpec(dataset=f"csv:{write_csv(tmp_path / 'c.csv', ['a', 'c', 'y'], rows)}:y")
    (note,) = load_split(spec).notes
    assert "1 feature(s) are constant on the training split ('c')" in note
    assert "constant on the training split ('c')" in run(spec).summary()["notes"]
    assert load_split(dataclasses.replace(TINY)).notes == ()


def test_a_huge_feature_is_standardised_and_refused_unscaled(tmp_path):
    rng = np.random.default_rng(0)
    rows = [[a, abs(b) * 1e200, 2 * a + b] for a, b in rng.normal(size=(40, 2))]
    spec = RunSpec(dataset=f"csv:{write_csv(tmp_path / 'h.csv', ['a', 'big', 'y'], rows)}:y")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        split = load_split(spec)
    assert np.abs(split.X_train).max() < 10 and split.feature_scaler.scale_[1] > 1e199
    with pytest.raises(ValueError, match=r"feature 'big' reaches .*e\+200, too large to train on"):
        load_split(dataclasses.replace(spec, scale=False))


def test_a_reports_settings_leave_out_what_does_not_apply():
    mlp = RunSpec(dataset="digits", model="mlp", hidden=(8,), batch_size=None, clip_norm=None)
    shown = mlp.settings(leave_out=("lr",))
    assert shown["hidden"] == [8] and shown["batch_size"] == "full"
    assert not {"lr", "n_samples", "noise", "clip_norm", "patience"} & set(shown)
    logistic = RunSpec(dataset="moons", model="logistic").settings()
    assert not {"hidden", "activation"} & set(logistic)
    assert (logistic["n_samples"], logistic["noise"]) == (500, 0.2)
