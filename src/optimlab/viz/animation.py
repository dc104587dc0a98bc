"""The trajectories plot, animated: a GIF (Pillow) or an MP4 (ffmpeg)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from optimlab.files import atomic_path
from optimlab.landscapes import Landscape
from optimlab.viz import _inputs as check
from optimlab.viz._figure import mark_divergence, new_axes
from optimlab.viz._output import output_path
from optimlab.viz._paths import (
    PlannedPath,
    draw_end,
    draw_exit,
    draw_start,
    emptiest_corner,
    legend_handle,
    plan,
)
from optimlab.viz.contours import checked_paths, display_name, draw_landscape

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
    small: 60 frames of 400x320 pixels take about 150 kB). Paths are styled, ordered and
    marked as in `plot_trajectories`: a ring at each start, each path's own marker on its
    current point; an arrowhead appears where a path leaves the frame and a red ``X``
    where it diverged, once reached. The legend sits in the corner the paths cross least.

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

    from optimlab.viz._gif import write_gif

    figure, axes = new_axes(figsize=(5.0, 4.0), dpi=80)
    draw_landscape(axes, landscape, levels, log_levels)
    planned = plan(paths, landscape.bounds)
    moving = [_MovingPath.draw(axes, drawn) for drawn in planned]
    minimum = [line for line in axes.lines if line.get_label() == "minimum"]
    axes.legend(
        minimum + [legend_handle(p) for p in planned],
        ["minimum"] * len(minimum) + [p.legend_label for p in planned],
        loc=emptiest_corner(planned, landscape.bounds),
        fontsize="x-small",
        framealpha=0.85,
    )
    name = display_name(landscape)
    axes.set_title(f"{name}: iteration {0}")
    figure.draw_without_rendering()  # lay out once, then keep the layout for every frame
    figure.set_layout_engine("none")
    longest = max(len(p.points) for p in planned)
    frames = np.unique(np.linspace(0, longest - 1, min(max_frames, longest)).round().astype(int))

    def draw_frame(k: int) -> None:
        for path in moving:
            path.show(k)
        axes.set_title(f"{name}: iteration {k}")

    with atomic_path(target) as temporary:
        if target.suffix.lower() == ".gif":
            on_top = [axes.title, axes.get_legend()]
            artists = on_top + [a for path in moving for a in path.artists]
            write_gif(figure, draw_frame, frames, artists, temporary, fps)
        else:
            animation = FuncAnimation(figure, draw_frame, frames=frames, blit=False)
            animation.save(temporary, writer=FFMpegWriter(fps=fps))
    return figure


@dataclass
class _MovingPath:
    """A path's artists in the animation, shown up to iteration k by `show`."""

    path: PlannedPath
    line: Any
    head: Any
    exits: list[tuple[int, Any]]
    final: Any

    @classmethod
    def draw(cls, axes: Any, path: PlannedPath) -> _MovingPath:
        (line,) = axes.plot(
            [],
            [],
            color=path.color,
            linestyle=path.linestyle,
            linewidth=path.linewidth,
            zorder=path.zorder,
        )
        draw_start(axes, path)
        head = draw_end(axes, path)
        exits = [(e.step + 1, draw_exit(axes, path, e, final=False)) for e in path.passing_exits]
        mark = path.final_mark
        final = None
        if mark is not None and mark[1] == "X":
            final = mark_divergence(axes, *mark[0], path.color)
        elif mark is not None:
            final = draw_exit(axes, path, path.exits[-1], final=True)
        moving = cls(path, line, head, exits, final)
        moving.show(0)
        return moving

    @property
    def artists(self) -> list[Any]:
        extra = [] if self.final is None else [self.final]
        return [self.line, self.head, *(arrow for _, arrow in self.exits), *extra]

    def show(self, k: int) -> None:
        shown = self.path.points[: k + 1]
        self.line.set_data(shown[:, 0], shown[:, 1])
        finished = k >= self.path.final_step
        self.head.set_visible(not (finished and self.final is not None))
        self.head.set_data(shown[-1:, 0], shown[-1:, 1])
        for step, arrow in self.exits:
            arrow.set_visible(k >= step)
        if self.final is not None:
            self.final.set_visible(finished)
