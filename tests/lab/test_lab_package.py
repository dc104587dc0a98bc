"""`optimlab.lab`'s public names: each resolves, and importing them stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import optimlab.lab


@pytest.mark.parametrize("name", optimlab.lab.__all__)
def test_every_public_name_resolves(name):
    assert getattr(optimlab.lab, name) is not None
    assert name in dir(optimlab.lab)


def test_the_sweep_module_stays_a_module_beside_run_sweep():
    from optimlab.lab import sweep as sweep_module

    assert optimlab.lab.run_sweep is sweep_module.sweep
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        optimlab.lab.nothing  # noqa: B018


def test_the_builders_import_without_matplotlib():
    code = (
        "import sys\n"
        "from optimlab.lab import run_compare, run_sweep, run_lr_find, run_landscape, RunSpec\n"
        "print(sorted(m for m in ('matplotlib', 'torch') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
