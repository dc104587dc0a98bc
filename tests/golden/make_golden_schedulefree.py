"""Record Schedule-Free SGD and AdamW (the ``schedulefree`` package) as golden data.

Needs torch 2.13.0 and schedulefree 1.4.1 (only to regenerate these files). From the
repository root, in an environment that has them:

    python tests/golden/make_golden_schedulefree.py           # rewrite the files
    python tests/golden/make_golden_schedulefree.py --check   # compare a fresh run

Writes ``schedulefree_optimizers.npz`` and ``.json`` beside this script. Each case steps
``SGDScheduleFree`` or ``AdamWScheduleFree`` (``foreach=False``, float64) in train mode
through 60 fixed gradients (as ``make_golden.py`` draws them) and records, after every step,
the parameters (y, where gradients are taken) as ``traj`` and, through ``opt.eval()``, the
evaluation point x as ``x`` (then ``opt.train()`` again, as a training loop that evaluates
every step would).
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from typing import Any

import numpy as np
import schedulefree
import torch

from tests.golden.recording import SHAPES, STEPS, draw_case_data, finish

STEM = "schedulefree_optimizers"
BASE_SEED = 41_500

CASES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("SGD-default", "SGDScheduleFree", {"lr": 0.1}),
    ("SGD-momentum-wd", "SGDScheduleFree", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.1}),
    ("SGD-warmup-r", "SGDScheduleFree", {"lr": 0.1, "warmup_steps": 10, "r": 1.0}),
    ("AdamW-default", "AdamWScheduleFree", {"lr": 0.01}),
    ("AdamW-wd-betas", "AdamWScheduleFree", {"lr": 0.01, "betas": (0.5, 0.9), "weight_decay": 0.1}),
    (
        "AdamW-warmup-power",
        "AdamWScheduleFree",
        {"lr": 0.01, "warmup_steps": 20, "weight_lr_power": 1.0, "eps": 1e-3},
    ),
)


def run(optimizer: str, kwargs: dict, init: list, grads: list) -> tuple[list, list]:
    params = [torch.tensor(x, requires_grad=True) for x in init]
    opt = getattr(schedulefree, optimizer)(params, foreach=False, **kwargs)
    opt.train()
    traj = [np.empty_like(g) for g in grads]
    averages = [np.empty_like(g) for g in grads]
    for t in range(STEPS):
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g[t].copy())
        opt.step()
        for out, p in zip(traj, params):
            out[t] = p.detach().numpy()
        opt.eval()
        for out, p in zip(averages, params):
            out[t] = p.detach().numpy()
        opt.train()
    return traj, averages


def generate() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    torch.set_default_dtype(torch.float64)
    arrays: dict[str, np.ndarray] = {}
    table = []
    for index, (name, optimizer, kwargs) in enumerate(CASES):
        seed = BASE_SEED + index
        init, grads = draw_case_data(seed)
        traj, averages = run(optimizer, kwargs, init, grads)
        for part, tensors in (("init", init), ("grads", grads), ("traj", traj), ("x", averages)):
            arrays.update({f"{name}/{part}/{i}": a for i, a in enumerate(tensors)})
        table.append(
            {
                "name": name,
                "optimizer": optimizer,
                "kwargs": json.loads(json.dumps(kwargs)),
                "shapes": [list(s) for s in SHAPES],
                "seed": seed,
            }
        )
    meta = {
        "schedulefree_version": importlib.metadata.version("schedulefree"),
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "steps": STEPS,
        "cases": table,
    }
    return arrays, meta


if __name__ == "__main__":
    sys.exit(finish(STEM, *generate(), sys.argv[1:]))
