"""PyTorch's schedulers drive optimlab.torch through ``param_groups[i]["lr"]`` exactly as they
drive torch.optim.Adam: the same rates, and the same iterates."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from torch.optim import lr_scheduler  # noqa: E402

import optimlab.torch as ot  # noqa: E402
from tests.torch.cases import gradients, initial, parameters  # noqa: E402

STEPS = 40

SCHEDULERS = {
    "StepLR": lambda opt: lr_scheduler.StepLR(opt, step_size=7, gamma=0.5),
    "CosineAnnealingLR": lambda opt: lr_scheduler.CosineAnnealingLR(opt, T_max=15, eta_min=1e-4),
    "OneCycleLR": lambda opt: lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=STEPS),
    "ReduceLROnPlateau": lambda opt: lr_scheduler.ReduceLROnPlateau(opt, factor=0.3, patience=2),
    "SequentialLR": lambda opt: lr_scheduler.SequentialLR(
        opt,
        [
            lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5),
            lr_scheduler.CosineAnnealingLR(opt, T_max=30),
        ],
        milestones=[5],
    ),
}


def trained(cls, make_scheduler, **kwargs):
    """Rates before every step, betas, and parameters after training with a scheduler."""
    params = parameters(initial(21))
    opt = cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.02}], lr=0.01, **kwargs)
    scheduler = make_scheduler(opt)
    rates, betas = [], []
    plateau = 1.0
    for k, g in enumerate(gradients(22, steps=STEPS)):
        rates.append([group["lr"] for group in opt.param_groups])
        betas.append([group["betas"] for group in opt.param_groups])
        for p, gi in zip(params, g):
            p.grad = torch.tensor(gi)
        opt.step()
        if isinstance(scheduler, lr_scheduler.ReduceLROnPlateau):
            plateau = plateau if k % 5 else plateau * 0.5  # a loss that stalls between drops
            scheduler.step(plateau)
        else:
            scheduler.step()
    return rates, betas, [p.detach().numpy() for p in params]


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_scheduler_rates_and_iterates_equal_torch_adams(name):
    ours = trained(ot.Adam, SCHEDULERS[name])
    theirs = trained(torch.optim.Adam, SCHEDULERS[name], foreach=False)
    assert ours[0] == theirs[0]  # the rates, exactly
    assert ours[1] == theirs[1]  # OneCycleLR cycles beta1 too
    assert len({tuple(r) for r in ours[0]}) > 3  # the rate did change
    for a, b in zip(ours[2], theirs[2]):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def test_an_invalid_rate_written_into_a_group_is_refused_before_the_update():
    params = parameters(initial(23))
    opt = ot.Adam(params, lr=0.01)
    opt.param_groups[0]["lr"] = -0.01  # as a faulty scheduler would
    for p in params:
        p.grad = torch.ones_like(p)
    before = [p.detach().clone() for p in params]
    with pytest.raises(ValueError, match=r"Invalid lr: -0\.01; lr must be >= 0"):
        opt.step()
    for a, b in zip(params, before):
        assert torch.equal(a, b)
    assert not opt.state
