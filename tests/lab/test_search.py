"""The search of a sweep: names (who takes what, refusals with the closest name), the grid's
combinations, the random search's draws (reproducible, widenable, distributed as asked),
and the learning-rate grid's limits."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats

from optimlab.lab.experiment import RunSpec
from optimlab.lab.search import (
    MAX_CONFIGURATIONS,
    Grid,
    Interval,
    RandomSearch,
    lr_grid,
    parse_grid,
    parse_space,
    parse_value,
    plan,
)

BASE = RunSpec(dataset="moons", model="logistic", n_samples=120, epochs=3, batch_size=16)
LRS = [0.01, 0.1]


# -- parsing ------------------------------------------------------------------------------------


def test_values_are_read_as_none_flags_integers_numbers_or_names():
    assert [parse_value(t) for t in ("none", "True", "16", "0.5", "1e-3", "cosine")] == [
        None,
        True,
        16,
        0.5,
        0.001,
        "cosine",
    ]
    assert parse_grid("momentum=0,0.5, 0.9") == ("momentum", [0, 0.5, 0.9])
    assert parse_space("lr=log:1e-4:1") == ("lr", Interval(1e-4, 1, log=True))
    assert parse_space("beta2=0.9:0.9999") == ("beta2", Interval(0.9, 0.9999))
    assert parse_space("schedule=constant,cosine") == ("schedule", ["constant", "cosine"])


@pytest.mark.parametrize(
    ("parse", "text", "message"),
    [
        (parse_grid, "momentum", "NAME=VALUE"),
        (parse_grid, "momentum=", "NAME=VALUE"),
        (parse_grid, "momentum=0,,1", "NAME=VALUE"),
        (parse_space, "lr=log:1e-4", "LOW:HIGH"),
        (parse_space, "lr=a:b", "LOW:HIGH"),
        (parse_space, "lr=1:0.1", "high=0.1 must be greater than low=1"),
        (parse_space, "lr=log:0:1", "a log range needs low > 0"),
    ],
)
def test_malformed_searches_are_refused_in_one_line(parse, text, message):
    with pytest.raises(ValueError, match=message) as error:
        parse(text)
    assert "\n" not in str(error.value)


def test_a_reversed_range_says_invalid_once():
    with pytest.raises(ValueError) as error:
        parse_space("lr=log:1:1e-3")
    assert str(error.value) == (
        "Invalid space 'lr=log:1:1e-3': high=0.001 must be greater than low=1.0"
    )


# -- names: who takes what ------------------------------------------------------------------------


def test_a_grid_gives_each_optimizer_the_combinations_of_the_names_it_takes():
    searched = plan(
        {"momentum": [0, 0.9], "beta2": [0.99, 0.999], "batch_size": [16, 64]},
        ["SGD", "Adam", "Momentum"],
        BASE,
        LRS,
        seed=0,
    )
    applies = {d.name: d.applies_to for d in searched.dimensions}
    assert applies == {
        "lr": ("SGD", "Adam", "Momentum"),
        "momentum": ("SGD",),  # Momentum's own coefficient is called beta
        "beta2": ("Adam",),
        "batch_size": ("SGD", "Adam", "Momentum"),
    }
    assert [len(searched.configurations[o]) for o in ("SGD", "Adam", "Momentum")] == [8, 8, 4]
    sgd = {(s.lr, dict(s.options)["momentum"], s.batch_size) for s in searched.specs["SGD"]}
    assert sgd == {(lr, m, b) for lr in LRS for m in (0.0, 0.9) for b in (16, 64)}
    adam = {(s.lr, dict(s.options)["betas"], s.batch_size) for s in searched.specs["Adam"]}
    # beta2 is the second component of betas; beta1 keeps PyTorch's default 0.9
    assert adam == {(lr, (0.9, b2), b) for lr in LRS for b2 in (0.99, 0.999) for b in (16, 64)}
    assert all(s.options == () for s in searched.specs["Momentum"])
    assert all(s.seed == 0 for specs in searched.specs.values() for s in specs)


def test_searching_the_rate_alone_gives_the_specs_and_keys_of_an_lr_sweep():
    searched = plan(None, ["SGD", "Adam"], BASE, LRS, seed=3)
    for optimizer in ("SGD", "Adam"):
        by_hand = [replace(BASE, optimizer=optimizer, lr=lr, seed=3) for lr in LRS]
        assert list(searched.specs[optimizer]) == by_hand
        assert [s.key() for s in searched.specs[optimizer]] == [s.key() for s in by_hand]
    assert (
        plan(Grid({"lr": LRS}), ["SGD"], BASE, None, 3).specs
        == plan(None, ["SGD"], BASE, LRS, 3).specs
    )


def test_one_value_written_two_ways_is_one_configuration():
    searched = plan({"momentum": [0, 0.0, 0.5]}, ["SGD"], BASE, [0.1], seed=0)
    assert searched.dimension("momentum").values == (0.0, 0.5)
    assert len(searched.specs["SGD"]) == 2


@pytest.mark.parametrize(
    ("search", "optimizers", "message"),
    [
        (
            {"momentun": [0.9]},
            ["SGD"],
            "unknown hyperparameter 'momentun' \\(did you mean 'momentum'",
        ),
        (
            {"beta2": [0.99]},
            ["SGD", "Momentum"],
            "not an argument of SGD, Momentum \\(Adam, AdamW, .* take it\\)",
        ),
        ({"betas": [0.9]}, ["Adam"], "betas is a tuple; search its components: beta1, beta2"),
        ({"n_samples": [100]}, ["SGD"], "n_samples cannot be searched"),
        (
            {"momentum": [1.5]},
            ["SGD"],
            r"Invalid momentum: 1.5; momentum must be in \[0, 1\) \(for SGD\)",
        ),
        ({"beta2": [1.0]}, ["Adam"], "Invalid beta2 1 for Adam"),
        ({"batch_size": [16.5]}, ["SGD"], "batch_size takes integers"),
        ({"batch_size": [0]}, ["SGD"], r"Invalid batch_size: 0; .* \(for SGD\)"),
        ({"schedule": ["cosin"]}, ["SGD"], "unknown schedule 'cosin'"),
        ({"lr": [0.1, -1.0]}, ["SGD"], "Invalid lr"),
        ({"momentum": "0.9"}, ["SGD"], "give a non-empty list"),
    ],
)
def test_bad_names_and_values_are_refused_naming_them(search, optimizers, message):
    with pytest.raises(ValueError, match=message) as error:
        plan(search, optimizers, BASE, None if "lr" in search else LRS, seed=0)
    assert "\n" not in str(error.value)


def test_a_setting_the_base_options_fix_cannot_be_searched():
    base = replace(BASE, optimizer="SGD", options=(("momentum", 0.5),))
    with pytest.raises(ValueError, match=r"base\.options sets momentum"):
        plan({"momentum": [0.9]}, ["SGD"], base, LRS, seed=0)
    adam = replace(BASE, optimizer="Adam", options=(("betas", (0.8, 0.9)),))
    with pytest.raises(ValueError, match=r"base\.options sets betas"):
        plan({"beta2": [0.99]}, ["Adam"], adam, LRS, seed=0)


def test_lr_is_given_once():
    with pytest.raises(ValueError, match="lr is given twice"):
        plan({"lr": [0.1]}, ["SGD"], BASE, LRS, seed=0)
    with pytest.raises(ValueError, match="a random search draws lr from a range"):
        plan(RandomSearch(3, {}), ["SGD"], BASE, LRS, seed=0)


def test_a_grid_larger_than_the_limit_is_refused_before_any_spec_is_built():
    values = list(np.linspace(0.0, 0.9, 101))
    rates = lr_grid(1e-5, 1e2, 1)  # 8 rates: 808 configurations pass, 8 x 101 x 2 do not
    assert len(plan({"momentum": values}, ["SGD"], BASE, rates, 0).specs["SGD"]) == 808
    with pytest.raises(ValueError, match=f"1616 configurations .* at most {MAX_CONFIGURATIONS}"):
        plan({"momentum": values, "batch_size": [16, 32]}, ["SGD"], BASE, rates, seed=0)


# -- random search ---------------------------------------------------------------------------------

SPACES = {"lr": Interval(1e-4, 1.0, log=True), "beta2": Interval(0.9, 0.9999)}


def drawn(searched, optimizer, name):
    return [setting[name] for setting in searched.configurations[optimizer]]


def test_random_draws_are_reproducible_from_the_seed_and_shared_by_the_optimizers():
    one = plan(RandomSearch(20, SPACES, seed=5), ["SGD", "Adam"], BASE, None, 0)
    two = plan(RandomSearch(20, SPACES, seed=5), ["SGD", "Adam"], BASE, None, 0)
    other = plan(RandomSearch(20, SPACES, seed=6), ["SGD", "Adam"], BASE, None, 0)
    assert one.specs == two.specs
    assert drawn(one, "Adam", "lr") != drawn(other, "Adam", "lr")
    assert drawn(one, "SGD", "lr") == drawn(one, "Adam", "lr")  # the same rates for all
    assert all("beta2" not in setting for setting in one.configurations["SGD"])


def test_more_draws_keep_the_first_ones_and_another_range_leaves_the_others_alone():
    few = plan(RandomSearch(10, SPACES, seed=1), ["Adam"], BASE, None, 0)
    many = plan(RandomSearch(30, SPACES, seed=1), ["Adam"], BASE, None, 0)
    assert many.configurations["Adam"][:10] == few.configurations["Adam"]
    wider = plan(
        RandomSearch(10, {**SPACES, "weight_decay": Interval(0.0, 0.1)}, seed=1),
        ["Adam"],
        BASE,
        None,
        0,
    )
    assert drawn(wider, "Adam", "lr") == drawn(few, "Adam", "lr")


def test_log_and_linear_ranges_are_drawn_as_asked():
    searched = plan(RandomSearch(1000, SPACES, seed=0), ["Adam"], BASE, None, 0)
    lrs = np.array(drawn(searched, "Adam", "lr"))
    beta2 = np.array(drawn(searched, "Adam", "beta2"))
    assert lrs.min() >= 1e-4 and lrs.max() <= 1.0
    # log10(lr) is uniform on [-4, 0]; beta2 uniform on [0.9, 0.9999] (Kolmogorov-Smirnov)
    assert stats.kstest(np.log10(lrs), stats.uniform(-4, 4).cdf).pvalue > 1e-3
    assert stats.kstest(beta2, stats.uniform(0.9, 0.0999).cdf).pvalue > 1e-3
    assert all(float(f"{v:.6g}") == v for v in lrs)  # 6 significant digits


def test_integer_settings_draw_every_integer_of_the_range_equally():
    searched = plan(
        RandomSearch(1000, {"lr": SPACES["lr"], "batch_size": Interval(1, 4)}, seed=0),
        ["SGD"],
        BASE,
        None,
        0,
    )
    sizes = [setting["batch_size"] for setting in searched.configurations["SGD"]]
    assert all(isinstance(b, int) for b in sizes)
    assert len(searched.specs["SGD"]) == 1000  # every drawn rate differs
    counts = [sizes.count(b) for b in (1, 2, 3, 4)]
    assert sum(counts) == 1000 and stats.chisquare(counts).pvalue > 1e-3  # 250 each, expected


@pytest.mark.parametrize(
    ("spaces", "message"),
    [
        ({"batch_size": Interval(1.5, 4)}, "batch_size takes integers"),
        ({"schedule": Interval(0, 1)}, "does not take a range of numbers"),
        (
            {"momentum": Interval(0.0, 1.5)},
            r"Invalid momentum: 1.5; momentum must be in \[0, 1\) \(for SGD\)",
        ),
        ({"lr": Interval(0.0, 1.0)}, "Invalid lr"),
    ],
)
def test_bad_ranges_are_refused(spaces, message):
    with pytest.raises(ValueError, match=message):
        plan(RandomSearch(5, spaces), ["SGD"], BASE, None, 0)


def test_a_random_search_has_at_most_the_limit_of_draws():
    with pytest.raises(ValueError, match="Invalid n"):
        RandomSearch(MAX_CONFIGURATIONS + 1, SPACES)


# -- the learning-rate grid's limits ---------------------------------------------------------------


def test_a_grid_of_more_than_the_limit_of_rates_is_refused_in_one_line():
    with pytest.raises(ValueError, match="60001 rates; at most 1000") as error:
        lr_grid(1e-300, 1e300, 100)
    assert "\n" not in str(error.value)


def test_a_grid_whose_range_overflows_a_float_is_still_computed():
    # 1e300 / 1e-300 is inf as a float; the rates are 10^k for k = -300..300
    grid = lr_grid(1e-300, 1e300, 1)
    assert len(grid) == 601
    np.testing.assert_allclose(grid, [10.0**k for k in range(-300, 301)], rtol=1e-5)
    assert all(math.isfinite(v) for v in grid)


def test_repeated_draws_are_one_configuration():
    searched = plan(
        RandomSearch(50, {"lr": [0.1], "batch_size": Interval(1, 4)}, seed=0),
        ["SGD"],
        BASE,
        None,
        0,
    )
    assert sorted(s.batch_size for s in searched.specs["SGD"]) == [1, 2, 3, 4]
