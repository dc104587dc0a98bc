"""The ``convention="keras"`` switch against trajectories recorded from Keras 3 (torch backend).

Keras stores its learning rate in float32, so the cases are replayed with that float32
value, and with Keras's float32 decay factor ``1 - lr * weight_decay`` where weight decay is
used (tests/golden/KERAS.md); everything else Keras computes in float64, like us.
"""

from __future__ import annotations

import pytest

from optimlab import optim
from tests.golden.make_keras_golden import load_keras_cases
from tests.optim.conftest import assert_trajectories_close, run_trajectory

CASES = load_keras_cases()
NAMES = {"Nadam": "NAdam"}
RENAMES = {"learning_rate": "lr", "epsilon": "eps"}


def our_arguments(case: dict) -> tuple[type, dict]:
    """Translate a Keras optimizer name and kwargs into ours."""
    name = NAMES.get(case["optimizer"], case["optimizer"])
    kwargs = {RENAMES.get(k, k): v for k, v in case["kwargs"].items() if k != "use_ema"}
    kwargs["lr"] = case["learning_rate_float32"]
    if "beta_1" in kwargs or "beta_2" in kwargs:
        defaults = (0.9, 0.99) if name == "Lion" else (0.9, 0.999)
        kwargs["betas"] = (kwargs.pop("beta_1", defaults[0]), kwargs.pop("beta_2", defaults[1]))
    if name == "RMSprop" and "rho" in kwargs:
        kwargs["alpha"] = kwargs.pop("rho")
    if kwargs.get("weight_decay"):
        kwargs["weight_decay"] = (1.0 - case["decay_factor_float32"]) / kwargs["lr"]
    return getattr(optim, name), kwargs


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "numpy"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_keras(case, fused):
    cls, kwargs = our_arguments(case)
    ours = run_trajectory(
        lambda p: cls(p, convention="keras", fused=fused, **kwargs), case["init"], case["grads"]
    )
    assert_trajectories_close(ours, case["traj"], 1e-7, case["name"])


def test_keras_defaults_are_keras_defaults():
    """Defaults under the switch are Keras 3's (read from its constructors by the golden script)."""
    import numpy as np

    p = np.zeros(3)
    assert optim.Adam(p, convention="keras").eps == 1e-7
    assert optim.RMSprop(p, convention="keras").alpha == 0.9
    assert optim.Adagrad(p, convention="keras").state["sum"][0] == 0.1
    assert optim.Adadelta(p, convention="keras").rho == 0.95
    assert optim.SGD(p, convention="keras").lr == 0.01
