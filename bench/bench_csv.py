"""CSV loading: optimlab's `load_csv` against `pandas.read_csv` and `numpy.loadtxt`, in one run.

The file: a generated numeric CSV of about ``--megabytes`` MB (default 50) with house-price
columns (area, lot, year, rooms, distance, five noise features, price), seeded. Contenders,
each reading the whole file into numbers:

- **load_csv, first read**: `optimlab.data.load_csv(path, "price")` as a command's first
  call: the header scan, pandas' parse, the numeric checks, task inference, the Dataset.
  Before each of these reads the file is re-dated to a new time in the past, so that the
  process cache (keyed by path, size and modification time) misses.
- **load_csv, cached**: the same call again on the unchanged file (what every further run of
  a compare or sweep pays).
- **pandas.read_csv**: ``pandas.read_csv(path)``, its defaults (the anchor of the ratios).
- **numpy.loadtxt**: ``numpy.loadtxt(path, delimiter=",", skiprows=1)``.
- **fingerprint**: `optimlab.data.fingerprint` (SHA-256 of the bytes), which a CSV run's
  key includes, first computation.

The contenders take turns, repeat by repeat (A, B, C, A, B, C, ...), so that a slow moment
of the shared machine hits all of them; the best repeat is reported, with the median.

Usage:
    python bench/bench_csv.py                                 # ~50 MB, 5 repeats
    python bench/bench_csv.py --megabytes 5 --repeats 2       # smoke run
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from optimlab.data import fingerprint, load_csv

COLUMNS = ("area", "lot", "year", "rooms", "distance", *(f"noise{i}" for i in range(5)), "price")
TARGET_RATIO = 1.5  # load_csv's first read within 1.5x of pandas.read_csv


def house_rows(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows of house-price-like data: features in the thousands, price around 3e5."""
    area = rng.uniform(600, 4000, n).round(1)
    lot = rng.uniform(2000, 20000, n).round(0)
    year = rng.integers(1950, 2021, n).astype(float)
    rooms = rng.integers(1, 7, n).astype(float)
    distance = rng.uniform(1000, 30000, n).round(0)
    noise = rng.normal(size=(n, 5))
    price = (
        120 * area + 3 * lot + 800 * (year - 1950) + 5000 * rooms - 2 * distance + 50_000
    ) + rng.normal(0, 8000, n)
    return np.column_stack([area, lot, year, rooms, distance, noise, price.round(0)])


def write_file(path: Path, megabytes: float, seed: int) -> int:
    """Write about ``megabytes`` MB of rows; return the row count."""
    rng = np.random.default_rng(seed)
    sample = house_rows(2000, rng)
    text = "\n".join(",".join(f"{v:.10g}" for v in row) for row in sample)
    n = max(2000, int(megabytes * 1e6 / (len(text) / len(sample))))
    np.savetxt(
        path, house_rows(n, rng), delimiter=",", fmt="%.10g", header=",".join(COLUMNS), comments=""
    )
    return n


class Redater:
    """Gives the file a new modification time an hour or more in the past at each call: a
    new file identity, old enough to be cached (so the cache misses, then can hit)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.when = time.time_ns() - 3600 * 10**9

    def __call__(self) -> None:
        self.when -= 10**9
        os.utime(self.path, ns=(self.when, self.when))


def contenders(path: Path, loadtxt: bool) -> dict[str, tuple[Callable[[], None], Callable]]:
    """Name -> (untimed preparation, timed read)."""
    redate = Redater(path)
    table = {
        "optimlab load_csv, first read": (redate, lambda: load_csv(path, "price")),
        "optimlab load_csv, cached": (lambda: None, lambda: load_csv(path, "price")),
        "pandas.read_csv": (lambda: None, lambda: pd.read_csv(path)),
        "fingerprint (SHA-256)": (redate, lambda: fingerprint(path)),
    }
    if loadtxt:
        table["numpy.loadtxt"] = (
            lambda: None,
            lambda: np.loadtxt(path, delimiter=",", skiprows=1),
        )
    return table


def measure(table: dict, repeats: int) -> dict[str, list[float]]:
    """Seconds per read of each contender, one value per repeat, in turns."""
    seconds: dict[str, list[float]] = {name: [] for name in table}
    for _ in range(repeats):
        for name, (prepare, read) in table.items():
            prepare()
            start = time.perf_counter()
            read()
            seconds[name].append(time.perf_counter() - start)
    return seconds


def check_values(path: Path) -> None:
    """load_csv's numbers are pandas' numbers (the benchmark compares equal work)."""
    data = load_csv(path, "price")
    frame = pd.read_csv(path)
    np.testing.assert_array_equal(data.X, frame[list(COLUMNS[:-1])].to_numpy())
    np.testing.assert_array_equal(data.y, frame["price"].to_numpy(dtype=float))


def report(seconds: dict[str, list[float]], size: int, rows: int, command: str) -> list[str]:
    anchor = min(seconds["pandas.read_csv"])
    lines = [
        f"File: {size / 1e6:.1f} MB, {rows:,} rows x {len(COLUMNS)} columns. "
        f"Python {platform.python_version()}, pandas {pd.__version__}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs visible. Command: `{command}`.",
        "",
        "| reader | best s | median s | MB/s (best) | best / pandas.read_csv |",
        "|---|---|---|---|---|",
    ]
    for name, values in seconds.items():
        best = min(values)
        lines.append(
            f"| {name} | {best:.4g} | {statistics.median(values):.4g} | "
            f"{size / 1e6 / best:,.0f} | {best / anchor:.2f} |"
        )
    first = min(seconds["optimlab load_csv, first read"]) / anchor
    verdict = "met" if first <= TARGET_RATIO else "MISSED"
    lines += ["", f"Target (first read within {TARGET_RATIO}x of pandas.read_csv): {verdict}."]
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50.0, help="file size (default 50)")
    parser.add_argument("--repeats", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-loadtxt", action="store_true", help="leave numpy.loadtxt out")
    args = parser.parse_args(argv)
    if args.megabytes <= 0 or args.repeats < 1:
        parser.error("--megabytes must be > 0 and --repeats >= 1")
    command = " ".join(["python bench/bench_csv.py", *(argv if argv is not None else sys.argv[1:])])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "houses.csv"
        rows = write_file(path, args.megabytes, args.seed)
        check_values(path)
        seconds = measure(contenders(path, not args.no_loadtxt), args.repeats)
        print("\n".join(report(seconds, path.stat().st_size, rows, command.strip())))


if __name__ == "__main__":
    main()
