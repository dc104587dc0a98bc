"""optimlab.torch against torch.optim on the CPU: one step(), and training a small CNN.

Step: for Adam, AdamW, SGD-momentum and RMSprop, on one float32 parameter of 1e4, 1e6 and
1e7 values (``p.grad`` set once, ``opt.step()`` repeated), timed in the same run and
interleaved (see `_timing`):

* optimlab.torch with default options (the rule's Numba kernel, shared among the cores
  from 2^21 values, the non-finite check on): torch's fused and foreach steps use every
  core too;
* the same on one thread at every size (``set_parallel_threshold(None)``), the row marked
  "one thread";
* torch.optim's ``fused=True`` (where torch has it on the CPU) and ``foreach=True``.

Every contender first runs 5 steps on the same gradients; the parameters must agree to
float32 precision, or the run stops.

Training: the digits CNN of docs/torch.md (1,500 training images of 8x8, batch 64, two
3x3 convolutions and a linear layer), samples per second of an epoch with optimlab.torch's
Adam against torch.optim.Adam (foreach and fused), interleaved epoch by epoch.

Targets (the issue's): at 1e7, optimlab.torch >= 0.9x torch foreach (stretch: fused); at
1e4, the time of one step() within 1.5x of torch fused (foreach for RMSprop, which has no
fused step).

Usage:
    python bench/bench_torch.py --quick                      # smoke run, ~30 s
    python bench/bench_torch.py                              # full run, a few minutes
    python bench/bench_torch.py --write docs/benchmarks.md   # and record it
"""

from __future__ import annotations

import argparse
import datetime
import os
import shlex
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from _memory_bound import parallel_probe
from _report import cpu_model, size_label, usable_cores, write_section
from _timing import QuietGate, Timing, round_robin

import optimlab
import optimlab.torch as ot
from optimlab.data import load_dataset
from optimlab.optim import parallel_threshold, set_parallel_threshold

HEADING = "## optimlab.torch against torch.optim (bench/bench_torch.py)"
TARGET_VS_FOREACH = 0.9
TARGET_OVERHEAD_RATIO = 1.5

# label -> (optimlab.torch class, torch.optim class, keyword arguments, torch has fused)
OPTIMIZERS: dict[str, tuple[type, type, dict, bool]] = {
    "Adam": (ot.Adam, torch.optim.Adam, {"lr": 1e-3}, True),
    "AdamW": (ot.AdamW, torch.optim.AdamW, {"lr": 1e-3}, True),
    "SGD-momentum": (ot.SGD, torch.optim.SGD, {"lr": 1e-2, "momentum": 0.9}, True),
    "RMSprop": (ot.RMSprop, torch.optim.RMSprop, {"lr": 1e-3}, False),
}


def stepper(
    make: Callable[[list], torch.optim.Optimizer], n: int, seed: int, one_thread: bool = False
) -> tuple[Callable[[], None], torch.Tensor]:
    """One float32 parameter of ``n`` values with a fixed gradient, and a step function."""
    generator = torch.Generator().manual_seed(seed)
    p = torch.nn.Parameter(torch.randn(n, generator=generator))
    p.grad = torch.randn(n, generator=generator) * 1e-2
    opt = make([p])

    if one_thread:

        def step() -> None:
            default = parallel_threshold()
            set_parallel_threshold(None)
            try:
                opt.step()
            finally:
                set_parallel_threshold(default)

        return step, p
    return opt.step, p


