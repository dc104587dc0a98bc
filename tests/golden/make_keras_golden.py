"""Golden trajectories of Keras 3 optimizers (torch backend) for optimlab's "keras" convention.

Regenerate (needs keras 3 and torch; takes a few seconds):

    .venv/bin/python tests/golden/make_keras_golden.py

Each case applies 60 fixed float64 gradients to three float64 ``keras.Variable`` objects of
shapes (3,), (4, 5), (2, 3, 2) and records the variables after every step. Before writing, every
recorded trajectory is checked against an independent NumPy re-implementation of the update
rules written down in ``KERAS.md``, so a wrong recording (or a wrong formula note) fails loudly.

``load_keras_cases()`` reads the committed files back and imports neither keras nor torch.
"""

from __future__ import annotations

import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

GOLDEN_DIR = Path(__file__).resolve().parent
JSON_NAME = "keras_optimizers.json"
NPZ_NAME = "keras_optimizers.npz"

STEPS = 60
SHAPES: tuple[tuple[int, ...], ...] = ((3,), (4, 5), (2, 3, 2))
SEED = 20_250_601
SCALE_LOG10_RANGE = (-3.0, 1.0)  # per-step gradient scale, log-uniform in [1e-3, 1e1]
ZERO_FRACTION = 0.03  # share of gradient entries set to exactly 0.0
NO_EXTRAS = {"use_ema": False}  # spelled out: no EMA (no loss scaling or clipping either)

# (case name, keras optimizer class name, keyword arguments passed to that class)
CASES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("adam_default", "Adam", {"learning_rate": 0.01}),
    ("adam_amsgrad", "Adam", {"learning_rate": 0.01, "amsgrad": True}),
    ("adam_weight_decay", "Adam", {"learning_rate": 0.01, "weight_decay": 0.1}),
    (
        "adam_beta_eps",
        "Adam",
        {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
    ),
    ("rmsprop_default", "RMSprop", {"learning_rate": 0.01}),
    ("rmsprop_centered", "RMSprop", {"learning_rate": 0.01, "centered": True}),
    ("rmsprop_momentum", "RMSprop", {"learning_rate": 0.01, "momentum": 0.9}),
    (
        "rmsprop_centered_momentum",
        "RMSprop",
        {"learning_rate": 0.01, "centered": True, "momentum": 0.9},
    ),
    ("adagrad_default", "Adagrad", {"learning_rate": 0.1}),
    (
        "adagrad_acc_eps",
        "Adagrad",
        {"learning_rate": 0.1, "initial_accumulator_value": 0.5, "epsilon": 1e-3},
    ),
    ("sgd_plain", "SGD", {"learning_rate": 0.05}),
    ("sgd_momentum", "SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    ("sgd_nesterov", "SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    ("adadelta_lr1", "Adadelta", {"learning_rate": 1.0}),
    ("adadelta_rho_eps", "Adadelta", {"learning_rate": 1.0, "rho": 0.5, "epsilon": 1e-3}),
    ("nadam_default", "Nadam", {"learning_rate": 0.01}),
    ("nadam_beta1", "Nadam", {"learning_rate": 0.01, "beta_1": 0.5}),
    ("lion_default", "Lion", {"learning_rate": 0.01}),
    ("lion_weight_decay", "Lion", {"learning_rate": 0.01, "weight_decay": 0.1}),
)

# Keras 3 constructor defaults of the maths arguments, as written in KERAS.md (checked against
# the installed keras signatures before anything is recorded).
KERAS_DEFAULTS: dict[str, dict[str, Any]] = {
    "Adam": {
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
        "amsgrad": False,
        "weight_decay": None,
    },
    "RMSprop": {
        "learning_rate": 0.001,
        "rho": 0.9,
        "momentum": 0.0,
        "epsilon": 1e-7,
        "centered": False,
        "weight_decay": None,
    },
    "Adagrad": {
        "learning_rate": 0.001,
        "initial_accumulator_value": 0.1,
        "epsilon": 1e-7,
        "weight_decay": None,
    },
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False, "weight_decay": None},
    "Adadelta": {"learning_rate": 0.001, "rho": 0.95, "epsilon": 1e-7, "weight_decay": None},
    "Nadam": {
        "learning_rate": 0.001,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "epsilon": 1e-7,
        "weight_decay": None,
    },
    "Lion": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.99, "weight_decay": None},
}

