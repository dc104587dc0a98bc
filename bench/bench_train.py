"""Training throughput: issue 3's three benchmarks, each against its anchor in the same run.

1. Mini-batch MLP training (784-256-128-10, ReLU, Adam, batch 128, float32, 60,000 random
   samples): samples per second of one epoch of `optimlab.train.fit`, after a warm-up epoch,
   against the same network and optimizer in PyTorch on the CPU. Each contender runs in its
   own worker process (only its own libraries loaded, the thread-tuning environment
   variables cleared) and the workers take turns, epoch by epoch. Extra workers run ours
   with every optimizer step shared among the cores (``OPTIMLAB_PARALLEL_THRESHOLD``), and
   PyTorch's Adam with its CPU default (the per-tensor loop), to show what those choices
   cost. The ours
   worker then profiles one epoch: batch gathering, forward, backward and optimizer step,
   timed in sequence as fit runs them and each on its own.
2. Per-sample SGD (batch size 1, constant lr 0.01) on logistic regression, 100,000 x 50:
   time per epoch of fit (the compiled epoch) against scikit-learn's `SGDClassifier`, and of
   the plain Python loop (``SGD(fused=False)``) on fewer samples, scaled.
3. Full-batch Newton on logistic regression (l2 = 1e-4), 100,000 x 50, to a gradient norm
   of 1e-8, against scikit-learn's ``LogisticRegression(solver="newton-cholesky")`` with the
   same objective; both must reach the same coefficients.

Contenders of one comparison are timed in turn, repeat by repeat, so that a slow moment of
the shared machine hits all of them; the best repeat is reported, with the median.

Usage:
    python bench/bench_train.py                      # full run (a few minutes)
    python bench/bench_train.py --quick              # smoke run (small sizes)
    python bench/bench_train.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import shlex
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from itertools import pairwise
from pathlib import Path

import numpy as np
from _report import cpu_model, usable_cores, write_section
from _timing import Timing

HEADING = "## Training throughput (bench/bench_train.py)"

LAYERS = (784, 256, 128, 10)
BATCH_SIZE = 128
ADAM_LR = 1e-3  # PyTorch's default
SGD_LR = 0.01
NEWTON_L2 = 1e-4
GRAD_TOL = 1e-8
NEWTON_MAX_ITERATIONS = 30
LABEL_NOISE = 0.5

TARGET_MLP = 1.0  # ours / PyTorch samples per second, at least
TARGET_SGD = 2.0  # ours / scikit-learn time per epoch, at most
TARGET_NEWTON = 1.0  # ours / scikit-learn time, at most

#: Variables that change how the libraries use threads; workers run without them unless a
#: variant sets one, so that the default rows measure the libraries' defaults.
THREAD_VARIABLES = (
    "OPTIMLAB_PARALLEL_THRESHOLD",
    "NUMBA_NUM_THREADS",
    "NUMBA_THREADING_LAYER",
    "OMP_NUM_THREADS",
    "OMP_WAIT_POLICY",
    "GOMP_SPINCOUNT",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
)


@dataclass(frozen=True)
class Sizes:
    """Problem sizes and repeat counts of one run."""

    mlp_samples: int = 60_000
    linear_samples: int = 100_000
    linear_features: int = 50
    sgd_epochs: int = 5
    python_loop_samples: int = 10_000
    repeats: int = 3


QUICK = Sizes(
    mlp_samples=2_560, linear_samples=5_000, sgd_epochs=2, python_loop_samples=1_000, repeats=2
)


@dataclass(frozen=True)
class Variant:
    """One MLP contender: a worker kind and the environment it runs under."""

    label: str
    kind: str  # "ours", "torch-foreach" or "torch-default"
    env: tuple[tuple[str, str], ...] = ()
    anchor: bool = False


MLP_VARIANTS = (
    Variant("optimlab (defaults)", "ours"),
    Variant("PyTorch, Adam(foreach=True)", "torch-foreach", anchor=True),
    Variant("PyTorch, Adam() (CPU default: per-tensor loop)", "torch-default"),
    Variant(
        "optimlab, OPTIMLAB_PARALLEL_THRESHOLD=65536 (every step shared among the cores)",
        "ours",
        (("OPTIMLAB_PARALLEL_THRESHOLD", "65536"),),
    ),
)


# --- data -----------------------------------------------------------------------------


def mlp_data(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` standard normal float32 rows of 784 features and random labels 0..9."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, LAYERS[0]), dtype=np.float32)
    return X, rng.integers(0, LAYERS[-1], n)


def logistic_data(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal ``(n, d)`` features; labels ``[x w / sqrt(d) + noise > 0]``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    score = X @ w / np.sqrt(d) + LABEL_NOISE * rng.standard_normal(n)
    return X, (score > 0).astype(np.int64)


# --- timing ---------------------------------------------------------------------------


def round_robin(contenders: dict[str, Callable[[], float]], repeats: int) -> dict[str, Timing]:
    """Call each contender (which returns the seconds it measured) in turn, ``repeats`` times."""
    seconds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, run in contenders.items():
            gc.collect()
            seconds[name].append(run())
    return {name: Timing(tuple(values)) for name, values in seconds.items()}


# --- benchmark 1: the MLP, one worker process per contender ----------------------------


class OursMLP:
    """optimlab's MLP and Adam, trained by `fit`."""

    def __init__(self, n: int) -> None:
        from optimlab.models import MLP
        from optimlab.optim import Adam

        self.model = MLP(
            list(LAYERS), activation="relu", task="multiclass", dtype=np.float32, seed=0
        )
        self.optimizer = Adam(self.model.params, lr=ADAM_LR)
        self.X, self.y = mlp_data(n)
        self.epochs_done = 0

    def epoch(self) -> dict[str, float]:
        """One epoch of fit: the epoch's own time (History) and fit's wall time."""
        from optimlab.train import fit

        start = time.perf_counter()
        history = fit(
            self.model,
            self.optimizer,
            self.X,
            self.y,
            epochs=1,
            batch_size=BATCH_SIZE,
            evaluate_train=False,
            seed=self.epochs_done,
        )
        wall = time.perf_counter() - start
        self.epochs_done += 1
        if history.stop_reason != "completed":
            raise RuntimeError(f"our MLP run stopped: {history.message}")
        return {"seconds": history.epoch_time[-1], "fit_seconds": wall}

    def profile(self) -> dict[str, object]:
        """Microseconds per batch of each part of a training step, inside a real fit epoch
        and each part alone.

        In fit: the model's ``loss_and_grad`` and private ``_forward`` (which it calls) and
        the optimizer's ``step`` are wrapped, on the instances, by timers (backward =
        loss_and_grad - forward); batch gathering ``X[index], y[index]`` is timed over an
        epoch's batches on its own; the fit loop's overhead is the rest of the epoch time.
        """
        totals = dict.fromkeys(("forward", "loss_and_grad", "step"), 0.0)
        targets = {
            "forward": self.model,
            "loss_and_grad": self.model,
            "step": self.optimizer,
        }
        for name, owner in targets.items():
            setattr(
                owner, _method_name(name), _timed(getattr(owner, _method_name(name)), totals, name)
            )
        try:
            timed = self.epoch()
        finally:
            for name, owner in targets.items():
                delattr(owner, _method_name(name))
        X, y = self.model.validate(self.X, self.y)
        order = np.random.default_rng(self.epochs_done).permutation(len(y))
        batches = [order[i : i + BATCH_SIZE] for i in range(0, len(y), BATCH_SIZE)]
        start = time.perf_counter()
        for index in batches:
            self._gather(X, y, index)
        totals["gather"] = time.perf_counter() - start
        in_fit = {name: 1e6 * s / len(batches) for name, s in totals.items()}
        epoch_us = 1e6 * timed["seconds"] / len(batches)
        parts = _split_backward(in_fit)
        return {
            "batches": len(batches),
            "epoch_us": epoch_us,
            "in_fit": parts,
            "alone": _split_backward(self._alone(X, y, batches[0])),
            "fit_loop_us": epoch_us - sum(parts.values()),
            "fit_setup_ms": 1e3 * (timed["fit_seconds"] - timed["seconds"]),
        }

    @staticmethod
    def _gather(X: np.ndarray, y: np.ndarray, index: np.ndarray) -> tuple[np.ndarray, ...]:
        return X[index], y[index]

    def _alone(self, X: np.ndarray, y: np.ndarray, index: np.ndarray, calls: int = 30):
        """Each part called ``calls`` times back to back on one batch (µs per call)."""
        Xb, yb = self._gather(X, y, index)
        _, grads = self.model.loss_and_grad(Xb, yb, check=False)
        grads = {k: v.copy() for k, v in grads.items()}
        acts, _ = self.model._buffers(len(yb))
        parts = {
            "gather": lambda: self._gather(X, y, index),
            "forward": lambda: self.model._forward(Xb, self.model.params, acts),
            "loss_and_grad": lambda: self.model.loss_and_grad(Xb, yb, check=False),
            "step": lambda: self.optimizer.step(grads),
        }
        out = {}
        for name, part in parts.items():
            part()
            start = time.perf_counter()
            for _ in range(calls):
                part()
            out[name] = 1e6 * (time.perf_counter() - start) / calls
        return out