def contenders(label: str, n: int) -> dict[str, Callable[[], None]]:
    """Every contender for one optimizer and size, after checking they agree."""
    ours_cls, torch_cls, kwargs, has_fused = OPTIMIZERS[label]
    makers: dict[str, tuple[Callable, bool]] = {
        "ours": (lambda ps: ours_cls(ps, **kwargs), False),
        "ours one thread": (lambda ps: ours_cls(ps, **kwargs), True),
        "torch foreach": (lambda ps: torch_cls(ps, **kwargs, foreach=True), False),
    }
    if has_fused:
        makers["torch fused"] = (lambda ps: torch_cls(ps, **kwargs, fused=True), False)
    steps, params = {}, {}
    for name, (make, one_thread) in makers.items():
        steps[name], params[name] = stepper(make, n, seed=n, one_thread=one_thread)
    for step in steps.values():
        for _ in range(5):
            step()
    reference = params["torch foreach"].detach()
    for name, p in params.items():
        if not torch.allclose(p.detach(), reference, rtol=1e-5, atol=1e-6):
            raise SystemExit(f"{label} at {n}: {name} disagrees with torch foreach after 5 steps")
    return steps


def digits_tensors() -> tuple[torch.Tensor, torch.Tensor]:
    data = load_dataset("digits")
    X = torch.tensor(data.X[:1500] / 16, dtype=torch.float32).reshape(-1, 1, 8, 8)
    return X, torch.tensor(data.y[:1500])


