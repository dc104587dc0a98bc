"""The table's fifth row: RMSprop."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab import optim
from optimlab.lab.guide.claims.adagrad import FALLS, step_noise, step_rows
from optimlab.lab.guide.claims.base import Claim
from optimlab.lab.guide.claims.reading import (
    best_score,
    builtin_tasks,
    local_minima_finding,
    score_noise,
    tuned_rows,
    tuned_score,
)
from optimlab.lab.guide.verdict import (
    NOT_SUPPORTED,
    SUPPORTED,
    Finding,
    Spread,
    clearly_better,
    depends,
    number,
    score_as_good_as,
    share_verdict,
)

ROW = "RMSprop"
LEVEL = 0.1  # a rate "stays level" when its log-log slope is within this of 0
GROWS = 2.0  # recovery "grows" when the last phase takes this many times the second's
ALPHA = optim.RMSprop.fields()["alpha"].default  # the default the experiments use


def addresses(results: dict[str, Any]) -> Finding:
    constant = results["step_size"]["constant"]
    rms, ada = constant["RMSprop"]["slope"], constant["Adagrad"]["slope"]
    if abs(rms) <= LEVEL and ada <= FALLS:
        verdict = SUPPORTED
    elif ada > FALLS:
        verdict = depends("whether AdaGrad's rate falls at all")
    else:
        verdict = NOT_SUPPORTED
    real = results["step_size"]["real"]
    summary = (
        f"Under a constant gradient RMSprop's effective rate changes as t^{rms:.3f} "
        f"({'level' if abs(rms) <= LEVEL else 'rising' if rms > 0 else 'falling'}) "
        f"where AdaGrad's falls as t^{ada:.2f}. On the breast-cancer run, RMSprop's effective "
        f"step went from {number(real['RMSprop']['effective'][0][1])} to "
        f"{number(real['RMSprop']['effective'][-1][1])}, AdaGrad's from "
        f"{number(real['Adagrad']['effective'][0][1])} to "
        f"{number(real['Adagrad']['effective'][-1][1])}."
    )
    return Finding(
        verdict, summary, step_rows(results, ("Adagrad", "RMSprop")), step_noise(results)
    )


def recent(results: dict[str, Any]) -> Finding:
    constant = results["step_size"]["constant"]
    rms, ada = constant["RMSprop"]["recovery"], constant["Adagrad"]["recovery"]
    if rms is not None and ada is None:
        verdict = SUPPORTED
    elif rms is None:
        verdict = NOT_SUPPORTED
    else:
        verdict = depends("how long the gradients stay small")
    half = results["step_size"]["updates"] - results["step_size"]["drop_at"]
    adagrad = f"never back within the {half:,} updates left" if ada is None else f"back after {ada}"
    summary = (
        f"When the gradient shrinks 10x, RMSprop's step is back within 10% of its old length "
        f"after {rms if rms is not None else 'never'} updates (its average forgets with "
        f"alpha = {ALPHA:g}, over about {1 / (1 - ALPHA):.0f} updates); AdaGrad's is "
        f"{adagrad}: "
        "its sum remembers every past gradient."
    )
    names = ("SGD", "Adagrad", "RMSprop", "Adadelta", "Adam")
    return Finding(verdict, summary, step_rows(results, names), step_noise(results))


def local_minima(results: dict[str, Any]) -> Finding:
    verdict, summary, rows = local_minima_finding(results["basins"], "RMSprop")
    basins = results["basins"]
    return Finding(
        verdict,
        f"RMSprop: {summary}",
        rows,
        f"Shares over {basins['starts']} random starts per seed, mean ± std over "
        f"{len(basins['seeds'])} seeds; the network over {len(basins['network_seeds'])} "
        "initialisations.",
    )


def nonconvex(results: dict[str, Any]) -> Finding:
    tasks = builtin_tasks(results, nonconvex=True)
    hits, parts = [], []
    for task, data in tasks.items():
        name, best = best_score(data)
        hit = score_as_good_as(tuned_score(data, "RMSprop"), best)
        hits.append(hit)
        parts.append(
            f"{task}: RMSprop {tuned_score(data, 'RMSprop').text()}, best {name} {best.text()}"
            f"{'' if hit else ' (behind)'}"
        )
    share = float(np.mean(hits))
    convex = builtin_tasks(results, nonconvex=False)
    convex_share = (
        np.mean(
            [score_as_good_as(tuned_score(d, "RMSprop"), best_score(d)[1]) for d in convex.values()]
        )
        if convex
        else float("nan")
    )
    summary = (
        f"By validation accuracy, on the non-convex (MLP) tasks RMSprop, tuned, scores as well "
        f"as the best on "
        f"{sum(hits)} of {len(hits)}: " + "; ".join(parts) + f". On the convex tasks it does "
        f"so on {100 * convex_share:.0f}% of them."
    )
    return Finding(
        share_verdict(share, "the task"),
        summary,
        tuned_rows(tasks, ("SGD", "RMSprop", "Adam")),
        score_noise(results),
        f"Tuned RMSprop scores as well as the best on {sum(hits)} of {len(hits)} MLP tasks.",
    )


def when_adagrad_diminishes(results: dict[str, Any]) -> Finding:
    data = results["shift"]
    optimizers = data["optimizers"]
    rms, ada = optimizers["RMSprop"], optimizers["Adagrad"]
    regret = {
        n: Spread.of(optimizers[n].get("regret", [None]), word="diverged")
        for n in ("RMSprop", "Adagrad")
    }
    growth = {n: _growth(optimizers[n]) for n in ("RMSprop", "Adagrad")}
    if clearly_better(regret["RMSprop"], regret["Adagrad"]):
        verdict = SUPPORTED
    elif growth["Adagrad"] >= GROWS and growth["Adagrad"] > growth["RMSprop"]:
        verdict = depends("the length of training")
    else:
        verdict = NOT_SUPPORTED
    summary = (
        f"On a stream whose true weights are redrawn every {data['length']:,} updates "
        f"({data['phases']} phases), tuned AdaGrad (rate {ada['lr']:g}) has online regret "
        f"{regret['Adagrad'].text()} and RMSprop (rate {rms['lr']:g}) {regret['RMSprop'].text()}"
        f" (mean excess loss over the run, relative to a fresh start). AdaGrad's time to "
        f"recover from a shift grows {growth['Adagrad']:.1f}x from the second phase to the "
        f"last (RMSprop's: {growth['RMSprop']:.1f}x): its rate keeps falling."
    )
    headline = (
        f"Online regret: AdaGrad {regret['Adagrad'].text()}, RMSprop {regret['RMSprop'].text()}; "
        f"AdaGrad's recovery time grows {growth['Adagrad']:.1f}x over the stream."
    )
    return Finding(verdict, summary, shift_rows(data), shift_noise(data), headline)


def _growth(data: dict[str, Any]) -> float:
    """The last phase's mean recovery time over the second phase's."""
    if data.get("diverged"):
        return float("nan")
    phases = np.array(
        [[np.nan if r is None else r for r in seed] for seed in data["recovery"]], dtype=float
    )
    means = np.nanmean(phases, axis=0)
    return float(means[-1] / means[1])


def shift_rows(data: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    rows = []
    for name, values in data["optimizers"].items():
        if values.get("diverged"):
            rows.append({"optimizer": name, "rate": values["lr"], "regret": "diverged"})
            continue
        phases = np.array(
            [[np.nan if r is None else r for r in seed] for seed in values["recovery"]],
            dtype=float,
        )
        rows.append(
            {
                "optimizer": name,
                "rate": number(values["lr"]),
                "regret": Spread.of(values["regret"], word="diverged").text(),
                "recovery per phase (updates)": ", ".join(
                    f"{m:.0f}" for m in np.nanmean(phases, axis=0)
                ),
            }
        )
    return tuple(rows)


def shift_noise(data: dict[str, Any]) -> str:
    return f"Mean ± std over {len(data['seeds'])} streams (seeds)."


CLAIMS = (
    Claim(
        "rmsprop-addresses-adagrad",
        ROW,
        "Pros",
        "Addresses diminishing learning rate of AdaGrad",
        ("step_size",),
        f"Under a constant gradient: supported when RMSprop's effective rate stays level "
        f"(log-log slope within ±{LEVEL:g}) while AdaGrad's falls (slope at most {FALLS:g}); "
        "not supported when RMSprop's does not stay level.",
        addresses,
    ),
    Claim(
        "rmsprop-recent-gradients",
        ROW,
        "Pros",
        "Adapts learning rate based on recent gradients",
        ("step_size",),
        "The gradient shrinks 10x halfway through a constant-gradient run: supported when "
        "RMSprop's step length comes back within 10% of its old length before the run ends "
        "while AdaGrad's does not; not supported when RMSprop's does not come back.",
        recent,
    ),
    Claim(
        "rmsprop-local-minima",
        ROW,
        "Cons",
        "Can still get stuck in local minima on non-convex problems",
        ("basins",),
        "As for gradient descent: supported when, on a surface, at least 10% of the starts "
        "end away from the global minimum even at RMSprop's best rate, or at least 10% of "
        "the network's initialisations end stuck; depends on the learning rate when only some "
        "rates leave 10% stuck; not supported otherwise.",
        local_minima,
    ),
    Claim(
        "rmsprop-non-convex",
        ROW,
        "When to use",
        "Non-convex optimization problems",
        ("builtin",),
        "On the MLP tasks (non-convex), each optimizer tuned, by the final validation "
        "accuracy: supported when RMSprop scores as well as the best (within the larger "
        "seed-to-seed spread or 0.01) on at least 3/4 of them, not supported on fewer than "
        "1/4, depends on the task otherwise.",
        nonconvex,
    ),
    Claim(
        "rmsprop-when-adagrad-diminishes",
        ROW,
        "When to use",
        "Situations where AdaGrad's learning rate diminishes too fast",
        ("shift",),
        f"On a stream whose answer moves, each optimizer tuned for the lowest online regret: "
        f"supported when RMSprop's regret beats AdaGrad's by more than the spread; depends on "
        f"the length of training when it does not, but AdaGrad's time to recover from a shift "
        f"grows at least {GROWS:g}x from the second phase to the last (and more than "
        "RMSprop's); not supported otherwise.",
        when_adagrad_diminishes,
    ),
)
