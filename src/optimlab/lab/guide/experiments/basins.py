"""Where runs end on surfaces with several minima, and on a small network.

Surfaces (`optimlab.landscapes`): TwoBasin (a narrow shallow basin beside a wide deep one)
and Rastrigin (a bowl covered in local minima), 2-D. Many starts drawn uniformly in each
surface's window are run at once (the rules are elementwise, so each column of the
parameter array is one independent run). Three optimizers: gradient descent with the exact
gradient ("GD"), the same with Gaussian noise added to the gradient ("SGD", noise as large
as the surface's root-mean-square gradient, as a mini-batch's would be), and RMSprop.
Each runs at every rate of a small grid. To see which basin a run ended in, its end point
then slides down by plain gradient descent with a small fixed step (a measurement, the
same for every optimizer); a run is "stuck" when that point is not the global minimum
(its value above half the second-lowest minimum's). Gradients are central differences of
the surface's `value_grid` (error about 1e-10, far below what decides a basin).

Network: an MLP with two tanh hidden units on XOR, whose known local minimum solves
three quadrants of four. Full-batch gradient descent, mini-batch SGD and RMSprop, each
tuned by the fair protocol (`Context.sweep`) and run from several initialisations; a
run is stuck when its final training loss is above the best of all runs by 0.1 or more.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from optimlab import landscapes, optim
from optimlab.lab.experiment import RunSpec
from optimlab.lab.guide.context import Context

NAME = "basins"
TITLE = "Local minima: where runs from many starts end"
#: Surface -> (the landscape's arguments, step of the measuring descent, stuck threshold,
#: rates per optimizer).
SURFACES = {
    "two_basin": {
        "settle_lr": 0.04,
        "threshold": 0.8,
        "rates": {
            "GD": (0.01, 0.03, 0.1, 0.3),
            "SGD": (0.01, 0.03, 0.1, 0.3),
            "RMSprop": (0.01, 0.03, 0.1, 0.3),
        },
    },
    "rastrigin": {
        "settle_lr": 0.002,
        "threshold": 0.5,
        "rates": {
            "GD": (0.0003, 0.001, 0.003, 0.01),
            "SGD": (0.0003, 0.001, 0.003, 0.01),
            "RMSprop": (0.01, 0.03, 0.1, 0.3),
        },
    },
}
OPTIMIZERS = ("GD", "SGD", "RMSprop")
STUCK_GAP = 0.1  # network: stuck when the final training loss is this far above the best
NETWORK = RunSpec(
    dataset="xor", model="mlp", hidden=(2,), activation="tanh", n_samples=200, noise=0.1
)
#: Network mode -> (optimizer, batch size, epochs: the same number of updates, rates).
NETWORK_MODES = {
    "GD": ("SGD", None, 300, (0.3, 1.0, 3.0)),
    "SGD": ("SGD", 16, 30, (0.1, 0.3, 1.0)),
    "RMSprop": ("RMSprop", 16, 30, (0.003, 0.01, 0.03)),
}


def _surface(name: str) -> landscapes.Landscape:
    return landscapes.get_landscape(name, dim=2)


def _gradient(surface: landscapes.Landscape, points: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of ``surface.value_grid`` at every column of ``points``."""
    grads = np.empty_like(points)
    for axis in range(points.shape[0]):
        step = np.zeros((points.shape[0], 1))
        step[axis] = h
        ahead, behind = surface.value_grid(*(points + step)), surface.value_grid(*(points - step))
        grads[axis] = (ahead - behind) / (2 * h)
    return grads


def _rms_gradient(surface: landscapes.Landscape) -> float:
    """Root-mean-square gradient over a 60 x 60 grid of the surface's window."""
    axes = [np.linspace(lo, hi, 60) for lo, hi in surface.bounds]
    grid = np.stack([a.ravel() for a in np.meshgrid(*axes)])
    return float(np.sqrt(np.mean(np.sum(_gradient(surface, grid) ** 2, axis=0))))


