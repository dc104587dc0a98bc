"""What to do about each label: the context-free text (`REMEDIES`), and the remedies built
from a `RunContext`, each a sentence naming the setting and the `RunSpec` changes that
apply it. No remedy repeats what the run already does."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from optimlab.lab.diagnosis.context import MOMENTUM_OPTION, RunContext
from optimlab.lab.diagnosis.spelling import number, spell

#: The remedy of each label when nothing is known about the run but its curves. The
#: checklist's remedies (the debugging checklist of "Optimization Algorithms in Deep Neural
#: Networks"), with the command option and the API argument that apply each.
REMEDIES = {
    "diverged": "Lower the learning rate by 3-10x (`--optimizer NAME:LR`; RunSpec.lr) and clip "
    "the gradients (`--clip-norm 1.0`; fit(..., clip_norm=1.0)).",
    "singular Hessian": "Damp Newton's Hessian (`--optimizer Newton:damping=0.001`; "
    "Newton(params, damping=1e-3)) or use its pseudo-inverse (`--optimizer Newton:method=pinv`).",
    "unscaled features": "Standardise the features (`--scale`; RunSpec(scale=True)).",
    "unscaled targets": "Standardise the regression target: rescale its column in the CSV file "
    "(`--scale` standardises the features only).",
    "constant features": "Drop the constant features from the CSV file: they carry no information.",
    "oscillating": "Reduce the learning rate by about 3x (`--optimizer NAME:LR`; RunSpec.lr), or "
    "smooth the updates: momentum if the optimizer has none (`--optimizer SGD:LR:momentum=0.9`), "
    "less momentum if it has, or a larger batch (`--batch-size 128`).",
    "overfitting": "Regularize (`--l2 0.001`; RunSpec(l2=0.001)) and stop early (`--patience 5`; "
    "fit(..., callbacks=[EarlyStopping(patience=5)])).",
    "underfitting (model too simple)": "Give the model hidden layers (`--model mlp --hidden 32`; "
    "RunSpec(model='mlp', hidden=(32,))).",
    "stuck at a saddle": "Leave the flat region with an adaptive optimizer "
    "(`--optimizer Adam:0.01`), a larger rate, or another initialization (`--seed`).",
    "plateaued early": "Use an adaptive optimizer (`--optimizer Adam:0.01`), a learning-rate "
    "schedule (`--schedule warmup_cosine`), or a better initialization (another `--seed`).",
    "too slow": "Increase the learning rate by 3-10x (`--optimizer NAME:LR`; RunSpec.lr), tune "
    "the schedule (`--schedule`), or train longer (`--epochs`).",
    "healthy": "Nothing to fix: keep these settings.",
}

#: A momentum that makes the loss oscillate is lowered to this.
CALM_MOMENTUM = 0.5
#: The rate an adaptive optimizer is started with when one is recommended.
ADAPTIVE_RATE = 0.01
#: Hidden layer sizes recommended for a model that is too simple.
HIDDEN = (32,)
#: Defaults of the remedies that name a value: Newton's damping, the L2 strength, the
#: early-stopping patience, the clipping norm.
DAMPING, L2, PATIENCE, CLIP_NORM = 1e-3, 1e-3, 5, 1.0


@dataclass
class Remedy:
    """Remedy text in parts, and the `RunSpec` changes of its first (primary) part."""

    parts: list[str] = field(default_factory=list)
    changes: dict[str, Any] = field(default_factory=dict)

    def primary(self, context: RunContext, why: str, changes: dict[str, Any]) -> Remedy:
        """The remedy a program applies: ``why`` and the spelled ``changes``."""
        self.parts.append(f"{why}: {spell(context, changes)}")
        self.changes = dict(changes)
        return self

    def also(self, text: str) -> Remedy:
        """An alternative, or advice with no `RunSpec` setting."""
        self.parts.append(text)
        return self

    def text(self) -> str:
        if not self.parts:
            return REMEDIES["healthy"]
        joined = "; or ".join(self.parts) if len(self.parts) > 1 else self.parts[0]
        return joined[0].upper() + joined[1:] + "."


# -- building blocks ---------------------------------------------------------------------------


def rate_change(context: RunContext, factor: float) -> dict[str, Any]:
    """Changes that multiply the rate in effect by ``factor`` (through ``options`` for
    Newton and for an ``lr`` option)."""
    return rate_change_to(context, float(number(float(context.rate) * factor)))


def rate_change_to(context: RunContext, rate: float) -> dict[str, Any]:
    """Changes that set the rate in effect to ``rate``."""
    if context.rate_in_options:
        return {"options": _with_option(context, "lr", rate)}
    return {"lr": rate}


def option_change(context: RunContext, key: str, value: Any) -> dict[str, Any]:
    """Changes that set one optimizer option."""
    return {"options": _with_option(context, key, value)}


def _with_option(context: RunContext, key: str, value: Any) -> tuple[tuple[str, Any], ...]:
    options = dict(context.options)
    options[key] = value
    return tuple(sorted(options.items()))


def rate_word(context: RunContext) -> str:
    """How to call the optimizer's ``lr``."""
    return {
        "step length": "Newton's step length (its lr option)",
        "multiplier": "Adadelta's lr (a multiplier of its own step)",
    }.get(context.rate_kind, "the learning rate")


