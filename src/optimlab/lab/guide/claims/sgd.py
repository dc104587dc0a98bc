"""The table's second row: stochastic gradient descent, one sample per update."""

from __future__ import annotations

from typing import Any

import numpy as np

from optimlab.lab.guide.claims.base import Claim
from optimlab.lab.guide.claims.reading import seconds_to, size_noise, size_rows
from optimlab.lab.guide.verdict import NOT_SUPPORTED, SUPPORTED, Finding, Spread, depends, log_slope

ROW = "SGD"
FLAT = 3.0  # SGD's time to target may grow at most this much over the data sizes ...
STEEP = 10.0  # ... and grows at least this much if it does not handle large data well
ONLINE_FROM = 10_000  # the online claim is judged on data sets at least this large


def fast(results: dict[str, Any]) -> Finding:
    data = results["data_size"]
    sgd, gd = seconds_to(data, "SGD", "rough"), seconds_to(data, "GD", "rough")
    minibatch = seconds_to(data, "mini-batch", "rough")
    faster = [s.mean < g.mean for s, g in zip(sgd, gd)]
    if all(faster):
        verdict = SUPPORTED
    elif not any(faster):
        verdict = NOT_SUPPORTED
    else:
        verdict = depends("the data size")
    sizes = data["sizes"]
    where = [f"{n:,}" for n, f in zip(sizes, faster) if f]
    batched = sum(m.mean < s.mean for m, s in zip(minibatch, sgd))
    summary = (
        f"SGD reaches the rough target before GD on {', '.join(where) or 'none'} of the "
        f"data sizes {', '.join(f'{n:,}' for n in sizes)} (on {sizes[-1]:,} samples: SGD "
        f"{sgd[-1].text(unit='ms')}, GD {gd[-1].text(unit='ms')}). Mini-batches of 32 beat "
        f"one sample per update on {batched} of the {len(sizes)} sizes "
        f"({minibatch[-1].text(unit='ms')} on {sizes[-1]:,})."
    )
    return Finding(verdict, summary, size_rows(data, "rough"), size_noise(data))


def large_datasets(results: dict[str, Any]) -> Finding:
    data = results["data_size"]
    sgd = seconds_to(data, "SGD", "rough")
    growth = sgd[-1].mean / sgd[0].mean
    slope = log_slope(data["sizes"], [s.mean for s in sgd])
    if growth < FLAT:
        verdict = SUPPORTED
    elif growth >= STEEP:
        verdict = NOT_SUPPORTED
    else:
        verdict = depends("the data size")
    sizes = data["sizes"]
    summary = (
        f"From {sizes[0]:,} to {sizes[-1]:,} samples SGD's time to the rough target changes "
        f"{growth:.1f}x ({sgd[0].text(unit='ms')} to {sgd[-1].text(unit='ms')}; log-log slope "
        f"{slope:.2f}, where 1 would mean proportional to the data size)."
    )
    return Finding(verdict, summary, size_rows(data, "rough"), size_noise(data))


