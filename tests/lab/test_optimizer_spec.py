"""Optimizer specs as text: parsing, the valid options, and refusals with the closest name."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from optimlab import optim
from optimlab.lab.optimizer_spec import (
    check_optimizer,
    optimizer_name,
    option_names,
    parse_optimizer,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SGD", ("SGD", 0.01, {})),
        ("sgd:0.1", ("SGD", 0.1, {})),
        (
            "SGD:0.1:momentum=0.9:nesterov=true",
            ("SGD", 0.1, {"momentum": 0.9, "nesterov": True}),
        ),
        ("Adam:1e-3:betas=0.9,0.99", ("Adam", 1e-3, {"betas": (0.9, 0.99)})),
        ("Adam:0.001:convention=keras", ("Adam", 0.001, {"convention": "keras"})),
        ("RMSprop:centered=false", ("RMSprop", 0.01, {"centered": False})),
        ("Newton:damping=0.5", ("Newton", 1.0, {"damping": 0.5})),
    ],
)
def test_specs_are_read_as_written(text, expected):
    assert parse_optimizer(text, 0.01) == expected


def test_the_options_are_the_keyword_arguments_the_class_accepts():
    # torch.optim.SGD's arguments, then the NumPy-only ones every first-order optimizer takes
    assert option_names("SGD") == (
        "lr",
        "momentum",
        "dampening",
        "weight_decay",
        "nesterov",
        "maximize",
        "convention",
        "nonfinite",
        "fused",
    )
    # AdamW sets Adam's decoupled_weight_decay itself, so it is not one of its options
    assert "decoupled_weight_decay" in option_names("Adam")
    assert "decoupled_weight_decay" not in option_names("AdamW")


@pytest.mark.parametrize("name", list(optim.OPTIMIZERS))
def test_every_listed_option_is_accepted_and_nothing_else(name):
    cls = optim.OPTIMIZERS[name]
    signature = inspect.signature(cls)
    for option in option_names(name):
        cls(np.zeros(2), **{option: signature.parameters[option].default})  # no TypeError
    with pytest.raises(TypeError, match="unexpected argument 'not_an_option'"):
        cls(np.zeros(2), not_an_option=1)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Adamm:0.1", "unknown optimizer 'Adamm'; choose one of SGD, .*did you mean 'Adam'"),
        ("SGD:0.1:momentm=0.9", r"SGD has no option 'momentm' \(did you mean 'momentum'\?\)"),
        ("SGD:0.1:momentum=2", r"Invalid momentum: 2; momentum must be in \[0, 1\)"),
        ("Adam:0.1:betas=0.9,1.5", r"Invalid betas\[1\]"),
        ("SGD:-0.1", "Invalid lr: -0.1"),
        ("SGD:0.1:nesterov=1", "Invalid nesterov: 1"),
        ("SGD:fast", "'fast' is neither a learning rate nor key=value"),
        ("SGD:0.1:0.2", "two learning rates"),
        ("SGD:momentum=0.9:momentum=0.5", "'momentum' is given twice"),
        ("AdamW:decoupled_weight_decay=true", "AdamW has no option 'decoupled_weight_decay'"),
        ("", "NAME"),
    ],
)
def test_bad_specs_are_refused_with_the_closest_name(text, message):
    with pytest.raises(ValueError, match=message):
        parse_optimizer(text, 0.01)


def test_a_checked_setting_builds_the_optimizer():
    check_optimizer("Adam", 0.01, {"betas": (0.9, 0.99), "amsgrad": True})
    built = optim.Adam(np.zeros(3), lr=0.01, betas=(0.9, 0.99), amsgrad=True)
    assert built.betas == (0.9, 0.99) and built.amsgrad is True


def test_names_are_case_insensitive():
    assert optimizer_name("rmsPROP") == "RMSprop"
    with pytest.raises(ValueError, match="unknown optimizer 'Nope'"):
        optimizer_name("Nope")


def test_newton_and_adadelta_get_their_own_rate_unless_one_is_written():
    # the full Newton step and Zeiler's multiplier, as torch.optim.Adadelta's default lr
    assert parse_optimizer("Newton", 0.01) == ("Newton", 1.0, {})
    assert parse_optimizer("Adadelta", 0.01) == ("Adadelta", 1.0, {})
    assert parse_optimizer("Newton:0.5:damping=0.001", 0.01) == ("Newton", 0.5, {"damping": 0.001})
    assert parse_optimizer("Adam", 0.01) == ("Adam", 0.01, {})
