"""Mini-batch gradient descent: time to a target validation loss by batch size.

Tasks: MLPs on built-in data (`optimlab.lab.experiment.load_split` and `build_model`: the
data, split, scaling and model every `RunSpec` run gets). Plain gradient descent (SGD
without momentum) with batches of 1 to the whole training set. Every run gets the same
time: ``budget`` seconds of updates, counted as its updates times the time of one update
at its batch size (the fastest of several, measured in this process on one BLAS thread),
so a full batch gets few updates and a single sample many, as on a real clock, while the
outcome does not move with the machine's load. Each batch size's rate is tuned on the
first seed (lowest final validation loss), then run with every seed. Each seed's target
is 1.1 x the lowest final validation loss any batch size reached with that seed (the
sweep's factor; per seed, since seeds differ in how low they can go); time to target is
the first checkpoint at or below it. The noise of an update is measured beside, at the
initial weights: ``E||g_b - g||^2 / ||g||^2`` for batches of b against the full gradient g.
"""

from __future__ import annotations

import functools
import time
from dataclasses import replace
from typing import Any

import numpy as np

from optimlab import optim
from optimlab.lab.experiment import RunSpec, build_model, load_split
from optimlab.lab.guide.context import Context

NAME = "batch_size"
TITLE = "Batch size: time to a target validation loss"
TARGET_FACTOR = 1.1
#: Task name -> the data and model (a RunSpec whose data fields are used).
TASKS = {
    "moons (2,000 samples)": RunSpec(
        dataset="moons", n_samples=2_000, noise=0.2, model="mlp", hidden=(16, 16)
    ),
    "digits": RunSpec(dataset="digits", model="mlp", hidden=(32,)),
    "moons (20,000 samples)": RunSpec(
        dataset="moons", n_samples=20_000, noise=0.2, model="mlp", hidden=(16, 16)
    ),
}
QUICK_TASKS = ("moons (2,000 samples)",)
BATCHES = {"quick": (1, 16, 128, None), "full": (1, 4, 16, 64, 256, None)}
RATES = {"quick": (0.1, 0.3, 1.0), "full": (0.1, 0.3, 1.0, 3.0)}
BUDGET = {"quick": 0.1, "full": 0.4}  # seconds of updates per run
MAX_UPDATES = 20_000


@functools.lru_cache(maxsize=4)
def _split(task: str, seed: int) -> Any:
    split = load_split(replace(TASKS[task], seed=seed))
    model = build_model(replace(TASKS[task], seed=seed), split)
    split.X_train, split.y_train = model.validate(split.X_train, split.y_train)
    split.X_val, split.y_val = model.validate(split.X_val, split.y_val)
    return split


def update_seconds(task: str, batch: int | None, repeats: int) -> float:
    """Seconds of one update (gradient on a batch, then the step): the fastest of
    ``repeats``."""
    split = _split(task, 0)
    model = build_model(TASKS[task], split)
    opt = optim.SGD(model.params, lr=1e-3, fused=False)
    rows: Any = slice(None) if batch is None else np.arange(batch)
    times = []
    for _ in range(repeats + 1):
        begin = time.perf_counter()
        _, grads = model.loss_and_grad(split.X_train[rows], split.y_train[rows], check=False)
        opt.step(grads)
        times.append(time.perf_counter() - begin)
    return min(times[1:])


def checkpoints(updates: int) -> list[int]:
    """About 20 log-spaced and 30 evenly spaced update counts up to ``updates``."""
    marks = np.concatenate([np.geomspace(1, updates, 20), np.linspace(1, updates, 30)])
    return sorted(set(np.rint(marks).astype(int).tolist()))


def batch_trial(task: str, batch: int | None, lr: float, seed: int, updates: int) -> dict:
    """Descend for ``updates`` updates; the validation loss at `checkpoints`, as
    ``(update, validation loss)``."""
    split = _split(task, seed)
    model = build_model(replace(TASKS[task], seed=seed), split)
    opt = optim.SGD(model.params, lr=lr, fused=False)
    rng = np.random.default_rng(seed)
    n = split.X_train.shape[0]
    marks = set(checkpoints(updates))
    curve, order, position, diverged = [], rng.permutation(n), 0, False
    for update in range(1, updates + 1):
        if batch is None:
            rows: Any = slice(None)
        else:
            if position + batch > n:
                order, position = rng.permutation(n), 0
            rows, position = order[position : position + batch], position + batch
        loss, grads = model.loss_and_grad(split.X_train[rows], split.y_train[rows], check=False)
        if not np.isfinite(loss) or loss > 1e4:
            diverged = True
            break
        opt.step(grads)
        if update in marks:
            curve.append((update, model.loss_and_grad(split.X_val, split.y_val, check=False)[0]))
    return {"curve": curve, "diverged": diverged}


