"""optimlab.torch against optimlab.optim and against torch.optim, on the same data.

float64, 60 steps of random gradients (scaled over four decades, some entries exactly zero),
non-default hyperparameters, two parameter groups with different learning rates: against
`optimlab.optim` within 1e-12 relative for every optimizer and option, on each engine
(the elementwise optimizers' Numba and foreach engines; the others run the optimlab class
itself on the host); against ``torch.optim`` within 1e-10 where torch has the optimizer.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from optimlab import optim  # noqa: E402
from tests.torch.cases import (  # noqa: E402
    CASES,
    DEVICES,
    TORCH_CASES,
    gradients,
    groups,
    initial,
    parameters,
    relative_error,
    run_optimlab,
    run_torch,
    worst,
)

ELEMENTWISE_ENGINES = {"default": {}, "foreach": {"foreach": True}}


def engines(name: str) -> dict[str, dict]:
    """The engines an optimizer runs on: Numba (default) and foreach for the elementwise
    ones; the optimlab class itself on the host for the others (they take no engine
    argument)."""
    if issubclass(ot.OPTIMIZERS[name], ot.ElementwiseTorchOptimizer):
        return ELEMENTWISE_ENGINES
    return {"host": {}}


PARITY = [
    pytest.param(label, name, kwargs, engine, id=f"{label}-{engine}")
    for label, name, kwargs in CASES
    for engine in engines(name)
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("label", "name", "kwargs", "engine"), PARITY)
def test_matches_optimlab_optim(label, name, kwargs, engine, device):
    init, grads = initial(1), gradients(2)
    reference = run_optimlab(name, kwargs, init, grads)
    params = parameters(init, device)
    opt = ot.OPTIMIZERS[name](groups(name, kwargs, params), **kwargs, **engines(name)[engine])
    if engine != "foreach" and device == "cpu":
        assert opt.engine(params[0].device) == ("host" if engine == "host" else "numba")
    assert worst(run_torch(opt, params, grads), reference) <= 1e-12


def test_every_optimizer_is_compared_with_settings_of_its_own():
    """Each optimizer has a case with non-default hyperparameters (the closure-driven
    Nesterov, Newton and L-BFGS have tests of their own in test_torch_closures.py)."""
    explicit = {name for label, name, _ in CASES if not label.endswith("-defaults")}
    closure = {name for name, cls in optim.OPTIMIZERS.items() if cls.needs_closure}
    assert explicit == set(optim.OPTIMIZERS) - closure


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
@pytest.mark.parametrize(("label", "name", "kwargs"), CASES[:3], ids=[c[0] for c in CASES[:3]])
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
    compared = {name for _, name, _ in TORCH_CASES} | {"Muon", "LBFGS"}  # Muon, LBFGS: below
    counterparts = {name for name in optim.OPTIMIZERS if hasattr(torch.optim, name)}
    assert compared == counterparts
    assert {"Adamax", "ASGD", "Rprop", "Adafactor"} <= compared


MUON_SHAPES = ((4, 5), (6, 3), (3, 3))


def muon_run(cls, kwargs, steps=40, **extra):
    """Muon on 2-D tensors only (torch.optim.Muon refuses the others), two groups."""
    rng = np.random.default_rng(9)
    init = [rng.normal(size=s) for s in MUON_SHAPES]
    grads = [
        [rng.normal(size=s) * 10 ** rng.uniform(-2, 1) for s in MUON_SHAPES] for _ in range(steps)
    ]
    params = [torch.nn.Parameter(torch.tensor(a)) for a in init]
    opt = cls(
        [{"params": params[:1]}, {"params": params[1:], "lr": kwargs["lr"] / 2}], **kwargs, **extra
    )
    return run_torch(opt, params, grads)


MUON_CASES = {
    "default": {"lr": 0.02},
    "options": {
        "lr": 0.02,
        "weight_decay": 0.05,
        "momentum": 0.9,
        "nesterov": False,
        "ns_coefficients": (3.0, -3.2, 1.2),
        "eps": 1e-6,
        "ns_steps": 3,
        "adjust_lr_fn": "match_rms_adamw",
    },
}


@pytest.mark.parametrize("case", list(MUON_CASES))
def test_muon_matches_torch_optim_in_bfloat16(case):
    """PyTorch runs the Newton-Schulz iteration in bfloat16; optimlab emulates each of its
    roundings (`optimlab.optim.muon.round_to_bfloat16`), so the iterates agree to 1e-10 on
    these small matrices, where every rounding lands the same way (the golden tests of
    optimlab.optim measure the rare tie that products accumulated in another order round
    the other way on large ones)."""
    kwargs = MUON_CASES[case]
    reference = muon_run(torch.optim.Muon, kwargs)
    assert worst(muon_run(ot.Muon, kwargs), reference) <= 1e-10


def test_muon_in_full_precision_matches_torch_optim_computing_in_float64(monkeypatch):
    """With ``ns_precision="full"`` the iteration runs in float64: against torch.optim.Muon
    whose conversion to bfloat16 is made a float64 copy (as the golden data record it)."""
    kwargs = MUON_CASES["options"]
    monkeypatch.setattr(torch.Tensor, "bfloat16", lambda self: self.clone())
    reference = muon_run(torch.optim.Muon, kwargs)
    ours = muon_run(ot.Muon, kwargs, ns_precision="full")
    assert worst(ours, reference) <= 1e-12
    monkeypatch.undo()
    assert worst(muon_run(ot.Muon, kwargs), reference) > 1e-4  # bfloat16 is far from it


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("ScheduleFreeSGD", {"lr": 0.05, "momentum": 0.8, "warmup_steps": 3, "r": 0.5}),
        ("ScheduleFreeAdamW", {"lr": 0.01, "betas": (0.85, 0.99), "weight_decay": 0.01}),
    ],
)
@pytest.mark.parametrize("engine", list(ELEMENTWISE_ENGINES))
def test_schedule_free_evaluation_point_matches_optimlab_optim(name, kwargs, engine):
    """``opt.eval()`` moves the parameters to the average x and ``opt.train()`` back to y,
    as in optimlab.optim (and the schedulefree package): bit for bit after every step."""
    init, grads = initial(11), gradients(12, steps=25)
    reference = [a.copy() for a in init]
    theirs = optim.OPTIMIZERS[name](reference, **kwargs)
    params = parameters(init)
    opt = ot.OPTIMIZERS[name](params, **kwargs, **ELEMENTWISE_ENGINES[engine])
    for g in grads:
        theirs.step(g)
        for p, gi in zip(params, g):
            p.grad = torch.tensor(gi)
        opt.step()
        y = [p.detach().clone() for p in params]
        with theirs.evaluating():
            opt.eval()
            assert not opt.training
            assert relative_error([p.detach().numpy() for p in params], reference) == 0.0
            opt.train()
        assert opt.training and all(torch.equal(p, q) for p, q in zip(params, y))
    x = [p.detach().numpy().copy() for p in params]
    assert max(np.abs(a - b).max() for a, b in zip(x, init)) > 0.01  # it moved


def test_float32_parameters_match_optimlab_optim_bit_for_bit_on_cpu():
    """The CPU engine is optimlab's own compiled kernel: float32 iterates are identical."""
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
