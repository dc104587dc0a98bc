"""Run diagnosis with context: constructed runs whose fault is known by construction.

Each case trains a small run through `optimlab.lab.experiment.run`, checks the label and the
cause, checks that the remedy never recommends what the run already does, then applies the
remedy's `changes`, trains again and checks that the problem is gone and that the number
that measures it improved.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from optimlab.lab.diagnosis import CAUSES, Diagnosis, RunContext, diagnose
from optimlab.lab.experiment import RunSpec, run
from optimlab.train import History

# -- data files with a known defect --------------------------------------------------------------


def write_csv(path: Path, header: list[str], rows: np.ndarray) -> str:
    lines = [",".join(header)] + [",".join(f"{v:.10g}" for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    folder = tmp_path_factory.mktemp("diagnosis_data")
    rng = np.random.default_rng(0)
    # three concentric rings: no straight line separates any class from the others
    radius = np.repeat([1.0, 2.0, 3.0], 200) + rng.normal(0.0, 0.15, 600)
    angle = rng.uniform(0.0, 2 * np.pi, 600)
    rings = np.column_stack(
        [radius * np.cos(angle), radius * np.sin(angle), np.repeat([0, 1, 2], 200)]
    )
    # a linear target with a constant column "unit": its weight does not change the loss
    X = rng.normal(size=(200, 3))
    y = X @ np.array([1.0, 2.0, -1.0]) + 0.1 * rng.normal(size=200)
    constant = np.column_stack([X, np.full(200, 7.0), y])
    # two nearly collinear features: a ravine the standardisation cannot remove
    z = rng.normal(size=300)
    X = np.column_stack([z, z + 0.1 * rng.normal(size=300), rng.normal(size=300)])
    ravine = np.column_stack([X, X.sum(axis=1) + 0.1 * rng.normal(size=300)])
    return {
        "rings": write_csv(folder / "rings.csv", ["x", "y", "ring"], rings),
        "constant": write_csv(folder / "constant.csv", ["a", "b", "c", "unit", "y"], constant),
        "ravine": write_csv(folder / "ravine.csv", ["a", "b", "c", "y"], ravine),
    }


# -- running and measuring -----------------------------------------------------------------------


def train(spec: RunSpec) -> History:
    """`run`'s history; a run that fails with a numerical error (Newton's singular Hessian)
    becomes a diverged history carrying the error, as the sweep records it."""
    try:
        return run(spec).history
    except np.linalg.LinAlgError as error:
        return History(
            stop_reason="diverged", message=f"the run failed: {type(error).__name__}: {error}"
        )


def kept(values: list[float], history: History) -> float:
    """The value at the epoch whose parameters the run kept (inf for a failed run)."""
    if not values:
        return math.inf
    index = len(values) - 1 if history.best_epoch is None else history.best_epoch - 1
    value = values[index]
    return value if math.isfinite(value) else math.inf


MEASURES = {
    "val_loss": lambda h: kept(h.epoch_val_loss, h),
    "train_loss": lambda h: kept(h.epoch_train_loss, h),
    "val_metric": lambda h: -kept(h.epoch_val_metric, h) if h.epoch_val_metric else math.inf,
}
"""Each measure, oriented so that lower is better."""


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    spec: RunSpec
    label: str
    cause: str
    measure: str  # a MEASURES key: the number the fix must improve
    grid: tuple[float, ...] = ()


MOONS_MLP = RunSpec(dataset="moons", model="mlp", hidden=(32,), optimizer="Adam", lr=0.01)
SMALL_NOISY = RunSpec(
    dataset="moons",
    n_samples=100,
    noise=0.35,
    val_fraction=0.5,
    model="mlp",
    hidden=(64, 64),
    activation="relu",
    optimizer="Adam",
    lr=0.01,
    epochs=100,
)
SADDLE = RunSpec(
    dataset="xor", model="mlp", hidden=(16, 16, 16), activation="sigmoid", optimizer="SGD", lr=0.1
)


def cases(files: dict[str, str]) -> list[Case]:
    rings, constant, ravine = (
        f"csv:{files['rings']}:ring",
        f"csv:{files['constant']}:y",
        f"csv:{files['ravine']}:y",
    )
    return [
        Case(  # L of the MSE is ~2 x the largest eigenvalue of the features' covariance (~1)
            "SGD at a rate far above 2/L diverges",
            RunSpec(dataset="regression", optimizer="SGD", lr=1.0, epochs=20),
            "diverged",
            "optimizer",
            "val_loss",
        ),
        Case(
            "SGD at a rate far too low is too slow",
            RunSpec(dataset="moons", model="logistic", optimizer="SGD", lr=1e-3),
            "too slow",
            "optimizer",
            "train_loss",
        ),
        Case(
            "a logistic regression on the moons underfits",
            RunSpec(dataset="moons", model="logistic", optimizer="Adam", lr=0.01),
            "underfitting (model too simple)",
            "model",
            "val_loss",
        ),
        Case(
            "a softmax regression on three rings underfits",
            RunSpec(dataset=rings, optimizer="Adam", lr=0.01),
            "underfitting (model too simple)",
            "model",
            "val_metric",
        ),
        Case(
            "a 4417-parameter MLP on 50 noisy points overfits",
            SMALL_NOISY,
            "overfitting",
            "model",
            "val_loss",
        ),
        Case(
            "the same with an L2 penalty already set overfits: stop early instead",
            dataclasses.replace(SMALL_NOISY, l2=1e-4),
            "overfitting",
            "model",
            "val_loss",
        ),
        Case(
            "SGD on a deep sigmoid MLP stays at its symmetric start",
            SADDLE,
            "stuck at a saddle",
            "optimizer",
            "train_loss",
        ),
        Case(
            "the same with momentum 0.9 already: no 'add momentum'",
            dataclasses.replace(SADDLE, options=(("momentum", 0.9),)),
            "stuck at a saddle",
            "optimizer",
            "train_loss",
        ),
        Case(
            "unscaled features (0.004 to 1000) with scale off",
            RunSpec(dataset="breast_cancer", optimizer="SGD", lr=0.01, scale=False),
            "unscaled features",
            "data",
            "val_loss",
        ),
        Case(
            "Adam's lr-sized steps on an unscaled target of mean 152",
            RunSpec(dataset="diabetes", optimizer="Adam", lr=0.01, scale=False),
            "unscaled targets",
            "data",
            "val_metric",
        ),
        Case(
            "undamped Newton on data with a constant column",
            RunSpec(
                dataset=constant,
                optimizer="Newton",
                lr=1.0,
                options=(("damping", 0.0),),
                batch_size=None,
                epochs=5,
            ),
            "constant features",
            "data",
            "val_loss",
        ),
        Case(  # K-class softmax is redundant: adding a vector to every class changes nothing
            "undamped Newton on a softmax regression has a singular Hessian",
            RunSpec(
                dataset="iris",
                optimizer="Newton",
                lr=1.0,
                options=(("damping", 0.0),),
                batch_size=None,
                epochs=10,
            ),
            "singular Hessian",
            "optimizer",
            "val_loss",
        ),
        Case(
            "heavy-ball momentum 0.9 on a ravine oscillates",
            RunSpec(
                dataset=ravine,
                optimizer="SGD",
                lr=0.1,
                options=(("momentum", 0.9),),
                batch_size=None,
                epochs=40,
            ),
            "oscillating",
            "optimizer",
            "train_loss",
        ),
        Case(
            "Adam at the top of a sweep's grid is too slow: extend the grid",
            RunSpec(dataset="moons", model="logistic", optimizer="Adam", lr=1e-3),
            "too slow",
            "optimizer",
            "val_loss",
            grid=(1e-5, 1e-4, 1e-3),
        ),
        Case(
            "a sweep's interior best rate that is too slow: train longer, keep the rate",
            dataclasses.replace(MOONS_MLP, hidden=(32, 32), lr=0.1, batch_size=None),
            "too slow",
            "optimizer",
            "val_loss",
            grid=(1e-3, 1e-2, 1e-1, 1.0),
        ),
        Case(
            "every rate of a sweep's grid diverges: extend it down",
            RunSpec(dataset="regression", optimizer="SGD", lr=1.0, epochs=20),
            "diverged",
            "optimizer",
            "val_loss",
            grid=(1.0, 3.0, 10.0),
        ),
        Case(
            "Adadelta with its multiplier at 0.01 is too slow",
            RunSpec(dataset="moons", model="logistic", optimizer="Adadelta", lr=0.01),
            "too slow",
            "optimizer",
            "train_loss",
        ),
    ]


CASE_NAMES = [case.name for case in cases({"rings": "r", "constant": "c", "ravine": "v"})]

# what a remedy must never say, given what the run already does


def assert_never_repeats(found: Diagnosis, spec: RunSpec, context: RunContext) -> None:
    text = found.remedy.lower()
    if context.momentum > 0:
        assert "add momentum" not in text
    if context.scale_free:
        assert "adaptive optimizer" not in text
    if context.optimizer == "Newton":
        assert "learning rate" not in text
    position = context.grid_position
    lower = re.compile(r"(lower|reduce) the (learning )?rate")
    higher = re.compile(r"(raise|increase) the (learning )?rate")
    if position in ("lowest", "only", "interior"):
        assert not lower.search(text)
    if position in ("highest", "only", "interior"):
        assert not higher.search(text)
    if position == "interior":
        assert "lr" not in found.changes and "options" not in found.changes
    for setting, option in (
        (context.l2 > 0, "--l2"),
        (context.patience is not None, "--patience"),
        (context.clip_norm is not None, "--clip-norm"),
        (context.scale, "`--scale`"),
        (context.model == "mlp", "--model mlp"),
    ):
        if setting:
            assert option not in text, option
    fields = {f.name for f in dataclasses.fields(RunSpec)}
    assert set(found.changes) <= fields
    for name, value in found.changes.items():
        before = getattr(spec, name)
        assert (dict(before) if name == "options" else before) != (
            dict(value) if name == "options" else value
        ), name


SPELLED = {
    "lr": ("--optimizer", "--lr-min", "--lr-max"),
    "optimizer": ("--optimizer",),
    "options": ("--optimizer",),
    "l2": ("--l2 ",),
    "patience": ("--patience ",),
    "scale": ("--scale",),
    "model": ("--model mlp",),
    "hidden": ("--hidden ",),
    "epochs": ("--epochs ",),
}


def assert_spelled(found: Diagnosis) -> None:
    """Every change is named as the command spells it and as the API does."""
    for name in found.changes:
        assert any(option in found.remedy for option in SPELLED[name]), (name, found.remedy)
        assert f"{name}=" in found.remedy  # RunSpec(name=...)
    if "options" in found.changes:
        token = re.search(r"--optimizer (\S+)`", found.remedy).group(1)
        written = dict(part.split("=", 1) for part in token.split(":")[1:] if "=" in part)
        for key, value in dict(found.changes["options"]).items():
            assert written[key] in (str(value).lower(), f"{value:.3g}"), (key, token)


@pytest.mark.parametrize("index", range(len(CASE_NAMES)), ids=CASE_NAMES)
def test_a_constructed_run_gets_its_cause_and_the_remedy_fixes_it(files, index):
    case = cases(files)[index]
    history = train(case.spec)
    context = RunContext.from_spec(case.spec, lr_grid=case.grid)
    found = diagnose(history, context)
    assert (found.label, found.cause) == (case.label, case.cause), found.evidence
    assert found.cause == CAUSES[found.label]
    assert_never_repeats(found, case.spec, context)
    assert_spelled(found)
    assert found.changes, found.remedy

    fixed_spec = found.apply(case.spec)
    fixed = train(fixed_spec)
    again = diagnose(fixed, RunContext.from_spec(fixed_spec, lr_grid=case.grid))
    assert again.label != case.label, again.evidence
    before, after = MEASURES[case.measure](history), MEASURES[case.measure](fixed)
    assert after < before - 0.02 * abs(before) if math.isfinite(before) else math.isfinite(after)


def test_a_healthy_run_is_told_to_change_nothing():
    history = run(MOONS_MLP).history
    found = diagnose(history, RunContext.from_spec(MOONS_MLP))
    assert (found.label, found.cause, dict(found.changes)) == ("healthy", "none", {})
    assert found.apply(MOONS_MLP) == MOONS_MLP


def test_run_stores_the_diagnosis_with_cause_and_changes_as_plain_values():
    spec = RunSpec(dataset="moons", model="logistic", optimizer="SGD", lr=1e-3)
    result = run(spec)
    stored = json.loads(json.dumps(result.diagnosis))
    assert stored["label"] == "too slow" and stored["cause"] == "optimizer"
    assert stored["changes"] == {"lr": 0.01}
    assert set(stored) == {"label", "cause", "evidence", "remedy", "changes", "notes"}


def test_a_healthy_choice_at_the_edge_of_a_sweeps_grid_gets_a_note_not_a_change():
    history = run(MOONS_MLP).history
    found = diagnose(history, RunContext.from_spec(MOONS_MLP, lr_grid=(1e-4, 1e-3, 1e-2)))
    assert found.label == "healthy" and not found.changes
    assert any("--lr-max 0.1" in note for note in found.notes)


def test_constant_features_are_named_in_a_note_when_they_are_not_the_cause(files):
    spec = RunSpec(dataset=f"csv:{files['constant']}:y", optimizer="SGD", lr=0.05)
    context = RunContext.from_spec(spec)
    assert context.constant_features == ("unit",)
    found = diagnose(run(spec).history, context)
    assert found.label != "constant features"
    assert any("'unit'" in note and "CSV file" in note for note in found.notes)
