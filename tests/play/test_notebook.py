"""``optimlab.play.explorer()`` in a real Jupyter Notebook, rendered by headless Chromium.

Skipped unless Jupyter Notebook, Playwright, Chromium and the play extra are installed
(none of them is needed by the core tests): it starts a notebook server on 127.0.0.1,
runs a cell that calls the explorer, and checks that the page shows the explorer with the
requested view, with every request outside 127.0.0.1 refused.
"""

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
JUPYTER = Path(sys.executable).with_name("jupyter")
if not CHROMIUM.exists() or not JUPYTER.exists():
    pytest.skip("needs Chromium and Jupyter in this environment", allow_module_level=True)
pytest.importorskip("notebook")
pytest.importorskip("bokeh")
pytest.importorskip("sympy")
playwright = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.slow

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]  # fmt: skip


def _notebook(folder: Path, port: int) -> None:
    source = (
        "import optimlab.play\n"
        f"optimlab.play.explorer(notebook_url='127.0.0.1:{port}', surface='booth', steps=50)"
    )
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": [source]}  # fmt: skip
    notebook = {
        "cells": [cell],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    (folder / "play.ipynb").write_text(json.dumps(notebook), encoding="utf-8")


def test_the_explorer_runs_in_a_notebook_cell(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _notebook(tmp_path, port)
    server = subprocess.Popen(
        [str(JUPYTER), "notebook", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--IdentityProvider.token=", "--ServerApp.password=", "--allow-root",
         f"--notebook-dir={tmp_path}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    outside = []
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.5)
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1600, "height": 1400})

            def only_local(route):
                if route.request.url.startswith("http://127.0.0.1"):
                    route.continue_()
                else:
                    outside.append(route.request.url)
                    route.abort()

            page.route("**/*", only_local)
            page.goto(f"http://127.0.0.1:{port}/notebooks/play.ipynb", timeout=120_000)
            page.wait_for_selector(".jp-Cell", timeout=120_000)
            page.wait_for_timeout(3000)  # the kernel starts
            page.locator(".jp-Cell").first.click()
            page.keyboard.press("Shift+Enter")
            page.wait_for_function(
                "() => window.Bokeh && Bokeh.documents.some(d => d.get_model_by_name('share')"
                " && d.get_model_by_name('share').text.includes('surface=booth'))",
                timeout=180_000,
            )
            drawn = page.evaluate(
                """() => {
                  const d = Bokeh.documents.find(d => d.get_model_by_name('surface-plot'));
                  return d.get_model_by_name('path-Adam').data_source.data.x.length;
                }"""
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(tmp_path / ".ipynb_checkpoints", ignore_errors=True)
    assert drawn == 51  # the start and 50 steps
    assert outside == []
