"""The lab: experiments, sweeps, diagnoses and reports built on optim, models and train.

Everything a command of ``optimlab`` prints or writes can be built from Python:

- ``compare``: `run_compare(specs)` gives a `CompareResult`; its ``write(folder)`` writes
  train_loss.png, val_loss.png, results.json and report.html.
- ``sweep``: `run_sweep(base, optimizers, ...)` (`optimlab.lab.sweep.sweep`) gives a
  `SweepResult`; ``write(folder)``: sensitivity.png, val_loss.png, results.json, report.html.
- ``lr-find``: `run_lr_find(spec, ...)` gives an `LRFindRun`; ``write(folder)``:
  lr_find.png, lr_find.json, report.html.
- ``landscape``: `run_landscape(function, optimizers, ...)` gives a `LandscapeResult`;
  ``write(folder)``: FUNCTION.png, FUNCTION.gif, landscape.json, report.html.
- ``demo``: `run_demo(folder, ...)` writes every figure and report.html itself.

The names are loaded on first use, so ``import optimlab.lab`` stays light (no matplotlib).
"""

from __future__ import annotations

import importlib
from typing import Any

#: Public name -> (module, attribute).
_EXPORTS = {
    "RunSpec": ("optimlab.lab.experiment", "RunSpec"),
    "RunResult": ("optimlab.lab.experiment", "RunResult"),
    "run": ("optimlab.lab.experiment", "run"),
    "run_compare": ("optimlab.lab.comparison", "run_compare"),
    "CompareResult": ("optimlab.lab.comparison", "CompareResult"),
    "run_sweep": ("optimlab.lab.sweep", "sweep"),
    "SweepResult": ("optimlab.lab.sweep", "SweepResult"),
    "RunStore": ("optimlab.lab.store", "RunStore"),
    "run_lr_find": ("optimlab.lab.lr_find_run", "run_lr_find"),
    "LRFindRun": ("optimlab.lab.lr_find_run", "LRFindRun"),
    "run_landscape": ("optimlab.lab.landscape_run", "run_landscape"),
    "LandscapeResult": ("optimlab.lab.landscape_run", "LandscapeResult"),
    "run_demo": ("optimlab.lab.demo", "run_demo"),
    "parse_optimizer": ("optimlab.lab.optimizer_spec", "parse_optimizer"),
    "Report": ("optimlab.lab.report", "Report"),
    "guide": ("optimlab.lab.guide", "guide"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'optimlab.lab' has no attribute {name!r}")
    module, attribute = _EXPORTS[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