def cnn() -> torch.nn.Module:
    """The digits CNN of docs/torch.md."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(32 * 2 * 2, 10),
    )


def epoch_runner(make: Callable[[list], torch.optim.Optimizer]) -> Callable[[], None]:
    """One epoch of the digits CNN (1,500 samples, batch 64) with the given optimizer."""
    X, y = digits_tensors()
    torch.manual_seed(0)
    model = cnn()
    opt = make(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = torch.randperm(len(X), generator=torch.Generator().manual_seed(1)).split(64)

    def epoch() -> None:
        for batch in batches:
            opt.zero_grad()
            loss_fn(model(X[batch]), y[batch]).backward()
            opt.step()

    return epoch


def step_rows(sizes: list[int], repeats: int, batch_seconds: float, gate: QuietGate) -> list[str]:
    lines = [
        "| optimizer | params | ours | ours one thread | torch fused | torch foreach "
        "| ours / foreach | ours / fused | one thread / foreach | one thread / fused |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    overhead = [
        "| optimizer | ours µs/step | torch fused µs | torch foreach µs | ours / anchor "
        f"| target <= {TARGET_OVERHEAD_RATIO}x |",
        "|---|--:|--:|--:|--:|---|",
    ]
    verdicts = []
    for n in sizes:
        for label in OPTIMIZERS:
            timings, _ = round_robin(contenders(label, n), repeats, batch_seconds, gate)
            lines.append(row(label, n, timings))
            ours, foreach = timings["ours"], timings["torch foreach"]
            fused = timings.get("torch fused")
            if n == 10**7:
                best = max(foreach.best / ours.best, foreach.best / timings["ours one thread"].best)
                verdicts.append(
                    f"{label} at 1e7: {best:.2f}x torch foreach (target >= {TARGET_VS_FOREACH}): "
                    f"{'PASS' if best >= TARGET_VS_FOREACH else 'MISS'}"
                )
            if n == 10**4:
                anchor = fused or foreach
                ratio = ours.best / anchor.best
                overhead.append(
                    f"| {label} | {micros(ours)} | {micros(fused)} | {micros(foreach)} "
                    f"| {ratio:.2f} ({'fused' if fused else 'foreach'}) "
                    f"| {'PASS' if ratio <= TARGET_OVERHEAD_RATIO else 'MISS'} |"
                )
    return [
        *lines,
        "",
        "Time of one step() at 1e4 params (µs: best (median))",
        "",
        *overhead,
        "",
        *[f"- {v}" for v in verdicts],
    ]


def micros(timing: Timing | None) -> str:
    return "—" if timing is None else f"{timing.best * 1e6:.1f} ({timing.median * 1e6:.1f})"


def rate(timing: Timing | None, n: int) -> str:
    if timing is None:
        return "—"
    return f"{n / timing.best / 1e6:,.0f} ({n / timing.median / 1e6:,.0f})"


def ratio(ours: Timing, other: Timing | None) -> str:
    return "—" if other is None else f"{other.best / ours.best:.2f}"


def row(label: str, n: int, t: dict[str, Timing]) -> str:
    fused, foreach, serial = t.get("torch fused"), t["torch foreach"], t["ours one thread"]
    return (
        f"| {label} | {size_label(n)} | {rate(t['ours'], n)} | {rate(serial, n)} "
        f"| {rate(fused, n)} | {rate(foreach, n)} "
        f"| {ratio(t['ours'], foreach)} | {ratio(t['ours'], fused)} "
        f"| {ratio(serial, foreach)} | {ratio(serial, fused)} |"
    )


def training_rows(repeats: int, gate: QuietGate) -> list[str]:
    runs = {
        "optimlab.torch Adam": epoch_runner(lambda ps: ot.Adam(ps, lr=3e-3)),
        "torch.optim Adam(foreach=True)": epoch_runner(
            lambda ps: torch.optim.Adam(ps, lr=3e-3, foreach=True)
        ),
        "torch.optim Adam(fused=True)": epoch_runner(
            lambda ps: torch.optim.Adam(ps, lr=3e-3, fused=True)
        ),
    }
    timings, _ = round_robin(runs, repeats, batch_seconds=0.0, gate=gate, warmup=1)
    anchor = timings["torch.optim Adam(foreach=True)"]
    lines = ["| contender | samples/s | vs foreach |", "|---|--:|--:|"]
    for name, timing in timings.items():
        lines.append(
            f"| {name} | {1500 / timing.best:,.0f} ({1500 / timing.median:,.0f}) "
            f"| {anchor.best / timing.best:.2f}x |"
        )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--sizes", default=None, help="comma-separated, e.g. 1e4,1e7")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--batch-ms", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: all)")
    parser.add_argument(
        "--max-wait", type=float, default=120.0, help="seconds to wait for free cores in all"
    )
    parser.add_argument("--write", type=Path, default=None, help="put the results in this file")
    args = parser.parse_args(argv)
    sizes = [
        int(float(s))
        for s in (args.sizes or ("1e4,1e6" if args.quick else "1e4,1e6,1e7")).split(",")
    ]
    repeats = args.repeats or (3 if args.quick else 7)
    torch.set_num_threads(args.threads or usable_cores())
    gate = QuietGate(parallel_probe(), budget_seconds=args.max_wait)
    start, load = time.time(), os.getloadavg()
    steps = step_rows(sizes, repeats, args.batch_ms / 1e3, gate)
    training = training_rows(max(2, repeats // 2), gate)
    end_load = os.getloadavg()
    command = shlex.join(["python", *sys.argv])
    body = "\n".join(
        [
            f"- Command: `{command}`",
            f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
            f"run time {time.time() - start:.0f} s",
            f"- Machine: {cpu_model()}, {usable_cores()} cores usable; load average (1, 5, 15 "
            f"min) at start {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, at end "
            f"{end_load[0]:.2f} {end_load[1]:.2f} {end_load[2]:.2f}",
            f"- Versions: optimlab {optimlab.__version__}, torch {torch.__version__} "
            f"({torch.get_num_threads()} threads), numpy {np.__version__}",
            "- Method: float32, one parameter tensor, `p.grad` set once and `step()` repeated; "
            f"contenders interleaved, {repeats} repeats, best (median); before each round the "
            f"run waited for both cores to be free ({gate.waited_seconds:.0f} s in all). "
            "'ours': optimlab.torch "
            "with default options (the rule's Numba kernel, shared among the cores from 2^21 "
            "values, non-finite check on; torch uses every core too); 'ours one thread': the "
            "same with `set_parallel_threshold(None)`.",
            "",
            "### One step(): M params/s",
            "",
            *steps,
            "",
            "### Training the digits CNN of docs/torch.md: samples/s of an epoch (1,500 "
            "samples, batch 64)",
            "",
            *training,
            "",
        ]
    )
    print(f"{HEADING}\n\n{body}")
    if args.write:
        write_section(args.write, body, heading=HEADING, script="bench_torch.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
