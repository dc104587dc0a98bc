"""Mini-batch against full-batch gradient descent on held-out data.

Each task is a `RunSpec` (an MLP on built-in data); both sides are plain SGD tuned by the
fair protocol (`Context.sweep`: the rate grid on the first seed, the best rate on every
seed) and get the same number of updates: mini-batches of 32 for ``epochs`` epochs, full
batches for ``epochs`` times the mini-batches per epoch. Compared: the final validation
loss and accuracy, and the generalisation gap (validation minus training loss).
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from optimlab.lab.experiment import RunSpec, load_split
from optimlab.lab.guide.context import Context

NAME = "generalization"
TITLE = "Mini-batch against full batch on held-out data"
BATCH = 32
TASKS = {
    "moons": RunSpec(dataset="moons", n_samples=500, noise=0.3, model="mlp", hidden=(16, 16)),
    "spirals": RunSpec(dataset="spirals", n_samples=500, model="mlp", hidden=(32, 32)),
    "circles": RunSpec(dataset="circles", n_samples=500, model="mlp", hidden=(16, 16)),
}
QUICK_TASKS = ("moons",)
EPOCHS = {"quick": 8, "full": 30}
RATES = {"quick": (0.1, 0.3, 1.0), "full": (0.01, 0.03, 0.1, 0.3, 1.0, 3.0)}


def run(ctx: Context) -> dict[str, Any]:
    seeds = ctx.seeds(ctx.pick(2, 5))
    epochs = EPOCHS[ctx.size]
    out = {}
    for task in QUICK_TASKS if ctx.quick else tuple(TASKS):
        spec = replace(TASKS[task], epochs=epochs, batch_size=BATCH, optimizer="SGD")
        per_epoch = math.ceil(load_split(spec).X_train.shape[0] / BATCH)
        modes = {
            "mini-batch": spec,
            "full batch": replace(spec, batch_size=None, epochs=epochs * per_epoch),
        }
        rows = {}
        for mode, base in modes.items():
            result = ctx.sweep(base, ["SGD"], RATES[ctx.size], seeds)
            outcome = result.outcome("SGD")
            runs = ctx.store.results(outcome.seed_keys)
            finals = [r.history.final() for r in runs]
            rows[mode] = {
                "lr": outcome.best_lr,
                "updates": runs[0].history.iterations,
                "val_loss": list(outcome.val_losses),
                "val_accuracy": list(outcome.val_metrics),
                "train_loss": [f["train_loss"] for f in finals],
                "gap": [f["val_loss"] - f["train_loss"] for f in finals],
                "val_curve": runs[0].history.epoch_val_loss,
                "train_curve": runs[0].history.epoch_train_loss,
            }
        out[task] = rows
    return {"tasks": out, "seeds": list(seeds), "batch": BATCH, "epochs": epochs}


def figure(results: dict[str, Any], path: Any) -> None:
    import numpy as np

    from optimlab.lab.guide.figures import (
        grouped_bars,
        legend,
        log_scale,
        panels,
        save,
        style,
        titled,
    )

    tasks = results["tasks"]
    figure, axes = panels(2, width=10.0)
    names = list(tasks)
    grouped_bars(
        axes[0],
        names,
        {
            mode: [tasks[t][mode]["val_loss"] for t in names]
            for mode in ("mini-batch", "full batch")
        },
    )
    titled(axes[0], "(a) final validation loss (mean, std over seeds)", "", "validation loss")
    legend(axes[0])
    first = tasks[names[0]]
    for i, mode in enumerate(("mini-batch", "full batch")):
        for kind, curve_key in (("validation", "val_curve"), ("training", "train_curve")):
            curve = first[mode][curve_key]
            share = np.arange(1, len(curve) + 1) / len(curve)
            line = "-" if kind == "validation" else ":"
            axes[1].plot(
                share, curve, label=f"{mode}, {kind}", **style(i, marker="", linestyle=line)
            )
    log_scale(axes[1], "y")
    titled(axes[1], f"(b) {names[0]}: loss over the run", "share of the updates", "loss")
    legend(axes[1])
    save(figure, path)
