"""The table's first row: (batch) gradient descent, every sample in every update."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.lab.guide.claims.base import Claim
from optimlab.lab.guide.claims.reading import (
    local_minima_finding,
    seconds_to,
    size_noise,
    size_rows,
)
from optimlab.lab.guide.verdict import (
    NOT_SUPPORTED,
    SUPPORTED,
    Finding,
    Spread,
    as_good_as,
    depends,
    number,
)

ROW = "Gradient Descent"
GROWTH = 10.0  # GD's time to target must grow this much over the data sizes ...
SLOWER = 3.0  # ... and end this much slower than the faster stochastic method


def simple(results: dict[str, Any]) -> Finding:
    rows = results["cost"]["rows"]
    gd = rows[0]
    others = rows[1:]
    fewest_state = all(gd["state_arrays"] < r["state_arrays"] for r in others)
    fewest_ops = all(gd["operations"] < r["operations"] for r in others)
    held = [fewest_state, fewest_ops]
    verdict = SUPPORTED if all(held) else depends("what is counted") if any(held) else NOT_SUPPORTED
    counts = ", ".join(
        f"{r['optimizer']} {r['state_arrays']} and {r['operations']}" for r in others
    )
    summary = (
        f"Gradient descent's rule keeps {gd['state_arrays']} state arrays and does "
        f"{gd['operations']} operations per parameter (the others: {counts}); "
        f"one update of {results['cost']['n_params']:,} parameters takes "
        f"{gd['ms_per_update']:.2f} ms against {min(r['ms_per_update'] for r in others):.2f} ms "
        "for the fastest of the others (fastest of the repeats)."
    )
    return Finding(verdict, summary, cost_rows(rows), cost_noise(results["cost"]))


def cost_rows(rows: list[dict[str, Any]]) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "rule": "GD / SGD / mini-batch" if r["optimizer"] == "SGD" else r["optimizer"],
            "state arrays": r["state_arrays"],
            "operations per parameter": r["operations"],
            "ms per update (fastest, median)": f"{r['ms_per_update']:.2f}, {r['ms_median']:.2f}",
        }
        for r in rows
    )


def cost_noise(cost: dict[str, Any]) -> str:
    return (
        "State and operation counts are exact (counted on the rule's code). Update times: "
        f"the fastest and the median of {cost['repeats']} updates in one process."
    )


def large_datasets(results: dict[str, Any]) -> Finding:
    data = results["data_size"]
    sizes = data["sizes"]
    gd = seconds_to(data, "GD", "rough")
    stochastic = [
        min(a, b, key=lambda s: s.mean)
        for a, b in zip(seconds_to(data, "mini-batch", "rough"), seconds_to(data, "SGD", "rough"))
    ]
    growth = gd[-1].mean / gd[0].mean
    slower = gd[-1].mean / stochastic[-1].mean
    if growth >= GROWTH and slower >= SLOWER:
        verdict = SUPPORTED
    elif slower <= 1.0:
        verdict = NOT_SUPPORTED
    else:
        verdict = depends("the data size")
    summary = (
        f"From {sizes[0]:,} to {sizes[-1]:,} samples, GD's time to the rough target grows "
        f"{growth:.0f}x ({gd[0].text(unit='ms')} to {gd[-1].text(unit='ms')}); on "
        f"{sizes[-1]:,} samples it is {slower:.1f}x the faster stochastic method's "
        f"({stochastic[-1].text(unit='ms')}), whose time hardly depends on the data size."
    )
    return Finding(verdict, summary, size_rows(data, "rough"), size_noise(data))


def local_minima(results: dict[str, Any]) -> Finding:
    verdict, summary, rows = local_minima_finding(results["basins"], "GD")
    noise_share = local_minima_finding(results["basins"], "SGD")[1]
    basins = results["basins"]
    return Finding(
        verdict,
        f"GD: {summary} With noisy gradients (SGD): {noise_share}",
        rows,
        f"Shares over {basins['starts']} random starts per seed, mean ± std over "
        f"{len(basins['seeds'])} seeds; the network over {len(basins['network_seeds'])} "
        "initialisations.",
    )


def small_datasets(results: dict[str, Any]) -> Finding:
    data = results["data_size"]
    n = data["sizes"][0]
    first = {}
    for target in ("rough", "precise"):
        times = {m: seconds_to(data, m, target)[0] for m in ("GD", "mini-batch", "SGD")}
        first[target] = (min(times, key=lambda m: times[m].mean), times)
    wins = [t for t, (winner, times) in first.items() if as_good_as(times["GD"], times[winner])]
    if len(wins) == 2:
        verdict = SUPPORTED
    elif wins:
        verdict = depends("the precision needed")
    else:
        verdict = NOT_SUPPORTED
    parts = []
    for target, (winner, times) in first.items():
        shown = ", ".join(f"{m} {s.text(unit='ms')}" for m, s in times.items())
        tie = "" if winner == "GD" or target not in wins else ", GD within noise of it"
        parts.append(f"to the {target} target the fastest is {winner}{tie} ({shown})")
    summary = f"On {n:,} samples, " + "; ".join(parts) + "."
    headline = (
        f"On {n:,} samples GD is first (or within noise of the first) to "
        + (" and ".join(f"the {t} target" for t in wins) if wins else "neither target")
        + "."
    )
    rows = tuple(
        {
            "target": f"{t} ({data['targets'][t]:g})",
            **{f"{m} (ms)": s.text() for m, s in times.items()},
        }
        for t, (_, times) in first.items()
    )
    return Finding(verdict, summary, rows, size_noise(data), headline)


def clarity(results: dict[str, Any]) -> Finding:
    noise = results["noise"]
    curves = noise["curves"]
    gd_rises = Spread.of([c["rises"] for c in curves["GD"]])
    sgd_rises = Spread.of([c["rises"] for c in curves["SGD"]])
    gd_finals = [c["final"] for c in curves["GD"]]
    repeatable = float(np.ptp(gd_finals)) == 0.0
    sgd_spread = Spread.of([c["final"] for c in curves["SGD"]])
    if gd_rises.mean <= 0.01 and repeatable and sgd_rises.mean >= 0.10:
        verdict = SUPPORTED
    elif gd_rises.mean <= 0.01 or repeatable:
        verdict = depends("what clarity means")
    else:
        verdict = NOT_SUPPORTED
    summary = (
        f"Gradient descent's training loss went up on {100 * gd_rises.mean:.1f}% of its updates "
        f"and runs with different sample orders ended {'identically' if repeatable else 'apart'} "
        f"(excess loss {number(gd_finals[0])}); with one sample per update the loss went up on "
        f"{100 * sgd_rises.mean:.0f}% of updates (± {100 * sgd_rises.std:.0f}%) and ended at "
        f"{sgd_spread.text()} of its start, differently for each order."
    )
    rows = tuple(
        {
            "method": method,
            "rate": noise["curve_rates"][method],
            "updates that raised the loss": f"{100 * np.mean([c['rises'] for c in runs]):.1f}%",
            "final excess loss / start": Spread.of([c["final"] for c in runs]).text(),
        }
        for method, runs in curves.items()
    )
    headline = (
        f"GD's loss rose on {100 * gd_rises.mean:.1f}% of updates and sample orders "
        f"{'did not matter' if repeatable else 'mattered'}; with one sample per update it rose "
        f"on {100 * sgd_rises.mean:.0f}%."
    )
    return Finding(
        verdict,
        summary,
        rows,
        f"Over {len(noise['seeds'])} sample orders on the same data ({noise['updates']} updates).",
        headline,
    )


CLAIMS = (
    Claim(
        "gd-simple",
        ROW,
        "Pros",
        "Simple and easy to implement",
        ("cost",),
        "Counted on each rule's code: supported when gradient descent's update keeps the "
        "fewest state arrays and does the fewest operations per parameter of the five rules; "
        "depends on what is counted when only one of the two holds; not supported otherwise. "
        "The time of one update is shown beside.",
        simple,
    ),
    Claim(
        "gd-large-datasets",
        ROW,
        "Cons",
        "Computationally expensive on large datasets",
        ("data_size",),
        f"Supported when GD's time to the rough target grows at least {GROWTH:g}x from the "
        f"smallest to the largest data set and ends at least {SLOWER:g}x the faster "
        "stochastic method's (SGD or mini-batch); not supported when GD is as fast or faster on "
        "the largest; depends on the data size otherwise.",
        large_datasets,
    ),
    Claim(
        "gd-local-minima",
        ROW,
        "Cons",
        "May get stuck in local minima",
        ("basins",),
        "Supported when, on a surface, at least 10% of the starts end away from the global "
        "minimum even at GD's best rate (the rate with the fewest stuck), or at least 10% of "
        "the network's initialisations end stuck; depends on the learning rate when only "
        "some rates leave 10% stuck; not supported otherwise.",
        local_minima,
    ),
    Claim(
        "gd-small-datasets",
        ROW,
        "When to use",
        "Small datasets",
        ("data_size",),
        "On the smallest data set (1,000 samples): supported when GD reaches both the rough "
        "and the precise target first, or within the seed-to-seed spread (or 5%) of the "
        "first; depends on the precision needed when so for one target only; not supported "
        "otherwise.",
        small_datasets,
    ),
    Claim(
        "gd-clarity",
        ROW,
        "When to use",
        "When simplicity and clarity are preferred",
        ("noise",),
        "Clarity measured as a readable, repeatable run: supported when GD's training loss "
        "goes up on at most 1% of its updates and runs that differ only in the order of the "
        "samples end identically, while with one sample per update the loss goes up on at "
        "least 10% of updates; depends on what clarity means when only one of GD's two "
        "properties holds.",
        clarity,
    ),
)
