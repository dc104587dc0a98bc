"""Update throughput of every optimizer, against PyTorch, naive NumPy and the memory bound.

For each optimizer and each buffer size (float32, one flat array), this times in the same
run and interleaved (see `_timing`):

* ours: ``opt.step(g)`` with default options (the fused Numba kernel, shared among the
  cores from 2^21 values, non-finite check on: the rows the targets judge), and on one
  thread (``set_parallel_threshold(None)``, the rows marked "one thread"); the targeted
  optimizers also with ``nonfinite="ignore"``, to show the cost of the check (one more read
  of the gradient per step);
* PyTorch's ``fused=True`` and ``foreach=True`` CPU implementations, where they exist
  (``p.grad`` set once, ``opt.step()`` called repeatedly), on all cores;
* the naive NumPy formula with temporaries (`_naive`);
* the memory bound: the fastest of several kernels with the same reads and writes per
  parameter (`_memory_bound`).

It checks first, on a small buffer, that all of them compute the same update, then prints
a markdown table of parameters per second with ratios, and with ``--write PATH`` puts it,
with the command line and the machine, in PATH (docs/benchmarks.md).

Usage:
    python bench/bench_step.py                      # full run (a few minutes)
    python bench/bench_step.py --quick              # smoke run (seconds)
    python bench/bench_step.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numba
import numpy as np
from _memory_bound import candidates, parallel_probe, traffic_bytes
from _naive import (
    NaiveStep,
    adabelief,
    adadelta,
    adagrad,
    adam,
    adamax,
    adamw,
    asgd,
    lion,
    momentum_ema,
    nadam,
    radam,
    rmsprop,
    rprop,
    schedule_free_adamw,
    schedule_free_sgd,
    sgd,
    sgd_momentum,
    yogi,
)
from _report import (
    Row,
    cpu_model,
    l3_bytes,
    section,
    size_label,
    usable_cores,
    write_section,
)
from _timing import QuietGate, Timing, round_robin

from optimlab.optim import (
    ASGD,
    SGD,
    AdaBelief,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Lion,
    Momentum,
    Muon,
    NAdam,
    Optimizer,
    RAdam,
    RMSprop,
    Rprop,
    ScheduleFreeAdamW,
    ScheduleFreeSGD,
    Yogi,
    parallel_threads,
    parallel_threshold,
    set_parallel_threshold,
)

BETAS = (0.9, 0.999)

#: The suffix of the rows whose steps run on one thread (``set_parallel_threshold(None)``).
ONE_THREAD = " one thread"


#: Default options, then the same without the non-finite check (its cost: one more read of g).
WITHOUT_CHECK = (("", {}), (" nonfinite=ignore", {"nonfinite": "ignore"}))


@dataclass(frozen=True)
class Case:
    """One optimizer configuration, as ours, as the naive formula and as torch.optim."""

    label: str
    ours: type[Optimizer]
    hyper: dict[str, Any]
    naive: NaiveStep
    n_state: int
    torch_name: str | None = None
    torch_hyper: dict[str, Any] | None = None
    variants: tuple[tuple[str, dict[str, Any]], ...] = (("", {}),)
    targeted: bool = False
    same_as_torch: bool = True

    @property
    def all_variants(self) -> tuple[tuple[str, dict[str, Any]], ...]:
        """The variants with the default threads, then each again on one thread."""
        serial = {"parallel_threshold": None}
        return (
            *self.variants,
            *(
                (f"{ONE_THREAD}{suffix}", {**options, **serial})
                for suffix, options in self.variants
            ),
        )


CASES = (
    Case("SGD", SGD, {"lr": 1e-3}, sgd, 0, "SGD"),
    Case(
        "SGD-momentum",
        SGD,
        {"lr": 1e-3, "momentum": 0.9},
        sgd_momentum,
        1,
        "SGD",
        variants=WITHOUT_CHECK,
        targeted=True,
    ),
    Case(
        "Momentum",
        Momentum,
        {"lr": 1e-2, "beta": 0.9},
        momentum_ema,
        1,
        "SGD",
        {"lr": 1e-2, "momentum": 0.9, "dampening": 0.1},
        same_as_torch=False,  # torch's buffer starts at g, ours at (1 - beta) g
    ),
    Case(
        "Adagrad",
        Adagrad,
        {"lr": 1e-2, "eps": 1e-10},
        adagrad,
        1,
        "Adagrad",
        variants=WITHOUT_CHECK,
        targeted=True,
    ),
    Case(
        "RMSprop",
        RMSprop,
        {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8},
        rmsprop,
        1,
        "RMSprop",
        variants=WITHOUT_CHECK,
        targeted=True,
    ),
    Case("Adadelta", Adadelta, {"lr": 1.0, "rho": 0.9, "eps": 1e-6}, adadelta, 2, "Adadelta"),
    Case(
        "Adam",
        Adam,
        {"lr": 1e-3, "betas": BETAS, "eps": 1e-8},
        adam,
        2,
        "Adam",
        variants=WITHOUT_CHECK,
        targeted=True,
    ),
    Case(
        "AdamW",
        AdamW,
        {"lr": 1e-3, "betas": BETAS, "eps": 1e-8, "weight_decay": 1e-2},
        adamw,
        2,
        "AdamW",
        variants=WITHOUT_CHECK,
        targeted=True,
    ),
    Case(
        "NAdam",
        NAdam,
        {"lr": 2e-3, "betas": BETAS, "eps": 1e-8, "momentum_decay": 4e-3},
        nadam,
        2,
        "NAdam",
    ),
    Case("RAdam", RAdam, {"lr": 1e-3, "betas": BETAS, "eps": 1e-8}, radam, 2, "RAdam"),
    Case("Lion", Lion, {"lr": 1e-4, "betas": (0.9, 0.99)}, lion, 1),
    Case("Adamax", Adamax, {"lr": 2e-3, "betas": BETAS, "eps": 1e-8}, adamax, 2, "Adamax"),
    Case("ASGD", ASGD, {"lr": 1e-2, "lambd": 1e-4, "alpha": 0.75, "t0": 1e6}, asgd, 1, "ASGD"),
    Case(
        "Rprop",
        Rprop,
        {"lr": 1e-2, "etas": (0.5, 1.2), "step_sizes": (1e-6, 50.0)},
        rprop,
        2,
        "Rprop",
    ),
    Case("AdaBelief", AdaBelief, {"lr": 1e-3, "b1": 0.9, "b2": 0.999, "eps": 1e-16}, adabelief, 2),
    Case("Yogi", Yogi, {"lr": 1e-2, "b1": 0.9, "b2": 0.999, "eps": 1e-3}, yogi, 2),
    Case("ScheduleFreeSGD", ScheduleFreeSGD, {"lr": 1.0, "momentum": 0.9}, schedule_free_sgd, 1),
    Case(
        "ScheduleFreeAdamW",
        ScheduleFreeAdamW,
        {"lr": 2.5e-3, "betas": BETAS, "eps": 1e-8},
        schedule_free_adamw,
        2,
    ),
)

#: Muon's step is matrix products (15 of them with 5 Newton-Schulz steps), not memory
#: traffic: it is timed on one square float32 matrix against torch.optim.Muon.
MUON_SIZE = 4096
TARGET_MUON_VS_TORCH = 0.8

TORCH_IMPLEMENTATIONS = ("fused", "foreach")

#: A comparison whose memory bound is below this fraction of the fastest bound measured
#: for the same traffic and size was disturbed by other processes, and is measured again.
DISTURBED = 0.9


# -- the contenders ------------------------------------------------------------------------


def ours_step(case: Case, p: np.ndarray, g: np.ndarray, options: dict) -> Callable[[], None]:
    """One step of ours; with ``parallel_threshold`` in ``options``, set for that step only."""
    options = dict(options)
    if "parallel_threshold" not in options:
        opt = case.ours(p, **case.hyper, **options)
        return lambda: opt.step(g)
    threshold = options.pop("parallel_threshold")
    opt = case.ours(p, **case.hyper, **options)
    default = parallel_threshold()

    def step() -> None:
        set_parallel_threshold(threshold)
        try:
            opt.step(g)
        finally:
            set_parallel_threshold(default)

    return step


def naive_step(case: Case, p: np.ndarray, g: np.ndarray) -> Callable[[], None]:
    state: dict[str, Any] = {}
    count = [0]

    def step() -> None:
        count[0] += 1
        case.naive(p, g, state, count[0], **case.hyper)

    return step


def torch_optimizer(torch: Any, case: Case, p: np.ndarray, g: np.ndarray, kind: str) -> Any:
    """``torch.optim.<name>([p], kind=True)`` on copies of p and g, or None where unsupported."""
    if torch is None or case.torch_name is None:
        return None
    param = torch.nn.Parameter(torch.from_numpy(p.copy()))
    param.grad = torch.from_numpy(g.copy())
    hyper = case.hyper if case.torch_hyper is None else case.torch_hyper
    try:
        return getattr(torch.optim, case.torch_name)([param], **hyper, **{kind: True})
    except (TypeError, ValueError, RuntimeError):
        return None


def contenders(
    case: Case, n: int, rng: np.random.Generator, torch: Any
) -> tuple[dict[str, Callable[[], None]], list[str]]:
    """Every step function timed for ``case`` at size ``n``, and the bound candidates' keys.

    Order: ours, naive and the Numba/NumPy bounds first, torch last, so that each thread
    pool (Numba's, torch's) runs its turns back to back.
    """
    p0 = rng.standard_normal(n).astype(np.float32)
    g = rng.standard_normal(n).astype(np.float32)
    steps: dict[str, Callable[[], None]] = {}
    for suffix, options in case.all_variants:
        steps[f"ours{suffix}"] = ours_step(case, p0.copy(), g, options)
    steps["naive"] = naive_step(case, p0.copy(), g)
    bound_keys = []
    bounds = candidates(n, case.n_state, rng)
    for name, step in sorted(bounds.items(), key=lambda item: "torch" in item[0]):
        steps[f"bound:{name}"] = step
        bound_keys.append(f"bound:{name}")
    for kind in TORCH_IMPLEMENTATIONS:
        opt = torch_optimizer(torch, case, p0, g, kind)
        if opt is not None:
            steps[f"torch {kind}"] = opt.step
    return steps, bound_keys


# -- checking that everyone computes the same thing -----------------------------------------


def verify(cases: tuple[Case, ...], torch: Any, n: int = 1000, steps: int = 8) -> None:
    """Run each implementation ``steps`` updates on random gradients; all must agree (float32).

    Raises:
        SystemExit: naming the case and implementation that computes a different update.
    """
    rng = np.random.default_rng(1)
    for case in cases:
        p0 = rng.standard_normal(n).astype(np.float32)
        grads = rng.standard_normal((steps, n)).astype(np.float32)
        p_naive = p0.copy()
        state: dict[str, Any] = {}
        for t, g in enumerate(grads, start=1):
            case.naive(p_naive, g, state, t, **case.hyper)
        results = {}
        for suffix, options in case.all_variants:
            p = p0.copy()
            g_buffer = np.empty_like(p0)
            step = ours_step(case, p, g_buffer, options)
            for g in grads:
                g_buffer[:] = g
                step()
            results[f"ours{suffix}"] = p
        if case.same_as_torch:
            for kind in TORCH_IMPLEMENTATIONS:
                opt = torch_optimizer(torch, case, p0, grads[0], kind)
                if opt is None:
                    continue
                param = opt.param_groups[0]["params"][0]
                for g in grads:
                    param.grad.copy_(torch.from_numpy(g))
                    opt.step()
                results[f"torch {kind}"] = param.detach().numpy()
        for name, p in results.items():
            if not np.allclose(p, p_naive, rtol=1e-5, atol=1e-6):
                error = np.max(np.abs(p - p_naive))
                raise SystemExit(
                    f"{case.label}: {name} differs from the naive formula after {steps} steps "
                    f"(max abs difference {error:.2e}); the benchmark would compare different work"
                )


# -- the run -------------------------------------------------------------------------------


@dataclass
class Comparison:
    """One optimizer at one size: every contender's timing, and which ones are bounds."""

    case: Case
    n: int
    timings: dict[str, Timing]
    bound_keys: list[str]
    busy_rounds: int

    @property
    def bound_key(self) -> str:
        return min(self.bound_keys, key=lambda key: self.timings[key].best)

    @property
    def bound_rate(self) -> float:
        return self.n / self.timings[self.bound_key].best

    def rows(self) -> list[Row]:
        timings = self.timings
        return [
            Row(
                label=self.case.label + suffix,
                n=self.n,
                targeted=self.case.targeted and suffix == "",
                ours=timings[f"ours{suffix}"],
                naive=timings["naive"],
                bound=timings[self.bound_key],
                bound_name=self.bound_key.removeprefix("bound:"),
                fused=timings.get("torch fused"),
                foreach=timings.get("torch foreach"),
                busy_rounds=self.busy_rounds,
            )
            for suffix, _ in self.case.all_variants
        ]


