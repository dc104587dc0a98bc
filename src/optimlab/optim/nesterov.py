"""Nesterov accelerated gradient in the look-ahead form the course notes use."""

from __future__ import annotations

from optimlab import checks
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper
from optimlab.optim.rules import RuleStep, rule
from optimlab.optim.tree import Tree, leaves, rebuild


@rule(n_state=1)
def nesterov_rule(p, g, v, lr, momentum):
    """v <- gamma v + eta g(w - gamma v);  w <- w - v  (g already taken at the look-ahead)."""
    v = momentum * v + lr * g
    return p - v, v


class Nesterov(ElementwiseOptimizer):
    r"""Nesterov accelerated gradient, look-ahead form ("Optimizers in Deep Learning", steps
    1-4; Goodfellow et al., Algorithm 8.3).

        1. look ahead:   w~_t = w_t - gamma v_{t-1}
        2. gradient there: g_t = grad L(w~_t)
        3. velocity:     v_t = gamma v_{t-1} + eta g_t
        4. update:       w_{t+1} = w_t - v_t

    Goodfellow et al. write the same with the opposite sign of v (``w~ = w + a v; v = a v - eps g;
    w = w + v``). The gradient is needed at the look-ahead point, so `step` takes a closure
    ``f(params) -> (loss, grads)`` and calls it there; it returns the loss at the look-ahead
    point. Frameworks (``SGD(nesterov=True)``) keep phi = w - gamma v instead of w, which
    turns this into a rule with the gradient at the current point; the iterates agree
    through that change of variables (tested).

    Args:
        params: the arrays to optimize (updated in place).
        lr: learning rate eta >= 0, or a schedule. Default 0.01.
        momentum: gamma in [0, 1). Default 0.9.
    """

    SUPPORTED_CONVENTIONS = ("pytorch",)
    needs_closure = True
    lr = Hyper(checks.learning_rate, 0.01)
    momentum = Hyper(checks.unit_interval, 0.9)

    def _setup(self) -> None:
        self._allocate("velocity")

    def lookahead(self) -> Tree:
        """The look-ahead point w - gamma v, as new arrays shaped like ``params``."""
        gamma = self._dtype.type(self.momentum)
        _, velocities = leaves(self.state["velocity"])
        return rebuild(self.params, [p - gamma * v for p, v in zip(self._arrays, velocities)])

    def _evaluation_point(self) -> Tree:
        return self.lookahead()

    def _closure_needed(self) -> str:
        return (
            "Nesterov (look-ahead form) needs the gradient at w - momentum * v: call "
            "step(closure=f) with f(params) -> (loss, grads); or use "
            "SGD(params, lr, momentum, nesterov=True), which needs only the gradient at w"
        )

    @property
    def constant_coefficients(self) -> bool:
        return not callable(self.lr)

    def rule_at(self, t: int, lr: float) -> RuleStep:
        return nesterov_rule.bind(lr=lr, momentum=self.momentum)
