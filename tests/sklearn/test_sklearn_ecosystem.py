"""The estimators among scikit-learn's tools: Pipeline, cross_val_score, GridSearchCV on two
processes, clone, and pickling; scikit-learn's own estimators are the reference."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from optimlab.sklearn import OptimClassifier, OptimRegressor

CANCER_X, CANCER_Y = load_breast_cancer(return_X_y=True)
IRIS_X, IRIS_Y = load_iris(return_X_y=True)
DIABETES_X, DIABETES_Y = load_diabetes(return_X_y=True)


def test_newton_in_a_pipeline_reaches_logistic_regressions_coefficients():
    C = 0.5
    reference = make_pipeline(
        StandardScaler(), LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12)
    ).fit(CANCER_X, CANCER_Y)
    ours = make_pipeline(
        StandardScaler(),
        OptimClassifier(
            model="logistic",
            optimizer="Newton",
            batch_size=None,
            l2=1 / (C * len(CANCER_X)),  # C sum(loss) + |w|^2 / 2, divided by C n
            tol=1e-10,
        ),
    ).fit(CANCER_X, CANCER_Y)
    theirs, mine = reference[-1], ours[-1]
    np.testing.assert_allclose(mine.coef_, theirs.coef_, atol=1e-6)
    np.testing.assert_allclose(mine.intercept_, theirs.intercept_, atol=1e-6)
    np.testing.assert_allclose(
        ours.predict_proba(CANCER_X), reference.predict_proba(CANCER_X), atol=1e-8
    )
    np.testing.assert_array_equal(ours.predict(CANCER_X), reference.predict(CANCER_X))


def test_multinomial_newton_reaches_logistic_regressions_probabilities():
    C = 1.0
    X = StandardScaler().fit_transform(IRIS_X)
    reference = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, IRIS_Y)
    ours = OptimClassifier(
        model="logistic",
        optimizer="Newton",
        optimizer_params={"method": "pinv"},  # the redundant softmax class
        batch_size=None,
        l2=1 / (C * len(X)),
        tol=1e-10,
    ).fit(X, IRIS_Y)
    assert ours.history_.stop_reason == "converged"
    np.testing.assert_allclose(ours.coef_, reference.coef_, atol=1e-5)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-7)


def test_cross_val_score_matches_least_squares():
    ours = OptimRegressor(model="linear", optimizer="Newton", batch_size=None, epochs=1, tol=None)
    folds = KFold(5, shuffle=True, random_state=0)
    np.testing.assert_allclose(
        cross_val_score(ours, DIABETES_X, DIABETES_Y, cv=folds),
        cross_val_score(LinearRegression(), DIABETES_X, DIABETES_Y, cv=folds),
        rtol=1e-10,
    )


@pytest.mark.slow  # two worker processes start and compile the updates: about 5 s
def test_grid_search_over_optimizers_on_two_processes():
    pipe = make_pipeline(
        StandardScaler(), OptimClassifier(hidden_layer_sizes=(8,), epochs=20, random_state=0)
    )
    grid = {
        "optimclassifier__optimizer": ["SGD", "Adam"],
        "optimclassifier__lr": [0.0, 0.05],
        "optimclassifier__betas": [(0.9, 0.999), (0.5, 0.9)],  # Adam's only
    }
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=folds, n_jobs=2).fit(IRIS_X, IRIS_Y)
    assert search.best_params_["optimclassifier__lr"] == 0.05  # lr = 0 never learns
    assert search.best_score_ > 0.9
    # every candidate scored as a fit in this process scores it: the workers agree
    for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        here = cross_val_score(clone(pipe).set_params(**params), IRIS_X, IRIS_Y, cv=folds)
        assert score == pytest.approx(here.mean(), abs=1e-12)
    best = search.best_estimator_[-1]
    if best.optimizer == "Adam":
        assert best.optimizer_.betas == search.best_params_["optimclassifier__betas"]


@pytest.mark.parametrize(
    "estimator",
    [
        OptimClassifier(hidden_layer_sizes=(6,), epochs=5, random_state=0),
        OptimClassifier(
            model="logistic", optimizer="ScheduleFreeSGD", lr=0.5, epochs=5, random_state=0
        ),
        OptimRegressor(model="linear", optimizer="Adam", lr=0.05, epochs=5, random_state=0),
    ],
    ids=["mlp-adam", "logistic-schedule-free", "linear-adam"],
)
def test_a_pickled_estimator_predicts_and_trains_on_identically(estimator):
    X = StandardScaler().fit_transform(IRIS_X)
    y = IRIS_Y if isinstance(estimator, OptimClassifier) else IRIS_X[:, 0]
    fitted = estimator.fit(X, y)
    for copied in (pickle.loads(pickle.dumps(fitted)), copy.deepcopy(fitted)):
        method = "predict_proba" if hasattr(fitted, "predict_proba") else "predict"
        np.testing.assert_array_equal(getattr(copied, method)(X), getattr(fitted, method)(X))
        assert copied.optimizer_.owns(copied.model_.params)
    restored = pickle.loads(pickle.dumps(fitted))
    fitted.partial_fit(X, y)  # the optimizer's state came along: the next epoch is the same
    restored.partial_fit(X, y)  # (Schedule-Free's training point y is recomputed from x and z)
    method = "predict_proba" if hasattr(fitted, "predict_proba") else "predict"
    np.testing.assert_allclose(getattr(restored, method)(X), getattr(fitted, method)(X), rtol=1e-12)
    assert restored.loss_curve_ == pytest.approx(fitted.loss_curve_, rel=1e-13)
    assert restored.optimizer_.step_count == fitted.optimizer_.step_count


def test_clone_and_pickle_unfitted_estimators():
    estimator = OptimClassifier(optimizer="SGD", lr=0.1, optimizer_params={"nesterov": True})
    assert clone(estimator).get_params() == estimator.get_params()
    assert pickle.loads(pickle.dumps(estimator)).get_params() == estimator.get_params()
    fitted = clone(estimator).set_params(momentum=0.9, epochs=2).fit(IRIS_X, IRIS_Y)
    assert not clone(fitted).__sklearn_is_fitted__()