def compare(
    case: Case,
    n: int,
    rng: np.random.Generator,
    torch: Any,
    repeats: int,
    batch_seconds: float,
    gate: QuietGate,
) -> Comparison:
    steps, bound_keys = contenders(case, n, rng, torch)
    timings, busy_rounds = round_robin(steps, repeats, batch_seconds, gate)
    return Comparison(case, n, timings, bound_keys, busy_rounds)


def measure(
    cases: tuple[Case, ...],
    sizes: list[int],
    repeats: int,
    batch_seconds: float,
    torch: Any,
    gate: QuietGate,
    retries: int = 2,
) -> tuple[list[Row], dict[tuple[int, int], dict[str, float]], str]:
    """Time every case at every size.

    Before each round, ``gate`` waits for the machine to be quiet. The memory bound of one
    traffic pattern at one size is a property of the machine, so a comparison whose bound
    came out more than `DISTURBED` below the fastest bound of the same pattern and size in
    this run was disturbed: it is measured again (up to ``retries`` times), keeping the
    attempt with the fastest bound.

    Returns:
        The table rows, the bound candidates' best rates by (state arrays, size), and a
        line saying how noisy the run was.
    """
    rng = np.random.default_rng(0)
    results: dict[tuple[str, int], Comparison] = {}
    for n in sizes:
        for case in cases:
            results[case.label, n] = compare(case, n, rng, torch, repeats, batch_seconds, gate)
            print(f"  {case.label} at {size_label(n)}", file=sys.stderr, flush=True)
    remeasured = 0
    for _ in range(retries):
        fastest: dict[tuple[int, int], float] = {}
        for c in results.values():
            key = (c.case.n_state, c.n)
            fastest[key] = max(fastest.get(key, 0.0), c.bound_rate)
        disturbed = [
            c for c in results.values() if c.bound_rate < DISTURBED * fastest[c.case.n_state, c.n]
        ]
        for c in disturbed:
            print(f"  {c.case.label} at {size_label(c.n)}: again", file=sys.stderr, flush=True)
            again = compare(c.case, c.n, rng, torch, repeats, batch_seconds, gate)
            if again.bound_rate > c.bound_rate:
                results[c.case.label, c.n] = again
        remeasured += len(disturbed)
    rows = [row for c in results.values() for row in c.rows()]
    bounds: dict[tuple[int, int], dict[str, float]] = {}
    for c in results.values():
        seen = bounds.setdefault((c.case.n_state, c.n), {})
        for key in c.bound_keys:
            name = key.removeprefix("bound:")
            seen[name] = max(seen.get(name, 0.0), c.n / c.timings[key].best)
    busy = sum(c.busy_rounds for c in results.values())
    noise = (
        f"waited {gate.waited_seconds:.0f} s for a free core; {busy} of "
        f"{len(results) * repeats} kept timing rounds began on a busy machine; "
        f"{remeasured} comparisons measured again because their bound was disturbed"
    )
    return rows, bounds, noise


