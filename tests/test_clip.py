"""optimlab.clip against torch.nn.utils.clip_grad_norm_ (golden file) and by hand."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from optimlab.clip import clip_grad_norm, clip_grad_value

GOLDEN = np.load(Path(__file__).parent / "golden" / "torch_clip.npz")
CASES = sorted({key.split("__")[0] for key in GOLDEN.files if "__" in key})


def golden(case: str, what: str):
    return [GOLDEN[f"{case}__{what}_{i}"] for i in range(3)]


def test_golden_has_the_expected_cases():
    assert set(CASES) == {
        "l2_above",
        "l2_just_below",
        "l2_far_below",
        "inf_above",
        "inf_just_below",
        "l2_above_float32",
    }
    assert str(GOLDEN["torch_version"]).startswith("2.13.0")


@pytest.mark.parametrize("case", CASES)
def test_pytorch_convention_matches_torch(case):
    grads = [g.copy() for g in golden(case, "in")]
    float32 = case.endswith("float32")
    rtol = 1e-6 if float32 else 1e-12
    total = clip_grad_norm(
        grads, float(GOLDEN[f"{case}__max_norm"]), float(GOLDEN[f"{case}__norm_type"])
    )
    assert total == pytest.approx(float(GOLDEN[f"{case}__total_norm"]), rel=rtol)
    for ours, theirs in zip(grads, golden(case, "out"), strict=True):
        assert ours.dtype == theirs.dtype == (np.float32 if float32 else np.float64)
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=0)


def test_pytorch_shrinks_just_below_max_norm_and_optax_does_not():
    inputs = golden("l2_just_below", "in")
    max_norm = float(GOLDEN["l2_just_below__max_norm"])
    torch_out = golden("l2_just_below", "out")
    assert all(np.all(np.abs(o) < np.abs(g)) for o, g in zip(torch_out, inputs, strict=True))
    grads = [g.copy() for g in inputs]
    total = clip_grad_norm(grads, max_norm, convention="optax")
    assert total < max_norm
    for ours, original in zip(grads, inputs, strict=True):
        np.testing.assert_array_equal(ours, original)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_optax_convention_by_hand(norm_type):
    a, b = np.array([3.0, 0.0]), np.array([[0.0], [-4.0]])
    expected_total = {2.0: 5.0, 1.0: 7.0, math.inf: 4.0}[norm_type]
    grads = {"w": a.copy(), "b": b.copy()}
    total = clip_grad_norm(grads, 2.0, norm_type, convention="optax")
    assert total == expected_total
    scale = 2.0 / expected_total
    np.testing.assert_allclose(grads["w"], a * scale, rtol=1e-15)
    np.testing.assert_allclose(grads["b"], b * scale, rtol=1e-15)


def test_pytorch_formula_by_hand_on_a_single_array():
    g = np.array([3.0, 4.0])
    total = clip_grad_norm(g, 1.0)
    assert total == 5.0
    np.testing.assert_allclose(g, np.array([3.0, 4.0]) / (5.0 + 1e-6), rtol=1e-15)


def test_float32_stays_float32_and_tuple_works():
    grads = (np.array([30.0, 40.0], dtype=np.float32), np.zeros((2, 2), dtype=np.float32))
    total = clip_grad_norm(grads, 5.0, convention="optax")
    assert total == 50.0
    assert grads[0].dtype == np.float32
    np.testing.assert_allclose(grads[0], [3.0, 4.0], rtol=1e-7)


def test_clip_grad_value_in_place():
    grads = {"w": np.array([-3.0, -0.5, 0.0, 0.5, 3.0]), "b": np.array([2.0], dtype=np.float32)}
    result = clip_grad_value(grads, 1.0)
    assert result is grads
    np.testing.assert_array_equal(grads["w"], [-1.0, -0.5, 0.0, 0.5, 1.0])
    assert grads["b"].dtype == np.float32 and grads["b"][0] == 1.0


def test_clip_grad_value_matches_torch():
    torch = pytest.importorskip("torch")
    g = np.random.default_rng(3).normal(size=(4, 5))
    p = torch.zeros(4, 5, dtype=torch.float64)
    p.grad = torch.from_numpy(g.copy())
    torch.nn.utils.clip_grad_value_([p], 0.7)
    ours = clip_grad_value(g.copy(), 0.7)
    np.testing.assert_array_equal(ours, p.grad.numpy())


def test_nonfinite_norm_raises_before_touching_grads():
    grads = [np.array([1.0, np.nan]), np.array([10.0])]
    with pytest.raises(
        FloatingPointError, match=r"total 2.0-norm of grads is nan.*error_if_nonfinite"
    ):
        clip_grad_norm(grads, 1.0)
    assert grads[1][0] == 10.0
    with pytest.raises(FloatingPointError, match=r"is inf"):
        clip_grad_norm([np.array([np.inf])], 1.0, math.inf)


@pytest.mark.filterwarnings("ignore:invalid value encountered in multiply:RuntimeWarning")
def test_nonfinite_norm_allowed_scales_by_it():
    grads = [np.array([1.0, np.inf])]
    total = clip_grad_norm(grads, 1.0, error_if_nonfinite=False)
    assert total == math.inf
    assert grads[0][0] == 0.0 and np.isnan(grads[0][1])  # 1 * 0 and inf * 0, as in PyTorch


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda g: clip_grad_norm(g, 0.0), r"Invalid max_norm: 0\.0; max_norm must be > 0"),
        (lambda g: clip_grad_norm(g, -1.0), r"Invalid max_norm: -1\.0; max_norm must be > 0"),
        (lambda g: clip_grad_norm(g, math.inf), r"Invalid max_norm: inf; max_norm must be finite"),
        (lambda g: clip_grad_norm(g, 1.0, 0.0), r"Invalid norm_type: 0\.0; norm_type must be > 0"),
        (lambda g: clip_grad_norm(g, 1.0, convention="keras"), r"convention must be one of"),
        (lambda g: clip_grad_value(g, 0.0), r"Invalid clip_value: 0\.0; clip_value must be > 0"),
        (lambda g: clip_grad_value(g, math.nan), r"nan; clip_value must be finite"),
        (lambda g: clip_grad_norm([], 1.0), r"grads holds no arrays"),
    ],
)
def test_bad_arguments(call, match):
    g = [np.array([1.0, 2.0])]
    with pytest.raises(ValueError, match=match):
        call(g)
    np.testing.assert_array_equal(g[0], [1.0, 2.0])


def test_bad_containers():
    with pytest.raises(TypeError, match=r"grads\['b'\] must be a float NumPy array"):
        clip_grad_norm({"w": np.ones(2), "b": np.array([1, 2])}, 1.0)
    with pytest.raises(TypeError, match=r"grads\['1'\] must be a float NumPy array.*list"):
        clip_grad_value([np.ones(2), [1.0, 2.0]], 1.0)
    with pytest.raises(TypeError, match=r"grads must be a NumPy array, a list of arrays"):
        clip_grad_norm(3.0, 1.0)
    frozen = np.ones(3)
    frozen.flags.writeable = False
    with pytest.raises(ValueError, match=r"grads is read-only"):
        clip_grad_value(frozen, 1.0)
