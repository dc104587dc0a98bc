"""Record SOAP (the ``pytorch-optimizer`` package's, which follows the authors' code) as
golden data.

Needs torch 2.13.0 and pytorch-optimizer 4.1.0 (only to regenerate these files). From the
repository root, in an environment that has them:

    python tests/golden/make_golden_soap.py           # rewrite the files
    python tests/golden/make_golden_soap.py --check   # compare a fresh run

Writes ``soap_optimizers.npz`` and ``.json`` beside this script: 60 fixed gradients (as
``make_golden.py`` draws them, float64) through ``pytorch_optimizer.SOAP``, the parameters
recorded after every step. The shapes have at most one more row than columns (or the
reverse), so that no preconditioner starts with more than a one-dimensional null space
(whose basis LAPACK could choose freely, and the trajectory with it); a 3-D array is
included, and a vector (of two values where it gets a basis: its first preconditioner
g g^T has rank 1).

The reference computes the QR decomposition of each basis refresh in float32 (its comment:
for stability and for bfloat16 support). Until the first refresh (update
``precondition_frequency + 1``) it computes in float64 throughout; ``refresh_step`` in the
table says when that is, and the ``*-no-refresh`` cases never refresh.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from typing import Any

import numpy as np
import torch
from pytorch_optimizer import SOAP

from tests.golden.recording import STEPS, draw_case_data, finish

STEM = "soap_optimizers"
BASE_SEED = 51_600
SHAPES: tuple[tuple[int, ...], ...] = ((3,), (4, 5), (6, 5), (2, 3, 2))
SHAPES_1D_BASIS: tuple[tuple[int, ...], ...] = ((2,), (4, 5), (6, 5), (2, 3, 2))

CASES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("SOAP-default", {}),
    ("SOAP-no-refresh", {"lr": 0.01, "precondition_frequency": 1000}),
    (
        "SOAP-betas-wd-no-refresh",
        {"betas": (0.9, 0.99), "weight_decay": 0.1, "precondition_frequency": 1000},
    ),
    ("SOAP-shampoo-beta-frequency", {"lr": 0.01, "shampoo_beta": 0.9, "precondition_frequency": 4}),
    (
        "SOAP-1d-max-dim-no-refresh",
        {"precondition_1d": True, "max_precondition_dim": 5, "precondition_frequency": 1000},
    ),
    ("SOAP-no-bias-correction", {"correct_bias": False, "eps": 1e-6}),
)


def run(kwargs: dict, init: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
    params = [torch.tensor(x, requires_grad=True) for x in init]
    opt = SOAP(params, **kwargs)
    traj = [np.empty_like(g) for g in grads]
    for t in range(STEPS):
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g[t].copy())
        opt.step()
        for out, p in zip(traj, params):
            out[t] = p.detach().numpy()
    return traj


def generate() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    torch.set_default_dtype(torch.float64)
    arrays: dict[str, np.ndarray] = {}
    table = []
    for index, (name, kwargs) in enumerate(CASES):
        seed = BASE_SEED + index
        shapes = SHAPES_1D_BASIS if kwargs.get("precondition_1d") else SHAPES
        init, grads = draw_case_data(seed, shapes)
        traj = run(kwargs, init, grads)
        for part, tensors in (("init", init), ("grads", grads), ("traj", traj)):
            arrays.update({f"{name}/{part}/{i}": a for i, a in enumerate(tensors)})
        frequency = kwargs.get("precondition_frequency", 10)
        table.append(
            {
                "name": name,
                "optimizer": "SOAP",
                "kwargs": json.loads(json.dumps(kwargs)),
                "shapes": [list(s) for s in shapes],
                "seed": seed,
                "refresh_step": frequency + 1 if frequency < STEPS else None,
            }
        )
    meta = {
        "pytorch_optimizer_version": importlib.metadata.version("pytorch-optimizer"),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "steps": STEPS,
        "cases": table,
    }
    return arrays, meta


if __name__ == "__main__":
    sys.exit(finish(STEM, *generate(), sys.argv[1:]))
