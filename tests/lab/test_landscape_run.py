"""`optimlab.lab.run_landscape`: optimizer paths on a test function, and what it writes."""

from __future__ import annotations

import numpy as np
import pytest

from optimlab.lab.landscape_run import run_landscape


def test_gradient_descent_on_the_ravine_follows_its_closed_form():
    # quadratic: f = 0.5 x^T diag(1, 10) x from (-3, 1); x_k = (1 - lr * lambda)^k x_0
    found = run_landscape("quadratic", ["SGD:0.05", "SGD:0.25"], steps=12)
    k = np.arange(13)[:, None]
    for lr in (0.05, 0.25):
        expected = (1 - lr * np.array([1.0, 10.0])) ** k * np.array([-3.0, 1.0])
        np.testing.assert_allclose(found.paths[f"SGD:{lr}"], expected, rtol=1e-12, atol=1e-15)
    rows = {row["optimizer"]: row for row in found.table()}
    end = expected[-1]  # lr 0.25: |1 - 2.5| > 1 in the steep direction, yet finite here
    assert rows["SGD:0.25"]["loss"] == pytest.approx(0.5 * (end[0] ** 2 + 10 * end[1] ** 2))
    # y grew to 1.5^12 = 130, far outside the window (|y| <= 4): it left the frame
    assert abs(end[1]) > 100 and rows["SGD:0.25"]["status"] == "left the frame"
    assert rows["SGD:0.05"]["status"] == "moving"  # still 0.55^12 > 0 from the minimum


def test_a_diverging_path_is_cut_and_marked():
    found = run_landscape("quadratic", ["SGD:0.5"], steps=2000)
    path = found.paths["SGD:0.5"]  # |1 - 0.5 * 10| = 4 per step: overflows
    assert np.isnan(path[-1]).all() and np.isfinite(path[0]).all()
    assert found.table()[0]["status"] == "diverged"


def test_noise_is_reproducible_under_the_seed():
    one = run_landscape("rosenbrock", ["Adam:0.05"], steps=20, noise=0.5, seed=3)
    two = run_landscape("rosenbrock", ["Adam:0.05"], steps=20, noise=0.5, seed=3)
    exact = run_landscape("rosenbrock", ["Adam:0.05"], steps=20)
    np.testing.assert_array_equal(one.paths["Adam:0.05"], two.paths["Adam:0.05"])
    assert not np.array_equal(one.paths["Adam:0.05"], exact.paths["Adam:0.05"])


def test_write_gives_the_plot_the_animation_and_the_report(tmp_path):
    found = run_landscape("rosenbrock", ["Adam:0.05", "Newton"], steps=5)
    said = []
    report = found.write(tmp_path, command="from a test", log=said.append)
    assert said == [
        "drawing rosenbrock.png ...",
        "animating rosenbrock.gif (this takes a few seconds) ...",
    ]
    assert (tmp_path / "rosenbrock.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "rosenbrock.gif").read_bytes()[:6] in (b"GIF89a", b"GIF87a")
    page = report.read_text()
    assert "from a test" in page and "5 steps from (-1.2, 1.0)" in page
    still = found.write(tmp_path / "still", animate=False)
    assert not (tmp_path / "still" / "rosenbrock.gif").exists() and still.exists()


def test_a_rerun_stopped_while_animating_leaves_the_previous_files(tmp_path, monkeypatch):
    """Ctrl-C during the (slow) animation of a second run into the same folder: the first
    run's files stay, unmixed with the second's, and no staging folder is left."""
    from optimlab import viz

    run_landscape("rosenbrock", ["Adam:0.05"], steps=5).write(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert set(before) == {"rosenbrock.png", "rosenbrock.gif", "landscape.json", "report.html"}

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(viz, "animate_trajectories", stopped)
    with pytest.raises(KeyboardInterrupt):
        run_landscape("rosenbrock", ["SGD:0.001"], steps=7).write(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"function": "rosenbrok"}, "did you mean 'rosenbrock'"),
        ({"optimizers": ["SGD:0.1:momentm=0.9"]}, "did you mean 'momentum'"),
        ({"optimizers": ["Adam", "Adam"]}, "more than once"),
        ({"optimizers": ["Adam:0.05", "adam:5e-2"]}, "Adam with the same settings more than once"),
        ({"optimizers": ["Adam:0.05:lr=0.1"]}, "two learning rates"),
        ({"start": (1e200, 1e200)}, "not finite there"),
        ({"optimizers": []}, "non-empty list"),
        ({"steps": 0}, "Invalid steps"),
        ({"noise": -1.0}, "Invalid noise"),
        ({"start": "1"}, "Invalid start: '1'; start must be two numbers"),
        ({"start": (1.0, float("inf"))}, "Invalid start\\[1\\]"),
        ({"schedule": "cosin"}, "did you mean 'cosine'"),
        ({"schedule": "step", "decay": 1.5}, "Invalid decay"),
        ({"schedule": "warmup_cosine", "period": 0}, "Invalid period"),
        ({"schedule": "warmup_cosine", "period": 300}, "Invalid period: 300; the warmup"),
        ({"schedule": "warmup_cosine", "steps": 1, "period": 1}, "set steps above 1$"),
        ({"clip": "norm", "clip_at": 0.0}, "Invalid clip_at"),
        ({"clip": "nrm"}, "did you mean 'norm'"),
        ({"sampling": "minibatch"}, "sampling applies to the logistic function only"),
        ({"function": "logistic", "sampling": "minibatch", "batch_size": 101}, "batch_size"),
        ({"expression": "x^2"}, "not both"),
        ({"function": None}, "give a function"),
    ],
)
def test_bad_arguments_are_refused_before_any_step(arguments, message):
    settings = {"function": "rosenbrock", "optimizers": ["Adam"], **arguments}
    with pytest.raises(ValueError, match=message):
        run_landscape(settings.pop("function"), settings.pop("optimizers"), **settings)


