"""Bad parameters: stored by __init__ and set_params as they are, refused by fit with a
one-line error naming the parameter, before any work, leaving the estimator as it was."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.sklearn import OptimClassifier, OptimRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(40, 3))
Y = (X[:, 0] > 0).astype(int)

BAD = [
    ({"model": "linear"}, "Invalid model: 'linear'; model must be one of 'logistic'"),
    ({"model": "mlp", "hidden_layer_sizes": "10"}, "Invalid hidden_layer_sizes"),
    ({"hidden_layer_sizes": (10, 0)}, r"Invalid hidden_layer_sizes\[1\]: 0"),
    ({"activation": "relu6"}, "Invalid activation.*did you mean 'relu'"),
    ({"init": "glorot"}, "Invalid init: 'glorot'"),
    ({"optimizer": "Adan"}, "Invalid optimizer: 'Adan'.*did you mean 'Adam'"),
    ({"optimizer": "Newton", "model": "mlp"}, "Invalid optimizer: 'Newton' needs the exact"),
    ({"lr": -0.1}, "Invalid lr: -0.1; lr must be >= 0"),
    ({"lr": "fast"}, "Invalid lr: 'fast'"),
    ({"betas": (1.5, 0.9)}, r"Invalid betas\[0\]: 1.5"),
    ({"optimizer": "SGD", "momentum": -1}, "Invalid momentum: -1"),
    ({"eps": 0}, "Invalid eps: 0"),
    ({"weight_decay": -1e-4}, "Invalid weight_decay"),
    ({"optimizer_params": {"amsgard": True}}, "Adam takes no argument 'amsgard'.*'amsgrad'"),
    ({"optimizer_params": {"lr": 0.1}, "lr": 0.2}, "Invalid optimizer_params: 'lr' is also"),
    ({"optimizer_params": [("amsgrad", True)]}, "Invalid optimizer_params: .*a dict"),
    ({"optimizer_params": {"amsgrad": "yes"}}, "Invalid amsgrad: 'yes'"),
    ({"batch_size": 0}, "Invalid batch_size: 0"),
    ({"batch_size": "big"}, "Invalid batch_size: 'big'; batch_size must be 'auto', None"),
    ({"mode": "batch"}, "Invalid mode: 'batch'"),
    ({"mode": "full", "batch_size": 5}, "mode='full' uses all .* got batch_size=5"),
    ({"epochs": 0}, "Invalid epochs: 0"),
    ({"epochs": 2.5}, "Invalid epochs: 2.5; epochs must be an integer"),
    ({"schedule": "cosin"}, "Invalid schedule: 'cosin'.*did you mean 'cosine'"),
    ({"clip_norm": 0}, "Invalid clip_norm: 0"),
    ({"clip_value": -1}, "Invalid clip_value: -1"),
    ({"l2": -1}, "Invalid l2: -1"),
    ({"tol": -1e-4}, "Invalid tol"),
    ({"n_iter_no_change": 0}, "Invalid n_iter_no_change: 0"),
    ({"early_stopping": "yes"}, "Invalid early_stopping: 'yes'"),
    ({"validation_fraction": 1.0}, r"Invalid validation_fraction: 1.0; .* in \(0, 1\)"),
    ({"early_stopping": True, "validation_fraction": 0.01}, "Invalid validation_fraction"),
    ({"random_state": -1}, "Invalid random_state: -1"),
    ({"random_state": "seed"}, "Invalid random_state: 'seed'"),
    ({"warm_start": 1}, "Invalid warm_start: 1"),
]


@pytest.mark.parametrize(("params", "message"), BAD, ids=[str(p) for p, _ in BAD])
def test_fit_refuses_a_bad_parameter_in_one_line_and_changes_nothing(params, message):
    estimator = OptimClassifier(**params)  # __init__ stores anything
    assert estimator.get_params()[next(iter(params))] == params[next(iter(params))]
    with pytest.raises(ValueError) as error:  # ArgumentTypeError is a ValueError too
        estimator.fit(X, Y)
    error.match(message)
    assert "\n" not in str(error.value)
    assert not [name for name in vars(estimator) if name.endswith("_")]  # still unfitted

    fitted = OptimClassifier(model="logistic", epochs=3, random_state=0).fit(X, Y)
    before = (fitted.predict_proba(X), fitted.n_iter_, fitted.loss_curve_, fitted.n_features_in_)
    with pytest.raises(ValueError, match=message):
        fitted.set_params(**params).fit(X[:, :2], Y)  # a refit on other data, refused
    np.testing.assert_array_equal(fitted.predict_proba(X), before[0])
    assert (fitted.n_iter_, fitted.loss_curve_, fitted.n_features_in_) == before[1:]


def test_regressor_models_and_targets():
    with pytest.raises(ValueError, match="Invalid model: 'logistic'; model must be one of"):
        OptimRegressor(model="logistic").fit(X, X[:, 0])
    with pytest.raises(ValueError, match="Unknown label type"):
        OptimClassifier().fit(X, X[:, 0])  # a continuous target for a classifier
    with pytest.raises(ValueError, match="one class"):
        OptimClassifier().fit(X, np.zeros(len(X)))
    reg = OptimRegressor(model="linear", epochs=2).fit(X, X[:, 0])
    with pytest.raises(ValueError, match="y has 2 output"):
        reg.partial_fit(X, X[:, :2])


def test_refused_data_leave_a_fitted_estimator_as_it_was():
    clf = OptimClassifier(model="logistic", epochs=2).fit(X, Y)
    with pytest.raises(ValueError, match="X has 2 features, but OptimClassifier is expecting 3"):
        clf.partial_fit(X[:, :2], Y)
    bad = X.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(bad, Y)
    assert clf.n_features_in_ == 3 and clf.n_iter_ == 2
