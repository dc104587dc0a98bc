"""optimlab.schedules against PyTorch's schedulers (golden file) and closed forms by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from optimlab.schedules import (
    Constant,
    CosineAnnealing,
    ExponentialDecay,
    InverseTime,
    LinearWarmup,
    Sequence,
    StepDecay,
    over_run,
    warmup_cosine,
)

GOLDEN = json.loads((Path(__file__).parent / "golden" / "torch_schedules.json").read_text())
CASES = GOLDEN["cases"]


def from_torch(case: dict):
    """Our schedule for a PyTorch scheduler case, translated argument by argument."""
    lr0, kw = case["lr0"], case["kwargs"]
    name = case["scheduler"]
    if name == "StepLR":
        return StepDecay(lr0, kw["step_size"], kw["gamma"])
    if name == "ExponentialLR":
        return ExponentialDecay(lr0, kw["gamma"])
    if name == "CosineAnnealingLR":
        return CosineAnnealing(lr0, kw["T_max"], kw["eta_min"])
    if name == "LinearLR":
        assert kw["end_factor"] == 1.0
        return LinearWarmup(lr0, kw["total_iters"], start=kw["start_factor"] * lr0)
    if name == "LambdaLR":
        return InverseTime(lr0, kw["decay_rate"])
    if name == "SequentialLR":
        warm, cos = kw["LinearLR"], kw["CosineAnnealingLR"]
        return Sequence(
            [
                LinearWarmup(lr0, warm["total_iters"], start=warm["start_factor"] * lr0),
                CosineAnnealing(lr0, cos["T_max"], cos["eta_min"]),
            ],
            kw["milestones"],
        )
    raise AssertionError(f"no translation for {name}")


def test_golden_covers_every_scheduler():
    names = {case["scheduler"] for case in CASES.values()}
    assert names == {
        "StepLR",
        "ExponentialLR",
        "CosineAnnealingLR",
        "LinearLR",
        "LambdaLR",
        "SequentialLR",
    }
    assert GOLDEN["torch_version"].startswith("2.13.0")


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_pytorch(name):
    case = CASES[name]
    schedule = from_torch(case)
    ours = [schedule(k) for k in range(len(case["lr"]))]
    np.testing.assert_allclose(ours, case["lr"], rtol=1e-12, atol=0)


def test_cosine_rises_after_t_max_like_pytorch():
    rates = CASES["cosine"]["lr"]
    schedule = from_torch(CASES["cosine"])
    assert rates[11] > rates[10] and schedule(11) > schedule(10)
    assert schedule(20) == pytest.approx(0.1, rel=1e-15)


def test_warmup_cosine_matches_pytorch_sequential_within_total_steps():
    case = CASES["sequential_linear_cosine"]
    warm, cos = case["kwargs"]["LinearLR"], case["kwargs"]["CosineAnnealingLR"]
    w = warm["total_iters"]
    schedule = warmup_cosine(
        case["lr0"], w, w + cos["T_max"], cos["eta_min"], start=warm["start_factor"] * case["lr0"]
    )
    total = w + cos["T_max"]
    ours = [schedule(k) for k in range(total + 1)]
    np.testing.assert_allclose(ours, case["lr"][: total + 1], rtol=1e-12, atol=0)
    # Past total_steps the helper stays at eta_min (Optax), PyTorch's cosine rises again.
    assert schedule(total + 3) == cos["eta_min"]
    assert case["lr"][total + 3] > cos["eta_min"]


def test_closed_forms_by_hand():
    assert InverseTime(1.0)(3) == 0.25
    assert InverseTime(2.0, decay_rate=0.5)(2) == 1.0
    assert Constant(0.3)(1000) == 0.3
    assert StepDecay(1.0, step_size=2, gamma=0.5)(0) == 1.0
    assert StepDecay(1.0, step_size=2, gamma=0.5)(1) == 1.0
    assert StepDecay(1.0, step_size=2, gamma=0.5)(2) == 0.5
    assert StepDecay(1.0, step_size=2, gamma=0.5)(5) == 0.25
    assert ExponentialDecay(2.0, 0.5)(3) == 0.25
    assert ExponentialDecay.from_decay_constant(1.0, 0.1)(5) == pytest.approx(math.exp(-0.5))
    cosine = CosineAnnealing(1.0, T_max=4, eta_min=0.2)
    assert cosine(0) == 1.0
    assert cosine(2) == pytest.approx(0.6, rel=1e-15)  # cos(pi/2) = 0: halfway
    assert cosine(4) == pytest.approx(0.2, rel=1e-15)
    assert cosine(6) == pytest.approx(0.6, rel=1e-15)  # rises again (PyTorch)
    assert cosine(8) == pytest.approx(1.0, rel=1e-15)
    clamped = CosineAnnealing(1.0, T_max=4, eta_min=0.2, clamp=True)
    assert clamped(6) == clamped(100) == pytest.approx(0.2, rel=1e-15)
    warm = LinearWarmup(1.0, warmup_steps=4, start=0.2)
    assert [warm(k) for k in range(6)] == pytest.approx([0.2, 0.4, 0.6, 0.8, 1.0, 1.0])
    assert LinearWarmup(0.8, 4)(0) == 0.0


def test_warmup_cosine_convention_includes_warmup():
    schedule = warmup_cosine(1.0, warmup_steps=2, total_steps=6)
    # warmup 0, 0.5; cosine over the remaining 4 updates: 1, (1+cos(pi/4))/2, 0.5, ..., 0
    expected = [
        0.0,
        0.5,
        1.0,
        (1 + math.cos(math.pi / 4)) / 2,
        0.5,
        (1 - math.cos(math.pi / 4)) / 2,
    ]
    assert [schedule(k) for k in range(6)] == pytest.approx(expected, rel=1e-15, abs=1e-16)
    assert schedule(6) == schedule(50) == pytest.approx(0.0, abs=1e-16)


def test_sequence_restarts_each_schedule_at_its_own_zero():
    schedule = Sequence([Constant(1.0), InverseTime(1.0), Constant(0.01)], [2, 5])
    assert [schedule(k) for k in range(7)] == [1.0, 1.0, 1.0, 0.5, 1 / 3, 0.01, 0.01]


@pytest.mark.parametrize(
    "step", [np.int64(7), np.int32(7), np.uint16(7), np.array(7)[()], 7], ids=repr
)
def test_numpy_integer_steps(step):
    for schedule in (
        InverseTime(1.0),
        StepDecay(1.0, 3, 0.5),
        ExponentialDecay(1.0, 0.9),
        CosineAnnealing(1.0, 10),
        LinearWarmup(1.0, 10),
        warmup_cosine(1.0, 3, 10),
    ):
        value = schedule(step)
        assert type(value) is float
        assert value == schedule(7)


def test_repr_shows_arguments_and_schedules_are_immutable():
    assert repr(StepDecay(0.1, 3, 0.5)) == "StepDecay(eta0=0.1, step_size=3, gamma=0.5)"
    assert "T_max=7" in repr(warmup_cosine(1.0, 3, 10))
    schedule = CosineAnnealing(0.1, 10)
    with pytest.raises(AttributeError):
        schedule.eta0 = 1.0


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: Constant(-0.1), r"Invalid lr: -0\.1; lr must be >= 0"),
        (lambda: Constant(math.nan), r"Invalid lr: nan; lr must be finite"),
        (lambda: InverseTime(math.inf), r"Invalid eta0: inf; eta0 must be finite"),
        (lambda: InverseTime(1.0, decay_rate=-1), r"-1; decay_rate must be >= 0"),
        (lambda: StepDecay(1.0, 0, 0.5), r"0; step_size must be a positive integer"),
        (lambda: StepDecay(1.0, 2, 1.5), r"Invalid gamma: 1\.5; gamma must be in \(0, 1\]"),
        (lambda: ExponentialDecay(1.0, 0.0), r"Invalid gamma: 0\.0; gamma must be in \(0, 1\]"),
        (lambda: ExponentialDecay.from_decay_constant(1.0, -0.1), r"decay_constant must be"),
        (lambda: CosineAnnealing(1.0, 0), r"Invalid T_max: 0; T_max must be a positive integer"),
        (lambda: CosineAnnealing(1.0, -5), r"Invalid T_max: -5; T_max must be a positive integer"),
        (lambda: CosineAnnealing(1.0, 10, eta_min=-1e-3), r"-0\.001; eta_min must be >= 0"),
        (lambda: LinearWarmup(1.0, 0), r"0; warmup_steps must be a positive integer"),
        (lambda: LinearWarmup(1.0, 5, start=-1.0), r"Invalid start: -1\.0; start must be >= 0"),
        (
            lambda: Sequence([Constant(1.0), Constant(0.1)], []),
            r"boundaries must hold len\(schedules\) - 1 = 1 steps, got 0",
        ),
        (lambda: Sequence([Constant(1), Constant(1), Constant(1)], [5, 5]), r"strictly increasing"),
        (lambda: Sequence([], []), r"at least one schedule"),
        (lambda: warmup_cosine(1.0, 10, 10), r"total_steps must be greater than warmup_steps"),
    ],
)
def test_bad_arguments_raise_value_error(make, match):
    with pytest.raises(ValueError, match=match):
        make()


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: CosineAnnealing(1.0, 10.0), r"Invalid T_max: 10\.0; T_max must be an integer"),
        (lambda: Constant("0.1"), r"lr must be a real number"),
        (lambda: CosineAnnealing(1.0, 10, clamp=1), r"clamp must be True or False"),
        (lambda: Sequence([0.1], []), r"schedules\[0\] must be callable"),
        (lambda: InverseTime(1.0)(2.0), r"Invalid step: 2\.0; step must be an integer"),
    ],
)
def test_wrong_types_raise_type_error(make, match):
    with pytest.raises(TypeError, match=match):
        make()


def test_negative_step_raises():
    with pytest.raises(ValueError, match=r"Invalid step: -1; step must be an integer >= 0"):
        Constant(0.1)(-1)


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("constant", {0: 0.1, 29: 0.1}),
        ("inverse_time", {0: 0.1, 30: 0.1 / 11}),
        ("step", {9: 0.1, 10: 0.01, 20: 0.001}),
        ("exponential", {0: 0.1, 15: 0.01, 30: 0.001}),
        ("cosine", {0: 0.1, 15: 0.05, 30: 0.0}),
        ("warmup_cosine", {0: 0.0, 1: 0.1 / 3, 3: 0.1, 30: 0.0}),
    ],
)
def test_schedules_over_a_run_by_hand(name, values):
    schedule = over_run(name, 0.1, 30)  # T = 30 updates
    for step, expected in values.items():
        assert schedule(step) == pytest.approx(expected, abs=1e-15)


def test_warmup_cosine_over_one_update_is_the_cosine_and_bad_names_are_refused():
    assert over_run("warmup_cosine", 0.1, 1)(0) == 0.1
    with pytest.raises(ValueError, match=r"schedule.*'cosine'"):
        over_run("cosin", 0.1, 10)
    with pytest.raises(ValueError, match="total_steps"):
        over_run("cosine", 0.1, 0)
