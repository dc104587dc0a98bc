"""`optimlab.lab.guide`, piece by piece and fast: the table against the article, the
measurements against closed forms, the verdict helpers against hand-made cases, the
store of trials, and bad input."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest
from scipy.optimize import brentq
from scipy.stats import poisson

import optimlab.lab
from optimlab.lab.guide import CLAIMS
from optimlab.lab.guide.cache import TrialCache
from optimlab.lab.guide.claims import claim
from optimlab.lab.guide.context import Context
from optimlab.lab.guide.experiments import basins, cost, data_size, noise, step_size
from optimlab.lab.guide.experiments.registry import EXPERIMENTS
from optimlab.lab.guide.tasks import feature_scales, gaussian_regression, zipf_documents
from optimlab.lab.guide.verdict import (
    NOT_SUPPORTED,
    SUPPORTED,
    Spread,
    as_good_as,
    clearly_better,
    log_slope,
    number,
    score_as_good_as,
    share_verdict,
)
from optimlab.lab.store import RunStore
from optimlab.landscapes import Rastrigin, TwoBasin

# The closing table of "Deep Learning Optimization Algorithms", "Choose an algorithm to
# optimize your model", transcribed by hand: (row, column, the words of the claim).
ARTICLE = [
    ("Gradient Descent", "Pros", "Simple and easy to implement"),
    ("Gradient Descent", "Cons", "Computationally expensive on large datasets"),
    ("Gradient Descent", "Cons", "May get stuck in local minima"),
    ("Gradient Descent", "When to use", "Small datasets"),
    ("Gradient Descent", "When to use", "When simplicity and clarity are preferred"),
    ("SGD", "Pros", "Fast"),
    ("SGD", "Pros", "Handles large datasets well"),
    ("SGD", "Cons", "High variance in updates can lead to instability"),
    ("SGD", "When to use", "Large datasets; Online or incremental learning scenarios"),
    ("Mini-batch Gradient Descent", "Pros", "Balances between efficiency and stability"),
    ("Mini-batch Gradient Descent", "Pros", "More generalizable updates"),
    ("Mini-batch Gradient Descent", "Cons", "Requires tuning of batch size"),
    (
        "Mini-batch Gradient Descent",
        "When to use",
        "Most deep learning tasks, especially when working with moderate to large datasets",
    ),
    ("AdaGrad", "Pros", "Adapts learning rate for each parameter"),
    ("AdaGrad", "Pros", "Good for sparse data"),
    ("AdaGrad", "Cons", "Learning rate can diminish to zero, stopping learning"),
    (
        "AdaGrad",
        "When to use",
        "Sparse datasets like text and images where learning rate needs to adapt to feature "
        "frequency",
    ),
    ("RMSprop", "Pros", "Addresses diminishing learning rate of AdaGrad"),
    ("RMSprop", "Pros", "Adapts learning rate based on recent gradients"),
    ("RMSprop", "Cons", "Can still get stuck in local minima on non-convex problems"),
    ("RMSprop", "When to use", "Non-convex optimization problems"),
    ("RMSprop", "When to use", "Situations where AdaGrad's learning rate diminishes too fast"),
    ("AdaDelta", "Pros", "Eliminates the need to set a default learning rate"),
    ("AdaDelta", "Pros", "Addresses diminishing learning rate issue"),
    ("AdaDelta", "Cons", "More complex than RMSprop and AdaGrad"),
    (
        "AdaDelta",
        "When to use",
        "Similar to RMSprop, but when you want to avoid manual learning rate setting",
    ),
    ("Adam", "Pros", "Combines advantages of AdaGrad and RMSprop"),
    ("Adam", "Pros", "Adaptive learning rates; Includes bias correction"),
    (
        "Adam",
        "Cons",
        "Requires tuning of hyperparameters (though it often works well with defaults)",
    ),
    (
        "Adam",
        "When to use",
        "Most deep learning applications, due to its efficiency and effectiveness",
    ),
]


def test_every_claim_of_the_article_is_in_the_guide_once_in_its_order():
    assert [(c.algorithm, c.column, c.text) for c in CLAIMS] == ARTICLE
    assert len({c.id for c in CLAIMS}) == len(CLAIMS)
    for c in CLAIMS:
        assert c.rule and c.experiments and set(c.experiments) <= set(EXPERIMENTS)
        assert "seed 0" not in c.rule


def test_an_unknown_claim_id_is_refused_with_the_closest():
    with pytest.raises(ValueError, match="unknown claim 'gd-simpel'; did you mean 'gd-simple'"):
        claim("gd-simpel")


def test_the_guide_is_callable_as_optimlab_lab_guide():
    import optimlab.lab.guide.claims  # the package imported first

    assert callable(optimlab.lab.guide)
    assert "quick" in inspect.signature(optimlab.lab.guide).parameters


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"claims": ["gd-simpel"]}, ValueError, "did you mean 'gd-simple'"),
        ({"claims": "gd-simple"}, TypeError, "Invalid claims"),
        ({"jobs": 0}, ValueError, "Invalid jobs"),
        ({"quick": "yes"}, TypeError, "Invalid quick"),
        ({"seed": -1}, ValueError, "Invalid seed"),
        ({"markdown": "guide.txt"}, ValueError, "Invalid markdown"),
        ({"store": 3}, TypeError, "Invalid store"),
    ],
)
def test_bad_arguments_are_refused_before_any_work(tmp_path, arguments, error, message):
    with pytest.raises(error, match=message):
        optimlab.lab.guide(tmp_path / "out", **arguments)
    assert not (tmp_path / "out").exists()


# -- the cost of an update ------------------------------------------------------------------


def test_operations_are_counted_on_the_rules_as_written():
    # Counted by hand on the formulas (beyond the shared sign and weight decay):
    # SGD        p - lr*g                                                     2
    # AdaGrad    G + g*g (2); sqrt(G) + eps (2); g / . (1); lr * . (1); p - . (1)   7
    # RMSprop    a*v + (1-a)*g*g (4); sqrt + eps (2); g / . (1); lr * . (1); p - (1)  9
    # AdaDelta   E[g2] (4); sqrt(E[dx2]+eps) (2); sqrt(E[g2]+eps) (2); / and *g (2);
    #            E[dx2] (4); lr*dx (1); p - (1)                                      16
    # Adam       m (3); v (4); sqrt(v)/c + eps (3); m/. (1); step*. (1); p - (1)    13
    expected = {
        "SGD": (0, 2),
        "Adagrad": (1, 7),
        "RMSprop": (1, 9),
        "Adadelta": (2, 16),
        "Adam": (2, 13),
    }
    for name, (state, operations) in expected.items():
        assert cost.rule_operations(name) == {"state_arrays": state, "operations": operations}


# -- effective step sizes -------------------------------------------------------------------


def test_adagrads_effective_rate_is_lr_over_sqrt_t_g():
    updates = 400
    run = step_size.constant_trial("Adagrad", updates, None)
    t = np.arange(1, updates + 1)[:, None]
    g = np.array(step_size.GRADIENT)
    # G_t = t g^2, so the step is lr g / (sqrt(t) |g| + eps) (PyTorch: eps outside the root)
    expected = 0.01 / (np.sqrt(t) * g + 1e-10)
    np.testing.assert_allclose(run["rates"], expected, rtol=1e-10)
    assert step_size.slope(run["rates"]) == pytest.approx(-0.5, abs=1e-3)
    # the second half of a run moves (sqrt(T) - sqrt(T/2)) / sqrt(T/2) as far as the first
    steps = 1 / np.sqrt(np.arange(1, updates + 1))
    ratio = steps[updates // 2 :].sum() / steps[: updates // 2].sum()
    assert step_size.distance_ratio(run["rates"]) == pytest.approx(ratio, rel=1e-8)


def test_rmsprops_step_recovers_when_its_average_has_forgotten_the_large_gradients():
    updates, drop = 2000, 1000
    run = step_size.constant_trial("RMSprop", updates, drop)
    alpha, g = 0.99, 1.0
    # v after t updates of g^2 from 0: (1 - alpha^t) g^2; then each update mixes in (g/10)^2
    v = (1 - alpha ** (drop - 1)) * g**2
    before = 0.01 * g / (np.sqrt(v) + 1e-8)
    k = 0
    while True:
        v = alpha * v + (1 - alpha) * (g / 10) ** 2
        if 0.01 * (g / 10) / (np.sqrt(v) + 1e-8) >= step_size.RECOVERY * before:
            break
        k += 1
    assert step_size.recovery(run["steps"], drop) == k
    adagrad = step_size.constant_trial("Adagrad", updates, drop)
    assert step_size.recovery(adagrad["steps"], drop) is None


def test_adams_first_steps_with_and_without_bias_correction():
    lengths = step_size.bias_trial(50)
    t = np.arange(1, 51)
    uncorrected = (1 - 0.9**t) / np.sqrt(1 - 0.999**t)  # m / sqrt(v) with m, v from zero
    np.testing.assert_allclose(lengths["uncorrected"], uncorrected, rtol=1e-6)
    np.testing.assert_allclose(lengths["corrected"], 1.0, rtol=1e-6)


# -- update noise and stability -------------------------------------------------------------


def test_batch_gradient_variance_matches_the_closed_form():
    n, seed = 256, 3
    measured = noise.variance_trial(n, seed, draws=3000)
    X, y = gaussian_regression(n, seed=seed)
    per_sample = -2.0 * y[:, None] * np.hstack([X, np.ones((n, 1))])  # MSE gradient at 0
    spread = np.mean(np.sum((per_sample - per_sample.mean(axis=0)) ** 2, axis=1))
    for row in measured["rows"]:
        b = row["batch"]
        exact = (n - b) / (b * (n - 1)) * spread
        assert row["exact"] == pytest.approx(exact, rel=1e-9)
        if b < n:  # 3000 draws: the mean of squared norms is within about 10% of its value
            assert row["variance"] == pytest.approx(exact, rel=0.12)
        else:
            assert row["variance"] == pytest.approx(0.0, abs=1e-20)


def test_full_batch_descent_is_stable_exactly_below_the_hessians_limit():
    n, seed = 500, 1
    rates = [float(f"{0.5 * 2 ** (k / 2):.4g}") for k in range(4)]  # 0.5 to 1.414
    result = noise.stability_trial(n, seed, None, rates, 300)
    X, _ = gaussian_regression(n, seed=seed)
    design = np.hstack([X, np.ones((n, 1))])
    limit = 1.0 / np.linalg.eigvalsh(design.T @ design / n)[-1]  # 2 / lambda_max(2 A)
    largest = result["largest_stable"]
    assert largest < limit < rates[rates.index(largest) + 1]


def test_gradient_descent_on_least_squares_follows_the_closed_form():
    lr, n = 0.3, 1000
    run = data_size.descend(n, None, lr, 0, 20)
    X, y = gaussian_regression(n, seed=0)
    design = np.hstack([X, np.ones((n, 1))])
    A = design.T @ design / n
    optimum = np.linalg.solve(A, design.T @ y / n)
    e = -optimum  # from zero weights
    start = e @ A @ e
    for update, ratio in run["curve"]:
        error = np.linalg.matrix_power(np.eye(len(e)) - 2 * lr * A, update) @ e
        assert ratio == pytest.approx(error @ A @ error / start, rel=1e-8)


# -- local minima -----------------------------------------------------------------------------


def _starts(land, seeds, starts):
    low = np.array([b[0] for b in land.bounds])[:, None]
    high = np.array([b[1] for b in land.bounds])[:, None]
    return [low + (high - low) * np.random.default_rng(s).random((2, starts)) for s in seeds]


def test_small_steps_end_in_the_basin_of_the_start():
    seeds, starts = [0, 1], 150
    run = basins.starts_trial("two_basin", "GD", 0.03, seeds, starts, 300)
    barrier = TwoBasin().saddles[0][0]  # f = g(x) + y^2 / 2: the basins meet at x = barrier
    expected = [float(np.mean(p[0] < barrier)) for p in _starts(TwoBasin(), seeds, starts)]
    assert run["stuck"] == expected
    # Rastrigin in each coordinate: the global basin is |x_i| < the first local maximum
    a = 10.0
    peak = brentq(lambda x: 2 * x + 2 * np.pi * a * np.sin(2 * np.pi * x), 0.3, 0.7)
    run = basins.starts_trial("rastrigin", "GD", 0.001, seeds, starts, 300)
    points = _starts(Rastrigin(), seeds, starts)
    assert run["stuck"] == [float(np.mean(np.any(np.abs(p) > peak, axis=0))) for p in points]


# -- the tasks --------------------------------------------------------------------------------


def test_gaussian_regression_has_the_stated_scales():
    X, _ = gaussian_regression(200_000, n_features=4, condition=16.0, seed=2)
    np.testing.assert_allclose(X.std(axis=0), [1, 16 ** (-1 / 6), 16 ** (-1 / 3), 0.25], rtol=0.01)
    np.testing.assert_allclose(feature_scales(4, 16.0) ** 2, np.geomspace(1, 1 / 16, 4))


def test_zipf_documents_and_their_dense_control():
    X, y, frequency = zipf_documents(4000, 200, seed=5)
    assert set(np.unique(X)) <= {0.0, 1.0} and set(np.unique(y)) == {0.0, 1.0}
    np.testing.assert_array_equal(frequency, X.mean(axis=0))
    # Zipf's law: word k is drawn with probability proportional to 1 / k^1.1; a document of
    # L words contains it with probability 1 - (1 - p_k)^L (L = 1 + Poisson(20), averaged)
    p = 1 / np.arange(1, 201) ** 1.1
    p /= p.sum()
    lengths = np.arange(1, 80)
    weights = poisson.pmf(lengths - 1, 20.0)
    expected = 1 - (weights[:, None] * (1 - p) ** lengths[:, None]).sum(axis=0) / weights.sum()
    np.testing.assert_allclose(frequency, expected, atol=4 * np.sqrt(0.25 / 4000))
    dense, _, _ = zipf_documents(4000, 200, dense=True, seed=5)
    assert np.all(dense != 0.0)
    np.testing.assert_allclose(dense.mean(axis=0), X.mean(axis=0), atol=5 * 0.5 / np.sqrt(4000))


# -- verdict helpers -------------------------------------------------------------------------


def test_spread_and_comparisons():
    assert Spread.of([1.0, 3.0]).text() == "2 ± 1.4"
    assert Spread.of([1.0, None]).text() == "never"
    assert clearly_better(Spread.of([1.0, 1.2]), Spread.of([2.0, 2.2]))
    assert not clearly_better(Spread.of([1.0, 2.0]), Spread.of([1.5, 2.5]))  # margin 0.5 < 0.71
    assert as_good_as(Spread.of([1.04, 1.04]), Spread.of([1.0, 1.0]))  # within 5%
    assert not as_good_as(Spread.of([1.1, 1.1]), Spread.of([1.0, 1.0]))
    assert score_as_good_as(Spread.of([0.955, 0.955]), Spread.of([0.96, 0.96]))  # within 0.01
    assert not score_as_good_as(Spread.of([0.90, 0.90]), Spread.of([0.96, 0.96]))
    assert not score_as_good_as(Spread.of([0.9, None], -math.inf), Spread.of([0.9, 0.9]))
    assert Spread.of([0.9, None], -math.inf, "diverged").text() == "diverged"
    assert share_verdict(0.75, "the task") == SUPPORTED
    assert share_verdict(0.2, "the task") == NOT_SUPPORTED
    assert share_verdict(0.5, "the task") == "depends on the task"
    assert log_slope([1, 4, 16], [1, 0.5, 0.25]) == pytest.approx(-0.5)
    assert [number(v) for v in (525.3, 12345.6, 0.000485, 3.0)] == [
        "525",
        "12,300",
        "0.000485",
        "3",
    ]


# -- the trials' store -----------------------------------------------------------------------


def _square(x: float) -> dict:
    return {"square": x * x, "inf": math.inf}


def test_trials_are_computed_once_and_kept(tmp_path):
    path = tmp_path / "guide.sqlite"
    with RunStore(path) as store:
        ctx = Context("quick", 0, 1, store, TrialCache(path))
        first = ctx.trials(_square, [{"x": 2.0}, {"x": 3.0}, {"x": 2.0}])
        assert first == [{"square": 4.0, "inf": None}, {"square": 9.0, "inf": None}, first[0]]
        assert (ctx.computed, ctx.reused) == (2, 0)
        again = Context("quick", 0, 1, store, TrialCache(path))
        assert again.trials(_square, [{"x": 3.0}]) == [{"square": 9.0, "inf": None}]
        assert (again.computed, again.reused) == (0, 1)
    with RunStore(path) as store:  # the trials' table leaves the run store usable
        assert len(store) == 0
