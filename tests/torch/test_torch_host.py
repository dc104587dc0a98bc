"""Optimlab optimizers that are not elementwise run whole on NumPy arrays of the parameters
(optimlab.torch.host): any such optimizer gets its torch form with no torch code."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from optimlab import checks  # noqa: E402
from optimlab.optim import Hyper, Optimizer  # noqa: E402
from tests.torch.cases import gradients, initial, parameters, relative_error  # noqa: E402


class NormalizedMomentum(Optimizer):
    """v <- mu v + g / ||g|| (the norm over all parameters together); w <- w - lr v.

    Not elementwise (the norm couples every value), with a state buffer and a scalar state
    (the sum of the norms seen), as a third-party optimizer would declare it."""

    lr = Hyper(checks.learning_rate, 0.1)
    momentum = Hyper(checks.unit_interval, 0.5)

    def _setup(self) -> None:
        self._state["velocity"] = np.zeros(int(self._offsets[-1]), dtype=self._dtype)
        self.norm_sum = 0.0

    def _update(self, g_arrays, g_flat, lr, extra) -> bool:
        g = np.concatenate([np.ravel(a) for a in g_arrays])
        norm = float(np.linalg.norm(g))
        v = self._state["velocity"]
        v *= self.momentum
        v += g / norm
        for a, lo, hi in zip(self._arrays, self._offsets[:-1], self._offsets[1:]):
            a.reshape(-1)[...] -= lr * v[lo:hi]
        self.norm_sum += norm
        return True

    def _extra_state(self):
        return {"norm_sum": self.norm_sum}

    def _load_extra_state(self, values) -> None:
        self.norm_sum = values["norm_sum"]


class Backtracking(Optimizer):
    """Gradient descent whose step halves until the loss decreases (needs a closure)."""

    needs_closure = True
    lr = Hyper(checks.learning_rate, 1.0)

    def step(self, grads=None, closure=None, *, lr=None):
        self._closure = closure
        return super().step(grads, closure, lr=lr)

    def _gradients(self, grads, closure):
        loss, grads, extra = super()._gradients(grads, closure)
        self._loss = float(loss)
        return loss, grads, extra

    def _update(self, g_arrays, g_flat, lr, extra) -> bool:
        length = lr
        for _ in range(20):
            trial = [a - length * g for a, g in zip(self._arrays, g_arrays)]
            if float(self._closure(trial)[0]) < self._loss:
                break
            length /= 2
        for a, t in zip(self._arrays, trial):
            a[...] = t
        return True


def test_any_other_optimizer_gets_a_torch_form_automatically():
    cls = ot.torch_optimizer(NormalizedMomentum)
    assert issubclass(cls, ot.HostTorchOptimizer) and cls.__name__ == "NormalizedMomentum"
    assert ot.torch_optimizer(NormalizedMomentum) is cls
    init, grads = initial(61), gradients(62)
    reference = [a.copy() for a in init]
    theirs = NormalizedMomentum(reference, lr=0.05, momentum=0.7)
    params = parameters(init)
    opt = cls(params, lr=0.05, momentum=0.7)
    for g in grads:
        theirs.step(g)
        for p, gi in zip(params, g):
            p.grad = torch.tensor(gi)
        opt.step()
    assert relative_error([p.detach().numpy() for p in params], reference) == 0.0
    # its state in PyTorch's layout: each parameter's slice, the scalar on the first
    np.testing.assert_array_equal(
        opt.state[params[1]]["velocity"].numpy(), theirs.state["velocity"][1]
    )
    assert float(opt.state[params[0]]["norm_sum"]) == theirs.norm_sum
    assert float(opt.state[params[2]]["step"]) == 60


def test_a_host_optimizer_resumes_bit_identically_from_its_state_dict():
    cls = ot.torch_optimizer(NormalizedMomentum)
    grads = gradients(63, steps=20)
    straight, resumed = parameters(initial(64)), parameters(initial(64))
    a = cls(straight, lr=0.05)
    b = cls(resumed, lr=0.05)
    for k, g in enumerate(grads):
        if k == 10:
            state = b.state_dict()
            resumed = [torch.nn.Parameter(p.detach().clone()) for p in resumed]
            b = cls(resumed, lr=0.05)
            b.load_state_dict(state)
        for ps, o in ((straight, a), (resumed, b)):
            for p, gi in zip(ps, g):
                p.grad = torch.tensor(gi)
            o.step()
    for x, y in zip(straight, resumed):
        assert torch.equal(x, y)


def test_a_host_optimizer_with_a_closure_evaluates_it_at_its_trial_points():
    cls = ot.torch_optimizer(Backtracking)
    target = np.array([3.0, -1.0, 0.5])
    reference = np.zeros(3)
    theirs = Backtracking(reference, lr=4.0)
    w = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    opt = cls([w], lr=4.0)
    t = torch.tensor(target)

    def closure():
        opt.zero_grad()
        loss = ((w - t) ** 4).sum()
        loss.backward()
        return loss

    for _ in range(15):
        theirs.step(closure=lambda x: (((x - target) ** 4).sum(), 4 * (x - target) ** 3))
        loss = opt.step(closure)
    assert relative_error([w.detach().numpy()], [reference]) <= 1e-12
    assert float(loss.detach()) < 1.0
    with pytest.raises(ValueError, match="takes one parameter group"):
        opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))]})


def test_host_optimizers_copy_non_contiguous_parameters_in_and_out():
    cls = ot.torch_optimizer(NormalizedMomentum)
    base = torch.zeros(3, 4, dtype=torch.float64)
    w = torch.nn.Parameter(base.t())
    opt = cls([w], lr=0.5)
    w.grad = torch.ones(4, 3, dtype=torch.float64)
    opt.step()
    np.testing.assert_allclose(w.detach().numpy(), np.full((4, 3), -0.5 / np.sqrt(12)), rtol=1e-15)


def test_adapters_are_chosen_by_kind():
    from optimlab import optim

    assert ot.adapter_for(optim.Adam) is ot.ElementwiseTorchOptimizer
    assert ot.adapter_for(optim.Nesterov) is ot.ElementwiseTorchOptimizer  # look-ahead point
    assert ot.adapter_for(optim.Newton) is ot.NewtonTorchOptimizer
    assert ot.adapter_for(NormalizedMomentum) is ot.HostTorchOptimizer
    with pytest.raises(TypeError, match="needs an optimlab optimizer class"):
        ot.torch_optimizer(torch.optim.Adam)


def test_a_non_finite_gradient_in_any_group_stops_every_group():
    cls = ot.torch_optimizer(NormalizedMomentum)
    params = parameters(initial(65))
    opt = cls([{"params": params[:1]}, {"params": params[1:], "lr": 0.01}])
    for p in params:
        p.grad = torch.ones_like(p)
    params[2].grad[0, 0, 0] = float("nan")
    before = [p.detach().clone() for p in params]
    with pytest.raises(FloatingPointError, match="parameter 1 of group 1"):
        opt.step()
    for p, b in zip(params, before):
        assert torch.equal(p, b)
