"""Record Optax's LAMB, LARS, AdaBelief, Yogi and NovoGrad as golden data, in float64.

Needs JAX and Optax (only to regenerate these files; optimlab and its tests never import
them). From the repository root, in an environment that has them:

    python tests/golden/make_golden_optax.py           # rewrite the files
    python tests/golden/make_golden_optax.py --check   # compare a fresh run with them

Writes ``optax_optimizers.npz`` and ``.json`` beside this script. Each case runs
``optax.<name>(learning_rate, **kwargs)`` with ``jax_enable_x64`` on three float64 arrays for
60 steps of gradients drawn in advance (as ``make_golden.py``), applying
``update(grads, state, params)`` then ``optax.apply_updates``, and records the parameters
after every step.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import jax

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import optax  # noqa: E402

from tests.golden.recording import SHAPES, STEPS, draw_case_data, finish  # noqa: E402

STEM = "optax_optimizers"
BASE_SEED = 31_400

# (case name, optax function, keyword arguments: learning_rate first)
CASES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("lamb-default", "lamb", {"learning_rate": 0.01}),
    ("lamb-wd", "lamb", {"learning_rate": 0.01, "weight_decay": 0.1}),
    (
        "lamb-b-eps",
        "lamb",
        {"learning_rate": 0.01, "b1": 0.5, "b2": 0.9, "eps": 1e-3, "eps_root": 1e-8},
    ),
    ("lars-default", "lars", {"learning_rate": 0.1}),
    ("lars-wd-nesterov", "lars", {"learning_rate": 0.1, "weight_decay": 0.01, "nesterov": True}),
    (
        "lars-trust-eps-momentum",
        "lars",
        {"learning_rate": 0.5, "trust_coefficient": 0.01, "eps": 1e-3, "momentum": 0.5},
    ),
    ("adabelief-default", "adabelief", {"learning_rate": 0.01}),
    ("adabelief-paper-eps", "adabelief", {"learning_rate": 0.01, "eps": 1e-8, "eps_root": 0.0}),
    ("adabelief-nesterov", "adabelief", {"learning_rate": 0.01, "b1": 0.8, "nesterov": True}),
    ("yogi-default", "yogi", {"learning_rate": 0.01}),
    ("yogi-b-eps", "yogi", {"learning_rate": 0.05, "b1": 0.5, "b2": 0.9, "eps": 1e-6}),
    ("novograd-default", "novograd", {"learning_rate": 0.01}),
    ("novograd-wd", "novograd", {"learning_rate": 0.01, "weight_decay": 0.1}),
    ("novograd-b-eps", "novograd", {"learning_rate": 0.01, "b1": 0.5, "b2": 0.9, "eps": 1e-3}),
)


def run(name: str, kwargs: dict, init: list[np.ndarray], grads: list[np.ndarray]) -> list:
    solver = getattr(optax, name)(**kwargs)
    params = [jnp.asarray(x) for x in init]
    state = solver.init(params)
    traj = [np.empty_like(g) for g in grads]
    for t in range(STEPS):
        g = [jnp.asarray(a[t]) for a in grads]
        updates, state = solver.update(g, state, params)
        params = optax.apply_updates(params, updates)
        for out, p in zip(traj, params):
            assert p.dtype == jnp.float64
            out[t] = np.asarray(p)
    return traj


def generate() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    arrays: dict[str, np.ndarray] = {}
    table = []
    for index, (name, function, kwargs) in enumerate(CASES):
        seed = BASE_SEED + index
        init, grads = draw_case_data(seed)
        traj = run(function, kwargs, init, grads)
        for part, tensors in (("init", init), ("grads", grads), ("traj", traj)):
            arrays.update({f"{name}/{part}/{i}": a for i, a in enumerate(tensors)})
        table.append(
            {
                "name": name,
                "optimizer": function,
                "kwargs": kwargs,
                "shapes": [list(s) for s in SHAPES],
                "seed": seed,
            }
        )
    meta = {
        "optax_version": optax.__version__,
        "jax_version": jax.__version__,
        "numpy_version": np.__version__,
        "steps": STEPS,
        "cases": json.loads(json.dumps(table)),
    }
    return arrays, meta


if __name__ == "__main__":
    sys.exit(finish(STEM, *generate(), sys.argv[1:]))