def _method_name(part: str) -> str:
    return {"forward": "_forward", "loss_and_grad": "loss_and_grad", "step": "step"}[part]


def _timed(method: Callable, totals: dict[str, float], name: str) -> Callable:
    """``method`` adding its seconds to ``totals[name]`` on batches (not on the whole set,
    which fit evaluates once before the first batch)."""

    def wrapper(X, *args, **kwargs):
        start = time.perf_counter()
        result = method(X, *args, **kwargs)
        if name == "step" or len(X) <= BATCH_SIZE:
            totals[name] += time.perf_counter() - start
        return result

    return wrapper


def _split_backward(per_batch: dict[str, float]) -> dict[str, float]:
    """``gather, forward, backward, step`` from ``gather, forward, loss_and_grad, step``."""
    return {
        "gather": per_batch["gather"],
        "forward": per_batch["forward"],
        "backward": per_batch["loss_and_grad"] - per_batch["forward"],
        "step": per_batch["step"],
    }


class TorchMLP:
    """The same network in PyTorch: Sequential of Linear/ReLU, CrossEntropyLoss, Adam."""

    def __init__(self, n: int, foreach: bool | None) -> None:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)
        torch.manual_seed(0)
        layers: list[torch.nn.Module] = []
        for fan_in, fan_out in pairwise(LAYERS):
            layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.ReLU()]
        self.torch = torch
        self.net = torch.nn.Sequential(*layers[:-1])
        self.optimizer = torch.optim.Adam(self.net.parameters(), lr=ADAM_LR, foreach=foreach)
        self.loss = torch.nn.CrossEntropyLoss()
        X, y = mlp_data(n)
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)
        self.generator = torch.Generator().manual_seed(0)

    def epoch(self) -> dict[str, float]:
        """One epoch: a new permutation, batches of 128 (the last one shorter)."""
        torch, n = self.torch, len(self.y)
        start = time.perf_counter()
        order = torch.randperm(n, generator=self.generator)
        for i in range(0, n, BATCH_SIZE):
            index = order[i : i + BATCH_SIZE]
            self.optimizer.zero_grad()
            self.loss(self.net(self.X[index]), self.y[index]).backward()
            self.optimizer.step()
        seconds = time.perf_counter() - start
        return {"seconds": seconds, "fit_seconds": seconds}


