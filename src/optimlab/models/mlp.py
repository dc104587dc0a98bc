"""A fully connected network trained by hand-written backpropagation (its four equations).

Layout: a batch is a ``(n, features)`` array with one sample per row, so layer l computes
``Z^l = A^{l-1} W^l + b^l`` and ``A^l = sigma(Z^l)`` with ``W^l`` of shape
``(size_{l-1}, size_l)`` -- the transpose of the column-vector ``z = w a + b``. Its
four equations then read, for the whole batch at once:

- BP1 ``delta^L = dC/dZ^L``: with the output activation matched to its loss (identity +
  MSE, sigmoid + binary cross-entropy, softmax + cross-entropy) this is ``c (yhat - y) / n``
  (``c = 2`` for the unhalved MSE, 1 otherwise), computed by the loss on the logits ``Z^L``.
- BP2 ``delta^l = (delta^{l+1} (W^{l+1})^T) * sigma'(Z^l)``.
- BP3 ``dC/db^l = sum over the batch of delta^l``.
- BP4 ``dC/dW^l = (A^{l-1})^T delta^l``.

``sigma'`` is read off the stored activations (ReLU: ``[A > 0]``, tanh: ``1 - A^2``,
sigmoid: ``A (1 - A)``), so the forward pass keeps only ``A^l``. Work arrays are allocated
once per batch size and the gradients are written into the model's packed gradient buffer,
so a training step allocates almost nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np
from scipy import special

from optimlab import checks
from optimlab.losses import sigmoid, softmax, unchecked_bce, unchecked_cross_entropy, unchecked_mse
from optimlab.models._base import Model, Params
from optimlab.models._checks import (
    check_binary_y,
    check_class_y,
    check_regression_y,
)

ACTIVATIONS = ("relu", "tanh", "sigmoid")
TASKS = ("regression", "binary", "multiclass")
INITS = ("auto", "he", "xavier")
_MAX_CACHED_BATCH_SIZES = 4


class MLP(Model):
    """Multi-layer perceptron for regression, binary or multiclass classification.

    Args:
        layer_sizes: ``[n_features, hidden_1, ..., n_outputs]``, at least two entries.
            ``task="binary"`` needs 1 output; ``task="multiclass"`` needs K >= 2 outputs.
        activation: hidden-layer activation, ``"relu"``, ``"tanh"`` or ``"sigmoid"``.
        task: ``"regression"`` (identity output, MSE), ``"binary"`` (sigmoid output,
            binary cross-entropy) or ``"multiclass"`` (softmax output, cross-entropy).
        init: ``"he"`` (``W ~ N(0, 2 / fan_in)``), ``"xavier"`` (Glorot normal,
            ``W ~ N(0, 2 / (fan_in + fan_out))``) or ``"auto"`` (He for ReLU, Xavier for
            tanh and sigmoid); biases start at 0.
        l2: L2 penalty ``l2/2 sum_l ||W^l||^2`` on the weights (never on the biases).
        dtype: ``np.float64`` or ``np.float32``; data, parameters, gradients and every
            intermediate array use it (float32 in, float32 out).
        seed: an int or ``np.random.Generator`` for the initial weights.

    Targets: regression ``(n,)`` for one output or ``(n, k)``; binary labels 0/1 ``(n,)``;
    multiclass labels ``0..K-1`` ``(n,)`` or one-hot ``(n, K)``. The loss is the mean over
    the batch (MSE unhalved: ``(1/n) sum_i ||yhat_i - y_i||^2``) plus the L2 penalty.

    Parameters are ``W1, b1, W2, b2, ...`` in one packed buffer. ``loss_and_grad`` returns
    views of a gradient buffer that the next call overwrites.

    Example:
        >>> net = MLP([64, 32, 10], activation="relu", task="multiclass", seed=0)
        >>> loss, grads = net.loss_and_grad(X_batch, y_batch)
        >>> labels = net.predict(X_test)
    """

    def __init__(
        self,
        layer_sizes: Sequence[int],
        activation: str = "relu",
        task: str = "regression",
        *,
        init: str = "auto",
        l2: float = 0.0,
        dtype: object = np.float64,
        seed: int | np.random.Generator | None = None,
    ) -> None:
        if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
            raise TypeError(f"layer_sizes must be a list of ints, got {layer_sizes!r}")
        if len(layer_sizes) < 2:
            raise ValueError(
                f"layer_sizes needs at least [n_features, n_outputs], got {list(layer_sizes)}"
            )
        sizes = tuple(checks.integer("each of layer_sizes", s, low=1) for s in layer_sizes)
        self.activation = checks.choice("activation", activation, ACTIVATIONS)
        self.task = checks.choice("task", task, TASKS)
        if self.task == "binary" and sizes[-1] != 1:
            raise ValueError(f"task='binary' needs 1 output unit, got layer_sizes[-1]={sizes[-1]}")
        if self.task == "multiclass" and sizes[-1] < 2:
            raise ValueError("task='multiclass' needs layer_sizes[-1] = n_classes >= 2")
        init = checks.choice("init", init, INITS)
        self.init = ("he" if self.activation == "relu" else "xavier") if init == "auto" else init
        self.l2 = checks.nonnegative("l2", l2)
        self.layer_sizes = sizes
        self.n_features = sizes[0]
        self.n_outputs = sizes[-1]
        self.n_layers = len(sizes) - 1
        rng = np.random.default_rng(seed)
        initial = {}
        for layer, (fan_in, fan_out) in enumerate(pairwise(sizes), start=1):
            variance = 2.0 / fan_in if self.init == "he" else 2.0 / (fan_in + fan_out)
            initial[f"W{layer}"] = rng.normal(0.0, np.sqrt(variance), (fan_in, fan_out))
            initial[f"b{layer}"] = np.zeros(fan_out)
        super().__init__(initial, dtype)
        self._work: dict[int, tuple[list[np.ndarray], list[np.ndarray]]] = {}

    def predict(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """Regression: outputs ``(n,)`` or ``(n, k)``; classification: labels ``(n,)``."""
        logits = self._logits(X, params)
        if self.task == "binary":
            return (logits[:, 0] > 0).astype(np.intp)
        if self.task == "multiclass":
            return np.argmax(logits, axis=1)
        return logits[:, 0] if self.n_outputs == 1 else logits

    def predict_proba(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """Binary: ``P(y = 1 | x)``, shape ``(n,)``; multiclass: ``(n, K)`` probabilities."""
        if self.task == "regression":
            raise ValueError("predict_proba needs task='binary' or 'multiclass'; use predict")
        logits = self._logits(X, params)
        return sigmoid(logits[:, 0]) if self.task == "binary" else softmax(logits)

    def outputs(self, X: np.ndarray, params: Params | None = None) -> np.ndarray:
        """The output layer ``Z^L``, shape ``(n, n_outputs)``: a classifier's logits (before
        the sigmoid or softmax), a regressor's predictions."""
        return self._logits(X, params)

    def _logits(self, X: np.ndarray, params: Params | None) -> np.ndarray:
        X = self._check_features(X)
        fresh = [np.empty((X.shape[0], size), dtype=self.dtype) for size in self.layer_sizes[1:]]
        return self._forward(X, self._resolve(params), fresh)

    def _check_y(self, y: np.ndarray, n_samples: int) -> np.ndarray:
        if self.task == "regression":
            return check_regression_y(y, n_samples, self.n_outputs, self.dtype)
        if self.task == "binary":
            return check_binary_y(y, n_samples, self.dtype)
        return check_class_y(y, n_samples, self.n_outputs)

    def _forward(self, X: np.ndarray, params: Params, acts: list[np.ndarray]) -> np.ndarray:
        """Write ``A^l = sigma(A^{l-1} W^l + b^l)`` into ``acts[l-1]``; return the logits."""
        a = X
        for layer in range(1, self.n_layers + 1):
            z = acts[layer - 1]
            np.matmul(a, params[f"W{layer}"], out=z)
            z += params[f"b{layer}"]
            if layer < self.n_layers:
                self._activate(z)
            a = z
        return a

    def _loss_and_grad(
        self, X: np.ndarray, y: np.ndarray, params: Params
    ) -> tuple[float, dict[str, np.ndarray]]:
        n = X.shape[0]
        acts, deltas = self._buffers(n)
        logits = self._forward(X, params, acts)
        loss, delta = self._output_loss(logits, y, n)  # BP1: delta^L = dC/dZ^L
        grads = self._grads
        for layer in range(self.n_layers, 0, -1):
            a_prev = X if layer == 1 else acts[layer - 2]
            W = params[f"W{layer}"]
            np.matmul(a_prev.T, delta, out=grads[f"W{layer}"])  # BP4: (A^{l-1})^T delta^l
            np.sum(delta, axis=0, out=grads[f"b{layer}"])  # BP3: sum of delta^l over the batch
            if self.l2:
                grads[f"W{layer}"] += self.l2 * W
                loss += 0.5 * self.l2 * float(np.vdot(W, W))
            if layer > 1:
                delta_prev = deltas[layer - 2]
                np.matmul(delta, W.T, out=delta_prev)  # BP2: (delta^l (W^l)^T) ...
                self._times_derivative(delta_prev, a_prev)  # ... * sigma'(Z^{l-1})
                delta = delta_prev
        return loss, grads

    def _output_loss(self, logits: np.ndarray, y: np.ndarray, n: int) -> tuple[float, np.ndarray]:
        if self.task == "regression":
            return unchecked_mse(logits, y, n, 1.0)
        if self.task == "binary":
            return unchecked_bce(logits, y, n)
        return unchecked_cross_entropy(logits, y, n)

    def _activate(self, z: np.ndarray) -> None:
        if self.activation == "relu":
            np.maximum(z, 0, out=z)
        elif self.activation == "tanh":
            np.tanh(z, out=z)
        else:
            special.expit(z, out=z)

    def _times_derivative(self, delta: np.ndarray, a: np.ndarray) -> None:
        """``delta *= sigma'(z)``, with ``sigma'`` written in terms of ``a = sigma(z)``."""
        if self.activation == "relu":
            np.multiply(delta, a > 0, out=delta)
        elif self.activation == "tanh":
            delta *= 1.0 - a * a
        else:
            delta *= a * (1.0 - a)

    def _buffers(self, n: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Activation and delta arrays for a batch of n rows, reused across calls."""
        if n not in self._work:
            if len(self._work) >= _MAX_CACHED_BATCH_SIZES:
                self._work.clear()
            hidden_and_output = self.layer_sizes[1:]
            acts = [np.empty((n, size), dtype=self.dtype) for size in hidden_and_output]
            deltas = [np.empty((n, size), dtype=self.dtype) for size in hidden_and_output[:-1]]
            self._work[n] = (acts, deltas)
        return self._work[n]
