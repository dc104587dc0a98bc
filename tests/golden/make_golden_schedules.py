"""Write the PyTorch golden files for optimlab.schedules and optimlab.clip.

Run from the repository root with torch 2.13.0 installed:

    .venv/bin/python tests/golden/make_golden_schedules.py

Writes
- tests/golden/torch_schedules.json: for each torch.optim.lr_scheduler case, the learning rate
  PyTorch uses for updates 0..N-1 (``optimizer.param_groups[0]["lr"]`` read before each
  ``optimizer.step(); scheduler.step()``), with the scheduler's arguments.
- tests/golden/torch_clip.npz: gradients before and after ``torch.nn.utils.clip_grad_norm_``
  on three tensors, the returned total norm, max_norm and norm_type, per case.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch
from torch.optim import lr_scheduler

HERE = Path(__file__).resolve().parent
TORCH_VERSION = "2.13.0"


def dummy_optimizer(lr: float) -> torch.optim.Optimizer:
    return torch.optim.SGD([torch.zeros(1, dtype=torch.float64, requires_grad=True)], lr=lr)


def record(optimizer: torch.optim.Optimizer, scheduler, n_updates: int) -> list[float]:
    rates = []
    for _ in range(n_updates):
        rates.append(float(optimizer.param_groups[0]["lr"]))
        optimizer.step()
        scheduler.step()
    return rates


def schedule_cases() -> dict[str, dict]:
    cases: dict[str, dict] = {}

    def add(name, lr0, scheduler_name, kwargs, n_updates, make=None):
        optimizer = dummy_optimizer(lr0)
        if make is None:
            scheduler = getattr(lr_scheduler, scheduler_name)(optimizer, **kwargs)
        else:
            scheduler = make(optimizer)
        cases[name] = {
            "scheduler": scheduler_name,
            "lr0": lr0,
            "kwargs": kwargs,
            "lr": record(optimizer, scheduler, n_updates),
        }

    add("step", 0.1, "StepLR", {"step_size": 3, "gamma": 0.5}, 12)
    add("step_gamma_1", 0.05, "StepLR", {"step_size": 2, "gamma": 1.0}, 6)
    add("exponential", 0.1, "ExponentialLR", {"gamma": 0.9}, 20)
    add("exponential_lambda", 0.2, "ExponentialLR", {"gamma": math.exp(-0.3)}, 15)
    add("cosine", 0.1, "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.0}, 25)
    add("cosine_eta_min", 0.1, "CosineAnnealingLR", {"T_max": 10, "eta_min": 0.01}, 25)
    add("linear", 0.1, "LinearLR", {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4}, 10)
    for decay_rate in (1.0, 0.3):
        add(
            f"inverse_time_{decay_rate}",
            0.5,
            "LambdaLR",
            {"decay_rate": decay_rate},
            10,
            make=lambda opt, r=decay_rate: lr_scheduler.LambdaLR(
                opt, lambda k: 1.0 / (1.0 + r * k)
            ),
        )

    warmup = {"start_factor": 0.1, "end_factor": 1.0, "total_iters": 5}
    cosine = {"T_max": 15, "eta_min": 0.001}
    add(
        "sequential_linear_cosine",
        0.1,
        "SequentialLR",
        {"LinearLR": warmup, "CosineAnnealingLR": cosine, "milestones": [5]},
        25,
        make=lambda opt: lr_scheduler.SequentialLR(
            opt,
            [lr_scheduler.LinearLR(opt, **warmup), lr_scheduler.CosineAnnealingLR(opt, **cosine)],
            milestones=[5],
        ),
    )
    return cases


def clip_cases() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20240607)
    shapes = [(3,), (2, 4), (5,)]
    grads64 = [rng.normal(size=shape) for shape in shapes]
    out: dict[str, np.ndarray] = {}

    def add(name, grads, max_norm, norm_type):
        tensors = [torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype) for g in grads]
        for t, g in zip(tensors, grads, strict=True):
            t.grad = torch.from_numpy(g.copy())
        total = torch.nn.utils.clip_grad_norm_(tensors, max_norm, norm_type=norm_type)
        for i, (t, g) in enumerate(zip(tensors, grads, strict=True)):
            out[f"{name}__in_{i}"] = g
            out[f"{name}__out_{i}"] = t.grad.numpy().copy()
        out[f"{name}__total_norm"] = np.array(float(total))
        out[f"{name}__max_norm"] = np.array(max_norm)
        out[f"{name}__norm_type"] = np.array(norm_type)

    l2 = math.sqrt(sum(float(np.sum(g**2)) for g in grads64))
    linf = max(float(np.max(np.abs(g))) for g in grads64)
    add("l2_above", grads64, 0.5 * l2, 2.0)
    add("l2_just_below", grads64, l2 + 1e-7, 2.0)
    add("l2_far_below", grads64, 10.0 * l2, 2.0)
    add("inf_above", grads64, 0.5 * linf, math.inf)
    add("inf_just_below", grads64, linf + 1e-7, math.inf)
    add("l2_above_float32", [g.astype(np.float32) for g in grads64], 0.5 * l2, 2.0)
    return out


def main() -> None:
    if not torch.__version__.startswith(TORCH_VERSION):
        raise SystemExit(f"needs torch {TORCH_VERSION}, found {torch.__version__}")
    schedules = {"torch_version": torch.__version__, "cases": schedule_cases()}
    (HERE / "torch_schedules.json").write_text(json.dumps(schedules, indent=1) + "\n")
    clip = clip_cases()
    clip["torch_version"] = np.array(torch.__version__)
    np.savez(HERE / "torch_clip.npz", **clip)
    print(f"wrote {len(schedules['cases'])} schedule cases and the clipping cases to {HERE}")


if __name__ == "__main__":
    main()
