"""A claim of the table: its words, where it sits, what tests it and how it is judged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from optimlab.lab.guide.verdict import Finding

#: The table's columns, as the article names them.
COLUMNS = ("Pros", "Cons", "When to use")
#: Where the table comes from.
SOURCE = (
    'the article "Deep Learning Optimization Algorithms", its closing table "Choose an '
    'algorithm to optimize your model"'
)


@dataclass(frozen=True)
class Claim:
    """One sentence of the table and its test.

    Attributes:
        id: a short name (``gd-local-minima``), for ``optimlab guide --claims ID``.
        algorithm: the table's row ("Gradient Descent", "SGD", ...).
        column: one of `COLUMNS`.
        text: the claim, quoted from the table.
        experiments: the names of the experiments it reads (`optimlab.lab.guide.experiments`).
        rule: how the verdict follows from the numbers, with its thresholds.
        judge: the rule as a function of ``{experiment name: results}``.
    """

    id: str
    algorithm: str
    column: str
    text: str
    experiments: tuple[str, ...]
    rule: str
    judge: Callable[[dict[str, Any]], Finding]