def starts_trial(
    surface: str, optimizer: str, lr: float, seeds: list[int], starts: int, steps: int
) -> dict[str, Any]:
    """Run ``starts`` random starts per seed; return per seed the share stuck away from the
    global minimum and the share that diverged, and a few end points for the figure."""
    land = _surface(surface)
    spec = SURFACES[surface]
    low = np.array([b[0] for b in land.bounds])[:, None]
    high = np.array([b[1] for b in land.bounds])[:, None]
    points = np.concatenate(
        [low + (high - low) * np.random.default_rng(s).random((2, starts)) for s in seeds], axis=1
    )
    origin = points.copy()
    noise = _rms_gradient(land) if optimizer == "SGD" else 0.0
    rng = np.random.default_rng(seeds[0] + 7919)
    name = "RMSprop" if optimizer == "RMSprop" else "SGD"
    opt = optim.OPTIMIZERS[name](points, lr=lr, fused=False)
    with np.errstate(all="ignore"):
        for _ in range(steps):
            grads = _gradient(land, points)
            if noise:
                grads += noise * rng.normal(size=points.shape)
            grads[~np.isfinite(grads)] = 0.0
            opt.step(grads)
        diverged = ~np.all(np.isfinite(points), axis=0) | ~_inside(points, land, margin=1.0)
        settled = np.where(diverged, origin, points)
        for _ in range(4 * steps // 5 + 100):
            settled -= spec["settle_lr"] * _gradient(land, settled)
    best = land.value(land.minima[0])
    stuck = (land.value_grid(*settled) - best > spec["threshold"]) & ~diverged
    groups = np.arange(points.shape[1]) // starts
    return {
        "stuck": [float(stuck[groups == i].mean()) for i in range(len(seeds))],
        "diverged": [float(diverged[groups == i].mean()) for i in range(len(seeds))],
        "starts": origin[:, :80].T.tolist(),
        "ends_stuck": stuck[:80].tolist(),
        "noise": noise,
    }


def _inside(points: np.ndarray, land: landscapes.Landscape, margin: float) -> np.ndarray:
    inside = np.ones(points.shape[1], dtype=bool)
    for axis, (lo, hi) in enumerate(land.bounds):
        span = (hi - lo) * margin
        inside &= (points[axis] > lo - span) & (points[axis] < hi + span)
    return inside


def run(ctx: Context) -> dict[str, Any]:
    seeds = list(ctx.seeds(ctx.pick(2, 3)))
    starts, steps = ctx.pick((60, 200), (300, 1000))
    grid = [
        (surface, optimizer, lr)
        for surface, spec in SURFACES.items()
        for optimizer in OPTIMIZERS
        for lr in spec["rates"][optimizer][ctx.pick(1, 0) :]
    ]
    runs = ctx.trials(
        starts_trial,
        [
            {
                "surface": s,
                "optimizer": o,
                "lr": lr,
                "seeds": seeds,
                "starts": starts,
                "steps": steps,
            }
            for s, o, lr in grid
        ],
    )
    surfaces: dict[str, dict[str, list]] = {s: {o: [] for o in OPTIMIZERS} for s in SURFACES}
    for (surface, optimizer, lr), r in zip(grid, runs):
        surfaces[surface][optimizer].append({"lr": lr, **r})
    network_seeds = ctx.seeds(ctx.pick(4, 12))
    network = {}
    for mode, (optimizer, batch, epochs, rates) in NETWORK_MODES.items():
        base = replace(NETWORK, batch_size=batch, epochs=epochs // ctx.pick(2, 1))
        result = ctx.sweep(base, [optimizer], rates[ctx.pick(1, 0) :], network_seeds)
        runs = ctx.store.results(result.outcome(optimizer).seed_keys)
        network[mode] = {
            "lr": result.outcome(optimizer).best_lr,
            "train_loss": [r.history.final()["train_loss"] for r in runs],
            "curves": [r.history.epoch_train_loss for r in runs],
        }
    best = min(min(m["train_loss"]) for m in network.values())
    for m in network.values():
        m["stuck"] = [loss > best + STUCK_GAP for loss in m["train_loss"]]
    return {
        "seeds": seeds,
        "starts": starts,
        "steps": steps,
        "surfaces": surfaces,
        "network": network,
        "network_best": best,
        "network_seeds": list(network_seeds),
    }


def best_rate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The row (one rate) with the lowest mean share stuck, among rates where no run
    diverged (if every rate diverged somewhere, the one with the fewest divergences)."""
    return min(rows, key=lambda r: (np.mean(r["diverged"]) > 0, np.mean(r["stuck"]), r["lr"]))


def figure(results: dict[str, Any], path: Any) -> None:
    from optimlab.lab.guide.figures import (
        legend,
        log_scale,
        panels,
        save,
        seed_bars,
        style,
        titled,
    )

    figure, axes = panels(3, width=11.5)
    for ax, (surface, per_optimizer) in zip(axes, results["surfaces"].items()):
        for i, optimizer in enumerate(OPTIMIZERS):
            rows = per_optimizer[optimizer]
            means = [100 * np.mean(r["stuck"]) for r in rows]
            low = [100 * min(r["stuck"]) for r in rows]
            high = [100 * max(r["stuck"]) for r in rows]
            lrs = [r["lr"] for r in rows]
            ax.errorbar(
                lrs,
                means,
                yerr=seed_bars(means, low, high),
                label=optimizer,
                capsize=2,
                **style(i),
            )
        log_scale(ax, "x")
        ax.set_ylim(-3, 103)
        letter = "ab"[list(results["surfaces"]).index(surface)]
        titled(ax, f"({letter}) {surface}: starts stuck", "learning rate", "% of starts")
        legend(ax)
    ax = axes[2]
    for i, (mode, data) in enumerate(results["network"].items()):
        for j, curve in enumerate(data["curves"]):
            ax.plot(
                np.arange(1, len(curve) + 1) / len(curve),
                curve,
                label=mode if j == 0 else None,
                **style(i, marker="", alpha=0.6),
            )
    log_scale(ax, "y")
    titled(ax, "(c) XOR, 2 hidden units: each init", "share of the run", "training loss")
    legend(ax)
    save(figure, path)
