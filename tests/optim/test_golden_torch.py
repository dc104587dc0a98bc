"""Our optimizers against trajectories recorded from torch.optim 2.13 (tests/golden/)."""

from __future__ import annotations

import pytest

from optimlab import optim
from tests.golden.load import load_torch_cases
from tests.optim.conftest import assert_trajectories_close, run_trajectory

CASES = load_torch_cases()


@pytest.mark.parametrize("fused", [True, False], ids=["fused", "numpy"])
@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_matches_pytorch(case, fused):
    cls = getattr(optim, case["optimizer"])
    kwargs = dict(case["kwargs"])
    if "betas" in kwargs:
        kwargs["betas"] = tuple(kwargs["betas"])
    ours = run_trajectory(lambda p: cls(p, fused=fused, **kwargs), case["init"], case["grads"])
    assert_trajectories_close(ours, case["traj"], 1e-10, case["name"])


def test_golden_cases_cover_every_pytorch_optimizer():
    covered = {c["optimizer"] for c in CASES}
    assert covered == {"SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "NAdam", "RAdam"}
