"""Time to a target loss for full-batch, mini-batch and per-sample gradient descent as the
data set grows.

Task: least squares on `gaussian_regression` data (10 features, condition number 20,
noise 1) with 1e3 to 1e6 samples; the loss above its minimum is exact at every update
(`excess_loss`), so a run stops the moment it reaches a target. Two targets, relative to
the starting excess loss: 1e-2 (a rough fit) and 1e-4 (a precise one). Each method's
learning rate is tuned on the first seed for each size and target (fewest updates to
the target), then run with every seed. Time to target is the updates it took times the
time of one update at that batch size and data size (the fastest of several,
measured in this process on one BLAS thread),
so that the verdicts do not move with the machine's load.
"""

from __future__ import annotations

import functools
import time
from typing import Any

import numpy as np

from optimlab import models, optim
from optimlab.lab.guide.context import Context
from optimlab.lab.guide.tasks import excess_loss, gaussian_regression, least_squares

NAME = "data_size"
TITLE = "Data size: time to a target loss from 1e3 to 1e6 samples"
#: Method -> batch size (None: the whole data set).
METHODS = {"GD": None, "mini-batch": 32, "SGD": 1}
TARGETS = {"rough": 1e-2, "precise": 1e-4}
#: Rates searched per method (the quick guide takes the last three).
RATES = {
    "GD": (0.1, 0.3, 0.6, 0.9),
    "mini-batch": (0.01, 0.03, 0.1, 0.3),
    "SGD": (0.003, 0.01, 0.03, 0.1),
}
#: Most updates per run, by method (quick guide, full guide).
CAPS = {"GD": (150, 300), "mini-batch": (2_000, 5_000), "SGD": (2_500, 10_000)}
CURVE_POINTS = 40


