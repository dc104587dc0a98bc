"""optimlab.torch against trajectories recorded from the reference libraries (the golden files
of tests/golden): the rest of torch.optim (PyTorch 2.13: Adamax, ASGD, Rprop, Adafactor,
Muon with AdamW on its other tensors) and the schedulefree package (its training point y
and the evaluation point x that ``eval()`` gives), replayed through the torch forms."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from tests.golden.recording import load_cases  # noqa: E402

#: As the golden tests of optimlab.optim (tests/optim/test_golden_torch_rest.py): 1e-10
#: relative to each tensor's largest entry, Muon's bfloat16 cases included (optimlab
#: reproduces each rounding of PyTorch's bfloat16 Newton-Schulz iteration, and on these
#: small matrices every one lands the same way).
RTOL = 1e-10
TORCH_CASES = [c for c in load_cases("torch_rest_optimizers") if c["optimizer"] != "LBFGS"]
SCHEDULE_FREE = load_cases("schedulefree_optimizers")
SCHEDULE_FREE_CLASSES = {
    "SGDScheduleFree": "ScheduleFreeSGD",
    "AdamWScheduleFree": "ScheduleFreeAdamW",
}


def settings(case: dict) -> dict:
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    if case["optimizer"] == "Muon":
        kwargs["ns_precision"] = "full" if case["name"].endswith("-full") else "bfloat16"
    return kwargs


def replay(cls, case: dict, kwargs: dict, evaluation_point: bool = False):
    params = [torch.nn.Parameter(torch.tensor(a)) for a in case["init"]]
    opt = cls(params, **kwargs)
    steps = case["grads"][0].shape[0]
    traj = [np.empty((steps, *p.shape)) for p in params]
    at_x = [np.empty((steps, *p.shape)) for p in params]
    for t in range(steps):
        for p, g in zip(params, case["grads"]):
            p.grad = torch.tensor(g[t])
        opt.step()
        for out, p in zip(traj, params):
            out[t] = p.detach().numpy()
        if evaluation_point:
            with opt.evaluating():
                for out, p in zip(at_x, params):
                    out[t] = p.detach().numpy()
    return traj, at_x


def worst(ours, reference) -> float:
    return max(
        float(np.max(np.abs(a - b) / np.abs(b).max(axis=tuple(range(1, b.ndim)), keepdims=True)))
        for a, b in zip(ours, reference)
    )


@pytest.mark.parametrize("case", TORCH_CASES, ids=[c["name"] for c in TORCH_CASES])
def test_matches_the_recorded_torch_optim(case):
    traj, _ = replay(ot.OPTIMIZERS[case["optimizer"]], case, settings(case))
    assert worst(traj, case["traj"]) <= RTOL


@pytest.mark.parametrize("case", SCHEDULE_FREE, ids=[c["name"] for c in SCHEDULE_FREE])
def test_matches_the_recorded_schedulefree_package_at_y_and_at_x(case):
    cls = ot.OPTIMIZERS[SCHEDULE_FREE_CLASSES[case["optimizer"]]]
    y, x = replay(cls, case, settings(case), evaluation_point=True)
    assert worst(y, case["traj"]) <= RTOL
    assert worst(x, case["x"]) <= RTOL
