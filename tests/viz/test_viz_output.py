"""Output paths: checked before any work, written atomically, nothing left behind."""

import os
import subprocess
import sys

import numpy as np
import pytest
from matplotlib.figure import Figure

from optimlab.viz import plot_decision_boundary, plot_losses

HISTORY = {"run": np.array([4.0, 2.0, 1.0, 0.5])}


def test_the_file_appears_and_nothing_else(tmp_path, assert_png):
    target = tmp_path / "loss.png"
    plot_losses(HISTORY, path=target)
    assert sorted(os.listdir(tmp_path)) == ["loss.png"]
    assert_png(target)


def test_an_existing_file_is_replaced(tmp_path, assert_png):
    target = tmp_path / "loss.png"
    target.write_bytes(b"old")
    plot_losses(HISTORY, path=str(target))
    assert_png(target)
    assert sorted(os.listdir(tmp_path)) == ["loss.png"]


def test_a_failed_save_leaves_no_temporary_and_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "loss.png"
    target.write_bytes(b"old")

    def write_half_then_fail(self, fname, **kwargs):
        with open(fname, "wb") as handle:
            handle.write(b"\x89PNG half")
        raise OSError("disk full")

    monkeypatch.setattr(Figure, "savefig", write_half_then_fail)
    with pytest.raises(OSError, match="disk full"):
        plot_losses(HISTORY, path=target)
    assert sorted(os.listdir(tmp_path)) == ["loss.png"]
    assert target.read_bytes() == b"old"


def test_svg_and_pdf_are_accepted(tmp_path):
    plot_losses(HISTORY, path=tmp_path / "loss.svg")
    plot_losses(HISTORY, path=tmp_path / "loss.pdf")
    assert b"<svg" in (tmp_path / "loss.svg").read_bytes()[:500]
    assert (tmp_path / "loss.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing/plot.png", "does not exist"), ("plot.jpg", r"\.png"), ("plot", "no suffix")],
)
def test_a_bad_path_is_reported_before_any_work(tmp_path, name, message):
    calls = []

    def predict(grid):
        calls.append(grid)
        return np.full(len(grid), 0.5)

    X, y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0, 1])
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(predict, X, y, path=tmp_path / name)
    assert calls == []  # the classifier was never called


def test_a_folder_as_path_is_refused(tmp_path):
    (tmp_path / "dir.png").mkdir()
    with pytest.raises(ValueError, match="folder"):
        plot_losses(HISTORY, path=tmp_path / "dir.png")
    with pytest.raises(ValueError, match="path"):
        plot_losses(HISTORY, path=3)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_read_only_folder_is_reported(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(ValueError, match="not writable"):
            plot_losses(HISTORY, path=folder / "loss.png")
    finally:
        folder.chmod(0o700)


def test_import_is_light_and_plotting_never_touches_pyplot(tmp_path):
    script = (
        "import sys\n"
        "import optimlab.viz, optimlab.theory\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at import time'\n"
        "from optimlab.viz import plot_losses\n"
        f"plot_losses({{'a': [3.0, 2.0, 1.0]}}, path={str(tmp_path / 'a.png')!r})\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot imported'\n"
    )
    environment = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "MPLBACKEND")}
    subprocess.run([sys.executable, "-c", script], check=True, env=environment, timeout=120)
    assert (tmp_path / "a.png").stat().st_size > 0
