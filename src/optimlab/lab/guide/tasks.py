"""The guide's synthetic tasks: data the built-in sets do not cover.

* `gaussian_regression`: least squares on Gaussian features whose variances fall
  geometrically (a chosen condition number), any number of samples: the data-size claims
  need one task at 1e3 to 1e6 samples, and an exact excess loss (`excess_loss`).
* `zipf_documents`: a bag-of-words classification task whose word frequencies follow
  Zipf's law (a few words in every document, most words in very few), and its dense
  control with the same per-feature means and variances but no zeros.
"""

from __future__ import annotations

import numpy as np

from optimlab import checks


def feature_scales(n_features: int, condition: float) -> np.ndarray:
    """Standard deviations whose squares fall geometrically from 1 to ``1 / condition``."""
    return np.sqrt(np.geomspace(1.0, 1.0 / condition, n_features))


def gaussian_regression(
    n_samples: int,
    n_features: int = 10,
    condition: float = 20.0,
    noise: float = 1.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Least-squares data ``y = X w + 1 + noise * e``.

    ``X`` has independent Gaussian columns with standard deviations `feature_scales` (so
    the covariance's condition number is ``condition``), ``w ~ N(0, 4 I)``, ``e ~ N(0, 1)``.

    Returns:
        ``(X, y)`` of shapes ``(n_samples, n_features)`` and ``(n_samples,)``.
    """
    n_samples = checks.integer("n_samples", n_samples, low=2)
    n_features = checks.integer("n_features", n_features, low=1)
    condition = checks.number("condition", condition, low=1.0)
    noise = checks.nonnegative("noise", noise)
    rng = np.random.default_rng(seed)
    w = rng.normal(0.0, 2.0, n_features)
    X = rng.normal(size=(n_samples, n_features)) * feature_scales(n_features, condition)
    y = X @ w + 1.0 + noise * rng.normal(size=n_samples)
    return X, y


def least_squares(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The minimiser of ``mean((X w + b - y)^2)`` in the order ``[w; b]`` and the matrix
    ``A = D^T D / n`` of the design ``D = [X, 1]``: the loss at ``theta`` exceeds the
    minimum by exactly ``(theta - theta*)^T A (theta - theta*)`` (see `excess_loss`)."""
    design = np.hstack([X, np.ones((X.shape[0], 1))])
    A = design.T @ design / X.shape[0]
    return np.linalg.solve(A, design.T @ y / X.shape[0]), A


def excess_loss(theta: np.ndarray, optimum: np.ndarray, A: np.ndarray) -> float:
    """``L(theta) - min L = (theta - theta*)^T A (theta - theta*)`` for the mean squared
    error of a linear model (exact: the loss is quadratic)."""
    e = theta - optimum
    return float(e @ A @ e)


def zipf_documents(
    n_docs: int,
    vocabulary: int,
    words_per_doc: float = 20.0,
    exponent: float = 1.1,
    stop_words: int = 50,
    dense: bool = False,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A sparse bag-of-words classification task, or its dense control.

    Each document draws ``1 + Poisson(words_per_doc)`` words from a vocabulary whose k-th
    word has probability proportional to ``1 / k^exponent`` (Zipf's law); its features
    say which words it contains (1 or 0). Labels are ``y ~ Bernoulli(sigmoid(z))`` with
    ``z`` the standardised score ``x . w`` times 4, where ``w_k ~ N(0, 1)`` except for the
    ``stop_words`` most frequent words, which carry no signal (as in text, where the most
    frequent words say little and the informative words are rare).

    ``dense=True`` gives the control: every column is replaced by Gaussian values with
    that column's mean and standard deviation (the same scales, no zeros), and labels
    are drawn from the same rule with the same ``w``.

    Returns:
        ``(X, y, frequency)``: features ``(n_docs, vocabulary)``, labels 0/1, and each
        word's document frequency (the share of documents that contain it).
    """
    n_docs = checks.integer("n_docs", n_docs, low=2)
    vocabulary = checks.integer("vocabulary", vocabulary, low=2)
    words_per_doc = checks.positive("words_per_doc", words_per_doc)
    exponent = checks.positive("exponent", exponent)
    stop_words = checks.integer("stop_words", stop_words, low=0, high=vocabulary - 1)
    dense = checks.flag("dense", dense)
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocabulary + 1) ** exponent
    lengths = 1 + rng.poisson(words_per_doc, n_docs)
    X = (rng.multinomial(lengths, p / p.sum()) > 0).astype(np.float64)
    frequency = X.mean(axis=0)
    w = rng.normal(size=vocabulary)
    w[:stop_words] = 0.0
    if dense:
        X = rng.normal(size=X.shape) * X.std(axis=0) + X.mean(axis=0)
    score = X @ w
    z = 4.0 * (score - score.mean()) / score.std()
    y = (rng.random(n_docs) < 1.0 / (1.0 + np.exp(-z))).astype(np.float64)
    return X, y, frequency
