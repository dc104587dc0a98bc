"""The whole table, row by row, in the article's order."""

from __future__ import annotations

from optimlab.checks import closest
from optimlab.lab.guide.claims import (
    adadelta,
    adagrad,
    adam,
    gradient_descent,
    minibatch,
    rmsprop,
    sgd,
)
from optimlab.lab.guide.claims.base import Claim

_ROWS = (gradient_descent, sgd, minibatch, adagrad, rmsprop, adadelta, adam)
#: The table's rows, in order.
ALGORITHMS = tuple(module.ROW for module in _ROWS)
#: Every claim of the table, in order.
CLAIMS: tuple[Claim, ...] = tuple(c for module in _ROWS for c in module.CLAIMS)


def claim(claim_id: str) -> Claim:
    """The claim with this id.

    Raises:
        ValueError: no claim has it (the message suggests the closest id).
    """
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    near = closest(str(claim_id), [c.id for c in CLAIMS])
    hint = f"; did you mean {near!r}?" if near else ""
    raise ValueError(
        f"unknown claim {claim_id!r}{hint} (the claims are: {', '.join(c.id for c in CLAIMS)})"
    )
