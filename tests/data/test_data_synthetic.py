"""Synthetic generators: shapes, class balance, geometry, determinism and bad input."""

import numpy as np
import pytest
from sklearn.datasets import make_circles, make_moons
from sklearn.svm import SVC

from optimlab.data import (
    circles,
    linear_regression,
    linearly_separable,
    moons,
    polynomial_regression,
    spirals,
    xor,
)


def assert_balanced(y, n_classes):
    counts = np.bincount(y, minlength=n_classes)
    assert len(counts) == n_classes and counts.max() - counts.min() <= 1


@pytest.mark.parametrize(
    ("n_features", "margin", "noise"), [(2, 0.5, 1.0), (2, 0.1, 0.01), (5, 1.0, 0.3)]
)
def test_linearly_separable_has_at_least_the_margin(n_features, margin, noise):
    X, y = linearly_separable(201, n_features, margin=margin, noise=noise, seed=4)
    assert X.shape == (201, n_features) and X.dtype == np.float64
    assert_balanced(y, 2)
    # A (nearly) hard-margin linear SVM finds the widest gap; ours guarantees `margin` on
    # each side of some hyperplane, so the widest is at least that.
    svm = SVC(kernel="linear", C=1e8, tol=1e-8).fit(X, y)
    w, b = svm.coef_[0], svm.intercept_[0]
    signed = (2 * y - 1) * (X @ w + b) / np.linalg.norm(w)
    assert signed.min() > 0  # separated
    assert signed.min() >= margin * (1 - 1e-3)


def test_linearly_separable_margin_is_not_much_wider_than_asked():
    # The points reach the margin: the widest gap is close to it, not arbitrarily larger.
    X, y = linearly_separable(400, 2, margin=0.5, noise=1.0, seed=0)
    svm = SVC(kernel="linear", C=1e8, tol=1e-8).fit(X, y)
    w, b = svm.coef_[0], svm.intercept_[0]
    widest = ((2 * y - 1) * (X @ w + b) / np.linalg.norm(w)).min()
    assert 0.5 <= widest < 0.6


@pytest.mark.parametrize("n", [200, 201])
def test_moons_match_scikit_learn_and_are_balanced(n):
    X, y = moons(n, noise=0.2, seed=3)
    X_ref, y_ref = make_moons(n, noise=0.2, random_state=3)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)
    assert X.dtype == np.float64 and X.shape == (n, 2) and y.dtype == np.int64
    assert_balanced(y, 2)


def test_circles_lie_on_their_radii_without_noise():
    X, y = circles(101, noise=0.0, seed=0, factor=0.3)
    assert X.shape == (101, 2)
    assert_balanced(y, 2)
    radius = np.linalg.norm(X, axis=1)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    X_ref, y_ref = make_circles(101, noise=0.1, random_state=8, factor=0.5)
    X, y = circles(101, noise=0.1, seed=8)
    np.testing.assert_array_equal(X, X_ref)
    np.testing.assert_array_equal(y, y_ref)


@pytest.mark.parametrize(("n", "k"), [(300, 2), (100, 3), (50, 5)])
def test_spirals_follow_their_arms(n, k):
    turns = 1.5
    X, y = spirals(n, n_classes=k, noise=0.0, seed=1, turns=turns)
    assert X.shape == (n, 2) and X.dtype == np.float64
    assert_balanced(y, k)
    # Without noise, a point at radius r on arm c sits at angle 2 pi (turns r + c / k).
    r = np.linalg.norm(X, axis=1)
    expected = 2 * np.pi * (turns * r + y / k)
    gap = np.angle(np.exp(1j * (np.arctan2(X[:, 1], X[:, 0]) - expected)))
    np.testing.assert_allclose(gap[r > 1e-9], 0.0, atol=1e-9)
    noisy, labels = spirals(n, n_classes=k, noise=0.2, seed=1, turns=turns)
    assert np.abs(noisy - X).max() > 0.1 and np.array_equal(labels, y)


