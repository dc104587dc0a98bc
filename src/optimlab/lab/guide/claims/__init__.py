"""The article's table, claim by claim: each quoted, tied to the experiments that test it,
with its rule (thresholds in words) and the function that applies the rule.

The table is the closing table of "Deep Learning Optimization Algorithms", "Choose an
algorithm to optimize your model": one row per algorithm, with its pros, cons and when to
use it. `CLAIMS` lists every claim in the table's order.
"""

from optimlab.lab.guide.claims.base import COLUMNS, Claim
from optimlab.lab.guide.claims.rows import ALGORITHMS, CLAIMS, claim

__all__ = ["ALGORITHMS", "CLAIMS", "COLUMNS", "Claim", "claim"]
