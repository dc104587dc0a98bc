"""optimlab's scikit-learn estimators against scikit-learn's own, in the same run.

1. The MLP with Adam: ``OptimClassifier(model="mlp", optimizer="Adam")`` against
   ``MLPClassifier(solver="adam")`` with the same network (one hidden layer of 100 ReLUs,
   initial weights of Glorot's variance: ``init="xavier"``), epochs, batch size (200),
   learning rate (1e-3), Adam constants and L2 penalty
   (scikit-learn's ``alpha=1e-4`` is ``l2 = alpha / batch_size``), every epoch run (no early
   stop), on the digits (1,797 x 64, 10 classes, a stratified 75/25 split) and on a
   synthetic set of 100,000 x 50 (``make_classification``, two classes, 20,000 more rows
   for testing), features standardised: test accuracy (mean and standard deviation over
   the repeats, one seed each) and the time of ``fit``.
2. Newton on logistic regression: ``OptimClassifier(model="logistic", optimizer="Newton")``
   against ``LogisticRegression(solver="newton-cholesky")``, the same objective (``C = 1``,
   ``l2 = 1 / (C n)``), on 100,000 x 50: coefficients and the time of ``fit``. The libraries
   stop on different tests (scikit-learn: the largest gradient entry after a step; optimlab:
   the gradient norm where the last step started), so each runs at its loosest tolerance
   10^-k that reaches the optimum (scikit-learn at ``tol=1e-12``) to 5e-7, found by untimed
   fits first; the two results must then agree to 1e-6.

The contenders of one comparison take turns, repeat by repeat, so that a slow moment of the
shared machine hits both; each first fits once untimed (compiling optimlab's update,
warming the caches). Ratios are best over best; medians show the noise.

Usage:
    python bench/bench_sklearn.py                  # full run (a few minutes)
    python bench/bench_sklearn.py --quick          # smoke run (small sizes, about a minute)
    python bench/bench_sklearn.py --blas-threads 1 # both libraries' matrix products on 1 thread
    python bench/bench_sklearn.py --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import platform
import shlex
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import numpy as np
from _report import cpu_model, usable_cores, write_section
from _timing import Timing
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from optimlab.sklearn import OptimClassifier

HEADING = "## scikit-learn estimators (bench/bench_sklearn.py)"

HIDDEN = (100,)
BATCH_SIZE = 200
LR = 1e-3
ALPHA = 1e-4  # MLPClassifier's default L2 strength (divided by the batch size)
C = 1.0
LABEL_NOISE = 0.5
COEFFICIENT_MATCH = 1e-6  # the target: ours and scikit-learn's coefficients agree to this
TOLERANCES = tuple(10.0**-k for k in range(2, 13))

TARGET_TIME = 1.0  # ours / scikit-learn fit time, at most


@dataclass(frozen=True)
class Sizes:
    """Problem sizes, epochs and repeats of one run."""

    digits_epochs: int = 100
    synthetic_samples: int = 100_000
    synthetic_test: int = 20_000
    synthetic_features: int = 50
    synthetic_epochs: int = 10
    newton_samples: int = 100_000
    newton_features: int = 50
    repeats: int = 3
    newton_repeats: int = 5


QUICK = Sizes(
    digits_epochs=30,
    synthetic_samples=20_000,
    synthetic_test=5_000,
    synthetic_epochs=3,
    newton_samples=20_000,
    repeats=2,
    newton_repeats=3,
)


# --- data ------------------------------------------------------------------------------


@dataclass
class Split:
    name: str
    X_train: np.ndarray
    X_test: np.ndarray
    y_train: np.ndarray
    y_test: np.ndarray


def digits() -> Split:
    X, y = load_digits(return_X_y=True)
    return _standardised(
        "digits, 1,797 x 64, 10 classes",
        *train_test_split(X, y, test_size=0.25, stratify=y, random_state=0),
    )


def synthetic(sizes: Sizes) -> Split:
    n, test, d = sizes.synthetic_samples, sizes.synthetic_test, sizes.synthetic_features
    X, y = make_classification(
        n + test, d, n_informative=20, n_redundant=10, flip_y=0.01, random_state=0
    )
    name = f"make_classification, {n:,} x {d}, 2 classes"
    return _standardised(name, X[:n], X[n:], y[:n], y[n:])


def _standardised(name, X_train, X_test, y_train, y_test) -> Split:
    scaler = StandardScaler().fit(X_train)
    return Split(name, scaler.transform(X_train), scaler.transform(X_test), y_train, y_test)


def logistic_data(n: int, d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Standard normal ``(n, d)`` features; labels ``[x w / sqrt(d) + noise > 0]``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = rng.standard_normal(d)
    score = X @ w / np.sqrt(d) + LABEL_NOISE * rng.standard_normal(n)
    return X, (score > 0).astype(np.int64)


# --- the contenders ---------------------------------------------------------------------


def mlp_contenders(epochs: int) -> dict[str, Callable[[int], object]]:
    """Name -> a function of the seed that returns an unfitted estimator."""
    return {
        "scikit-learn MLPClassifier(solver='adam')": lambda seed: MLPClassifier(
            HIDDEN,
            activation="relu",
            solver="adam",
            alpha=ALPHA,
            batch_size=BATCH_SIZE,
            learning_rate_init=LR,
            max_iter=epochs,
            tol=0.0,
            n_iter_no_change=epochs,  # never stops before max_iter
            random_state=seed,
        ),
        "optimlab OptimClassifier(model='mlp', optimizer='Adam')": lambda seed: OptimClassifier(
            model="mlp",
            hidden_layer_sizes=HIDDEN,
            activation="relu",
            init="xavier",  # Glorot's variance, as MLPClassifier's (uniform) draw
            optimizer="Adam",
            lr=LR,
            batch_size=BATCH_SIZE,
            epochs=epochs,
            tol=None,
            l2=ALPHA / BATCH_SIZE,
            random_state=seed,
        ),
    }


NEWTON_NAMES = {
    "sklearn": "scikit-learn LogisticRegression(solver='newton-cholesky')",
    "optimlab": "optimlab OptimClassifier(model='logistic', optimizer='Newton')",
}


def newton_estimator(library: str, n: int, tol: float):
    """Newton on logistic regression with C = 1 (``l2 = 1 / (C n)``), stopping at ``tol``."""
    if library == "sklearn":
        return LogisticRegression(C=C, solver="newton-cholesky", tol=tol, max_iter=100)
    return OptimClassifier(
        model="logistic", optimizer="Newton", batch_size=None, l2=1 / (C * n), tol=tol, epochs=100
    )


def newton_contenders(n: int, tols: dict[str, float]) -> dict[str, Callable[[int], object]]:
    return {
        NEWTON_NAMES[library]: (
            lambda seed, library=library, tol=tol: newton_estimator(library, n, tol)
        )
        for library, tol in tols.items()
    }


# --- timing ----------------------------------------------------------------------------


@dataclass
class Result:
    """One contender of one comparison: a fitted estimator and time per repeat."""

    seconds: list[float] = field(default_factory=list)
    scores: list[float] = field(default_factory=list)
    iterations: list[int] = field(default_factory=list)
    last: object = None

    @property
    def timing(self) -> Timing:
        return Timing(tuple(self.seconds))


def take_turns(
    contenders: dict[str, Callable[[int], object]],
    X: np.ndarray,
    y: np.ndarray,
    repeats: int,
    score: Callable[[object], float] | None = None,
) -> dict[str, Result]:
    """Fit each contender once untimed, then ``repeats`` rounds of one timed fit each
    (seed = the round), in turn."""
    for make in contenders.values():
        make(0).fit(X, y)
    results = {name: Result() for name in contenders}
    for seed in range(repeats):
        for name, make in contenders.items():
            estimator = make(seed)
            gc.collect()
            start = time.perf_counter()
            estimator.fit(X, y)
            results[name].seconds.append(time.perf_counter() - start)
            results[name].iterations.append(int(np.max(estimator.n_iter_)))
            if score is not None:
                results[name].scores.append(score(estimator))
            results[name].last = estimator
    return results


# --- the benchmarks ---------------------------------------------------------------------


@dataclass
class MLPComparison:
    data: str
    epochs: int
    rows: int
    results: dict[str, Result]

    @property
    def ratio(self) -> float:
        sklearn, ours = self.results.values()
        return ours.timing.best / sklearn.timing.best


def bench_mlp(split: Split, epochs: int, repeats: int) -> MLPComparison:
    results = take_turns(
        mlp_contenders(epochs),
        split.X_train,
        split.y_train,
        repeats,
        lambda estimator: estimator.score(split.X_test, split.y_test),
    )
    for name, result in results.items():
        if set(result.iterations) != {epochs}:
            raise RuntimeError(f"{name} ran {result.iterations} epochs, not {epochs}")
    return MLPComparison(split.name, epochs, split.X_train.shape[0], results)


@dataclass
class NewtonComparison:
    samples: int
    features: int
    tols: dict[str, float]
    results: dict[str, Result]
    coefficient_difference: float

    @property
    def ratio(self) -> float:
        sklearn, ours = self.results.values()
        return ours.timing.best / sklearn.timing.best


def loosest_tolerances(X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Each library's loosest tolerance 10^-k whose fit is within half `COEFFICIENT_MATCH`
    of the optimum (scikit-learn's fit at ``tol=1e-12``)."""
    optimum = newton_estimator("sklearn", len(X), 1e-12).fit(X, y)
    best = np.concatenate([optimum.coef_.ravel(), optimum.intercept_])
    tols = {}
    for library in NEWTON_NAMES:
        for tol in TOLERANCES:
            fitted = newton_estimator(library, len(X), tol).fit(X, y)
            found = np.concatenate([fitted.coef_.ravel(), fitted.intercept_])
            if np.abs(found - best).max() <= COEFFICIENT_MATCH / 2:
                tols[library] = tol
                break
        else:
            raise RuntimeError(f"{library} did not reach the optimum at any tolerance")
    return tols


