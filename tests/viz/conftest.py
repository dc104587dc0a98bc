"""Shared checks for the plots: a written image is real (magic bytes, more than one colour)."""

import numpy as np
import pytest

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
GIF_MAGICS = (b"GIF87a", b"GIF89a")


def _read_back(path):
    import matplotlib.image

    image = matplotlib.image.imread(path)
    colours = np.unique(image.reshape(-1, image.shape[-1]), axis=0)
    assert len(colours) > 1, f"{path} is a single flat colour"
    return image


@pytest.fixture
def assert_png():
    """``assert_png(path)``: a non-empty PNG with more than one colour; returns the pixels."""

    def check(path):
        data = path.read_bytes()
        assert data.startswith(PNG_MAGIC), f"{path} is not a PNG"
        return _read_back(path)

    return check


@pytest.fixture
def assert_gif():
    """``assert_gif(path)``: a GIF with more than one colour; returns Pillow's image."""

    def check(path):
        from PIL import Image

        assert path.read_bytes()[:6] in GIF_MAGICS, f"{path} is not a GIF"
        _read_back(path)
        return Image.open(path)

    return check


def line_data(axes):
    """``[(xdata, ydata), ...]`` of every line drawn on ``axes``, as float arrays."""
    return [
        (np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float))
        for line in axes.lines
    ]


@pytest.fixture
def lines_of():
    return line_data


@pytest.fixture
def legend_of():
    """``legend_of(figure)``: the legend's labels of the figure's (first) axes."""

    def labels(figure):
        return [text.get_text() for text in figure.axes[0].get_legend().get_texts()]

    return labels
