"""Run diagnosis from the curves alone: hand-built loss curves at and around each threshold,
and real trainings that show each behaviour of the debugging checklist of "Optimization
Algorithms in Deep Neural Networks"."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from optimlab import optim
from optimlab.data import moons
from optimlab.lab.diagnosis import LABELS, REMEDIES, Diagnosis, diagnose, diagnose_all
from optimlab.models import MLP, LinearRegression, LogisticRegression
from optimlab.train import History, fit


def curve(train, val=()):
    return History(epoch_train_loss=[float(v) for v in train], epoch_val_loss=list(val))


def decaying(n=30, floor=0.1, scale=0.9, tau=3.0):
    """A healthy curve: floor + scale * exp(-k / tau), levelled off well before the end."""
    return floor + scale * np.exp(-np.arange(n) / tau)


# -- hand-built curves, one per label ---------------------------------------------------------


def test_a_run_stopped_by_fit_as_diverged_is_diverged_and_quotes_the_reason():
    history = curve([1.0, 0.9])
    history.stop_reason = "diverged"
    history.message = (
        "Training diverged at epoch 3, iteration 7: the loss became inf. The parameters were "
        "restored to the last values with an acceptable loss."
    )
    found = diagnose(history)
    assert found.label == "diverged"
    assert found.evidence == "Training diverged at epoch 3, iteration 7: the loss became inf."


def test_a_non_finite_loss_is_diverged():
    found = diagnose(curve([1.0, 0.5, np.nan, 0.4, 0.3]))
    assert found.label == "diverged"
    assert "nan at index 2" in found.evidence


def test_a_loss_that_more_than_doubles_is_diverged_and_one_that_does_not_is_not():
    assert diagnose(curve([1.0, 1.2, 1.5, 1.8, 2.1])).label == "diverged"
    assert "2.1x" in diagnose(curve([1.0, 1.2, 1.5, 1.8, 2.1])).evidence
    assert diagnose(curve([1.0, 1.2, 1.5, 1.8, 1.99])).label != "diverged"


def test_an_alternating_loss_is_oscillating():
    train = [1.0, 0.5, 0.8, 0.45, 0.7, 0.4, 0.6, 0.38, 0.55, 0.36, 0.5]
    found = diagnose(curve(train))
    assert found.label == "oscillating"
    # rises on steps 2, 4, 6, 8, 10: 5 of 10; the largest is 0.8 / 0.5 - 1 = 60%
    # (then 0.7 / 0.45, 0.6 / 0.4, 0.55 / 0.38, 0.5 / 0.36: 56%, 50%, 45%, 39%)
    assert "on 5 of 10 steps (50%" in found.evidence
    assert "by up to 60%" in found.evidence


def test_oscillating_needs_jumps_above_5_percent_on_20_percent_of_the_steps():
    falling = list(decaying(11))
    two_jumps = falling.copy()
    two_jumps[4] = two_jumps[3] * 1.06  # 6% up
    two_jumps[8] = two_jumps[7] * 1.06
    assert diagnose(curve(two_jumps)).label == "oscillating"  # 2 of 10 steps = 20%
    one_jump = falling.copy()
    one_jump[4] = one_jump[3] * 1.06
    assert diagnose(curve(one_jump)).label == "healthy"  # 1 of 10 = 10%
    small_jumps = falling.copy()
    small_jumps[4] = small_jumps[3] * 1.04  # 4%: not a jump
    small_jumps[8] = small_jumps[7] * 1.04
    assert diagnose(curve(small_jumps)).label == "healthy"


def test_validation_rising_while_training_falls_is_overfitting():
    train = decaying(20, floor=0.0, scale=1.0, tau=5.0)
    val = np.r_[np.linspace(1.0, 0.5, 6), np.linspace(0.52, 0.65, 14)]
    found = diagnose(curve(train, val))
    assert found.label == "overfitting"
    # minimum 0.5 at epoch 6, end 0.65: 30% above it
    assert "rose 30% above its minimum 0.5 (epoch 6) to 0.65" in found.evidence


def test_overfitting_needs_a_10_percent_validation_rise_and_a_falling_training_loss():
    train = decaying(20, floor=0.0, scale=1.0, tau=5.0)
    val = np.r_[np.linspace(1.0, 0.5, 6), np.linspace(0.5, 0.54, 14)]  # 8% up
    assert diagnose(curve(train, val)).label != "overfitting"
    flat_train = np.r_[np.linspace(1.0, 0.3, 5), np.full(15, 0.3)]  # flat after epoch 5
    rising_val = np.r_[np.linspace(1.0, 0.5, 6), np.linspace(0.52, 0.65, 14)]
    assert diagnose(curve(flat_train, rising_val)).label != "overfitting"


def test_a_loss_that_stops_improving_early_while_high_has_plateaued():
    train = [1.0, 0.8, 0.75] + [0.74] * 27
    found = diagnose(curve(train))
    assert found.label == "plateaued early"
    assert "After epoch 10 of 30" in found.evidence
    assert "74% of its first-epoch value 1" in found.evidence


def test_a_loss_that_levels_off_below_half_its_start_is_healthy_not_plateaued():
    train = [1.0, 0.6, 0.45] + [0.44] * 27
    assert diagnose(curve(train)).label == "healthy"


def test_a_loss_still_falling_in_a_straight_line_is_too_slow():
    train = 0.693 - 0.0005 * np.arange(30)  # a tiny learning rate's linear decrease
    found = diagnose(curve(train))
    assert found.label == "too slow"
    # the last round(0.2 * 29) = 6 steps of 29 take 6/29 = 21% of the decrease
    assert "the last 6 of 30 epochs" in found.evidence
    assert "21% of its whole decrease" in found.evidence


def test_too_slow_needs_the_last_fifth_to_bring_10_percent_of_the_decrease():
    # L_k = 1 - c (1 - r^k): the last 6 steps of 29 bring (r^23 - r^29) / (1 - r^29)
    for r, expected in ((0.95, "too slow"), (0.85, "healthy")):
        share = (r**23 - r**29) / (1 - r**29)
        assert (share >= 0.1) == (expected == "too slow")
        train = 1.0 - 0.4 * (1 - r ** np.arange(30))
        assert diagnose(curve(train)).label == expected


def test_a_curve_that_levels_off_is_healthy():
    found = diagnose(curve(decaying(), decaying() + 0.05))
    assert found.label == "healthy"
    assert "fell from 1 to 0.1" in found.evidence


def test_priority_diverged_before_oscillating_and_overfitting_before_too_slow():
    wild = [1.0, 0.5, 1.5, 0.8, 2.5]
    assert diagnose(curve(wild)).label == "diverged"
    train = 0.693 - 0.005 * np.arange(20)  # too slow on its own
    val = np.r_[np.linspace(0.7, 0.6, 5), np.linspace(0.62, 0.8, 15)]
    assert diagnose(curve(train)).label == "too slow"
    assert diagnose(curve(train, val)).label == "overfitting"


def test_short_runs_are_judged_on_divergence_only():
    found = diagnose(curve([1.0, 0.9, 0.95]))
    assert found.label == "healthy"
    assert "Only 3 epoch(s)" in found.evidence
    assert diagnose(curve([1.0, 2.5])).label == "diverged"


def test_every_label_has_the_checklists_remedy_and_the_diagnosis_is_frozen():
    assert set(REMEDIES) == set(LABELS)
    keywords = {
        "diverged": ("lower the learning rate", "clip"),
        "oscillating": ("reduce the learning rate", "momentum", "smooth"),
        "too slow": ("increase the learning rate", "schedule"),
        "plateaued early": ("adaptive optimizer", "schedule", "initialization"),
        "overfitting": ("regularize", "stop early"),
    }
    for label, words in keywords.items():
        assert all(word in REMEDIES[label].lower() for word in words), label
    found = diagnose(curve(decaying()))
    assert found.remedy == REMEDIES["healthy"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.label = "diverged"


def test_diagnose_all_keeps_names_and_order():
    runs = {"slow": curve(0.693 - 0.0005 * np.arange(30)), "fine": curve(decaying())}
    found = diagnose_all(runs)
    assert list(found) == ["slow", "fine"]
    assert [d.label for d in found.values()] == ["too slow", "healthy"]
    assert all(isinstance(d, Diagnosis) for d in found.values())


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(TypeError, match=r"history must be an optimlab\.train\.History"):
        diagnose({"epoch_train_loss": [1.0]})
    with pytest.raises(ValueError, match="records no epoch"):
        diagnose(History())
    with pytest.raises(TypeError, match="histories must be a dict"):
        diagnose_all([curve(decaying())])
    with pytest.raises(TypeError, match=r"histories\['b'\]"):
        diagnose_all({"a": curve(decaying()), "b": [1.0]})


# -- real trainings ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def noisy_binary():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X @ np.array([1.0, -1.0]) + rng.normal(size=200) > 0).astype(int)
    return X, y


def train_logistic(X, y, lr, epochs=30):
    model = LogisticRegression(2)
    return fit(model, optim.SGD(model.params, lr=lr), X, y, epochs=epochs)


def test_sgd_with_a_huge_rate_on_logistic_regression_is_diverged(noisy_binary):
    X, y = noisy_binary
    found = diagnose(train_logistic(X * 100.0, y, lr=1e6))
    assert found.label == "diverged"
    assert "exploded" in found.evidence


def test_sgd_with_a_tiny_rate_is_too_slow_and_a_good_rate_healthy(noisy_binary):
    X, y = noisy_binary
    assert diagnose(train_logistic(X, y, lr=1e-3)).label == "too slow"
    assert diagnose(train_logistic(X, y, lr=1.0)).label == "healthy"


@pytest.fixture(scope="module")
def ravine():
    """Linear regression whose features differ in scale 10x: condition number ~100."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 2)) * np.array([1.0, 10.0])
    y = X @ np.array([1.0, 1.0]) + 0.1 * rng.normal(size=100)
    design = np.column_stack([X, np.ones(100)])
    smoothness = 2.0 * np.linalg.eigvalsh(design.T @ design / 100).max()  # L of the MSE
    return X, y, smoothness


