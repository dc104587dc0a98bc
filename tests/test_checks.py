"""The shared argument checks: one message form, TypeError for a wrong type, ValueError for a
bad value."""

from __future__ import annotations

import math

import numpy as np
import pytest

from optimlab import checks


@pytest.mark.parametrize(
    ("check", "good", "expected"),
    [
        (checks.positive, 2, 2.0),
        (checks.nonnegative, 0, 0.0),
        (checks.unit_interval, 0.0, 0.0),
        (checks.closed_unit_interval, 1, 1.0),
        (checks.nonnegative, np.float32(0.5), 0.5),
    ],
)
def test_numbers_are_returned_as_floats(check, good, expected):
    value = check("x", good)
    assert value == expected and type(value) is float


@pytest.mark.parametrize(
    ("check", "bad"),
    [
        (checks.positive, 0.0),
        (checks.positive, -1e-300),
        (checks.nonnegative, -1),
        (checks.nonnegative, math.inf),
        (checks.nonnegative, math.nan),
        (checks.unit_interval, 1.0),
        (checks.closed_unit_interval, 1.0000001),
    ],
)
def test_bad_values_raise_value_error_naming_the_argument(check, bad):
    with pytest.raises(ValueError, match=r"^Invalid momentum: .*; momentum must be ") as info:
        check("momentum", bad)
    assert not isinstance(info.value, TypeError)


@pytest.mark.parametrize("bad", ["0.1", None, True, [0.1], 1j])
def test_wrong_types_raise_a_type_error_that_is_also_a_value_error(bad):
    with pytest.raises(TypeError, match="; lr must be a real number"):
        checks.nonnegative("lr", bad)
    with pytest.raises(ValueError):
        checks.nonnegative("lr", bad)


def test_number_bounds_open_and_closed():
    assert checks.number("a", 1.0, low=1.0) == 1.0
    with pytest.raises(ValueError, match=r"Invalid a: 1.0; a must be > 1"):
        checks.number("a", 1.0, low=1.0, low_open=True)
    with pytest.raises(ValueError, match=r"Invalid a: nan; a must be finite"):
        checks.number("a", math.nan, low=1.0)
    with pytest.raises(ValueError, match=r"Invalid a: 3; a must be <= 2"):
        checks.number("a", 3, high=2.0)
    with pytest.raises(ValueError, match=r"in \(0, 2\]"):
        checks.number("a", 2.5, low=0.0, high=2.0, low_open=True)


def test_integer():
    assert checks.integer("epochs", np.int64(3), low=1) == 3
    with pytest.raises(TypeError, match=r"Invalid epochs: 2\.0; epochs must be an integer"):
        checks.integer("epochs", 2.0, low=1)
    with pytest.raises(TypeError):
        checks.integer("epochs", True, low=1)
    with pytest.raises(ValueError, match=r"Invalid step: -1; step must be an integer >= 0"):
        checks.integer("step", -1, low=0)
    with pytest.raises(ValueError, match="Invalid epochs: 0; epochs must be a positive integer"):
        checks.integer("epochs", 0, low=1)
    with pytest.raises(ValueError, match="an integer from 0 to 5"):
        checks.integer("k", 6, low=0, high=5)


def test_flag_betas_learning_rate():
    assert checks.flag("nesterov", True) is True
    with pytest.raises(TypeError, match="Invalid nesterov: 1; nesterov must be True or False"):
        checks.flag("nesterov", 1)
    assert checks.betas("betas", [0.9, 0.999]) == (0.9, 0.999)
    with pytest.raises(ValueError, match=r"Invalid betas\[1\]"):
        checks.betas("betas", (0.9, 1.0))
    with pytest.raises(ValueError, match="a pair"):
        checks.betas("betas", (0.9,))
    with pytest.raises(TypeError):
        checks.betas("betas", "0.9")

    def schedule(step):
        return 0.1

    assert checks.learning_rate("lr", schedule) is schedule
    with pytest.raises(ValueError):
        checks.learning_rate("lr", -1.0)


def test_choice_suggests_the_closest_option():
    assert checks.choice("form", "ema", ("ema", "classic")) == "ema"
    with pytest.raises(ValueError, match=r"did you mean 'classic'\?"):
        checks.choice("form", "clasic", ("ema", "classic"))
    with pytest.raises(ValueError) as info:
        checks.choice("form", "zzz", ("ema", "classic"))
    assert "did you mean" not in str(info.value)


def test_choice_takes_a_string_option_in_any_case_and_returns_it_as_declared():
    assert checks.choice("schedule", "Cosine", ("constant", "cosine")) == "cosine"
    assert checks.choice("optimizer", "ADAM", ("SGD", "Adam")) == "Adam"
    with pytest.raises(ValueError, match="must be one of 'ab', 'AB'"):  # ambiguous: refused
        checks.choice("x", "Ab", ("ab", "AB"))


def test_closest_is_case_insensitive():
    assert checks.closest("momentm", ["lr", "momentum", "dampening"]) == "momentum"
    assert checks.closest("ADAM", ["Adam", "AdamW"]) == "Adam"
    assert checks.closest("xyz", ["Adam"]) is None


def test_optional():
    assert checks.optional(checks.positive, "clip_norm", None) is None
    assert checks.optional(checks.positive, "clip_norm", 2) == 2.0
