"""Saving and resuming: a run resumed from a saved state is bit-identical to an unbroken one."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab import optim
from optimlab.schedules import CosineAnnealing
from tests.optim.registry import FIRST_ORDER, IDS
from tests.optim.test_paths import gradient_sequence, initial


@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
def test_resume_from_npz_is_bit_identical(name, cls, kwargs, tmp_path):
    grads = gradient_sequence(np.float32, 20)
    straight = optim.packed(initial(np.float32))
    opt = cls(straight, **kwargs)
    for g in grads:
        opt.step(g)

    first = optim.packed(initial(np.float32))
    opt = cls(first, **kwargs)
    for g in grads[:9]:
        opt.step(g)
    np.savez(tmp_path / "opt.npz", **opt.state_dict())
    saved_params = {k: v.copy() for k, v in first.items()}

    resumed = optim.packed(saved_params)
    opt2 = cls(resumed, **kwargs)
    opt2.load_state_dict(dict(np.load(tmp_path / "opt.npz")))
    for g in grads[9:]:
        opt2.step(g)
    for k in straight:
        np.testing.assert_array_equal(resumed[k], straight[k])
    assert opt2.step_count == 20


def test_resume_with_a_schedule_continues_the_schedule():
    schedule = CosineAnnealing(0.1, T_max=10)
    grads = gradient_sequence(np.float64, 12)
    a = initial(np.float64)
    opt = optim.SGD(a, lr=schedule, momentum=0.9)
    for g in grads:
        opt.step(g)
    b = initial(np.float64)
    opt = optim.SGD(b, lr=schedule, momentum=0.9)
    for g in grads[:5]:
        opt.step(g)
    state = opt.state_dict()
    assert "hyper/lr" not in state  # a schedule is code: the caller rebuilds it
    opt = optim.SGD(b, lr=schedule, momentum=0.9)
    opt.load_state_dict(state)
    assert opt.learning_rate() == schedule(5)
    for g in grads[5:]:
        opt.step(g)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


def test_load_refuses_a_state_that_does_not_fit():
    p = np.zeros(4)
    with pytest.raises(ValueError, match="from Adam, not RMSprop"):
        optim.RMSprop(p).load_state_dict(optim.Adam(p).state_dict())
    with pytest.raises(ValueError, match="amsgrad"):
        optim.Adam(p, amsgrad=True).load_state_dict(optim.Adam(p).state_dict())
    with pytest.raises(ValueError, match="shape"):
        optim.Adam(np.zeros(5)).load_state_dict(optim.Adam(p).state_dict())


def test_state_dict_restores_hyperparameters():
    p = np.zeros(3)
    opt = optim.Adam(p, lr=0.5, betas=(0.8, 0.9))
    other = optim.Adam(p)
    other.load_state_dict(opt.state_dict())
    assert other.lr == 0.5 and other.betas == (0.8, 0.9)


def test_state_views_follow_the_params_structure():
    params = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
    opt = optim.Adam(params, lr=0.1)
    opt.step({"W": np.ones((2, 3)), "b": -np.ones(3)})
    m = opt.state["exp_avg"]
    np.testing.assert_allclose(m["W"], 0.1)  # (1 - beta1) g after one step
    np.testing.assert_allclose(m["b"], -0.1)


def test_hyperparameters_can_change_between_steps():
    a, b = np.ones(3), np.ones(3)
    opt = optim.SGD(a, lr=0.1)
    g = np.array([1.0, 2.0, 3.0])
    opt.step(g)
    opt.lr = 0.2
    opt.step(g)
    np.testing.assert_allclose(a, b - 0.1 * g - 0.2 * g)
    with pytest.raises(ValueError, match="Invalid lr"):
        opt.lr = -1.0


def test_load_refuses_another_convention_or_structural_option():
    p = np.zeros(3)
    keras_state = optim.SGD(p, lr=0.1, momentum=0.9, convention="keras").state_dict()
    with pytest.raises(ValueError, match="convention='keras'"):
        optim.SGD(p, lr=0.1, momentum=0.9).load_state_dict(keras_state)
    nesterov_state = optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True).state_dict()
    with pytest.raises(ValueError, match="nesterov=True"):
        optim.SGD(p, lr=0.1, momentum=0.9).load_state_dict(nesterov_state)
