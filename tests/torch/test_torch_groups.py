"""What PyTorch users expect: parameter groups, add_param_group, parameters without a
gradient, closures, zero_grad, named parameters, pickling, hyperparameters between steps."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from optimlab import optim  # noqa: E402
from tests.torch.cases import gradients, initial, parameters, relative_error  # noqa: E402


def test_a_group_added_later_starts_its_own_count_at_its_own_rate():
    init, grads = initial(31), gradients(32, steps=20)
    early, late = [init[0].copy()], [a.copy() for a in init[1:]]
    first = optim.Adam(early, lr=0.01, betas=(0.8, 0.99))
    second = optim.Adam(late, lr=0.03, betas=(0.8, 0.99))
    params = parameters(init)
    opt = ot.Adam(params[:1], lr=0.01, betas=(0.8, 0.99))
    for k, g in enumerate(grads):
        if k == 10:
            opt.add_param_group({"params": params[1:], "lr": 0.03})
        first.step(g[:1])
        params[0].grad = torch.tensor(g[0])
        if k >= 10:
            second.step(g[1:])
            for p, gi in zip(params[1:], g[1:]):
                p.grad = torch.tensor(gi)
        opt.step()
    assert opt.param_groups[1]["betas"] == (0.8, 0.99)  # the defaults fill the new group
    assert float(opt.state[params[0]]["step"]) == 20 and float(opt.state[params[1]]["step"]) == 10
    ours = [p.detach().numpy() for p in params]
    assert relative_error(ours, early + late) <= 1e-12


def test_parameters_without_a_gradient_are_skipped_as_torch_optim_skips_them():
    """A parameter whose gradient is None keeps its value and its own step count, which
    then differs from its group's others (bias corrections per parameter, as torch does)."""
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        init, grads = initial(33), gradients(34, steps=30)
        results = []
        for cls, extra in ((ot.NAdam, {}), (torch.optim.NAdam, {"foreach": False})):
            params = parameters(init)
            opt = cls(params, lr=0.01, **extra)
            for k, g in enumerate(grads):
                opt.zero_grad()
                for i, (p, gi) in enumerate(zip(params, g)):
                    if not (i == 1 and k % 3 == 0):  # the second tensor misses every third step
                        p.grad = torch.tensor(gi)
                opt.step()
            results.append([p.detach().numpy() for p in params])
            if cls is ot.NAdam:
                assert [float(opt.state[p]["step"]) for p in params] == [30, 20, 30]
        assert relative_error(*results) <= 1e-10
    finally:
        torch.set_default_dtype(previous)


def test_step_returns_the_closures_loss_and_uses_its_gradients():
    w = torch.nn.Parameter(torch.tensor([1.0, -2.0], dtype=torch.float64))
    opt = ot.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert float(loss.detach()) == 5.0
    assert w.detach().tolist() == [1.0 - 0.1 * 2.0, -2.0 + 0.1 * 4.0]


def test_zero_grad_and_a_step_without_gradients():
    w = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = ot.Adam([w], lr=0.1)
    assert opt.step() is None and not opt.state  # nothing has a gradient yet
    w.grad = torch.ones(3, dtype=torch.float64)
    opt.zero_grad(set_to_none=False)
    assert torch.equal(w.grad, torch.zeros(3, dtype=torch.float64))
    opt.zero_grad()
    assert w.grad is None


def test_named_parameters_are_accepted_and_saved():
    model = torch.nn.Linear(3, 2).double()
    opt = ot.RMSprop(model.named_parameters(), lr=0.01)
    assert opt.state_dict()["param_groups"][0]["param_names"] == ["weight", "bias"]


@pytest.mark.parametrize(
    "duplicate",
    [lambda m: pickle.loads(pickle.dumps(m)), copy.deepcopy],
    ids=["pickle", "deepcopy"],
)
@pytest.mark.parametrize("name", ["NAdam", "SOAP"])  # elementwise, and run on the host
def test_a_pickled_or_copied_optimizer_continues_identically(duplicate, name):
    grads = gradients(36, steps=10)
    params = parameters(initial(35))
    opt = ot.OPTIMIZERS[name](params, lr=0.01)
    for p, g in zip(params, grads[0]):
        p.grad = torch.tensor(g)
    opt.step()
    twin_params, twin = duplicate((params, opt))
    for g in grads[1:]:
        for ps, o in ((params, opt), (twin_params, twin)):
            for p, gi in zip(ps, g):
                p.grad = torch.tensor(gi)
            o.step()
    for a, b in zip(params, twin_params):
        assert torch.equal(a, b)
    assert twin.convention == "pytorch" and float(twin.state[twin_params[0]]["step"]) == 10


