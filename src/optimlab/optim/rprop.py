"""Rprop: a step size per value, grown or shrunk by the sign of the gradient (Riedmiller and
Braun 1993)."""

from __future__ import annotations

import numpy as np

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.prelude import prelude
from optimlab.optim.rules import RuleStep, rule


@rule(n_state=2)
def rprop_rule(
    p,
    g,
    prev,
    step_size,
    first,
    initial_step_size,
    etaminus,
    etaplus,
    one,
    zero,
    step_size_min,
    step_size_max,
    sign,
    weight_decay,
    keep,
):
    """s <- clip(s * (eta+ if g prev > 0, eta- if < 0, else 1));  w <- w - s sign(g)
    (g taken as 0 where its sign flipped); prev <- that g."""
    p, g = prelude(p, g, sign, weight_decay, keep)
    step_size = initial_step_size if first else step_size
    product = g * prev
    grow, shrink = product > zero, product < zero
    factor = grow * etaplus + shrink * etaminus + (product == zero) * one
    step_size = np.minimum(np.maximum(step_size * factor, step_size_min), step_size_max)
    g = g * (product >= zero)
    return p - np.sign(g) * step_size, g, step_size


def _pair(name: str, value: object, what: str) -> tuple[object, object]:
    if isinstance(value, (str, bytes)) or not isinstance(value, (tuple, list)) or len(value) != 2:
        raise checks.ArgumentTypeError(f"Invalid {name}: {value!r}; {name} must be a pair {what}")
    return value[0], value[1]


def _etas(name: str, value: object) -> tuple[float, float]:
    """(etaminus, etaplus) with 0 < etaminus < 1 < etaplus."""
    minus, plus = _pair(name, value, "(etaminus, etaplus)")
    minus = checks.number(f"{name}[0]", minus, low=0.0, high=1.0, low_open=True, high_open=True)
    return minus, checks.number(f"{name}[1]", plus, low=1.0, low_open=True)


def _step_sizes(name: str, value: object) -> tuple[float, float]:
    """(smallest, largest) step size, 0 <= smallest <= largest."""
    low, high = _pair(name, value, "(smallest, largest)")
    low = checks.nonnegative(f"{name}[0]", low)
    return low, checks.number(f"{name}[1]", high, low=low)


class Rprop(ElementwiseOptimizer):
    r"""Resilient backpropagation (Riedmiller and Braun 1993), PyTorch's form.

    Each value has its own step size s, which only the sign of the gradient changes:

        s_t = clip(s_{t-1} * eta+, ...) if g_t g_{t-1} > 0     (same sign: grow)
              clip(s_{t-1} * eta-, ...) if g_t g_{t-1} < 0     (sign flip: shrink, and
                                                                 take no step: g_t := 0)
              s_{t-1}                    otherwise
        w_{t+1} = w_t - s_t sign(g_t)

    s starts at ``lr`` and is clipped to ``step_sizes``; the gradient's magnitude is never
    used, only its sign. A full-batch method: mini-batch noise flips the signs at random.
    ``lr`` is read on the first update only (a schedule changes nothing after it).

    Args:
        params: the arrays to optimize (updated in place).
        lr: the initial step size. Default 1e-2.
        etas: (eta-, eta+), 0 < eta- < 1 < eta+. Default (0.5, 1.2).
        step_sizes: (smallest, largest) step size. Default (1e-6, 50).
        maximize: ascend instead of descend.

    Source: torch.optim.Rprop (PyTorch 2.13).
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    lr = Hyper(checks.learning_rate, 1e-2)
    etas = Hyper(_etas, (0.5, 1.2))
    step_sizes = Hyper(_step_sizes, (1e-6, 50.0))
    maximize = Option(checks.flag, False, keyword_only=True)

    def _setup(self) -> None:
        self._allocate("prev", "step_size")

    def rule_at(self, t: int, lr: float) -> RuleStep:
        etaminus, etaplus = self.etas
        smallest, largest = self.step_sizes
        sign, weight_decay, keep = self._prelude(lr)
        return rprop_rule.bind(
            first=t == 1,
            initial_step_size=lr,
            etaminus=etaminus,
            etaplus=etaplus,
            one=1.0,
            zero=0.0,
            step_size_min=smallest,
            step_size_max=largest,
            sign=sign,
            weight_decay=weight_decay,
            keep=keep,
        )
