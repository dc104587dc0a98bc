"""The table's optimizers on every built-in data set, tuned fairly, and at their defaults.

For each task (a `RunSpec`: the data set with the model it needs, 20 epochs of
mini-batches of 32; 10 for the digits, whose MLP takes longest), SGD, AdaGrad, RMSprop,
AdaDelta and Adam go through the fair protocol (`optimlab.lab.sweep.sweep`: the rate grid
on the first seed, each one's best rate on every seed, the winner against the
seed-to-seed spread). Each optimizer also runs at its default settings (PyTorch's) on
every seed; the default rates are on the grid, so the first seed's default run is the
tuning run itself. AdaDelta also runs with its multiplier at 1 (the paper's rule, no
learning rate) and eps from 1e-10 to 1e-2 on the first seed: eps sets the size of its
first steps, about ``sqrt(eps / (1 - rho))``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from optimlab import optim
from optimlab.lab.experiment import RunResult, RunSpec
from optimlab.lab.guide.context import Context
from optimlab.lab.sweep import lr_grid

NAME = "builtin"
TITLE = "Every built-in data set: tuned against default settings"
OPTIMIZERS = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam")
_MLP = {"model": "mlp", "hidden": (16,)}
TASKS = {
    "moons": RunSpec(dataset="moons", **_MLP),
    "circles": RunSpec(dataset="circles", **_MLP),
    "spirals": RunSpec(dataset="spirals", model="mlp", hidden=(32, 32)),
    "xor": RunSpec(dataset="xor", **_MLP),
    "digits": RunSpec(dataset="digits", model="mlp", hidden=(32,), epochs=10),
    "linearly_separable": RunSpec(dataset="linearly_separable"),
    "breast_cancer": RunSpec(dataset="breast_cancer"),
    "iris": RunSpec(dataset="iris"),
    "wine": RunSpec(dataset="wine"),
    "regression": RunSpec(dataset="regression"),
    "diabetes": RunSpec(dataset="diabetes"),
}
QUICK_TASKS = {
    "moons": RunSpec(dataset="moons", n_samples=300, **_MLP),
    "breast_cancer": RunSpec(dataset="breast_cancer"),
}
EPOCHS = {"quick": 8, "full": 20}
EPS = {"quick": (1e-8, 1e-6, 1e-4, 1e-2), "full": (1e-10, 1e-8, 1e-6, 1e-4, 1e-2)}


def default_lr(name: str) -> float:
    """The optimizer's default rate (PyTorch's; AdaDelta's multiplier 1)."""
    return float(optim.OPTIMIZERS[name].fields()["lr"].default)


def final_loss(result: RunResult) -> float:
    """The final validation loss, inf for a diverged run (the sweep's ranking loss)."""
    value = result.history.final()["val_loss"]
    if result.history.diverged or value is None or not np.isfinite(value):
        return float("inf")
    return float(value)


def final_metric(result: RunResult) -> float | None:
    """The final validation accuracy or R^2 (None for a diverged run)."""
    value = result.history.final()["val_metric"]
    if result.history.diverged or value is None or not np.isfinite(value):
        return None
    return float(value)


def first_step(eps: float, rho: float = 0.9) -> float:
    """AdaDelta's first step for a gradient of 1 (multiplier 1), measured by one update."""
    params = np.zeros(1)
    optim.Adadelta(params, lr=1.0, rho=rho, eps=eps, fused=False).step(np.ones(1))
    return float(abs(params[0]))


def run(ctx: Context) -> dict[str, Any]:
    tasks = QUICK_TASKS if ctx.quick else TASKS
    grid = lr_grid(1e-3, 1.0, 1) if ctx.quick else lr_grid(1e-4, 10.0, 2)
    seeds = ctx.seeds(ctx.pick(2, 5))
    out = {}
    for task, spec in tasks.items():
        epochs = spec.epochs if task == "digits" else EPOCHS[ctx.size]
        base = replace(spec, epochs=epochs, batch_size=32)
        swept = ctx.sweep(base, OPTIMIZERS, grid, seeds)
        rows = {row["optimizer"]: row for row in swept.table()}
        defaults = [
            replace(base, optimizer=name, lr=default_lr(name), seed=s)
            for name in OPTIMIZERS
            for s in seeds
        ]
        adadelta = [
            replace(base, optimizer="Adadelta", lr=1.0, options=(("eps", eps),), seed=seeds[0])
            for eps in EPS[ctx.size]
        ]
        done = ctx.runs(defaults + adadelta)
        per_optimizer = {}
        for k, name in enumerate(OPTIMIZERS):
            outcome = swept.outcome(name)
            default = done[k * len(seeds) : (k + 1) * len(seeds)]
            per_optimizer[name] = {
                "best_lr": outcome.best_lr,
                "tuned": list(outcome.val_losses),
                "tuned_metric": list(outcome.val_metrics),
                "default_lr": default_lr(name),
                "default": [final_loss(r) for r in default],
                "default_metric": [final_metric(r) for r in default],
                "iterations_to_target": rows[name]["iterations_to_target"],
                "target_reached": rows[name]["target_reached"],
                "curve": [(p.lr, p.rank_loss) for p in outcome.curve],
            }
        eps_curve = [(eps, final_loss(r)) for eps, r in zip(EPS[ctx.size], done[len(defaults) :])]
        out[task] = {
            "model": base.model if base.model != "auto" else "linear",
            "epochs": epochs,
            "nonconvex": base.model == "mlp",
            "metric": swept.metric,
            "winner": swept.verdict.winner,
            "verdict": swept.verdict.text,
            "optimizers": per_optimizer,
            "adadelta_eps": eps_curve,
        }
    return {
        "tasks": out,
        "grid": list(grid),
        "seeds": list(seeds),
        "epochs": EPOCHS[ctx.size],
        "first_steps": [(eps, first_step(eps)) for eps in EPS["full"]],
    }


def figure(results: dict[str, Any], path: Any) -> None:
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
    names = list(tasks)
    figure, axes = panels(3, width=13.0, height=3.8, bottom=0.3)

    def shortfall(task: dict[str, Any], name: str, key: str) -> list[float | None]:
        best = max(np.mean(d["tuned_metric"]) for d in task["optimizers"].values())
        return [None if v is None else best - v for v in task["optimizers"][name][key]]

    grouped_bars(
        axes[0],
        names,
        {n: [shortfall(tasks[t], n, "default_metric") for t in names] for n in OPTIMIZERS},
    )
    titled(axes[0], "(a) defaults: below the best tuned", "", "accuracy or R^2 lost")
    legend(axes[0], ncols=2)
    grouped_bars(
        axes[1],
        names,
        {n: [shortfall(tasks[t], n, "tuned_metric") for t in names] for n in OPTIMIZERS},
    )
    titled(axes[1], "(b) tuned: below the best tuned", "", "accuracy or R^2 lost")
    for ax in axes[:2]:
        ax.tick_params(axis="x", labelrotation=45)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")
    for i, task in enumerate(names):
        eps, losses = zip(*tasks[task]["adadelta_eps"])
        finite = [v for v in losses if v is not None and np.isfinite(v)]
        if finite:
            relative = [np.nan if v is None else v / min(finite) for v in losses]
            axes[2].plot(eps, relative, label=task, **style(i))
    log_scale(axes[2])
    titled(axes[2], "(c) AdaDelta with no rate, by eps", "eps", "val. loss / its best")
    legend(axes[2], ncols=2)
    save(figure, path)
