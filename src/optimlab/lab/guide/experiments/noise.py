"""How noisy an update is, by batch size, and what the noise does to stability.

Task: least squares on `gaussian_regression` data (10 features, condition number 20),
where the mini-batch gradient's variance has a closed form to check the measurement
against: for batches of b distinct samples out of n,
``E||g_b - g||^2 = (n - b) / (b (n - 1)) * S`` with ``S = (1/n) sum_i ||g_i - g||^2``
(sampling without replacement). Three measurements:

* the variance of the batch gradient and its cosine with the full gradient, by batch
  size, at the start (zero weights);
* the largest stable learning rate by batch size: plain gradient descent from zero at
  rates sqrt(2) apart; stable means finite and never above the starting loss times 1e3
  (for full batches, theory says ``lr < 1 / lambda_max(D^T D / n)`` here, the MSE's
  Hessian being twice that matrix);
* the training loss after every update for full-batch, mini-batch (32) and per-sample
  updates, each at a rate that converges: how often the loss goes up, and whether two
  runs that differ only in the order of the samples end in the same place.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from optimlab import models, optim
from optimlab.lab.guide.context import Context
from optimlab.lab.guide.tasks import excess_loss, gaussian_regression, least_squares

NAME = "noise"
TITLE = "Update noise by batch size, and what it does to stability"
STABILITY_BATCHES = (1, 8, 64, None)
#: Curves: method -> (batch size, rate).
CURVES = {"GD": (None, 0.6), "mini-batch": (32, 0.1), "SGD": (1, 0.03)}
BLOW_UP = 1e3


@functools.lru_cache(maxsize=2)
def _task(n_samples: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    X, y = gaussian_regression(n_samples, seed=seed)
    optimum, A = least_squares(X, y)
    X, y = models.LinearRegression(X.shape[1]).validate(X, y)
    return X, y, optimum, A


def variance_trial(n_samples: int, seed: int, draws: int) -> dict[str, Any]:
    """Batch-gradient variance and cosine with the full gradient, measured over ``draws``
    batches per size, beside the closed form, at zero weights."""
    X, y, _, _ = _task(n_samples, seed)
    model = models.LinearRegression(X.shape[1])
    per_sample = np.stack([_flat(model, X[i : i + 1], y[i : i + 1]) for i in range(n_samples)])
    full = per_sample.mean(axis=0)
    spread = float(np.mean(np.sum((per_sample - full) ** 2, axis=1)))
    rng = np.random.default_rng(seed)
    sizes = sorted({2**k for k in range(int(np.log2(n_samples)))} | {n_samples})
    rows = []
    for b in sizes:
        grads = np.stack(
            [per_sample[rng.choice(n_samples, b, replace=False)].mean(axis=0) for _ in range(draws)]
        )
        cos = grads @ full / (np.linalg.norm(grads, axis=1) * np.linalg.norm(full))
        rows.append(
            {
                "batch": b,
                "variance": float(np.mean(np.sum((grads - full) ** 2, axis=1))),
                "exact": (n_samples - b) / (b * (n_samples - 1)) * spread,
                "cosine": float(np.mean(cos)),
            }
        )
    return {"rows": rows, "full_norm": float(np.linalg.norm(full))}


def _flat(model: models.LinearRegression, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The gradient on ``(X, y)`` as one vector ``[W; b]``."""
    grads = model.loss_and_grad(X, y, check=False)[1]
    return np.concatenate([grads["W"].ravel(), grads["b"]])


def _descend(
    X: np.ndarray, y: np.ndarray, batch: int | None, lr: float, seed: int, updates: int
) -> tuple[models.LinearRegression, optim.SGD, Any]:
    """A generator of the flat parameters after each update (plain gradient descent)."""
    model = models.LinearRegression(X.shape[1])
    opt = optim.SGD(model.params, lr=lr, fused=False)
    rng = np.random.default_rng(seed)
    n = X.shape[0]

    def steps():
        order, position = rng.permutation(n), 0
        for _ in range(updates):
            if batch is None:
                rows: Any = slice(None)
            else:
                if position + batch > n:
                    order, position = rng.permutation(n), 0
                rows, position = order[position : position + batch], position + batch
            _, grads = model.loss_and_grad(X[rows], y[rows], check=False)
            with np.errstate(all="ignore"):
                opt.step(grads)
            yield model.flat_params()

    return model, opt, steps()


