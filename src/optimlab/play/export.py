"""The view as files: a PNG and a GIF drawn by `optimlab.viz`, the configuration as TOML."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from optimlab.landscapes import Landscape
from optimlab.play.config import PlayConfig
from optimlab.play.runs import Run

__all__ = ["gif_bytes", "png_bytes", "toml_bytes"]


def _trajectories(runs: Sequence[Run]) -> dict[str, np.ndarray]:
    return {run.name: run.path for run in runs if not run.error and len(run.path)}


def _checked(surface: Landscape, runs: Sequence[Run]) -> Landscape:
    if not _trajectories(runs):
        raise ValueError("there is no path to export: choose at least one optimizer")
    return surface


def png_bytes(surface: Landscape, runs: Sequence[Run]) -> bytes:
    """The paths on the contours (`optimlab.viz.plot_trajectories`) as PNG bytes."""
    from optimlab import viz

    figure = viz.plot_trajectories(_checked(surface, runs), _trajectories(runs))
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=110)
    return buffer.getvalue()


def gif_bytes(surface: Landscape, runs: Sequence[Run]) -> bytes:
    """The paths animated (`optimlab.viz.animate_trajectories`) as GIF bytes."""
    from optimlab import viz

    with tempfile.TemporaryDirectory(prefix="optimlab-play-") as folder:
        target = Path(folder) / "paths.gif"
        viz.animate_trajectories(_checked(surface, runs), _trajectories(runs), target)
        return target.read_bytes()


def toml_bytes(config: PlayConfig) -> bytes:
    """`PlayConfig.to_toml` as UTF-8 bytes."""
    return config.to_toml().encode("utf-8")
