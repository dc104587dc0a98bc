"""Bad input is refused with an error that names the argument, before anything changes."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from optimlab import optim
from tests.optim.registry import FIRST_ORDER, IDS


@pytest.mark.parametrize("lr", [-0.1, math.nan, math.inf, "0.1"])
@pytest.mark.parametrize("cls", [optim.SGD, optim.Adam, optim.RMSprop, optim.Lion, optim.Newton])
def test_bad_learning_rate(cls, lr):
    with pytest.raises(ValueError, match="Invalid lr"):
        cls(np.zeros(3), lr=lr)


@pytest.mark.parametrize("betas", [(1.0, 0.999), (0.9, -0.1), (0.9,), (math.nan, 0.9), "ab"])
@pytest.mark.parametrize("cls", [optim.Adam, optim.AdamW, optim.NAdam, optim.RAdam, optim.Lion])
def test_bad_betas(cls, betas):
    with pytest.raises(ValueError, match="Invalid betas"):
        cls(np.zeros(3), betas=betas)


@pytest.mark.parametrize("eps", [0.0, -1e-8, math.nan])
@pytest.mark.parametrize("cls", [optim.Adam, optim.RMSprop, optim.Adagrad, optim.Adadelta])
def test_bad_eps(cls, eps):
    with pytest.raises(ValueError, match="Invalid eps"):
        cls(np.zeros(3), eps=eps)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"momentum": 1.0}, "Invalid momentum"),
        ({"momentum": 0.9, "nesterov": True, "dampening": 0.1}, "nesterov"),
        ({"nesterov": True}, "nesterov"),
        ({"weight_decay": -1.0}, "Invalid weight_decay"),
        ({"convention": "jax"}, "Invalid convention"),
        ({"nonfinite": "warn"}, "Invalid nonfinite"),
    ],
)
def test_bad_sgd_options(kwargs, match):
    with pytest.raises(ValueError, match=match):
        optim.SGD(np.zeros(3), lr=0.1, **kwargs)


def test_bad_params():
    with pytest.raises(TypeError, match="dtype int64"):
        optim.Adam(np.zeros(3, dtype=np.int64))
    with pytest.raises(ValueError, match="empty"):
        optim.Adam([])
    with pytest.raises(ValueError, match="C-contiguous"):
        optim.Adam(np.zeros((4, 4))[:, ::2])
    with pytest.raises(TypeError, match="mix dtypes"):
        optim.Adam([np.zeros(2), np.zeros(2, np.float32)])
    with pytest.raises(TypeError, match="must be a NumPy array"):
        optim.Adam({"w": [1.0, 2.0]})


@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
def test_mismatched_gradients_leave_parameters_untouched(name, cls, kwargs):
    params = {"W": np.ones((2, 3)), "b": np.ones(3)}
    opt = cls(params, **kwargs)
    with pytest.raises(ValueError, match=r"grads\['b'\] has shape \(4,\)"):
        opt.step({"W": np.ones((2, 3)), "b": np.ones(4)})
    with pytest.raises(ValueError, match="missing"):
        opt.step({"W": np.ones((2, 3))})
    with pytest.raises(TypeError, match="same structure"):
        opt.step([np.ones((2, 3)), np.ones(3)])
    with pytest.raises(TypeError, match="float array"):
        opt.step({"W": np.ones((2, 3), dtype=int), "b": np.ones(3)})
    assert (params["W"] == 1).all() and opt.step_count == 0


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("packed", [True, False])
def test_nonfinite_gradient_raises_names_parameter_and_step(bad, packed):
    params = {"W": np.ones((2, 3)), "b": np.ones(3)}
    if packed:
        params = optim.packed(params)
    opt = optim.Adam(params, lr=0.1)
    opt.step({"W": np.ones((2, 3)), "b": np.ones(3)})
    before = {k: v.copy() for k, v in params.items()}
    state = {k: v.copy() for k, v in opt.state_dict().items() if k.startswith("state/")}
    g = {"W": np.ones((2, 3)), "b": np.array([1.0, bad, 1.0])}
    with pytest.raises(FloatingPointError, match=r"step 2: the gradient of parameter 'b'"):
        opt.step(g)
    for k in params:
        np.testing.assert_array_equal(params[k], before[k])
    for k, v in state.items():
        np.testing.assert_array_equal(opt.state_dict()[k], v)


def test_nonfinite_skip_counts_and_keeps_parameters():
    p = np.ones(3)
    opt = optim.Adam(p, lr=0.1, nonfinite="skip")
    with pytest.warns(RuntimeWarning, match="skipped"):
        opt.step(np.array([np.nan, 0.0, 0.0]))
    assert opt.skipped_steps == 1 and opt.step_count == 0
    np.testing.assert_array_equal(p, 1.0)


@pytest.mark.parametrize(
    ("layout", "options"),
    [
        ("one array", {}),
        ("one array", {"fused": False}),
        ("two arrays", {}),
        ("one long array", {}),
    ],
)
def test_a_skipped_step_warns_at_the_callers_line(layout, options, monkeypatch):
    """Whichever path finds the inf (the fused loop, NumPy, per array, shared among the
    cores), the warning names the line that called step()."""
    from optimlab.optim import _pool

    n = 5000 if layout != "two arrays" else 3
    params = np.ones(n) if layout != "two arrays" else {"a": np.ones(3), "b": np.ones(2)}
    g = np.zeros(n) if layout != "two arrays" else {"a": np.zeros(3), "b": np.zeros(2)}
    (g if layout != "two arrays" else g["a"])[1] = np.inf
    if layout == "one long array":
        monkeypatch.setattr(_pool, "CHUNK", 1000)
        default = optim.parallel_threshold()
        optim.set_parallel_threshold(1000)
    try:
        opt = optim.Adam(params, nonfinite="skip", **options)
        with pytest.warns(RuntimeWarning, match="skipped") as caught:
            opt.step(g)
    finally:
        if layout == "one long array":
            optim.set_parallel_threshold(default)
    assert caught[0].filename == __file__
    assert opt.skipped_steps == 1 and opt.step_count == 0


def test_large_nonfinite_gradient_is_found_by_the_fast_check():
    p = np.ones(100_000, dtype=np.float32)
    g = np.zeros_like(p)
    g[-1] = np.inf
    with pytest.raises(FloatingPointError, match="1 non-finite"):
        optim.SGD(p, lr=0.1).step(g)


def test_schedule_returning_a_bad_rate_is_reported():
    opt = optim.SGD(np.zeros(2), lr=lambda step: -1.0)
    with pytest.raises(ValueError, match=r"schedule returned -1\.0 for step 0"):
        opt.step(np.ones(2))


def test_step_needs_exactly_one_of_grads_and_closure():
    opt = optim.SGD(np.zeros(2), lr=0.1)
    with pytest.raises(TypeError, match="exactly one"):
        opt.step()
    with pytest.raises(TypeError, match="closure=f"):
        optim.Nesterov(np.zeros(2)).step(np.ones(2))
    with pytest.raises(TypeError, match="hessian"):
        optim.Newton(np.zeros(2)).step(np.ones(2))


def test_momentum_added_after_construction_is_refused():
    opt = optim.SGD(np.zeros(2), lr=0.1)
    opt.momentum = 0.9
    with pytest.raises(ValueError, match="momentum was 0 at construction"):
        opt.step(np.ones(2))


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (
            lambda p: optim.Adagrad(p, lr_decay=0.1, convention="keras"),
            "Keras's Adagrad has no lr_decay",
        ),
        (
            lambda p: optim.Adam(p, maximize=True, convention="keras"),
            "Keras's Adam has no maximize",
        ),
        (lambda p: optim.SGD(p, dampening=0.5, convention="keras"), "Keras's SGD has no dampening"),
        (lambda p: optim.Momentum(p, convention="keras"), "Momentum has no keras convention"),
        (lambda p: optim.RAdam(p, convention="keras"), "RAdam has no keras convention"),
    ],
)
def test_pytorch_only_options_are_refused_under_keras(factory, match):
    with pytest.raises(ValueError, match=match):
        factory(np.zeros(2))


def test_newton_line_search_without_decrease_takes_no_step():
    w = np.array([1.0])
    # a closure whose loss never decreases along the Newton direction
    opt = optim.Newton(w, line_search=True)
    with pytest.warns(RuntimeWarning, match="no decrease"):
        opt.step(closure=lambda p: (float(abs(p[0] - 1.0) + 1.0), np.array([1.0]), np.eye(1)))
    assert w[0] == 1.0


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("layout", ["one array", "packed", "list"])
def test_a_gradient_too_large_for_float32_parameters_is_refused(layout, fused):
    """1e39 is finite in float64 but inf in float32: the step is refused like an inf,
    saying why, with nothing changed (and no NumPy overflow warning on the way)."""
    if layout == "one array":
        params, grads = np.zeros(5000, np.float32), np.zeros(5000)
        grads[-1] = 1e39
    elif layout == "packed":
        params = optim.packed({"a": np.zeros(5000, np.float32), "b": np.zeros(3, np.float32)})
        grads = {"a": np.zeros(5000), "b": np.array([0.0, 1e39, 0.0])}
    else:
        params = [np.zeros(5000, np.float32), np.zeros(3, np.float32)]
        grads = [np.zeros(5000), np.array([0.0, 1e39, 0.0])]
    opt = optim.Adam(params, fused=fused)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(FloatingPointError, match=r"1 value\(s\) too large for float32"):
            opt.step(grads)
    arrays = list(params.values()) if layout == "packed" else params
    arrays = [arrays] if layout == "one array" else arrays
    assert all((a == 0).all() for a in arrays) and opt.step_count == 0
    assert all((s == 0).all() for s in opt.state_buffers.values())


def test_the_skip_warning_does_not_advise_skipping():
    opt = optim.Adam(np.ones(3), nonfinite="skip")
    with pytest.warns(RuntimeWarning) as caught:
        opt.step(np.array([np.nan, 0.0, 0.0]))
    text = str(caught[0].message)
    assert "skipped: the parameters were not changed" in text and "nonfinite='skip'" not in text


def test_a_list_parameter_is_named_by_its_position():
    opt = optim.Adam([np.zeros(2), np.zeros(3)])
    with pytest.raises(FloatingPointError, match=r"the gradient of params\[1\] holds 1 "):
        opt.step([np.zeros(2), np.array([0.0, np.inf, 0.0])])


def test_a_dict_of_gradients_is_matched_by_key_in_any_order():
    params = {"W": np.array([1.0, 2.0]), "b": np.array([3.0])}
    optim.SGD(params, lr=0.5).step({"b": np.array([4.0]), "W": np.array([2.0, -2.0])})
    np.testing.assert_array_equal(params["W"], [0.0, 3.0])  # 1 - 0.5 * 2, 2 + 0.5 * 2
    np.testing.assert_array_equal(params["b"], [1.0])  # 3 - 0.5 * 4
    with pytest.raises(ValueError, match=r"missing \['W'\], unexpected \['w'\]"):
        optim.SGD(params, lr=0.5).step({"b": np.ones(1), "w": np.ones(2)})
    np.testing.assert_array_equal(params["W"], [0.0, 3.0])
