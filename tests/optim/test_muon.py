"""Muon's pieces: bfloat16 rounding and the Newton-Schulz iteration against PyTorch's own
functions, the orthogonalisation itself, and AdamW on the arrays that are not matrices."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab import optim
from optimlab.optim.muon import NS_COEFFICIENTS, newton_schulz, round_to_bfloat16


def test_bfloat16_rounding_keeps_8_significant_bits_ties_to_even():
    # 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1.0);
    # 1 + 3 * 2^-8 is halfway between 1 + 2^-7 and 1 + 2^-6: to 1 + 2^-6
    x = np.array([1 + 2**-8, 1 + 3 * 2**-8, 1 + 2**-8 + 2**-20, -3.0], dtype=np.float32)
    expected = np.array([1.0, 1 + 2**-6, 1 + 2**-7, -3.0], dtype=np.float32)
    np.testing.assert_array_equal(round_to_bfloat16(x), expected)


def test_bfloat16_rounding_matches_pytorch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x = rng.normal(size=10_000) * 10.0 ** rng.uniform(-20, 20, size=10_000)
    expected = torch.from_numpy(x).bfloat16().float().numpy()
    np.testing.assert_array_equal(round_to_bfloat16(x), expected)


@pytest.mark.parametrize("shape", [(8, 5), (5, 8), (48, 32), (32, 48)])
def test_newton_schulz_matches_pytorch(shape):
    """Full precision: to rounding. bfloat16: to one bfloat16 unit (2^-7 relative to the
    largest entry) on a few entries, where float32 sums in another order round across a tie
    (PyTorch's kernels and NumPy's BLAS accumulate differently)."""
    torch = pytest.importorskip("torch")
    from torch.optim._muon import _zeropower_via_newtonschulz as reference

    G = np.random.default_rng(1).normal(size=shape)
    ours = newton_schulz(G, NS_COEFFICIENTS, 5, 1e-7, "bfloat16")
    theirs = reference(torch.from_numpy(G), NS_COEFFICIENTS, 5, 1e-7).float().numpy()
    assert np.abs(ours - theirs).max() <= 2**-7 * np.abs(theirs).max()
    assert np.mean(ours != theirs) < 0.5
    original = torch.Tensor.bfloat16
    torch.Tensor.bfloat16 = lambda self: self.clone()  # the same code, in float64
    try:
        theirs = reference(torch.from_numpy(G), NS_COEFFICIENTS, 5, 1e-7).numpy()
    finally:
        torch.Tensor.bfloat16 = original
    np.testing.assert_allclose(
        newton_schulz(G, NS_COEFFICIENTS, 5, 1e-7, "full"), theirs, rtol=0, atol=1e-12
    )


def test_newton_schulz_flattens_the_singular_values():
    """U diag(s) V^T goes to about U V^T: PyTorch's coefficients leave singular values
    between about 0.7 and 1.2 (Jordan et al. 2024), from a spread of 10^2."""
    rng = np.random.default_rng(2)
    U = np.linalg.qr(rng.normal(size=(20, 20)))[0]
    V = np.linalg.qr(rng.normal(size=(12, 12)))[0]
    s = np.logspace(0, 2, 12)
    G = U[:, :12] @ np.diag(s) @ V.T
    out = newton_schulz(G, NS_COEFFICIENTS, 5, 1e-7, "full")
    singular = np.linalg.svd(out, compute_uv=False)
    assert singular.min() > 0.6 and singular.max() < 1.25
    # and the singular vectors are G's: out = U diag(s') V^T with s' > 0
    np.testing.assert_allclose(
        U[:, :12].T @ out @ V, np.diag(np.diag(U[:, :12].T @ out @ V)), atol=1e-10
    )


def test_arrays_that_are_not_matrices_get_adamw():
    rng = np.random.default_rng(3)
    grads = [rng.normal(size=5) for _ in range(6)]
    a, b = np.ones(5), np.ones(5)
    muon = optim.Muon({"b": a}, lr=0.01, adamw_weight_decay=0.05, adamw_betas=(0.8, 0.99))
    adamw = optim.AdamW(b, lr=0.01, weight_decay=0.05, betas=(0.8, 0.99), fused=False)
    for g in grads:
        muon.step({"b": g})
        adamw.step(g)
    np.testing.assert_array_equal(a, b)


def test_adamw_lr_is_scaled_by_a_schedule_like_lr():
    a, b = np.ones(3), np.ones(3)
    muon = optim.Muon({"b": a}, lr=0.1, adamw_lr=0.01)
    adamw = optim.AdamW(b, lr=0.01, weight_decay=0.01, fused=False)
    g = np.array([1.0, -2.0, 0.5])
    muon.step({"b": g}, lr=0.05)  # half of Muon's rate: half of adamw_lr
    adamw.step(g, lr=0.005)
    np.testing.assert_array_equal(a, b)