def muon_section(size: int, repeats: int, torch: Any, gate: QuietGate) -> list[str]:
    """Muon's step on one ``size`` x ``size`` float32 matrix: ours (bfloat16 emulated and
    full float32 Newton-Schulz) against torch.optim.Muon (bfloat16), as markdown lines."""
    rng = np.random.default_rng(0)
    W = rng.standard_normal((size, size)).astype(np.float32) / np.float32(np.sqrt(size))
    G = rng.standard_normal((size, size)).astype(np.float32)
    steps: dict[str, Callable[[], None]] = {}
    for precision in ("bfloat16", "full"):
        opt = Muon(W.copy(), lr=0.02, ns_precision=precision)
        steps[f"ours {precision}"] = lambda opt=opt: opt.step(G)
    if torch is not None:
        param = torch.nn.Parameter(torch.from_numpy(W.copy()))
        param.grad = torch.from_numpy(G.copy())
        steps["torch bfloat16"] = torch.optim.Muon([param], lr=0.02).step
    timings, busy = round_robin(steps, repeats, 0.0, gate, warmup=1)
    lines = [
        f"### Muon: one step on a {size} x {size} float32 matrix",
        "",
        "Five Newton-Schulz steps, 15 matrix products: the cost is the products, not memory "
        "traffic. Ours emulates PyTorch's bfloat16 on float32 products (and rounds after each "
        "operation); 'full' computes in float32. Target: torch / ours (bfloat16) >= "
        f"{TARGET_MUON_VS_TORCH}.",
        "",
        "| contender | s/step best (median) | torch / contender |",
        "|---|--:|--:|",
    ]
    reference = timings.get("torch bfloat16")
    for name, timing in timings.items():
        ratio = "—" if reference is None else f"{reference.best / timing.best:.2f}"
        if name == "ours bfloat16" and reference is not None:
            ok = reference.best / timing.best >= TARGET_MUON_VS_TORCH
            ratio += " ok" if ok else " **MISS**"
        lines.append(f"| {name} | {timing.best:.3f} ({timing.median:.3f}) | {ratio} |")
    lines += ["", f"{busy} of {repeats} rounds began on a busy machine."]
    return lines


