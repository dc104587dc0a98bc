"""optimlab demo: sources cited by title, and the convergence section's figure."""

import inspect
import re

from optimlab.lab import demo
from optimlab.lab.demo import Demo

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def test_the_demo_cites_its_sources_by_title_not_by_seed_number():
    source = inspect.getsource(demo)
    assert not re.search(r"seed \d{3}|the seeds|seed documents", source, re.IGNORECASE)
    for title in (
        "Optimization Algorithms in Deep Learning",
        "Optimizers in Deep Learning",
        "Optimization Algorithms in Deep Neural Networks",
    ):
        assert title in source


def test_the_convergence_section_shows_measured_runs_against_theory(tmp_path):
    practical = Demo(tmp_path, seed=0, quick=True, command="optimlab demo")
    practical.convergence()
    assert (tmp_path / "convergence.png").read_bytes().startswith(PNG_MAGIC)
    html = practical.report.write(tmp_path / "report.html").read_text()
    assert "Convergence rates: measured against theory" in html
    assert "dashed" in html  # the text says which lines are theory
    assert ">nan</td>" not in html  # Newton's rate on a quadratic is undefined, not NaN
    assert ">n/a</td>" in html