def stability_trial(
    n_samples: int, seed: int, batch: int | None, rates: list[float], updates: int
) -> dict[str, Any]:
    """For each rate (ascending), whether descent stayed stable; stops at the first
    unstable rate (every larger one is unstable too on this quadratic)."""
    X, y, optimum, A = _task(n_samples, seed)
    stable = []
    for lr in rates:
        _, _, steps = _descend(X, y, batch, lr, seed, updates)
        start = excess_loss(np.zeros(A.shape[0]), optimum, A)
        ok = True
        for theta in steps:
            value = excess_loss(theta, optimum, A)
            if not np.isfinite(value) or value > BLOW_UP * start:
                ok = False
                break
        stable.append(ok)
        if not ok:
            break
    largest = max((lr for lr, ok in zip(rates, stable) if ok), default=None)
    return {"largest_stable": largest, "tried": len(stable)}


def curve_trial(
    n_samples: int, seed: int, order_seed: int, batch: int | None, lr: float, updates: int
) -> dict[str, Any]:
    """The training loss above its minimum after every update, and the share of updates
    that raised it."""
    X, y, optimum, A = _task(n_samples, seed)
    _, _, steps = _descend(X, y, batch, lr, order_seed, updates)
    values = np.array([excess_loss(theta, optimum, A) for theta in steps])
    start = excess_loss(np.zeros(A.shape[0]), optimum, A)
    rises = np.diff(np.concatenate([[start], values])) > 0
    return {
        "excess": (values / start).tolist(),
        "rises": float(rises.mean()),
        "final": float(values[-1] / start),
    }


def run(ctx: Context) -> dict[str, Any]:
    n = ctx.pick(2_000, 5_000)
    seeds = ctx.seeds(ctx.pick(2, 3))
    variance = ctx.trials(
        variance_trial, [{"n_samples": n, "seed": s, "draws": ctx.pick(100, 300)} for s in seeds]
    )
    rates = [float(f"{0.01 * 2 ** (k / 2):.4g}") for k in range(ctx.pick(16, 18))]
    updates = ctx.pick(200, 500)
    runs = ctx.trials(
        stability_trial,
        [
            {"n_samples": n, "seed": s, "batch": batch, "rates": rates, "updates": updates}
            for batch in STABILITY_BATCHES
            for s in seeds
        ],
    )
    stability = {
        str(batch): runs[k * len(seeds) : (k + 1) * len(seeds)]
        for k, batch in enumerate(STABILITY_BATCHES)
    }
    lambda_max = [float(np.linalg.eigvalsh(_task(n, s)[3])[-1]) for s in seeds]
    runs = ctx.trials(
        curve_trial,
        [
            {
                "n_samples": n,
                "seed": seeds[0],
                "order_seed": s,
                "batch": batch,
                "lr": lr,
                "updates": updates,
            }
            for batch, lr in CURVES.values()
            for s in seeds
        ],
    )
    curves = {
        method: runs[k * len(seeds) : (k + 1) * len(seeds)] for k, method in enumerate(CURVES)
    }
    return {
        "n": n,
        "seeds": list(seeds),
        "variance": variance,
        "rates": rates,
        "stability": stability,
        "gd_limit": [1.0 / lam for lam in lambda_max],
        "curves": curves,
        "curve_rates": {m: lr for m, (_, lr) in CURVES.items()},
        "updates": updates,
    }


def figure(results: dict[str, Any], path: Any) -> None:
    from optimlab.lab.guide.figures import bars, legend, log_scale, panels, save, style, titled

    figure, axes = panels(3, width=11.5)
    ax = axes[0]
    rows = [r for r in results["variance"][0]["rows"] if r["batch"] < results["n"]]
    batches = [r["batch"] for r in rows]
    ax.plot(batches, [r["variance"] for r in rows], label="measured", **style(0))
    ax.plot(batches, [r["exact"] for r in rows], label="closed form", **style(1, marker=""))
    log_scale(ax)
    titled(ax, "(a) batch-gradient variance", "batch size", "E||g_b - g||^2")
    legend(ax)
    names = ["1" if b == "1" else "full" if b == "None" else b for b in results["stability"]]
    largest = [[r["largest_stable"] or 0.0 for r in runs] for runs in results["stability"].values()]
    bars(
        axes[1],
        names,
        [float(np.mean(v)) for v in largest],
        "(b) largest stable learning rate",
        errors=[float(np.std(v)) for v in largest],
    )
    axes[1].axhline(np.mean(results["gd_limit"]), color="gray", linestyle=":", linewidth=1)
    axes[1].set_xlabel("batch size", fontsize="small")
    ax = axes[2]
    for i, (method, runs) in enumerate(results["curves"].items()):
        values = runs[0]["excess"]
        ax.plot(range(1, len(values) + 1), values, label=method, **style(i, marker=""))
    log_scale(ax, "y")
    titled(ax, "(c) training loss after each update", "update", "excess loss / start")
    legend(ax)
    save(figure, path)