def train_ravine(ravine, lr_times_l, momentum):
    X, y, smoothness = ravine
    model = LinearRegression(2)
    optimizer = optim.SGD(model.params, lr=lr_times_l / smoothness, momentum=momentum)
    return fit(model, optimizer, X, y, epochs=60)


def test_heavy_momentum_at_a_high_rate_on_a_ravine_oscillates(ravine):
    assert diagnose(train_ravine(ravine, 1.0, momentum=0.9)).label == "oscillating"
    # the same rate without momentum, or with little, descends monotonically
    assert diagnose(train_ravine(ravine, 1.0, momentum=0.0)).label == "healthy"
    assert diagnose(train_ravine(ravine, 1.0, momentum=0.5)).label == "healthy"


def test_a_wide_mlp_on_a_tiny_noisy_training_set_overfits():
    X, y = moons(40, noise=0.35, seed=1)
    X_val, y_val = moons(200, noise=0.35, seed=2)
    model = MLP([2, 32, 32, 1], "relu", "binary", seed=0)
    history = fit(
        model, optim.Adam(model.params, lr=0.01), X, y, epochs=100, validation=(X_val, y_val)
    )
    found = diagnose(history)
    assert found.label == "overfitting"
    best = int(np.argmin(history.epoch_val_loss))
    assert history.epoch_val_loss[-1] > 1.1 * history.epoch_val_loss[best]


