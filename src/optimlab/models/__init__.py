"""Regression and classification models, holding parameters (never data), with exact gradients
and Hessians.

Every model exposes ``params`` (a packed dict of arrays an optimizer updates in place),
``loss_and_grad(X, y, params=None)``, ``closure(X, y, hessian=False)``, ``predict`` and,
for classifiers, ``predict_proba``. See docs/models.md.
"""

from optimlab.models._base import Model
from optimlab.models.linear import LinearRegression
from optimlab.models.logistic import LogisticRegression
from optimlab.models.mlp import MLP
from optimlab.models.softmax import SoftmaxRegression

__all__ = ["MLP", "LinearRegression", "LogisticRegression", "Model", "SoftmaxRegression"]
