"""What the golden-file generators of the newer optimizers share (NumPy only, no reference
library): a case's data, writing or checking the files, and reading them back.

A file pair ``STEM.json`` (the case table) and ``STEM.npz`` (the arrays) holds cases keyed
``CASE/PART/i`` (tensor i of PART: ``init``, ``grads``, ``traj``, or another recorded
sequence such as Schedule-Free's evaluation point ``x``) and ``CASE/PART`` (one array, such
as the losses L-BFGS returned). ``traj[i][t]`` is tensor i after step t + 1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

GOLDEN_DIR = Path(__file__).resolve().parent
STEPS = 60
SHAPES: tuple[tuple[int, ...], ...] = ((3,), (4, 5), (2, 3, 2))
LOG10_SCALE_RANGE = (-3.0, 1.0)  # each step's gradients are scaled by 10**U(-3, 1)
ZERO_PROBABILITY = 0.08  # chance that a gradient entry is exactly 0 at a step
SILENT_ENTRY_STEPS = 5  # grads[1][:5, 0, 0] = 0: state that starts at exactly zero


def draw_case_data(
    seed: int, shapes: tuple[tuple[int, ...], ...] = SHAPES, steps: int = STEPS
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Initial parameters (standard normal) and every step's gradients, drawn in advance.

    The gradient of step t is ``s_t * z``, z standard normal, ``log10 s_t`` uniform on
    `LOG10_SCALE_RANGE` (one s_t for all tensors); each entry is zero with probability
    `ZERO_PROBABILITY`, and entry [0, 0] of the second tensor is zero for the first
    `SILENT_ENTRY_STEPS` steps (as tests/golden/make_golden.py draws them).
    """
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(shape) for shape in shapes]
    scales = 10.0 ** rng.uniform(*LOG10_SCALE_RANGE, size=steps)
    grads = []
    for shape in shapes:
        g = rng.standard_normal((steps, *shape)) * scales.reshape(steps, *([1] * len(shape)))
        g[rng.random(g.shape) < ZERO_PROBABILITY] = 0.0
        grads.append(g)
    if len(shapes) > 1 and len(shapes[1]) == 2:
        grads[1][:SILENT_ENTRY_STEPS, 0, 0] = 0.0
    return init, grads


def finish(stem: str, arrays: dict[str, np.ndarray], meta: dict[str, Any], argv: list[str]) -> int:
    """Write ``STEM.npz`` and ``STEM.json``, or with ``--check`` in ``argv`` compare a fresh
    recording with the committed files (exit status 1 when they differ)."""
    npz_path, json_path = GOLDEN_DIR / f"{stem}.npz", GOLDEN_DIR / f"{stem}.json"
    for key, value in arrays.items():
        assert np.all(np.isfinite(value)), f"{key}: non-finite values recorded"
    if "--check" in argv:
        problems = []
        if json.loads(json_path.read_text())["cases"] != json.loads(json.dumps(meta))["cases"]:
            problems.append("case table differs")
        with np.load(npz_path) as committed:
            if set(committed.files) != set(arrays):
                problems.append("npz keys differ")
            problems += [
                f"{key} differs"
                for key in sorted(set(committed.files) & set(arrays))
                if not np.array_equal(committed[key], arrays[key])
            ]
        print("\n".join(problems) or f"{stem}: the golden files match a fresh run")
        return 1 if problems else 0
    np.savez_compressed(npz_path, **arrays)
    json_path.write_text(json.dumps(meta, indent=1) + "\n")
    print(f"wrote {len(meta['cases'])} cases to {npz_path.name} and {json_path.name}")
    return 0


def load_cases(stem: str) -> list[dict[str, Any]]:
    """The cases of ``STEM.json`` / ``STEM.npz``, in file order: each JSON entry, plus its
    arrays (``case[PART]`` a list of tensors for keys ``CASE/PART/i``, an array for
    ``CASE/PART``)."""
    json_path, npz_path = GOLDEN_DIR / f"{stem}.json", GOLDEN_DIR / f"{stem}.npz"
    for path in (json_path, npz_path):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; see tests/golden/README.md to rerun")
    meta = json.loads(json_path.read_text())
    cases = []
    with np.load(npz_path) as arrays:
        for entry in meta["cases"]:
            case = dict(entry)
            prefix = f"{entry['name']}/"
            parts: dict[str, dict[int, np.ndarray]] = {}
            for key in arrays.files:
                if not key.startswith(prefix):
                    continue
                part, _, index = key[len(prefix) :].partition("/")
                if index:
                    parts.setdefault(part, {})[int(index)] = arrays[key]
                else:
                    case[part] = arrays[key]
            for part, tensors in parts.items():
                case[part] = [tensors[i] for i in range(len(tensors))]
            cases.append(case)
    return cases
