"""A GIF writer whose frames share one palette, so the file stores only what changes.

Matplotlib's PillowWriter lets Pillow choose a palette per frame; anti-aliased contours
then quantize differently every frame, every pixel changes, and each frame is stored
whole. Mapping all frames onto the palette of the last frame (which holds every colour
drawn) makes consecutive frames identical outside the moving paths, and Pillow stores
just the changed rectangle: files several times smaller.

Imports matplotlib and Pillow at module level: import this module only inside functions.
"""

from __future__ import annotations

from io import BytesIO
from typing import Any

from matplotlib.animation import AbstractMovieWriter
from PIL import Image


class SharedPaletteGifWriter(AbstractMovieWriter):
    """``animation.save(path, writer=SharedPaletteGifWriter(fps=...))`` for a small GIF."""

    def setup(self, fig: Any, outfile: Any, dpi: float | None = None) -> None:
        super().setup(fig, outfile, dpi=dpi)
        self._frames: list[Image.Image] = []

    def grab_frame(self, **savefig_kwargs: Any) -> None:
        buffer = BytesIO()
        self.fig.savefig(buffer, **{**savefig_kwargs, "format": "rgba", "dpi": self.dpi})
        frame = Image.frombuffer("RGBA", self.frame_size, buffer.getbuffer(), "raw", "RGBA", 0, 1)
        self._frames.append(frame.convert("RGB"))

    def finish(self) -> None:
        palette = self._frames[-1].quantize(colors=255)
        frames = [f.quantize(palette=palette, dither=Image.Dither.NONE) for f in self._frames]
        frames[0].save(
            self.outfile,
            save_all=True,
            append_images=frames[1:],
            duration=round(1000 / self.fps),
            loop=0,
        )
