"""Effective step sizes: how far each rule moves a parameter per unit of gradient.

The effective learning rate of parameter i at update t is ``|dw_i| / |g_i|`` (for plain
SGD it is the learning rate itself). Four measurements, each optimizer at its default
settings unless said otherwise:

* constant gradient ``g = (1, 0.1, 0.01)`` for T updates: the slope of ``log`` effective
  rate against ``log t`` over the last 90% of the run (AdaGrad's rate is
  ``lr / (t^(1/2) |g_i| + eps)``: slope -1/2 by construction), the ratio of the largest
  to the smallest parameter's rate at the end (equal rates: 1), and how far the first
  parameter moved in the second half of the run compared with the first half;
* the same gradient divided by 10 halfway: how many updates the step length takes to
  come back within 10% of its length before the drop (never, within the run's second
  half, for a rule that remembers every past gradient);
* Adam's first 50 updates on a constant gradient with and without bias correction: the
  step length over the learning rate (1 by construction with the correction);
* a long real run, logistic regression on the breast-cancer data in mini-batches of 32,
  each optimizer at the best of its default rate x 0.1, x 1, x 10 (lowest final training
  loss): the effective step ``||dw|| / ||g||`` over the run, and the share of the run's
  loss decrease that came in its second half.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import numpy as np

from optimlab import models, optim
from optimlab.lab.experiment import RunSpec, load_split
from optimlab.lab.guide.context import Context

NAME = "step_size"
TITLE = "Effective step sizes over a run"
OPTIMIZERS = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam")
GRADIENT = (1.0, 0.1, 0.01)
RECOVERY = 0.9  # the step length is back when it is at least this share of its old length
REAL_TASK = RunSpec(dataset="breast_cancer", model="logistic")
BATCH = 32


def _default_lr(name: str) -> float:
    return optim.OPTIMIZERS[name].fields()["lr"].default


def constant_trial(name: str, updates: int, drop_at: int | None) -> dict[str, Any]:
    """Effective rates and step lengths under a constant gradient (divided by 10 from
    update ``drop_at`` on, if given)."""
    params = np.zeros(len(GRADIENT))
    opt = optim.OPTIMIZERS[name](params, fused=False)
    grad = np.array(GRADIENT)
    rates, steps = [], []
    for t in range(1, updates + 1):
        g = grad / 10 if drop_at is not None and t >= drop_at else grad
        before = params.copy()
        opt.step(g)
        moved = np.abs(params - before)
        rates.append((moved / g).tolist())
        steps.append(float(moved[0]))
    return {"rates": rates, "steps": steps}


def bias_trial(updates: int) -> dict[str, Any]:
    """Adam's step length over its learning rate for a constant gradient of 1, with and
    without bias correction."""
    out = {}
    for corrected in (True, False):
        params = np.zeros(1)
        opt = optim.Adam(params, lr=1e-3, bias_correction=corrected, fused=False)
        lengths = []
        for _ in range(updates):
            before = params[0]
            opt.step(np.ones(1))
            lengths.append(abs(params[0] - before) / 1e-3)
        out["corrected" if corrected else "uncorrected"] = lengths
    return out


def real_trial(name: str, lr: float, seed: int, epochs: int, options: dict | None = None) -> dict:
    """The real run: effective steps, training losses at checkpoints, final loss."""
    split = load_split(RunSpec(dataset=REAL_TASK.dataset, model="logistic", seed=seed))
    model = models.LogisticRegression(split.X_train.shape[1])
    X, y = model.validate(split.X_train, split.y_train)
    opt = optim.OPTIMIZERS[name](model.params, lr=lr, fused=False, **(options or {}))
    theta = model.flat_params()
    rng = np.random.default_rng(seed)
    n = X.shape[0]
    per_epoch = -(-n // BATCH)
    total = epochs * per_epoch
    marks = set(np.unique(np.geomspace(1, total, 60).astype(int)).tolist())
    effective, losses = [], [(0, model.loss_and_grad(X, y, check=False)[0])]
    update = 0
    for _ in range(epochs):
        order = rng.permutation(n)
        for start in range(0, n, BATCH):
            rows = order[start : start + BATCH]
            _, grads = model.loss_and_grad(X[rows], y[rows], check=False)
            g = np.concatenate([grads["W"].ravel(), grads["b"]])
            before = theta.copy()
            opt.step(grads)
            update += 1
            norm = np.linalg.norm(g)
            if norm > 0:
                effective.append((update, float(np.linalg.norm(theta - before) / norm)))
            if update in marks:
                losses.append((update, model.loss_and_grad(X, y, check=False)[0]))
    return {"effective": _thin(effective), "losses": losses, "final": losses[-1][1]}


def _thin(points: list[tuple[int, float]], count: int = 60) -> list[tuple[int, float]]:
    """The median of each of ``count`` log-spaced windows of ``(update, value)`` points."""
    if not points:
        return []
    updates = np.array([u for u, _ in points])
    values = np.array([v for _, v in points])
    edges = np.unique(np.geomspace(1, updates[-1] + 1, count + 1).astype(int))
    out = []
    for lo, hi in pairwise(edges):
        inside = (updates >= lo) & (updates < hi)
        if inside.any():
            out.append((int(np.median(updates[inside])), float(np.median(values[inside]))))
    return out


def slope(rates: list[list[float]], start_share: float = 0.1) -> float:
    """The log-log slope of parameter 0's effective rate against the update number over
    the run from ``start_share`` of it on."""
    from optimlab.lab.guide.verdict import log_slope

    t = np.arange(1, len(rates) + 1)
    keep = t >= start_share * len(rates)
    return log_slope(t[keep], np.array([r[0] for r in rates])[keep])


def recovery(steps: list[float], drop_at: int) -> int | None:
    """Updates from the drop until the step length, once it has fallen below `RECOVERY`
    of its length just before the drop, is back above it (0: it never fell; None: not
    back within the run)."""
    before = steps[drop_at - 2]
    after = np.asarray(steps[drop_at - 1 :])
    fallen = np.flatnonzero(after < RECOVERY * before)
    if fallen.size == 0:
        return 0
    back = np.flatnonzero(after[fallen[0] :] >= RECOVERY * before)
    return int(fallen[0] + back[0]) if back.size else None


def distance_ratio(rates: list[list[float]]) -> float:
    """How far parameter 0 moved in the second half of a constant-gradient run, over how
    far it moved in the first (1 for a constant step; sqrt(2) - 1 = 0.414 for steps
    falling as t^(-1/2))."""
    steps = np.array([r[0] for r in rates]) * GRADIENT[0]
    half = len(steps) // 2
    return float(steps[half:].sum() / steps[:half].sum())


def second_half_share(losses: list[tuple[int, float]]) -> float:
    """The share of a run's training-loss decrease made in its second half."""
    total = losses[-1][0]
    first, last = losses[0][1], losses[-1][1]
    middle = min(losses, key=lambda point: abs(point[0] - total / 2))[1]
    return float((middle - last) / (first - last)) if first > last else 0.0


