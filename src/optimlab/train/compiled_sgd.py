"""A compiled epoch of per-sample updates for linear and logistic regression.

With one sample per update, a Python loop spends ~20 microseconds per iteration on
overhead, 100x the arithmetic. For the affine models with one output this module runs a
whole epoch inside Numba instead: for each sample, the loss and gradient of the model
(written out below) and then the optimizer's own elementwise rule (the same compiled
function its fused step uses), with the same divergence checks as the Python loop. It
applies when the optimizer's coefficients do not change from step to step
(``optimizer.constant_coefficients``: SGD, Momentum, Adagrad without lr decay, RMSprop,
Adadelta, Lion, Adam without bias correction).
"""

from __future__ import annotations

import math

import numpy as np

from optimlab.optim import ElementwiseOptimizer, Optimizer
from optimlab.optim.rules import HAVE_NUMBA

if HAVE_NUMBA:
    import numba


def applies(model, optimizer: Optimizer, batch_size: int, mode: str, **loop_options) -> bool:
    """True if an epoch of this run can be compiled (see the module docstring)."""
    from optimlab.models import LinearRegression, LogisticRegression

    plain_loop = all(v is None for v in loop_options.values())
    return (
        HAVE_NUMBA
        and isinstance(optimizer, ElementwiseOptimizer)
        and optimizer.fused
        and optimizer.flat_params is not None
        and plain_loop
        and mode == "stochastic"
        and batch_size == 1
        and type(model) in (LinearRegression, LogisticRegression)
        and model.params["W"].shape[1] == 1
        and optimizer.constant_coefficients
        and not optimizer.needs_closure
    )


def _epoch(
    loop,
    X,
    y,
    order,
    p,
    g,
    states,
    first,
    rest,
    use_first,
    logistic,
    l2,
    n_features,
    intercept,
    first_loss,
    explode,
    losses,
    grad_norms,
    last_good,
):  # pragma: no cover - compiled
    no_check = np.zeros(2, dtype=np.int64)  # the loops' flags: the checks are done here
    for k in range(order.size):
        i = order[k]
        z = p[n_features] if intercept else 0.0
        for j in range(n_features):
            z += X[i, j] * p[j]
        penalty = 0.0
        for j in range(n_features):
            penalty += p[j] * p[j]
        if logistic:  # log(1 + e^z) - y z, and its derivative sigmoid(z) - y
            loss = max(z, 0.0) + math.log1p(math.exp(-abs(z))) - y[i] * z
            r = (1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))) - y[i]
        else:  # (z - y)^2 and 2 (z - y)
            loss = (z - y[i]) * (z - y[i])
            r = 2.0 * (z - y[i])
        loss += 0.5 * l2 * penalty
        norm2 = 0.0
        for j in range(n_features):
            g[j] = r * X[i, j] + l2 * p[j]
            norm2 += g[j] * g[j]
        if intercept:
            g[n_features] = r
            norm2 += r * r
        grad_norms[k] = math.sqrt(norm2)
        losses[k] = loss
        if not (math.isfinite(loss) and math.isfinite(norm2)) or loss > explode * max(
            first_loss, 1.0
        ):
            return k
        last_good[:] = p
        if use_first and k == 0:
            loop(p, g, *states, first, no_check)
        else:
            loop(p, g, *states, rest, no_check)
    return order.size


_compiled = None


def run_epoch(
    model, optimizer: ElementwiseOptimizer, X, y, order, first_loss, explode, last_good, lr
):
    """Apply one update per index of ``order`` at rate ``lr``; return ``(losses, grad_norms,
    n_done)``.

    ``n_done < len(order)`` means the loss or gradient at update ``n_done`` was not
    acceptable (non-finite, or above ``explode * first_loss``): that update was not made,
    and ``last_good`` holds the parameters before the previous one.
    """
    global _compiled
    if _compiled is None:
        _compiled = numba.njit(error_model="numpy")(_epoch)
    flat = optimizer.flat_params
    dtype = flat.dtype
    t = optimizer.step_count + 1
    first, rest = optimizer.rule_at(t, lr), optimizer.rule_at(t + 1, lr)
    losses = np.empty(order.size)
    grad_norms = np.empty(order.size)
    g = np.empty_like(flat)
    n_done = _compiled(
        rest.rule.loop(),
        X,
        y.reshape(-1),
        order,
        flat,
        g,
        tuple(optimizer.state_buffers.values()),
        first.array(dtype),
        rest.array(dtype),
        t == 1,
        model.task == "binary",
        dtype.type(model.l2),
        model.n_features,
        model.fit_intercept,
        first_loss,
        explode,
        losses,
        grad_norms,
        last_good,
    )
    optimizer.record_steps(n_done)
    shown = n_done + (n_done < order.size)
    return losses[:shown], grad_norms[:shown], n_done
