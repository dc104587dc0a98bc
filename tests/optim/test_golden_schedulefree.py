"""Schedule-Free SGD and AdamW against trajectories recorded from the ``schedulefree``
package 1.4.1 (PyTorch, float64; tests/golden/make_golden_schedulefree.py): the training
point y after every step, and the evaluation point x that ``eval()`` gives."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab import optim
from tests.golden.recording import load_cases
from tests.optim.conftest import assert_trajectories_close

CASES = load_cases("schedulefree_optimizers")
CLASSES = {"SGDScheduleFree": optim.ScheduleFreeSGD, "AdamWScheduleFree": optim.ScheduleFreeAdamW}


def replay(case: dict, fused: bool) -> tuple[list[np.ndarray], list[np.ndarray]]:
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    params = [np.array(a) for a in case["init"]]
    opt = CLASSES[case["optimizer"]](params, fused=fused, **kwargs)
    steps = case["grads"][0].shape[0]
    y = [np.empty((steps, *p.shape)) for p in params]
    x = [np.empty((steps, *p.shape)) for p in params]
    for t in range(steps):
        opt.step([g[t] for g in case["grads"]])
        for out, p in zip(y, params):
            out[t] = p
        with opt.evaluating():
            for out, p in zip(x, params):
                out[t] = p
    return y, x


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "numpy"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_schedulefree(case, fused):
    y, x = replay(case, fused)
    assert_trajectories_close(y, case["traj"], 1e-10, f"{case['name']} y")
    assert_trajectories_close(x, case["x"], 1e-10, f"{case['name']} x")


def test_the_evaluation_point_is_not_the_training_point():
    case = CASES[0]
    gap = max(np.abs(a - b).max() for a, b in zip(case["x"], case["traj"]))
    assert gap > 1e-3
