"""CSV loading: optimlab's `load_csv` against `pandas.read_csv` and `numpy.loadtxt`, in one run.

The file: a generated numeric CSV of about ``--megabytes`` MB (default 50) with house-price
columns (area, lot, year, rooms, distance, five noise features, price), seeded. Contenders,
each reading the whole file into numbers:

- **load_csv, first read**: `optimlab.data.load_csv(path, "price")` as a command's first
  call: the header scan, pandas' parse, the numeric checks, task inference, the Dataset.
- **load_csv, cached**: the same call again in the same process (what every further run of
  a compare or sweep on the unchanged file pays).
- **pandas.read_csv**: ``pandas.read_csv(path)``, its defaults (the anchor of the ratios).
- **numpy.loadtxt**: ``numpy.loadtxt(path, delimiter=",", skiprows=1)``.
- **fingerprint**: `optimlab.data.fingerprint` (SHA-256 of the bytes), which a CSV run's
  key includes, first computation.

Every timed read runs in a fresh worker process, as a command's first read does (its
libraries imported before the clock starts): a read in a long-lived process would reuse
memory pages the previous read freed, which a command never can. The contenders take turns,
repeat by repeat (A, B, C, A, B, C, ...), so that a slow moment of the shared machine hits
all of them; the best repeat is reported with the median, and the ratios of both to pandas'.
The file is dated an hour back, so that load_csv may cache it (it never caches a file
modified in the last two seconds).

Usage:
    python bench/bench_csv.py                                 # ~50 MB, 7 repeats
    python bench/bench_csv.py --megabytes 5 --repeats 2       # smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

COLUMNS = ("area", "lot", "year", "rooms", "distance", *(f"noise{i}" for i in range(5)), "price")
TARGET_RATIO = 1.5  # load_csv's first read within 1.5x of pandas.read_csv
READERS = ("optimlab load_csv", "pandas.read_csv", "fingerprint (SHA-256)", "numpy.loadtxt")


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
    """Write about ``megabytes`` MB of rows, dated an hour back; return the row count."""
    rng = np.random.default_rng(seed)
    sample = house_rows(2000, rng)
    text = "\n".join(",".join(f"{v:.10g}" for v in row) for row in sample)
    n = max(2000, int(megabytes * 1e6 / (len(text) / len(sample))))
    np.savetxt(
        path, house_rows(n, rng), delimiter=",", fmt="%.10g", header=",".join(COLUMNS), comments=""
    )
    hour_ago = time.time_ns() - 3600 * 10**9
    os.utime(path, ns=(hour_ago, hour_ago))
    return n


def worker(reader: str, path: str) -> None:
    """Time one first read (and, for load_csv, one cached read) in this fresh process; print
    the seconds as JSON."""
    import pandas as pd

    from optimlab.data import fingerprint, load_csv

    read = {
        "optimlab load_csv": lambda: load_csv(path, "price"),
        "pandas.read_csv": lambda: pd.read_csv(path),
        "fingerprint (SHA-256)": lambda: fingerprint(path),
        "numpy.loadtxt": lambda: np.loadtxt(path, delimiter=",", skiprows=1),
    }[reader]
    times = []
    for _ in range(2 if reader == "optimlab load_csv" else 1):
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    print(json.dumps(times))


def measure(path: Path, readers: list[str], repeats: int) -> dict[str, list[float]]:
    """Seconds per read of each reader, one value per repeat, in turns, each in a fresh
    process."""
    seconds: dict[str, list[float]] = {}
    for _ in range(repeats):
        for reader in readers:
            done = subprocess.run(
                [sys.executable, __file__, "--worker", reader, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            times = json.loads(done.stdout)
            seconds.setdefault(reader if len(times) == 1 else f"{reader}, first read", []).append(
                times[0]
            )
            if len(times) == 2:
                seconds.setdefault(f"{reader}, cached", []).append(times[1])
    return seconds


def check_values(path: Path) -> None:
    """load_csv's numbers are pandas' numbers (the benchmark compares equal work)."""
    import pandas as pd

    from optimlab.data import load_csv

    data = load_csv(path, "price")
    frame = pd.read_csv(path)
    np.testing.assert_array_equal(data.X, frame[list(COLUMNS[:-1])].to_numpy())
    np.testing.assert_array_equal(data.y, frame["price"].to_numpy(dtype=float))


def report(seconds: dict[str, list[float]], size: int, rows: int, command: str) -> list[str]:
    import pandas as pd

    anchor = min(seconds["pandas.read_csv"])
    middle = statistics.median(seconds["pandas.read_csv"])
    lines = [
        f"File: {size / 1e6:.1f} MB, {rows:,} rows x {len(COLUMNS)} columns. "
        f"Python {platform.python_version()}, pandas {pd.__version__}, NumPy {np.__version__}, "
        f"{os.cpu_count()} CPUs visible. Command: `{command}`.",
        "",
        "| reader | best s | median s | MB/s (best) | best / pandas best | median / pandas "
        "median |",
        "|---|---|---|---|---|---|",
    ]
    for name, values in seconds.items():
        best, median = min(values), statistics.median(values)
        lines.append(
            f"| {name} | {best:.4g} | {median:.4g} | {size / 1e6 / best:,.0f} | "
            f"{best / anchor:.2f} | {median / middle:.2f} |"
        )
    first = min(seconds["optimlab load_csv, first read"]) / anchor
    verdict = "met" if first <= TARGET_RATIO else "MISSED"
    lines += ["", f"Target (first read within {TARGET_RATIO}x of pandas.read_csv): {verdict}."]
    return lines


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        worker(*argv[1:3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50.0, help="file size (default 50)")
    parser.add_argument("--repeats", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-loadtxt", action="store_true", help="leave numpy.loadtxt out")
    args = parser.parse_args(argv)
    if args.megabytes <= 0 or args.repeats < 1:
        parser.error("--megabytes must be > 0 and --repeats >= 1")
    readers = [r for r in READERS if not (args.no_loadtxt and r == "numpy.loadtxt")]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "houses.csv"
        rows = write_file(path, args.megabytes, args.seed)
        check_values(path)
        seconds = measure(path, readers, args.repeats)
        command = " ".join(["python bench/bench_csv.py", *argv])
        print("\n".join(report(seconds, path.stat().st_size, rows, command)))


if __name__ == "__main__":
    main()
