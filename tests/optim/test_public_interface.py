"""The public seam of `optimlab.optim`, used as an outside package would use it.

This module imports only public names: a new optimizer declared in a few lines, an engine
that runs an optimizer's rule itself, the purity of the rule query, named coefficients, and
the training loop's promise to leave ``optimizer.lr`` alone.
"""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

from optimlab import checks
from optimlab.models import LinearRegression
from optimlab.optim import (
    OPTIMIZERS,
    SGD,
    Adam,
    ElementwiseOptimizer,
    Hyper,
    NAdam,
    Option,
    RuleStep,
    packed,
    rule,
)
from optimlab.optim.adam import adam_rule
from optimlab.optim.prelude import prelude
from optimlab.schedules import CosineAnnealing
from optimlab.train import fit
from tests.optim.registry import FIRST_ORDER, IDS


@rule(n_state=1)
def heavy_ball_sign_rule(p, g, v, lr, beta, one_minus_beta, sign, weight_decay, keep):
    """v <- beta v + (1 - beta) g;  w <- w - eta sign(v)   (a signed momentum, for the test)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    v = beta * v + one_minus_beta * g
    return p - lr * np.sign(v), v


class SignMomentum(ElementwiseOptimizer):
    """A third-party optimizer: one rule, its arguments declared once, nothing else."""

    lr = Hyper(checks.learning_rate, 0.01)
    beta = Hyper(checks.unit_interval, 0.9)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    maximize = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        self._allocate("velocity")

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def rule_at(self, t: int, lr: float) -> RuleStep:
        sign, weight_decay, keep = self._prelude(lr)
        return heavy_ball_sign_rule.bind(
            lr=lr,
            beta=self.beta,
            one_minus_beta=1.0 - self.beta,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )


def sign_momentum_by_hand(w, grads, lr, beta):
    v = np.zeros_like(w)
    for g in grads:
        v = beta * v + (1 - beta) * g
        w = w - lr * np.sign(v)
    return w


@pytest.mark.parametrize("fused", [True, False])
def test_a_new_optimizer_is_a_rule_and_its_declarations(fused):
    rng = np.random.default_rng(0)
    grads = [rng.normal(size=5) for _ in range(6)]
    w = rng.normal(size=5)
    expected = sign_momentum_by_hand(w.copy(), grads, 0.05, 0.8)
    opt = SignMomentum(w, 0.05, beta=0.8, fused=fused)
    for g in grads:
        opt.step(g)
    np.testing.assert_allclose(w, expected, rtol=0, atol=1e-15)
    assert opt.step_count == 6
    assert list(inspect.signature(SignMomentum).parameters)[:4] == [
        "params",
        "lr",
        "beta",
        "weight_decay",
    ]
    assert opt.HYPERPARAMETERS == ("lr", "beta", "weight_decay")
    assert opt.OPTIONS == ("maximize",)


def test_a_new_optimizer_is_validated_saved_and_trained_like_the_others():
    with pytest.raises(ValueError, match=r"Invalid beta: 1\.0; beta must be in"):
        SignMomentum(np.zeros(2), beta=1.0)
    with pytest.raises(TypeError, match="did you mean 'beta'"):
        SignMomentum(np.zeros(2), betta=0.5)
    w = np.ones(3)
    opt = SignMomentum(w, 0.1)
    opt.step(np.array([1.0, -1.0, 0.0]))
    state = opt.state_dict()
    twin = SignMomentum(w.copy(), 0.1)
    twin.load_state_dict(state)
    assert twin.step_count == 1 and twin.hyperparameters() == opt.hyperparameters()
    np.testing.assert_array_equal(twin.state["velocity"], opt.state["velocity"])

    X = np.linspace(-1, 1, 20).reshape(-1, 1)
    model = LinearRegression(1)
    history = fit(model, SignMomentum(model.params, 0.05), X, 3 * X[:, 0], epochs=120)
    assert history.epoch_train_loss[-1] < 0.05 * history.epoch_train_loss[0]


@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
def test_an_outside_engine_running_the_rule_matches_step(name, cls, kwargs):
    """An engine given only rule_at, flat_params, state_buffers and record_steps reproduces
    the optimizer's own steps bit for bit (NumPy arithmetic on both sides)."""
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=7) for _ in range(5)]
    ours = packed({"w": rng.normal(size=7)})
    theirs = {"w": ours["w"].copy()}
    reference = cls(ours, fused=False, **kwargs)
    engine = cls(packed(theirs), fused=False, **kwargs)
    p = engine.flat_params
    for g in grads:
        reference.step({"w": g})
        step = engine.rule_at(engine.step_count + 1, engine.learning_rate())
        states = list(engine.state_buffers.values())
        cast = p.dtype.type
        out = step.rule.fn(p, g, *states, *(cast(c) for c in step.coefficients))
        out = out if step.rule.n_state else (out,)
        for target, value in zip((p, *states), out):
            target[...] = value
        engine.record_steps(1)
    np.testing.assert_array_equal(p, reference.flat_params)
    assert engine.state_dict().keys() == reference.state_dict().keys()
    for key, value in reference.state_dict().items():
        np.testing.assert_array_equal(engine.state_dict()[key], value)