def test_xor_labels_are_the_sign_disagreement():
    X, y = xor(203, noise=0.0, seed=0)
    assert X.shape == (203, 2)
    assert_balanced(y, 2)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert sorted(map(tuple, np.unique(X, axis=0))) == [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    X, y = xor(1000, noise=0.6, seed=0)
    agree = y == (np.sign(X[:, 0]) != np.sign(X[:, 1]))
    # A point changes quadrant when one coordinate crosses 0, p = P(|z| > 1 / 0.6) ~ 0.048
    # each: about 9% of the points.
    assert 0.87 < agree.mean() < 0.95


def test_linear_regression_without_noise_is_exactly_linear():
    X, y, coef = linear_regression(50, n_features=3, noise=0.0, seed=2, intercept=1.5)
    assert X.shape == (50, 3) and y.shape == (50,) and coef.shape == (3,)
    design = np.column_stack([np.ones(50), X])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    np.testing.assert_allclose(solution, [1.5, *coef], atol=1e-12)
    _, _, given = linear_regression(5, n_features=2, coef=[1.0, -2.0], seed=0)
    np.testing.assert_array_equal(given, [1.0, -2.0])


def test_linear_regression_noise_has_the_asked_spread():
    X, y, coef = linear_regression(20_000, n_features=2, noise=0.5, seed=0)
    residual = y - X @ coef
    assert abs(residual.std() - 0.5) < 0.02 and abs(residual.mean()) < 0.02


def test_polynomial_regression_is_its_polynomial():
    X, y, coef = polynomial_regression(40, degree=3, noise=0.0, seed=5)
    assert X.shape == (40, 1) and coef.shape == (4,)
    assert X.min() >= -1 and X.max() <= 1
    vandermonde = np.vander(X[:, 0], 4, increasing=True)
    np.testing.assert_allclose(np.linalg.lstsq(vandermonde, y, rcond=None)[0], coef, atol=1e-10)
    X, y, coef = polynomial_regression(20_000, degree=2, noise=0.3, seed=5, coef=[0, 1, 2])
    residual = y - (X[:, 0] + 2 * X[:, 0] ** 2)
    assert abs(residual.std() - 0.3) < 0.02


GENERATORS = {
    "linearly_separable": lambda seed: linearly_separable(60, seed=seed),
    "moons": lambda seed: moons(60, seed=seed),
    "circles": lambda seed: circles(60, seed=seed),
    "spirals": lambda seed: spirals(60, seed=seed),
    "xor": lambda seed: xor(60, seed=seed),
    "linear_regression": lambda seed: linear_regression(60, 2, seed=seed),
    "polynomial_regression": lambda seed: polynomial_regression(60, seed=seed),
}


@pytest.mark.parametrize("name", GENERATORS)
def test_same_seed_same_data(name):
    make = GENERATORS[name]
    first, again, other = make(10), make(10), make(11)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])
    from_generator = make(np.random.default_rng(10))
    assert from_generator[0].shape == first[0].shape


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: moons(0), "n_samples must be a positive integer, got 0"),
        (lambda: moons(1), "n_samples=1 is fewer than the 2 groups"),
        (lambda: circles(10, noise=-0.1), "noise must be a finite number >= 0"),
        (lambda: circles(10, factor=1.5), r"factor .* must be in \(0, 1\)"),
        (lambda: xor(10, noise=float("nan")), "noise must be a finite number"),
        (lambda: spirals(10, n_classes=1), "n_classes must be >= 2"),
        (lambda: spirals(10, turns=0), "turns must be a finite number > 0"),
        (lambda: linearly_separable(10, margin=-1), "margin must be a finite number >= 0"),
        (lambda: linearly_separable(10, n_features=0), "n_features must be a positive"),
        (lambda: linear_regression(10, 2, coef=[1.0]), r"coef must be 2 finite numbers"),
        (lambda: linear_regression(10, intercept=np.inf), "intercept must be finite"),
        (lambda: polynomial_regression(10, degree=0), "degree must be a positive integer"),
        (lambda: polynomial_regression(10, 2, coef=[1, 2]), "coef must be 3 finite numbers"),
    ],
)
def test_bad_arguments_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
