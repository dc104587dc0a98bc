"""Invariants of the elementwise rules, and the library without Numba."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import textwrap

import pytest

from optimlab import optim
from optimlab.optim.rules import Rule


def all_rules():
    modules = {inspect.getmodule(cls) for cls in optim.OPTIMIZERS.values()}
    rules = {
        value for module in modules for value in vars(module).values() if isinstance(value, Rule)
    }
    return sorted(rules, key=lambda r: r.fn.__name__)  # one order for every xdist worker


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.__name__)
def test_rules_contain_no_numeric_literals(rule):
    """A literal would make Numba compute float32 rules in float64 (see optimlab.optim.rules)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(rule.fn)))
    body = tree.body[0].body[1:]  # skip the docstring
    literals = [
        n.value
        for stmt in body
        for n in ast.walk(stmt)
        if isinstance(n, ast.Constant)
        and isinstance(n.value, (int, float))
        and not isinstance(n.value, bool)
    ]
    assert literals == [], f"{rule.__name__} uses literals {literals}; pass them as coefficients"


def test_every_rule_is_documented():
    for rule in all_rules():
        assert rule.__doc__, rule.__name__


def test_runs_without_numba():
    """With Numba absent, optimizers default to the NumPy path and give the same iterates."""
    script = textwrap.dedent(
        """
        import sys
        sys.modules["numba"] = None  # makes `import numba` raise ImportError
        import numpy as np
        from optimlab import optim
        from optimlab.optim._kernels import HAVE_NUMBA
        assert not HAVE_NUMBA
        p = np.linspace(-1, 1, 5)
        opt = optim.Adam(p, lr=0.1)
        assert not opt.fused
        for t in range(3):
            opt.step(np.cos(p))
        print(repr(p.tolist()))
        try:
            optim.Adam(p, fused=True)
        except ValueError as e:
            print("refused:", e)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    expected = __import__("numpy").linspace(-1, 1, 5)
    opt = optim.Adam(expected, lr=0.1, fused=True)
    for _ in range(3):
        opt.step(__import__("numpy").cos(expected))
    assert eval(lines[0]) == expected.tolist()
    assert lines[1].startswith("refused: fused=True needs Numba")
