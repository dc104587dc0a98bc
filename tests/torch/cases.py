"""Settings the optimlab.torch tests run, and helpers to run both sides on the same data.

`CASES` covers every optimizer of `optimlab.optim.OPTIMIZERS` and every option, with
non-default hyperparameters; an optimizer added to optimlab.optim without a line here still
runs with its defaults (`default_cases`), so a new optimizer is tested at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from optimlab import optim  # noqa: E402

STEPS = 60
SHAPES = ((3,), (4, 5), (2, 3, 2))

# (label, optimizer name, keyword arguments): non-default hyperparameters and every option
EXPLICIT: list[tuple[str, str, dict[str, Any]]] = [
    ("SGD-wd", "SGD", {"lr": 0.05, "weight_decay": 0.02}),
    (
        "SGD-momentum-dampening",
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.02},
    ),
    ("SGD-nesterov", "SGD", {"lr": 0.05, "momentum": 0.7, "nesterov": True, "weight_decay": 0.01}),
    ("SGD-maximize", "SGD", {"lr": 0.03, "momentum": 0.5, "maximize": True}),
    (
        "SGD-keras",
        "SGD",
        {"lr": 0.02, "momentum": 0.6, "weight_decay": 0.05, "convention": "keras"},
    ),
    (
        "SGD-keras-nesterov",
        "SGD",
        {"lr": 0.02, "momentum": 0.6, "nesterov": True, "convention": "keras"},
    ),
    ("Momentum-ema", "Momentum", {"lr": 0.03, "beta": 0.8}),
    ("Momentum-classic", "Momentum", {"lr": 0.02, "beta": 0.7, "form": "classic"}),
    (
        "Adagrad",
        "Adagrad",
        {
            "lr": 0.2,
            "lr_decay": 0.05,
            "weight_decay": 0.01,
            "initial_accumulator_value": 0.3,
            "eps": 1e-6,
        },
    ),
    ("Adagrad-eps-inside", "Adagrad", {"lr": 0.1, "eps": 1e-4, "eps_inside": True}),
    ("Adagrad-maximize", "Adagrad", {"lr": 0.1, "maximize": True}),
    (
        "Adagrad-keras",
        "Adagrad",
        {"lr": 0.05, "eps": 1e-6, "weight_decay": 0.01, "convention": "keras"},
    ),
    ("RMSprop", "RMSprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6, "weight_decay": 0.01}),
    ("RMSprop-centered", "RMSprop", {"lr": 0.01, "alpha": 0.95, "centered": True}),
    ("RMSprop-momentum", "RMSprop", {"lr": 0.005, "momentum": 0.8}),
    (
        "RMSprop-centered-momentum",
        "RMSprop",
        {"lr": 0.005, "centered": True, "momentum": 0.7, "weight_decay": 0.01},
    ),
    (
        "RMSprop-eps-inside-maximize",
        "RMSprop",
        {"lr": 0.01, "eps": 1e-5, "eps_inside": True, "maximize": True},
    ),
    (
        "RMSprop-keras-centered-momentum",
        "RMSprop",
        {
            "lr": 0.01,
            "momentum": 0.5,
            "centered": True,
            "weight_decay": 0.02,
            "convention": "keras",
        },
    ),
    ("Adadelta", "Adadelta", {"lr": 0.5, "rho": 0.8, "eps": 1e-5, "weight_decay": 0.01}),
    ("Adadelta-maximize", "Adadelta", {"lr": 0.7, "maximize": True}),
    ("Adadelta-keras", "Adadelta", {"lr": 0.5, "weight_decay": 0.01, "convention": "keras"}),
    ("Adam", "Adam", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
    ("Adam-amsgrad", "Adam", {"lr": 0.01, "betas": (0.85, 0.995), "amsgrad": True}),
    ("Adam-no-bias-correction", "Adam", {"lr": 0.01, "bias_correction": False}),
    (
        "Adam-decoupled-maximize",
        "Adam",
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    ),
    (
        "Adam-keras-amsgrad",
        "Adam",
        {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01, "convention": "keras"},
    ),
    ("AdamW", "AdamW", {"lr": 0.01, "betas": (0.8, 0.99), "weight_decay": 0.05}),
    ("AdamW-amsgrad", "AdamW", {"lr": 0.01, "amsgrad": True, "eps": 1e-6}),
    ("AdamW-keras", "AdamW", {"lr": 0.01, "convention": "keras"}),
    (
        "NAdam",
        "NAdam",
        {
            "lr": 0.01,
            "betas": (0.85, 0.995),
            "eps": 1e-6,
            "weight_decay": 0.01,
            "momentum_decay": 5e-3,
        },
    ),
    (
        "NAdam-decoupled-maximize",
        "NAdam",
        {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True, "maximize": True},
    ),
    ("NAdam-keras", "NAdam", {"lr": 0.01, "weight_decay": 0.01, "convention": "keras"}),
    ("RAdam", "RAdam", {"lr": 0.01, "betas": (0.85, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
    (
        "RAdam-decoupled-maximize",
        "RAdam",
        {"lr": 0.01, "weight_decay": 0.05, "decoupled_weight_decay": True, "maximize": True},
    ),
    ("Lion", "Lion", {"lr": 1e-3, "betas": (0.8, 0.95), "weight_decay": 0.1}),
    ("Lion-maximize", "Lion", {"lr": 2e-3, "maximize": True}),
    ("Lion-keras", "Lion", {"lr": 1e-3, "weight_decay": 0.05, "convention": "keras"}),
    ("Adamax", "Adamax", {"lr": 0.01, "betas": (0.8, 0.99), "eps": 1e-6, "weight_decay": 0.01}),
    ("Adamax-maximize", "Adamax", {"lr": 0.01, "maximize": True}),
    (
        "ASGD",
        "ASGD",
        {"lr": 0.02, "lambd": 0.01, "alpha": 0.5, "t0": 10.0, "weight_decay": 0.01},
    ),
    ("ASGD-maximize", "ASGD", {"lr": 0.02, "t0": 5.0, "maximize": True}),
    ("Rprop", "Rprop", {"lr": 0.02, "etas": (0.3, 1.5), "step_sizes": (1e-4, 0.5)}),
    ("Rprop-maximize", "Rprop", {"lr": 0.01, "maximize": True}),
    (
        "AdaBelief",
        "AdaBelief",
        {"lr": 0.01, "b1": 0.8, "b2": 0.99, "eps": 1e-10, "eps_root": 1e-12},
    ),
    ("AdaBelief-nesterov", "AdaBelief", {"lr": 0.01, "nesterov": True}),
    (
        "Yogi",
        "Yogi",
        {"lr": 0.02, "b1": 0.8, "b2": 0.99, "eps": 1e-4, "initial_accumulator_value": 1e-3},
    ),
    (
        "ScheduleFreeSGD",
        "ScheduleFreeSGD",
        {
            "lr": 0.05,
            "momentum": 0.8,
            "weight_decay": 0.01,
            "warmup_steps": 5,
            "r": 0.5,
            "weight_lr_power": 1.0,
        },
    ),
    (
        "ScheduleFreeAdamW",
        "ScheduleFreeAdamW",
        {
            "lr": 0.01,
            "betas": (0.85, 0.995),
            "eps": 1e-6,
            "weight_decay": 0.01,
            "warmup_steps": 4,
            "r": 1.0,
            "weight_lr_power": 2.5,
        },
    ),
    (
        "LAMB",
        "LAMB",
        {"lr": 0.01, "b1": 0.8, "b2": 0.99, "eps": 1e-5, "eps_root": 1e-8, "weight_decay": 0.01},
    ),
    (
        "LARS",
        "LARS",
        {"lr": 0.5, "weight_decay": 0.01, "trust_coefficient": 0.01, "eps": 1e-6, "momentum": 0.8},
    ),
    ("LARS-nesterov", "LARS", {"lr": 0.5, "nesterov": True}),
    (
        "NovoGrad",
        "NovoGrad",
        {"lr": 0.01, "b1": 0.8, "b2": 0.5, "eps": 1e-5, "eps_root": 1e-8, "weight_decay": 0.01},
    ),
    (
        "Adafactor",
        "Adafactor",
        {"lr": 0.02, "beta2_decay": -0.6, "eps": (1e-20, 1e-2), "d": 1.5, "weight_decay": 0.01},
    ),
    ("Adafactor-maximize", "Adafactor", {"lr": 0.02, "maximize": True}),
    (
        "Muon",
        "Muon",
        {
            "lr": 0.02,
            "weight_decay": 0.05,
            "momentum": 0.9,
            "nesterov": False,
            "ns_coefficients": (3.0, -3.2, 1.2),
            "eps": 1e-6,
            "ns_steps": 3,
            "adjust_lr_fn": "match_rms_adamw",
            "adamw_lr": 0.01,
            "adamw_betas": (0.8, 0.99),
            "adamw_eps": 1e-6,
            "adamw_weight_decay": 0.05,
        },
    ),
    ("Muon-full", "Muon", {"lr": 0.02, "ns_precision": "full"}),
    (
        "SOAP",
        "SOAP",
        {
            "lr": 0.01,
            "betas": (0.9, 0.99),
            "shampoo_beta": 0.9,
            "eps": 1e-6,
            "weight_decay": 0.02,
            "precondition_frequency": 3,
        },
    ),
    (
        "SOAP-1d-short-axes",
        "SOAP",
        {
            "lr": 0.01,
            "precondition_1d": True,
            "max_precondition_dim": 4,
            "correct_bias": False,
        },
    ),
]

# optimizers that need a closure have tests of their own
CLOSURE = {name for name, cls in optim.OPTIMIZERS.items() if cls.needs_closure}


def default_cases() -> list[tuple[str, str, dict[str, Any]]]:
    """One case with default settings for every gradient-only optimizer without a line above."""
    named = {name for _, name, _ in EXPLICIT}
    return [
        (f"{name}-defaults", name, {})
        for name in optim.OPTIMIZERS
        if name not in named and name not in CLOSURE
    ]


CASES = EXPLICIT + default_cases()
IDS = [label for label, _, _ in CASES]

# the cases with a torch.optim counterpart of the same arguments (PyTorch convention,
# options torch has); Muon (2-D tensors only in torch) and L-BFGS (a closure) have tests
# of their own
TORCH_ONLY_OPTIONS = {"eps_inside", "bias_correction", "form", "convention"}
TORCH_CASES = [
    case
    for case in EXPLICIT
    if hasattr(torch.optim, case[1])
    and case[1] not in CLOSURE | {"Muon"}
    and not TORCH_ONLY_OPTIONS & set(case[2])
]

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device"),
    ),
]


def gradients(seed: int, steps: int = STEPS) -> list[list[np.ndarray]]:
    """Random gradients for `SHAPES`: normal, each step scaled by 10**U(-3, 1), with some
    entries exactly zero."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(steps):
        scale = 10 ** rng.uniform(-3, 1)
        step = []
        for shape in SHAPES:
            g = rng.normal(size=shape) * scale
            g[rng.random(shape) < 0.08] = 0.0
            step.append(g)
        out.append(step)
    return out


