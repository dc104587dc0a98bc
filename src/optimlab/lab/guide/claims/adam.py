"""The table's last row: Adam."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.lab.guide.claims.adagrad import SPREAD, losses, step_noise
from optimlab.lab.guide.claims.base import Claim
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
    Spread,
    as_good_as,
    depends,
    score_as_good_as,
    share_verdict,
)

ROW = "Adam"
EXACT = 0.01  # bias-corrected first steps equal the rate to within this share
INFLATED = 2.0  # uncorrected first steps reach at least this multiple of the rate
OFTEN = 0.5  # "often": on at least this share of the tasks


def combines(results: dict[str, Any]) -> Finding:
    text = losses(results["sparse"], "text")
    stream = {
        name: Spread.of(results["shift"]["optimizers"][name].get("regret", [None]), word="diverged")
        for name in ("Adagrad", "RMSprop", "Adam")
    }
    homes = {"sparse text (AdaGrad's)": text, "moving stream (RMSprop's)": stream}
    hits, parts = [], []
    for home, values in homes.items():
        parent = min(("Adagrad", "RMSprop"), key=lambda n: values[n].mean)
        hit = as_good_as(values["Adam"], values[parent])
        hits.append(hit)
        parts.append(
            f"{home}: Adam {values['Adam'].text()}, the better parent {parent} "
            f"{values[parent].text()}{'' if hit else ' (Adam behind)'}"
        )
    if all(hits):
        verdict = SUPPORTED
    elif any(hits):
        verdict = depends("the task")
    else:
        verdict = NOT_SUPPORTED
    rows = tuple(
        {
            "task": home,
            **{name: values[name].text() for name in ("Adagrad", "RMSprop", "Adam")},
        }
        for home, values in homes.items()
    )
    return Finding(
        verdict,
        "Tuned, where each parent is at home (validation loss on text, online regret on the "
        "stream): " + "; ".join(parts) + ".",
        rows,
        f"Mean ± std over {len(results['sparse']['seeds'])} seeds (text) and "
        f"{len(results['shift']['seeds'])} streams.",
    )


def bias_correction(results: dict[str, Any]) -> Finding:
    data = results["step_size"]
    corrected = np.array(data["bias"]["corrected"])
    uncorrected = np.array(data["bias"]["uncorrected"])
    spread = data["constant"]["Adam"]["spread"]
    exact = float(np.max(np.abs(corrected - 1.0)))
    inflated = float(np.max(uncorrected))
    if spread >= SPREAD and exact <= EXACT and inflated >= INFLATED:
        verdict = SUPPORTED
    elif spread >= SPREAD or exact <= EXACT:
        verdict = depends("which half of the claim")
    else:
        verdict = NOT_SUPPORTED
    summary = (
        f"Adam's effective rates end {spread:.3g}x apart across parameters whose gradients "
        f"differ 100-fold (adaptive). With bias correction its first {len(corrected)} steps on "
        f"a constant gradient are the learning rate to within {100 * exact:.2g}%; without, "
        f"they start at {uncorrected[0]:.2f}x the rate and reach {inflated:.2f}x (the moving "
        "averages start at zero and the second one, slower, stays small for longer)."
    )
    rows = tuple(
        {"update": t + 1, "step / lr, corrected": f"{c:.4f}", "step / lr, uncorrected": f"{u:.3f}"}
        for t, (c, u) in enumerate(zip(corrected, uncorrected))
        if t in (0, 1, 4, 9, 19, 49)
    )
    return Finding(verdict, summary, rows, step_noise(results))


def defaults(results: dict[str, Any]) -> Finding:
    tasks = builtin_tasks(results)
    shares = {}
    for name in next(iter(tasks.values()))["optimizers"]:
        shares[name] = float(
            np.mean(
                [
                    score_as_good_as(default_score(t, name), tuned_score(t, name))
                    for t in tasks.values()
                ]
            )
        )
    share = shares["Adam"]
    if OFTEN <= share < 1.0:
        verdict = SUPPORTED
    elif share < OFTEN:
        verdict = NOT_SUPPORTED
    else:
        verdict = depends("the budget: tuning never helped here")
    helped = [
        task
        for task, t in tasks.items()
        if not score_as_good_as(default_score(t, "Adam"), tuned_score(t, "Adam"))
    ]
    summary = (
        f"Adam's defaults (rate 0.001, betas 0.9 and 0.999) score as well as Adam tuned "
        f"(validation accuracy, R^2 for regression) on {100 * share:.0f}% of the {len(tasks)} "
        "tasks; tuning helped on "
        f"{', '.join(helped) or 'none'}. The same share for the others: "
        + ", ".join(f"{name} {100 * s:.0f}%" for name, s in shares.items() if name != "Adam")
        + f". {_budget(tasks)}"
    )
    return Finding(
        verdict,
        summary,
        score_rows(tasks, ("Adam",)),
        score_noise(results),
        f"Adam's defaults score as well as Adam tuned on {100 * share:.0f}% of the tasks.",
    )


def most_applications(results: dict[str, Any]) -> Finding:
    tasks = builtin_tasks(results, nonconvex=True)
    hits, parts, rows = [], [], []
    for task, data in tasks.items():
        name, best = best_score(data)
        hit = score_as_good_as(tuned_score(data, "Adam"), best)
        hits.append(hit)
        iterations = {n: data["optimizers"][n]["iterations_to_target"] for n in data["optimizers"]}
        parts.append(
            f"{task}: Adam {tuned_score(data, 'Adam').text()}, best {name} {best.text()}"
            f"{'' if hit else ' (behind)'}"
        )
        rows.append(
            {
                "task": task,
                "Adam tuned": tuned_score(data, "Adam").text(),
                "best tuned": f"{name} {best.text()}",
                "updates to target, Adam": _count(iterations["Adam"]),
                "updates to target, fastest": _count(
                    min((v for v in iterations.values() if v is not None), default=None)
                ),
            }
        )
    summary = (
        f"By validation accuracy, on the MLP tasks Adam, tuned, scores as well as the best on "
        f"{sum(hits)} of {len(hits)}: " + "; ".join(parts) + "."
    )
    return Finding(
        share_verdict(float(np.mean(hits)), "the task"),
        summary,
        tuple(rows),
        score_noise(results),
        f"Tuned Adam scores as well as the best on {sum(hits)} of {len(hits)} MLP tasks.",
    )


def _budget(tasks: dict[str, Any]) -> str:
    """The training budget of the built-in tasks, in words."""
    usual = max(
        (t["epochs"] for t in tasks.values()), key=[t["epochs"] for t in tasks.values()].count
    )
    other = [f"{name}: {t['epochs']}" for name, t in tasks.items() if t["epochs"] != usual]
    return f"Every run had {usual} epochs" + (f" ({', '.join(other)})." if other else ".")


def _count(value: float | None) -> str:
    return "never" if value is None else f"{value:.0f}"


CLAIMS = (
    Claim(
        "adam-combines",
        ROW,
        "Pros",
        "Combines advantages of AdaGrad and RMSprop",
        ("sparse", "shift"),
        "Where each parent is at home, every optimizer tuned: the sparse text task (AdaGrad) "
        "and the stream whose answer moves (RMSprop). Supported when Adam is as good as the "
        "better of AdaGrad and RMSprop (within the spread or 5%) on both, depends on the task "
        "when on one, not supported on neither.",
        combines,
    ),
    Claim(
        "adam-bias-correction",
        ROW,
        "Pros",
        "Adaptive learning rates; Includes bias correction",
        ("step_size",),
        f"Supported when Adam's effective rates end at least {SPREAD:g}x apart across "
        f"parameters whose gradients differ 100-fold, and with bias correction its first 50 "
        f"steps on a constant gradient equal the rate to within {EXACT:.0%} while without it "
        f"they reach {INFLATED:g}x the rate; depends on which half of the claim when only one "
        "half holds.",
        bias_correction,
    ),
    Claim(
        "adam-defaults",
        ROW,
        "Cons",
        "Requires tuning of hyperparameters (though it often works well with defaults)",
        ("builtin",),
        f"Per built-in task, Adam at its defaults against Adam with its rate tuned, by the "
        f"final validation accuracy (R^2 for regression; as good as: within the larger "
        f"seed-to-seed spread or 0.01). Supported when defaults are as good on at least "
        f"{OFTEN:.0%} of the tasks but not all (tuning sometimes needed); not supported below "
        f"{OFTEN:.0%}; depends on the budget when tuning never helped.",
        defaults,
    ),
    Claim(
        "adam-most-applications",
        ROW,
        "When to use",
        "Most deep learning applications, due to its efficiency and effectiveness",
        ("builtin",),
        "On the MLP tasks, each optimizer tuned, by the final validation accuracy: supported "
        "when Adam scores as well as the best (within the larger seed-to-seed spread or 0.01) "
        "on at least 3/4 of them, not supported on fewer than 1/4, depends on the task "
        "otherwise. Updates to the target (1.1 x the winner's validation loss) show the "
        "efficiency.",
        most_applications,
    ),
)
