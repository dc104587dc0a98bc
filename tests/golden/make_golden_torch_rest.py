"""Record the rest of torch.optim (Adamax, ASGD, Rprop, Adafactor, Muon, LBFGS) as golden data.

Run from the repository root with torch 2.13.0 (CPU), in float64:

    .venv/bin/python tests/golden/make_golden_torch_rest.py           # rewrite the files
    .venv/bin/python tests/golden/make_golden_torch_rest.py --check   # compare a fresh run

Writes ``torch_rest_optimizers.npz`` and ``.json`` beside this script (read back by
``recording.load_cases``, no torch needed). The gradient-driven cases follow
``make_golden.py``: fixed gradients drawn in advance, the single-tensor implementations,
the parameters recorded after every step.

* Muon takes 2-D tensors only; its cases add the pairing PyTorch's documentation gives,
  torch.optim.AdamW on the other tensors, at the same rate. PyTorch runs the
  Newton-Schulz iteration in bfloat16; the ``*-full`` cases record the same code with the
  conversion to bfloat16 made a copy in float64 (``Tensor.bfloat16`` patched to return
  ``self.clone()``), so that it computes in float64.
* LBFGS needs a closure: each case minimises a fixed objective (the extended Rosenbrock
  function of all parameters as one vector, or a convex quadratic whose matrix is stored in
  the npz) for ``LBFGS_STEPS`` calls of ``step(closure)``, recording the parameters and the
  loss each call returned. Twenty iterations per call amplify rounding: the same run from a
  start perturbed by one part in 1e15 is recorded too, and ``sensitivity[t]`` is how far
  (relative to the largest parameter) torch then strays from itself after call t + 1: the
  agreement the reference itself allows.
* ASGD cases also record the averaged iterate ``ax`` after every step.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from tests.golden.recording import SHAPES, STEPS, draw_case_data, finish

TORCH_VERSION_PREFIX = "2.13"
STEM = "torch_rest_optimizers"
BASE_SEED = 21_300
LBFGS_STEPS = 8
MUON_SHAPES: tuple[tuple[int, ...], ...] = ((3,), (4, 5), (6, 3), (2, 3, 2))
LBFGS_SHAPES: tuple[tuple[int, ...], ...] = ((3,), (4, 5))
SINGLE_TENSOR = {"foreach": False}

CASES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("Adamax-default", "Adamax", {"lr": 0.01}),
    ("Adamax-betas-eps", "Adamax", {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-3}),
    ("Adamax-wd", "Adamax", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adamax-maximize", "Adamax", {"lr": 0.01, "maximize": True}),
    ("ASGD-default", "ASGD", {}),
    ("ASGD-averaging", "ASGD", {"lr": 0.05, "lambd": 0.01, "alpha": 0.5, "t0": 10.0}),
    ("ASGD-wd-maximize", "ASGD", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    ("Rprop-default", "Rprop", {}),
    ("Rprop-etas-sizes", "Rprop", {"lr": 0.1, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.5)}),
    ("Rprop-maximize", "Rprop", {"maximize": True}),
    ("Adafactor-default", "Adafactor", {}),
    ("Adafactor-wd", "Adafactor", {"lr": 0.05, "weight_decay": 0.1}),
    ("Adafactor-decay-eps-d", "Adafactor", {"beta2_decay": -0.5, "eps": (1e-10, 1e-2), "d": 2.0}),
    ("Adafactor-maximize", "Adafactor", {"maximize": True}),
    ("Muon-default", "Muon", {"lr": 0.02}),
    ("Muon-full", "Muon", {"lr": 0.02}),
    ("Muon-plain-momentum-full", "Muon", {"lr": 0.02, "nesterov": False, "momentum": 0.9}),
    ("Muon-match-rms-full", "Muon", {"lr": 0.01, "adjust_lr_fn": "match_rms_adamw"}),
    (
        "Muon-steps-coefficients-full",
        "Muon",
        {"lr": 0.02, "ns_steps": 3, "ns_coefficients": (2.0, -1.5, 0.5), "weight_decay": 0.0},
    ),
    ("LBFGS-default", "LBFGS", {"objective": "rosenbrock"}),
    ("LBFGS-strong-wolfe", "LBFGS", {"objective": "rosenbrock", "line_search_fn": "strong_wolfe"}),
    (
        "LBFGS-short-history",
        "LBFGS",
        {"objective": "rosenbrock", "lr": 0.5, "history_size": 3, "max_iter": 7},
    ),
    (
        "LBFGS-wolfe-quadratic",
        "LBFGS",
        {"objective": "quadratic", "line_search_fn": "strong_wolfe", "max_iter": 5},
    ),
    ("LBFGS-quadratic-lr", "LBFGS", {"objective": "quadratic", "lr": 0.3, "history_size": 5}),
)


@contextlib.contextmanager
def bfloat16_as_identity() -> Iterator[None]:
    """Inside the block, ``Tensor.bfloat16()`` returns a copy of the tensor in its own dtype
    (float64), as the real conversion returns a new tensor."""
    original = torch.Tensor.bfloat16
    torch.Tensor.bfloat16 = lambda self, *args, **kwargs: self.clone()
    try:
        yield
    finally:
        torch.Tensor.bfloat16 = original


def step_through(opts: list, params: list, grads: list[np.ndarray], record: dict) -> list:
    """Apply the fixed gradients; return the parameters after every step."""
    traj = [np.empty_like(g) for g in grads]
    for t in range(STEPS):
        for p, g in zip(params, grads):
            p.grad = torch.from_numpy(g[t].copy())
        for opt in opts:
            opt.step()
        for out, p in zip(traj, params):
            out[t] = p.detach().numpy()
        for name, values in record.items():
            for out, p in zip(values, params):
                out[t] = opts[0].state[p][name].numpy()
    return traj


def gradient_case(name: str, optimizer: str, kwargs: dict, seed: int) -> dict[str, Any]:
    shapes = MUON_SHAPES if optimizer == "Muon" else SHAPES
    init, grads = draw_case_data(seed, shapes)
    params = [torch.tensor(x, requires_grad=True) for x in init]
    record: dict[str, list[np.ndarray]] = {}
    if optimizer == "Muon":
        matrices = [p for p in params if p.ndim == 2]
        others = [p for p in params if p.ndim != 2]
        opts = [
            torch.optim.Muon(matrices, **kwargs),
            torch.optim.AdamW(others, lr=kwargs["lr"], **SINGLE_TENSOR),
        ]
    else:
        opts = [getattr(torch.optim, optimizer)(params, **kwargs, **SINGLE_TENSOR)]
        if optimizer == "ASGD":
            record["ax"] = [np.empty_like(g) for g in grads]
    full = name.endswith("-full")
    with bfloat16_as_identity() if full else contextlib.nullcontext():
        traj = step_through(opts, params, grads, record)
    out = {"init": init, "grads": grads, "traj": traj, **record}
    return {"shapes": [list(s) for s in shapes], "arrays": out}


def rosenbrock(x: torch.Tensor) -> torch.Tensor:
    """sum_i 100 (x_{i+1} - x_i^2)^2 + (1 - x_i)^2."""
    return (100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2).sum()


def run_lbfgs(
    f: Any, init: list[np.ndarray], settings: dict
) -> tuple[list[np.ndarray], np.ndarray]:
    """``LBFGS_STEPS`` calls of ``step(closure)`` minimising f; the parameters after each call,
    and the losses the calls returned."""
    params = [torch.tensor(x, requires_grad=True) for x in init]
    opt = torch.optim.LBFGS(params, **settings)

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = f(torch.cat([p.reshape(-1) for p in params]))
        loss.backward()
        return loss

    traj = [np.empty((LBFGS_STEPS, *x.shape)) for x in init]
    losses = np.empty(LBFGS_STEPS)
    for t in range(LBFGS_STEPS):
        losses[t] = float(opt.step(closure).detach())
        for out, p in zip(traj, params):
            out[t] = p.detach().numpy()
    return traj, losses


def lbfgs_case(kwargs: dict, seed: int) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    init = [rng.uniform(-1.5, 1.5, size=s) for s in LBFGS_SHAPES]
    n = sum(x.size for x in init)
    arrays: dict[str, Any] = {"init": init}
    settings = dict(kwargs)
    objective = settings.pop("objective")
    if objective == "quadratic":
        basis = np.linalg.qr(rng.standard_normal((n, n)))[0]
        A = basis @ np.diag(np.logspace(-2, 1, n)) @ basis.T
        b = rng.standard_normal(n)
        arrays["A"], arrays["b"] = A, b
        A_t, b_t = torch.from_numpy(A), torch.from_numpy(b)

        def f(x: torch.Tensor) -> torch.Tensor:
            return 0.5 * x @ (A_t @ x) - b_t @ x
    else:
        f = rosenbrock
    traj, losses = run_lbfgs(f, init, settings)
    perturbed = run_lbfgs(f, [x * (1.0 + 1e-15) for x in init], settings)[0]
    flat = np.concatenate([a.reshape(LBFGS_STEPS, -1) for a in traj], axis=1)
    other = np.concatenate([a.reshape(LBFGS_STEPS, -1) for a in perturbed], axis=1)
    sensitivity = np.abs(other - flat).max(axis=1) / np.abs(flat).max(axis=1)
    arrays.update(traj=traj, loss=losses, sensitivity=sensitivity)
    return {"shapes": [list(s) for s in LBFGS_SHAPES], "arrays": arrays}


def generate() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    if not torch.__version__.startswith(TORCH_VERSION_PREFIX):
        raise RuntimeError(f"torch {torch.__version__} found; these files need torch 2.13.0")
    torch.set_default_dtype(torch.float64)
    arrays: dict[str, np.ndarray] = {}
    table = []
    for index, (name, optimizer, kwargs) in enumerate(CASES):
        seed = BASE_SEED + index
        if optimizer == "LBFGS":
            case = lbfgs_case(kwargs, seed)
        else:
            case = gradient_case(name, optimizer, kwargs, seed)
        for part, value in case["arrays"].items():
            if isinstance(value, list):
                arrays.update({f"{name}/{part}/{i}": v for i, v in enumerate(value)})
            else:
                arrays[f"{name}/{part}"] = value
        table.append(
            {
                "name": name,
                "optimizer": optimizer,
                "kwargs": json.loads(json.dumps(kwargs)),
                "shapes": case["shapes"],
                "seed": seed,
            }
        )
    meta = {
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "steps": STEPS,
        "lbfgs_steps": LBFGS_STEPS,
        "cases": table,
    }
    return arrays, meta


if __name__ == "__main__":
    sys.exit(finish(STEM, *generate(), sys.argv[1:]))
