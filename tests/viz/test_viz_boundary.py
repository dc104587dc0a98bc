"""plot_decision_boundary: the grid the classifier sees, binary and multi-class shading."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.linear_model import LogisticRegression

from optimlab.viz import plot_decision_boundary


@pytest.fixture(scope="module")
def binary():
    X, y = make_blobs(n_samples=60, centers=[(-2, 0), (2, 1)], random_state=0)
    return X, y, LogisticRegression().fit(X, y)


def test_binary_probabilities(tmp_path, binary, assert_png, legend_of):
    X, y, model = binary
    seen = []

    def predict(grid):
        seen.append(grid)
        return model.predict_proba(grid)[:, 1]

    figure = plot_decision_boundary(predict, X, y, path=tmp_path / "b.png", resolution=30)
    image = assert_png(tmp_path / "b.png")
    assert len(seen) == 1 and seen[0].shape == (900, 2)
    # The grid spans the data plus 10% of its range on each side.
    low, high = X.min(axis=0), X.max(axis=0)
    np.testing.assert_allclose(seen[0].min(axis=0), low - 0.1 * (high - low))
    np.testing.assert_allclose(seen[0].max(axis=0), high + 0.1 * (high - low))
    points = np.concatenate([c.get_offsets() for c in figure.axes[0].collections[-2:]])
    np.testing.assert_allclose(np.sort(points, axis=0), np.sort(X, axis=0))
    assert legend_of(figure) == ["class 0", "class 1"]
    # The class-0 side (left) is shaded blue, the class-1 side (right) red.
    box = figure.axes[0].get_position()  # figure fractions, after the layout at save time
    height, width = image.shape[:2]
    row = int((1 - (box.y0 + box.y1) / 2) * height)
    left, right = image[row, int((box.x0 + 0.02) * width)], image[row, int((box.x1 - 0.02) * width)]
    assert left[2] > left[0] + 0.1 and right[0] > right[2] + 0.1


def test_multi_class_probabilities(tmp_path, assert_png, legend_of):
    X, y = make_blobs(n_samples=90, centers=3, random_state=1)
    model = LogisticRegression().fit(X, y)
    figure = plot_decision_boundary(model.predict_proba, X, y, path=tmp_path / "m.png")
    assert_png(tmp_path / "m.png")
    assert legend_of(figure) == ["class 0", "class 1", "class 2"]


def test_boolean_labels_and_a_column_of_probabilities(binary):
    X, y, model = binary
    plot_decision_boundary(lambda g: model.predict_proba(g)[:, 1:], X, y.astype(bool))


@pytest.mark.parametrize(
    ("fn", "X", "y", "message"),
    [
        ("model", np.zeros((3, 2)), [0, 1, 0], "callable"),
        (None, np.zeros((3, 3)), [0, 1, 0], r"\(n, 2\)"),
        (None, np.array([[0.0, np.nan]]), [0], "finite"),
        (None, np.zeros((3, 2)), [0, 1], "shape"),
        (None, np.zeros((3, 2)), [0, 1.5, 0], "class labels"),
        (None, np.zeros((3, 2)), [0, -1, 0], "class labels"),
        (None, np.zeros((3, 2)), ["a", "b", "a"], "class labels"),
        (None, np.zeros((3, 2)), [0, 1, 2], "label 2"),
        (lambda g: np.ones((len(g), 2, 2)), np.zeros((3, 2)), [0, 1, 0], "shape"),
        (lambda g: np.ones(5), np.zeros((3, 2)), [0, 1, 0], "shape"),
        (lambda g: np.full(len(g), np.nan), np.zeros((3, 2)), [0, 1, 0], "non-finite"),
    ],
)
def test_bad_input_raises(fn, X, y, message):
    fn = (lambda g: np.full(len(g), 0.5)) if fn is None else fn
    with pytest.raises(ValueError, match=message):
        plot_decision_boundary(fn, X, y, resolution=10)


def test_bad_resolution_raises():
    with pytest.raises(ValueError, match="resolution"):
        plot_decision_boundary(
            lambda g: np.full(len(g), 0.5), np.zeros((2, 2)), [0, 1], resolution=5
        )
