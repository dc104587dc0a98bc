"""The table's sixth row: AdaDelta."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.lab.guide.claims.adagrad import step_noise, step_rows
from optimlab.lab.guide.claims.base import Claim
from optimlab.lab.guide.claims.gradient_descent import cost_noise, cost_rows
from optimlab.lab.guide.claims.reading import (
    best_score,
    builtin_tasks,
    default_score,
    score_noise,
    score_rows,
    tuned_score,
)
from optimlab.lab.guide.verdict import (
    NOT_SUPPORTED,
    SUPPORTED,
    Finding,
    depends,
    log_slope,
    score_as_good_as,
    share_verdict,
)

ROW = "AdaDelta"
LEVEL = -0.1  # an effective rate does not fall when its log-log slope is at least this


def _eps_note(results: dict[str, Any]) -> str:
    data = results["builtin"]
    steps = data["first_steps"]
    slope = log_slope(*zip(*steps))
    spans = []
    for task, values in data["tasks"].items():
        losses = [loss for _, loss in values["adadelta_eps"]]
        spans.append(f"{task} {min(losses):.3g} to {max(losses):.3g}")
    return (
        f" Its eps is a learning rate in disguise: the first step grows as eps^{slope:.2f} "
        f"({steps[0][1]:.2g} at eps {steps[0][0]:g}, {steps[-1][1]:.2g} at eps "
        f"{steps[-1][0]:g}), and across eps its validation loss spans " + ", ".join(spans) + "."
    )


def no_learning_rate(results: dict[str, Any]) -> Finding:
    tasks = builtin_tasks(results)
    hits, parts = [], []
    for task, data in tasks.items():
        name, best = best_score(data)
        hit = score_as_good_as(default_score(data, "Adadelta"), best)
        hits.append(hit)
        parts.append(
            f"{task}: {default_score(data, 'Adadelta').text()} against {name}'s "
            f"{best.text()}{'' if hit else ' (behind)'}"
        )
    summary = (
        f"AdaDelta with no rate set (multiplier 1, rho 0.9, eps 1e-6) scores as well as the "
        f"best tuned optimizer (validation accuracy, R^2 for regression) on {sum(hits)} of "
        f"{len(hits)} tasks: " + "; ".join(parts) + "." + _eps_note(results)
    )
    return Finding(
        share_verdict(float(np.mean(hits)), "the task"),
        summary,
        score_rows(tasks, ("Adadelta",)),
        score_noise(results),
        f"AdaDelta with no rate set scores as well as the best tuned optimizer on "
        f"{sum(hits)} of {len(hits)} tasks.",
    )


def addresses(results: dict[str, Any]) -> Finding:
    constant = results["step_size"]["constant"]
    slope = constant["Adadelta"]["slope"]
    verdict = SUPPORTED if slope >= LEVEL else NOT_SUPPORTED
    real = results["step_size"]["real"]["Adadelta"]
    summary = (
        f"Under a constant gradient AdaDelta's effective rate changes as t^{slope:.2f} "
        f"(AdaGrad's: t^{constant['Adagrad']['slope']:.2f}); it does not fall, it grows, "
        f"since the running average of its past steps grows with them. On the breast-cancer "
        f"run its effective step went from {real['effective'][0][1]:.3g} to "
        f"{real['effective'][-1][1]:.3g}."
        if slope >= 0
        else f"Under a constant gradient AdaDelta's effective rate changes as t^{slope:.2f} "
        f"(AdaGrad's: t^{constant['Adagrad']['slope']:.2f})."
    )
    return Finding(
        verdict, summary, step_rows(results, ("Adagrad", "Adadelta")), step_noise(results)
    )


def complex_rule(results: dict[str, Any]) -> Finding:
    rows = {r["optimizer"]: r for r in results["cost"]["rows"]}
    ada, others = rows["Adadelta"], [rows["RMSprop"], rows["Adagrad"]]
    more_state = all(ada["state_arrays"] > r["state_arrays"] for r in others)
    more_ops = all(ada["operations"] > r["operations"] for r in others)
    slower = all(ada["ms_per_update"] > r["ms_per_update"] for r in others)
    if more_state and more_ops:
        verdict = SUPPORTED
    elif more_state or more_ops:
        verdict = depends("what is counted")
    else:
        verdict = NOT_SUPPORTED
    summary = (
        f"AdaDelta keeps {ada['state_arrays']} state arrays per parameter (RMSprop "
        f"{rows['RMSprop']['state_arrays']}, AdaGrad {rows['Adagrad']['state_arrays']}) and "
        f"does {ada['operations']} operations per parameter per update (RMSprop "
        f"{rows['RMSprop']['operations']}, AdaGrad {rows['Adagrad']['operations']}); one update "
        f"of {results['cost']['n_params']:,} parameters takes {ada['ms_per_update']:.2f} ms "
        f"(RMSprop {rows['RMSprop']['ms_per_update']:.2f}, AdaGrad "
        f"{rows['Adagrad']['ms_per_update']:.2f}), "
        + ("slower than both." if slower else "not slower than both: memory traffic dominates.")
    )
    return Finding(
        verdict, summary, cost_rows(results["cost"]["rows"]), cost_noise(results["cost"])
    )


def like_rmsprop(results: dict[str, Any]) -> Finding:
    tasks = builtin_tasks(results)
    hits, parts = [], []
    for task, data in tasks.items():
        hit = score_as_good_as(default_score(data, "Adadelta"), tuned_score(data, "RMSprop"))
        hits.append(hit)
        parts.append(
            f"{task}: {default_score(data, 'Adadelta').text()} against "
            f"{tuned_score(data, 'RMSprop').text()}{'' if hit else ' (behind)'}"
        )
    summary = (
        f"AdaDelta with no rate set scores as well as RMSprop with its rate tuned "
        f"(validation accuracy, R^2 for regression) on {sum(hits)} of {len(hits)} tasks: "
        + "; ".join(parts)
        + "."
    )
    return Finding(
        share_verdict(float(np.mean(hits)), "the task"),
        summary,
        score_rows(tasks, ("Adadelta", "RMSprop")),
        score_noise(results),
        f"AdaDelta with no rate scores as well as tuned RMSprop on {sum(hits)} of {len(hits)} "
        "tasks.",
    )


CLAIMS = (
    Claim(
        "adadelta-no-learning-rate",
        ROW,
        "Pros",
        "Eliminates the need to set a default learning rate",
        ("builtin",),
        "On every built-in task, by the final validation accuracy (R^2 for regression): "
        "supported when AdaDelta at its defaults (no rate: multiplier 1, rho 0.9, eps 1e-6) "
        "scores as well as the best tuned optimizer (within the larger seed-to-seed spread or "
        "0.01) on at least 3/4 of the tasks, not supported on fewer than 1/4, depends on the "
        "task otherwise. Its sensitivity to eps is shown beside.",
        no_learning_rate,
    ),
    Claim(
        "adadelta-addresses-diminishing",
        ROW,
        "Pros",
        "Addresses diminishing learning rate issue",
        ("step_size",),
        f"Under a constant gradient: supported when AdaDelta's effective rate does not fall "
        f"(log-log slope at least {LEVEL:g}), not supported otherwise.",
        addresses,
    ),
    Claim(
        "adadelta-complex",
        ROW,
        "Cons",
        "More complex than RMSprop and AdaGrad",
        ("cost",),
        "Counted on each rule's code: supported when AdaDelta keeps more state arrays and does "
        "more operations per parameter than both RMSprop and AdaGrad; depends on what is "
        "counted when only one holds. Update times are shown beside.",
        complex_rule,
    ),
    Claim(
        "adadelta-like-rmsprop",
        ROW,
        "When to use",
        "Similar to RMSprop, but when you want to avoid manual learning rate setting",
        ("builtin",),
        "On every built-in task, by the final validation accuracy (R^2 for regression): "
        "supported when AdaDelta at its defaults scores as well as RMSprop with a tuned rate "
        "(within the larger spread or 0.01) on at least 3/4 of the tasks, not supported on "
        "fewer than 1/4, depends on the task otherwise.",
        like_rmsprop,
    ),
)