def bench_newton(sizes: Sizes) -> NewtonComparison:
    n, d = sizes.newton_samples, sizes.newton_features
    X, y = logistic_data(n, d)
    tols = loosest_tolerances(X, y)
    results = take_turns(newton_contenders(n, tols), X, y, sizes.newton_repeats)
    sklearn, ours = (result.last for result in results.values())
    difference = max(
        np.abs(ours.coef_ - sklearn.coef_).max(), np.abs(ours.intercept_ - sklearn.intercept_).max()
    )
    return NewtonComparison(n, d, tols, results, float(difference))


# --- report ----------------------------------------------------------------------------


def versions() -> str:
    found = []
    for name in ("optimlab", "numpy", "scipy", "numba", "scikit-learn", "threadpoolctl"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return f"Python {platform.python_version()}, " + ", ".join(found)


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "**MISS**"


def _seconds(timing: Timing) -> str:
    return f"{timing.best:,.3f} ({timing.median:,.3f})"


def _accuracy(scores: list[float]) -> str:
    spread = statistics.stdev(scores) if len(scores) > 1 else 0.0
    return f"{statistics.mean(scores):.4f} ± {spread:.4f}"


def mlp_lines(number: int, mlp: MLPComparison) -> list[str]:
    lines = [
        f"### {number}. MLP, Adam: {mlp.data}, {mlp.epochs} epochs of batches of {BATCH_SIZE}",
        "",
        "| contender | test accuracy (mean ± sd) | fit s, best (median) | vs scikit-learn |",
        "|---|--:|--:|--:|",
    ]
    anchor = next(iter(mlp.results.values())).timing.best
    for name, result in mlp.results.items():
        lines.append(
            f"| {name} | {_accuracy(result.scores)} | {_seconds(result.timing)} "
            f"| {result.timing.best / anchor:.2f}x |"
        )
    return lines


def newton_lines(newton: NewtonComparison) -> list[str]:
    lines = [
        f"### 3. Newton, logistic regression: {newton.samples:,} x {newton.features}, C = {C:g}",
        "",
        "| contender | tol | Newton steps | fit s, best (median) | vs scikit-learn |",
        "|---|--:|--:|--:|--:|",
    ]
    anchor = next(iter(newton.results.values())).timing.best
    for (name, result), tol in zip(newton.results.items(), newton.tols.values()):
        lines.append(
            f"| {name} | {tol:g} | {result.iterations[-1]} | {_seconds(result.timing)} "
            f"| {result.timing.best / anchor:.2f}x |"
        )
    lines += [
        "",
        f"Largest difference between the two fits' coefficients and intercepts: "
        f"{newton.coefficient_difference:.1e} (target <= {COEFFICIENT_MATCH:g}). optimlab's "
        f"l2 = 1 / (C n) is scikit-learn's penalty on the mean loss.",
    ]
    return lines


def summary(mlps: list[MLPComparison], newton: NewtonComparison) -> list[str]:
    lines = [
        "| benchmark | accuracy: scikit-learn / optimlab | time ratio | target | verdict |",
        "|---|--:|--:|--:|---|",
    ]
    for mlp in mlps:
        sklearn, ours = mlp.results.values()
        lines.append(
            f"| MLP, Adam, {mlp.data} | {_accuracy(sklearn.scores)} / {_accuracy(ours.scores)} "
            f"| {mlp.ratio:.2f}x | <= {TARGET_TIME:.1f}x | {_verdict(mlp.ratio <= TARGET_TIME)} |"
        )
    same = newton.coefficient_difference <= COEFFICIENT_MATCH
    lines.append(
        f"| Newton, logistic regression {newton.samples:,} x {newton.features} "
        f"| coefficients within {newton.coefficient_difference:.0e} | {newton.ratio:.2f}x "
        f"| <= {TARGET_TIME:.1f}x, {COEFFICIENT_MATCH:g} "
        f"| {_verdict(newton.ratio <= TARGET_TIME and same)} |"
    )
    return lines


def section(
    command: str,
    sizes: Sizes,
    mlps: list[MLPComparison],
    newton: NewtonComparison,
    load: dict[str, tuple[float, float, float]],
    blas_threads: int | None,
) -> str:
    loads = "; ".join(f"{k}: {' '.join(f'{x:.1f}' for x in v)}" for k, v in load.items())
    threads = "the libraries' defaults" if blas_threads is None else f"{blas_threads}"
    date = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    parts = [
        f"- Command: `{command}`",
        f"- Date: {date}",
        f"- Machine: {cpu_model()}, {usable_cores()} cores usable; load averages "
        f"(1, 5, 15 min) {loads}; BLAS threads: {threads}",
        f"- Versions: {versions()}",
        f"- Method: the two contenders of each comparison take turns, fit by fit "
        f"({sizes.repeats} repeats for the MLPs, seeds 0..{sizes.repeats - 1}; "
        f"{sizes.newton_repeats} for Newton), after one untimed fit each; times are of "
        "`fit` on standardised features; ratios are optimlab / scikit-learn, best over best.",
        "",
        "### Summary",
        "",
        *summary(mlps, newton),
    ]
    for number, mlp in enumerate(mlps, start=1):
        parts += ["", *mlp_lines(number, mlp)]
    parts += ["", *newton_lines(newton)]
    return "\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--write", type=Path, help="put the results in this markdown file")
    parser.add_argument(
        "--blas-threads", type=int, help="limit both libraries' BLAS threads (threadpoolctl)"
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else Sizes()
    command = shlex.join(
        ["python", *(sys.argv if argv is None else ["bench/bench_sklearn.py", *argv])]
    )
    load = {"start": os.getloadavg()}
    with warnings.catch_warnings(), threadpool_limits(args.blas_threads):
        warnings.simplefilter("ignore", ConvergenceWarning)  # MLPClassifier at max_iter
        print("1/3 MLP on the digits...", flush=True)
        mlps = [bench_mlp(digits(), sizes.digits_epochs, sizes.repeats)]
        print("2/3 MLP on the synthetic set...", flush=True)
        mlps.append(bench_mlp(synthetic(sizes), sizes.synthetic_epochs, sizes.repeats))
        print("3/3 Newton...", flush=True)
        newton = bench_newton(sizes)
    load["end"] = os.getloadavg()
    body = section(command, sizes, mlps, newton, load, args.blas_threads)
    print(f"\n{HEADING}\n\n{body}")
    if args.write:
        write_section(args.write, body, HEADING, "bench_sklearn.py")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