def test_hyperparameters_written_into_a_group_are_used_at_once():
    w = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    opt = ot.SGD([w], lr=0.1, momentum=0.5)
    for _ in range(2):
        w.grad = torch.ones(1, dtype=torch.float64)
        opt.step()  # buf 1, 1.5; w = -0.1, -0.25
    opt.param_groups[0]["momentum"] = 0.0
    opt.param_groups[0]["lr"] = 1.0
    w.grad = torch.ones(1, dtype=torch.float64)
    opt.step()  # buf = 0 * 1.5 + 1 = 1
    assert w.item() == pytest.approx(-1.25, abs=1e-15)


def test_an_option_changed_in_a_group_is_refused():
    w = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    opt = ot.Adam([w], lr=0.1)
    opt.param_groups[0]["amsgrad"] = True
    w.grad = torch.ones(2, dtype=torch.float64)
    with pytest.raises(ValueError, match="amsgrad is fixed when a parameter group is added"):
        opt.step()
    assert torch.equal(w, torch.zeros(2, dtype=torch.float64))


def test_every_optimlab_optimizer_has_a_torch_form_with_its_signature():
    import inspect

    assert set(ot.OPTIMIZERS) == set(optim.OPTIMIZERS)
    for name, cls in ot.OPTIMIZERS.items():
        assert cls.__name__ == name and getattr(ot, name) is cls
        assert issubclass(cls, torch.optim.Optimizer)
        ours = inspect.signature(cls).parameters
        theirs = inspect.signature(optim.OPTIMIZERS[name]).parameters
        shared = [n for n in theirs if n not in ("fused",)]
        assert [n for n in ours if n in shared] == shared
        assert all(ours[n].default == theirs[n].default for n in shared)


def test_tensor_learning_rates_are_accepted():
    w = torch.nn.Parameter(torch.ones(2, dtype=torch.float64))
    opt = ot.SGD([w], lr=torch.tensor(0.5))
    w.grad = torch.ones(2, dtype=torch.float64)
    opt.step()
    np.testing.assert_array_equal(w.detach().numpy(), [0.5, 0.5])


def test_an_optimlab_schedule_as_the_learning_rate_is_evaluated_at_each_step():
    from optimlab.schedules import CosineAnnealing

    init, grads = initial(37), gradients(38, steps=25)
    reference = [a.copy() for a in init]
    theirs = optim.Adam(reference, lr=CosineAnnealing(0.05, T_max=20))
    params = parameters(init)
    opt = ot.Adam(params, lr=CosineAnnealing(0.05, T_max=20))
    for g in grads:
        theirs.step(g)
        for p, gi in zip(params, g):
            p.grad = torch.tensor(gi)
        opt.step()
    assert relative_error([p.detach().numpy() for p in params], reference) == 0.0


@pytest.mark.parametrize("foreach", [False, True], ids=["numba", "foreach"])
def test_parameters_with_unusual_strides_are_updated_in_place(foreach):
    rng = np.random.default_rng(39)
    w0 = rng.normal(size=(4, 3))
    reference = np.ascontiguousarray(w0.T)
    theirs = optim.RMSprop(reference, lr=0.01, centered=True, momentum=0.5)
    w = torch.nn.Parameter(torch.tensor(w0).t())  # a transposed view: not contiguous
    assert not w.is_contiguous()
    opt = ot.RMSprop([w], lr=0.01, centered=True, momentum=0.5, foreach=foreach)
    for _ in range(20):
        g = rng.normal(size=(3, 4))
        theirs.step(g)
        w.grad = torch.tensor(g.T.copy()).t()  # a gradient with the parameter's strides
        opt.step()
    assert relative_error([w.detach().numpy()], [reference]) <= 1e-15


def test_docstrings_list_every_argument_and_cite_sources_by_title():
    import re

    import optimlab.torch

    for name, cls in ot.OPTIMIZERS.items():
        for field in cls.fields().values():
            if not field.fixed:
                assert f"    {field.name}: " in cls.__doc__, (name, field.name)
    modules = [
        m
        for m in vars(optimlab.torch).values()
        if getattr(m, "__name__", "").startswith("optimlab.torch")
    ]
    texts = [cls.__doc__ for cls in ot.OPTIMIZERS.values()] + [m.__doc__ or "" for m in modules]
    assert not any(re.search(r"\bseeds? \d{3}", text) for text in texts)
