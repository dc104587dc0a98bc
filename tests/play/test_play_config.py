"""PlayConfig: the URL and TOML forms read back what they wrote; bad values are reported."""

from urllib.parse import parse_qs

import pytest
import tomllib

from optimlab.play.config import (
    OptimizerSetting,
    PlayConfig,
    format_optimizer,
    parse_optimizer,
)

RICH = PlayConfig(
    surface="expression",
    expression="x^2 + 3*y^2 + sin(x*y)",
    noise=0.25,
    seed=7,
    start=(-1.5, 2.25),
    steps=420,
    schedule="step",
    decay=0.5,
    period=40,
    clip="norm",
    clip_threshold=2.0,
    optimizers=(
        OptimizerSetting("Adam", (("lr", 0.05), ("betas", (0.8, 0.99)), ("convention", "keras"))),
        OptimizerSetting("Momentum", (("lr", 0.01), ("form", "classic"))),
        OptimizerSetting("RMSprop", (("centered", True), ("eps_inside", True))),
        OptimizerSetting("Newton", (("damping", 0.1),)),
    ),
)


def test_the_default_view_has_an_empty_query():
    assert PlayConfig().to_query() == ""
    assert PlayConfig.from_query({}) == (PlayConfig(), [])


def test_query_round_trip():
    query = RICH.to_query()
    again, problems = PlayConfig.from_query(parse_qs(query))
    assert problems == []
    assert again == RICH


def test_optimizer_text_is_typed_by_its_declaration():
    setting = parse_optimizer("adam:lr=0.05:betas=0.8,0.99:amsgrad=true:convention=keras")
    assert setting.kwargs == {
        "lr": 0.05,
        "betas": (0.8, 0.99),
        "amsgrad": True,
        "convention": "keras",
    }
    assert parse_optimizer(format_optimizer(setting)) == setting
    assert format_optimizer(OptimizerSetting("SGD", (("lr", 0.001), ("nesterov", False)))) == (
        "SGD:lr=0.001:nesterov=false"
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Adamm:lr=1", "unknown optimizer 'Adamm'"),
        ("Adam:lr", "is not key=value"),
        ("Adam:gamma=1", "Adam has no argument 'gamma'"),
        ("Adam:lr=fast", "lr must be a number"),
        ("Adam:amsgrad=yes", "amsgrad must be true or false"),
        ("Momentum:convention=keras", "convention must be one of 'pytorch'"),
    ],
)
def test_bad_optimizer_text_is_refused(text, says):
    with pytest.raises(ValueError, match=None) as caught:
        parse_optimizer(text)
    assert says in str(caught.value)


def test_a_bad_link_opens_the_view_with_the_rest_and_reports_each_problem():
    config, problems = PlayConfig.from_query(
        {
            "surface": ["nowhere"],
            "steps": ["5000"],
            "seed": ["3"],
            "opt": ["Adam:lr=0.1", "Bogus"],
            "zoom": ["2"],
        }
    )
    assert (
        config.surface == "rosenbrock" and config.steps == PlayConfig().steps and config.seed == 3
    )
    assert [o.name for o in config.optimizers] == ["Adam"]
    assert len(problems) == 4
    assert any("surface" in p for p in problems) and any("steps" in p for p in problems)
    assert any("Bogus" in p for p in problems) and any("zoom" in p for p in problems)


def test_toml_has_a_landscape_table_for_the_command_and_a_play_table_for_the_view():
    text = RICH.to_toml()
    data = tomllib.loads(text)
    assert data["landscape"] == {
        "expression": "x^2 + 3*y^2 + sin(x*y)",
        "optimizers": [
            "Adam:lr=0.05:betas=0.8,0.99:convention=keras",
            "Momentum:lr=0.01:form=classic",
            "RMSprop:lr=0.01:centered=true:eps_inside=true",  # PyTorch's default rate
            "Newton:lr=1.0:damping=0.1",  # the full Newton step
        ],
        "steps": 420,
        "noise": 0.25,
        "seed": 7,
        "start": [-1.5, 2.25],
        "schedule": "step",
        "decay": 0.5,
        "period": 40,
        "clip": "norm",
        "clip_at": 2.0,
    }
    assert PlayConfig.from_toml(text) == RICH


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, {}),
        ({"surface": "logistic"}, {"sampling": "full"}),
        (
            {"surface": "logistic", "sampling": "minibatch", "batch_size": 20},
            {"sampling": "minibatch", "batch_size": 20},
        ),
        ({"schedule": "exponential", "decay": 0.9}, {"schedule": "exponential", "decay": 0.9}),
        ({"schedule": "step", "decay": 2.0}, {"schedule": "step", "decay": 1.0, "period": 100}),
        ({"schedule": "inverse_time", "decay": 2.0}, {"schedule": "inverse_time", "decay": 2.0}),
        ({"schedule": "warmup_cosine", "period": 7}, {"schedule": "warmup_cosine", "period": 7}),
        ({"schedule": "cosine"}, {"schedule": "cosine"}),
        ({"clip": "value", "clip_threshold": 3.0}, {"clip": "value", "clip_at": 3.0}),
    ],
)
def test_the_landscape_table_holds_the_settings_the_view_reads(changes, expected):
    config = PlayConfig(surface="beale", optimizers=(OptimizerSetting("SGD", (("lr", 0.1),)),))
    table = config.replace(**changes).landscape_settings()
    base = {"optimizers", "steps", "noise", "seed", "function"}
    assert {k: v for k, v in table.items() if k not in base} == expected
    assert table["function"] == changes.get("surface", "beale")


def test_from_toml_refuses_unknown_settings_and_bad_toml():
    with pytest.raises(ValueError, match="unknown setting"):
        PlayConfig.from_toml("[play]\nzoom = 3\n")
    with pytest.raises(ValueError, match="not valid TOML"):
        PlayConfig.from_toml("[play\n")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("surface", "moon"),
        ("steps", 0),
        ("noise", -1.0),
        ("clip", "both"),
        ("start", (1.0, float("nan"))),
    ],
)
def test_invalid_fields_are_refused(field, value):
    with pytest.raises(ValueError, match=None):
        PlayConfig(**{field: value})


def test_an_optimizer_appears_once():
    with pytest.raises(ValueError, match="once"):
        PlayConfig(optimizers=(OptimizerSetting("SGD"), OptimizerSetting("SGD")))


def test_a_warmup_as_long_as_the_run_is_refused_and_a_link_with_one_opens_constant():
    with pytest.raises(ValueError, match="the warmup of schedule warmup_cosine must be shorter"):
        PlayConfig(schedule="warmup_cosine", steps=50, period=100)
    config, problems = PlayConfig.from_query({"schedule": ["warmup_cosine"], "steps": ["50"]})
    assert config == PlayConfig(steps=50)
    assert problems == [
        "schedule: Invalid period: 100; the warmup of schedule warmup_cosine must be shorter "
        "than the run (steps = 50): set period to at most 49 or steps above 100 "
        "(schedule left constant)"
    ]
