"""Record PyTorch optimizer trajectories as golden data for optimlab's optimizer tests.

Every case runs one ``torch.optim`` optimizer (single-tensor path, float64) on three parameter
tensors for ``STEPS`` steps of gradients fixed in advance, and records the parameters after
every step. Run from the repository root:

    .venv/bin/python tests/golden/make_golden.py           # rewrite the golden files
    .venv/bin/python tests/golden/make_golden.py --check   # compare a fresh run with them

Writes ``torch_optimizers.npz`` (arrays) and ``torch_optimizers.json`` (case table) next to
this script; ``load.py`` reads them back without torch. Before writing, two cases are
recomputed in plain NumPy from the textbook rules, so a faulty recording fails loudly.
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch

TORCH_VERSION_PREFIX = "2.13"
STEPS = 60
SHAPES: tuple[tuple[int, ...], ...] = ((3,), (4, 5), (2, 3, 2))
LOG10_SCALE_RANGE = (-3.0, 1.0)  # each step's gradients are scaled by 10**U(-3, 1)
ZERO_PROBABILITY = 0.08  # chance that a gradient entry is exactly 0 at a step
SILENT_ENTRY_STEPS = 5  # grads[1][:5, 0, 0] = 0: state that starts at exactly zero
BASE_SEED = 20_130
IMPLEMENTATION_KWARGS = {"foreach": False, "differentiable": False, "fused": False}

GOLDEN_DIR = Path(__file__).resolve().parent
NPZ_PATH = GOLDEN_DIR / "torch_optimizers.npz"
JSON_PATH = GOLDEN_DIR / "torch_optimizers.json"

# (case name, torch.optim class name, constructor keyword arguments). "-default" keeps every
# torch default except a learning rate below 0.01, which is raised to 0.01 so the
# trajectories move visibly.
CASES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("SGD-plain", "SGD", {"lr": 0.1}),
    ("SGD-momentum", "SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD-momentum-dampening", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    ("SGD-nesterov", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD-momentum-wd", "SGD", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.1}),
    ("SGD-momentum-maximize", "SGD", {"lr": 0.1, "momentum": 0.9, "maximize": True}),
    ("SGD-momentum-high-lr", "SGD", {"lr": 5.0, "momentum": 0.9}),
    ("Adagrad-default", "Adagrad", {}),
    ("Adagrad-lr_decay", "Adagrad", {"lr_decay": 0.01}),
    ("Adagrad-initial_accumulator", "Adagrad", {"initial_accumulator_value": 0.1}),
    ("Adagrad-wd", "Adagrad", {"weight_decay": 0.1}),
    ("Adagrad-eps", "Adagrad", {"eps": 1e-3}),
    ("Adagrad-maximize", "Adagrad", {"maximize": True}),
    ("RMSprop-default", "RMSprop", {}),
    ("RMSprop-centered", "RMSprop", {"centered": True}),
    ("RMSprop-momentum", "RMSprop", {"momentum": 0.9}),
    ("RMSprop-centered-momentum", "RMSprop", {"centered": True, "momentum": 0.9}),
    ("RMSprop-wd", "RMSprop", {"weight_decay": 0.1}),
    ("RMSprop-alpha-eps", "RMSprop", {"alpha": 0.9, "eps": 1e-3}),
    ("RMSprop-maximize", "RMSprop", {"maximize": True}),
    ("RMSprop-high-lr", "RMSprop", {"lr": 1.0}),
    ("Adadelta-default", "Adadelta", {}),
    ("Adadelta-rho-eps", "Adadelta", {"rho": 0.5, "eps": 1e-3}),
    ("Adadelta-lr-wd", "Adadelta", {"lr": 0.5, "weight_decay": 0.1}),
    ("Adadelta-maximize", "Adadelta", {"maximize": True}),
    ("Adam-default", "Adam", {"lr": 0.01}),
    ("Adam-amsgrad", "Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam-wd", "Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam-betas-eps", "Adam", {"lr": 0.01, "betas": (0.5, 0.9), "eps": 1e-3}),
    ("Adam-maximize", "Adam", {"lr": 0.01, "maximize": True}),
    ("Adam-high-lr", "Adam", {"lr": 1.0}),
    ("Adam-amsgrad-wd", "Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW-default", "AdamW", {"lr": 0.01}),
    ("AdamW-wd", "AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW-amsgrad", "AdamW", {"lr": 0.01, "amsgrad": True}),
    ("AdamW-lr-wd", "AdamW", {"lr": 0.1, "weight_decay": 0.5}),
    ("NAdam-default", "NAdam", {"lr": 0.01}),
    ("NAdam-momentum_decay", "NAdam", {"lr": 0.01, "momentum_decay": 0.01}),
    ("NAdam-wd", "NAdam", {"lr": 0.01, "weight_decay": 0.1}),
    (
        "NAdam-decoupled-wd",
        "NAdam",
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    ("RAdam-default", "RAdam", {"lr": 0.01}),
    ("RAdam-wd", "RAdam", {"lr": 0.01, "weight_decay": 0.1}),
    (
        "RAdam-decoupled-wd",
        "RAdam",
        {"lr": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    ("RAdam-betas", "RAdam", {"lr": 0.01, "betas": (0.9, 0.99)}),
)


def draw_case_data(seed: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Draw initial parameters and all ``STEPS`` gradients of one case from one generator.

    The gradient of step t is ``s_t * z`` with ``z`` standard normal and ``log10 s_t`` uniform
    on ``LOG10_SCALE_RANGE`` (one ``s_t`` shared by the three tensors); each entry is then
    zeroed with probability ``ZERO_PROBABILITY``, and entry ``[0, 0]`` of the second tensor is
    zero for the first ``SILENT_ENTRY_STEPS`` steps.

    Returns:
        ``(init, grads)``: ``init[i]`` has shape ``SHAPES[i]``, ``grads[i]`` has shape
        ``(STEPS, *SHAPES[i])``.
    """
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(shape) for shape in SHAPES]
    scales = 10.0 ** rng.uniform(*LOG10_SCALE_RANGE, size=STEPS)
    grads = []
    for shape in SHAPES:
        g = rng.standard_normal((STEPS, *shape)) * scales.reshape(STEPS, *([1] * len(shape)))
        g[rng.random(g.shape) < ZERO_PROBABILITY] = 0.0
        grads.append(g)
    grads[1][:SILENT_ENTRY_STEPS, 0, 0] = 0.0
    return init, grads


