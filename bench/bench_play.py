"""Input-to-redraw time of ``optimlab play``: 6 optimizers x 500 steps.

Two measurements of the same interaction, a click that moves the start point (every path
must be recomputed: nothing can come from the cache):

* **server**: from the click event reaching the app (`Explorer.set_start`) to every plotted
  data source replaced (`Explorer.update`), in this process; split into the paths'
  computation (`run_optimizer`, the library's optimizers) and the rest (contours skipped,
  data handed to Bokeh). Also a learning-rate change, which recomputes one path.
* **browser** (``--browser``; needs Chromium at /usr/bin/chromium and Playwright): from the
  mouse press in headless Chromium to the first animation frame after the new paths arrived
  over the websocket, against a real ``optimlab play`` server.

The view: Rosenbrock, SGD, Momentum, Nesterov, RMSprop, Adam and Newton, 500 steps each.
The machine is shared: the load average is printed before and after, and each number is the
median and the best of ``--repeats`` clicks at different start points.

Usage:
    python bench/bench_play.py                 # server side (seconds)
    python bench/bench_play.py --browser       # and end to end in Chromium (a minute)
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from optimlab.play.config import PlayConfig, parse_optimizer  # noqa: E402

OPTIMIZERS = (
    "SGD:lr=0.001",
    "Momentum:lr=0.002",
    "Nesterov:lr=0.001",
    "RMSprop:lr=0.01",
    "Adam:lr=0.05",
    "Newton",
)
QUERY = "steps=500&" + "&".join(f"opt={text}" for text in OPTIMIZERS)
CONFIG = PlayConfig(steps=500, optimizers=tuple(parse_optimizer(t) for t in OPTIMIZERS))


def starts(count: int) -> list[tuple[float, float]]:
    """Start points spread over the left of Rosenbrock's window (the legend is on the right),
    all different."""
    rng = np.random.default_rng(0)
    return [(float(x), float(y)) for x, y in rng.uniform((-2.2, -1.2), (0.5, 3.2), (count, 2))]


def summary(label: str, seconds: list[float]) -> str:
    ms = [1000.0 * s for s in seconds]
    return f"{label:<58} median {statistics.median(ms):7.1f} ms   best {min(ms):7.1f} ms"


def bench_server(repeats: int) -> list[str]:
    from bokeh.document import Document

    from optimlab.play import runs
    from optimlab.play.server import make_document

    doc = Document()
    make_document(CONFIG)(doc)
    explorer = doc.explorer
    explorer.set_start(-1.0, 2.0)  # compiles every rule once (Numba), not timed
    compute: list[float] = []
    original = runs.run_optimizer

    def timed(*args, **kwargs):
        began = time.perf_counter()
        result = original(*args, **kwargs)
        compute[-1] += time.perf_counter() - began
        return result

    runs.run_optimizer = timed
    clicks, paths = [], []
    try:
        for x, y in starts(repeats):
            compute.append(0.0)
            began = time.perf_counter()
            explorer.set_start(x, y)
            clicks.append(time.perf_counter() - began)
            paths.append(compute[-1])
        slider = explorer.controls["Adam"].widgets["lr"][0]
        changes = []
        for i in range(repeats):
            compute.append(0.0)
            began = time.perf_counter()
            slider.value = -1.3 - 0.01 * (i + 1)
            changes.append(time.perf_counter() - began)
    finally:
        runs.run_optimizer = original
    assert all(len(run.path) == 501 for run in explorer.runs)
    return [
        summary("server, click (6 paths x 500 steps recomputed)", clicks),
        summary("  of which the paths (the library's optimizers)", paths),
        summary("server, Adam's lr slider (1 path recomputed)", changes),
    ]


def bench_browser(repeats: int) -> list[str]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen(
        [sys.executable, "-m", "optimlab", "play", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    server.stdout.readline()
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update"]  # fmt: skip
    times = []
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            page = browser.new_page(viewport={"width": 1500, "height": 1150})
            page.goto(f"http://127.0.0.1:{port}/?{QUERY}", timeout=120_000)
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.documents.length && "
                "Bokeh.documents[0].get_model_by_name('share').tags.length",
                timeout=120_000,
            )
            page.evaluate(
                """() => {
                  const share = Bokeh.documents[0].get_model_by_name('share');
                  const press = () => { window._pressed = performance.now(); };
                  document.addEventListener('mousedown', press, true);
                  share.connect(share.properties.tags.change, () => {
                    requestAnimationFrame(() => { window._drawn = performance.now(); });
                  });
                }"""
            )
            for i, (x, y) in enumerate([(-1.0, 2.0), *starts(repeats)]):
                where = page.evaluate(
                    """([x, y]) => {
                      const fig = Bokeh.documents[0].get_model_by_name('surface-plot');
                      const view = Bokeh.index.find_one(fig);
                      const box = view.canvas_view.el.getBoundingClientRect();
                      window._drawn = null;
                      return [box.left + view.frame.x_scale.compute(x),
                              box.top + view.frame.y_scale.compute(y)];
                    }""",
                    [x, y],
                )
                page.mouse.click(*where)
                page.wait_for_function("() => window._drawn !== null", timeout=120_000)
                if i:  # the first click compiles the rules
                    times.append(page.evaluate("() => (window._drawn - window._pressed) / 1000"))
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    return [summary("browser, mouse press to the redrawn frame (6 x 500)", times)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--browser", action="store_true", help="also measure in Chromium")
    options = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    lines = bench_server(options.repeats)
    if options.browser:
        lines += bench_browser(options.repeats)
    print("\n".join(lines))
    print(f"load average after:  {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
