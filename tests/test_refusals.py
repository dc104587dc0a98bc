"""A refusal changes nothing: for random bad inputs to the optimizer API, `fit`,
`load_state_dict`, checkpoints and the run store, every call that raises leaves every
parameter, optimizer state, model and file exactly as it was (property tests, hypothesis)."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from optimlab import optim
from optimlab.lab.experiment import RunResult, RunSpec
from optimlab.lab.store import RunStore
from optimlab.models import MLP, LogisticRegression
from optimlab.optim import Hyper
from optimlab.train import EarlyStopping, History, fit
from tests.optim.registry import FIRST_ORDER, IDS

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
BAD_NUMBERS = st.sampled_from(
    [-1.0, -1e-12, math.nan, math.inf, -math.inf, 1.5, 1.0, "0.1", None, True, [0.1], 1e300]
)


def snapshot(params: dict, opt: optim.Optimizer) -> tuple:
    return (
        {k: v.copy() for k, v in params.items()},
        {k: np.array(v, copy=True) for k, v in opt.state_dict().items()},
        opt.hyperparameters(),
    )


def assert_unchanged(before: tuple, params: dict, opt: optim.Optimizer) -> None:
    after = snapshot(params, opt)
    for k in before[0]:
        np.testing.assert_array_equal(after[0][k], before[0][k])
    assert after[1].keys() == before[1].keys()
    for k in before[1]:
        np.testing.assert_array_equal(after[1][k], before[1][k])
    assert after[2] == before[2]


def stepped(cls, kwargs, seed=0):
    rng = np.random.default_rng(seed)
    params = optim.packed({"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)})
    opt = cls(params, **kwargs)
    for _ in range(2):
        opt.step({"W": rng.normal(size=(3, 2)), "b": rng.normal(size=2)})
    return params, opt


@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
@SETTINGS
@given(field=st.data(), bad=BAD_NUMBERS)
def test_a_bad_hyperparameter_set_between_steps_changes_nothing(name, cls, kwargs, field, bad):
    params, opt = stepped(cls, kwargs)
    hypers = [n for n, f in cls.fields().items() if isinstance(f, Hyper)]
    chosen = field.draw(st.sampled_from(hypers))
    before = snapshot(params, opt)
    try:
        setattr(opt, chosen, bad)
    except (ValueError, TypeError) as error:
        assert chosen in str(error)
        assert_unchanged(before, params, opt)
    else:  # accepted: it must be a valid value (a finite number in range)
        assert getattr(opt, chosen) == bad or chosen == "betas"


@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_a_bad_gradient_changes_nothing(name, cls, kwargs, data):
    params, opt = stepped(cls, kwargs)
    kind = data.draw(st.sampled_from(["nan", "inf", "shape", "missing", "extra", "int", "list"]))
    grads = {"W": np.ones((3, 2)), "b": np.ones(2)}
    if kind in ("nan", "inf"):
        key = data.draw(st.sampled_from(["W", "b"]))
        flat = grads[key].reshape(-1)
        flat[data.draw(st.integers(0, flat.size - 1))] = np.nan if kind == "nan" else -np.inf
    elif kind == "shape":
        grads["b"] = np.ones(data.draw(st.sampled_from([1, 3, 4])))
    elif kind == "missing":
        del grads["b"]
    elif kind == "extra":
        grads["c"] = np.ones(1)
    elif kind == "int":
        grads["W"] = np.ones((3, 2), dtype=int)
    else:
        grads = [grads["W"], grads["b"]]
    before = snapshot(params, opt)
    with pytest.raises((ValueError, TypeError, FloatingPointError)):
        opt.step(grads)
    assert_unchanged(before, params, opt)


def corrupt(state: dict, data, own_name: str) -> tuple[dict, bool]:
    """A state dict with one random thing wrong, and whether it must be refused (dropping
    an optional entry, or naming this optimizer's own convention, leaves a valid state)."""
    state = dict(state)
    keys = sorted(state)
    kind = data.draw(
        st.sampled_from(["drop", "shape", "dtype", "name", "convention", "step", "hyper", "option"])
    )
    if kind == "drop":
        key = data.draw(st.sampled_from(keys))
        del state[key]
        return state, key in ("optimizer", "step") or key.startswith(("state/", "scalar/"))
    if kind in ("shape", "dtype"):
        arrays = [k for k in keys if k.startswith("state/")]
        assume(arrays)
        key = data.draw(st.sampled_from(arrays))
        state[key] = state[key][:-1] if kind == "shape" else state[key].astype(np.float32)
    elif kind == "name":
        state["optimizer"] = data.draw(
            st.sampled_from([n for n in ("Adam", "Lion", "", "SGD ") if n != own_name])
        )
    elif kind == "convention":
        state["convention"] = data.draw(st.sampled_from(["jax", "keras", "pytorch"]))
        return state, state["convention"] not in ("pytorch", "keras")
    elif kind == "step":
        state["step"] = data.draw(st.sampled_from([np.int64(-1), np.float64(2.5), "3"]))
    elif kind == "hyper":
        key = data.draw(st.sampled_from([k for k in keys if k.startswith("hyper/")]))
        bad = data.draw(st.sampled_from([np.nan, -3.0]))
        state[key] = np.full_like(np.asarray(state[key]), bad)
    else:
        options = [k for k in keys if k.startswith("option/")]
        assume(options)
        key = data.draw(st.sampled_from(options))
        state[key] = (not state[key]) if isinstance(state[key], bool) else "other"
    return state, True


@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
@SETTINGS
@given(data=st.data())
def test_a_state_that_does_not_fit_is_refused_and_changes_nothing(name, cls, kwargs, data):
    params, opt = stepped(cls, kwargs)
    _, source = stepped(cls, kwargs, seed=1)
    bad, must_refuse = corrupt(source.state_dict(), data, cls.__name__)
    before = snapshot(params, opt)
    try:
        opt.load_state_dict(bad)
    except (ValueError, TypeError) as error:
        assert str(error)
        assert_unchanged(before, params, opt)
    else:
        assert not must_refuse, f"accepted a state with a bad entry: {bad}"


def model_and_data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(40, 3))
    y = (X[:, 0] > 0).astype(float)
    model = LogisticRegression(3)
    return model, optim.Adam(model.params, lr=0.1), X, y