# Keras-faithful reference must match to this (it uses Keras's float32-rounded constants).
FAITHFUL_RTOL = 1e-7
# Every case must move at least this far (max |w_60 - w_0| over all entries).
MIN_DISPLACEMENT = 0.01


# ----------------------------------------------------------------------------- loader


def load_keras_cases(directory: Path | str = GOLDEN_DIR) -> list[dict[str, Any]]:
    """Read the committed Keras golden trajectories (imports neither keras nor torch).

    Args:
        directory: Folder holding ``keras_optimizers.json`` and ``keras_optimizers.npz``.

    Returns:
        One dict per case with keys ``name``, ``optimizer`` (Keras class name), ``kwargs``
        (the exact Keras constructor arguments), ``init`` (list of float64 arrays),
        ``grads`` and ``traj`` (lists of arrays of shape ``(steps, *init[i].shape)``;
        ``traj[i][t]`` is variable ``i`` after update ``t + 1``), ``learning_rate_float32``
        (the rate Keras really used) and ``decay_factor_float32`` (the per-step weight-decay
        multiplier Keras really used, or None).

    Raises:
        FileNotFoundError: If either golden file is missing.
        ValueError: If the files disagree with each other.
    """
    folder = Path(directory)
    json_path, npz_path = folder / JSON_NAME, folder / NPZ_NAME
    for path in (json_path, npz_path):
        if not path.is_file():
            raise FileNotFoundError(
                f"Keras golden file {path} is missing; regenerate it with "
                "`.venv/bin/python tests/golden/make_keras_golden.py`."
            )
    meta = json.loads(json_path.read_text())
    steps = int(meta["steps"])
    cases = []
    with np.load(npz_path, allow_pickle=False) as data:
        for case in meta["cases"]:
            name = case["name"]
            count = sum(1 for key in data.files if key.startswith(f"{name}/init/"))
            if count == 0:
                raise ValueError(f"{npz_path} holds no arrays for case {name!r}.")
            arrays = {
                part: [data[f"{name}/{part}/{i}"] for i in range(count)]
                for part in ("init", "grads", "traj")
            }
            for i, init in enumerate(arrays["init"]):
                expected = (steps, *init.shape)
                for part in ("grads", "traj"):
                    if arrays[part][i].shape != expected:
                        raise ValueError(
                            f"{npz_path}: {name}/{part}/{i} has shape "
                            f"{arrays[part][i].shape}, expected {expected}; regenerate the files."
                        )
            cases.append({**case, **arrays})
    return cases


# ----------------------------------------------------------------------------- data


