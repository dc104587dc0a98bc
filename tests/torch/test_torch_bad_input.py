"""Bad input gets a clear error before anything changes: arguments, parameters, gradients."""

from __future__ import annotations

import warnings

import pytest

torch = pytest.importorskip("torch")

import optimlab.torch as ot  # noqa: E402
from tests.torch.cases import initial, parameters  # noqa: E402


def params64(n=3):
    return [torch.nn.Parameter(torch.linspace(-1, 1, n, dtype=torch.float64))]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: ot.Adam(params64(), lr=-1.0), ValueError, r"Invalid lr: -1\.0; lr must be >= 0"),
        (lambda: ot.Adam(params64(), betas=(0.9, 1.0)), ValueError, r"Invalid betas\[1\]: 1\.0"),
        (lambda: ot.Adam(params64(), eps=0.0), ValueError, "Invalid eps"),
        (lambda: ot.Adam(params64(), lr="fast"), TypeError, "Invalid lr: 'fast'"),
        (lambda: ot.Adam(params64(), amsgrad=1), TypeError, "Invalid amsgrad: 1"),
        (lambda: ot.Adam(params64(), betta=(0.9, 0.99)), TypeError, "did you mean 'betas'"),
        (lambda: ot.SGD(params64(), 0.1, 0.9, 0.0, 0.0, True, 1), TypeError, "at most 5 arguments"),
        (lambda: ot.SGD(params64(), nesterov=True), ValueError, "nesterov=True needs momentum > 0"),
        (
            lambda: ot.SGD(params64(), momentum=0.9, dampening=0.1, convention="keras"),
            ValueError,
            "Keras's SGD has no dampening",
        ),
        (lambda: ot.Momentum(params64(), convention="keras"), ValueError, "no keras convention"),
        (lambda: ot.Adam(params64(), convention="jax"), ValueError, "Invalid convention"),
        (lambda: ot.Adam(params64(), nonfinite="warn"), ValueError, "Invalid nonfinite"),
        (
            lambda: ot.Adam(params64(), fused=True, foreach=True),
            ValueError,
            "cannot be used together",
        ),
        (lambda: ot.Adam({"w": params64()[0]}), TypeError, "got a dict"),
        (lambda: ot.Adam([]), ValueError, "empty parameter list"),
    ],
    ids=[
        "lr",
        "betas",
        "eps",
        "lr-type",
        "flag-type",
        "misspelt",
        "positional",
        "nesterov",
        "keras-only-pytorch",
        "convention-unsupported",
        "convention",
        "nonfinite",
        "fused-foreach",
        "dict",
        "empty",
    ],
)
def test_bad_arguments_are_refused_with_a_message_naming_them(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("tensor", "message"),
    [
        (torch.zeros(2, dtype=torch.complex128), "is complex"),
        (torch.zeros(2, dtype=torch.float16), "has dtype torch.float16"),
        (torch.zeros(2, dtype=torch.bfloat16), "has dtype torch.bfloat16"),
        (torch.zeros(2, dtype=torch.int64), "has dtype torch.int64"),
    ],
    ids=["complex", "half", "bfloat16", "integer"],
)
def test_parameters_that_are_not_real_float32_or_float64_are_refused(tensor, message):
    with pytest.raises(TypeError, match=f"parameter 0 of group 0 {message}"):
        ot.Adam([tensor])


def test_a_group_with_bad_settings_is_not_added():
    opt = ot.Adam(params64(), lr=0.1)
    with pytest.raises(ValueError, match="Invalid weight_decay"):
        opt.add_param_group({"params": params64(), "weight_decay": -1.0})
    with pytest.raises(TypeError, match="is complex"):
        opt.add_param_group({"params": [torch.zeros(2, dtype=torch.complex64)]})
    assert len(opt.param_groups) == 1


def stepped_twice():
    params = parameters(initial(41))
    extra = [torch.nn.Parameter(torch.ones(4, dtype=torch.float64))]
    opt = ot.Adam([{"params": params}, {"params": extra, "lr": 0.5}], lr=0.01)
    for _ in range(2):
        for p in params + extra:
            p.grad = torch.full_like(p, 0.5)
        opt.step()
    return params + extra, opt


def frozen(params, opt):
    return [p.detach().clone() for p in params], {
        id(p): {k: v.clone() for k, v in s.items()} for p, s in opt.state.items()
    }


def assert_frozen(params, opt, before):
    for p, b in zip(params, before[0]):
        assert torch.equal(p, b)
    for p, s in opt.state.items():
        for k, v in s.items():
            assert torch.equal(v, before[1][id(p)][k])


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_non_finite_gradient_raises_and_changes_nothing(value):
    params, opt = stepped_twice()
    before = frozen(params, opt)
    for p in params:
        p.grad = torch.ones_like(p)
    params[-1].grad[2] = value  # in the second group: nothing of the first may change either
    with pytest.raises(
        FloatingPointError,
        match=r"step 3: the gradient of parameter 0 of group 1 "
        r"\(shape \(4,\)\) holds 1 non-finite value",
    ):
        opt.step()
    assert_frozen(params, opt, before)


def test_nonfinite_skip_skips_the_step_and_counts_it():
    params, _ = stepped_twice()
    opt = ot.Adam(params, lr=0.01, nonfinite="skip")
    for p in params:
        p.grad = torch.ones_like(p)
    params[0].grad[0] = float("nan")
    before = [p.detach().clone() for p in params]
    with pytest.warns(RuntimeWarning, match="skipped: the parameters were not changed"):
        opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        opt.step()
    assert opt.skipped_steps == 2 and not opt.state
    for p, b in zip(params, before):
        assert torch.equal(p, b)


def test_nonfinite_ignore_lets_the_value_through():
    w = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    opt = ot.SGD([w], lr=0.1, nonfinite="ignore")
    w.grad = torch.tensor([1.0, float("inf"), 1.0], dtype=torch.float64)
    opt.step()
    assert torch.isinf(w[1]) and w[0].item() == pytest.approx(0.9)


def test_a_sparse_gradient_is_refused_and_changes_nothing():
    embedding = torch.nn.Embedding(5, 3, sparse=True).double()
    opt = ot.Adam(embedding.parameters(), lr=0.1)
    embedding(torch.tensor([1, 2])).sum().backward()
    before = embedding.weight.detach().clone()
    with pytest.raises(TypeError, match="does not support sparse gradients"):
        opt.step()
    assert torch.equal(embedding.weight, before) and not opt.state


def test_non_finite_gradients_on_a_non_contiguous_parameter_are_found():
    base = torch.zeros(4, 3, dtype=torch.float64)
    w = torch.nn.Parameter(base.t())  # a transposed view: not contiguous
    opt = ot.Adam([w], lr=0.1)
    w.grad = torch.ones(4, 3, dtype=torch.float64).t()
    w.grad[1, 2] = float("nan")
    with pytest.raises(FloatingPointError):
        opt.step()
    assert torch.equal(w, torch.zeros(3, 4, dtype=torch.float64))