def test_log_names_each_optimizer_before_it_runs():
    said = []
    run_landscape("booth", ["SGD:0.01", "Adam"], steps=3, log=said.append)
    assert said == ["SGD:0.01: 3 steps on booth ...", "Adam: 3 steps on booth ..."]


def test_a_path_ending_is_named_from_the_gradient_and_the_curvature_there():
    from optimlab.lab.landscape_run import ending
    from optimlab.landscapes import Quadratic, Saddle

    saddle, bowl = Saddle(), Quadratic(condition_number=4.0)
    start = saddle.start
    assert ending(saddle, np.array([start, [0.0, 0.0]])) == "saddle point"  # x^2 - y^2 at 0
    assert ending(bowl, np.array([bowl.start, [0.0, 0.0]])) == "minimum"
    assert ending(bowl, np.array([bowl.start, [0.1, 0.0]])) == "moving"
    (_, high), _ = bowl.bounds
    assert ending(bowl, np.array([bowl.start, [high + 1.0, 0.0]])) == "left the frame"
    assert ending(bowl, np.array([bowl.start, [np.nan, np.nan]])) == "diverged"


def test_a_maximum_is_named_from_both_eigenvalues():
    pytest.importorskip("sympy")
    from optimlab.lab.landscape_run import ending
    from optimlab.play.expression import ExpressionLandscape

    # at (0, 0) the gradient of each vanishes; the Hessians are -2I, diag(2, -2) and 0
    for formula, name in (("-(x^2 + y^2)", "maximum"), ("x^2 - y^2", "saddle point")):
        surface = ExpressionLandscape(formula, start=(1.0, 1.0))
        assert ending(surface, np.array([[1.0, 1.0], [0.0, 0.0]])) == name


def test_a_formula_with_abs_has_its_derivatives_away_from_the_kink():
    pytest.importorskip("sympy")
    from optimlab.play.expression import ExpressionLandscape

    # f = |x - 1| + y^2: gradient (sign(x - 1), 2y), Hessian diag(0, 2) off the line x = 1
    surface = ExpressionLandscape("abs(x - 1) + y^2", start=(3.0, 1.0))
    np.testing.assert_array_equal(surface.grad([3.0, 0.5]), [1.0, 1.0])
    np.testing.assert_array_equal(surface.grad([-2.0, 0.5]), [-1.0, 1.0])
    np.testing.assert_array_equal(surface.hessian([3.0, 0.5]), [[0.0, 0.0], [0.0, 2.0]])
    found = run_landscape(expression="abs(x - 1) + y^2", start=(3.0, 1.0), optimizers=["SGD:0.1"])
    assert found.paths["SGD:0.1"][1].tolist() == [3.0 - 0.1, 1.0 - 0.1 * 2.0]


def test_a_lr_written_as_a_key_is_the_rate():
    keyed = run_landscape("booth", ["Adam:lr=0.1"], steps=5).paths["Adam:lr=0.1"]
    field = run_landscape("booth", ["Adam:0.1"], steps=5).paths["Adam:0.1"]
    np.testing.assert_array_equal(keyed, field)


def test_a_refused_formula_is_refused_with_the_parsers_message():
    pytest.importorskip("sympy")
    from optimlab.play.expression import ExpressionError

    with pytest.raises(ExpressionError, match="unknown function '__import__'"):
        run_landscape(expression="__import__('os')", optimizers=["SGD"])


def test_a_formula_from_a_start_follows_gradient_descents_closed_form():
    pytest.importorskip("sympy")
    # f = x^2 + 3 y^2: x_k = (1 - 2 lr)^k x_0, y_k = (1 - 6 lr)^k y_0
    found = run_landscape(
        expression="x^2 + 3*y^2", optimizers=["SGD:0.05"], steps=10, start=(2.0, -1.0)
    )
    k = np.arange(11)[:, None]
    expected = np.array([0.9, 0.7]) ** k * np.array([2.0, -1.0])
    np.testing.assert_allclose(found.paths["SGD:0.05"], expected, rtol=1e-13, atol=1e-15)
    assert found.config()["expression"] == "x^2 + 3*y^2"
    assert found.config()["start"] == [2.0, -1.0]


