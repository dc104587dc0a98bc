"""A fast, small GIF: frames drawn by blitting, all sharing one palette.

Only the moving artists are drawn per frame: the figure (contours, legend, axes) is
rendered once, its pixels kept, and each frame restores them and draws the moving
artists on top, many times faster than redrawing the whole figure.

Pillow would choose a palette per frame; anti-aliased contours then quantize differently
every frame, every pixel changes, and each frame is stored whole. Mapping all frames onto
the palette of the last frame (which holds every colour drawn) makes consecutive frames
identical outside the moving paths, and Pillow stores just the changed rectangle: files
several times smaller.

Imports matplotlib and Pillow at module level: import this module only inside functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image


def write_gif(
    figure: Any,
    update: Callable[[int], None],
    frames: Iterable[int],
    moving: Sequence[Any],
    path: Path,
    fps: float,
) -> None:
    """Write ``update(k)`` for each k in ``frames`` as a looping GIF at ``fps``.

    ``moving`` are the artists ``update`` changes, and any that must stay on top of them
    (everything else is drawn once); each frame draws them in the order of their zorder.
    """
    moving = sorted(moving, key=lambda artist: artist.get_zorder())
    canvas = FigureCanvasAgg(figure)
    for artist in moving:
        artist.set_animated(True)
    try:
        canvas.draw()
        background = canvas.copy_from_bbox(figure.bbox)
        images = []
        for k in frames:
            update(k)
            canvas.restore_region(background)
            for artist in moving:
                figure.draw_artist(artist)
            pixels = canvas.buffer_rgba()
            size = canvas.get_width_height()
            images.append(
                Image.frombuffer("RGBA", size, pixels, "raw", "RGBA", 0, 1).convert("RGB")
            )
    finally:
        for artist in moving:
            artist.set_animated(False)
    palette = images[-1].quantize(colors=255)
    shared = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    shared[0].save(
        path,
        format="GIF",
        save_all=True,
        append_images=shared[1:],
        duration=round(1000 / fps),
        loop=0,
    )
