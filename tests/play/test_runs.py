"""The explorer's paths are the library's: equal, point for point, to what
`optimlab.viz.run_on_landscape` computes, to plain `opt.step` loops (start, schedule,
clipping, batches), and to the paths `optimlab landscape --config` writes for an exported
view."""

import json
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


#: Views that `optimlab landscape --config` reproduces from their exported TOML: every
#: setting the command reads, several optimizers in each.
EXPORTED = {
    "optimizers and conventions": PlayConfig(
        surface="himmelblau",
        steps=120,
        optimizers=(
            _setting("SGD:lr=0.01:momentum=0.9"),
            _setting("Adam:convention=keras"),  # no lr: the optimizer's own, written out
            _setting("Momentum:lr=0.02:form=classic"),
            _setting("Newton:damping=0.2"),
        ),
    ),
    "clicked start": PlayConfig(
        surface="rosenbrock",
        start=(-0.7, 2.3),
        steps=80,
        optimizers=(_setting("Adam:lr=0.03"), _setting("Nesterov:lr=0.0005")),
    ),
    "expression": PlayConfig(
        surface="expression",
        expression="(x - 1)^2 + 3*y^2 + sin(x*y)",
        start=(1.5, -1.0),
        steps=60,
        optimizers=(_setting("SGD:lr=0.05"), _setting("RMSprop:lr=0.02"), _setting("Newton")),
    ),
    "expression from its own start": PlayConfig(
        surface="expression", steps=40, optimizers=(_setting("Adam:lr=0.1"),)
    ),
    "logistic minibatch": PlayConfig(
        surface="logistic",
        sampling="minibatch",
        batch_size=16,
        seed=3,
        steps=70,
        optimizers=(_setting("SGD:lr=0.5"), _setting("Adam:lr=0.1"), _setting("Newton")),
    ),
    "logistic stochastic with noise": PlayConfig(
        surface="logistic",
        sampling="stochastic",
        noise=0.2,
        seed=9,
        steps=50,
        optimizers=(_setting("SGD:lr=0.3"), _setting("Momentum:lr=0.1")),
    ),
    "step schedule": PlayConfig(
        surface="beale",
        schedule="step",
        decay=0.5,
        period=20,
        steps=80,
        optimizers=(_setting("Adam:lr=0.05"), _setting("SGD:lr=0.001:momentum=0.9")),
    ),
    "a step factor above 1 counts as 1": PlayConfig(
        surface="booth",
        schedule="exponential",
        decay=1.5,
        steps=30,
        optimizers=(_setting("SGD:lr=0.01"),),
    ),
    "warmup cosine": PlayConfig(
        surface="quadratic",
        schedule="warmup_cosine",
        period=10,
        steps=50,
        optimizers=(_setting("Lion:lr=0.05"), _setting("Adagrad:lr=0.5")),
    ),
    "inverse time": PlayConfig(
        surface="two_basin",
        schedule="inverse_time",
        decay=2.0,
        steps=40,
        optimizers=(_setting("RAdam:lr=0.1"), _setting("Newton")),
    ),
    "clipping by norm": PlayConfig(
        surface="rosenbrock",
        clip="norm",
        clip_threshold=0.5,
        steps=60,
        optimizers=(_setting("SGD:lr=0.01"), _setting("Newton"), _setting("Nesterov:lr=0.001")),
    ),
    "clipping by value": PlayConfig(
        surface="beale",
        clip="value",
        clip_threshold=2.0,
        steps=60,
        optimizers=(_setting("SGD:lr=0.01"), _setting("Adadelta")),
    ),
    "pairs": PlayConfig(
        surface="himmelblau",
        steps=60,
        optimizers=(
            _setting("Adam:lr=0.05:betas=0.8,0.95"),
            _setting("NAdam:lr=0.02:betas=0.85,0.99"),
            _setting("Lion:lr=0.01:betas=0.95,0.98"),
        ),
    ),
    "noise with several optimizers": PlayConfig(
        surface="rosenbrock",
        noise=0.3,
        seed=5,
        steps=60,
        optimizers=(
            _setting("Adam:lr=0.05"),
            _setting("SGD:lr=0.001"),
            _setting("Newton:damping=1.0"),
        ),
    ),
    "everything at once": PlayConfig(
        surface="saddle",
        start=(0.8, 0.05),
        noise=0.1,
        seed=2,
        steps=50,
        schedule="cosine",
        clip="norm",
        clip_threshold=1.5,
        optimizers=(_setting("Adam:lr=0.05:betas=0.8,0.9"), _setting("SGD:lr=0.02")),
    ),
}


def _play_paths(config):
    """The paths the explorer draws: its surface built without the start, the start kept
    beside it (as `optimlab.play.app.Explorer` does)."""
    surface = build_surface(config.replace(start=None))
    start = np.array(config.start if config.start is not None else surface.start)
    runs = [run_optimizer(config, s, surface, start) for s in config.optimizers]
    assert all(run.error == "" for run in runs)
    return [run.path for run in runs]


@pytest.mark.parametrize("name", list(EXPORTED))
def test_the_command_writes_the_paths_of_an_exported_view(tmp_path, name):
    """`optimlab landscape --config view.toml` on the exported TOML: the paths it writes
    (landscape.json) equal the explorer's, point for point."""
    config = EXPORTED[name]
    if config.surface == "expression":
        pytest.importorskip("sympy")
    toml = tmp_path / "view.toml"
    toml.write_text(config.to_toml(), encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["landscape", "--config", str(toml), "--no-animate", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    written = json.loads((out / "landscape.json").read_text())
    assert len(written["paths"]) == len(config.optimizers)
    for expected, path in zip(_play_paths(config), written["paths"].values()):
        np.testing.assert_array_equal(np.array(path, dtype=float), expected)


def test_each_optimizer_has_its_own_noise():
    """With noise, a path does not depend on the other optimizers listed."""
    config = EXPORTED["noise with several optimizers"]
    alone = config.replace(optimizers=config.optimizers[1:2])
    np.testing.assert_array_equal(_play_paths(alone)[0], _play_paths(config)[1])


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