def test_a_step_schedule_and_value_clipping_follow_their_closed_forms():
    # quadratic diag(1, 10) from (-3, 1). Step schedule: lr_k = 0.1 * 0.5^(k // 2).
    found = run_landscape("quadratic", ["SGD:0.1"], steps=6, schedule="step", decay=0.5, period=2)
    x = np.array([-3.0, 1.0])
    for k in range(1, 7):
        x = x - 0.1 * 0.5 ** ((k - 1) // 2) * np.array([1.0, 10.0]) * x
        np.testing.assert_allclose(found.paths["SGD:0.1"][k], x, rtol=1e-14)
    # clipping each gradient element into [-0.5, 0.5]: the first step is lr * (0.5, -0.5)...
    clipped = run_landscape("quadratic", ["SGD:0.1"], steps=4, clip="value", clip_at=0.5)
    x = np.array([-3.0, 1.0])
    for k in range(1, 5):
        x = x - 0.1 * np.clip(np.array([1.0, 10.0]) * x, -0.5, 0.5)
        np.testing.assert_allclose(clipped.paths["SGD:0.1"][k], x, rtol=1e-14)
    assert clipped.config()["clip"] == "value" and clipped.config()["clip_at"] == 0.5


def test_each_optimizer_draws_its_own_noise():
    """A noisy path does not depend on the other optimizers listed."""
    both = run_landscape("rosenbrock", ["Adam:0.05", "SGD:0.001"], steps=20, noise=0.5, seed=3)
    alone = run_landscape("rosenbrock", ["SGD:0.001"], steps=20, noise=0.5, seed=3)
    np.testing.assert_array_equal(both.paths["SGD:0.001"], alone.paths["SGD:0.001"])


def test_write_adds_every_path_as_json(tmp_path):
    import json

    found = run_landscape("quadratic", ["SGD:0.5"], steps=2000)
    found.write(tmp_path, animate=False)
    written = json.loads((tmp_path / "landscape.json").read_text())
    assert written["config"]["function"] == "quadratic"
    path = np.array(written["paths"]["SGD:0.5"], dtype=float)  # null -> NaN after divergence
    np.testing.assert_array_equal(path, found.paths["SGD:0.5"])


def test_a_warmup_as_long_as_the_run_is_refused_not_shortened():
    from optimlab.play.stepping import make_schedule

    with pytest.raises(ValueError, match="must be shorter than the run"):
        make_schedule("warmup_cosine", 0.1, steps=300, decay=0.99, period=1000)
    schedule = make_schedule("warmup_cosine", 0.1, steps=300, decay=0.99, period=299)
    assert schedule(298) < schedule(299) == pytest.approx(0.1)  # the whole run warms up
    # the step schedule may have a period past the run: the rate never drops, as written
    assert make_schedule("step", 0.1, steps=10, decay=0.5, period=50)(9) == 0.1


def test_stationarity_is_judged_against_the_gradient_at_the_start():
    pytest.importorskip("sympy")
    from optimlab.lab.landscape_run import ending
    from optimlab.play.expression import ExpressionLandscape

    # gradient norm 1.4e-6 at the end, 12.6 at the start: converged, on any scale
    for scale in (1.0, 1e-9, 1e9):
        bowl = ExpressionLandscape(f"{scale} * (x^2 + 3*y^2)", start=(-2.0, 2.0))
        assert ending(bowl, np.array([bowl.start, [3.5e-7, -3.5e-7]])) == "minimum"
        assert ending(bowl, np.array([bowl.start, [1e-3, 0.0]])) == "moving"


def test_a_constant_function_is_flat_not_a_minimum():
    pytest.importorskip("sympy")
    found = run_landscape(expression="5", optimizers=["SGD:0.1", "Adam:0.05"], steps=5)
    assert {row["status"] for row in found.table()} == {"flat"}


def test_a_step_over_a_pole_is_named():
    pytest.importorskip("sympy")
    found = run_landscape(expression="1/x + y^2", optimizers=["Adam:0.05", "SGD:0.001"], steps=50)
    rows = {row["optimizer"]: row for row in found.table()}
    assert found.paths["Adam:0.05"][-1, 0] > 0  # from x = -2 over the pole at x = 0
    assert rows["Adam:0.05"]["status"] == "crossed a singularity"
    assert rows["SGD:0.001"]["status"] == "moving"  # still left of the pole


def test_a_path_over_a_smooth_ridge_has_not_crossed_a_singularity():
    pytest.importorskip("sympy")
    from optimlab.lab.landscape_run import crosses_singularity
    from optimlab.play.expression import ExpressionLandscape

    ridge = ExpressionLandscape("100*exp(-x^2) + y^2", start=(-2.0, 0.0))
    assert not crosses_singularity(ridge, np.array([[-2.0, 0.0], [2.0, 0.0]]))
    pole = ExpressionLandscape("1/(x - 0.123) + y^2", start=(-2.0, 0.0))
    assert crosses_singularity(pole, np.array([[-2.0, 0.0], [2.0, 0.0]]))