@SETTINGS
@given(data=st.data())
def test_fit_refuses_bad_arguments_before_changing_anything(data):
    model, opt, X, y = model_and_data()
    fit(model, opt, X, y, epochs=1)
    kind = data.draw(
        st.sampled_from(
            [
                "epochs",
                "batch",
                "clip",
                "schedule_unit",
                "X_nan",
                "y_shape",
                "validation",
                "budget",
                "foreign_optimizer",
                "y_labels",
            ]
        )
    )
    kwargs: dict = {"epochs": 2}
    X_bad, y_bad = X, y
    if kind == "epochs":
        kwargs["epochs"] = data.draw(st.sampled_from([0, -1, 2.5, "3", True]))
    elif kind == "batch":
        kwargs["batch_size"] = data.draw(st.sampled_from([0, -4, 2.5, "8"]))
    elif kind == "clip":
        kwargs["clip_norm"] = data.draw(st.sampled_from([0.0, -1.0, math.nan, math.inf]))
    elif kind == "schedule_unit":
        kwargs["schedule_unit"] = "epochs"
    elif kind == "X_nan":
        X_bad = X.copy()
        X_bad[data.draw(st.integers(0, 39)), data.draw(st.integers(0, 2))] = np.nan
    elif kind == "y_shape":
        y_bad = y[:-1]
    elif kind == "validation":
        kwargs["validation"] = (X[:5], y[:4])
    elif kind == "budget":
        kwargs["iterations"] = 3
    elif kind == "foreign_optimizer":
        opt = optim.SGD({k: v.copy() for k, v in model.params.items()}, lr=0.1)
    else:
        y_bad = y + 2.0
    before = snapshot(model.params, opt)
    with pytest.raises((ValueError, TypeError)):
        fit(model, opt, X_bad, y_bad, **kwargs)
    assert_unchanged(before, model.params, opt)


@pytest.fixture
def checkpointed(tmp_path):
    model, opt, X, y = model_and_data()
    path = tmp_path / "run.npz"
    fit(model, opt, X, y, epochs=2, checkpoint=path, callbacks=[EarlyStopping(patience=3)])
    return path


@SETTINGS
@given(data=st.data())
def test_a_checkpoint_that_does_not_fit_changes_nothing(checkpointed, tmp_path, data):
    kind = data.draw(st.sampled_from(["optimizer", "model", "callbacks", "truncated", "missing"]))
    model, opt, X, y = model_and_data(seed=1)
    callbacks = [EarlyStopping(patience=3)]
    if kind == "optimizer":
        opt = optim.SGD(model.params, lr=0.1, momentum=0.9)
    elif kind == "model":
        model = MLP([3, 4, 1], task="binary", seed=0)
        opt = optim.Adam(model.params, lr=0.1)
    elif kind == "callbacks":
        callbacks = []
    path = tmp_path / "copy.npz"
    shutil.copy(checkpointed, path)
    if kind == "truncated":
        path.write_bytes(path.read_bytes()[: data.draw(st.integers(0, 200))])
    elif kind == "missing":
        path = tmp_path / "nothing.npz"
    saved = path.read_bytes() if path.exists() else None
    before = snapshot(model.params, opt)
    with pytest.raises((ValueError, TypeError, FileNotFoundError)):
        fit(model, opt, X, y, epochs=3, resume=path, callbacks=callbacks)
    assert_unchanged(before, model.params, opt)
    assert (path.read_bytes() if path.exists() else None) == saved


@SETTINGS
@given(content=st.binary(min_size=1, max_size=300))
def test_a_file_that_is_not_a_store_is_refused_and_left_as_it_was(tmp_path, content):
    path = tmp_path / "not-a-store.sqlite"
    path.write_bytes(content)
    with pytest.raises(ValueError):
        RunStore(path)
    assert path.read_bytes() == content


@SETTINGS
@given(bad=st.sampled_from([None, 3, "run", History(), {"spec": {}}]))
def test_the_store_refuses_what_is_not_a_run_and_keeps_what_it_has(tmp_path, bad):
    spec = RunSpec(dataset="moons", model="logistic", epochs=2, n_samples=60)
    history = History(metric="accuracy", epoch_train_loss=[0.7, 0.6], epoch_val_loss=[0.7, 0.65])
    with RunStore(tmp_path / "runs.sqlite") as store:
        if spec.key() not in store:
            store.put(RunResult(spec, history, 0.1, {"label": "healthy"}))
        before = store.summaries()
        with pytest.raises((ValueError, TypeError)):
            store.put(bad)
        assert store.summaries() == before
