"""Verdicts and the numbers behind them: what each claim's rule returns.

A verdict is one of three words: ``supported``, ``not supported``, or ``depends on ...``
(naming what the outcome turned on: the data size, the learning rate, the task). Every
number that decided it is shown with its seed-to-seed noise, as ``mean ± std`` (sample
standard deviation over seeds, ddof=1).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

SUPPORTED = "supported"
NOT_SUPPORTED = "not supported"
#: How close two mean losses must be to count as "as good as": within the larger of the
#: two seed-to-seed standard deviations, or within this share of the better mean.
RELATIVE_TIE = 0.05
#: How close two mean scores (accuracy, R^2) must be to count as "as good as": within the
#: larger standard deviation, or within this much (one point of accuracy).
SCORE_TIE = 0.01


def depends(on: str) -> str:
    """The verdict ``depends on <on>``."""
    return f"depends on {on}"


@dataclass(frozen=True)
class Finding:
    """What a claim's rule concluded from its experiment.

    Attributes:
        verdict: ``supported``, ``not supported`` or ``depends on ...``.
        summary: one or two sentences with the numbers that decided it.
        numbers: rows of a small table (dicts with the same keys), for the report.
        noise: how the seed-to-seed noise was measured, with its size.
        headline: the finding in one short sentence (default: the summary's first).
    """

    verdict: str
    summary: str
    numbers: tuple[dict[str, Any], ...] = ()
    noise: str = ""
    headline: str = ""

    def __post_init__(self) -> None:
        if not self.headline:
            object.__setattr__(self, "headline", first_sentence(self.summary))

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "headline": self.headline,
            "summary": self.summary,
            "numbers": [dict(row) for row in self.numbers],
            "noise": self.noise,
        }


@dataclass(frozen=True)
class Spread:
    """Mean and sample standard deviation of values over seeds (inf where one is missing)."""

    mean: float
    std: float
    n: int = field(default=0)
    word: str = "never"  # how `text` shows an infinite mean

    @classmethod
    def of(
        cls, values: Iterable[float | None], missing: float = math.inf, word: str = "never"
    ) -> Spread:
        """Over ``values``; a None (a run that never got there, or diverged) makes the mean
        ``missing`` (inf for a loss or a time; -inf for a score such as accuracy), shown as
        ``word``."""
        values = [missing if v is None else float(v) for v in values]
        if not values:
            return cls(math.nan, math.nan, 0, word)
        if not all(math.isfinite(v) for v in values):
            worst = missing if any(v == missing for v in values) else math.inf
            return cls(worst, math.nan, len(values), word)
        std = float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
        return cls(float(np.mean(values)), std, len(values), word)

    def text(self, digits: int = 3, unit: str = "") -> str:
        """``mean ± std`` to ``digits`` significant digits, followed by `` unit`` (``never``
        for inf, without the unit)."""
        if math.isinf(self.mean):
            return self.word
        if math.isnan(self.mean):
            return "n/a"
        tail = f" {unit}" if unit else ""
        if self.n < 2:
            return number(self.mean, digits) + tail
        return f"{number(self.mean, digits)} ± {number(self.std, 2)}{tail}"


def number(value: float | None, digits: int = 3) -> str:
    """A number to ``digits`` significant digits, without an exponent or trailing zeros
    from 1 to 1e6 (``525``, ``1,230``, ``3``); ``never`` for None or inf."""
    if value is None or (isinstance(value, float) and math.isinf(value)):
        return "never"
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    size = abs(value)
    if 1 <= size < 1e6:
        rounded = float(f"{value:.{digits}g}")
        decimals = max(0, digits - 1 - math.floor(math.log10(size)))
        text = f"{rounded:,.{decimals}f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    return f"{value:.{digits}g}"


def first_sentence(text: str) -> str:
    """The first sentence of ``text``: up to the first full stop followed by a space."""
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def as_good_as(a: Spread, b: Spread, relative: float = RELATIVE_TIE) -> bool:
    """True when loss ``a`` is no worse than loss ``b`` beyond the noise: ``a.mean - b.mean
    <= max(a.std, b.std, relative * |b.mean|)``."""
    if math.isinf(a.mean):
        return math.isinf(b.mean)
    if math.isinf(b.mean):
        return True
    tolerance = max(_finite(a.std), _finite(b.std), relative * abs(b.mean))
    return a.mean - b.mean <= tolerance


def score_as_good_as(a: Spread, b: Spread, tolerance: float = SCORE_TIE) -> bool:
    """True when score ``a`` (accuracy or R^2: higher is better) is no worse than ``b``
    beyond the noise: ``b.mean - a.mean <= max(a.std, b.std, tolerance)``."""
    if math.isinf(a.mean) and a.mean < 0:
        return math.isinf(b.mean) and b.mean < 0
    if math.isinf(b.mean):
        return True
    return b.mean - a.mean <= max(_finite(a.std), _finite(b.std), tolerance)


def clearly_better(a: Spread, b: Spread) -> bool:
    """True when loss ``a`` beats loss ``b`` by more than the larger standard deviation (the
    sweep's "more than the seed-to-seed spread")."""
    if math.isinf(b.mean):
        return not math.isinf(a.mean)
    if math.isinf(a.mean):
        return False
    return b.mean - a.mean > max(_finite(a.std), _finite(b.std))


def share_verdict(share: float, what: str, low: float = 0.25, high: float = 0.75) -> str:
    """``supported`` when ``share >= high``, ``not supported`` when ``share <= low`` (or below
    it), else ``depends on <what>``."""
    if share >= high:
        return SUPPORTED
    if share < low:
        return NOT_SUPPORTED
    return depends(what)


def log_slope(x: Sequence[float], y: Sequence[float]) -> float:
    """The least-squares slope of ``log y`` against ``log x`` (positive values only)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    keep = (x > 0) & (y > 0) & np.isfinite(x) & np.isfinite(y)
    if keep.sum() < 2:
        return math.nan
    return float(np.polyfit(np.log(x[keep]), np.log(y[keep]), 1)[0])


def _finite(value: float) -> float:
    return value if math.isfinite(value) else 0.0
