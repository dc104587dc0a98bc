"""The table's fourth row: AdaGrad."""

from __future__ import annotations

import math
from typing import Any

from optimlab.lab.guide.claims.base import Claim
from optimlab.lab.guide.verdict import (
    NOT_SUPPORTED,
    SUPPORTED,
    Finding,
    Spread,
    as_good_as,
    clearly_better,
    depends,
    number,
)

ROW = "AdaGrad"
SPREAD = 10.0  # per-parameter rates "adapt" when they differ at least this much
FALLS = -0.4  # an effective rate "falls" when its log-log slope is at most this
STOPPED = 0.05  # learning "stops" when a run's second half moves less than this share
FREQUENCY_SLOPE = -0.3  # the per-word rate adapts to frequency when its slope is at most this


def step_rows(results: dict[str, Any], names: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """One row per optimizer of the constant-gradient measurements."""
    constant = results["step_size"]["constant"]
    return tuple(
        {
            "optimizer": name,
            "slope of the effective rate": f"{constant[name]['slope']:.3f}",
            "largest / smallest parameter's rate": f"{constant[name]['spread']:.3g}",
            "2nd half's distance / 1st half's": f"{constant[name]['distance_ratio']:.3f}",
            "updates to recover after the drop": (
                "never" if constant[name]["recovery"] is None else constant[name]["recovery"]
            ),
        }
        for name in names
    )


def step_noise(results: dict[str, Any]) -> str:
    data = results["step_size"]
    return (
        f"Deterministic ({data['updates']:,} updates of a constant gradient "
        f"{tuple(data['gradient'])}): no seed is involved."
    )


def per_parameter(results: dict[str, Any]) -> Finding:
    constant = results["step_size"]["constant"]
    spread, sgd = constant["Adagrad"]["spread"], constant["SGD"]["spread"]
    verdict = SUPPORTED if spread >= SPREAD else NOT_SUPPORTED
    summary = (
        f"Under a constant gradient whose coordinates differ 100-fold, AdaGrad's effective "
        f"rates end {spread:.3g}x apart from one parameter to another (SGD's: {sgd:.3g}x): "
        "each parameter's rate is set by its own gradients."
    )
    return Finding(verdict, summary, step_rows(results, ("SGD", "Adagrad")), step_noise(results))


def diminishing(results: dict[str, Any]) -> Finding:
    data = results["step_size"]
    adagrad = data["constant"]["Adagrad"]
    real = data["real"]
    second = Spread.of(real["Adagrad"]["second_half"])
    if adagrad["slope"] > FALLS:
        verdict = NOT_SUPPORTED
    elif adagrad["distance_ratio"] < STOPPED:
        verdict = SUPPORTED
    else:
        verdict = depends("the length of training")
    effective = real["Adagrad"]["effective"]
    summary = (
        f"AdaGrad's effective rate falls as t^{adagrad['slope']:.2f} under a constant "
        f"gradient (1/sqrt(t) by construction) and never reaches zero: the second half of a "
        f"{data['updates']:,}-update run still moves {adagrad['distance_ratio']:.2f} as far as "
        f"the first (sqrt(2) - 1 = 0.41 for 1/sqrt(t)). On the breast-cancer logistic "
        f"regression ({data['real_epochs']} epochs), its effective step went from "
        f"{number(effective[0][1])} to {number(effective[-1][1])}, its final training loss is "
        f"{Spread.of(real['Adagrad']['final']).text()} (RMSprop: "
        f"{Spread.of(real['RMSprop']['final']).text()}), and the second half of the run made "
        f"{100 * second.mean:.1f}% of its loss decrease."
    )
    rows = step_rows(results, ("Adagrad", "RMSprop", "Adadelta")) + tuple(
        {
            "optimizer": f"{name} on breast cancer",
            "slope of the effective rate": "",
            "largest / smallest parameter's rate": "",
            "2nd half's distance / 1st half's": f"loss: {Spread.of(real[name]['final']).text()}",
            "updates to recover after the drop": "",
        }
        for name in ("Adagrad", "RMSprop")
    )
    return Finding(
        verdict,
        summary,
        rows,
        step_noise(results)
        + f" The breast-cancer runs: mean ± std over {len(data['seeds'])} seeds.",
    )


def _sparse_rows(data: dict[str, Any], tasks: list[str]) -> tuple[dict[str, Any], ...]:
    return tuple(
        {
            "task": task,
            "optimizer": name,
            "best rate": number(values["lr"]),
            "val. loss": Spread.of(values["val_loss"], word="diverged").text(),
            "val. accuracy": Spread.of(values["val_accuracy"], -math.inf, "diverged").text(),
        }
        for task in tasks
        for name, values in data["tasks"][task].items()
    )


def _sparse_noise(data: dict[str, Any]) -> str:
    return (
        f"Mean ± std over {len(data['seeds'])} seeds (data, split, order); each optimizer "
        "tuned on the first seed over the same rate grid."
    )


def losses(data: dict[str, Any], task: str) -> dict[str, Spread]:
    """Each optimizer's tuned validation loss on a task of the sparse experiment."""
    return {
        name: Spread.of(v["val_loss"], word="diverged") for name, v in data["tasks"][task].items()
    }


def sparse(results: dict[str, Any]) -> Finding:
    data = results["sparse"]
    text, dense = losses(data, "text"), losses(data, "dense control")
    best = min(text, key=lambda name: text[name].mean)
    beats = clearly_better(text["Adagrad"], text["SGD"])
    top = as_good_as(text["Adagrad"], text[best])
    if beats and top:
        verdict = SUPPORTED
    elif beats:
        verdict = depends("what it is compared with")
    else:
        verdict = NOT_SUPPORTED
    edge_sparse = text["SGD"].mean - text["Adagrad"].mean
    edge_dense = dense["SGD"].mean - dense["Adagrad"].mean
    summary = (
        f"On the Zipf bag-of-words task AdaGrad reaches {text['Adagrad'].text()} against "
        f"SGD's {text['SGD'].text()} and the best ({best}) {text[best].text()}. On the dense "
        f"control with the same feature scales its edge over SGD is {edge_dense:.3f} against "
        f"{edge_sparse:.3f} on sparse data: "
        + (
            "larger on sparse data."
            if edge_sparse > edge_dense + max(text["Adagrad"].std, dense["Adagrad"].std)
            else "about as large, so what helps is the per-feature scaling, not the zeros."
        )
    )
    return Finding(
        verdict, summary, _sparse_rows(data, ["text", "dense control"]), _sparse_noise(data)
    )


def sparse_when(results: dict[str, Any]) -> Finding:
    data = results["sparse"]
    text, images = losses(data, "text"), losses(data, "images (digits)")
    on_text = clearly_better(text["Adagrad"], text["SGD"])
    on_images = clearly_better(images["Adagrad"], images["SGD"])
    slope = data["frequency_slope"]
    adapts = slope <= FREQUENCY_SLOPE
    if on_text and on_images and adapts:
        verdict = SUPPORTED
    elif (on_text or on_images) and adapts:
        verdict = depends("the data")
    else:
        verdict = NOT_SUPPORTED
    summary = (
        f"AdaGrad's per-word rate falls with the word's document frequency as "
        f"frequency^{slope:.2f} (rare words get larger steps). Against SGD: text "
        f"{text['Adagrad'].text()} vs {text['SGD'].text()} "
        f"({'better' if on_text else 'not better beyond noise'}); images (digits, softmax "
        f"regression) {images['Adagrad'].text()} vs {images['SGD'].text()} "
        f"({'better' if on_images else 'not better beyond noise'})."
    )
    headline = (
        f"Beats SGD on text: {'yes' if on_text else 'no'}; on images: "
        f"{'yes' if on_images else 'no'}; its per-word rate goes as frequency^{slope:.2f}."
    )
    return Finding(
        verdict,
        summary,
        _sparse_rows(data, ["text", "images (digits)"]),
        _sparse_noise(data),
        headline,
    )


CLAIMS = (
    Claim(
        "adagrad-per-parameter",
        ROW,
        "Pros",
        "Adapts learning rate for each parameter",
        ("step_size",),
        f"Under a constant gradient whose three coordinates differ 100-fold: supported when "
        f"AdaGrad's effective rates (|dw_i| / |g_i|) end at least {SPREAD:g}x apart across "
        "parameters (SGD's are equal), not supported otherwise.",
        per_parameter,
    ),
    Claim(
        "adagrad-sparse",
        ROW,
        "Pros",
        "Good for sparse data",
        ("sparse",),
        "On the sparse text task, each optimizer tuned: supported when AdaGrad beats SGD by "
        "more than the seed-to-seed spread and is as good as the best (within the spread or "
        "5%); depends on what it is compared with when it beats SGD only; not supported "
        "otherwise. The dense control says whether the gain comes from sparsity.",
        sparse,
    ),
    Claim(
        "adagrad-diminishing",
        ROW,
        "Cons",
        "Learning rate can diminish to zero, stopping learning",
        ("step_size",),
        f"Under a constant gradient: not supported when AdaGrad's effective rate does not "
        f"fall (log-log slope above {FALLS:g}); supported when it falls and learning stops "
        f"(the second half of the run moves less than {STOPPED:.0%} as far as the first); "
        "depends on the length of training when it falls but learning goes on.",
        diminishing,
    ),
    Claim(
        "adagrad-sparse-datasets",
        ROW,
        "When to use",
        "Sparse datasets like text and images where learning rate needs to adapt to feature "
        "frequency",
        ("sparse",),
        f"Supported when AdaGrad beats SGD by more than the spread on both text and images "
        f"and its per-word rate falls with the word's frequency (log-log slope at most "
        f"{FREQUENCY_SLOPE:g}); depends on the data when it beats SGD on one of the two; not "
        "supported otherwise.",
        sparse_when,
    ),
)
