"""Property tests (hypothesis): finite in, finite out; zero gradients leave parameters still."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from optimlab import optim
from tests.optim.registry import FIRST_ORDER, IDS

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, st.integers(1, 8), elements=finite)


@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_finite_gradients_give_finite_parameters(name, cls, kwargs, data):
    p = data.draw(vectors)
    opt = cls(p, **kwargs)
    for _ in range(3):
        opt.step(data.draw(arrays(np.float64, p.shape, elements=finite)))
    assert np.isfinite(p).all()


@pytest.mark.parametrize(
    "factory",
    [
        lambda p: optim.Adam(p, lr=0.1),
        lambda p: optim.Adam(p, lr=0.1, amsgrad=True),
        lambda p: optim.RMSprop(p, lr=0.1),
        lambda p: optim.RMSprop(p, lr=0.1, centered=True, momentum=0.9),
        lambda p: optim.Adagrad(p, lr=0.1),
        lambda p: optim.Adadelta(p),
        lambda p: optim.NAdam(p),
        lambda p: optim.RAdam(p),
    ],
    ids=[
        "Adam",
        "AMSGrad",
        "RMSprop",
        "RMSprop-centered-momentum",
        "Adagrad",
        "Adadelta",
        "NAdam",
        "RAdam",
    ],
)
@settings(max_examples=25, deadline=None)
@given(p=vectors)
def test_zero_gradients_leave_parameters_unchanged(factory, p):
    before = p.copy()
    opt = factory(p)
    for _ in range(3):
        opt.step(np.zeros_like(p))
    np.testing.assert_array_equal(p, before)


@settings(max_examples=15, deadline=None)
@given(data=st.data(), split=st.integers(1, 5))
def test_save_load_mid_run_is_bit_identical(data, split):
    p0 = data.draw(arrays(np.float64, 4, elements=st.floats(-10, 10)))
    grads = [data.draw(arrays(np.float64, 4, elements=st.floats(-10, 10))) for _ in range(6)]
    a = p0.copy()
    opt = optim.Adam(a, lr=0.1, amsgrad=True)
    for g in grads:
        opt.step(g)
    b = p0.copy()
    opt = optim.Adam(b, lr=0.1, amsgrad=True)
    for g in grads[:split]:
        opt.step(g)
    state, b = opt.state_dict(), b.copy()
    opt = optim.Adam(b, lr=0.1, amsgrad=True)
    opt.load_state_dict(state)
    for g in grads[split:]:
        opt.step(g)
    np.testing.assert_array_equal(a, b)
