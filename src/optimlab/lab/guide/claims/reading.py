"""Reading the experiments' results: the pieces several rules share."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from optimlab.lab.guide.experiments import basins
from optimlab.lab.guide.verdict import Spread, number

STUCK_SHARE = 0.10  # a share of starts (or initialisations) that counts as "gets stuck"


def seconds_to(results: dict[str, Any], method: str, target: str) -> list[Spread]:
    """Per data size, the method's time to the target over seeds, in milliseconds."""
    return [
        Spread.of(
            [
                None if s is None else 1e3 * s
                for s in entry["methods"][method]["targets"][target]["seconds"]
            ]
        )
        for entry in results["per_size"]
    ]


def size_rows(results: dict[str, Any], target: str) -> tuple[dict[str, Any], ...]:
    """One row per data size: each method's milliseconds to the target (mean ± std)."""
    rows = []
    for entry in results["per_size"]:
        row: dict[str, Any] = {"samples": f"{entry['n']:,}"}
        for method in entry["methods"]:
            index = results["per_size"].index(entry)
            row[f"{method} (ms)"] = seconds_to(results, method, target)[index].text()
        rows.append(row)
    return tuple(rows)


def size_noise(results: dict[str, Any]) -> str:
    """How the data-size experiment's noise was measured."""
    return (
        f"Mean ± standard deviation over {len(results['seeds'])} seeds (data, sample order); "
        "times are the updates to the target times the measured time of one update."
    )


def stuck_at_best(results: dict[str, Any], optimizer: str) -> dict[str, dict[str, Any]]:
    """Per surface: the optimizer's rate with the fewest starts stuck, and the share stuck
    there (over seeds), with the range over all rates."""
    out = {}
    for surface, per_optimizer in results["surfaces"].items():
        rows = per_optimizer[optimizer]
        best = basins.best_rate(rows)
        out[surface] = {
            "lr": best["lr"],
            "stuck": Spread.of(best["stuck"]),
            "lowest": min(np.mean(r["stuck"]) for r in rows),
            "highest": max(np.mean(r["stuck"]) for r in rows),
        }
    return out


def network_stuck(results: dict[str, Any], mode: str) -> float:
    """The share of the network's initialisations that ended stuck."""
    return float(np.mean(results["network"][mode]["stuck"]))


def local_minima_finding(results: dict[str, Any], optimizer: str) -> tuple[str, str, tuple]:
    """The verdict, summary and rows of a "gets stuck in local minima" claim."""
    from optimlab.lab.guide.verdict import NOT_SUPPORTED, SUPPORTED, depends

    surfaces = stuck_at_best(results, optimizer)
    network = network_stuck(results, optimizer)
    always = [s for s, d in surfaces.items() if d["stuck"].mean >= STUCK_SHARE]
    sometimes = [s for s, d in surfaces.items() if d["highest"] >= STUCK_SHARE]
    if always or network >= STUCK_SHARE:
        verdict = SUPPORTED
    elif sometimes:
        verdict = depends("the learning rate")
    else:
        verdict = NOT_SUPPORTED
    parts = [
        f"{surface}: {percent(d['stuck'])} of starts stuck at its best rate {d['lr']:g} "
        f"({100 * d['lowest']:.0f}% to {100 * d['highest']:.0f}% over the grid)"
        for surface, d in surfaces.items()
    ]
    parts.append(f"XOR network with 2 hidden units: {100 * network:.0f}% of initialisations stuck")
    rows = [
        {
            "task": surface,
            "best rate": f"{d['lr']:g}",
            "stuck at the best rate": percent(d["stuck"]),
            "stuck, best to worst rate": f"{100 * d['lowest']:.0f}% to {100 * d['highest']:.0f}%",
        }
        for surface, d in surfaces.items()
    ]
    rows.append(
        {
            "task": "XOR, MLP 2-2-1",
            "best rate": number(results["network"][optimizer]["lr"]),
            "stuck at the best rate": f"{100 * network:.0f}%",
            "stuck, best to worst rate": "",
        }
    )
    return verdict, "; ".join(parts) + ".", tuple(rows)


def percent(spread: Spread) -> str:
    """A share over seeds as ``mean% ± std%``."""
    if spread.n < 2:
        return f"{100 * spread.mean:.0f}%"
    return f"{100 * spread.mean:.0f}% ± {100 * spread.std:.0f}%"


def builtin_tasks(results: dict[str, Any], nonconvex: bool | None = None) -> dict[str, Any]:
    """The built-in tasks' results (only the MLP tasks with ``nonconvex=True``, only the
    linear models' with False)."""
    tasks = results["builtin"]["tasks"]
    if nonconvex is None:
        return tasks
    return {name: t for name, t in tasks.items() if t["nonconvex"] == nonconvex}


def tuned_score(task: dict[str, Any], name: str) -> Spread:
    """An optimizer's tuned final validation accuracy (R^2 for regression)."""
    return Spread.of(task["optimizers"][name]["tuned_metric"], -math.inf, "diverged")


def default_score(task: dict[str, Any], name: str) -> Spread:
    """An optimizer's final validation accuracy (R^2) at its default settings."""
    return Spread.of(task["optimizers"][name]["default_metric"], -math.inf, "diverged")


def best_score(task: dict[str, Any]) -> tuple[str, Spread]:
    """The optimizer with the highest tuned mean validation accuracy (R^2), and that score."""
    scores = {name: tuned_score(task, name) for name in task["optimizers"]}
    name = max(scores, key=lambda n: scores[n].mean)
    return name, scores[name]


def score_rows(tasks: dict[str, Any], names: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """One row per task: each named optimizer's tuned and default validation score."""
    rows = []
    for task, data in tasks.items():
        row: dict[str, Any] = {"task": f"{task} ({data['model']}, {data['metric']})"}
        for name in names:
            row[f"{name} tuned"] = tuned_score(data, name).text()
            row[f"{name} default"] = default_score(data, name).text()
        name, score = best_score(data)
        row["best tuned"] = f"{name} {score.text()}"
        rows.append(row)
    return tuple(rows)


def tuned_rows(tasks: dict[str, Any], names: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """One row per task: each named optimizer's tuned validation score, and the best."""
    rows = []
    for task, data in tasks.items():
        row: dict[str, Any] = {"task": f"{task} ({data['model']}, {data['metric']})"}
        for name in names:
            row[name] = tuned_score(data, name).text()
        name, score = best_score(data)
        row["best tuned"] = f"{name} {score.text()}"
        rows.append(row)
    return tuple(rows)


def score_noise(results: dict[str, Any]) -> str:
    data = results["builtin"]
    return (
        f"Mean ± std over {len(data['seeds'])} seeds (data, split, initialisation, order), "
        f"{data['epochs']} epochs of mini-batches of 32; tuned over {len(data['grid'])} rates "
        f"from {data['grid'][0]:g} to {data['grid'][-1]:g}. Scores are validation accuracy, "
        "R^2 for regression (each rate chosen by the validation loss, as the protocol does); as "
        "good as: within the larger standard deviation or 0.01."
    )
