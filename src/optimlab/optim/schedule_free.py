"""Schedule-Free SGD and AdamW: no learning-rate schedule, an average instead (Defazio et al.
2024, "The Road Less Scheduled").

Three sequences share one update. z takes plain gradient steps; x is a running average of the
z's (the point to evaluate, and the answer); y, an interpolation of the two, is where the
gradient is taken:

    y_t = (1 - beta) z_t + beta x_t                         (the parameters during training)
    z_{t+1} = z_t - eta g(y_t)
    x_{t+1} = (1 - c_{t+1}) x_t + c_{t+1} z_{t+1},   c_{t+1} = w_{t+1} / (w_1 + ... + w_{t+1})

Only y and z are stored; x is recovered as x = (y - (1 - beta) z) / beta. During training the
parameters hold y. `eval` moves them to x (keeping y aside) and `train` puts y back exactly;
`optimlab.train.fit` evaluates every epoch at x and ends with the parameters at x, so the
model it returns is the averaged one.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping
from typing import Any

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=1)
def schedule_free_sgd_rule(p, g, z, first, weight_decay, average, y_step, lr):
    """z <- z - eta g';  y <- y + c (z_old - y) + eta (beta (1 - c) - 1) g',  g' = g + lambda y."""
    z = p if first else z
    g = g + weight_decay * p
    p = p + average * (z - p)
    p = p + y_step * g
    return p, z - lr * g


@rule(n_state=2)
def schedule_free_adamw_rule(
    p,
    g,
    z,
    v,
    first,
    beta2,
    one_minus_beta2,
    bias_correction2,
    eps,
    weight_decay,
    average,
    y_step,
    lr,
):
    """v <- b2 v + (1-b2) g^2;  g' = g / (sqrt(v / (1-b2^t)) + eps) + lambda y;
    then the Schedule-Free SGD step on g'."""
    z = p if first else z
    v = beta2 * v + one_minus_beta2 * g * g
    g = g / (np.sqrt(v / bias_correction2) + eps) + weight_decay * p
    p = p + average * (z - p)
    p = p + y_step * g
    return p, z - lr * g, v


def _positive_momentum(name: str, value: Any) -> float:
    """beta in (0, 1): x = (y - (1 - beta) z) / beta needs beta > 0."""
    return checks.number(name, value, low=0.0, high=1.0, low_open=True, high_open=True)


def _count(name: str, value: Any) -> int:
    return checks.integer(name, value, low=0)


def _positive_first_beta(name: str, value: Any) -> tuple[float, float]:
    beta1, beta2 = checks.betas(name, value)
    return _positive_momentum(f"{name}[0]", beta1), beta2


class _ScheduleFree(ElementwiseOptimizer):
    """What both Schedule-Free optimizers share: the averaging weights (scalar state) and the
    move between the training point y and the evaluation point x."""

    SUPPORTED_CONVENTIONS = ("pytorch",)

    def _setup(self) -> None:
        self.lr_max = -1.0
        self.weight_sum = 0.0
        self._training_params: np.ndarray | None = None  # y, kept aside while at x
        self._at_x = False
        self._rate: float | None = None  # the rate of the update being applied

    @property
    @abstractmethod
    def _beta(self) -> float:
        """The interpolation weight between x and z (SGD's momentum, AdamW's beta1)."""

    def _scheduled(self, t: int, lr: float) -> float:
        """The rate of update t after the linear warmup."""
        return lr * (t / self.warmup_steps) if t <= self.warmup_steps else lr

    def _averaging(self, t: int, lr: float) -> tuple[float, float, float]:
        """(lr_max, weight_sum, c_t) after update t at rate lr (t > step_count; later
        updates than the next one are assumed to run at the same rate)."""
        lr_max, weight_sum, weight = self.lr_max, self.weight_sum, 0.0
        for k in range(self.step_count + 1, t + 1):
            lr_max = max(self._scheduled(k, lr), lr_max)
            weight = k**self.r * lr_max**self.weight_lr_power
            weight_sum += weight
        return lr_max, weight_sum, weight / weight_sum if weight_sum else 0.0

    def _schedule_free_coefficients(self, t: int, lr: float) -> dict[str, Any]:
        average = self._averaging(t, lr)[2]
        rate = self._scheduled(t, lr)
        return {
            "first": t == 1,
            "weight_decay": self.weight_decay,
            "average": average,
            "y_step": rate * (self._beta * (1.0 - average) - 1.0),
            "lr": rate,
        }

    def _update(
        self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None, lr: float, extra: tuple
    ) -> bool:
        if self._at_x:
            raise RuntimeError(
                f"{type(self).__name__} has its parameters at the evaluation point x (after "
                "opt.eval()); call opt.train() before taking gradients and stepping"
            )
        self._rate = lr
        try:
            return super()._update(g_arrays, g_flat, lr, extra)
        finally:
            self._rate = None

    def _advance(self, t: int) -> None:
        lr = self._rate if self._rate is not None else self.learning_rate(t - 1)
        self.lr_max, self.weight_sum, _ = self._averaging(t, lr)

    # -- the evaluation point ----------------------------------------------------------

    @property
    def training(self) -> bool:
        return not self._at_x

    def eval(self) -> None:
        """Move the parameters to the average x = y + (1 - 1/beta)(z - y), keeping y aside."""
        if self._at_x:
            return
        if self.step_count:
            self._training_params = np.concatenate([a.reshape(-1) for a in self._arrays])
            self._move(1.0 - 1.0 / self._beta)
        self._at_x = True

    def train(self) -> None:
        """Put the parameters back at y (exactly as they were before `eval`)."""
        if not self._at_x:
            return
        if self._training_params is not None:
            for a, start, stop in zip(self._arrays, self._offsets[:-1], self._offsets[1:]):
                a.reshape(-1)[...] = self._training_params[start:stop]
            self._training_params = None
        elif self.step_count:  # a state saved at x, loaded into a new optimizer
            self._move(1.0 - self._beta)
        self._at_x = False

    def _move(self, weight: float) -> None:
        """p <- p + weight (z - p), array by array."""
        z = self._state["z"]
        for a, start, stop in zip(self._arrays, self._offsets[:-1], self._offsets[1:]):
            flat = a.reshape(-1)
            flat += weight * (z[start:stop] - flat)

    def _extra_state(self) -> dict[str, float]:
        return {
            "lr_max": self.lr_max,
            "weight_sum": self.weight_sum,
            "at_evaluation_point": float(self._at_x),
        }

    def _load_extra_state(self, values: Mapping[str, float]) -> None:
        self.lr_max, self.weight_sum = values["lr_max"], values["weight_sum"]
        self._at_x = bool(values["at_evaluation_point"])
        self._training_params = None