def draw_case_data(rng: np.random.Generator) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Initial values and the fixed gradient sequence of one case.

    Returns:
        ``(inits, grads)``: ``inits[i]`` has shape ``SHAPES[i]``; ``grads[i]`` has shape
        ``(STEPS, *SHAPES[i])``. Step ``t`` of every variable is scaled by the same factor
        ``10**u_t``, ``u_t ~ U(-3, 1)``; about ``ZERO_FRACTION`` of the entries are exactly 0.
    """
    inits = [rng.standard_normal(shape) for shape in SHAPES]
    scales = 10.0 ** rng.uniform(*SCALE_LOG10_RANGE, size=STEPS)
    grads = []
    for shape in SHAPES:
        grad = rng.standard_normal((STEPS, *shape)) * scales.reshape(-1, *([1] * len(shape)))
        grad[rng.random(grad.shape) < ZERO_FRACTION] = 0.0
        grads.append(grad)
    return inits, grads


# ----------------------------------------------------------------------------- keras side


def import_keras() -> Any:
    """Import keras on the torch backend (the environment variable must precede the import)."""
    os.environ["KERAS_BACKEND"] = "torch"
    import keras

    if keras.backend.backend() != "torch":
        raise RuntimeError(
            f"keras was already imported with backend {keras.backend.backend()!r}; "
            "run this script in a fresh interpreter."
        )
    return keras


def check_documented_defaults(keras: Any) -> None:
    """Fail if a default in KERAS_DEFAULTS (and KERAS.md) differs from the installed keras."""
    for optimizer, documented in KERAS_DEFAULTS.items():
        signature = inspect.signature(getattr(keras.optimizers, optimizer).__init__)
        for argument, value in documented.items():
            actual = signature.parameters[argument].default
            if actual != value:
                raise AssertionError(f"{optimizer}({argument}=) defaults to {actual}, not {value}")


def run_keras(
    keras: Any, optimizer: str, kwargs: dict[str, Any], inits: list[np.ndarray], grads: list
) -> tuple[list[np.ndarray], float, float | None]:
    """Apply the gradients with a fresh Keras optimizer; record every variable after each step.

    Returns:
        ``(traj, lr32, decay32)``: the trajectories, the learning rate Keras stored (float32,
        as a Python float) and the weight-decay multiplier ``1 - wd * lr`` as the torch backend
        computes it (float32), or None without weight decay.
    """
    opt = getattr(keras.optimizers, optimizer)(**kwargs, **NO_EXTRAS)
    variables = [keras.Variable(init, dtype="float64") for init in inits]
    traj = [np.empty_like(grad) for grad in grads]
    for t in range(STEPS):
        step_grads = [keras.ops.convert_to_tensor(grad[t], dtype="float64") for grad in grads]
        opt.apply_gradients(zip(step_grads, variables, strict=True))
        for i, variable in enumerate(variables):
            traj[i][t] = keras.ops.convert_to_numpy(variable)
    slots = [v for v in opt.variables if v.name not in ("iteration", "learning_rate")]
    for variable in [*variables, *slots]:
        if variable.dtype != "float64" or str(variable.value.dtype) != "torch.float64":
            raise AssertionError(f"{optimizer}: {variable.name} is {variable.dtype}, not float64")
    if opt.learning_rate.dtype != "float32" or int(opt.iterations.numpy()) != STEPS:
        raise AssertionError(f"{optimizer}: unexpected learning-rate dtype or step count")
    lr32 = float(keras.ops.convert_to_numpy(opt.learning_rate))
    decay32 = None
    if opt.weight_decay is not None:
        decay32 = float(keras.ops.convert_to_numpy(1 - opt.weight_decay * opt.learning_rate))
    return traj, lr32, decay32


# ----------------------------------------------------------------------------- NumPy reference
# One step for one variable, as written in KERAS.md; t is the 1-based update count and `state`
# holds that variable's slots (created on the first call).

Step = Callable[[np.ndarray, np.ndarray, dict, int, dict, float], np.ndarray]


def adam_step(w: np.ndarray, g: np.ndarray, s: dict, t: int, hp: dict, lr: float) -> np.ndarray:
    """alpha = lr sqrt(1-b2^t)/(1-b1^t); w -= alpha m / (sqrt(v or vmax) + eps)."""
    b1, b2 = hp["beta_1"], hp["beta_2"]
    s.setdefault("m", np.zeros_like(w))
    s.setdefault("v", np.zeros_like(w))
    s["m"] = b1 * s["m"] + (1 - b1) * g
    s["v"] = b2 * s["v"] + (1 - b2) * g * g
    v = s["v"]
    if hp["amsgrad"]:
        s["vmax"] = np.maximum(s.get("vmax", np.zeros_like(w)), v)
        v = s["vmax"]
    alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
    return w - alpha * s["m"] / (np.sqrt(v) + hp["epsilon"])


def rmsprop_step(w: np.ndarray, g: np.ndarray, s: dict, t: int, hp: dict, lr: float) -> np.ndarray:
    """v = rho v + (1-rho) g^2; d = sqrt(v [- gbar^2] + eps); mom = mu mom + lr g/d; w -= mom."""
    rho = hp["rho"]
    s["v"] = rho * s.get("v", np.zeros_like(w)) + (1 - rho) * g * g
    denominator = s["v"] + hp["epsilon"]
    if hp["centered"]:
        s["gbar"] = rho * s.get("gbar", np.zeros_like(w)) + (1 - rho) * g
        denominator = denominator - s["gbar"] ** 2
    increment = lr * g / np.sqrt(denominator)
    if hp["momentum"] > 0:
        s["mom"] = hp["momentum"] * s.get("mom", np.zeros_like(w)) + increment
        increment = s["mom"]
    return w - increment


def adagrad_step(w: np.ndarray, g: np.ndarray, s: dict, t: int, hp: dict, lr: float) -> np.ndarray:
    """acc = acc0 + sum g^2; w -= lr g / sqrt(acc + eps)."""
    s["acc"] = s.get("acc", np.full_like(w, hp["initial_accumulator_value"])) + g * g
    return w - lr * g / np.sqrt(s["acc"] + hp["epsilon"])


def sgd_step(w: np.ndarray, g: np.ndarray, s: dict, t: int, hp: dict, lr: float) -> np.ndarray:
    """vel = mu vel - lr g; w += vel (nesterov: w += mu vel - lr g); plain: w -= lr g."""
    mu = hp["momentum"]
    if mu == 0:
        return w - lr * g
    s["vel"] = mu * s.get("vel", np.zeros_like(w)) - lr * g
    return w + (mu * s["vel"] - lr * g if hp["nesterov"] else s["vel"])


def adadelta_step(w: np.ndarray, g: np.ndarray, s: dict, t: int, hp: dict, lr: float) -> np.ndarray:
    """Eg2 = rho Eg2 + (1-rho) g^2; d = sqrt(Edx2+eps)/sqrt(Eg2+eps) g; Edx2 += ...; w -= lr d."""
    rho, eps = hp["rho"], hp["epsilon"]
    s["eg2"] = rho * s.get("eg2", np.zeros_like(w)) + (1 - rho) * g * g
    delta = np.sqrt(s.get("edx2", np.zeros_like(w)) + eps) * g / np.sqrt(s["eg2"] + eps)
    s["edx2"] = rho * s.get("edx2", np.zeros_like(w)) + (1 - rho) * delta * delta
    return w - lr * delta


def nadam_step(w: np.ndarray, g: np.ndarray, s: dict, t: int, hp: dict, lr: float) -> np.ndarray:
    """u_t = b1 (1 - 0.5 * 0.96^t); Nesterov-corrected m over (sqrt(v/(1-b2^t)) + eps)."""
    b1, b2 = hp["beta_1"], hp["beta_2"]
    u_t = b1 * (1 - 0.5 * 0.96**t)
    u_next = b1 * (1 - 0.5 * 0.96 ** (t + 1))
    s["u_prod"] = s.get("u_prod", 1.0) * u_t
    s["m"] = b1 * s.get("m", np.zeros_like(w)) + (1 - b1) * g
    s["v"] = b2 * s.get("v", np.zeros_like(w)) + (1 - b2) * g * g
    m_hat = u_next * s["m"] / (1 - s["u_prod"] * u_next) + (1 - u_t) * g / (1 - s["u_prod"])
    v_hat = s["v"] / (1 - b2**t)
    return w - lr * m_hat / (np.sqrt(v_hat) + hp["epsilon"])


def lion_step(w: np.ndarray, g: np.ndarray, s: dict, t: int, hp: dict, lr: float) -> np.ndarray:
    """w -= lr sign(b1 m + (1-b1) g); then m = b2 m + (1-b2) g."""
    m = s.get("m", np.zeros_like(w))
    w = w - lr * np.sign(hp["beta_1"] * m + (1 - hp["beta_1"]) * g)
    s["m"] = hp["beta_2"] * m + (1 - hp["beta_2"]) * g
    return w


REFERENCE_STEPS: dict[str, Step] = {
    "Adam": adam_step,
    "RMSprop": rmsprop_step,
    "Adagrad": adagrad_step,
    "SGD": sgd_step,
    "Adadelta": adadelta_step,
    "Nadam": nadam_step,
    "Lion": lion_step,
}


def reference_trajectory(
    optimizer: str,
    kwargs: dict[str, Any],
    inits: list[np.ndarray],
    grads: list[np.ndarray],
    lr: float,
    decay: float | None,
) -> list[np.ndarray]:
    """Replay a case in float64 NumPy: optional decoupled decay ``w *= decay``, then the step."""
    hp = {**KERAS_DEFAULTS[optimizer], **kwargs}
    step = REFERENCE_STEPS[optimizer]
    traj = []
    for init, grad in zip(inits, grads, strict=True):
        w, state, path = init.copy(), {}, np.empty_like(grad)
        for t in range(1, STEPS + 1):
            if decay is not None:
                w = w * decay
            w = step(w, grad[t - 1], state, t, hp, lr)
            path[t - 1] = w
        traj.append(path)
    return traj


def max_relative_error(actual: list[np.ndarray], expected: list[np.ndarray]) -> float:
    """Largest |a - e| / max(|e|, 1e-3) over all entries (1e-3 guards entries near zero)."""
    return max(
        float(np.max(np.abs(a - e) / np.maximum(np.abs(e), 1e-3)))
        for a, e in zip(actual, expected, strict=True)
    )


def max_scaled_error(actual: list[np.ndarray], expected: list[np.ndarray]) -> float:
    """Largest |a - e| / max|e|, the scale taken per variable over its whole trajectory."""
    return max(
        float(np.max(np.abs(a - e)) / np.max(np.abs(e)))
        for a, e in zip(actual, expected, strict=True)
    )


# ----------------------------------------------------------------------------- main


def main() -> None:
    """Record every case, check it against the NumPy reference, write the golden files."""
    keras = import_keras()
    check_documented_defaults(keras)
    arrays: dict[str, np.ndarray] = {}
    meta_cases = []
    print(f"{'case':26s} {'faithful':>9s} {'f64 rel':>8s} {'f64 scaled':>10s} {'moved':>7s}")
    for index, (name, optimizer, kwargs) in enumerate(CASES):
        inits, grads = draw_case_data(np.random.default_rng([SEED, index]))
        traj, lr32, decay32 = run_keras(keras, optimizer, kwargs, inits, grads)

        faithful = max_relative_error(
            traj, reference_trajectory(optimizer, kwargs, inits, grads, lr32, decay32)
        )
        lr64 = {**KERAS_DEFAULTS[optimizer], **kwargs}["learning_rate"]
        wd64 = kwargs.get("weight_decay")
        decay64 = None if wd64 is None else 1 - wd64 * lr64
        exact_hp = reference_trajectory(optimizer, kwargs, inits, grads, lr64, decay64)
        f64_rel, f64_scaled = max_relative_error(traj, exact_hp), max_scaled_error(traj, exact_hp)
        moved = max(float(np.max(np.abs(p[-1] - w0))) for p, w0 in zip(traj, inits, strict=True))
        print(f"{name:26s} {faithful:9.1e} {f64_rel:8.1e} {f64_scaled:10.1e} {moved:7.3f}")
        if not faithful <= FAITHFUL_RTOL:
            raise AssertionError(f"{name}: Keras and the KERAS.md formula differ by {faithful:.2e}")
        if not moved >= MIN_DISPLACEMENT:
            raise AssertionError(f"{name}: variables barely moved ({moved:.2e})")

        for i in range(len(SHAPES)):
            arrays[f"{name}/init/{i}"] = inits[i]
            arrays[f"{name}/grads/{i}"] = grads[i]
            arrays[f"{name}/traj/{i}"] = traj[i]
        meta_cases.append(
            {
                "name": name,
                "optimizer": optimizer,
                "kwargs": {**kwargs, **NO_EXTRAS},
                "learning_rate_float32": lr32,
                "decay_factor_float32": decay32,
            }
        )

    meta = {
        "keras_version": keras.__version__,
        "backend": "torch",
        "steps": STEPS,
        "shapes": [list(shape) for shape in SHAPES],
        "seed": SEED,
        "cases": meta_cases,
    }
    (GOLDEN_DIR / JSON_NAME).write_text(json.dumps(meta, indent=2) + "\n")
    np.savez_compressed(GOLDEN_DIR / NPZ_NAME, **arrays)
    loaded = load_keras_cases()
    if [case["name"] for case in loaded] != [name for name, _, _ in CASES]:
        raise AssertionError("the written files do not read back")
    print(f"wrote {len(loaded)} cases to {GOLDEN_DIR / JSON_NAME} and {NPZ_NAME}")


if __name__ == "__main__":
    main()