def initial(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=shape) for shape in SHAPES]


def relative_error(ours: list[np.ndarray], reference: list[np.ndarray]) -> float:
    """The largest difference, relative to each tensor's largest magnitude."""
    return max(
        float(np.abs(a - b).max() / max(np.abs(b).max(), np.finfo(float).tiny))
        for a, b in zip(ours, reference)
    )


def second_group(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    """The second parameter group's own settings: half the first group's learning rate."""
    fields = optim.OPTIMIZERS[name].fields()
    if "lr" not in fields:
        return {}
    lr = kwargs.get("lr", fields["lr"].default_for(kwargs.get("convention", "pytorch")))
    return {"lr": lr / 2}


def run_optimlab(name: str, kwargs: dict[str, Any], init, grads) -> list[list[np.ndarray]]:
    """The trajectory of `optimlab.optim`: one optimizer for the first tensor, another (the
    second group's settings) for the others."""
    cls = optim.OPTIMIZERS[name]
    first, rest = [init[0].copy()], [a.copy() for a in init[1:]]
    a = cls(first, **kwargs)
    b = cls(rest, **{**kwargs, **second_group(name, kwargs)})
    out = []
    for g in grads:
        a.step(g[:1])
        b.step(g[1:])
        out.append([x.copy() for x in first + rest])
    return out


def parameters(init, device: str = "cpu", dtype=None) -> list:
    dtype = torch.float64 if dtype is None else dtype
    return [torch.nn.Parameter(torch.tensor(a, device=device, dtype=dtype)) for a in init]


def run_torch(opt, params, grads) -> list[list[np.ndarray]]:
    """Step ``opt`` with the given gradients; the parameters after every step."""
    out = []
    for g in grads:
        for p, gi in zip(params, g):
            p.grad = torch.tensor(gi, device=p.device, dtype=p.dtype)
        opt.step()
        out.append([p.detach().cpu().numpy().astype(np.float64) for p in params])
    return out


def groups(name: str, kwargs: dict[str, Any], params) -> list[dict[str, Any]]:
    """The two parameter groups the tests use (first tensor; the others at half the rate)."""
    return [{"params": params[:1]}, {"params": params[1:], **second_group(name, kwargs)}]


def worst(trajectory, reference) -> float:
    """The largest `relative_error` over all steps."""
    return max(relative_error(a, b) for a, b in zip(trajectory, reference))
