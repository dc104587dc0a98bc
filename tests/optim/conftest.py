"""Shared helpers for the optimizer tests."""

from __future__ import annotations

import numpy as np


def run_trajectory(opt_factory, init, grads):
    """Run an optimizer over a fixed gradient sequence; return params after every step.

    ``init`` is a list of arrays, ``grads`` a list of (steps, *shape) arrays.
    """
    params = [np.array(a, dtype=np.float64) for a in init]
    opt = opt_factory(params)
    steps = grads[0].shape[0]
    traj = [np.empty((steps, *a.shape)) for a in params]
    for t in range(steps):
        opt.step([g[t] for g in grads])
        for out, p in zip(traj, params):
            out[t] = p
    return traj


def assert_trajectories_close(ours, reference, rtol, name):
    """Compare trajectories entry by entry, relative to each tensor's largest magnitude."""
    for i, (a, b) in enumerate(zip(ours, reference)):
        scale = np.abs(b).max(axis=tuple(range(1, b.ndim)), keepdims=True)
        error = np.abs(a - b) / np.maximum(scale, np.finfo(float).tiny)
        worst = np.unravel_index(np.argmax(error), error.shape)
        assert error.max() <= rtol, (
            f"{name}: tensor {i} differs by {error.max():.3g} (relative to its largest entry) "
            f"at step {worst[0] + 1}, index {worst[1:]}: ours {a[worst]!r}, reference {b[worst]!r}"
        )
