"""Run diagnosis: the context (what the run does already), the data probes against
independent references, the spelling of remedies, and the curve rules' guards against noise."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from optimlab.cli import main
from optimlab.data import linearly_separable, moons
from optimlab.lab.diagnosis import (
    CAUSES,
    LABELS,
    REMEDIES,
    Diagnosis,
    RunContext,
    diagnose,
    diagnose_all,
)
from optimlab.lab.diagnosis.curve import CURVE_LABELS
from optimlab.lab.diagnosis.probes import (
    NEIGHBOURS,
    constant_columns,
    feature_rms,
    linear_best_metric,
    neighbour_metric,
)
from optimlab.lab.diagnosis.spelling import optimizer_token
from optimlab.lab.experiment import RunSpec, load_split, run
from optimlab.train import History

# -- probes against independent references --------------------------------------------------


def standardised(X):
    return (X - X.mean(axis=0)) / X.std(axis=0)


def test_the_neighbour_probe_matches_scikit_learns_leave_one_out_classifier():
    from sklearn.model_selection import LeaveOneOut, cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    X, y = moons(80, noise=0.3, seed=3)
    expected = cross_val_score(
        KNeighborsClassifier(NEIGHBOURS), standardised(X), y, cv=LeaveOneOut()
    ).mean()
    assert neighbour_metric(X, y, "binary") == pytest.approx(expected, abs=1e-12)


def test_the_neighbour_probe_matches_scikit_learns_leave_one_out_regressor():
    from sklearn.metrics import r2_score
    from sklearn.model_selection import LeaveOneOut, cross_val_predict
    from sklearn.neighbors import KNeighborsRegressor

    rng = np.random.default_rng(4)
    X = rng.normal(size=(120, 3)) * [1.0, 5.0, 0.2]
    y = np.sin(X[:, 0]) + X[:, 1] ** 2 / 10 + 0.1 * rng.normal(size=120)
    predicted = cross_val_predict(
        KNeighborsRegressor(NEIGHBOURS), standardised(X), y, cv=LeaveOneOut()
    )
    assert neighbour_metric(X, y, "regression") == pytest.approx(r2_score(y, predicted), abs=1e-12)


def test_the_linear_probe_reaches_the_least_squares_and_ridge_r2():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(80, 4))
    y = X @ [1.0, -2.0, 0.5, 0.0] + 3.0 + rng.normal(size=80)

    def r2(w, b):
        return 1 - np.sum((y - X @ w - b) ** 2) / np.sum((y - y.mean()) ** 2)

    design = np.column_stack([X, np.ones(80)])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    assert linear_best_metric(X, y, "regression", 0.0) == pytest.approx(
        r2(solution[:4], solution[4]), abs=1e-10
    )
    # mean squared error + l2/2 ||w||^2 (intercept free): (Xc'Xc/n + l2/2 I) w = Xc'yc/n
    l2 = 0.5
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    w = np.linalg.solve(Xc.T @ Xc / 80 + l2 / 2 * np.eye(4), Xc.T @ yc / 80)
    b = y.mean() - X.mean(axis=0) @ w
    assert linear_best_metric(X, y, "regression", l2) == pytest.approx(r2(w, b), abs=1e-10)


def test_the_linear_probe_separates_separable_classes():
    X, y = linearly_separable(200, margin=0.5, seed=6)
    assert linear_best_metric(X, y, "binary", 0.0) == 1.0


def test_constant_columns_and_feature_scales_by_hand():
    X = np.array([[1.0, 3.0, -4.0, 0.0], [1.0, 3.0, 4.0, 2.0], [1.0, 3.0, 0.0, 0.0]])
    assert constant_columns(X).tolist() == [0, 1]
    # root-mean-squares of the varying columns: sqrt(32/3) and sqrt(4/3)
    low, high = feature_rms(X)
    assert (low, high) == pytest.approx((np.sqrt(4 / 3), np.sqrt(32 / 3)))
    assert feature_rms(np.ones((3, 2))) is None


# -- the context -----------------------------------------------------------------------------


def test_momentum_in_effect_is_read_from_the_optimizer():
    assert RunContext(optimizer="SGD", lr=0.1).momentum == 0.0
    assert RunContext(optimizer="SGD", lr=0.1, options={"momentum": 0.9}).momentum == 0.9
    assert RunContext(optimizer="Momentum", lr=0.1, options={"beta": 0.8}).momentum == 0.8
    assert RunContext(optimizer="Adagrad", lr=0.1).momentum == 0.0


def test_adams_momentum_is_its_first_beta():
    # beta1 = 0.9 is the default of Kingma and Ba (2015), Algorithm 1
    assert RunContext(optimizer="Adam", lr=0.01).momentum == 0.9
    assert RunContext(optimizer="Adam", lr=0.01, options={"betas": (0.5, 0.99)}).momentum == 0.5
    assert RunContext(optimizer="Adam", lr=0.01).scale_free


def test_the_rate_in_effect_and_what_it_means():
    newton = RunContext(optimizer="Newton", lr=0.01)  # Newton ignores RunSpec.lr
    assert (newton.rate, newton.rate_kind, newton.rate_in_options) == (1.0, "step length", True)
    assert RunContext(optimizer="Newton", options={"lr": 0.5}).rate == 0.5
    assert RunContext(optimizer="Adadelta", lr=0.3).rate_kind == "multiplier"
    assert RunContext(optimizer="SGD", lr=0.3, options={"lr": 0.2}).rate == 0.2


@pytest.mark.parametrize(
    ("lr", "position"),
    [(1e-3, "lowest"), (1e-2, "interior"), (1e-1, "highest"), (1e-4, "lowest"), (1.0, "highest")],
)
def test_the_rates_place_in_a_sweeps_grid(lr, position):
    context = RunContext(optimizer="SGD", lr=lr, lr_grid=(1e-1, 1e-3, 1e-2))
    assert context.lr_grid == (1e-3, 1e-2, 1e-1)
    assert context.grid_position == position
    assert RunContext(optimizer="SGD", lr=lr).grid_position == ""
    assert RunContext(optimizer="SGD", lr=lr, lr_grid=(lr,)).grid_position == "only"
    assert RunContext(optimizer="Newton", lr_grid=(1e-3, 1.0)).grid_position == ""


def test_from_spec_reads_the_data_facts():
    spec = RunSpec(dataset="diabetes", optimizer="Adam", lr=0.01)
    context = RunContext.from_spec(spec, lr_grid=[0.1, 0.01])
    y = load_split(spec).y_train
    assert (context.target_mean, context.target_std) == pytest.approx((y.mean(), y.std()))
    assert (context.model, context.task, context.n_features) == ("linear", "regression", 10)
    assert context.n_params == 11 and context.lr_grid == (0.01, 0.1)
    assert context.constant_features == ()


def test_bad_context_arguments_are_refused_by_name():
    with pytest.raises(ValueError, match="did you mean 'Adam'"):
        RunContext(optimizer="Adamm")
    with pytest.raises(ValueError, match="lr_grid"):
        RunContext(optimizer="SGD", lr=0.1, lr_grid=(0.1, -1.0))
    with pytest.raises(TypeError, match="patience"):
        RunContext(patience=2.5)
    with pytest.raises(TypeError, match=r"context must be an optimlab\.lab\.diagnosis\.RunContext"):
        diagnose(History(epoch_train_loss=[1.0, 0.5]), {"optimizer": "SGD"})
    with pytest.raises(TypeError, match="contexts must be a dict"):
        diagnose_all({"a": History(epoch_train_loss=[1.0])}, [RunContext()])


# -- remedies ------------------------------------------------------------------------------------


def test_optimizer_tokens_follow_the_command_format():
    assert optimizer_token("SGD", 0.1, {"momentum": 0.9, "nesterov": True}) == (
        "SGD:0.1:momentum=0.9:nesterov=true"
    )
    # Newton takes its step length as the lr option, never as the positional rate
    assert optimizer_token("Newton", 0.3, {"damping": 0.001}) == "Newton:0.3:damping=0.001"
    assert optimizer_token("Newton", 0.3, {"lr": 0.5}) == "Newton:lr=0.5"


def test_a_curve_only_diagnosis_has_its_cause_and_no_changes():
    found = diagnose(History(epoch_train_loss=[1.0, 0.8, 0.75] + [0.74] * 27))
    assert (found.label, found.cause, dict(found.changes)) == ("plateaued early", "optimizer", {})
    assert set(CURVE_LABELS) <= set(LABELS) and set(CAUSES) == set(LABELS) == set(REMEDIES)


def test_a_diagnosis_is_plain_json_and_diagnose_all_takes_contexts():
    runs = {"flat": History(epoch_train_loss=[1.0] * 10), "none": History(epoch_train_loss=[1.0])}
    contexts = {"flat": RunContext(optimizer="SGD", lr=0.1, model="mlp", activation="tanh")}
    found = diagnose_all(runs, contexts)
    assert found["flat"].label == "stuck at a saddle"  # an MLP whose loss never moved
    assert found["flat"].changes == {"optimizer": "Adam", "lr": 0.01}
    assert found["none"].label == "healthy"  # one epoch: judged on divergence only
    back = json.loads(json.dumps(found["flat"].to_dict()))
    assert Diagnosis(**{**back, "notes": tuple(back["notes"])}) == found["flat"]


def test_the_spelled_command_runs(tmp_path):
    # a constant column makes Newton's Hessian singular; the remedy's command fixes it
    rng = np.random.default_rng(7)
    X = rng.normal(size=(60, 2))
    rows = np.column_stack([X, np.ones(60), X @ [1.0, -1.0] + 0.1 * rng.normal(size=60)])
    path = tmp_path / "data.csv"
    path.write_text("a,b,one,y\n" + "\n".join(",".join(map(str, r)) for r in rows) + "\n")
    spec = RunSpec(dataset=f"csv:{path}:y", optimizer="Newton", lr=1.0, batch_size=None, epochs=3)
    failed = History(stop_reason="diverged", message="the run failed: step 1: singular Hessian")
    found = diagnose(failed, RunContext.from_spec(spec))
    assert found.label == "constant features" and "'one'" in found.remedy
    option = found.remedy.split("`")[1]  # `--optimizer Newton:1:damping=0.001`
    assert option == "--optimizer Newton:1:damping=0.001"
    result = CliRunner().invoke(
        main,
        [
            "compare",
            "--csv",
            str(path),
            "--target",
            "y",
            *option.split(),
            "--batch-size",
            "full",
            "--epochs",
            "3",
            "--out",
            str(tmp_path / "out"),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Newton" in result.output and "diverged" not in result.output


# -- the curve rules' guards against noise -------------------------------------------------------


def test_one_high_last_epoch_is_not_overfitting_but_a_sustained_rise_is():
    train = list(1.0 - 0.02 * np.arange(30))
    wobble = [0.5] * 29 + [0.6]  # 20% above the minimum, in the last epoch only
    assert diagnose(History(epoch_train_loss=train, epoch_val_loss=wobble)).label != "overfitting"
    rise = [0.5] * 20 + list(0.5 + 0.02 * np.arange(1, 11))
    assert diagnose(History(epoch_train_loss=train, epoch_val_loss=rise)).label == "overfitting"


def test_a_run_early_stopping_restored_to_its_best_epoch_is_not_overfitting():
    train = list(1.0 - 0.02 * np.arange(30))
    rise = [0.5] * 20 + list(0.5 + 0.02 * np.arange(1, 11))
    history = History(epoch_train_loss=train, epoch_val_loss=rise, best_epoch=20)
    assert diagnose(history).label != "overfitting"


def test_mini_batch_wobble_near_the_end_is_not_an_oscillation():
    # a loss that fell from 1 to 0.1, then wobbles by 0.01 (10% of its level, 1% of the fall)
    curve = list(np.linspace(1.0, 0.1, 10)) + [0.1, 0.11] * 10
    full_batch = History(epoch_train_loss=curve, loss=curve)
    assert diagnose(full_batch).label == "oscillating"
    mini_batch = History(epoch_train_loss=curve, loss=[0.5] * (4 * len(curve)))
    assert diagnose(mini_batch).label != "oscillating"


def test_unscaled_features_explain_an_adaptive_optimizers_shortfall_too():
    spec = RunSpec(dataset="breast_cancer", optimizer="Adam", lr=0.01, scale=False)
    found = diagnose(run(spec).history, RunContext.from_spec(spec))
    assert (found.label, found.cause, dict(found.changes)) == (
        "unscaled features",
        "data",
        {"scale": True},
    )


def test_a_run_far_above_a_constant_prediction_has_diverged_whatever_its_curve():
    # moons is balanced: predicting the class frequencies costs ln 2 per sample
    spec = RunSpec(dataset="moons", model="mlp", optimizer="SGD", lr=30.0, epochs=5)
    context = RunContext.from_spec(spec)
    assert context.baseline_loss == pytest.approx(math.log(2), rel=1e-12)
    flat_but_huge = History(
        metric="accuracy",
        epoch_train_loss=[27.0, 26.5, 27.2, 26.9, 27.1],
        epoch_val_loss=[28.0, 27.0, 27.5, 27.2, 27.8],
    )
    found = diagnose(flat_but_huge, context)
    assert (found.label, found.cause) == ("diverged", "optimizer")
    assert "0.6931" in found.evidence and found.changes == {"lr": 3.0}


def test_a_zero_learning_rate_is_told_to_take_the_default_one():
    spec = RunSpec(dataset="moons", model="mlp", optimizer="Adam", lr=0.0, epochs=5)
    still = History(metric="accuracy", epoch_train_loss=[0.69] * 5, epoch_val_loss=[0.7] * 5)
    found = diagnose(still, RunContext.from_spec(spec))
    assert found.label == "too slow" and found.changes == {"lr": 0.001}  # torch.optim.Adam's


# -- how far from the optimum, what is adaptive, how far to lower a rate ------------------------


def linear_context(**facts):
    facts = {"baseline_loss": 2.96e10, "neighbour_metric": 0.95, **facts}
    return RunContext(optimizer="Momentum", lr=0.01, model="linear", task="regression", **facts)


def levelled(final, start=2.9e10):
    history = History(epoch_train_loss=list(final + (start - final) * 0.3 ** np.arange(30)))
    history.metric, history.epoch_train_metric = "r2", [1 - final / 2.96e10] * 30
    return history


def test_a_loss_3_7x_the_optimum_is_too_slow_though_r2_is_close():
    # R^2 0.949 against the best 0.986: a gap of 0.037, below the 0.05 of the R^2 rule,
    # while the squared error is 1.5e9 / 4.06e8 = 3.7x the optimum's
    context = linear_context(linear_best_metric=0.986)
    found = diagnose(levelled(1.5e9), context)
    assert (found.label, found.cause) == ("too slow", "optimizer")
    # 1 - R^2 is the squared error over the variance: (1.5e9 / 2.96e10) / 0.014 = 3.62
    assert "training r2 0.949 against the 0.986" in found.evidence
    assert "a squared error 3.62x the optimum's" in found.evidence
    assert found.changes == {"lr": 0.1}
    # at 1.2x the optimum it has converged: healthy
    assert diagnose(levelled(4.9e8), context).label == "healthy"


def test_noisy_batch_losses_at_the_optimum_are_not_taken_for_an_excess():
    """SGD with momentum on mini-batches: the epoch's mean batch loss (taken while the
    weights move) is 1.9x the best fit's, but R^2 on the whole training split equals the
    best fit's: converged, not too slow."""
    context = linear_context(linear_best_metric=0.998, baseline_loss=19)
    losses = [3.0, 0.2, 0.1, 0.08, 0.075, 0.072, 0.074, 0.071, 0.072, 0.0708]
    history = History(epoch_train_loss=losses)
    history.metric, history.epoch_train_metric = "r2", [0.9, 0.99, 0.997] + [0.998] * 7
    assert diagnose(history, context).label == "healthy"


