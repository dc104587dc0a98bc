"""The HTML report: self-contained, escaped, written atomically, and rendered by Chromium."""

from __future__ import annotations

import base64
import shutil
import subprocess

import numpy as np
import pytest

from optimlab.lab.report import Report, cell_text
from optimlab.viz import plot_losses


@pytest.fixture
def report(tmp_path):
    plot_losses({"a": np.linspace(1, 0.1, 20)}, path=tmp_path / "loss.png")
    report = Report("A <test> report", "optimlab compare --epochs 3", {"epochs": 3})
    section = report.section("Results")
    section.text("Loss & accuracy <b>not bold</b>")
    section.table([{"run": "Adam", "val_loss": 0.123456, "status": "diverged", "x": None}])
    section.figure(tmp_path / "loss.png", "loss curve")
    return report


def test_report_is_self_contained_and_escaped(report, tmp_path):
    path = report.write(tmp_path / "report.html")
    text = path.read_text()
    assert 'src="data:image/png;base64,' in text
    assert "http://" not in text and "https://" not in text
    assert "&lt;b&gt;not bold&lt;/b&gt;" in text and "A &lt;test&gt; report" in text
    assert "0.1235" in text and "optimlab compare --epochs 3" in text
    embedded = text.split("base64,")[1].split('"')[0]
    assert base64.b64decode(embedded) == (tmp_path / "loss.png").read_bytes()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def find_chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed")
def test_report_renders_in_headless_chromium_without_console_errors(report, tmp_path):
    path = report.write(tmp_path / "report.html")
    shot = tmp_path / "shot.png"
    result = subprocess.run(
        [
            find_chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            path.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shot.exists() and shot.stat().st_size > 10_000, result.stderr[-2000:]
    console = [line for line in result.stderr.splitlines() if "CONSOLE" in line]
    assert console == []
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)
    assert len(np.unique(pixels.reshape(-1, pixels.shape[-1])[::97], axis=0)) > 10


def test_cells_show_settings_and_lists_as_text_not_python_values():
    assert cell_text({"lr": 1e9, "scale": True}) == "lr=1e+09, scale=true"
    assert cell_text(["a note", "another"]) == "a note; another"
    assert cell_text({}) == cell_text([]) == cell_text(None) == "-"
    assert cell_text(2 / 3) == "0.6667"
    assert (cell_text(True), cell_text(False)) == ("yes", "no")


def test_words_are_left_aligned_and_numbers_right_aligned(tmp_path):
    report = Report("t", "cmd")
    report.section("s").table([{"run": "SGD", "loss": 0.5, "epochs": 3, "status": "healthy"}])
    html = report.write(tmp_path / "report.html").read_text()
    assert '<td class="text">SGD</td><td>0.5</td><td>3</td>' in html
    assert '<td class="healthy text">healthy</td>' in html


def test_a_row_of_panels_gets_the_whole_width_and_a_single_plot_half(tmp_path):
    from PIL import Image

    Image.new("RGB", (1170, 342)).save(tmp_path / "panels.png")
    Image.new("RGB", (640, 480)).save(tmp_path / "plot.png")
    report = Report("t", "cmd")
    report.section("s").figure(tmp_path / "panels.png").figure(tmp_path / "plot.png")
    html = report.write(tmp_path / "report.html").read_text()
    assert html.count('<figure class="wide">') == 1
    assert html.index('<figure class="wide">') < html.index("<figure><img")


def test_backquoted_code_and_bulleted_items_are_html_not_markdown(tmp_path):
    report = Report("t", "cmd")
    section = report.section("s").text("The rate is `|dw| / |g|` & <ok>")
    section.text("- first `a`").text("- second").text("After.")
    section.table([{"remedy": "`--scale` (RunSpec(scale=True))"}])
    html = report.write(tmp_path / "report.html").read_text()
    assert "<p>The rate is <code>|dw| / |g|</code> &amp; &lt;ok&gt;</p>" in html
    assert "<ul><li>first <code>a</code></li><li>second</li></ul><p>After.</p>" in html
    assert '<td class="text"><code>--scale</code> (RunSpec(scale=True))</td>' in html
    assert "`" not in html.split("<body>")[1]
