"""ASGD: stochastic gradient descent with a decaying step and an averaged iterate."""

from __future__ import annotations

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=1)
def asgd_rule(p, g, ax, eta, shrink, mu, copy, sign, weight_decay, keep):
    """w <- w (1 - lambda eta_t) - eta_t g;  ax <- ax + mu_t (w - ax)  (ax <- w while mu_t = 1)."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    p = p * shrink - eta * g
    ax = p if copy else ax + mu * (p - ax)
    return p, ax


class ASGD(ElementwiseOptimizer):
    r"""Averaged stochastic gradient descent (Polyak and Juditsky 1992), PyTorch's form.

        eta_t = eta / (1 + lambda eta (t - 1))^alpha
        w_{t+1} = w_t (1 - lambda eta_t) - eta_t g_t
        mu_t = 1 / max(1, t - 1 - t0)
        ax_t = ax_{t-1} + mu_t (w_{t+1} - ax_{t-1})

    The step decays as t^-alpha; the average ax starts once t passes t0 (before that it
    follows the iterate). The parameters are the iterate w, as in PyTorch; the average is
    ``opt.state["ax"]``. PyTorch keeps eta_t and mu_t as state computed at the end of the
    previous step; here they are computed from t and the rate of the update, which gives the
    same numbers at a constant rate.

    Args:
        params: the arrays to optimize (updated in place).
        lr: eta >= 0 or a schedule. Default 1e-2.
        lambd: decay term lambda >= 0. Default 1e-4.
        alpha: power of the step decay, >= 0. Default 0.75.
        t0: the step after which averaging starts, >= 0. Default 1e6.
        weight_decay: L2 coefficient (added to the gradient).
        maximize: ascend instead of descend.

    Source: torch.optim.ASGD (PyTorch 2.13).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-2)
    lambd = Hyper(checks.nonnegative, 1e-4)
    alpha = Hyper(checks.nonnegative, 0.75)
    t0 = Hyper(checks.nonnegative, 1e6)
    weight_decay = Hyper(checks.nonnegative, 0.0)
    maximize = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        self._allocate("ax")

    def rule_at(self, t: int, lr: float) -> RuleStep:
        eta = lr / (1.0 + self.lambd * lr * (t - 1)) ** self.alpha
        mu = 1.0 / max(1.0, t - 1 - self.t0)
        sign, weight_decay, keep = self._prelude(lr)
        return asgd_rule.bind(
            eta=eta,
            shrink=1.0 - self.lambd * eta,
            mu=mu,
            copy=mu == 1.0,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
