"""The generic checks, for the optimizers that are not elementwise (registry.MATRIX): a resume
is bit-identical, refusals change nothing, settings are checked, and each converges on the
test problems. They run through a closure, which every optimizer takes (L-BFGS needs it)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import optim
from optimlab.landscapes import Quadratic
from tests.optim.registry import FIRST_ORDER, IDS, MATRIX, MATRIX_IDS

SHAPES = {"W": (6, 4), "b": (4,), "K": (2, 3, 2)}


def problem(seed: int = 0):
    """A least-squares problem over a matrix, a vector and a 3-D array: f = 0.5 sum_k
    ||A_k * (p_k - c_k)||^2 with A_k random and positive (a diagonal quadratic), and its
    closure, its starting point and its minimum value 0."""
    rng = np.random.default_rng(seed)
    weights = {k: rng.uniform(0.5, 2.0, size=s) for k, s in SHAPES.items()}
    targets = {k: rng.normal(size=s) for k, s in SHAPES.items()}

    def closure(params):
        residual = {k: weights[k] * (params[k] - targets[k]) for k in SHAPES}
        loss = 0.5 * sum(float(np.sum(r * r)) for r in residual.values())
        return loss, {k: weights[k] * residual[k] for k in SHAPES}

    start = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    return closure, start


def steps(cls, kwargs, params, closure, n):
    opt = cls(params, **kwargs)
    for _ in range(n):
        opt.step(closure=closure)
    return opt


@pytest.mark.parametrize(("name", "cls", "kwargs"), MATRIX, ids=MATRIX_IDS)
def test_resume_from_npz_is_bit_identical(name, cls, kwargs, tmp_path):
    closure, start = problem()
    straight = {k: v.copy() for k, v in start.items()}
    steps(cls, kwargs, straight, closure, 12)
    first = {k: v.copy() for k, v in start.items()}
    opt = steps(cls, kwargs, first, closure, 5)
    np.savez(tmp_path / "opt.npz", **opt.state_dict())
    resumed = {k: v.copy() for k, v in first.items()}
    again = cls(resumed, **kwargs)
    again.load_state_dict(dict(np.load(tmp_path / "opt.npz")))
    for _ in range(7):
        again.step(closure=closure)
    for k in straight:
        np.testing.assert_array_equal(resumed[k], straight[k])


def snapshot(params, opt):
    return {k: v.copy() for k, v in params.items()}, {
        k: np.array(v, copy=True) for k, v in opt.state_dict().items()
    }


def assert_unchanged(before, params, opt):
    after = snapshot(params, opt)
    for k in before[0]:
        np.testing.assert_array_equal(after[0][k], before[0][k])
    assert after[1].keys() == before[1].keys()
    for k in before[1]:
        np.testing.assert_array_equal(after[1][k], before[1][k])


@pytest.mark.parametrize("bad", ["shape", "missing", "nan", "inf"])
@pytest.mark.parametrize(("name", "cls", "kwargs"), MATRIX, ids=MATRIX_IDS)
def test_a_bad_gradient_changes_nothing(name, cls, kwargs, bad):
    closure, params = problem()
    opt = steps(cls, kwargs, params, closure, 2)
    before = snapshot(params, opt)

    def broken(p):
        loss, grads = closure(p)
        if bad == "shape":
            grads["b"] = np.ones(5)
        elif bad == "missing":
            del grads["K"]
        else:
            grads["W"][2, 1] = math.nan if bad == "nan" else -math.inf
        return loss, grads

    error = FloatingPointError if bad in ("nan", "inf") else ValueError
    with pytest.raises(error, match="step 3" if error is FloatingPointError else "grads"):
        opt.step(closure=broken)
    assert_unchanged(before, params, opt)
    assert opt.step_count == 2


def test_lbfgs_undoes_a_step_whose_later_evaluation_is_not_finite():
    """The first evaluation is fine; one L-BFGS tries later is not: the whole step is undone."""
    closure, params = problem()
    opt = steps(optim.LBFGS, {"lr": 0.1, "max_iter": 5}, params, closure, 2)
    before = snapshot(params, opt)
    calls = []

    def fails_later(p):
        calls.append(1)
        loss, grads = closure(p)
        return (math.nan, grads) if len(calls) > 2 else (loss, grads)

    with pytest.raises(FloatingPointError, match="restored"):
        opt.step(closure=fails_later)
    assert len(calls) > 2
    assert_unchanged(before, params, opt)
    skipping = optim.LBFGS(params, lr=0.1, max_iter=5, nonfinite="skip")
    calls.clear()
    with pytest.warns(RuntimeWarning, match="skipped"):
        assert skipping.step(closure=fails_later) == pytest.approx(closure(params)[0])
    assert skipping.skipped_steps == 1 and skipping.step_count == 0
    for k in params:
        np.testing.assert_array_equal(params[k], before[0][k])


@pytest.mark.parametrize(("name", "cls", "kwargs"), MATRIX, ids=MATRIX_IDS)
def test_gradients_and_closure_give_the_same_step(name, cls, kwargs):
    closure, start = problem()
    a = {k: v.copy() for k, v in start.items()}
    steps(cls, kwargs, a, closure, 4)
    if cls.needs_closure:
        with pytest.raises(TypeError, match="closure"):
            cls(start, **kwargs).step(closure(start)[1])
        return
    b = {k: v.copy() for k, v in start.items()}
    opt = cls(b, **kwargs)
    for _ in range(4):
        opt.step(closure(b)[1])
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


BAD_SETTINGS = [
    (optim.LAMB, {"b1": 1.0}, "Invalid b1"),
    (optim.LAMB, {"eps": 0.0}, "Invalid eps"),
    (optim.LARS, {"trust_coefficient": 0.0}, "Invalid trust_coefficient"),
    (optim.LARS, {"momentum": -0.1}, "Invalid momentum"),
    (optim.NovoGrad, {"b2": 1.5}, "Invalid b2"),
    (optim.Adafactor, {"beta2_decay": 0.5}, "Invalid beta2_decay"),
    (optim.Adafactor, {"d": 0.5}, "Invalid d"),
    (optim.Adafactor, {"eps": (None, -1.0)}, r"Invalid eps\[1\]"),
    (optim.Adafactor, {"eps": 1e-3}, "Invalid eps"),
    (optim.Muon, {"ns_steps": 0}, "Invalid ns_steps"),
    (optim.Muon, {"ns_steps": 100}, "Invalid ns_steps"),
    (optim.Muon, {"ns_coefficients": (1.0, 2.0)}, "Invalid ns_coefficients"),
    (optim.Muon, {"adjust_lr_fn": "match_rms"}, "did you mean 'match_rms_adamw'"),
    (optim.Muon, {"ns_precision": "float16"}, "Invalid ns_precision"),
    (optim.Muon, {"adamw_lr": -1.0}, "Invalid adamw_lr"),
    (optim.SOAP, {"precondition_frequency": 0}, "Invalid precondition_frequency"),
    (optim.SOAP, {"shampoo_beta": 1.0}, "Invalid shampoo_beta"),
    (optim.LBFGS, {"history_size": 0}, "Invalid history_size"),
    (optim.LBFGS, {"max_iter": 2.5}, "Invalid max_iter"),
    (optim.LBFGS, {"line_search_fn": "strong-wolfe"}, "did you mean 'strong_wolfe'"),
    (optim.LBFGS, {"tolerance_grad": -1.0}, "Invalid tolerance_grad"),
    (optim.Rprop, {"etas": (1.2, 0.5)}, r"Invalid etas\[0\]"),
    (optim.Rprop, {"step_sizes": (1.0, 0.1)}, r"Invalid step_sizes\[1\]"),
    (optim.ASGD, {"t0": -1.0}, "Invalid t0"),
    (optim.ScheduleFreeSGD, {"momentum": 0.0}, "Invalid momentum"),
    (optim.ScheduleFreeAdamW, {"betas": (0.0, 0.999)}, r"Invalid betas\[0\]"),
    (optim.ScheduleFreeAdamW, {"warmup_steps": -1}, "Invalid warmup_steps"),
    (optim.Yogi, {"initial_accumulator_value": 0.0}, "Invalid initial_accumulator_value"),
]


@pytest.mark.parametrize(("cls", "kwargs", "match"), BAD_SETTINGS)
def test_bad_settings_are_refused_by_name(cls, kwargs, match):
    with pytest.raises((ValueError, TypeError), match=match):
        cls(np.zeros((3, 2)), **kwargs)


#: Learning rates and budgets with which each optimizer must cut the least-squares loss and
#: the ill-conditioned quadratic test function's a hundredfold (the registry's settings,
#: with these rates; Muon's default weight decay of 0.1 would hold W away from the minimum).
CONVERGENCE = {
    "Adamax": (0.1, 300),
    "ASGD": (0.2, 300),
    "Rprop": (0.01, 300),
    "AdaBelief": (0.1, 300),
    "AdaBelief-nesterov": (0.1, 300),
    "Yogi": (0.1, 300),
    "ScheduleFreeSGD": (0.2, 300),
    "ScheduleFreeAdamW": (0.1, 300),
    "LAMB": (0.05, 300),
    "LARS": (20.0, 300),
    "NovoGrad": (0.05, 300),
    "Adafactor": (0.1, 300),
    "Muon": (0.05, 300),
    "Muon-full-precision": (0.05, 300, {"weight_decay": 0.0, "adamw_lr": 0.05}),
    "SOAP": (0.05, 300),
    "LBFGS": (0.5, 30),
    "LBFGS-strong-wolfe": (1.0, 10),
}
CONVERGING = [c for c in FIRST_ORDER + MATRIX if c[0] in CONVERGENCE]


def test_every_new_optimizer_has_a_convergence_budget():
    new = {*IDS[IDS.index("Adamax") :], *MATRIX_IDS}
    assert new == set(CONVERGENCE)


@pytest.mark.parametrize(("name", "cls", "kwargs"), CONVERGING, ids=[c[0] for c in CONVERGING])
def test_converges_on_the_test_problems(name, cls, kwargs):
    lr, n, *extra = CONVERGENCE[name]
    settings = {**kwargs, "lr": lr, **(extra[0] if extra else {})}
    closure, params = problem()
    first = closure(params)[0]
    opt = steps(cls, settings, params, closure, n)
    with opt.evaluating():  # Schedule-Free answers at its average
        assert closure(params)[0] < 0.01 * first, name
    surface = Quadratic(condition_number=10.0)
    x = surface.start
    start = surface.value(x)
    opt = cls(x, **settings)
    f = surface.closure(with_hessian=False)
    for _ in range(n):
        opt.step(closure=f)
    with opt.evaluating():
        assert surface.value(x) < 0.01 * start, f"{name} on {surface.name}"


@pytest.mark.parametrize(("name", "cls", "kwargs"), MATRIX, ids=MATRIX_IDS)
def test_state_is_shown_by_name_shaped_like_the_parameters(name, cls, kwargs):
    closure, params = problem()
    opt = steps(cls, kwargs, params, closure, 2)
    for key, value in opt.state.items():
        if isinstance(value, dict):
            assert value.keys() == params.keys(), key
            for array in value.values():
                assert array is None or isinstance(array, np.ndarray)
        else:
            assert isinstance(value, np.ndarray), key
    assert set(opt.state_dict()) >= {f"state/{k}" for k in opt._state}
