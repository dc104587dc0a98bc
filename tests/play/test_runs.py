"""The explorer's paths are the library's: equal, point for point, to what
`optimlab.viz.run_on_landscape` and `optimlab landscape` compute, and to plain
`opt.step` loops where the command has no option yet (start, schedule, clipping, batches)."""

import math

import numpy as np
import pytest
from click.testing import CliRunner

from optimlab import clip, landscapes, optim, schedules, viz
from optimlab.cli import main
from optimlab.play.config import OptimizerSetting, PlayConfig, parse_optimizer
from optimlab.play.runs import RunCache, build_surface, run_optimizer


def _setting(text):
    return parse_optimizer(text)


def _app_path(config, text, start=None):
    surface = build_surface(config)
    run = run_optimizer(config, _setting(text), surface, surface.start if start is None else start)
    assert run.error == ""
    return run


CASES = [
    ("rosenbrock", 0.0, "SGD:lr=0.001"),
    ("rosenbrock", 0.0, "SGD:lr=0.001:momentum=0.9:nesterov=true"),
    ("rosenbrock", 0.0, "Adam:lr=0.05:amsgrad=true"),
    ("rosenbrock", 0.0, "Newton"),
    ("beale", 0.0, "RMSprop:lr=0.01:centered=true:convention=keras"),
    ("beale", 0.0, "NAdam:lr=0.01"),
    ("himmelblau", 0.0, "Nesterov:lr=0.01"),
    ("himmelblau", 0.0, "Adagrad:lr=0.5:eps_inside=true"),
    ("saddle", 0.0, "Newton:damping=0.5"),
    ("rastrigin", 0.0, "Lion:lr=0.01"),
    ("quadratic", 0.0, "RAdam:lr=0.1"),
    ("booth", 0.0, "Adadelta:lr=1.0"),
    ("two_basin", 0.0, "Momentum:lr=0.05:form=classic"),
    ("rosenbrock", 0.5, "Adam:lr=0.05"),
    ("himmelblau", 1.0, "Newton:damping=1.0"),
    ("beale", 0.0, "SGD:lr=0.1"),  # diverges
]


@pytest.mark.parametrize(("function", "noise", "text"), CASES)
def test_paths_equal_run_on_landscape_point_for_point(function, noise, text):
    config = PlayConfig(surface=function, noise=noise, steps=150, optimizers=(_setting(text),))
    run = _app_path(config, text)
    surface = landscapes.get_landscape(function)
    stepped = landscapes.Noisy(surface, noise, seed=0) if noise else surface
    setting = _setting(text)
    expected = viz.run_on_landscape(
        stepped, lambda x: optim.OPTIMIZERS[setting.name](x, **setting.kwargs), 150
    )
    np.testing.assert_array_equal(run.path, expected)


def test_a_diverging_run_is_cut_at_its_last_finite_point_with_the_reason():
    run = _app_path(PlayConfig(surface="beale", steps=50), "SGD:lr=0.1")
    assert run.stopped.startswith(f"step {run.last + 1}: diverged")
    assert np.isfinite(run.path[: run.last + 1]).all() and np.isnan(run.path[run.last + 1 :]).all()
    assert np.isfinite(run.losses[: run.last + 1]).all()


def test_a_singular_newton_step_is_reported():
    # f = x^2 (y-free): the Hessian is singular everywhere
    config = PlayConfig(surface="expression", expression="x^2 + 0*y", steps=5)
    run = _app_path(config, "Newton", start=np.array([1.0, 1.0]))
    assert run.last == 0 and "Hessian is singular" in run.stopped


def test_invalid_settings_give_a_message_and_no_path():
    config = PlayConfig(steps=5)
    surface = build_surface(config)
    run = run_optimizer(
        config,
        OptimizerSetting("SGD", (("dampening", 0.5), ("convention", "keras"))),
        surface,
        surface.start,
    )
    assert "Keras's SGD has no dampening" in run.error and len(run.path) == 0