def machine_lines(
    torch: Any, command: str, load: tuple[float, float], seconds: float, noise: str
) -> list[str]:
    l3 = l3_bytes()
    torch_text = (
        f"torch {torch.__version__} ({torch.get_num_threads()} threads)"
        if torch
        else "torch not used (not installed or --no-torch): its columns are empty"
    )
    lines = [
        f"Command: `{command}`  ",
        f"Date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; "
        f"run time {seconds:.0f} s  ",
        f"CPU: {cpu_model()}, {usable_cores()} cores"
        + (f", L3 cache {l3 / 2**20:,.0f} MiB" if l3 else "")
        + "  ",
        f"Python {sys.version.split()[0]}, numpy {np.__version__}, numba {numba.__version__} "
        f"(optimlab shares long steps among {parallel_threads()} threads), {torch_text}  ",
        f"Load average (1 min) at start {load[0]:.2f}, at end {load[1]:.2f}; {noise} "
        "(the machine is shared: medians show the noise)",
    ]
    return lines


def torch_lines(torch: Any, cases: tuple[Case, ...]) -> list[str]:
    """Which torch.optim classes accept ``fused=True`` on CPU, and how cases map to torch."""
    if torch is None:
        return []
    p, g = np.zeros(4, np.float32), np.zeros(4, np.float32)
    names = {case.torch_name: case for case in cases if case.torch_name}
    fused = [name for name, case in names.items() if torch_optimizer(torch, case, p, g, "fused")]
    lines = [
        f"torch {torch.__version__} on CPU accepts `fused=True` for {', '.join(fused) or 'none'}"
        f"; the others ({', '.join(sorted(set(names) - set(fused))) or 'none'}) have `foreach` "
        "only."
    ]
    for case in cases:
        if case.torch_name is None:
            lines.append(f"{case.label} is not in torch.optim: no torch columns.")
        elif not case.same_as_torch:
            lines.append(
                f"{case.label}'s torch columns run torch.optim.{case.torch_name}"
                f"({', '.join(f'{k}={v}' for k, v in (case.torch_hyper or {}).items())}): the "
                "same traffic and the same update after the first step."
            )
    return [" ".join(lines)]


