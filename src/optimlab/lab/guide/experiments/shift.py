"""A stream whose answer moves: least squares whose true weights are redrawn every L
updates, learned online in mini-batches of 16 fresh samples.

Features are Gaussian with standard deviations `feature_scales` (condition number 20), so
the loss above its minimum is exact: ``sum_j s_j^2 (w_j - w*_j)^2``. Several streams
(seeds) are learned at once: the parameters are a (features x streams) array, and since
every rule here is elementwise, each column is exactly one independent run. Each
optimizer's rate is tuned on the first stream for the lowest mean excess loss over the
whole run (the online regret); a rate at which any stream diverges counts as diverged.
Recovery: in each phase, the updates until the excess loss is at most 5% of its expected
value at a fresh start.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab import optim
from optimlab.lab.guide.context import Context
from optimlab.lab.guide.tasks import feature_scales

NAME = "shift"
TITLE = "A stream whose answer moves"
N_FEATURES, CONDITION, BATCH, NOISE = 10, 20.0, 16, 0.5
RECOVERED = 0.05
RATES = {
    "SGD": (0.01, 0.03, 0.1, 0.3),
    "Adagrad": (0.1, 0.3, 1.0, 3.0, 10.0),
    "RMSprop": (0.003, 0.01, 0.03, 0.1, 0.3),
    "Adadelta": (1.0, 3.0, 10.0, 30.0),
    "Adam": (0.003, 0.01, 0.03, 0.1, 0.3),
}


def stream_trial(
    optimizer: str, lr: float, seeds: list[int], phases: int, length: int
) -> dict[str, Any]:
    """Learn one stream per seed; per seed the excess loss at every update (thinned) and
    the recovery updates of every phase."""
    scales = feature_scales(N_FEATURES, CONDITION)
    rngs = [np.random.default_rng(s) for s in seeds]
    truths = np.stack(
        [np.stack([r.normal(0.0, 2.0, N_FEATURES) for _ in range(phases)]) for r in rngs], axis=2
    )  # (phases, features, streams)
    W = np.zeros((N_FEATURES, len(seeds)))
    opt = optim.OPTIMIZERS[optimizer](W, lr=lr, fused=False)
    start = 4.0 * float(np.sum(scales**2))
    excess = np.empty((phases * length, len(seeds)))
    try:
        with np.errstate(all="raise"):
            for t in range(phases * length):
                truth = truths[t // length]
                X = np.stack([r.normal(size=(BATCH, N_FEATURES)) for r in rngs]) * scales
                y = np.einsum("sbd,ds->sb", X, truth) + NOISE * np.stack(
                    [r.normal(size=BATCH) for r in rngs]
                )
                residual = np.einsum("sbd,ds->sb", X, W) - y
                opt.step(2.0 / BATCH * np.einsum("sbd,sb->ds", X, residual))
                excess[t] = np.sum((scales[:, None] * (W - truth)) ** 2, axis=0)
    except (FloatingPointError, OverflowError):
        return {"diverged": True}
    recovery = [
        [
            _first(excess[p * length : (p + 1) * length, s] <= RECOVERED * start)
            for p in range(phases)
        ]
        for s in range(len(seeds))
    ]
    return {
        "diverged": bool(not np.all(np.isfinite(excess))),
        "regret": (excess.mean(axis=0) / start).tolist(),
        "recovery": recovery,
        "curve": (excess[:: max(1, phases * length // 400), 0] / start).tolist(),
    }


def _first(hits: np.ndarray) -> int | None:
    where = np.flatnonzero(hits)
    return int(where[0]) + 1 if where.size else None


def run(ctx: Context) -> dict[str, Any]:
    seeds = list(ctx.seeds(ctx.pick(3, 5)))
    phases, length = ctx.pick((4, 500), (8, 1000))
    grids = {n: r[1:-1] if ctx.quick and len(r) > 3 else r for n, r in RATES.items()}
    pairs = [(name, lr) for name, grid in grids.items() for lr in grid]
    runs = ctx.trials(
        stream_trial,
        [
            {"optimizer": name, "lr": lr, "seeds": seeds, "phases": phases, "length": length}
            for name, lr in pairs
        ],
    )
    out = {}
    for name, grid in grids.items():
        ranked = [
            (np.inf if r["diverged"] else r["regret"][0], lr, r)
            for (n, lr), r in zip(pairs, runs)
            if n == name
        ]
        _, best, chosen = min(ranked, key=lambda item: (item[0], item[1]))
        out[name] = {
            "lr": best,
            "rates": list(grid),
            "tuning": [None if np.isinf(v) else v for v, _, _ in ranked],
            **({"diverged": True} if chosen["diverged"] else chosen),
        }
    return {"optimizers": out, "seeds": seeds, "phases": phases, "length": length}


def figure(results: dict[str, Any], path: Any) -> None:
    from optimlab.lab.guide.figures import legend, log_scale, panels, save, style, titled

    figure, axes = panels(2, width=10.5)
    length, phases = results["length"], results["phases"]
    for i, (name, data) in enumerate(results["optimizers"].items()):
        if data.get("diverged"):
            continue
        curve = data["curve"]
        t = np.linspace(0, phases * length, len(curve), endpoint=False)
        axes[0].plot(t, curve, label=f"{name} ({data['lr']:g})", **style(i, marker=""))
        recovery = np.array(
            [[np.nan if r is None else r for r in seed] for seed in data["recovery"]], dtype=float
        )
        axes[1].plot(range(1, phases + 1), np.nanmean(recovery, axis=0), label=name, **style(i))
    log_scale(axes[0], "y")
    for p in range(1, phases):
        axes[0].axvline(p * length, color="gray", linewidth=0.5, linestyle=":")
    titled(axes[0], "(a) excess loss, first stream", "update", "excess loss / fresh start")
    legend(axes[0])
    log_scale(axes[1], "y")
    titled(axes[1], "(b) updates to recover, per phase", "phase", "updates (mean of streams)")
    legend(axes[1])
    save(figure, path)