def serve(kind: str, n: int) -> None:
    """Worker loop: build the contender, run a warm-up epoch, then answer commands on stdin
    (``epoch``, ``profile``) with one JSON line each on stdout."""
    trainer = OursMLP(n) if kind == "ours" else TorchMLP(n, foreach=kind == "torch-foreach")
    trainer.epoch()  # warm-up: Numba compiles, PyTorch allocates
    print(json.dumps({"ready": kind}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "epoch":
            reply: dict = trainer.epoch()
        elif command == "profile" and isinstance(trainer, OursMLP):
            reply = trainer.profile()
        else:
            reply = {"error": f"unknown command {command!r} for {kind}"}
        print(json.dumps(reply), flush=True)


class Worker:
    """A `serve` process for one `Variant`."""

    def __init__(self, variant: Variant, n: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
        env.update(variant.env)
        command = [sys.executable, __file__, "--worker", variant.kind, "--samples", str(n)]
        self.variant = variant
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )

    def read(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the worker for {self.variant.label!r} exited (see its stderr)")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(reply["error"])
        return reply

    def ask(self, command: str) -> dict:
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.read()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


@dataclass
class MLPResult:
    samples: int
    epochs: dict[str, Timing]
    profile: dict
    anchor: str
    ours: str = MLP_VARIANTS[0].label

    def rate(self, label: str, which: str = "best") -> float:
        return self.samples / getattr(self.epochs[label], which)

    @property
    def ratio(self) -> float:
        return self.rate(self.ours) / self.rate(self.anchor)


def bench_mlp(sizes: Sizes) -> MLPResult:
    """Benchmark 1: every `MLP_VARIANTS` worker, epoch by epoch in turn, then the profile."""
    workers = [Worker(variant, sizes.mlp_samples) for variant in MLP_VARIANTS]
    try:
        for worker in workers:  # they warm up at the same time
            worker.read()
        contenders = {w.variant.label: _epoch_of(w) for w in workers}
        epochs = round_robin(contenders, sizes.repeats)
        profile = workers[0].ask("profile")
    finally:
        for worker in workers:
            worker.close()
    anchor = next(v.label for v in MLP_VARIANTS if v.anchor)
    return MLPResult(sizes.mlp_samples, epochs, profile, anchor)


def _epoch_of(worker: Worker) -> Callable[[], float]:
    return lambda: worker.ask("epoch")["seconds"]


# --- benchmark 2: per-sample SGD on logistic regression --------------------------------


@dataclass
class SGDResult:
    samples: int
    features: int
    epochs: int
    ours: Timing
    sklearn: Timing
    python_loop: Timing
    python_loop_samples: int
    ours_loss: float
    sklearn_loss: float

    @property
    def ratio(self) -> float:
        return self.ours.best / self.sklearn.best


def bench_sgd(sizes: Sizes) -> SGDResult:
    """Benchmark 2: seconds per epoch of ours (compiled), scikit-learn and the Python loop."""
    from sklearn.linear_model import SGDClassifier

    from optimlab.models import LogisticRegression
    from optimlab.optim import SGD
    from optimlab.train import compiled_sgd, fit

    X, y = logistic_data(sizes.linear_samples, sizes.linear_features)
    n_py = min(sizes.python_loop_samples, len(y))
    last: dict[str, object] = {}

    def ours(fused: bool = True, n: int = len(y), epochs: int = sizes.sgd_epochs) -> float:
        model = LogisticRegression(X.shape[1])
        optimizer = SGD(model.params, lr=SGD_LR, fused=fused)
        if compiled_sgd.applies(model, optimizer, 1, "stochastic") != fused:
            raise RuntimeError("the compiled epoch is not used as this benchmark assumes")
        start = time.perf_counter()
        history = fit(
            model, optimizer, X[:n], y[:n], epochs=epochs, batch_size=1, evaluate_train=False
        )
        seconds = (time.perf_counter() - start) / epochs
        if history.stop_reason != "completed":
            raise RuntimeError(f"our SGD run stopped: {history.message}")
        last[f"ours fused={fused}"] = model
        return seconds

    def sklearn() -> float:
        classifier = SGDClassifier(
            loss="log_loss",
            learning_rate="constant",
            eta0=SGD_LR,
            penalty=None,
            alpha=0,
            max_iter=sizes.sgd_epochs,
            tol=None,
            shuffle=True,
            random_state=0,
        )
        start = time.perf_counter()
        classifier.fit(X, y)
        last["sklearn"] = classifier
        return (time.perf_counter() - start) / sizes.sgd_epochs

    def python_loop() -> float:
        return ours(fused=False, n=n_py, epochs=1) * len(y) / n_py

    ours(epochs=1)  # warm-up: Numba compiles the epoch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SGDClassifier: ConvergenceWarning at max_iter
        timings = round_robin(
            {"ours": ours, "sklearn": sklearn, "python": python_loop}, sizes.repeats
        )
    return SGDResult(
        len(y),
        X.shape[1],
        sizes.sgd_epochs,
        timings["ours"],
        timings["sklearn"],
        timings["python"],
        n_py,
        ours_loss=float(last["ours fused=True"].loss_and_grad(X, y)[0]),
        sklearn_loss=_log_loss(last["sklearn"].decision_function(X), y),
    )


def _log_loss(z: np.ndarray, y: np.ndarray) -> float:
    """Mean ``log(1 + e^z) - y z``, computed here (independently of optimlab)."""
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


# --- benchmark 3: full-batch Newton on logistic regression -----------------------------


@dataclass
class NewtonResult:
    samples: int
    features: int
    ours: Timing
    sklearn: Timing
    ours_iterations: int
    sklearn_iterations: int
    ours_grad_norm: float
    sklearn_grad_norm: float
    max_coef_difference: float

    @property
    def ratio(self) -> float:
        return self.ours.best / self.sklearn.best


def bench_newton(sizes: Sizes) -> NewtonResult:
    """Benchmark 3: fit with Newton for the fewest iterations that reach `GRAD_TOL`, against
    scikit-learn's newton-cholesky (``C = 1 / (l2 n)``: the same objective)."""
    from sklearn.linear_model import LogisticRegression as SkLogisticRegression

    from optimlab.models import LogisticRegression
    from optimlab.optim import Newton
    from optimlab.train import fit

    X, y = logistic_data(sizes.linear_samples, sizes.linear_features)
    iterations = _newton_iterations(X, y)
    last: dict[str, object] = {}

    def ours() -> float:
        start = time.perf_counter()
        model = LogisticRegression(X.shape[1], l2=NEWTON_L2)
        fit(model, Newton(model.params), X, y, iterations=iterations)
        seconds = time.perf_counter() - start
        last["ours"] = model
        return seconds

    def sklearn() -> float:
        start = time.perf_counter()
        classifier = SkLogisticRegression(
            solver="newton-cholesky", C=1.0 / (NEWTON_L2 * len(y)), tol=1e-10, max_iter=100
        ).fit(X, y)
        seconds = time.perf_counter() - start
        last["sklearn"] = classifier
        return seconds

    timings = round_robin({"ours": ours, "sklearn": sklearn}, sizes.repeats)
    model, classifier = last["ours"], last["sklearn"]
    theirs = LogisticRegression(X.shape[1], l2=NEWTON_L2)
    theirs.set_params({"W": classifier.coef_.T, "b": classifier.intercept_})
    ours_coef = np.concatenate([model.params["W"].ravel(), model.params["b"]])
    sklearn_coef = np.concatenate([classifier.coef_.ravel(), classifier.intercept_])
    return NewtonResult(
        len(y),
        X.shape[1],
        timings["ours"],
        timings["sklearn"],
        iterations,
        int(classifier.n_iter_[0]),
        _grad_norm(model, X, y),
        _grad_norm(theirs, X, y),
        float(np.abs(ours_coef - sklearn_coef).max()),
    )


def _newton_iterations(X: np.ndarray, y: np.ndarray) -> int:
    """The fewest Newton steps after which the gradient norm is at most `GRAD_TOL` (from an
    untimed run's History: ``grad_norm[k]`` is the norm after k steps)."""
    from optimlab.models import LogisticRegression
    from optimlab.optim import Newton
    from optimlab.train import fit

    model = LogisticRegression(X.shape[1], l2=NEWTON_L2)
    history = fit(model, Newton(model.params), X, y, iterations=NEWTON_MAX_ITERATIONS)
    for k, norm in enumerate(history.grad_norm):
        if norm <= GRAD_TOL:
            return k
    raise RuntimeError(
        f"Newton did not reach a gradient norm of {GRAD_TOL} in {NEWTON_MAX_ITERATIONS} steps"
    )


def _grad_norm(model, X: np.ndarray, y: np.ndarray) -> float:
    _, grads = model.loss_and_grad(X, y)
    return float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))


# --- report ---------------------------------------------------------------------------


@dataclass
class Run:
    """Everything one run measured, and where."""

    command: str
    sizes: Sizes
    mlp: MLPResult
    sgd: SGDResult
    newton: NewtonResult
    load: dict[str, tuple[float, float, float]] = field(default_factory=dict)


def versions() -> str:
    names = ("optimlab", "numpy", "scipy", "numba", "torch", "scikit-learn")
    found = []
    for name in names:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return f"Python {platform.python_version()}, " + ", ".join(found)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def _ms(timing: Timing, scale: float = 1e3) -> str:
    return f"{timing.best * scale:,.1f} ({timing.median * scale:,.1f})"


def summary_table(run: Run) -> list[str]:
    mlp, sgd, newton = run.mlp, run.sgd, run.newton
    return [
        "| benchmark | optimlab | anchor | ratio | target | verdict |",
        "|---|--:|--:|--:|--:|---|",
        f"| MLP 784-256-128-10, Adam, batch 128, float32, {mlp.samples:,} samples "
        f"(samples/s) | {mlp.rate(mlp.ours):,.0f} | PyTorch {mlp.rate(mlp.anchor):,.0f} "
        f"| {mlp.ratio:.2f}x | >= {TARGET_MLP:.1f}x | {_verdict(mlp.ratio >= TARGET_MLP)} |",
        f"| Per-sample SGD, logistic regression {sgd.samples:,} x {sgd.features} (ms/epoch) "
        f"| {sgd.ours.best * 1e3:,.1f} | scikit-learn {sgd.sklearn.best * 1e3:,.1f} "
        f"| {sgd.ratio:.2f}x | <= {TARGET_SGD:.1f}x | {_verdict(sgd.ratio <= TARGET_SGD)} |",
        f"| Newton, logistic regression {newton.samples:,} x {newton.features}, to "
        f"gradient norm {GRAD_TOL:g} (ms) | {newton.ours.best * 1e3:,.1f} "
        f"| scikit-learn {newton.sklearn.best * 1e3:,.1f} | {newton.ratio:.2f}x "
        f"| <= {TARGET_NEWTON:.1f}x | {_verdict(newton.ratio <= TARGET_NEWTON)} |",
    ]


def mlp_lines(mlp: MLPResult) -> list[str]:
    lines = [
        f"### 1. MLP: samples per second, best (median) of the epochs, vs {mlp.anchor}",
        "",
        "| contender | samples/s | vs anchor |",
        "|---|--:|--:|",
    ]
    for label in mlp.epochs:
        lines.append(
            f"| {label} | {mlp.rate(label):,.0f} ({mlp.rate(label, 'median'):,.0f}) "
            f"| {mlp.rate(label) / mlp.rate(mlp.anchor):.2f}x |"
        )
    lines += [
        "",
        "The row that sets a variable is a diagnostic, not the comparison: by default this "
        "model's steps (235,146 values, under 2^21) run on one thread. It shares every step "
        "among the cores while OpenBLAS's threads (the matrix products) want the same cores; "
        "optimlab's helper threads sleep between steps, so they do not take the cores from "
        "the next matrix products.",
    ]
    profile = mlp.profile
    in_fit, alone = profile["in_fit"], profile["alone"]
    lines += [
        "",
        f"Where optimlab's time goes, µs per batch (one epoch, {profile['batches']} batches, "
        "default environment). *In fit*: timers around the model's forward pass and "
        "loss_and_grad and the optimizer's step during a real fit epoch (backward = "
        "loss_and_grad - forward; gather timed over an epoch's batches on its own); *alone*: "
        "the same part called 30 times back to back on one batch.",
        "",
        "| part | in fit | alone |",
        "|---|--:|--:|",
    ]
    for part in in_fit:
        lines.append(f"| {part} | {in_fit[part]:,.0f} | {alone[part]:,.0f} |")
    lines += [
        f"| fit() loop overhead (epoch time / batches - the parts) "
        f"| {profile['fit_loop_us']:,.0f} | |",
        f"| total per batch (epoch time / batches) | {profile['epoch_us']:,.0f} | |",
        "",
        f"fit() also spends {profile['fit_setup_ms']:,.0f} ms per call before the first batch "
        "(validating X and y, the initial loss on the whole set); the epoch times above "
        "exclude it (they are History.epoch_time).",
    ]
    return lines


def sgd_lines(sgd: SGDResult) -> list[str]:
    return [
        f"### 2. Per-sample SGD: ms per epoch, best (median); fit/fit with {sgd.epochs} epochs",
        "",
        "| contender | ms/epoch | vs scikit-learn |",
        "|---|--:|--:|",
        f"| optimlab fit, SGD(lr={SGD_LR}), batch_size=1 (compiled epoch) | {_ms(sgd.ours)} "
        f"| {sgd.ratio:.2f}x |",
        f"| scikit-learn SGDClassifier(log_loss, constant eta0={SGD_LR}) | {_ms(sgd.sklearn)} "
        "| 1.00x |",
        f"| optimlab fit, SGD(fused=False): the Python loop, {sgd.python_loop_samples:,} "
        f"samples scaled to {sgd.samples:,} | {_ms(sgd.python_loop)} "
        f"| {sgd.python_loop.best / sgd.sklearn.best:.1f}x |",
        "",
        f"Training log-loss after {sgd.epochs} epochs: optimlab {sgd.ours_loss:.4f}, "
        f"scikit-learn {sgd.sklearn_loss:.4f} (different shuffles, same rule).",
    ]


def newton_lines(newton: NewtonResult) -> list[str]:
    return [
        "### 3. Newton: seconds to convergence, best (median)",
        "",
        "| contender | ms | iterations | final gradient norm |",
        "|---|--:|--:|--:|",
        f"| optimlab fit(Newton, iterations=k), l2={NEWTON_L2:g} | {_ms(newton.ours)} "
        f"| {newton.ours_iterations} | {newton.ours_grad_norm:.1e} |",
        f"| scikit-learn LogisticRegression(newton-cholesky, C=1/(l2 n), tol=1e-10) "
        f"| {_ms(newton.sklearn)} | {newton.sklearn_iterations} "
        f"| {newton.sklearn_grad_norm:.1e} |",
        "",
        f"k is the fewest Newton steps after which the gradient norm is <= {GRAD_TOL:g} "
        "(found in an untimed run). Gradient norms are of the same objective, mean log-loss "
        f"+ l2/2 ||w||^2, computed by optimlab for both. Largest coefficient difference: "
        f"{newton.max_coef_difference:.1e}.",
    ]


def section(run: Run, date: str) -> str:
    """The generated markdown block (without the heading)."""
    cores = usable_cores()
    load = "; ".join(f"{k}: {' '.join(f'{x:.1f}' for x in v)}" for k, v in run.load.items())
    parts = [
        f"- Command: `{run.command}`",
        f"- Date: {date}",
        f"- Machine: {cpu_model()}, {cores} cores usable; load averages (1, 5, 15 min) {load}",
        f"- Versions: {versions()}",
        "- Method: the contenders of each benchmark take turns, repeat by repeat, in the same "
        f"run ({run.sizes.repeats} repeats); ratios are best over best. The machine is shared: "
        "medians show the noise. MLP contenders run in separate worker processes, without "
        f"the variables {', '.join(THREAD_VARIABLES)} unless a row sets one.",
        "",
        "### Summary",
        "",
        *summary_table(run),
        "",
        *mlp_lines(run.mlp),
        "",
        *sgd_lines(run.sgd),
        "",
        *newton_lines(run.newton),
    ]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--write", type=Path, help="put the results in this markdown file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--samples", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        serve(args.worker, args.samples)
        return
    sizes = QUICK if args.quick else Sizes()
    command = shlex.join(
        ["python", *(sys.argv if argv is None else ["bench/bench_train.py", *argv])]
    )
    load: dict[str, tuple[float, float, float]] = {"start": os.getloadavg()}
    print("1/3 MLP (worker processes warm up first)...", flush=True)
    mlp = bench_mlp(sizes)
    print("2/3 per-sample SGD...", flush=True)
    sgd = bench_sgd(sizes)
    print("3/3 Newton...", flush=True)
    newton = bench_newton(sizes)
    load["end"] = os.getloadavg()
    run = Run(command, sizes, mlp, sgd, newton, load)
    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    body = section(run, date)
    print(f"\n{HEADING}\n\n{body}")
    if args.write:
        write_section(args.write, body, HEADING, "bench_train.py")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