def method_lines(sizes: list[int], repeats: int, batch_seconds: float) -> list[str]:
    largest = max(sizes)
    l3 = l3_bytes()
    adam_set = 4 * 4 * largest  # p, g, m, v in float32
    adam_moved = traffic_bytes(2) * largest
    lines = [
        f"float32, one flat buffer of each size; {repeats} interleaved rounds; in each round "
        f"every contender runs untimed for 2 ms, then k steps back to back (about "
        f"{batch_seconds * 1e3:.0f} ms). Ours: default options (fused Numba kernel, "
        "shared among the cores from 2^21 values and on one thread below, non-finite check) "
        "unless the row says otherwise; the targets judge these rows. "
        "Rows marked 'one thread' set `optimlab.optim.set_parallel_threshold(None)` for "
        "their steps. torch: `p.grad` set once, "
        "`opt.step()` repeated. Naive: the formulas as NumPy expressions with temporaries "
        "(bench/_naive.py). Memory bound: the fastest of the candidates below, each moving "
        "the optimizer's bytes ((2 + k) reads and (1 + k) writes of 4 bytes per param for k "
        "state arrays) with trivial arithmetic (bench/_memory_bound.py). Before timing, every "
        "implementation is checked to give the same parameters after 8 steps.",
    ]
    if l3:
        fits = "fits" if adam_set < l3 else "does not fit"
        lines += [
            "",
            f"Cache: at {size_label(largest)} params Adam's working set (p, g, m, v) is "
            f"{adam_set / 2**20:,.1f} MiB and one step moves {adam_moved / 2**20:,.1f} MiB "
            f"(7 accesses of 4 bytes per param); this {fits} in the {l3 / 2**20:,.0f} MiB L3 "
            "the machine reports, so the 'memory bound' here is largely a cache-bandwidth "
            "bound (shared with whatever else runs on the host), not a DRAM one.",
        ]
    return lines


