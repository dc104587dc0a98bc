"""The examples of docs/sklearn.md run as written and do what the page says."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs" / "sklearn.md"


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.S)


def run(code: str) -> dict:
    namespace: dict = {"__name__": "__example__"}
    exec(compile(code, str(DOCS), "exec"), namespace)
    return namespace


def test_the_page_has_its_four_examples():
    assert len(blocks()) == 4


@pytest.mark.slow  # 36 fits on two worker processes: about 10 s
def test_the_search_over_optimizers():
    ns = run(blocks()[0])
    grid = ns["grid"]
    assert len(grid.cv_results_["params"]) == 12
    assert grid.best_score_ > 0.9 and grid.score(ns["X_test"], ns["y_test"]) > 0.95


@pytest.mark.slow  # 36 fits: about 5 s
def test_the_search_with_a_grid_per_optimizer():
    ns = run(blocks()[1])
    params = ns["grid"].cv_results_["params"]
    assert len(params) == 2 * 2 + 2 * 2 * 2
    assert not any(
        "optimclassifier__momentum" in p and "optimclassifier__betas" in p for p in params
    )
    assert ns["grid"].best_score_ > 0.9


def test_the_stream_of_batches_recovers_the_coefficients():
    reg = run(blocks()[2])["reg"]
    np.testing.assert_allclose(reg.coef_, [1.5, -2.0, 0.5], atol=0.1)
    assert reg.intercept_ == pytest.approx(10, abs=0.1) and reg.n_iter_ == 20


def test_newton_reaches_scikit_learns_coefficients():
    ns = run(blocks()[3])
    assert np.abs(ns["ours"].coef_ - ns["reference"].coef_).max() < 1e-6
