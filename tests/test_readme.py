"""The README's Python examples run as written (the docs stay true)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_examples_run_and_do_what_they_say():
    blocks = python_blocks()
    assert len(blocks) >= 2
    optimizer_example, training_example = {}, {}
    exec(compile(blocks[0], "README optimizers", "exec"), optimizer_example)
    # 1000 Adam steps from (-1.2, 1), where Rosenbrock's function is 2.2^2 + 100 * 0.44^2
    # = 24.2, go down its valley towards the minimum (1, 1)
    w = optimizer_example["w"]
    rosenbrock = (1 - w[0]) ** 2 + 100 * (w[1] - w[0] ** 2) ** 2
    assert rosenbrock < 24.2 / 10 and w[0] > -1.2
    exec(compile(blocks[1], "README training", "exec"), training_example)
    final = training_example["history"].final()
    assert final["val_metric"] >= 0.9 and np.isfinite(final["val_loss"])