def parse_sizes(text: str) -> list[int]:
    sizes = [int(float(item)) for item in text.split(",") if item.strip()]
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError(f"--sizes needs positive integers, got {text!r}")
    return sizes


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, 3 repeats")
    parser.add_argument("--sizes", type=parse_sizes, help="comma-separated, e.g. 1e4,1e6,1e7")
    parser.add_argument("--repeats", type=int, help="timed batches per contender (default 9)")
    parser.add_argument("--batch-ms", type=float, help="length of one batch (default 10 ms)")
    parser.add_argument("--optimizers", help="comma-separated labels, e.g. Adam,SGD-momentum")
    parser.add_argument(
        "--max-wait",
        type=float,
        help="seconds the whole run may wait for other processes to leave a core free (120)",
    )
    parser.add_argument("--no-torch", action="store_true", help="leave torch out even if present")
    parser.add_argument(
        "--muon-size", type=int, help=f"side of Muon's square matrix (default {MUON_SIZE}; 0: skip)"
    )
    parser.add_argument("--write", type=Path, metavar="PATH", help="write the table into PATH")
    args = parser.parse_args(argv)

    sizes = args.sizes or ([10**4, 10**5] if args.quick else [10**4, 10**6, 10**7])
    repeats = args.repeats or (3 if args.quick else 9)
    batch_seconds = (args.batch_ms or (3.0 if args.quick else 10.0)) / 1e3
    max_wait = args.max_wait if args.max_wait is not None else (5.0 if args.quick else 120.0)
    if repeats < 1 or batch_seconds <= 0 or max_wait < 0:
        parser.error("--repeats must be >= 1, --batch-ms > 0 and --max-wait >= 0")
    cases = CASES
    if args.optimizers:
        wanted = [label.strip() for label in args.optimizers.split(",")]
        unknown = sorted(set(wanted) - {case.label for case in CASES})
        if unknown:
            parser.error(f"unknown --optimizers {unknown}; choose from {[c.label for c in CASES]}")
        cases = tuple(case for case in CASES if case.label in wanted)

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None
    if torch is not None:
        torch.set_num_threads(usable_cores())

    command = shlex.join(["python", *sys.argv]) if argv is None else shlex.join(argv)
    start, load_start = time.perf_counter(), os.getloadavg()[0]
    verify(cases, torch)
    gate = QuietGate(parallel_probe(), budget_seconds=max_wait)
    rows, bounds, noise = measure(cases, sizes, repeats, batch_seconds, torch, gate)
    muon_size = args.muon_size if args.muon_size is not None else (256 if args.quick else MUON_SIZE)
    muon = muon_section(muon_size, min(repeats, 3), torch, gate) if muon_size else []
    seconds = time.perf_counter() - start
    body = section(
        rows,
        bounds,
        machine_lines(
            torch,
            command,
            (load_start, os.getloadavg()[0]),
            seconds,
            noise,
        ),
        [*method_lines(sizes, repeats, batch_seconds), "", *torch_lines(torch, cases)],
    )
    if muon:
        body = body.rstrip("\n") + "\n\n" + "\n".join(muon) + "\n"
    print(body)
    if args.write:
        write_section(args.write, body)
        print(f"wrote {args.write}", file=sys.stderr)


if __name__ == "__main__":
    main()