def test_a_near_zero_optimum_gives_no_ratio():
    # a noise-free target: the best fit's squared error is ~0, a ratio to it means nothing
    # (R^2 0.959 is then within the 0.05 of the R^2 rule)
    context = linear_context(linear_best_metric=1.0)
    assert diagnose(levelled(1.2e9), context).label == "healthy"


def test_classes_get_no_loss_ratio_even_when_the_best_fits_loss_is_not_near_zero():
    """On (nearly) separable classes an unpenalised logistic fit stops at its iteration
    limit with a cross-entropy 1e-4 to 1e-3 of the baseline's: a run at 0.05, with every
    training point right, is not 'too slow' for being 400x that."""
    context = RunContext(
        optimizer="Adam", lr=0.01, model="logistic", task="binary", baseline_loss=0.69,
        linear_best_metric=1.0, neighbour_metric=1.0,
    )  # fmt: skip
    history = History(epoch_train_loss=list(0.05 + 0.6 * 0.3 ** np.arange(30)))
    history.metric, history.epoch_train_metric = "accuracy", [1.0] * 30
    assert diagnose(history, context).label == "healthy"


def step_size(name, gradient_scale):
    """The size of the 10th step of ``name`` under a constant gradient times the scale."""
    from optimlab.optim import OPTIMIZERS

    params = {"W": np.ones((2, 3))}
    optimizer = OPTIMIZERS[name](params)
    gradient = gradient_scale * np.array([[0.3, -0.1, 0.2], [0.05, -0.4, 0.1]])
    for _ in range(9):
        optimizer.step(closure=lambda _: (0.0, {"W": gradient}))
    before = params["W"].copy()
    optimizer.step(closure=lambda _: (0.0, {"W": gradient}))
    return np.linalg.norm(params["W"] - before)


