"""Synthetic data sets for the classic practicals: separable classes, curved classes, regression.

Classification generators return ``(X, y)`` with float64 ``X`` of shape ``(n_samples, 2)``
(``n_features`` for `linearly_separable`) and int64 labels 0..K-1, classes as balanced as
``n_samples`` allows (sizes differ by at most one), rows in random order. Regression
generators return ``(X, y, coef)``: float64 ``X`` and ``y`` and the true coefficients.
Every generator takes ``seed``: an int, a `numpy.random.Generator` (used and advanced) or
None (fresh entropy).
"""

from __future__ import annotations

import numpy as np

from optimlab.data._rng import Seed, as_rng, sklearn_seed
from optimlab.data.validation import check_non_negative, check_positive_int


def _class_sizes(n_samples: int, n_groups: int) -> np.ndarray:
    """Split ``n_samples`` into ``n_groups`` sizes that differ by at most one."""
    if n_samples < n_groups:
        raise ValueError(
            f"n_samples={n_samples} is fewer than the {n_groups} groups to fill; "
            f"use n_samples >= {n_groups}"
        )
    return np.full(n_groups, n_samples // n_groups) + (np.arange(n_groups) < n_samples % n_groups)


def _shuffled(rng: np.random.Generator, X: np.ndarray, y: np.ndarray) -> tuple:
    order = rng.permutation(len(y))
    return X[order], y[order]


def linearly_separable(
    n_samples: int = 200,
    n_features: int = 2,
    margin: float = 0.5,
    noise: float = 1.0,
    seed: Seed = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two classes split by a random hyperplane ``w.x + b = 0`` with a guaranteed margin.

    Every point lies at distance ``margin + noise * |z|`` (``z ~ N(0, 1)``) from the
    hyperplane, on its class's side (class 1 where ``w.x + b > 0``), so the classes are
    separated by a gap of width ``2 * margin`` whatever ``noise`` is. Along the hyperplane
    the points are standard normal around a random centre. ``noise`` is the spread of each
    class away from the gap.

    Args:
        n_samples: number of points (>= 2).
        n_features: dimension of the space (>= 1).
        margin: smallest distance from any point to the separating hyperplane (>= 0).
        noise: spread of the distances beyond the margin (>= 0).
        seed: int, Generator or None.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_features = check_positive_int(n_features, "n_features")
    margin = check_non_negative(margin, "margin")
    noise = check_non_negative(noise, "noise")
    sizes = _class_sizes(n_samples, 2)
    rng = as_rng(seed)
    normal = rng.standard_normal(n_features)
    normal /= np.linalg.norm(normal)
    centre = rng.standard_normal(n_features)
    y = np.repeat(np.arange(2), sizes)
    scatter = rng.standard_normal((n_samples, n_features))
    in_plane = scatter - np.outer(scatter @ normal, normal)
    distance = margin + noise * np.abs(rng.standard_normal(n_samples))
    side = np.where(y == 1, 1.0, -1.0)
    X = centre + in_plane + np.outer(side * distance, normal)
    return _shuffled(rng, X, y)


def moons(
    n_samples: int = 200, noise: float = 0.2, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``) with Gaussian noise.

    Class 0 is the upper moon (centre (0, 0), radius 1), class 1 the lower one (centre
    (1, 0.5)); ``noise`` is the std of the noise added to each coordinate. No straight line
    separates them.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_non_negative(noise, "noise")
    _class_sizes(n_samples, 2)
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples, noise=noise, random_state=sklearn_seed(seed))
    return X.astype(np.float64), y.astype(np.int64)


def circles(
    n_samples: int = 200, noise: float = 0.1, seed: Seed = None, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles (scikit-learn's ``make_circles``) with Gaussian noise.

    Class 0 is the outer circle (radius 1), class 1 the inner one (radius ``factor``);
    ``noise`` is the std of the noise added to each coordinate.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_non_negative(noise, "noise")
    factor = float(factor)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be in (0, 1), got {factor}")
    _class_sizes(n_samples, 2)
    from sklearn.datasets import make_circles

    X, y = make_circles(n_samples, noise=noise, random_state=sklearn_seed(seed), factor=factor)
    return X.astype(np.float64), y.astype(np.int64)


def spirals(
    n_samples: int = 300,
    n_classes: int = 2,
    noise: float = 0.1,
    seed: Seed = None,
    turns: float = 1.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms, one per class.

    Arm ``k`` is ``r (cos a, sin a)`` with ``r = t`` and ``a = 2 pi (turns * t + k / K)``
    for ``t`` uniform in [0, 1), plus Gaussian noise of std ``noise`` on each coordinate.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_classes = check_positive_int(n_classes, "n_classes")
    if n_classes < 2:
        raise ValueError(f"n_classes must be >= 2, got {n_classes}")
    noise = check_non_negative(noise, "noise")
    turns = float(turns)
    if not np.isfinite(turns) or turns <= 0:
        raise ValueError(f"turns must be a finite number > 0, got {turns}")
    sizes = _class_sizes(n_samples, n_classes)
    rng = as_rng(seed)
    y = np.repeat(np.arange(n_classes), sizes)
    t = rng.uniform(0.0, 1.0, n_samples)
    angle = 2 * np.pi * (turns * t + y / n_classes)
    X = t[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    X += noise * rng.standard_normal(X.shape)
    return _shuffled(rng, X, y)


def xor(
    n_samples: int = 200, noise: float = 0.3, seed: Seed = None
) -> tuple[np.ndarray, np.ndarray]:
    """Four Gaussian blobs at (+-1, +-1): class 1 where the signs differ (XOR), else class 0.

    Each blob has std ``noise`` per coordinate; the blob sizes differ by at most one.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    noise = check_non_negative(noise, "noise")
    centres = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0], [-1.0, 1.0]])
    labels = np.array([0, 1, 0, 1])
    sizes = _class_sizes(n_samples, 4)
    rng = as_rng(seed)
    blob = np.repeat(np.arange(4), sizes)
    X = centres[blob] + noise * rng.standard_normal((n_samples, 2))
    return _shuffled(rng, X, labels[blob])


def _check_coef(coef: object, size: int, name: str) -> np.ndarray:
    coef = np.asarray(coef, dtype=np.float64)
    if coef.shape != (size,) or not np.isfinite(coef).all():
        raise ValueError(f"coef must be {size} finite numbers ({name}), got {coef!r}")
    return coef


def linear_regression(
    n_samples: int = 100,
    n_features: int = 1,
    noise: float = 0.1,
    seed: Seed = None,
    coef: object = None,
    intercept: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noisy linear data ``y = X @ coef + intercept + noise * z``, ``X`` and ``z`` standard normal.

    Args:
        coef: true coefficients, shape ``(n_features,)``; None draws them uniform in [-3, 3].
        intercept: true intercept.

    Returns:
        ``(X, y, coef)``: X of shape ``(n_samples, n_features)``, y of shape
        ``(n_samples,)``, and the true coefficients.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    n_features = check_positive_int(n_features, "n_features")
    noise = check_non_negative(noise, "noise")
    intercept = float(intercept)
    if not np.isfinite(intercept):
        raise ValueError(f"intercept must be finite, got {intercept}")
    rng = as_rng(seed)
    if coef is None:
        coef = rng.uniform(-3.0, 3.0, n_features)
    coef = _check_coef(coef, n_features, "one per feature")
    X = rng.standard_normal((n_samples, n_features))
    y = X @ coef + intercept + noise * rng.standard_normal(n_samples)
    return X, y, coef


def polynomial_regression(
    n_samples: int = 100,
    degree: int = 3,
    noise: float = 0.1,
    seed: Seed = None,
    coef: object = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Noisy polynomial data ``y = sum_j coef[j] x**j + noise * z``, ``x`` uniform in [-1, 1].

    Args:
        degree: polynomial degree (>= 1).
        coef: true coefficients in increasing powers, shape ``(degree + 1,)``; None draws
            them uniform in [-3, 3].

    Returns:
        ``(X, y, coef)``: X of shape ``(n_samples, 1)`` (the raw x: build powers of it to fit
        a linear model), y of shape ``(n_samples,)``, and the true coefficients.
    """
    n_samples = check_positive_int(n_samples, "n_samples")
    degree = check_positive_int(degree, "degree")
    noise = check_non_negative(noise, "noise")
    rng = as_rng(seed)
    if coef is None:
        coef = rng.uniform(-3.0, 3.0, degree + 1)
    coef = _check_coef(coef, degree + 1, "degree + 1, increasing powers")
    x = rng.uniform(-1.0, 1.0, n_samples)
    y = np.polynomial.polynomial.polyval(x, coef) + noise * rng.standard_normal(n_samples)
    return x[:, None], y, coef
