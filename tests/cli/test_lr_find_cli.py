"""``optimlab lr-find``: the ramp, the smoothing and the suggestion it writes."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from click.testing import CliRunner

from optimlab.cli import main


def lr_find(*args):
    return CliRunner().invoke(main, ["lr-find", *map(str, args)], catch_exceptions=False)


def test_lr_find_writes_the_ramp_the_smoothed_loss_and_a_suggestion(tmp_path):
    result = lr_find(
        "--dataset",
        "moons",
        "--n-samples",
        200,
        "--model",
        "logistic",
        "--iterations",
        40,
        "--burn-in",
        5,
        "--optimizer",
        "SGD:momentum=0.9",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 0, result.output
    for name in ("lr_find.png", "lr_find.json", "report.html"):
        assert (tmp_path / name).stat().st_size > 0
    data = json.loads((tmp_path / "lr_find.json").read_text())
    found = data["result"]
    lrs, losses = np.array(found["lrs"]), np.array(found["losses"])
    k = np.arange(lrs.size)
    np.testing.assert_allclose(lrs, 1e-7 * (10 / 1e-7) ** (k / 39), rtol=1e-12)
    smoothed, average = [], 0.0
    for t, loss in enumerate(losses, start=1):  # debiased EWMA, written out
        average = 0.98 * average + 0.02 * loss
        smoothed.append(average / (1 - 0.98**t))
    np.testing.assert_allclose(found["smoothed"], smoothed, rtol=1e-12)
    # the steepest fall, measured over h = max(1, 40 // 20) = 2 steps each side, past burn-in
    h, log_lr = 2, np.log(lrs)
    centre = np.arange(max(5, h), lrs.size - h)
    slopes = (np.array(smoothed)[centre + h] - np.array(smoothed)[centre - h]) / (
        log_lr[centre + h] - log_lr[centre - h]
    )
    assert found["suggested"] == pytest.approx(lrs[centre[np.argmin(slopes)]], rel=1e-12)
    assert f"suggested learning rate: {found['suggested']:.3g}" in result.output
    assert data["settings"]["run"]["options"] == {"momentum": 0.9}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--optimizer", "Newton"], "Newton has no learning rate"),
        (["--optimizer", "Adamm"], "unknown optimizer 'Adamm'"),
        (["--start", "1", "--end", "0.1"], "start"),
        (["--iterations", "3"], "--iterations"),
    ],
)
def test_lr_find_bad_input_names_the_problem(args, message, tmp_path):
    result = CliRunner().invoke(main, ["lr-find", *args, "--out", str(tmp_path / "o")])
    assert result.exit_code != 0 and message in result.output
    assert not (tmp_path / "o" / "lr_find.json").exists()


def test_the_shortest_ramp_the_help_allows_runs_with_a_shorter_burn_in(tmp_path):
    """--iterations 5 is allowed; the default burn-in (10) then shrinks to what a ramp of 5
    steps leaves (2), instead of refusing a --burn-in the user never gave."""
    result = CliRunner().invoke(main, ["lr-find", "--iterations", "5", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    settings = json.loads((tmp_path / "lr_find.json").read_text())["settings"]
    assert (settings["iterations"], settings["burn_in"]) == (5, 2)
    # suggestions by their names in words, the report's sentences capitalised
    assert "steepest fall:" in result.output and "lowest loss's rate / 10:" in result.output
    report = (tmp_path / "report.html").read_text()
    assert "min_loss_div10" not in result.output + report
    assert re.search(r"Suggested learning rate: [0-9.e+-]+\. [A-Z]", report)