def test_scale_free_lists_every_optimizer_whose_step_does_not_grow_with_the_gradient():
    from optimlab.lab.diagnosis.context import SCALE_FREE
    from optimlab.optim import OPTIMIZERS

    measured = set()
    for name in set(OPTIMIZERS) - {"Newton", "LBFGS"}:  # these need a loss to step on
        ratio = step_size(name, 1000.0) / step_size(name, 1.0)
        assert ratio < 2 or ratio > 500, name  # one or the other, clearly
        measured |= {name} if ratio < 2 else set()
    assert measured == set(SCALE_FREE)


@pytest.mark.parametrize("name", ["Adafactor", "LAMB", "Yogi", "SOAP"])
def test_an_adaptive_optimizer_that_plateaus_is_not_told_to_use_an_adaptive_optimizer(name):
    history = History(epoch_train_loss=[1.0, 0.8, 0.75] + [0.74] * 27)
    found = diagnose(history, RunContext(optimizer=name, lr=0.01))
    assert found.label == "plateaued early"
    assert "adaptive" not in found.remedy and "optimizer" not in found.changes
    assert found.changes == {"lr": 0.03}
    sgd = diagnose(history, RunContext(optimizer="SGD", lr=0.01))
    assert "use an adaptive optimizer" in sgd.remedy.lower() and sgd.changes["optimizer"] == "Adam"


