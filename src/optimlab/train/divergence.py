"""Divergence detection, with a debugging checklist as the message ("Optimization Algorithms
in Deep Neural Networks")."""

from __future__ import annotations

import math

#: A loss above EXPLODE_FACTOR * max(initial training loss, 1) counts as exploding. The floor
#: keeps a run that starts near a perfect fit from calling ordinary noise an explosion;
#: inf and NaN are caught whatever the scale.
EXPLODE_FACTOR = 1e4

CHECKLIST = (
    "Try, in this order: lower the learning rate (by 3-10x), clip the gradients (the "
    "command's --clip-norm 1, fit's clip_norm=1.0), standardise the features (--scale), and "
    "check the data for extreme values."
)


def divergence_reason(loss: float, first_loss: float, factor: float = EXPLODE_FACTOR) -> str | None:
    """Why ``loss`` means the run diverged (non-finite, or above ``factor`` x max(first loss,
    1)), or None if it is fine."""
    if not math.isfinite(loss):
        return f"the loss became {loss}"
    if math.isfinite(first_loss) and loss > factor * max(first_loss, 1.0):
        return f"the loss exploded from {first_loss:.4g} to {loss:.4g}"
    return None


def divergence_message(reason: str, epoch: int, iteration: int) -> str:
    """The message of a diverged run: what happened, what was kept, and what to try."""
    return (
        f"Training diverged at epoch {epoch}, iteration {iteration}: {reason}. The parameters "
        f"were restored to the last values with an acceptable loss. {CHECKLIST}"
    )
