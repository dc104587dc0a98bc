"""Sparse data: a Zipf bag-of-words task, its dense control, and small images.

Text: `zipf_documents` (a few words in every document, most words in very few; the
frequent words carry no signal), logistic regression from zero weights in mini-batches of
32, features left as 0/1 (standardising would fill in the zeros). The dense control has
the same per-feature means and variances without zeros. Images: the 8 x 8 digits (many
pixels are almost always 0), softmax regression through the fair protocol of the run store.
SGD, AdaGrad, RMSprop and Adam are each tuned on the first seed over the same rate grid
(lowest final validation loss), then run with every seed. For AdaGrad, the per-word
effective rate ``lr / (sqrt(G_k) + eps)`` at the end of the run is set against each
word's document frequency.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

import numpy as np

from optimlab import models, optim
from optimlab.lab.experiment import RunSpec
from optimlab.lab.guide.context import Context
from optimlab.lab.guide.tasks import zipf_documents
from optimlab.train import fit

NAME = "sparse"
TITLE = "Sparse data: bag-of-words text and small images"
OPTIMIZERS = ("SGD", "Adagrad", "RMSprop", "Adam")
BATCH = 32
VAL_SHARE = 0.2
RATES = {
    "quick": (0.03, 0.1, 0.3, 1.0),
    "full": (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0),
}
TEXT = {
    "quick": {"n_docs": 2_000, "vocabulary": 300},
    "full": {"n_docs": 10_000, "vocabulary": 1_000},
}
EPOCHS = {"quick": 2, "full": 3}
IMAGES = RunSpec(dataset="digits", model="softmax", batch_size=BATCH)
#: The images' rates: the text grid's middle (softmax regression on digits is slow to run).
IMAGE_RATES = {"quick": (0.03, 0.1, 0.3, 1.0), "full": (0.01, 0.03, 0.1, 0.3, 1.0)}
IMAGE_EPOCHS = {"quick": 2, "full": 10}


@functools.lru_cache(maxsize=2)
def _documents(n_docs: int, vocabulary: int, dense: bool, seed: int) -> tuple:
    X, y, frequency = zipf_documents(n_docs, vocabulary, dense=dense, seed=seed)
    cut = round((1 - VAL_SHARE) * n_docs)
    model = models.LogisticRegression(vocabulary)
    train, val = model.validate(X[:cut], y[:cut]), model.validate(X[cut:], y[cut:])
    return train, val, frequency


def text_trial(
    n_docs: int, vocabulary: int, dense: bool, optimizer: str, lr: float, seed: int, epochs: int
) -> dict[str, Any]:
    """Train on the text task; the final validation loss and accuracy, and for AdaGrad
    each word's final effective rate with its document frequency."""
    (X, y), validation, frequency = _documents(n_docs, vocabulary, dense, seed)
    model = models.LogisticRegression(vocabulary)
    opt = optim.OPTIMIZERS[optimizer](model.params, lr=lr, fused=False)
    history = fit(
        model,
        opt,
        X,
        y,
        epochs=epochs,
        batch_size=BATCH,
        validation=validation,
        seed=seed,
        evaluate_train=False,
    )
    out = {
        "val_loss": history.epoch_val_loss[-1] if not history.diverged else None,
        "val_accuracy": history.epoch_val_metric[-1] if history.epoch_val_metric else None,
    }
    if optimizer == "Adagrad":
        (accumulated,) = opt.state_buffers.values()  # G, flat over [W; b]
        accumulated = accumulated[:vocabulary]
        rate = lr / (np.sqrt(accumulated) + opt.eps)
        seen = frequency > 0
        out["rates"] = np.stack([frequency[seen], rate[seen]], axis=1)[::4].tolist()
    return out


def run(ctx: Context) -> dict[str, Any]:
    seeds = ctx.seeds(ctx.pick(2, 3))
    rates = RATES[ctx.size]
    bases = {
        task: {**TEXT[ctx.size], "dense": dense, "epochs": EPOCHS[ctx.size]}
        for task, dense in (("text", False), ("dense control", True))
    }
    grid = [(task, name, lr) for task in bases for name in OPTIMIZERS for lr in rates]
    tuning = ctx.trials(
        text_trial,
        [{**bases[t], "optimizer": n, "lr": lr, "seed": seeds[0]} for t, n, lr in grid],
    )
    losses = {
        (t, n, lr): np.inf if r["val_loss"] is None else r["val_loss"]
        for (t, n, lr), r in zip(grid, tuning)
    }
    best = {
        (t, n): min(rates, key=lambda lr: (losses[t, n, lr], lr)) for t in bases for n in OPTIMIZERS
    }
    pairs = list(best)
    runs = ctx.trials(
        text_trial,
        [
            {**bases[t], "optimizer": n, "lr": best[t, n], "seed": s}
            for t, n in pairs
            for s in seeds
        ],
    )
    tasks: dict[str, dict[str, Any]] = {task: {} for task in bases}
    for k, (t, n) in enumerate(pairs):
        mine = runs[k * len(seeds) : (k + 1) * len(seeds)]
        tasks[t][n] = {
            "lr": best[t, n],
            "val_loss": [r["val_loss"] for r in mine],
            "val_accuracy": [r["val_accuracy"] for r in mine],
            "curve": [(lr, losses[t, n, lr]) for lr in rates],
            "rates": mine[0].get("rates"),
        }
    images = ctx.sweep(
        replace(IMAGES, epochs=IMAGE_EPOCHS[ctx.size]), OPTIMIZERS, IMAGE_RATES[ctx.size], seeds
    )
    tasks["images (digits)"] = {
        name: {
            "lr": images.outcome(name).best_lr,
            "val_loss": list(images.outcome(name).val_losses),
            "val_accuracy": list(images.outcome(name).val_metrics),
            "curve": [(p.lr, p.rank_loss) for p in images.outcome(name).curve],
            "rates": None,
        }
        for name in OPTIMIZERS
    }
    return {
        "tasks": tasks,
        "seeds": list(seeds),
        "text": TEXT[ctx.size],
        "epochs": EPOCHS[ctx.size],
        "frequency_slope": _frequency_slope(tasks["text"]["Adagrad"]["rates"]),
    }


def _frequency_slope(points: list[list[float]] | None) -> float:
    from optimlab.lab.guide.verdict import log_slope

    if not points:
        return float("nan")
    frequency, rate = zip(*points)
    return log_slope(frequency, rate)


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
    figure, axes = panels(3, width=12.0)
    names = list(tasks)
    grouped_bars(
        axes[0], names, {name: [tasks[t][name]["val_loss"] for t in names] for name in OPTIMIZERS}
    )
    titled(axes[0], "(a) tuned final validation loss", "", "validation loss")
    legend(axes[0])
    for i, name in enumerate(OPTIMIZERS):
        curve = [(lr, loss) for lr, loss in tasks["text"][name]["curve"] if np.isfinite(loss)]
        if curve:
            axes[1].plot(*zip(*curve), label=name, **style(i))
    log_scale(axes[1], "x")
    titled(axes[1], "(b) text: loss by learning rate", "learning rate", "validation loss")
    legend(axes[1])
    rates = tasks["text"]["Adagrad"]["rates"] or []
    if rates:
        frequency, rate = zip(*rates)
        axes[2].scatter(frequency, rate, s=6, color=style(1)["color"])
    log_scale(axes[2])
    titled(axes[2], "(c) AdaGrad's rate per word", "document frequency", "lr / sqrt(G)")
    save(figure, path)