def diverged_run():
    history = History(epoch_train_loss=[1.0], loss=[1.0])
    history.stop_reason = "diverged"
    history.message = "Training diverged at epoch 1, iteration 2: the loss exploded from 1 to 4e20."
    return history


def test_a_rate_far_above_the_default_is_brought_back_to_it_not_cut_10x():
    # SGD's default rate is 0.001 (PyTorch's); 1e10 / 10 is still 1e12 times it
    found = diagnose(diverged_run(), RunContext(optimizer="SGD", lr=1e10))
    assert found.changes == {"lr": 0.001}
    assert "`--optimizer SGD:0.001`" in found.remedy and "1e+09" not in found.remedy
    assert "`optimlab lr-find --optimizer SGD`" in found.remedy
    # a rate 1000x the default still gets a tenth (tested to work: see test_diagnosis_cases)
    assert diagnose(diverged_run(), RunContext(optimizer="SGD", lr=1.0)).changes == {"lr": 0.1}
    momentum = RunContext(optimizer="SGD", lr=1e10, options={"momentum": 0.9})
    assert "lr-find --optimizer SGD:momentum=0.9`" in diagnose(diverged_run(), momentum).remedy


def test_compare_does_not_tell_a_scaled_run_to_scale_its_features(tmp_path):
    result = CliRunner().invoke(
        main,
        [
            *("compare", "--dataset", "regression", "--optimizer", "SGD:1e10", "--epochs", "3"),
            *("--out", str(tmp_path), "--no-progress"),
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "diverged" in result.output and "--scale" not in result.output


# -- a sweep's remedies are spelled as optimlab sweep's options -------------------------------

OSCILLATING = History(epoch_train_loss=[1.0, 0.5, 0.8, 0.4, 0.7, 0.35, 0.6, 0.3, 0.55, 0.3])


def test_a_sweeps_remedy_is_spelled_with_the_sweeps_options_not_compares():
    sweep = RunContext(optimizer="Momentum", lr=10.0, options={"beta": 0.9}, lr_grid=(1, 10, 100))
    found = diagnose(OSCILLATING, sweep)
    assert found.changes == {"options": (("beta", 0.5),)}
    assert "`--grid beta=0.5`" in found.remedy and "--optimizer " not in found.remedy
    alone = RunContext(optimizer="Momentum", lr=10.0, options={"beta": 0.9})
    assert "`--optimizer Momentum:10:beta=0.5`" in diagnose(OSCILLATING, alone).remedy
    edge = RunContext(optimizer="SGD", lr=0.1, lr_grid=(0.1, 1.0))  # calm, lowest rate
    found = diagnose(OSCILLATING, edge)
    assert "`--lr-min 0.0333`" in found.remedy and "--optimizer " not in found.remedy
    plateau = History(epoch_train_loss=[1.0, 0.8, 0.75] + [0.74] * 27)
    found = diagnose(plateau, RunContext(optimizer="SGD", lr=0.1, lr_grid=(0.01, 0.1, 1.0)))
    assert "`--optimizers Adam`" in found.remedy and "--optimizer " not in found.remedy
