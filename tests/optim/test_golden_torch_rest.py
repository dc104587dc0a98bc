"""The rest of torch.optim (Adamax, ASGD, Rprop, Adafactor, Muon, LBFGS) against trajectories
recorded from PyTorch 2.13 in float64 (tests/golden/make_golden_torch_rest.py)."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab import optim
from tests.golden.recording import load_cases
from tests.optim.conftest import assert_trajectories_close

CASES = load_cases("torch_rest_optimizers")
GRADIENT_CASES = [c for c in CASES if c["optimizer"] != "LBFGS"]
LBFGS_CASES = [c for c in CASES if c["optimizer"] == "LBFGS"]
ELEMENTWISE = ("Adamax", "ASGD", "Rprop")

#: Every case agrees to 1e-10 relative to each tensor's largest entry. Muon's bfloat16 cases
#: too: our emulation rounds each operation of the Newton-Schulz iteration to bfloat16 as
#: PyTorch does, and on these small matrices every rounding lands the same way. (Products
#: are accumulated in float32 in orders that differ between NumPy's BLAS and PyTorch's
#: kernels; on large matrices an occasional value within a float32 rounding of a bfloat16
#: tie rounds the other way: `test_newton_schulz_in_bfloat16_matches_pytorch` measures that.)
RTOL = 1e-10


def ours(case: dict, **options) -> tuple[optim.Optimizer, dict]:
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    cls = getattr(optim, case["optimizer"])
    if case["optimizer"] == "Muon":
        kwargs["ns_precision"] = "full" if case["name"].endswith("-full") else "bfloat16"
    return cls, {**kwargs, **options}


def replay(case: dict, **options) -> tuple[list[np.ndarray], list[np.ndarray]]:
    cls, kwargs = ours(case, **options)
    params = [np.array(a) for a in case["init"]]
    opt = cls(params, **kwargs)
    steps = case["grads"][0].shape[0]
    traj = [np.empty((steps, *p.shape)) for p in params]
    averages = [np.empty((steps, *p.shape)) for p in params]
    for t in range(steps):
        opt.step([g[t] for g in case["grads"]])
        for out, p in zip(traj, params):
            out[t] = p
        if "ax" in case:
            for out, ax in zip(averages, opt.state["ax"]):
                out[t] = ax
    return traj, averages


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=[c["name"] for c in GRADIENT_CASES])
def test_matches_pytorch(case):
    paths = [{"fused": True}, {"fused": False}] if case["optimizer"] in ELEMENTWISE else [{}]
    for options in paths:
        traj, averages = replay(case, **options)
        assert_trajectories_close(traj, case["traj"], RTOL, f"{case['name']} {options}")
        if "ax" in case:
            assert_trajectories_close(averages, case["ax"], 1e-10, f"{case['name']} ax")


def test_muon_precisions_differ_far_beyond_the_tolerance():
    """The bfloat16 golden case tells the two precisions apart."""
    case = next(c for c in GRADIENT_CASES if c["name"] == "Muon-default")
    full = replay({**case, "name": "Muon-default-full"})[0]
    gap = max(np.abs(a - b).max() / np.abs(b).max() for a, b in zip(full, case["traj"]))
    assert gap > 1e-4


def rosenbrock(x: np.ndarray) -> tuple[float, np.ndarray]:
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2 and its gradient."""
    inner = x[1:] - x[:-1] ** 2
    loss = float(np.sum(100.0 * inner**2 + (1.0 - x[:-1]) ** 2))
    grad = np.zeros_like(x)
    grad[:-1] = -400.0 * x[:-1] * inner - 2.0 * (1.0 - x[:-1])
    grad[1:] += 200.0 * inner
    return loss, grad


def objective(case: dict):
    if case["kwargs"]["objective"] == "quadratic":
        A, b = case["A"], case["b"]
        return lambda x: (float(0.5 * x @ (A @ x) - b @ x), A @ x - b)
    return rosenbrock


@pytest.mark.parametrize("case", LBFGS_CASES, ids=[c["name"] for c in LBFGS_CASES])
def test_lbfgs_matches_pytorch(case):
    f = objective(case)
    shapes = [a.shape for a in case["init"]]
    sizes = np.cumsum([0, *[int(np.prod(s)) for s in shapes]])

    def closure(params):
        loss, grad = f(np.concatenate([p.reshape(-1) for p in params]))
        return loss, [grad[a:b].reshape(s) for a, b, s in zip(sizes[:-1], sizes[1:], shapes)]

    kwargs = {k: v for k, v in case["kwargs"].items() if k != "objective"}
    params = [np.array(a) for a in case["init"]]
    opt = optim.LBFGS(params, **kwargs)
    steps = case["loss"].shape[0]
    traj = [np.empty((steps, *s)) for s in shapes]
    losses = np.empty(steps)
    for t in range(steps):
        losses[t] = opt.step(closure=closure)
        for out, p in zip(traj, params):
            out[t] = p
    # Twenty iterations per step amplify rounding: the generator measured how far PyTorch
    # strays from itself when its start moves by one part in 1e15 (case["sensitivity"]).
    # Each step must agree to 1e-10 or to 100 times that, compared while it is below 1e-3.
    meaningful = np.flatnonzero(case["sensitivity"] < 1e-3)
    assert meaningful.size >= 3 and meaningful[0] == 0
    for t in meaningful:
        allowed = max(RTOL, 100 * case["sensitivity"][t])
        step = [a[t : t + 1] for a in traj]
        assert_trajectories_close(step, [a[t : t + 1] for a in case["traj"]], allowed, case["name"])
        # the loss a step returns is the loss where the previous step ended
        before = RTOL if t == 0 else max(RTOL, 100 * case["sensitivity"][t - 1])
        scale = abs(case["loss"][0])  # near the minimum the loss itself is rounding
        assert losses[t] == pytest.approx(case["loss"][t], rel=before, abs=before * scale)


def test_golden_cases_cover_the_rest_of_torch_optim():
    covered = {c["optimizer"] for c in CASES}
    assert covered == {"Adamax", "ASGD", "Rprop", "Adafactor", "Muon", "LBFGS"}