@functools.lru_cache(maxsize=1)
def _task(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = gaussian_regression(n_samples, seed=seed)
    optimum, A = least_squares(X, y)
    X, y = models.LinearRegression(X.shape[1]).validate(X, y)  # checked once, here
    return X, y, optimum, A


def descend(n_samples: int, batch: int | None, lr: float, seed: int, cap: int) -> dict[str, Any]:
    """Plain gradient descent on batches of ``batch`` samples (None: all) from zero, until
    the precise target, ``cap`` updates, or divergence.

    Returns:
        ``updates``: the first update at which the excess loss reached each target (None:
        never); ``curve``: ``(update, excess / starting excess)`` at about 40 points;
        ``diverged``.
    """
    X, y, optimum, A = _task(n_samples, seed)
    model = models.LinearRegression(X.shape[1])
    opt = optim.SGD(model.params, lr=lr, fused=False)
    theta = model.flat_params()
    start = excess_loss(theta, optimum, A)
    rng = np.random.default_rng(seed)
    marks = set(np.unique(np.geomspace(1, cap, CURVE_POINTS).astype(int)).tolist())
    reached: dict[str, int | None] = dict.fromkeys(TARGETS)
    curve, order, position, diverged = [], rng.permutation(n_samples), 0, False
    for update in range(1, cap + 1):
        if batch is None:
            rows: Any = slice(None)
        else:
            if position + batch > n_samples:
                order, position = rng.permutation(n_samples), 0
            rows, position = order[position : position + batch], position + batch
        _, grads = model.loss_and_grad(X[rows], y[rows], check=False)
        opt.step(grads)
        ratio = excess_loss(theta, optimum, A) / start
        if not np.isfinite(ratio) or ratio > 1e6:
            diverged = True
            break
        for name, level in TARGETS.items():
            if reached[name] is None and ratio <= level:
                reached[name] = update
        if update in marks or reached["precise"] == update:
            curve.append((update, ratio))
        if reached["precise"] is not None:
            break
    return {"updates": reached, "curve": curve, "diverged": diverged}


def update_seconds(n_samples: int, batch: int | None, repeats: int) -> float:
    """Seconds of one update (gradient on a batch, then the step) on this task: the
    fastest of ``repeats`` (the least disturbed by other programs, as `timeit` advises)."""
    X, y, _, _ = _task(n_samples, 0)
    model = models.LinearRegression(X.shape[1])
    opt = optim.SGD(model.params, lr=1e-3, fused=False)
    rows: Any = slice(None) if batch is None else np.arange(batch)
    times = []
    for _ in range(repeats + 1):
        begin = time.perf_counter()
        _, grads = model.loss_and_grad(X[rows], y[rows], check=False)
        opt.step(grads)
        times.append(time.perf_counter() - begin)
    return min(times[1:])


def run(ctx: Context) -> dict[str, Any]:
    sizes = ctx.pick((1_000, 10_000, 100_000), (1_000, 10_000, 100_000, 1_000_000))
    seeds = ctx.seeds(ctx.pick(2, 3))
    caps = {method: ctx.pick(*cap) for method, cap in CAPS.items()}
    rates = {m: r[-2:] if ctx.quick else r for m, r in RATES.items()}
    per_size = []
    for n in sizes:
        costs = ctx.trials(
            update_seconds,
            [{"n_samples": n, "batch": b, "repeats": ctx.pick(5, 15)} for b in METHODS.values()],
            inline=True,
        )
        cost = dict(zip(METHODS, costs))
        grid = [(m, lr) for m in METHODS for lr in rates[m]]
        tuned = ctx.trials(descend, [_params(n, m, lr, seeds[0], caps) for m, lr in grid])
        tuning = {m: [r for (method, _), r in zip(grid, tuned) if method == m] for m in METHODS}
        best = {
            (m, target): _best_rate(rates[m], tuning[m], target)
            for m in METHODS
            for target in TARGETS
        }
        chosen = sorted({(m, lr) for (m, _), lr in best.items()})
        runs = ctx.trials(descend, [_params(n, m, lr, s, caps) for m, lr in chosen for s in seeds])
        by_rate = {
            (m, lr): runs[k * len(seeds) : (k + 1) * len(seeds)] for k, (m, lr) in enumerate(chosen)
        }
        entry: dict[str, Any] = {"n": n, "seconds_per_update": cost, "methods": {}}
        for method, batch in METHODS.items():
            per_target = {}
            for target in TARGETS:
                lr = best[method, target]
                updates = [r["updates"][target] for r in by_rate[method, lr]]
                per_target[target] = {
                    "lr": lr,
                    "updates": updates,
                    "seconds": [None if u is None else u * cost[method] for u in updates],
                    "samples": [None if u is None else u * (batch or n) for u in updates],
                }
            curve = tuning[method][rates[method].index(best[method, "rough"])]["curve"]
            entry["methods"][method] = {
                "targets": per_target,
                "curve": [(u * (batch or n), r) for u, r in curve],
            }
        per_size.append(entry)
    return {"sizes": list(sizes), "seeds": list(seeds), "targets": TARGETS, "per_size": per_size}


def _params(n: int, method: str, lr: float, seed: int, caps: dict[str, int]) -> dict[str, Any]:
    return {"n_samples": n, "batch": METHODS[method], "lr": lr, "seed": seed, "cap": caps[method]}


def _best_rate(rates: tuple[float, ...], runs: list[dict[str, Any]], target: str) -> float:
    """The rate with the fewest updates to the target (ties: the smaller rate); if none
    reached it, the rate whose curve ended lowest (diverged runs last)."""
    reached = [(r["updates"][target], lr) for lr, r in zip(rates, runs) if r["updates"][target]]
    if reached:
        return min(reached)[1]
    final = [(r["diverged"], r["curve"][-1][1], lr) for lr, r in zip(rates, runs)]
    return min(final)[2]


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

    figure, axes = panels(3, width=11.0)
    sizes = results["sizes"]
    for i, method in enumerate(METHODS):
        for ax, target in zip(axes[:2], TARGETS):
            seconds = [
                e["methods"][method]["targets"][target]["seconds"] for e in results["per_size"]
            ]
            seed_range(ax, sizes, seconds, method, i)
        largest = results["per_size"][-1]["methods"][method]["curve"]
        axes[2].plot(*zip(*largest), label=method, **style(i))
    for ax, (target, level) in zip(axes[:2], TARGETS.items()):
        log_scale(ax)
        titled(
            ax,
            f"({'ab'[list(TARGETS).index(target)]}) {target} target ({level:g})",
            "samples in the data set",
            "seconds to target",
        )
        legend(ax)
    log_scale(axes[2])
    titled(axes[2], f"(c) n = {sizes[-1]:,}", "sample gradients computed", "excess loss / start")
    legend(axes[2])
    save(figure, path)
