"""scikit-learn estimators whose optimizer is one more hyperparameter.

`OptimClassifier` and `OptimRegressor` train the models of `optimlab.models` (linear,
logistic and softmax regression, the MLP) with any optimizer of `optimlab.optim`, by name,
with its hyperparameters as estimator parameters, through `optimlab.train.fit`. They work
in pipelines, cross-validation and searches, and pickle. See docs/sklearn.md.
"""

from optimlab.sklearn.classifier import OptimClassifier
from optimlab.sklearn.regressor import OptimRegressor

__all__ = ["OptimClassifier", "OptimRegressor"]
