"""Optimizers written as text, ``NAME[:LR][:key=value...]``, parsed and checked before any work.

``SGD:0.1:momentum=0.9:nesterov=true`` is `optimlab.optim.SGD` with ``lr=0.1``,
``momentum=0.9`` and ``nesterov=True``. Values are read as ``true``/``false``, integers,
floats, comma-separated tuples (``betas=0.9,0.99``) or else text (``convention=keras``).

`check_optimizer` proves a setting valid by building the optimizer on a small array: an
unknown name or option is refused with the closest valid one, a bad value with the
optimizer's own message, before any data is loaded or any run trains.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any, NamedTuple

import numpy as np

from optimlab import checks, optim

__all__ = [
    "ParsedOptimizer",
    "check_optimizer",
    "optimizer_name",
    "option_names",
    "parse_optimizer",
]

#: Optimizers whose ``lr`` is not a learning rate shared with the others: Newton's step
#: length and Adadelta's multiplier of its unit-correct step (1.0 each: the full Newton step,
#: Zeiler's rule). A spec that gives them no rate gets their own default, not ``default_lr``.
OWN_DEFAULT_RATE = frozenset({"Newton", "Adadelta"})


class ParsedOptimizer(NamedTuple):
    """An optimizer spec: class name, learning rate and further keyword arguments."""

    name: str
    lr: float
    options: dict[str, Any]


def optimizer_name(name: str) -> str:
    """The `optimlab.optim` class name matching ``name`` (case-insensitive).

    Raises:
        ValueError: no such optimizer; the message lists them and suggests the closest.
    """
    for known in optim.OPTIMIZERS:
        if known.lower() == str(name).lower():
            return known
    valid = list(optim.OPTIMIZERS)
    near = checks.closest(str(name), valid)
    hint = f"; did you mean {near!r}?" if near is not None else ""
    raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(valid)}{hint}")


@functools.cache
def option_names(name: str) -> tuple[str, ...]:
    """The keyword arguments optimizer ``name`` takes (its constructor's signature, built
    from its declared arguments, with ``convention``, ``nonfinite`` and ``fused``)."""
    target = optim.OPTIMIZERS[optimizer_name(name)]
    return tuple(p for p in inspect.signature(target).parameters if p != "params")


def check_optimizer(name: str, lr: float, options: dict[str, Any]) -> None:
    """Refuse an optimizer setting that could not be built, before any training.

    ``lr`` is passed as the learning rate unless ``options`` sets ``lr``, as
    `optimlab.lab.experiment.build_optimizer` does.

    Raises:
        ValueError: an unknown name or option (with the closest valid one), or a bad value
            (the optimizer's message, naming the argument).
    """
    name = optimizer_name(name)
    valid = option_names(name)
    for key in options:
        if key not in valid:
            near = checks.closest(key, valid)
            hint = f" (did you mean {near!r}?)" if near is not None else ""
            raise ValueError(
                f"{name} has no option {key!r}{hint}; its options are {', '.join(valid)}"
            )
    kwargs = dict(options)
    kwargs.setdefault("lr", lr)
    try:
        optim.OPTIMIZERS[name](np.zeros(2), **kwargs)
    except (ValueError, TypeError) as error:
        raise ValueError(str(error)) from None


def parse_optimizer(text: str, default_lr: float = 0.01) -> ParsedOptimizer:
    """``NAME[:LR][:key=value...]`` -> `ParsedOptimizer`, checked by `check_optimizer`.

    Args:
        text: the spec, e.g. ``"Adam:0.001:betas=0.9,0.99"``.
        default_lr: the learning rate when the spec gives none (Newton and Adadelta get
            their own default instead, see `OWN_DEFAULT_RATE`).

    Raises:
        ValueError: a malformed spec or an invalid setting; the message quotes the spec.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"an optimizer is written NAME[:LR][:key=value...], got {text!r}")
    head, *parts = text.strip().split(":")
    name = optimizer_name(head)
    lr: float | None = None
    options: dict[str, Any] = {}
    for part in parts:
        if "=" in part:
            key, value = (item.strip() for item in part.split("=", 1))
            if key in options:
                raise ValueError(f"in {text!r}: {key!r} is given twice")
            options[key] = _value(value)
            continue
        try:
            rate = float(part)
        except ValueError:
            raise ValueError(
                f"in {text!r}: {part!r} is neither a learning rate nor key=value"
            ) from None
        if lr is not None:
            raise ValueError(f"in {text!r}: two learning rates ({lr:g} and {part}); give one")
        lr = rate
    if "lr" in options:  # the rate written as a key: one rate, in one place
        given = options.pop("lr")
        if lr is not None:
            raise ValueError(f"in {text!r}: two learning rates ({lr:g} and lr={given}); give one")
        if isinstance(given, bool) or not isinstance(given, (int, float)):
            raise ValueError(f"in {text!r}: lr must be a number, got {given!r}")
        lr = float(given)
    if lr is None:
        lr = default_rate(name, default_lr)
    parsed = ParsedOptimizer(name, lr, options)
    try:
        check_optimizer(*parsed)
    except ValueError as error:
        raise ValueError(f"in {text!r}: {error}") from None
    return parsed


def default_rate(name: str, default_lr: float) -> float:
    """The rate of a spec that gives none: ``default_lr``, or, for `OWN_DEFAULT_RATE`
    optimizers, their own default (Newton's full step, Adadelta's 1.0)."""
    if name in OWN_DEFAULT_RATE:
        return float(optim.OPTIMIZERS[name].fields()["lr"].default)
    return default_lr


def _value(text: str) -> Any:
    """``true``/``false``, an int, a float, a comma-separated tuple of these, or the text."""
    if "," in text:
        return tuple(_value(item.strip()) for item in text.split(","))
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text