def run(ctx: Context) -> dict[str, Any]:
    updates = ctx.pick(2_000, 10_000)
    drop_at = updates // 2
    runs = ctx.trials(
        constant_trial,
        [
            {"name": n, "updates": updates, "drop_at": drop}
            for drop in (None, drop_at)
            for n in OPTIMIZERS
        ],
    )
    constant, dropped = runs[: len(OPTIMIZERS)], runs[len(OPTIMIZERS) :]
    per_optimizer = {}
    for name, c, d in zip(OPTIMIZERS, constant, dropped):
        end = c["rates"][-1]
        per_optimizer[name] = {
            "slope": slope(c["rates"]),
            "spread": max(end) / min(end),
            "end_rate": end[0],
            "recovery": recovery(d["steps"], drop_at),
            "distance_ratio": distance_ratio(c["rates"]),
            "rates": [r[0] for r in c["rates"]],
            "steps_dropped": d["steps"],
        }
    (bias,) = ctx.trials(bias_trial, [{"updates": 50}])
    epochs = ctx.pick(20, 200)
    seeds = ctx.seeds(ctx.pick(2, 3))
    grid = {name: [_default_lr(name) * f for f in (0.1, 1.0, 10.0)] for name in OPTIMIZERS}
    tuning = ctx.trials(
        real_trial,
        [
            {"name": name, "lr": lr, "seed": seeds[0], "epochs": epochs}
            for name in OPTIMIZERS
            for lr in grid[name]
        ],
    )
    best = {}
    for k, name in enumerate(OPTIMIZERS):
        runs = tuning[3 * k : 3 * k + 3]
        best[name] = min(zip(grid[name], runs), key=lambda pair: (pair[1]["final"], pair[0]))[0]
    finals = ctx.trials(
        real_trial,
        [
            {"name": name, "lr": best[name], "seed": s, "epochs": epochs}
            for name in OPTIMIZERS
            for s in seeds
        ],
    )
    real = {}
    for k, name in enumerate(OPTIMIZERS):
        runs = finals[len(seeds) * k : len(seeds) * (k + 1)]
        real[name] = {
            "lr": best[name],
            "final": [r["final"] for r in runs],
            "second_half": [second_half_share(r["losses"]) for r in runs],
            "effective": runs[0]["effective"],
            "losses": runs[0]["losses"],
        }
    return {
        "updates": updates,
        "drop_at": drop_at,
        "gradient": list(GRADIENT),
        "constant": per_optimizer,
        "bias": bias,
        "real": real,
        "real_epochs": epochs,
        "seeds": list(seeds),
    }


def figure(results: dict[str, Any], path: Any) -> None:
    from optimlab.lab.guide.figures import legend, log_scale, panels, save, style, titled

    figure, axes = panels(4, width=14.0)
    drop = results["drop_at"]
    for i, (name, data) in enumerate(results["constant"].items()):
        t = np.arange(1, len(data["rates"]) + 1)
        axes[0].plot(t, data["rates"], label=name, **style(i, marker=""))
        steps = np.array(data["steps_dropped"])
        window = slice(drop - 50, None)
        axes[1].plot(
            t[window] - drop, steps[window] / steps[drop - 2], label=name, **style(i, marker="")
        )
        effective = results["real"][name]["effective"]
        if effective:
            axes[3].plot(*zip(*effective), label=name, **style(i, marker=""))
    log_scale(axes[0])
    titled(axes[0], "(a) constant gradient", "update", "|dw| / |g| (first parameter)")
    log_scale(axes[1], "y")
    titled(axes[1], "(b) gradient / 10 at update 0", "updates after the drop", "step / step before")
    for i, (kind, lengths) in enumerate(results["bias"].items()):
        axes[2].plot(range(1, len(lengths) + 1), lengths, label=f"Adam, {kind}", **style(i + 5))
    titled(axes[2], "(c) Adam's first steps, gradient 1", "update", "step / lr")
    log_scale(axes[3])
    titled(axes[3], "(d) breast cancer, logistic", "update", "||dw|| / ||g||")
    for ax in axes:
        legend(ax)
    save(figure, path)
