"""The table's third row: mini-batch gradient descent."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimlab.lab.guide.claims.base import Claim
from optimlab.lab.guide.verdict import (
    NOT_SUPPORTED,
    SUPPORTED,
    Finding,
    Spread,
    clearly_better,
    depends,
    number,
)

ROW = "Mini-batch Gradient Descent"
RATE_MOVES = 3.0  # the best rate "moves" when it changes this much across the mini-batches


def _times(sizes: dict[str, Any]) -> dict[str, Spread]:
    return {name: Spread.of(s["to_target"]) for name, s in sizes.items()}


def _label(size: dict[str, Any]) -> str:
    return f"full ({size['batch']:,})" if size["full"] else str(size["batch"])


def _fastest(sizes: dict[str, Any]) -> str:
    times = _times(sizes)
    return min(times, key=lambda name: (times[name].mean, name))


def _middle(size: dict[str, Any]) -> bool:
    return not size["full"] and size["batch"] > 1


def _rows(results: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    rows = []
    for task, data in results["tasks"].items():
        for size in data["sizes"].values():
            rows.append(
                {
                    "task": task,
                    "batch size": _label(size),
                    "best rate": number(size["lr"]),
                    "updates in the budget": f"{size['updates']:,}",
                    "seconds to target": Spread.of(size["to_target"]).text(),
                    "final val. loss": Spread.of(size["final"], word="diverged").text(),
                    "update noise / signal": number(size["noise"]),
                }
            )
    return tuple(rows)


def _noise(results: dict[str, Any]) -> str:
    return (
        f"Mean ± std over {len(results['seeds'])} seeds (data split, initialisation, order); "
        f"every run had {results['budget']:g} s of updates by the measured cost per update; "
        "update noise at the initial weights of the first seed."
    )


def _share_verdict(hits: list[bool]) -> str:
    if all(hits):
        return SUPPORTED
    if not any(hits):
        return NOT_SUPPORTED
    return depends("the task")


def balance(results: dict[str, Any]) -> Finding:
    data = results["batch_size"]
    hits, parts = [], []
    for task, entry in data["tasks"].items():
        sizes = entry["sizes"]
        name = _fastest(sizes)
        fastest = sizes[name]
        one = next(s for s in sizes.values() if s["batch"] == 1)
        hit = _middle(fastest) and math.isfinite(_times(sizes)[name].mean)
        hits.append(hit)
        full = next(s for s in sizes.values() if s["full"])
        tied = [
            label
            for label, other in (("one sample", one), ("the full batch", full))
            if other is not fastest
            and not clearly_better(_times(sizes)[name], Spread.of(other["to_target"]))
        ]
        tie = f", {' and '.join(tied)} within noise of it" if tied else ""
        parts.append(
            f"{task}: fastest to the target is batch {_label(fastest)} "
            f"({Spread.of(fastest['to_target']).text(unit='s')}{tie}); the noise of its updates is "
            f"{number(fastest['noise'])} of the gradient's size squared, against "
            f"{number(one['noise'])} with one sample and 0 with the full batch"
        )
    return Finding(_share_verdict(hits), "; ".join(parts) + ".", _rows(data), _noise(data))


def tuning(results: dict[str, Any]) -> Finding:
    data = results["batch_size"]
    matters, moves, parts = [], [], []
    for task, entry in data["tasks"].items():
        middle = [s for s in entry["sizes"].values() if _middle(s)]
        spreads = [Spread.of(s["to_target"]) for s in middle]
        times = [s.mean for s in spreads]
        if not math.isfinite(min(times)):
            matters.append(False)
            parts.append(f"{task}: no mini-batch size reached the target")
            continue
        ratio = max(times) / min(times)
        matters.append(
            clearly_better(spreads[int(np.argmin(times))], spreads[int(np.argmax(times))])
        )
        rates = [s["lr"] for s in middle]
        move = max(rates) / min(rates)
        moves.append(move)
        slowest = middle[int(np.argmax(times))]
        fastest = middle[int(np.argmin(times))]
        took = Spread.of(fastest["to_target"]).text(unit="s")
        if math.isinf(ratio):
            timing = (
                f"batch {_label(slowest)} never reached the target in the time given, batch "
                f"{_label(fastest)} in {took}"
            )
        else:
            timing = (
                f"batch {_label(slowest)} took {ratio:.1f}x as long as batch "
                f"{_label(fastest)} ({took})"
            )
        if len(set(rates)) == 1:
            moved = f"the best rate was {rates[0]:g} for every mini-batch size"
        else:
            moved = "the best rate by batch size: " + ", ".join(
                f"{_label(s)}: {s['lr']:g}" for s in middle
            )
        parts.append(f"{task}: among mini-batches, {timing}; {moved}")
    verdict = _share_verdict(matters)
    note = (
        " The best rate moved with the batch size on every task."
        if moves and all(m >= RATE_MOVES for m in moves)
        else ""
    )
    return Finding(verdict, "; ".join(parts) + "." + note, _rows(data), _noise(data))


def most_tasks(results: dict[str, Any]) -> Finding:
    data = results["batch_size"]
    hits, parts = [], []
    for task, entry in data["tasks"].items():
        sizes = entry["sizes"]
        times = _times(sizes)
        name = _fastest(sizes)
        full = next(s for s in sizes.values() if s["full"])
        hits.append(_middle(sizes[name]) and math.isfinite(times[name].mean))
        slowdown = Spread.of(full["to_target"]).mean / times[name].mean
        full_batch = (
            "never reached it in the time given"
            if math.isinf(slowdown)
            else f"took {slowdown:.1f}x as long"
        )
        parts.append(
            f"{task} ({entry['n_train']:,} training samples): fastest is batch "
            f"{_label(sizes[name])}; the full batch {full_batch}"
        )
    verdict = _share_verdict(hits)
    headline = f"A mini-batch size was the fastest on {sum(hits)} of {len(hits)} tasks."
    return Finding(verdict, "; ".join(parts) + ".", _rows(data), _noise(data), headline)


def generalizable(results: dict[str, Any]) -> Finding:
    data = results["generalization"]
    better, worse, parts, rows = [], [], [], []
    for task, modes in data["tasks"].items():
        mini, full = (
            Spread.of(modes["mini-batch"]["val_loss"], word="diverged"),
            Spread.of(modes["full batch"]["val_loss"], word="diverged"),
        )
        better.append(clearly_better(mini, full))
        worse.append(clearly_better(full, mini))
        outcome = "better" if better[-1] else "worse" if worse[-1] else "within noise"
        parts.append(
            f"{task}: mini-batch {mini.text()} against full batch {full.text()} ({outcome})"
        )
        for mode, values in modes.items():
            rows.append(
                {
                    "task": task,
                    "batches": mode,
                    "best rate": number(values["lr"]),
                    "updates": f"{values['updates']:,}",
                    "val. loss": Spread.of(values["val_loss"], word="diverged").text(),
                    "val. accuracy": Spread.of(
                        values["val_accuracy"], -math.inf, "diverged"
                    ).text(),
                    "val. - train loss": Spread.of(values["gap"], word="diverged").text(),
                }
            )
    share = sum(better) / len(better)
    if share >= 2 / 3 and not any(worse):
        verdict = SUPPORTED
    elif not any(better):
        verdict = NOT_SUPPORTED
    else:
        verdict = depends("the task")
    return Finding(
        verdict,
        "Final validation loss, " + "; ".join(parts) + ".",
        tuple(rows),
        f"Mean ± std over {len(data['seeds'])} seeds; better means ahead by more than the "
        "larger standard deviation.",
    )


CLAIMS = (
    Claim(
        "minibatch-balance",
        ROW,
        "Pros",
        "Balances between efficiency and stability",
        ("batch_size",),
        "Efficiency is the time to the target, stability the noise of an update (its "
        "variance over the gradient's size squared, which falls as 1/b by construction). Per "
        "task: a balance when the batch size that reaches the target in the fewest seconds "
        "is neither 1 nor the whole training set. Supported when so on every task, not "
        "supported on none, depends on the task otherwise.",
        balance,
    ),
    Claim(
        "minibatch-generalizable",
        ROW,
        "Pros",
        "More generalizable updates",
        ("generalization",),
        "Per task, mini-batches of 32 against full batches with the same number of updates, "
        "both tuned: better when the final validation loss is lower by more than the "
        "seed-to-seed spread. Supported when mini-batch is better on at least 2/3 of the tasks "
        "and worse on none, not supported when better on none, depends on the task otherwise.",
        generalizable,
    ),
    Claim(
        "minibatch-batch-size",
        ROW,
        "Cons",
        "Requires tuning of batch size",
        ("batch_size",),
        f"Per task, among the mini-batch sizes (more than 1 sample, fewer than all): the "
        f"batch size matters when the fastest reaches the target sooner than the slowest by "
        f"more than the seed-to-seed spread (never reaching it counts as infinitely slow). "
        f"Supported when it matters on every task, not supported on none, depends on the task "
        f"otherwise. Whether the best rate moves with the batch size (by {RATE_MOVES:g}x or "
        f"more) is said beside.",
        tuning,
    ),
    Claim(
        "minibatch-most-tasks",
        ROW,
        "When to use",
        "Most deep learning tasks, especially when working with moderate to large datasets",
        ("batch_size",),
        "On MLP tasks of moderate to large size: supported when a mini-batch size (neither 1 "
        "nor the whole set) reaches the target first on every task, not supported on none, "
        "depends on the task otherwise. The full batch's slowdown is shown per data size.",
        most_tasks,
    ),
)