def test_the_command_computes_the_same_paths(tmp_path, monkeypatch):
    """`optimlab landscape --config` on the exported TOML: its paths, captured where the
    command computes them, equal the explorer's."""
    config = PlayConfig(
        surface="himmelblau",
        steps=120,
        optimizers=(
            _setting("SGD:lr=0.01:momentum=0.9"),
            _setting("Adam:lr=0.05:convention=keras"),
            _setting("Momentum:lr=0.02:form=classic"),
            _setting("Newton:damping=0.2"),
        ),
    )
    assert config.landscape_gaps() == []
    toml = tmp_path / "view.toml"
    toml.write_text(config.to_toml(), encoding="utf-8")
    captured = []
    original = viz.run_on_landscape

    def capture(*args, **kwargs):
        captured.append(original(*args, **kwargs))
        return captured[-1]

    monkeypatch.setattr(viz, "run_on_landscape", capture)
    result = CliRunner().invoke(
        main, ["landscape", "--config", str(toml), "--no-animate", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert len(captured) == 4
    surface = build_surface(config)
    for setting, expected in zip(config.optimizers, captured):
        run = run_optimizer(config, setting, surface, surface.start)
        np.testing.assert_array_equal(run.path, expected)


def test_a_clicked_start_equals_the_landscape_built_with_that_start():
    start = np.array([-0.7, 2.3])
    config = PlayConfig(surface="rosenbrock", start=tuple(start), steps=100)
    run = _app_path(config, "Adam:lr=0.03", start=start)
    expected = viz.run_on_landscape(
        landscapes.Rosenbrock(start=start), lambda x: optim.Adam(x, lr=0.03), 100
    )
    np.testing.assert_array_equal(run.path, expected)


def test_a_schedule_is_the_optimizers_own_schedule():
    config = PlayConfig(surface="beale", steps=80, schedule="step", period=20, decay=0.5)
    run = _app_path(config, "Adam:lr=0.05")
    surface = landscapes.Beale()
    x = surface.start
    opt = optim.Adam(x, lr=schedules.StepDecay(0.05, 20, 0.5))
    objective = surface.closure(with_hessian=False)
    for k in range(1, 81):
        opt.step(closure=objective)
        np.testing.assert_array_equal(run.path[k], x)


@pytest.mark.parametrize(
    ("kind", "clipper"), [("norm", clip.clip_grad_norm), ("value", clip.clip_grad_value)]
)
def test_clipping_is_the_library_clipping(kind, clipper):
    config = PlayConfig(surface="rosenbrock", steps=60, clip=kind, clip_threshold=0.5)
    run = _app_path(config, "SGD:lr=0.01:momentum=0.9")
    surface = landscapes.Rosenbrock()
    x = surface.start
    opt = optim.SGD(x, lr=0.01, momentum=0.9)
    for k in range(1, 61):
        _, g = surface.closure(with_hessian=False)(x)
        clipper(g, 0.5)
        opt.step(g)
        np.testing.assert_array_equal(run.path[k], x)


def test_logistic_minibatch_path_is_sgd_on_the_models_batches():
    from optimlab.data import BatchSampler
    from optimlab.play.logistic import logistic_data

    config = PlayConfig(surface="logistic", sampling="minibatch", batch_size=10, seed=4, steps=30)
    run = _app_path(config, "SGD:lr=0.5")
    X, y = logistic_data()
    sampler = BatchSampler(100, batch_size=10, mode="minibatch", seed=4)
    batches = [b.copy() for _ in range(3) for b in sampler.epoch()]
    w = np.array([-1.0, -2.5])
    for k, batch in enumerate(batches, start=1):
        p = 1.0 / (1.0 + np.exp(-(X[batch] @ w)))
        w = w - 0.5 * (X[batch].T @ (p - y[batch]) / len(batch))
        np.testing.assert_allclose(run.path[k], w, rtol=1e-13, atol=1e-15)


def test_gradient_descent_rate_measured_beside_its_prediction():
    # on a quadratic the local theory is exact: rate = max |1 - lr lambda| = 1 - lr mu
    config = PlayConfig(surface="quadratic", steps=400)
    run = _app_path(config, "SGD:lr=0.05")
    hessian = landscapes.Quadratic().hessian([0.0, 0.0])
    eigenvalues = np.linalg.eigvalsh(hessian)
    expected = max(abs(1 - 0.05 * eigenvalues[0]), abs(1 - 0.05 * eigenvalues[-1]))
    assert run.predicted_rate == pytest.approx(expected, rel=1e-12)
    assert run.measured_rate == pytest.approx(expected, rel=1e-6)


def test_no_prediction_under_noise_and_none_invented_for_adam():
    assert math.isnan(
        _app_path(
            PlayConfig(surface="quadratic", noise=0.1, steps=50), "SGD:lr=0.05"
        ).predicted_rate
    )
    assert math.isnan(
        _app_path(PlayConfig(surface="quadratic", steps=50), "Adam:lr=0.05").predicted_rate
    )


def test_the_cache_returns_the_same_run_for_the_same_inputs():
    cache = RunCache(size=2)
    config = PlayConfig(surface="booth", steps=20)
    surface = build_surface(config)
    setting = _setting("Adam:lr=0.1")
    first = cache.run(config, setting, surface, surface.start)
    assert cache.run(config, setting, surface, surface.start) is first
    assert cache.run(config.replace(steps=21), setting, surface, surface.start) is not first