def noise_trial(task: str, batch: int | None, seed: int, draws: int) -> float:
    """The batch gradient's noise-to-signal ratio at the initial weights:
    ``E||g_b - g||^2 / ||g||^2`` over ``draws`` batches (0 for the full batch)."""
    split = _split(task, seed)
    model = build_model(replace(TASKS[task], seed=seed), split)
    n = split.X_train.shape[0]
    if batch is None or batch >= n:
        return 0.0

    def gradient(rows: Any) -> np.ndarray:
        grads = model.loss_and_grad(split.X_train[rows], split.y_train[rows], check=False)[1]
        return np.concatenate([g.ravel() for g in grads.values()])

    full = gradient(slice(None))
    rng = np.random.default_rng(seed)
    errors = [
        np.sum((gradient(rng.choice(n, batch, replace=False)) - full) ** 2) for _ in range(draws)
    ]
    return float(np.mean(errors) / np.sum(full**2))


def final_loss(run: dict) -> float:
    """The last validation loss (inf if the run diverged or recorded none)."""
    return float("inf") if run["diverged"] or not run["curve"] else run["curve"][-1][1]


def run(ctx: Context) -> dict[str, Any]:
    tasks = QUICK_TASKS if ctx.quick else tuple(TASKS)
    batches, rates, budget = BATCHES[ctx.size], RATES[ctx.size], BUDGET[ctx.size]
    seeds = ctx.seeds(ctx.pick(2, 3))
    out = {}
    for task in tasks:
        n_train = _split(task, seeds[0]).X_train.shape[0]
        costs = ctx.trials(
            update_seconds,
            [{"task": task, "batch": b, "repeats": ctx.pick(10, 30)} for b in batches],
            inline=True,
        )
        cost = {str(b): c for b, c in zip(batches, costs)}
        budgets = {str(b): int(min(MAX_UPDATES, max(10, budget / cost[str(b)]))) for b in batches}
        grid = [(b, lr) for b in batches for lr in rates]
        tuning = ctx.trials(
            batch_trial,
            [
                {"task": task, "batch": b, "updates": budgets[str(b)], "lr": lr, "seed": seeds[0]}
                for b, lr in grid
            ],
        )
        best = {
            str(b): min(
                ((lr, r) for (bb, lr), r in zip(grid, tuning) if bb == b),
                key=lambda pair: (final_loss(pair[1]), pair[0]),
            )[0]
            for b in batches
        }
        runs = ctx.trials(
            batch_trial,
            [
                {
                    "task": task,
                    "batch": b,
                    "updates": budgets[str(b)],
                    "lr": best[str(b)],
                    "seed": s,
                }
                for b in batches
                for s in seeds
            ],
        )
        noise = ctx.trials(
            noise_trial,
            [
                {"task": task, "batch": b, "seed": seeds[0], "draws": ctx.pick(20, 50)}
                for b in batches
            ],
        )
        sizes = {}
        for k, b in enumerate(batches):
            mine = runs[k * len(seeds) : (k + 1) * len(seeds)]
            sizes[str(b)] = {
                "batch": b if b is not None else n_train,
                "full": b is None,
                "lr": best[str(b)],
                "updates": budgets[str(b)],
                "seconds_per_update": cost[str(b)],
                "final": [final_loss(r) for r in mine],
                "noise": noise[k],
                "curves": [r["curve"] for r in mine],
            }
        targets = [
            TARGET_FACTOR * min(s["final"][i] for s in sizes.values()) for i in range(len(seeds))
        ]
        for s in sizes.values():
            s["to_target"] = [
                next((u * s["seconds_per_update"] for u, v in c if v <= target), None)
                for c, target in zip(s["curves"], targets)
            ]
        out[task] = {"n_train": n_train, "targets": targets, "sizes": sizes}
    return {"tasks": out, "seeds": list(seeds), "budget": budget}


def figure(results: dict[str, Any], path: Any) -> None:
    from optimlab.lab.guide.figures import (
        legend,
        log_scale,
        panels,
        save,
        seed_range,
        style,
        titled,
    )

    tasks = results["tasks"]
    figure, axes = panels(2, width=10.0)
    for i, (task, data) in enumerate(tasks.items()):
        sizes = list(data["sizes"].values())
        seed_range(axes[0], [s["batch"] for s in sizes], [s["to_target"] for s in sizes], task, i)
    log_scale(axes[0])
    titled(axes[0], "(a) seconds to target by batch size", "batch size", "seconds to target")
    legend(axes[0])
    first = next(iter(tasks.values()))
    for i, (name, s) in enumerate(first["sizes"].items()):
        label = "full" if s["full"] else f"b = {name}"
        updates, values = zip(*s["curves"][0]) if s["curves"][0] else ((), ())
        seconds = np.asarray(updates) * s["seconds_per_update"]
        axes[1].plot(seconds, values, label=label, **style(i, marker=""))
    axes[1].axhline(first["targets"][0], color="gray", linestyle=":", linewidth=1)
    log_scale(axes[1])
    titled(axes[1], f"(b) {next(iter(tasks))}", "seconds of updates", "validation loss")
    legend(axes[1])
    save(figure, path)
