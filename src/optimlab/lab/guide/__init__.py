"""``optimlab guide``: the "which optimizer when" table of a course, every claim measured.

The article "Deep Learning Optimization Algorithms" closes with a table, "Choose an
algorithm to optimize your model": for gradient descent, SGD, mini-batch gradient
descent, AdaGrad, RMSprop, AdaDelta and Adam, their pros, their cons and when to use them.
The guide quotes every claim of that table, tests each one with an experiment on
optimlab's own tasks (the fair protocol of `optimlab.lab.sweep`, several seeds), and says
by a documented rule whether the numbers support it, do not, or depend on something.

    from optimlab.lab import guide

    result = guide("optimlab-guide", quick=True)       # about a minute; writes the report
    for c, f in zip(result.claims, result.findings):
        print(c.algorithm, c.text, f.verdict)

The package itself can be called as ``optimlab.lab.guide(...)``. Every run and result is
kept in a SQLite store (``out/guide.sqlite``): a second call computes nothing, and an
interrupted one resumes. See docs/guide.md (the full guide) and docs/commands/guide.md.
"""

from __future__ import annotations

import inspect
import sys
import types
from typing import Any

from optimlab.lab.guide.claims import ALGORITHMS, CLAIMS, Claim
from optimlab.lab.guide.runner import GuideResult, guide
from optimlab.lab.guide.verdict import NOT_SUPPORTED, SUPPORTED, Finding

__all__ = [
    "ALGORITHMS",
    "CLAIMS",
    "NOT_SUPPORTED",
    "SUPPORTED",
    "Claim",
    "Finding",
    "GuideResult",
    "guide",
]


class _CallablePackage(types.ModuleType):
    """This package, callable as `guide` (so that ``optimlab.lab.guide(...)`` works whether
    or not the package was imported first)."""

    __signature__ = inspect.signature(guide)

    def __call__(self, *args: Any, **kwargs: Any) -> GuideResult:
        return guide(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