class ScheduleFreeSGD(_ScheduleFree):
    r"""Schedule-Free SGD (Defazio et al. 2024), the ``schedulefree`` package's SGDScheduleFree.

        g'_t = g(y_t) + lambda y_t
        y_{t+1} = y_t + c_{t+1} (z_t - y_t) + eta (beta (1 - c_{t+1}) - 1) g'_t
        z_{t+1} = z_t - eta g'_t,    c_{t+1} = w_{t+1} / sum_{i <= t+1} w_i,
        w_t = t^r lr_max_t^weight_lr_power

    (see `optimlab.optim.schedule_free` for the three sequences). With the defaults,
    c_t = 1/t: x is the plain average of the z's. ``warmup_steps`` ramps the rate linearly
    from eta / warmup_steps to eta; no other schedule is needed. The parameters hold y while
    training; `eval` moves them to x and `train` back (`fit` does both by itself).

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0. Default 1.0 (the package's).
        momentum: beta in (0, 1), the interpolation between z and x. Default 0.9.
        weight_decay: lambda >= 0, added to the gradient at y.
        warmup_steps: updates of linear warmup (an integer >= 0). Default 0.
        r: power of t in the averaging weights, >= 0. Default 0.
        weight_lr_power: power of the largest rate so far in the weights, >= 0. Default 2.

    Source: schedulefree.SGDScheduleFree (schedulefree 1.4.1).
    """

    lr = Hyper(checks.learning_rate, 1.0)
    momentum = Hyper(_positive_momentum, 0.9)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    warmup_steps = Option(_count, 0)
    r = Hyper(checks.nonnegative, 0.0)
    weight_lr_power = Hyper(checks.nonnegative, 2.0)

    def _setup(self) -> None:
        super()._setup()
        self._allocate("z")

    @property
    def _beta(self) -> float:
        return self.momentum

    def rule_at(self, t: int, lr: float) -> RuleStep:
        return schedule_free_sgd_rule.bind(**self._schedule_free_coefficients(t, lr))


class ScheduleFreeAdamW(_ScheduleFree):
    r"""Schedule-Free AdamW (Defazio et al. 2024), the ``schedulefree`` package's
    AdamWScheduleFree.

        v_t = beta2 v_{t-1} + (1 - beta2) g(y_t)^2
        g'_t = g(y_t) / (sqrt(v_t / (1 - beta2^t)) + eps) + lambda y_t
        then the Schedule-Free step of `ScheduleFreeSGD` on g'_t, with beta = beta1.

    Adam's second moment scales the gradient; its first moment is replaced by the
    interpolation between z and the average x. Weight decay is applied at y, after the
    scaling. No schedule is needed (``warmup_steps`` ramps the rate up).

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0. Default 0.0025 (the package's).
        betas: (beta1, beta2); beta1 in (0, 1). Default (0.9, 0.999).
        eps: > 0. Default 1e-8.
        weight_decay: lambda >= 0.
        warmup_steps, r, weight_lr_power: as `ScheduleFreeSGD`.

    Source: schedulefree.AdamWScheduleFree (schedulefree 1.4.1).
    """

    lr = Hyper(checks.learning_rate, 0.0025)
    betas = Hyper(_positive_first_beta, (0.9, 0.999))
    eps = Hyper(checks.positive, 1e-8)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    warmup_steps = Option(_count, 0)
    r = Hyper(checks.nonnegative, 0.0)
    weight_lr_power = Hyper(checks.nonnegative, 2.0)

    def _setup(self) -> None:
        super()._setup()
        self._allocate("z", "exp_avg_sq")

    @property
    def _beta(self) -> float:
        return self.betas[0]

    def rule_at(self, t: int, lr: float) -> RuleStep:
        beta2 = self.betas[1]
        return schedule_free_adamw_rule.bind(
            beta2=beta2,
            one_minus_beta2=1.0 - beta2,
            bias_correction2=1.0 - beta2**t,
            eps=self.eps,
            **self._schedule_free_coefficients(t, lr),
        )


__all__ = ["ScheduleFreeAdamW", "ScheduleFreeSGD"]
