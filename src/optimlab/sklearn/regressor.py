"""`OptimRegressor`: any optimlab optimizer, schedule and variant behind scikit-learn's
regressor interface, on a standardised target."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.utils.validation import column_or_1d

from optimlab.data import Standardizer
from optimlab.sklearn.estimator import ATTRIBUTES, PARAMETERS, OptimEstimator, Targets
from optimlab.sklearn.model_spec import REGRESSOR_MODELS
from optimlab.sklearn.settings import Settings


class OptimRegressor(RegressorMixin, OptimEstimator):
    __doc__ = (
        """A regressor trained by any optimizer of ``optimlab.optim``, with the
    hyperparameters of that optimizer as parameters of the estimator, so that
    ``GridSearchCV`` can search ``optimizer`` x ``lr`` x ``betas`` like any other setting.

    Models (``model=``): ``"linear"`` (linear regression) and ``"mlp"`` (default:
    ``hidden_layer_sizes`` with ``activation`` and a linear output), on one target or
    several (``y`` of shape ``(n, k)``). The target is standardised inside (each column to
    mean 0 and standard deviation 1, with the statistics of the first fit's ``y``): the
    model minimises the mean squared error on that scale plus ``l2/2 ||W||^2``, and
    predictions come back on the original scale. The other defaults follow
    ``MLPRegressor``'s, the initial weights aside (see ``init``). Features are used as
    given: put a ``StandardScaler`` in front.
"""
        + PARAMETERS
        + ATTRIBUTES.format(scale="\n            It is on the standardised target's scale.")
        + """        coef_, intercept_: linear regression's, on the original scale.

    Example:
        >>> reg = OptimRegressor(model="linear", optimizer="Newton", batch_size=None)
        >>> reg.fit(X, y).predict(X_test)
    """
    )

    MODELS = REGRESSOR_MODELS
    Y_CHECKS = {"multi_output": True, "y_numeric": True}

    def fit(self, X: Any, y: Any) -> OptimRegressor:
        """Train on ``(X, y)``, ``y`` of shape ``(n,)`` or ``(n, k)``; return self."""
        return self._train(X, y, incremental=False)

    def partial_fit(self, X: Any, y: Any) -> OptimRegressor:
        """One epoch on ``(X, y)``, continuing the fitted model and optimizer state (the
        target keeps the first call's standardisation). Early stopping and ``tol`` do not
        apply; a callable ``schedule`` continues its update count; a changed hyperparameter
        (``set_params(lr=...)``) applies from this call."""
        return self._train(X, y, incremental=True)

    def predict(self, X: Any) -> np.ndarray:
        """Predictions on the target's original scale: ``(n,)``, or ``(n, k)``."""
        X = self._features(X)
        outputs = self.model_.predict(X).reshape(X.shape[0], -1)
        predicted = self._target_scaler.inverse_transform(outputs)
        return predicted[:, 0] if self.n_outputs_ == 1 else predicted

    @property
    def coef_(self) -> np.ndarray:
        """Linear regression's coefficients on the original target scale (the fitted ``W``
        times the target's standard deviation): ``(n_features,)`` for one target, else
        ``(k, n_features)``, as scikit-learn's ``LinearRegression``."""
        coef = self._linear_params()["W"].T * self._target_scaler.scale_[:, None]
        return coef[0] if self.n_outputs_ == 1 else coef

    @property
    def intercept_(self) -> float | np.ndarray:
        """Linear regression's intercept on the original scale: ``b`` times the target's
        standard deviation plus its mean (a float for one target)."""
        scaler = self._target_scaler
        intercept = self._linear_params()["b"] * scaler.scale_ + scaler.mean_
        return float(intercept[0]) if self.n_outputs_ == 1 else intercept

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _targets(
        self, y: np.ndarray, settings: Settings, continuing: bool, incremental: bool, classes: Any
    ) -> Targets:
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        columns = y.reshape(y.shape[0], -1)
        if continuing:
            scaler = self._target_scaler
            if columns.shape[1] != self.n_outputs_:
                raise ValueError(
                    f"y has {columns.shape[1]} output(s), the fitted regressor "
                    f"{self.n_outputs_}; call fit with warm_start=False to start again"
                )
        else:
            scaler = Standardizer().fit(columns)
        values = scaler.transform(columns)
        return Targets(
            values=values[:, 0] if y.ndim == 1 else values,
            task="regression",
            n_outputs=columns.shape[1],
            fitted={"_target_scaler": scaler},
        )
