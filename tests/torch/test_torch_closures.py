"""Optimizers that evaluate the gradient elsewhere: Nesterov (look-ahead), L-BFGS (several
evaluations per step) and Newton (the Hessian from torch.func), against optimlab.optim on
the same functions, and L-BFGS against torch.optim.LBFGS."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from optimlab import optim  # noqa: E402
from tests.torch.cases import DEVICES, relative_error  # noqa: E402

RNG = np.random.default_rng(51)
C = RNG.uniform(0.5, 3.0, size=7)
D = RNG.uniform(0.1, 1.0, size=7)


def separable(w):
    """f(w) = sum(c w^2 / 2 + d w^4 / 4); its gradient c w + d w^3 written with the same
    elementwise operations in NumPy and in torch, so both sides see identical gradients."""
    return (C * w * w / 2 + D * w * w * w * w / 4).sum(), C * w + D * (w * w * w)


@pytest.mark.parametrize("device", DEVICES)
def test_nesterov_matches_optimlab_optim(device):
    w0 = RNG.normal(size=7) * 2
    reference = w0.copy()
    theirs = optim.Nesterov(reference, lr=0.02, momentum=0.85)
    w = torch.nn.Parameter(torch.tensor(w0, device=device))
    c, d = torch.tensor(C, device=device), torch.tensor(D, device=device)
    opt = ot.Nesterov([w], lr=0.02, momentum=0.85)

    def closure():
        x = w.detach()
        w.grad = c * x + d * (x * x * x)
        return (c * x * x / 2 + d * x * x * x * x / 4).sum()

    evaluated = []
    for _ in range(60):
        theirs.step(closure=separable)
        evaluated.append(float(opt.step(closure)))
    assert relative_error([w.detach().cpu().numpy()], [reference]) <= 1e-12
    assert evaluated[-1] < evaluated[0] / 10


def test_nesterov_evaluates_the_closure_at_the_look_ahead_point_and_restores_w():
    w = torch.nn.Parameter(torch.tensor([1.0], dtype=torch.float64))
    opt = ot.Nesterov([w], lr=0.1, momentum=0.5)
    seen = []

    def closure():
        seen.append(w.item())
        w.grad = torch.ones(1, dtype=torch.float64)
        return 0.0

    opt.step(closure)  # at w = 1: v = 0.1, w = 0.9
    opt.step(closure)  # at 0.9 - 0.5 * 0.1 = 0.85
    assert seen == pytest.approx([1.0, 0.85], abs=1e-15)
    assert w.item() == pytest.approx(0.9 - (0.5 * 0.1 + 0.1), abs=1e-15)

    def failing():
        raise RuntimeError("the data loader broke")

    before = w.detach().clone()
    with pytest.raises(RuntimeError, match="data loader"):
        opt.step(failing)
    assert torch.equal(w, before)  # moved back from the look-ahead point


def test_nesterov_without_a_closure_says_what_it_needs():
    opt = ot.Nesterov([torch.nn.Parameter(torch.zeros(2))], lr=0.1)
    with pytest.raises(TypeError, match=r"needs the gradient at its evaluation .*nesterov=True"):
        opt.step()


# Newton: L2-regularised logistic regression, whose exact Hessian is X' diag(p(1-p)) X / n + l2 I
N, P, L2 = 80, 5, 1e-3
X = np.random.default_rng(52).normal(size=(N, P))
Y = (X @ np.linspace(-1, 1, P) + np.random.default_rng(53).normal(size=N) > 0).astype(float)


def logistic(w):
    z = X @ w
    p = 1 / (1 + np.exp(-z))
    loss = np.mean(np.logaddexp(0, z) - Y * z) + L2 / 2 * w @ w
    grad = X.T @ (p - Y) / N + L2 * w
    hessian = X.T @ (X * (p * (1 - p))[:, None]) / N + L2 * np.eye(P)
    return loss, grad, hessian


def torch_logistic(device):
    x, y = torch.tensor(X, device=device), torch.tensor(Y, device=device)

    def loss_at(params):
        (w,) = params
        z = x @ w
        return torch.nn.functional.softplus(z).mean() - (y * z).mean() + L2 / 2 * (w @ w)

    return loss_at


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"lr": 0.7, "damping": 0.05},
        {"method": "pinv", "rcond": 1e-12},
        {"lr": 3.0, "line_search": True},
    ],
    ids=["exact", "damped", "pinv", "line-search"],
)
def test_newton_matches_optimlab_optim(kwargs, device):
    w0 = np.full(P, 0.5)
    reference = w0.copy()
    theirs = optim.Newton(reference, **kwargs)
    w = torch.nn.Parameter(torch.tensor(w0, device=device))
    opt = ot.Newton([w], **kwargs)
    loss_at = torch_logistic(device)
    # at the optimum a line search compares losses equal to rounding, where the two
    # sides' last bits decide: compare it on the steps that get there
    steps = 5 if kwargs.get("line_search") else 60
    lengths = []
    for _ in range(steps):
        theirs.step(closure=logistic)
        opt.step(loss_at)
        assert opt.last_step_length == theirs.last_step_length
        lengths.append(opt.last_step_length)
    assert relative_error([w.detach().cpu().numpy()], [reference]) <= 1e-12
    if kwargs.get("line_search"):
        assert min(lengths) < 3.0  # the search did shorten steps
    else:
        assert np.linalg.norm(logistic(reference)[1]) < 1e-8


def test_newton_on_a_module_through_functional_call():
    model = torch.nn.Sequential(torch.nn.Linear(P, 1)).double()
    names = [name for name, _ in model.named_parameters()]
    x, y = torch.tensor(X), torch.tensor(Y)

    def loss_at(params):
        out = torch.func.functional_call(model, dict(zip(names, params)), (x,))
        return torch.nn.functional.binary_cross_entropy_with_logits(out[:, 0], y)

    opt = ot.Newton(model.parameters(), damping=1e-6)
    first = float(opt.step(loss_at))
    for _ in range(8):
        opt.step(loss_at)
    w = model[0].weight.detach()[0]
    grad = torch.func.grad(lambda p: loss_at(p))([p.detach() for p in model.parameters()])
    with torch.no_grad():
        assert float(loss_at(list(model.parameters()))) < first
    assert max(float(g.abs().max()) for g in grad) < 1e-4 and w.shape == (P,)


def test_newton_refuses_models_beyond_its_size_naming_the_size():
    big = torch.nn.Parameter(torch.zeros(ot.NEWTON_MAX_PARAMETERS + 1, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"P = 4,097 values .* more than the 4,096"):
        ot.Newton([big])


def test_newton_takes_one_group_and_a_function_of_the_parameters():
    a, b = (torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)) for _ in range(2))
    with pytest.raises(ValueError, match="takes one parameter group"):
        ot.Newton([{"params": [a]}, {"params": [b], "lr": 0.5}])
    opt = ot.Newton([a])
    with pytest.raises(TypeError, match=r"closure\(params\) -> loss"):
        opt.step()
    with pytest.raises(TypeError, match="one-element tensor"):
        opt.step(lambda params: params[0] * 2)
    assert torch.equal(a, torch.zeros(2, dtype=torch.float64))


def test_newton_refuses_a_singular_hessian_and_changes_nothing():
    w = torch.nn.Parameter(torch.tensor([1.0, 2.0], dtype=torch.float64))
    opt = ot.Newton([w])
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        opt.step(lambda params: (params[0][0] + params[0][1]) ** 2)  # rank-one Hessian
    assert w.detach().tolist() == [1.0, 2.0]


# L-BFGS: a PyTorch closure on a module, evaluated as often as the step needs it
LBFGS_SETTINGS = [
    {"lr": 0.5, "max_iter": 5, "history_size": 3},
    {"line_search_fn": "strong_wolfe", "max_iter": 6},
    {},
]
LBFGS_IDS = ["short-history", "strong-wolfe", "defaults"]


def lbfgs_problem():
    """L2-regularised logistic regression as a module and a PyTorch closure factory."""
    torch.manual_seed(0)
    model = torch.nn.Linear(P, 1).double()
    x, y = torch.tensor(X), torch.tensor(Y)

    def closure_for(opt):
        def closure():
            opt.zero_grad()
            out = model(x)[:, 0]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(out, y)
            loss = loss + L2 / 2 * (model.weight**2).sum()
            loss.backward()
            return loss

        return closure

    return model, closure_for


def lbfgs_trajectory(cls, kwargs, steps=5):
    model, closure_for = lbfgs_problem()
    opt = cls(model.parameters(), **kwargs)
    closure = closure_for(opt)
    out, losses = [], []
    for _ in range(steps):
        losses.append(float(opt.step(closure).detach()))
        out.append([p.detach().numpy().copy() for p in model.parameters()])
    return out, losses


@pytest.mark.parametrize("kwargs", LBFGS_SETTINGS, ids=LBFGS_IDS)
def test_lbfgs_matches_torch_optim(kwargs):
    """Five calls of step(closure) (up to 20 iterations each): within 1e-10 of
    torch.optim.LBFGS (measured: at most 4e-16 relative; torch itself moves by 3e-16 when
    its start moves by one part in 1e15)."""
    ours, our_losses = lbfgs_trajectory(ot.LBFGS, kwargs)
    theirs, their_losses = lbfgs_trajectory(torch.optim.LBFGS, kwargs)
    assert max(relative_error(a, b) for a, b in zip(ours, theirs)) <= 1e-10
    np.testing.assert_allclose(our_losses, their_losses, rtol=1e-10)
    assert our_losses[-1] < 0.7 * our_losses[0]  # it trains


@pytest.mark.parametrize("kwargs", LBFGS_SETTINGS, ids=LBFGS_IDS)
def test_lbfgs_matches_optimlab_optim(kwargs):
    """The torch form moves the parameters to each point the optimlab class asks about and
    calls the PyTorch closure there: with the same gradients, the same iterates."""
    model, _ = lbfgs_problem()
    names = [name for name, _ in model.named_parameters()]
    start = [p.detach().numpy().copy() for p in model.parameters()]

    def numpy_closure(arrays):
        params = {n: torch.tensor(a, requires_grad=True) for n, a in zip(names, arrays)}
        out = torch.func.functional_call(model, params, (torch.tensor(X),))[:, 0]
        loss = torch.nn.functional.binary_cross_entropy_with_logits(out, torch.tensor(Y))
        loss = loss + L2 / 2 * (params["weight"] ** 2).sum()
        grads = torch.autograd.grad(loss, list(params.values()))
        return float(loss.detach()), [g.numpy() for g in grads]

    reference = [a.copy() for a in start]
    theirs = optim.LBFGS(reference, **kwargs)
    ours, _ = lbfgs_trajectory(ot.LBFGS, kwargs)
    for step in ours:
        theirs.step(closure=numpy_closure)
        assert relative_error(step, reference) <= 1e-12


def test_lbfgs_takes_one_group_and_needs_a_closure():
    a, b = (torch.nn.Parameter(torch.zeros(2, dtype=torch.float64)) for _ in range(2))
    with pytest.raises(ValueError, match="takes one parameter group"):
        ot.LBFGS([{"params": [a]}, {"params": [b], "lr": 0.5}])
    with pytest.raises(TypeError, match=r"needs step\(closure\)"):
        ot.LBFGS([a]).step()
