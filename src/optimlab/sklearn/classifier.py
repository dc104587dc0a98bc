"""`OptimClassifier`: any optimlab optimizer, schedule and variant behind scikit-learn's
classifier interface."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets

from optimlab.sklearn.estimator import ATTRIBUTES, PARAMETERS, OptimEstimator, Targets
from optimlab.sklearn.model_spec import CLASSIFIER_MODELS
from optimlab.sklearn.settings import Settings


class OptimClassifier(ClassifierMixin, OptimEstimator):
    __doc__ = (
        """A classifier trained by any optimizer of ``optimlab.optim``, with the
    hyperparameters of that optimizer as parameters of the estimator, so that
    ``GridSearchCV`` can search ``optimizer`` x ``lr`` x ``betas`` like any other setting.

    Models (``model=``): ``"logistic"`` (logistic regression: sigmoid for two classes,
    softmax for more), ``"softmax"`` (softmax regression, also for two classes) and
    ``"mlp"`` (default: ``hidden_layer_sizes`` with ``activation``, a sigmoid output for two
    classes and a softmax for more, as ``MLPClassifier``). Each minimises the mean
    cross-entropy plus ``l2/2 ||W||^2``. The defaults follow ``MLPClassifier``'s: one hidden
    layer of 100 ReLUs, Adam at 1e-3, batches of ``min(200, n)``, 200 epochs, ``tol=1e-4``
    over 10 epochs (its initial weights are ``init="xavier"``'s variance; the default here,
    He's, suits ReLUs). Features are used as given: put a ``StandardScaler`` in front (a
    ``Pipeline``).
"""
        + PARAMETERS
        + ATTRIBUTES.format(scale="")
        + """        classes_: the class labels, sorted.
        coef_, intercept_: logistic and softmax regression's, as ``LogisticRegression``'s.

    Example:
        >>> clf = OptimClassifier(optimizer="SGD", lr=0.1, momentum=0.9, random_state=0)
        >>> clf.fit(X, y).score(X_test, y_test)
    """
    )

    MODELS = CLASSIFIER_MODELS

    def fit(self, X: Any, y: Any) -> OptimClassifier:
        """Train on ``(X, y)`` (labels of any type; at least two classes); return self."""
        return self._train(X, y, incremental=False)

    def partial_fit(self, X: Any, y: Any, classes: Any = None) -> OptimClassifier:
        """One epoch on ``(X, y)``, continuing the fitted model and optimizer state.

        ``classes`` (every label the data may hold) is needed on the first call. Early
        stopping and ``tol`` do not apply; a callable ``schedule`` continues its update
        count; a changed hyperparameter (``set_params(lr=...)``) applies from this call.
        """
        return self._train(X, y, incremental=True, classes=classes)

    def decision_function(self, X: Any) -> np.ndarray:
        """The logits: ``(n,)`` for two classes (positive: ``classes_[1]``), else ``(n, K)``."""
        X = self._features(X)
        outputs = self.model_.outputs(X)
        if outputs.shape[1] == 1:
            return outputs[:, 0]
        if outputs.shape[1] == 2:
            return outputs[:, 1] - outputs[:, 0]
        return outputs

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, ``(n, K)`` in the order of ``classes_``."""
        X = self._features(X)
        proba = self.model_.predict_proba(X)
        return np.column_stack([1.0 - proba, proba]) if proba.ndim == 1 else proba

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(np.intp) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    @property
    def coef_(self) -> np.ndarray:
        """Logistic or softmax regression's weights, as scikit-learn's ``LogisticRegression``
        has them: ``(1, n_features)`` for two classes (sigmoid), else ``(K, n_features)``."""
        return self._linear_params()["W"].T.copy()

    @property
    def intercept_(self) -> np.ndarray:
        """Logistic or softmax regression's intercepts, ``(1,)`` or ``(K,)``."""
        return self._linear_params()["b"].copy()

    def _kind(self, settings: Settings, task: str) -> str:
        return (
            "softmax" if settings.model == "logistic" and task == "multiclass" else settings.model
        )

    def _targets(
        self, y: np.ndarray, settings: Settings, continuing: bool, incremental: bool, classes: Any
    ) -> Targets:
        check_classification_targets(y)
        if continuing:
            known = self.classes_
            if classes is not None and not np.array_equal(np.unique(classes), known):
                raise ValueError(
                    f"Invalid classes: {np.unique(classes)}; partial_fit continues with the "
                    f"classes of the first call, {known}"
                )
        elif incremental:
            if classes is None:
                raise ValueError(
                    "classes must be given on the first call to partial_fit: every label the "
                    "data may hold, e.g. classes=np.unique(y_all)"
                )
            known = np.unique(classes)
        else:
            known = np.unique(y)
        unknown = np.setdiff1d(y, known)
        if unknown.size:
            raise ValueError(
                f"y holds labels {unknown[:5].tolist()} outside the classes {known.tolist()}; "
                "pass every label in classes= (partial_fit), or set warm_start=False"
            )
        if known.size < 2:
            raise ValueError(
                f"y holds one class ({known[0]!r}); a classifier needs samples of at least "
                "2 classes"
            )
        binary = known.size == 2 and settings.model != "softmax"
        return Targets(
            values=np.searchsorted(known, y),
            task="binary" if binary else "multiclass",
            n_outputs=1 if binary else known.size,
            fitted={"classes_": known},
        )
