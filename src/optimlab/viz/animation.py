"""The trajectories plot, animated: a GIF (Pillow) or an MP4 (ffmpeg)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab._io import atomic_path
from optimlab.landscapes import Landscape
from optimlab.viz import _inputs as check
from optimlab.viz._figure import DIVERGED_COLOR, new_axes
from optimlab.viz._output import output_path
from optimlab.viz.contours import checked_paths, draw_landscape, inside

ANIMATION_SUFFIXES = (".gif", ".mp4")


def animate_trajectories(
    landscape: Landscape,
    trajectories: Mapping[str, np.ndarray],
    path: str | os.PathLike,
    fps: float = 12,
    max_frames: int = 60,
    levels: int = 30,
    log_levels: bool = True,
) -> Any:
    """Optimizers moving on a contour plot, written as a GIF or MP4 (atomically).

    Frame j shows every path up to iteration ``k_j``, with ``k_j`` evenly spaced from 0 to
    the longest path's last iteration, at most ``max_frames`` of them (so files stay
    small: 60 frames of 400x320 pixels take about 150 kB). A path that
    diverged stops at its last finite point, drawn as a red ``X`` once reached.

    Args:
        landscape: a 2-D `Landscape`.
        trajectories: ``{label: (T, 2) array}``, e.g. from `run_on_landscape`.
        path: a ``.gif`` (Pillow, which matplotlib installs) or ``.mp4`` (needs ffmpeg on PATH).
        fps: frames per second, > 0.
        max_frames: at most this many frames, >= 2.
        levels, log_levels: contour levels, as in `plot_trajectories`.

    Returns:
        The matplotlib Figure, showing the last frame.
    """
    target = output_path(path, ANIMATION_SUFFIXES)
    if target is None:
        raise ValueError("path is required: where to write the .gif or .mp4")
    if target.suffix.lower() == ".mp4" and shutil.which("ffmpeg") is None:
        raise ValueError(
            f"cannot write {str(target)!r}: MP4 needs ffmpeg on PATH (install it, e.g. "
            "apt-get install ffmpeg), or ask for a .gif, which needs nothing more"
        )
    paths = checked_paths(landscape, trajectories)
    fps = check.positive(fps, "fps")
    max_frames = check.integer(max_frames, "max_frames", minimum=2)
    levels = check.integer(levels, "levels", minimum=2)
    log_levels = check.flag(log_levels, "log_levels")

    from matplotlib.animation import FFMpegWriter, FuncAnimation

    from optimlab.viz._gif import SharedPaletteGifWriter

    figure, axes = new_axes(figsize=(5.0, 4.0), dpi=80)
    draw_landscape(axes, landscape, levels, log_levels)
    artists = []
    for label, (points, diverged) in paths.items():
        (line,) = axes.plot([], [], "-", linewidth=1.5, label=label + " (diverged)" * diverged)
        (head,) = axes.plot([], [], "o", color=line.get_color(), markeredgecolor="black")
        axes.plot(*points[0], "o", color=line.get_color(), markersize=5)
        artists.append((points, diverged, line, head))
    axes.legend(loc="best", fontsize="small")
    figure.draw_without_rendering()  # lay out once, then keep the layout for every frame
    figure.set_layout_engine("none")
    longest = max(len(points) for points, *_ in artists)
    frames = np.unique(np.linspace(0, longest - 1, min(max_frames, longest)).round().astype(int))

    def draw_frame(k: int) -> list:
        for points, diverged, line, head in artists:
            shown = points[: k + 1]
            line.set_data(shown[:, 0], shown[:, 1])
            head.set_data(shown[-1:, 0], shown[-1:, 1])
            if diverged and k + 1 >= len(points):
                head.set_data(*inside(points[-1], landscape.bounds)[:, None])
                head.set(marker="X", markersize=11, markerfacecolor=DIVERGED_COLOR)
        axes.set_title(f"{landscape.name}: iteration {k}")
        return [a for _, _, line, head in artists for a in (line, head)]

    animation = FuncAnimation(figure, draw_frame, frames=frames, blit=False)
    gif = target.suffix.lower() == ".gif"
    writer = SharedPaletteGifWriter(fps=fps) if gif else FFMpegWriter(fps=fps)
    with atomic_path(target) as temporary:
        animation.save(temporary, writer=writer)
    return figure
