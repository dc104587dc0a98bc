"""How long ``optimlab guide`` takes, quick and full, from fresh stores; and docs/guide.md.

Each guide runs as a user runs it, ``python -m optimlab guide [--quick]`` in a new process
with a new store, timed from start to exit (imports, the experiments, the figures and the
report). The machine is shared, so the load average (1 minute) is printed before and
after each. With ``--write PATH`` the full guide is then written as Markdown to PATH (its
figures in ``images/<stem>/`` beside it) from the full run's store, which computes nothing
more, with both times stated in it.

Usage:
    python bench/bench_guide.py                          # time both (a few minutes)
    python bench/bench_guide.py --write docs/guide.md    # and write the docs page
    python bench/bench_guide.py --quick-only             # time the quick guide alone
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from optimlab.lab.guide import guide  # noqa: E402

COMMAND = "python bench/bench_guide.py --write docs/guide.md"


def timed(args: list[str], out: Path) -> dict[str, float]:
    """Run ``python -m optimlab guide ARGS --out OUT`` and return its wall time and the
    load average before and after."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    before = os.getloadavg()[0]
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "optimlab", "guide", *args, "--no-progress", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.exit(f"optimlab guide {' '.join(args)} failed:\n{done.stderr}")
    return {"seconds": time.perf_counter() - start, "before": before, "after": os.getloadavg()[0]}


def sentence(name: str, timing: dict[str, float]) -> str:
    return (
        f"the {name} guide took {timing['seconds']:.0f} s ({timing['seconds'] / 60:.1f} min), "
        f"load average {timing['before']:.1f} before and {timing['after']:.1f} after"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the full guide as Markdown here")
    parser.add_argument("--quick-only", action="store_true", help="time the quick guide only")
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    options = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="optimlab-guide-") as folder:
        jobs = ["--jobs", str(options.jobs)]
        quick = timed(["--quick", *jobs], Path(folder) / "quick")
        print(f"quick: {sentence('quick', quick)}")
        if options.quick_only:
            return
        full = timed(jobs, Path(folder) / "full")
        print(f"full: {sentence('full', full)}")
        if options.write is None:
            return
        result = guide(Path(folder) / "full", jobs=options.jobs)  # from the store
        note = (
            f"Measured on this project's shared machine ({cores} cores, {options.jobs} worker "
            f"processes), each guide from a fresh store, from the command's start to its exit: "
            f"{sentence('full', full)}; {sentence('quick', quick)} (`optimlab guide --quick`). "
            "A second run of either computes nothing and takes only the time of its figures "
            "and report."
        )
        path = result.write_markdown(options.write, command=COMMAND, notes=[note])
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
