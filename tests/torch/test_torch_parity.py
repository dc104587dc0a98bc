"""optimlab.torch against optimlab.optim and against torch.optim, on the same data.

float64, 60 steps of random gradients (scaled over four decades, some entries exactly zero),
non-default hyperparameters, two parameter groups with different learning rates: against
`optimlab.optim` within 1e-12 relative for every optimizer and option, on each engine;
against ``torch.optim`` within 1e-10 where torch has the optimizer.
"""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from tests.torch.cases import (  # noqa: E402
    CASES,
    DEVICES,
    IDS,
    TORCH_CASES,
    gradients,
    groups,
    initial,
    parameters,
    run_optimlab,
    run_torch,
    worst,
)

ENGINES = {"default": {}, "foreach": {"foreach": True}}


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize(("label", "name", "kwargs"), CASES, ids=IDS)
def test_matches_optimlab_optim(label, name, kwargs, engine, device):
    init, grads = initial(1), gradients(2)
    reference = run_optimlab(name, kwargs, init, grads)
    params = parameters(init, device)
    opt = ot.OPTIMIZERS[name](groups(name, kwargs, params), **kwargs, **ENGINES[engine])
    if engine == "default" and device == "cpu":
        assert opt.engine(params[0].device) == "numba"
    assert worst(run_torch(opt, params, grads), reference) <= 1e-12


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize(("label", "name", "kwargs"), CASES[:3], ids=IDS[:3])
def test_compiled_engine_on_cuda_matches_optimlab_optim(label, name, kwargs):
    init, grads = initial(1), gradients(2, steps=10)
    reference = run_optimlab(name, kwargs, init, grads)
    params = parameters(init, "cuda")
    opt = ot.OPTIMIZERS[name](groups(name, kwargs, params), **kwargs, fused=True)
    assert opt.engine(params[0].device) == "compiled"
    assert worst(run_torch(opt, params, grads), reference) <= 1e-12


@pytest.fixture
def float64_default():
    """torch.optim keeps NAdam's running product in the default dtype: make it float64."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(previous)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("label", "name", "kwargs"), TORCH_CASES, ids=[c[0] for c in TORCH_CASES])
def test_matches_torch_optim(label, name, kwargs, device, float64_default):
    init, grads = initial(3), gradients(4)
    theirs = parameters(init, device)
    reference = run_torch(
        getattr(torch.optim, name)(groups(name, kwargs, theirs), **kwargs, foreach=False),
        theirs,
        grads,
    )
    ours = parameters(init, device)
    opt = ot.OPTIMIZERS[name](groups(name, kwargs, ours), **kwargs)
    assert worst(run_torch(opt, ours, grads), reference) <= 1e-10


def test_every_torch_optimizer_with_a_counterpart_is_compared():
    compared = {name for _, name, _ in TORCH_CASES}
    assert compared == {"SGD", "Adagrad", "RMSprop", "Adadelta", "Adam", "AdamW", "NAdam", "RAdam"}


def test_float32_parameters_match_optimlab_optim_bit_for_bit_on_cpu():
    """The CPU engine is optimlab's own compiled kernel: float32 iterates are identical."""
    import numpy as np

    from optimlab import optim

    init = [a.astype(np.float32) for a in initial(5)]
    grads = [[g.astype(np.float32) for g in step] for step in gradients(6)]
    for name, kwargs in [("Adam", {"lr": 0.01, "amsgrad": True}), ("NAdam", {"lr": 0.01})]:
        ref = [a.copy() for a in init]
        theirs = optim.OPTIMIZERS[name](ref, **kwargs)
        params = parameters(init, dtype=torch.float32)
        ours = ot.OPTIMIZERS[name](params, **kwargs)
        for g in grads:
            theirs.step(g)
            for p, gi in zip(params, g):
                p.grad = torch.from_numpy(gi)
            ours.step()
        for p, r in zip(params, ref):
            np.testing.assert_array_equal(p.detach().numpy(), r)
