"""LAMB, LARS, AdaBelief, Yogi and NovoGrad against trajectories recorded from Optax 0.2.8
(JAX, float64; tests/golden/make_golden_optax.py). Neither JAX nor Optax is needed here."""

from __future__ import annotations

import pytest

from optimlab import optim
from tests.golden.recording import load_cases
from tests.optim.conftest import assert_trajectories_close, run_trajectory

CASES = load_cases("optax_optimizers")
CLASSES = {
    "lamb": optim.LAMB,
    "lars": optim.LARS,
    "adabelief": optim.AdaBelief,
    "yogi": optim.Yogi,
    "novograd": optim.NovoGrad,
}


def our_arguments(case: dict) -> tuple[type, dict]:
    """Optax's keyword arguments are ours, but for ``learning_rate`` (``lr`` here)."""
    kwargs = dict(case["kwargs"])
    kwargs["lr"] = kwargs.pop("learning_rate")
    return CLASSES[case["optimizer"]], kwargs


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_optax(case):
    cls, kwargs = our_arguments(case)
    paths = (
        [{"fused": True}, {"fused": False}] if issubclass(cls, optim.ElementwiseOptimizer) else [{}]
    )
    for options in paths:
        ours = run_trajectory(
            lambda p, options=options: cls(p, **kwargs, **options), case["init"], case["grads"]
        )
        assert_trajectories_close(ours, case["traj"], 1e-10, f"{case['name']} {options}")


def test_golden_cases_cover_every_optax_optimizer():
    assert {c["optimizer"] for c in CASES} == set(CLASSES)


@pytest.mark.parametrize("cls", CLASSES.values(), ids=CLASSES)
def test_optax_defaults(cls):
    """Optax's defaults (its learning rate has none; ours are documented per class)."""
    import inspect

    expected = {
        optim.LAMB: {"b1": 0.9, "b2": 0.999, "eps": 1e-6, "eps_root": 0.0, "weight_decay": 0.0},
        optim.LARS: {
            "weight_decay": 0.0,
            "trust_coefficient": 0.001,
            "eps": 0.0,
            "momentum": 0.9,
            "nesterov": False,
        },
        optim.AdaBelief: {"b1": 0.9, "b2": 0.999, "eps": 1e-16, "eps_root": 1e-16},
        optim.Yogi: {"b1": 0.9, "b2": 0.999, "eps": 1e-3},
        optim.NovoGrad: {"b1": 0.9, "b2": 0.25, "eps": 1e-6, "eps_root": 0.0, "weight_decay": 0.0},
    }[cls]
    defaults = {k: v.default for k, v in inspect.signature(cls).parameters.items()}
    assert {k: defaults[k] for k in expected} == expected
