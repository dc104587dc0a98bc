"""Read the PyTorch optimizer golden files written by ``make_golden.py`` (no torch needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

GOLDEN_DIR = Path(__file__).resolve().parent
REGENERATE = ".venv/bin/python tests/golden/make_golden.py"


def load_torch_cases(golden_dir: Path | str = GOLDEN_DIR) -> list[dict[str, Any]]:
    """Load every recorded torch.optim case.

    Args:
        golden_dir: folder holding ``torch_optimizers.json`` and ``torch_optimizers.npz``.

    Returns:
        One dict per case, in file order, with keys ``name``, ``optimizer`` (torch.optim class
        name), ``kwargs`` (the exact constructor keywords; betas as a list), ``hyperparameters``
        (every group hyperparameter, torch defaults filled in), ``seed``, ``init`` (list of
        arrays, shape ``S_i``), ``grads`` and ``traj`` (lists of arrays, shape ``(steps, *S_i)``;
        ``traj[i][t]`` is parameter i after step t + 1, computed from ``grads[i][: t + 1]``).

    Raises:
        FileNotFoundError: a golden file is missing (regenerate with ``REGENERATE``).
        ValueError: the files disagree with each other (missing key or wrong shape).
    """
    golden_dir = Path(golden_dir)
    json_path = golden_dir / "torch_optimizers.json"
    npz_path = golden_dir / "torch_optimizers.npz"
    for path in (json_path, npz_path):
        if not path.is_file():
            raise FileNotFoundError(f"{path} is missing; regenerate it with `{REGENERATE}`")
    meta = json.loads(json_path.read_text())
    shapes = [tuple(shape) for shape in meta["shapes"]]
    step_axis = (meta["steps"],)
    cases = []
    with np.load(npz_path) as arrays:
        for entry in meta["cases"]:
            case = dict(entry)
            for part, leading in (("init", ()), ("grads", step_axis), ("traj", step_axis)):
                case[part] = [
                    _read_array(arrays, f"{entry['name']}/{part}/{i}", (*leading, *shape))
                    for i, shape in enumerate(shapes)
                ]
            cases.append(case)
    return cases


def _read_array(arrays: np.lib.npyio.NpzFile, key: str, shape: tuple[int, ...]) -> np.ndarray:
    """One array of the npz, checked to exist and to have ``shape``."""
    if key not in arrays.files:
        raise ValueError(f"golden npz lacks {key!r}; regenerate it with `{REGENERATE}`")
    array = arrays[key]
    if array.shape != shape:
        raise ValueError(
            f"golden array {key!r} has shape {array.shape}, expected {shape}; "
            f"regenerate it with `{REGENERATE}`"
        )
    return array