ELEMENTWISE = [c for c in OPTIMIZERS.values() if issubclass(c, ElementwiseOptimizer)]


@pytest.mark.parametrize("cls", ELEMENTWISE, ids=[c.__name__ for c in ELEMENTWISE])
def test_asking_for_the_rule_changes_nothing(cls):
    p = np.linspace(-1, 1, 4)
    opt = cls(p)
    opt.step(closure=lambda w: (0.0, np.cos(w))) if opt.needs_closure else opt.step(np.cos(p))
    before = opt.state_dict()
    first = opt.rule_at(opt.step_count + 1, 0.01)
    again = opt.rule_at(opt.step_count + 1, 0.01)
    later = opt.rule_at(opt.step_count + 2, 0.01)
    assert first == again and later.rule.coefficient_names == first.rule.coefficient_names
    after = opt.state_dict()
    assert before.keys() == after.keys()
    for key in before:
        np.testing.assert_array_equal(after[key], before[key])


def test_nadam_rule_query_is_pure_and_its_product_advances_only_on_updates():
    opt = NAdam(np.zeros(3), lr=0.01)
    mu = lambda t: 0.9 * (1 - 0.5 * 0.96 ** (t * 0.004))  # noqa: E731
    for _ in range(3):
        opt.rule_at(opt.step_count + 1, 0.01)
    assert opt.mu_product == 1.0
    opt.step(np.ones(3))
    opt.step(np.ones(3))
    assert opt.mu_product == pytest.approx(mu(1) * mu(2), rel=1e-15)
    coefficients = opt.rule_at(3, 0.01).named()
    product = mu(1) * mu(2) * mu(3)
    assert coefficients["grad_coef"] == pytest.approx(0.01 * (1 - mu(3)) / (1 - product), 1e-14)


def test_coefficients_are_bound_by_name():
    assert adam_rule.coefficient_names == tuple(inspect.signature(adam_rule.fn).parameters)[4:]
    assert adam_rule.state_names == ("m", "v")
    named = {name: float(i) for i, name in enumerate(adam_rule.coefficient_names)}
    step = adam_rule.bind(**dict(reversed(list(named.items()))))
    assert step.named() == named and step.coefficients == tuple(named.values())
    with pytest.raises(TypeError, match=r"missing \['eps'\]"):
        adam_rule.bind(**{k: v for k, v in named.items() if k != "eps"})
    with pytest.raises(TypeError, match=r"unknown \['epsilon'\]"):
        adam_rule.bind(**named, epsilon=1e-8)


def test_adam_coefficients_are_the_textbook_ones():
    opt = Adam(np.zeros(2), lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    c = opt.rule_at(3, 0.01).named()
    assert c["step_size"] == pytest.approx(0.01 / (1 - 0.8**3), rel=1e-15)
    assert c["sqrt_bias_correction2"] == pytest.approx(math.sqrt(1 - 0.99**3), rel=1e-15)
    assert (c["beta1"], c["one_minus_beta1"], c["eps"]) == (0.8, 1 - 0.8, 1e-6)


def test_changing_a_hyperparameter_between_steps_is_used_at_once():
    w = np.zeros(1)
    opt = SGD(w, lr=0.1, momentum=0.5)
    opt.step(np.ones(1))  # buf = 1, w = -0.1
    opt.step(np.ones(1))  # buf = 1.5, w = -0.25
    opt.momentum = 0.0  # buf = g = 1
    opt.lr = 0.01
    opt.step(np.ones(1))
    assert w[0] == pytest.approx(-0.26, abs=1e-15)


def test_fit_applies_its_schedule_without_changing_the_optimizer():
    X = np.linspace(-1, 1, 12).reshape(-1, 1)
    model = LinearRegression(1)
    opt = SGD(model.params, lr=0.1)
    schedule = CosineAnnealing(0.1, T_max=9)
    history = fit(model, opt, X, 2 * X[:, 0], epochs=3, batch_size=4, lr_schedule=schedule)
    assert opt.lr == 0.1
    expected = [0.5 * 0.1 * (1 + math.cos(math.pi * k / 9)) for k in range(9)]
    np.testing.assert_allclose(history.lr, expected, rtol=1e-15, atol=1e-18)


def test_owns_tells_the_optimizers_own_arrays_from_copies():
    model = LinearRegression(3)
    opt = SGD(model.params, lr=0.1)
    assert opt.owns(model.params)
    assert not opt.owns({k: v.copy() for k, v in model.params.items()})
    assert not opt.owns(model.params["W"])
    assert not opt.owns("W")
