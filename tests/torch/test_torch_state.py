"""state_dict / load_state_dict: PyTorch's layout, a bit-identical resume, refusals."""

from __future__ import annotations

import io

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from tests.torch.cases import (  # noqa: E402
    CASES,
    DEVICES,
    IDS,
    gradients,
    groups,
    initial,
    parameters,
    run_torch,
)


def saved_and_loaded(state_dict):
    buffer = io.BytesIO()
    torch.save(state_dict, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
@pytest.mark.parametrize(("label", "name", "kwargs"), CASES, ids=IDS)
def test_a_resumed_run_is_bit_identical(label, name, kwargs, dtype, device):
    init, grads = initial(7), gradients(8, steps=40)
    cls = ot.OPTIMIZERS[name]
    straight = parameters(init, device, dtype)
    run_torch(cls(groups(name, kwargs, straight), **kwargs), straight, grads)

    first = parameters(init, device, dtype)
    opt = cls(groups(name, kwargs, first), **kwargs)
    run_torch(opt, first, grads[:20])
    checkpoint = saved_and_loaded(opt.state_dict())
    resumed = [torch.nn.Parameter(p.detach().clone()) for p in first]
    again = cls(groups(name, kwargs, resumed), **kwargs)
    again.load_state_dict(checkpoint)
    run_torch(again, resumed, grads[20:])
    for a, b in zip(resumed, straight):
        assert torch.equal(a, b)


def test_the_layout_is_pytorchs():
    params = parameters(initial(1))
    ours = ot.Adam(params, lr=0.01, amsgrad=True)
    theirs = torch.optim.Adam(parameters(initial(1)), lr=0.01, amsgrad=True)
    for opt, ps in ((ours, params), (theirs, theirs.param_groups[0]["params"])):
        for p in ps:
            p.grad = torch.ones_like(p)
        opt.step()
    a, b = ours.state_dict(), theirs.state_dict()
    assert a["state"].keys() == b["state"].keys()
    for key in a["state"]:
        assert list(a["state"][key]) == list(b["state"][key])
        for name, value in b["state"][key].items():
            assert a["state"][key][name].shape == value.shape
    group = a["param_groups"][0]
    assert {k: group[k] for k in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")} == {
        k: b["param_groups"][0][k]
        for k in ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize")
    }


@pytest.mark.parametrize("name", ["Adam", "RMSprop", "Adagrad", "NAdam"])
def test_a_torch_optim_checkpoint_resumes_in_optimlab(name):
    """The same layout both ways: torch.optim's state continues under optimlab.torch as it
    would under torch.optim (float64 default dtype, as torch keeps NAdam's product in it)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        init, grads = initial(9), gradients(10, steps=30)
        kwargs = {"lr": 0.01}
        theirs = parameters(init)
        reference = getattr(torch.optim, name)(theirs, **kwargs, foreach=False)
        run_torch(reference, theirs, grads[:15])
        checkpoint = saved_and_loaded(reference.state_dict())
        ours = [torch.nn.Parameter(p.detach().clone()) for p in theirs]
        opt = ot.OPTIMIZERS[name](ours, **kwargs)
        opt.load_state_dict(checkpoint)
        expected = run_torch(reference, theirs, grads[15:])
        got = run_torch(opt, ours, grads[15:])
        for a, b in zip(got[-1], expected[-1]):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=0)
    finally:
        torch.set_default_dtype(previous)


def stepped(cls=ot.Adam, **kwargs):
    params = parameters(initial(11))
    opt = cls(params, **kwargs)
    run_torch(opt, params, gradients(12, steps=3))
    return params, opt


def snapshot(opt):
    return {
        "groups": [dict(g) for g in opt.param_groups],
        "state": {id(p): {k: v.clone() for k, v in s.items()} for p, s in opt.state.items()},
    }


def assert_unchanged(opt, before):
    assert [dict(g) for g in opt.param_groups] == before["groups"]
    for p, s in opt.state.items():
        for k, v in s.items():
            assert torch.equal(v, before["state"][id(p)][k])


def test_a_state_from_other_options_is_refused_and_changes_nothing():
    _, amsgrad = stepped(amsgrad=True)
    _, plain = stepped()
    before = snapshot(plain)
    state = amsgrad.state_dict()
    for group in state["param_groups"]:
        group["amsgrad"] = False  # the groups say plain Adam, the state has max_exp_avg_sq
    del state["state"][0]["exp_avg_sq"]
    with pytest.raises(ValueError, match=r"no \['exp_avg_sq'\]"):
        plain.load_state_dict(state)
    assert_unchanged(plain, before)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s["param_groups"][0].update(lr=-1.0), r"Invalid lr: -1\.0"),
        (lambda s: s["param_groups"][0].update(betas=(0.9, 1.5)), r"Invalid betas\[1\]"),
        (lambda s: s["param_groups"][0].update(convention="keras"), "convention='keras'"),
        (lambda s: s["state"][1].update(exp_avg=torch.zeros(7)), r"'exp_avg' has shape \(7,\)"),
        (lambda s: s["state"][0].update(step=torch.tensor(2.5)), "'step' must be a whole"),
        (lambda s: s["param_groups"].append(s["param_groups"][0]), "different number"),
        (lambda s: s.pop("state"), "'state' and 'param_groups'"),
    ],
    ids=["lr", "betas", "convention", "shape", "step", "groups", "not-a-state"],
)
def test_a_bad_state_is_refused_and_changes_nothing(edit, message):
    _, opt = stepped()
    before = snapshot(opt)
    state = opt.state_dict()
    state = {
        "state": {k: dict(v) for k, v in state["state"].items()},
        "param_groups": [dict(g) for g in state["param_groups"]],
    }
    edit(state)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state)
    assert_unchanged(opt, before)
    params = opt.param_groups[0]["params"]
    for p in params:
        p.grad = torch.ones_like(p)
    opt.step()  # still usable


def test_nadam_keeps_its_running_product_exactly_in_float64():
    params, opt = stepped(ot.NAdam, lr=0.01)
    product = opt.state[params[0]]["mu_product"]
    mu = [0.9 * (1 - 0.5 * 0.96 ** (t * 0.004)) for t in (1, 2, 3)]
    assert product.dtype == torch.float64
    assert float(product) == pytest.approx(mu[0] * mu[1] * mu[2], rel=1e-15)


@pytest.mark.parametrize("foreach", [False, True])
def test_a_schedule_free_state_saved_at_the_evaluation_point_resumes_there(foreach):
    """Saved after eval(): the new optimizer knows its parameters are at x, refuses to step
    there, and train() brings them back to y (through x and z, as optimlab.optim does)."""
    init, grads = initial(13), gradients(14, steps=12)
    params = parameters(init)
    opt = ot.ScheduleFreeAdamW(params, lr=0.01, foreach=foreach)
    run_torch(opt, params, grads)
    y = [p.detach().clone() for p in params]
    opt.eval()
    checkpoint = saved_and_loaded(opt.state_dict())
    at_x = [torch.nn.Parameter(p.detach().clone()) for p in params]
    again = ot.ScheduleFreeAdamW(at_x, lr=0.01, foreach=foreach)
    again.load_state_dict(checkpoint)
    assert not again.training
    for p in at_x:
        p.grad = torch.zeros_like(p)
    with pytest.raises(RuntimeError, match=r"call opt.train\(\) before"):
        again.step()
    again.train()
    for a, b in zip(at_x, y):
        np.testing.assert_allclose(a.detach().numpy(), b.numpy(), rtol=0, atol=1e-15)