def grid_extension(context: RunContext, factor: float) -> Remedy:
    """Extend a sweep's grid past its lowest (``factor < 1``) or highest rate."""
    rate = float(context.rate)
    new = float(number(rate * factor))
    side, way, down = ("lowest", "lower", "down") if factor < 1 else ("highest", "higher", "up")
    why = (
        f"{number(rate)} is the {side} rate of the sweep's grid, so the sweep could not go "
        f"{way}: extend the grid {down} (or add {number(new)} to the rates of `--lrs` or "
        "`--grid lr=...`, whichever gave them)"
    )
    return Remedy().primary(context, why, rate_change(context, factor))


def beyond_grid(side: str, rate: float, listed: bool = True) -> str:
    """How to try rates past a sweep's ``side`` (``"lowest"`` or ``"highest"``) rate
    ``rate``: ten times further, by the grid's end or in the listed rates (``listed``, a
    grid), or by the end of a random search's range; each way the rates may have been
    given (a grid's `--lrs` or `--grid lr=`, a range's `--lr-min`/`--lr-max` or `--space`)."""
    low = side == "lowest"
    option, beyond = ("--lr-min", rate / 10) if low else ("--lr-max", rate * 10)
    if listed:
        return (
            f"extend the grid (`{option} {number(beyond)}`, or add {number(beyond)} to the "
            "rates of `--lrs` or `--grid lr=...`, whichever gave them)"
        )
    end = "LOW" if low else "HIGH"
    return (
        f"widen the range (`{option} {number(beyond)}`, or {end} = {number(beyond)} in "
        "`--space lr=log:LOW:HIGH`, whichever gave it)"
    )


def newton_safeguard(context: RunContext) -> Remedy:
    """Newton's step overshoots: backtrack along it, or damp the Hessian."""
    hyper = dict(context.hyperparameters)
    remedy = Remedy()
    if not hyper.get("line_search", False):
        remedy.primary(
            context,
            "the full Newton step overshoots where the loss is far from quadratic; shorten it "
            "where needed with a backtracking line search",
            option_change(context, "line_search", True),
        )
        if not hyper.get("damping"):
            damping = option_change(context, "damping", DAMPING)
            remedy.also(f"damp the Hessian: {spell(context, damping)}")
        return remedy
    damping = float(hyper.get("damping") or 0.0)
    new = DAMPING if damping == 0 else damping * 10
    return remedy.primary(
        context,
        "the line search did not keep Newton's step safe; damp the Hessian (a step between "
        "Newton's and gradient descent's)",
        option_change(context, "damping", new),
    )


def momentum_option(context: RunContext) -> str | None:
    """The option that holds the optimizer's momentum, when the command can set it."""
    key = MOMENTUM_OPTION.get(context.optimizer)
    return key if key is not None and context.momentum > 0 else None
