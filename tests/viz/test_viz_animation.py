"""animate_trajectories: a small GIF with the expected frames; MP4 only with ffmpeg."""

import os
import shutil

import numpy as np
import pytest

from optimlab.landscapes import Himmelblau
from optimlab.optim import SGD, Adam
from optimlab.viz import animate_trajectories, run_on_landscape
from optimlab.viz import animation as animation_module


@pytest.fixture(scope="module")
def himmelblau_paths():
    landscape = Himmelblau()
    return landscape, {
        "Adam": run_on_landscape(landscape, lambda x: Adam(x, lr=0.1), 7),
        "SGD": run_on_landscape(landscape, lambda x: SGD(x, lr=0.01), 7),
    }


def test_writes_a_gif_with_subsampled_frames(tmp_path, himmelblau_paths, assert_gif):
    landscape, paths = himmelblau_paths
    target = tmp_path / "paths.gif"
    figure = animate_trajectories(landscape, paths, target, fps=5, max_frames=5)
    image = assert_gif(target)
    # 8 iterates, 5 frames: round(linspace(0, 7, 5)) = 0, 2, 4, 5, 7.
    assert image.n_frames == 5
    assert image.size == (400, 320)  # 5 x 4 inches at 80 dpi
    assert image.info["duration"] == 200  # ms per frame at 5 fps
    assert os.listdir(tmp_path) == ["paths.gif"]
    assert figure.axes[0].get_title().endswith("iteration 7")


def test_every_frame_is_kept_when_there_are_few(tmp_path, himmelblau_paths, assert_gif):
    landscape, paths = himmelblau_paths
    animate_trajectories(landscape, paths, tmp_path / "all.gif", max_frames=60)
    assert assert_gif(tmp_path / "all.gif").n_frames == 8


def test_a_diverged_path_ends_with_a_mark(tmp_path, assert_gif):
    landscape = Himmelblau()
    path = np.array([[0.0, 0.0], [1.0, 1.0], [50.0, 50.0], [np.nan, np.nan]])
    figure = animate_trajectories(landscape, {"boom": path}, tmp_path / "d.gif")
    assert_gif(tmp_path / "d.gif")
    assert any(line.get_marker() == "X" for line in figure.axes[0].lines)
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert labels == ["minimum", "boom (diverged)"]


def test_mp4_without_ffmpeg_is_a_clear_error(tmp_path, monkeypatch, himmelblau_paths):
    landscape, paths = himmelblau_paths
    monkeypatch.setattr(animation_module.shutil, "which", lambda name: None)
    with pytest.raises(ValueError, match="ffmpeg"):
        animate_trajectories(landscape, paths, tmp_path / "paths.mp4")
    assert os.listdir(tmp_path) == []


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_mp4_with_ffmpeg(tmp_path, himmelblau_paths):
    landscape, paths = himmelblau_paths
    animate_trajectories(landscape, paths, tmp_path / "paths.mp4", max_frames=4)
    assert (tmp_path / "paths.mp4").read_bytes()[4:8] == b"ftyp"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": None}, "required"),
        ({"path": "paths.png"}, r"\.gif"),
        ({"fps": 0}, "fps"),
        ({"max_frames": 1}, "max_frames"),
        ({"trajectories": {}}, "empty"),
    ],
)
def test_bad_input_raises(tmp_path, himmelblau_paths, kwargs, message):
    landscape, paths = himmelblau_paths
    arguments = {"trajectories": paths, "path": tmp_path / "a.gif", **kwargs}
    if isinstance(arguments["path"], str):
        arguments["path"] = tmp_path / arguments["path"]
    with pytest.raises(ValueError, match=message):
        animate_trajectories(landscape, **arguments)
