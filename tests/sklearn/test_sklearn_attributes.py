"""The fitted attributes and the prediction methods, in the shapes scikit-learn's users know
(from MLPClassifier and LogisticRegression)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, softmax
from sklearn.datasets import load_iris
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from optimlab.sklearn import OptimClassifier, OptimRegressor
from optimlab.train import History

IRIS = load_iris(as_frame=True)
X_FRAME = (IRIS.data - IRIS.data.mean()) / IRIS.data.std()
NAMES = np.array(["setosa", "versicolor", "virginica"])[IRIS.target.to_numpy()]


def test_classifier_attributes_from_a_data_frame_with_string_labels():
    clf = OptimClassifier(hidden_layer_sizes=(10,), lr=0.01, batch_size=16, epochs=40)
    clf.set_params(random_state=0).fit(X_FRAME, NAMES)
    np.testing.assert_array_equal(clf.classes_, ["setosa", "versicolor", "virginica"])
    np.testing.assert_array_equal(clf.feature_names_in_, IRIS.data.columns)
    assert clf.n_features_in_ == 4 and clf.n_outputs_ == 3
    assert len(clf.loss_curve_) == clf.n_iter_ == clf.history_.epochs <= 40
    assert clf.validation_scores_ is None and isinstance(clf.history_, History)
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert set(clf.predict(X_FRAME)) <= set(clf.classes_)
    assert clf.score(X_FRAME, NAMES) > 0.9


def test_decision_function_probabilities_and_labels_agree():
    X, y = X_FRAME.to_numpy(), NAMES
    multi = OptimClassifier(hidden_layer_sizes=(6,), epochs=10, random_state=0).fit(X, y)
    logits = multi.decision_function(X)
    assert logits.shape == (150, 3)
    np.testing.assert_allclose(multi.predict_proba(X), softmax(logits, axis=1), rtol=1e-12)
    np.testing.assert_array_equal(multi.predict(X), multi.classes_[logits.argmax(axis=1)])
    two = y != "setosa"
    for model in ("logistic", "softmax", "mlp"):
        binary = OptimClassifier(model=model, epochs=10, random_state=0).fit(X[two], y[two])
        scores, proba = binary.decision_function(X), binary.predict_proba(X)
        assert scores.shape == (150,) and proba.shape == (150, 2)
        np.testing.assert_allclose(proba[:, 1], expit(scores), rtol=1e-10, atol=1e-15)
        np.testing.assert_array_equal(binary.predict(X), binary.classes_[(scores > 0) * 1])


def test_coefficients_have_logistic_regressions_shapes():
    X, y = X_FRAME.to_numpy(), IRIS.target.to_numpy()
    for rows in (y < 2, y >= 0):  # two classes, then three
        reference = LogisticRegression().fit(X[rows], y[rows])
        ours = OptimClassifier(model="logistic", epochs=2).fit(X[rows], y[rows])
        assert ours.coef_.shape == reference.coef_.shape
        assert ours.intercept_.shape == reference.intercept_.shape
    np.testing.assert_array_equal(ours.coef_, ours.model_.params["W"].T)
    regressor = OptimRegressor(model="linear", epochs=2).fit(X, y)
    assert regressor.coef_.shape == (4,) and isinstance(regressor.intercept_, float)
    two = OptimRegressor(model="linear", epochs=2).fit(X, np.column_stack([y, -y]))
    assert two.coef_.shape == (2, 4) and two.intercept_.shape == (2,)
    mlp = OptimClassifier(hidden_layer_sizes=(3,), epochs=2).fit(X, y)
    with pytest.raises(AttributeError, match="linear models"):
        mlp.coef_  # noqa: B018
    assert not hasattr(OptimClassifier(model="logistic"), "coef_")


def test_unfitted_estimators_refuse_to_predict():
    for estimator in (OptimClassifier(), OptimRegressor()):
        with pytest.raises(NotFittedError):
            estimator.predict(X_FRAME)


def test_regressor_predicts_one_target_as_a_vector_and_several_as_columns():
    X = X_FRAME.to_numpy()
    y = X @ [1.0, 2.0, 0.0, -1.0] + 5.0
    one = OptimRegressor(model="linear", optimizer="Newton", batch_size=None).fit(X, y)
    assert one.predict(X).shape == (150,) and one.n_outputs_ == 1
    with pytest.warns(UserWarning, match="column-vector y"):  # DataConversionWarning
        column = OptimRegressor(model="linear", optimizer="Newton", batch_size=None)
        column.fit(X, y[:, None])
    np.testing.assert_allclose(column.predict(X), one.predict(X), rtol=1e-12)
    both = OptimRegressor(hidden_layer_sizes=(4,), epochs=3).fit(X, np.column_stack([y, y]))
    assert both.predict(X).shape == (150, 2) and both.n_outputs_ == 2


def test_feature_names_are_checked_at_predict():
    clf = OptimClassifier(model="logistic", epochs=2).fit(X_FRAME, NAMES)
    renamed = X_FRAME.rename(columns=lambda name: name.upper())
    with pytest.raises(ValueError, match="feature names"):
        clf.predict(renamed)
    with pytest.raises(ValueError, match=r"(?s)missing.*petal width"):
        clf.predict(X_FRAME.iloc[:, :3])
    unnamed = OptimClassifier(model="logistic", epochs=2).fit(X_FRAME.to_numpy(), NAMES)
    with pytest.raises(ValueError, match="X has 3 features, but OptimClassifier is expecting 4"):
        unnamed.predict(X_FRAME.to_numpy()[:, :3])