def variance(results: dict[str, Any]) -> Finding:
    noise = results["noise"]
    slopes = []
    for trial in noise["variance"]:
        rows = [r for r in trial["rows"] if r["batch"] <= noise["n"] // 10]
        slopes.append(log_slope([r["batch"] for r in rows], [r["variance"] for r in rows]))
    slope = Spread.of(slopes)
    stable = {
        b: Spread.of([r["largest_stable"] for r in runs]) for b, runs in noise["stability"].items()
    }
    one, full = stable["1"], stable["None"]
    ratio = one.mean / full.mean
    if slope.mean <= -0.8 and ratio <= 2 / 3:
        verdict = SUPPORTED
    elif slope.mean <= -0.8:
        verdict = depends("the learning rate")
    else:
        verdict = NOT_SUPPORTED
    first = noise["variance"][0]["rows"][0]
    summary = (
        f"The batch gradient's variance falls as batch^{slope.mean:.2f} (± {slope.std:.2f}; "
        f"the closed form says -1): one sample's gradient has {first['variance']:.3g} "
        f"(closed form {first['exact']:.3g}) and points {first['cosine']:.2f} of the way along "
        f"the full gradient (cosine). The largest stable rate with one sample per update is "
        f"{one.text()}, {ratio:.2f} of the full batch's {full.text()} (theory for the full "
        f"batch: {np.mean(noise['gd_limit']):.3g})."
    )
    rows = tuple(
        {
            "batch size": "full" if b == "None" else b,
            "largest stable rate": s.text(),
        }
        for b, s in stable.items()
    )
    return Finding(
        verdict,
        summary,
        rows,
        f"Mean ± std over {len(noise['seeds'])} data sets; stable rates on a grid sqrt(2) apart.",
    )


def online(results: dict[str, Any]) -> Finding:
    data = results["data_size"]
    checked = [e for e in data["per_size"] if e["n"] >= ONLINE_FROM]
    one_pass = []
    for entry in checked:
        samples = entry["methods"]["SGD"]["targets"]["rough"]["samples"]
        one_pass.append(all(s is not None and s < entry["n"] for s in samples))
    if checked and all(one_pass):
        verdict = SUPPORTED
    elif any(one_pass):
        verdict = depends("the data size")
    else:
        verdict = NOT_SUPPORTED
    rows = []
    for entry in data["per_size"]:
        row: dict[str, Any] = {"samples": f"{entry['n']:,}"}
        for method, values in entry["methods"].items():
            seen = Spread.of(values["targets"]["rough"]["samples"])
            row[f"{method}: samples used"] = seen.text()
        rows.append(row)
    sgd_seen = [Spread.of(e["methods"]["SGD"]["targets"]["rough"]["samples"]) for e in checked]
    summary = (
        "SGD reaches the rough target after "
        + ", ".join(f"{s.text()} samples on {e['n']:,}" for s, e in zip(sgd_seen, checked))
        + ": less than one pass, so each sample could be seen once and thrown away, as a "
        "stream gives them; GD uses every sample in every update."
    )
    headline = (
        f"SGD needed less than one pass over the data at every size from {ONLINE_FROM:,} samples."
        if verdict == SUPPORTED
        else f"SGD needed less than one pass on {sum(one_pass)} of {len(one_pass)} sizes."
    )
    return Finding(verdict, summary, tuple(rows), size_noise(data), headline)


CLAIMS = (
    Claim(
        "sgd-fast",
        ROW,
        "Pros",
        "Fast",
        ("data_size",),
        "Per data size, SGD's (one sample per update) seconds to the rough target against "
        "GD's: supported when SGD is faster at every size, not supported when slower at every "
        "size, depends on the data size otherwise. Mini-batches are shown beside.",
        fast,
    ),
    Claim(
        "sgd-large-datasets",
        ROW,
        "Pros",
        "Handles large datasets well",
        ("data_size",),
        f"Supported when SGD's time to the rough target grows less than {FLAT:g}x from the "
        f"smallest to the largest data set; not supported when it grows {STEEP:g}x or more; "
        "depends on the data size otherwise.",
        large_datasets,
    ),
    Claim(
        "sgd-variance",
        ROW,
        "Cons",
        "High variance in updates can lead to instability",
        ("noise",),
        "Supported when the batch gradient's variance falls with the batch size b at least "
        "as fast as b^-0.8 (so one sample is the noisiest) and the largest stable rate with "
        "one sample per update is at most 2/3 of the full batch's; depends on the learning "
        "rate when the variance is there but the stable range is not smaller; not supported "
        "when the variance does not fall with b.",
        variance,
    ),
    Claim(
        "sgd-online",
        ROW,
        "When to use",
        "Large datasets; Online or incremental learning scenarios",
        ("data_size",),
        f"Supported when, on every data set of {ONLINE_FROM:,} samples or more and every "
        "seed, SGD reaches the rough target having used fewer samples than the data set holds "
        "(less than one pass: it can learn from a stream); depends on the data size when only "
        "on some; not supported otherwise.",
        online,
    ),
)