def test_an_mlp_started_at_zero_weights_plateaus_early():
    # all-zero weights: every hidden unit is zero (tanh) and gets a zero gradient
    X, y = moons(100, noise=0.2, seed=1)
    model = MLP([2, 16, 16, 1], "tanh", "binary", seed=0)
    model.set_params({name: np.zeros_like(value) for name, value in model.params.items()})
    history = fit(model, optim.SGD(model.params, lr=0.5), X, y, epochs=30)
    found = diagnose(history)
    assert found.label == "plateaued early"
    assert "initialization" in found.remedy


def test_overfitting_from_a_validation_loss_of_exactly_zero_is_said_without_dividing():
    import warnings

    history = History(
        epoch_train_loss=[1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01],
        epoch_val_loss=[0.5, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        found = diagnose(history)
    assert found.label == "overfitting" and "rose above its minimum 0 (epoch 2)" in found.evidence


def test_a_loss_still_falling_by_a_steady_fraction_is_too_slow_on_a_log_scale():
    # a new user's run: 1.5e9 after 10 epochs, falling 24% per epoch, with an optimum of
    # 4.06e8 (its excess shrinks 30% per epoch). On a linear scale the last 2 epochs bring
    # 5% of the decrease (threshold 10%); on a log scale they fall at 88% of the run's pace
    train = 4.06e8 + 2.8e10 * 0.7 ** np.arange(10)
    assert (train[7] - train[9]) / (train[0] - train[9]) < 0.1
    pace = np.log(train[7] / train[9]) / 2 / (np.log(train[0] / train[9]) / 9)
    assert pace == pytest.approx(0.88, abs=0.01)
    found = diagnose(curve(train))
    assert found.label == "too slow"
    per_epoch = 1 - np.sqrt(train[9] / train[7])
    assert (
        f"{per_epoch:.0%} less per epoch: on a log scale {pace:.0%} of the pace" in found.evidence
    )
    # ten epochs more, the excess is 2% of the loss: levelled off
    assert diagnose(curve(4.06e8 + 2.8e10 * 0.7 ** np.arange(20))).label == "healthy"


# a new user's digits MLP, SGD lr=0.3 momentum=0.9: training loss 0.0129 (accuracy 1) falling
# geometrically, the validation loss no longer so; a 3x higher rate oscillated
DIGITS_TRAIN = [0.474, 0.1633, 0.05979, 0.03645, 0.01288]
DIGITS_VAL = [0.2889, 0.2014, 0.1964, 0.2169, 0.1783]


def test_an_overfitting_run_falling_on_a_log_scale_is_not_told_to_raise_the_rate():
    found = diagnose(curve(DIGITS_TRAIN, DIGITS_VAL))
    assert found.label == "healthy"
    assert "the validation loss was no longer falling" in found.evidence
    # the same run where its validation loss also kept falling by a steady fraction
    assert diagnose(curve(DIGITS_TRAIN, 1.5 * np.array(DIGITS_TRAIN))).label == "too slow"


def test_a_classifier_that_separates_the_training_split_is_not_too_slow_without_validation():
    history = curve(DIGITS_TRAIN)
    assert diagnose(history).label == "too slow"  # nothing says where the floor is
    history.metric, history.epoch_train_metric = "accuracy", [0.92, 0.98, 0.99, 0.98, 1.0]
    found = diagnose(history)
    assert found.label == "healthy" and "classified correctly" in found.evidence


def test_a_loss_under_1_percent_of_its_start_falling_geometrically_is_near_its_floor():
    train = 2.0 * 0.5 ** np.arange(10)  # 0.2% of its start: no floor in sight, but tiny
    found = diagnose(curve(train))
    assert found.label == "healthy" and "of its first-epoch value" in found.evidence
    assert diagnose(curve(2.0 * 0.7 ** np.arange(10))).label == "too slow"  # 4%


def test_a_straight_decline_whose_validation_loss_stopped_falling_is_not_too_slow():
    train = np.linspace(1.0, 0.5, 20)
    assert diagnose(curve(train, np.linspace(1.1, 0.6, 20))).label == "too slow"
    val = np.r_[np.linspace(1.1, 0.8, 10), np.full(10, 0.8)]
    assert diagnose(curve(train, val)).label == "healthy"


def test_a_regression_far_above_its_optimum_with_a_falling_validation_is_still_too_slow():
    train = 4.06e8 + 2.8e10 * 0.7 ** np.arange(10)
    assert diagnose(curve(train, train * 1.1)).label == "too slow"
