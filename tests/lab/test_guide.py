"""The quick guide, run once: every claim of the table with a verdict, numbers and a
figure; the claims whose truth is known by construction come out as they must; a second
run trains nothing."""

from __future__ import annotations

import json
import re

import pytest

import optimlab.lab
from optimlab.lab.guide import CLAIMS, NOT_SUPPORTED, SUPPORTED

pytestmark = pytest.mark.slow
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick(tmp_path_factory):
    out = tmp_path_factory.mktemp("guide")
    result = optimlab.lab.guide(
        out / "run", quick=True, jobs=2, markdown=out / "docs" / "guide.md", command="pytest"
    )
    return out, result


def test_every_claim_has_a_verdict_numbers_and_a_figure(quick):
    out, result = quick
    assert [c.id for c in result.claims] == [c.id for c in CLAIMS]
    for c, f in zip(result.claims, result.findings):
        assert f.verdict in (SUPPORTED, NOT_SUPPORTED) or f.verdict.startswith("depends on "), c.id
        assert re.search(r"\d", f.summary), c.id
        assert f.numbers and all(row for row in f.numbers), c.id
        assert f.noise and f.headline, c.id
        for name in c.experiments:
            figure = out / "run" / "figures" / f"{name}.png"
            assert figure.read_bytes()[:8] == PNG, (c.id, name)
    data = json.loads((out / "run" / "guide.json").read_text())
    assert [c["id"] for c in data["claims"]] == [c.id for c in CLAIMS]
    assert data["claims"][0]["reproduce"] == "optimlab guide --claims gd-simple --quick"
    report = (out / "run" / "report.html").read_text()
    markdown = (out / "docs" / "guide.md").read_text()
    for c in CLAIMS:
        assert c.text in markdown and c.text.replace("'", "&#x27;") in report
    for link in re.findall(r"\]\((images/guide/[a-z_]+\.png)\)", markdown):
        assert (out / "docs" / link).read_bytes()[:8] == PNG
    assert "seed 00" not in markdown


# Claims whose truth is known by construction, and the verdict each must get:
# - gradient descent's rule keeps no state and does 2 operations per parameter (AdaDelta's
#   keeps 2 arrays and does 16, more than RMSprop's 1 and 9 and AdaGrad's 1 and 7);
# - under a constant gradient AdaGrad's effective rate is lr / (sqrt(t) |g_i| + eps): per
#   parameter (rates 100x apart), falling as t^-1/2 but never to zero (the second half of a
#   run moves sqrt(2) - 1 as far as the first: learning goes on);
# - RMSprop's average forgets (alpha 0.99): its rate stays level and its step returns
#   about 600 updates after the gradient shrinks; AdaGrad's sum never forgets;
# - AdaDelta's step under a constant gradient grows (its average of past steps grows);
# - Adam's bias-corrected first steps are exactly the rate, uncorrected up to 6.5x;
# - Rastrigin's global basin is about 1% of its window: gradient descent from random starts
#   ends in another minimum almost always, whatever its rate.
KNOWN = {
    "gd-simple": SUPPORTED,
    "adadelta-complex": SUPPORTED,
    "adagrad-per-parameter": SUPPORTED,
    "adagrad-diminishing": "depends on the length of training",
    "rmsprop-addresses-adagrad": SUPPORTED,
    "rmsprop-recent-gradients": SUPPORTED,
    "adadelta-addresses-diminishing": SUPPORTED,
    "adam-bias-correction": SUPPORTED,
    "gd-local-minima": SUPPORTED,
    "rmsprop-local-minima": SUPPORTED,
}


@pytest.mark.parametrize(("claim_id", "verdict"), sorted(KNOWN.items()))
def test_claims_known_by_construction_get_their_verdict(quick, claim_id, verdict):
    assert quick[1].finding(claim_id).verdict == verdict


def test_the_numbers_behind_the_known_verdicts(quick):
    results = quick[1].results
    constant = results["step_size"]["constant"]
    assert constant["Adagrad"]["slope"] == pytest.approx(-0.5, abs=0.01)
    assert constant["Adagrad"]["spread"] == pytest.approx(100.0, rel=1e-6)  # gradients 1 : 0.01
    assert constant["RMSprop"]["slope"] == pytest.approx(0.0, abs=0.1)
    assert constant["Adadelta"]["slope"] > 0
    rastrigin = results["basins"]["surfaces"]["rastrigin"]["GD"]
    assert min(min(r["stuck"]) for r in rastrigin) >= 0.9


def test_a_second_run_trains_nothing(quick):
    out, first = quick
    again = optimlab.lab.guide(out / "run", quick=True, jobs=2)
    assert again.computed == 0 and again.reused >= first.computed
    assert again.verdicts() == first.verdicts()
