"""The rule functions of optimlab.optim, run on tensors: translation and engines."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from optimlab.optim import SGD, Adam, rule  # noqa: E402
from optimlab.optim.prelude import prelude  # noqa: E402
from optimlab.torch.engines import compiled_foreach, run_foreach  # noqa: E402
from optimlab.torch.translate import TORCH_NUMPY, TensorList, on_tensors  # noqa: E402


def test_a_rule_is_the_same_function_with_numpy_bound_to_torch():
    fn = Adam(np.zeros(1)).rule_at(1, 0.1).rule.fn
    translated = on_tensors(fn)
    assert translated.__code__ is fn.__code__  # the same code, not a copy
    assert translated.__globals__["np"] is TORCH_NUMPY
    assert translated.__globals__["prelude"].__code__ is prelude.__code__
    assert on_tensors(fn) is translated


def test_torch_numpy_runs_on_lists_tensors_and_scalars():
    x = TensorList([torch.tensor([4.0, -9.0]).abs(), torch.tensor([16.0])])
    assert [t.tolist() for t in TORCH_NUMPY.sqrt(x).tensors] == [[2.0, 3.0], [4.0]]
    assert TORCH_NUMPY.maximum(torch.tensor([-1.0, 2.0]), 0.0).tolist() == [0.0, 2.0]
    assert TORCH_NUMPY.sign(-3.0) == -1.0
    y = 2.0 / TensorList([torch.tensor([4.0])])  # a division, not a reciprocal times 2
    assert y.tensors[0].tolist() == [0.5]
    assert (np.float64(3.0) - TensorList([torch.tensor([1.0])])).tensors[0].tolist() == [2.0]


def test_what_rules_may_not_do_is_said_clearly():
    with pytest.raises(AttributeError, match=r"cannot run np\.tanh on tensors; a rule may use"):
        TORCH_NUMPY.tanh(1.0)
    with pytest.raises(TypeError, match="may branch only on coefficients"):
        bool(TensorList([torch.zeros(1)]))
    with pytest.raises(TypeError, match="needs a Python function"):
        on_tensors(np.sqrt)


@rule(n_state=1)
def clipped_rule(p, g, m, lr, beta, one_minus_beta, bound):
    """A rule using np.minimum, np.abs and np.where, for the translation test."""
    m = beta * m + one_minus_beta * np.minimum(np.abs(g), bound)
    return np.where(g > bound, p - lr * m, p - lr * g), m


def test_a_new_rule_runs_on_tensors_as_in_numpy():
    rng = np.random.default_rng(71)
    p, g, m = (rng.normal(size=9) for _ in range(3))
    step = clipped_rule.bind(lr=0.1, beta=0.9, one_minus_beta=0.1, bound=0.5)
    tensors = [torch.tensor(a) for a in (p, g, m)]
    compiled = [a.copy() for a in (p, g, m)]
    clipped_rule.fused(compiled[0], compiled[1], [compiled[2]], step.coefficients)
    clipped_rule.numpy(p, g, [m], step.coefficients)
    np.testing.assert_array_equal(compiled[0], p)
    run_foreach(step, [tensors[0]], [tensors[1]], [[tensors[2]]])
    np.testing.assert_array_equal(tensors[0].numpy(), p)
    np.testing.assert_array_equal(tensors[2].numpy(), m)


@pytest.mark.slow
def test_the_compiled_engine_matches_the_foreach_engine():
    """torch.compile of a rule (the fused path on CUDA), checked on CPU tensors: about
    20 s of compilation."""
    pytest.importorskip("torch._inductor")
    rng = np.random.default_rng(72)
    data = [rng.normal(size=s) for s in ((5,), (3, 2))]
    grads = [[rng.normal(size=a.shape) for a in data] for _ in range(3)]
    opt = SGD(np.zeros(1), lr=0.1, momentum=0.9, weight_decay=0.01)
    results = []
    for run in (run_foreach, compiled_foreach):
        ps = [torch.tensor(a) for a in data]
        bufs = [torch.zeros_like(p) for p in ps]
        for t, g in enumerate(grads, start=1):
            run(opt.rule_at(t, 0.1), ps, [torch.tensor(a) for a in g], [bufs])
        results.append([p.numpy() for p in ps])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=0)