def build_optimizer(
    optimizer: str, params: list[torch.Tensor], kwargs: dict[str, Any]
) -> torch.optim.Optimizer:
    """Construct ``torch.optim.<optimizer>`` on the single-tensor (for-loop) implementation."""
    cls = getattr(torch.optim, optimizer)
    accepted = inspect.signature(cls.__init__).parameters
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(f"torch.optim.{optimizer} does not accept {unknown}; fix CASES")
    implementation = {k: v for k, v in IMPLEMENTATION_KWARGS.items() if k in accepted}
    opt = cls(params, **kwargs, **implementation)
    group = opt.param_groups[0]
    assert not group.get("foreach") and not group.get("fused"), f"{optimizer}: not for-loop"
    return opt


def resolved_hyperparameters(opt: torch.optim.Optimizer) -> dict[str, Any]:
    """Every hyperparameter of the optimizer's group, torch defaults included (JSON-ready)."""
    skip = {"params", "foreach", "fused", "differentiable", "capturable"}
    return {
        key: list(value) if isinstance(value, tuple) else value
        for key, value in opt.param_groups[0].items()
        if key not in skip
    }


def run_torch(
    optimizer: str, kwargs: dict[str, Any], init: list[np.ndarray], grads: list[np.ndarray]
) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Step the torch optimizer through the fixed gradients.

    Returns:
        ``(traj, hyperparameters)``: ``traj[i][t]`` is tensor i after step t + 1.
    """
    params = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in init]
    opt = build_optimizer(optimizer, params, kwargs)
    traj = [np.empty_like(g) for g in grads]
    for t in range(STEPS):
        for p, g in zip(params, grads, strict=True):
            p.grad = torch.from_numpy(g[t].copy())
        opt.step()
        for record, p in zip(traj, params, strict=True):
            record[t] = p.detach().numpy()
    return traj, resolved_hyperparameters(opt)


def numpy_sgd(lr: float, init: np.ndarray, grads: np.ndarray) -> np.ndarray:
    """Textbook gradient descent, ``w_t = w_{t-1} - lr g_t``; returns ``w_1 .. w_T``."""
    w = init.copy()
    out = np.empty_like(grads)
    for t, g in enumerate(grads):
        w = w - lr * g
        out[t] = w
    return out


def numpy_adam(lr: float, init: np.ndarray, grads: np.ndarray) -> np.ndarray:
    """Adam (Kingma & Ba, Alg. 1; beta1 0.9, beta2 0.999, eps 1e-8); returns ``w_1 .. w_T``.

    ``m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; w -= lr (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps)``
    """
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    w = init.copy()
    m = np.zeros_like(init)
    v = np.zeros_like(init)
    out = np.empty_like(grads)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
        out[t - 1] = w
    return out


HAND_CHECKS = {"SGD-plain": numpy_sgd, "Adam-default": numpy_adam}


def hand_check(case: dict[str, Any], arrays: dict[str, np.ndarray]) -> None:
    """Assert that a recorded torch trajectory equals the NumPy textbook recomputation.

    Also asserts that the recording is not one step early or late (the shifted comparison
    must fail), so the data cannot pass this check trivially.
    """
    name = case["name"]
    reference = HAND_CHECKS[name]
    for i in range(len(SHAPES)):
        init, grads = arrays[f"{name}/init/{i}"], arrays[f"{name}/grads/{i}"]
        traj = arrays[f"{name}/traj/{i}"]
        expected = reference(case["kwargs"]["lr"], init, grads)
        np.testing.assert_allclose(traj, expected, rtol=1e-12, atol=1e-14, err_msg=name)
        assert not np.allclose(traj[1:], expected[:-1]), f"{name}: off-by-one passes"
        assert not np.allclose(traj[0], init), f"{name}: first step did not move"


def generate() -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """Run every case; returns the npz arrays and the JSON table."""
    if not torch.__version__.startswith(TORCH_VERSION_PREFIX):
        raise RuntimeError(
            f"torch {torch.__version__} found; install torch=={TORCH_VERSION_PREFIX}.0 to "
            "regenerate the golden files"
        )
    torch.set_default_dtype(torch.float64)
    arrays: dict[str, np.ndarray] = {}
    table: list[dict[str, Any]] = []
    names = [name for name, _, _ in CASES]
    assert len(set(names)) == len(names), "case names must be unique"
    for index, (name, optimizer, kwargs) in enumerate(CASES):
        seed = BASE_SEED + index
        init, grads = draw_case_data(seed)
        traj, hyperparameters = run_torch(optimizer, kwargs, init, grads)
        for i in range(len(SHAPES)):
            arrays[f"{name}/init/{i}"] = init[i]
            arrays[f"{name}/grads/{i}"] = grads[i]
            arrays[f"{name}/traj/{i}"] = traj[i]
            assert np.all(np.isfinite(traj[i])), f"{name}: non-finite trajectory"
        table.append(
            {
                "name": name,
                "optimizer": optimizer,
                "kwargs": json.loads(json.dumps(kwargs)),
                "hyperparameters": hyperparameters,
                "seed": seed,
            }
        )
    for case in table:
        if case["name"] in HAND_CHECKS:
            hand_check(case, arrays)
    meta = {
        "torch_version": torch.__version__,
        "numpy_version": np.__version__,
        "steps": STEPS,
        "shapes": [list(shape) for shape in SHAPES],
        "implementation_kwargs": IMPLEMENTATION_KWARGS,
        "cases": table,
    }
    return arrays, meta


def check_committed(arrays: dict[str, np.ndarray], meta: dict[str, Any]) -> list[str]:
    """Differences between a fresh run and the committed files (empty when they agree)."""
    problems = []
    committed_meta = json.loads(JSON_PATH.read_text())
    if committed_meta["cases"] != meta["cases"]:
        problems.append("case table differs")
    with np.load(NPZ_PATH) as committed:
        if set(committed.files) != set(arrays):
            problems.append("npz keys differ")
        problems += [
            f"{key} differs"
            for key in sorted(set(committed.files) & set(arrays))
            if not np.array_equal(committed[key], arrays[key])
        ]
    return problems


def main(argv: list[str] | None = None) -> int:
    """Write the golden files, or with ``--check`` compare a fresh run with them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare a fresh run with the committed files"
    )
    args = parser.parse_args(argv)
    arrays, meta = generate()
    if args.check:
        problems = check_committed(arrays, meta)
        print("\n".join(problems) or f"golden files match a fresh run ({len(CASES)} cases)")
        return 1 if problems else 0
    np.savez_compressed(NPZ_PATH, **arrays)
    JSON_PATH.write_text(json.dumps(meta, indent=1) + "\n")
    size = NPZ_PATH.stat().st_size
    print(f"wrote {len(CASES)} cases to {NPZ_PATH.name} ({size} bytes) and {JSON_PATH.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
