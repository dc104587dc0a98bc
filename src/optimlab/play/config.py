"""The explorer's whole state as plain values: `PlayConfig`, its URL form and its TOML file.

Everything the explorer shows follows from one `PlayConfig`: the surface, the start, the
steps, the schedule, the clipping and each optimizer's settings. It travels as a URL query
(``?surface=beale&opt=Adam:lr=0.05``: a shared link reopens the same view) and as a TOML
file whose ``[landscape]`` table ``optimlab landscape --config`` reads and whose ``[play]``
table ``optimlab play --config`` reads. Only settings that differ from the defaults are
written, so links stay short.

An optimizer is written ``NAME:key=value:key=value`` (``Adam:lr=0.05:betas=0.9,0.99``), the
form of ``optimlab landscape --optimizer``; a pair is written ``a,b``.
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from optimlab import checks
from optimlab.optim import OPTIMIZERS
from optimlab.play.stepping import (
    CLIPS,
    DEFAULT_PERIOD,
    FACTOR_SCHEDULES,
    SAMPLINGS,
    SCHEDULES,
    SURFACES,
    check_period,
    settings_used,
)

__all__ = [
    "CLIPS",
    "SCHEDULES",
    "SURFACES",
    "OptimizerSetting",
    "PlayConfig",
    "format_optimizer",
    "parse_optimizer",
]

DEFAULT_EXPRESSION = "(1 - x)^2 + 100*(y - x^2)^2"
MAX_STEPS = 2000


@dataclass(frozen=True)
class OptimizerSetting:
    """One optimizer of the view: its registry name and the arguments it is given.

    Attributes:
        name: a key of `optimlab.optim.OPTIMIZERS`.
        arguments: ``(name, value)`` pairs passed to the constructor (``lr``,
            ``convention`` and any declared argument), in a fixed order.
    """

    name: str
    arguments: tuple[tuple[str, Any], ...] = ()

    @property
    def kwargs(self) -> dict[str, Any]:
        """The arguments as a dict."""
        return dict(self.arguments)

    @property
    def lr(self) -> float:
        """The learning rate it runs at (its convention's default when not given)."""
        given = self.kwargs.get("lr")
        if given is not None:
            return float(given)
        cls = OPTIMIZERS[self.name]
        return float(cls.fields()["lr"].default_for(self.kwargs.get("convention", "pytorch")))

    def with_arguments(self, **changes: Any) -> OptimizerSetting:
        """A copy with some arguments changed (a value of None removes the argument)."""
        merged = {**self.kwargs, **changes}
        return OptimizerSetting(
            self.name, _ordered(self.name, {k: v for k, v in merged.items() if v is not None})
        )


def _ordered(name: str, arguments: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    order = [*OPTIMIZERS[name].fields(), "convention"]
    return tuple(
        sorted(
            arguments.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)
        )
    )


def format_optimizer(setting: OptimizerSetting) -> str:
    """``NAME:key=value:...``, the form ``optimlab landscape --optimizer`` reads."""
    return ":".join([setting.name, *(f"{key}={_text(value)}" for key, value in setting.arguments)])


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (tuple, list)):
        return ",".join(_text(v) for v in value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def parse_optimizer(text: str) -> OptimizerSetting:
    """The inverse of `format_optimizer`; each value is read as its declaration's type.

    Raises:
        ValueError: an unknown optimizer or argument, or a value of the wrong form.
    """
    parts = str(text).split(":")
    names = {n.lower(): n for n in OPTIMIZERS}
    name = names.get(parts[0].strip().lower())
    if name is None:
        raise ValueError(f"unknown optimizer {parts[0]!r}; choose one of {', '.join(OPTIMIZERS)}")
    fields = OPTIMIZERS[name].fields()
    arguments: dict[str, Any] = {}
    for part in parts[1:]:
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep:
            raise ValueError(f"{text!r}: {part!r} is not key=value")
        if key == "convention":
            arguments[key] = checks.choice(
                "convention", value, OPTIMIZERS[name].SUPPORTED_CONVENTIONS
            )
            continue
        if key not in fields or fields[key].fixed:
            valid = [k for k, f in fields.items() if not f.fixed]
            raise ValueError(
                f"{name} has no argument {key!r}; valid: {', '.join([*valid, 'convention'])}"
            )
        arguments[key] = _typed(key, value, fields[key].default)
    return OptimizerSetting(name, _ordered(name, arguments))


def _typed(key: str, text: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if text.lower() not in ("true", "false"):
                raise ValueError
            return text.lower() == "true"
        if isinstance(default, tuple):
            return tuple(float(v) for v in text.split(","))
        if isinstance(default, str):
            return text
        return float(text)
    except ValueError:
        kind = (
            "true or false"
            if isinstance(default, bool)
            else "a pair a,b"
            if isinstance(default, tuple)
            else "a number"
        )
        raise ValueError(f"{key}={text!r}: {key} must be {kind}") from None


def default_optimizers() -> tuple[OptimizerSetting, ...]:
    """The view's optimizers when none are given."""
    return (
        OptimizerSetting("SGD", (("lr", 0.001),)),
        OptimizerSetting("Momentum", (("lr", 0.002), ("beta", 0.9))),
        OptimizerSetting("RMSprop", (("lr", 0.01),)),
        OptimizerSetting("Adam", (("lr", 0.05),)),
        OptimizerSetting("Newton", ()),
    )


@dataclass(frozen=True)
class PlayConfig:
    """Everything the explorer shows.

    Attributes:
        surface: one of `SURFACES`.
        expression: the formula of ``surface="expression"``.
        noise: standard deviation of Gaussian noise on each gradient (0: exact).
        seed: seeds the noise and the batches; every optimizer sees the same stream.
        start: the start point, or None for the surface's own.
        steps: updates per optimizer, 1 to 2000.
        sampling: the logistic model's batches, ``full``, ``minibatch`` or ``stochastic``.
        batch_size: samples per mini-batch.
        schedule: one of `SCHEDULES`, applied to every optimizer's learning rate.
        decay: the schedule's factor: gamma (step, exponential), decay rate (inverse_time).
        period: the schedule's length: step size (step), warmup steps (warmup_cosine).
        clip: one of `CLIPS`.
        clip_threshold: the largest norm or value, > 0.
        optimizers: the optimizers, one of each name at most.
    """

    surface: str = "rosenbrock"
    expression: str = DEFAULT_EXPRESSION
    noise: float = 0.0
    seed: int = 0
    start: tuple[float, float] | None = None
    steps: int = 300
    sampling: str = "full"
    batch_size: int = 10
    schedule: str = "constant"
    decay: float = 0.99
    period: int = DEFAULT_PERIOD
    clip: str = "none"
    clip_threshold: float = 1.0
    optimizers: tuple[OptimizerSetting, ...] = field(default_factory=default_optimizers)

    def __post_init__(self) -> None:
        checks.choice("surface", self.surface, SURFACES)
        checks.number("noise", self.noise, low=0.0)
        checks.integer("seed", self.seed, low=0)
        checks.integer("steps", self.steps, low=1, high=MAX_STEPS)
        checks.choice("sampling", self.sampling, SAMPLINGS)
        checks.integer("batch_size", self.batch_size, low=1, high=100)
        checks.choice("schedule", self.schedule, SCHEDULES)
        checks.positive("decay", self.decay)
        checks.integer("period", self.period, low=1)
        check_period(self.schedule, self.period, self.steps)
        checks.choice("clip", self.clip, CLIPS)
        checks.positive("clip_threshold", self.clip_threshold)
        if self.start is not None:
            if len(self.start) != 2 or not all(math.isfinite(float(v)) for v in self.start):
                raise ValueError(
                    f"Invalid start: {self.start!r}; start must be two finite numbers x,y"
                )
            object.__setattr__(self, "start", (float(self.start[0]), float(self.start[1])))
        names = [o.name for o in self.optimizers]
        if len(set(names)) != len(names):
            raise ValueError(f"Invalid optimizers: {names}; each optimizer may appear once")

    def replace(self, **changes: Any) -> PlayConfig:
        """A copy with some fields changed (checked)."""
        return dataclasses.replace(self, **changes)

    def optimizer(self, name: str) -> OptimizerSetting | None:
        """The setting of optimizer ``name``, or None when it is not in the view."""
        return next((o for o in self.optimizers if o.name == name), None)

    # -- the URL -------------------------------------------------------------------------

    def query_items(self) -> list[tuple[str, str]]:
        """The settings that differ from the defaults, as ``(key, text)`` pairs."""
        default = PlayConfig()
        items = []
        for key, value in self._plain().items():
            if key == "optimizers" or value == default._plain()[key]:
                continue
            if key == "expression" and self.surface != "expression":
                continue
            items.append((_URL_KEYS.get(key, key), _text(value)))
        if self.optimizers != default.optimizers:
            items += [("opt", format_optimizer(o)) for o in self.optimizers] or [("opt", "none")]
        return items

    def to_query(self) -> str:
        """The URL query (without ``?``) that `from_query` reads back to this config."""
        return urlencode(self.query_items())

    @classmethod
    def from_query(cls, arguments: Mapping[str, Sequence[str]]) -> tuple[PlayConfig, list[str]]:
        """A config from URL query arguments (``{key: [values]}``), and the problems found.

        A value that cannot be read is left at its default and reported (the view opens
        anyway); the messages name the key.
        """
        changes: dict[str, Any] = {}
        problems: list[str] = []
        fields = {f.name: f for f in dataclasses.fields(cls)}
        keys = {_URL_KEYS.get(name, name): name for name in fields}
        for key, values in arguments.items():
            if isinstance(values, (str, bytes)):
                values = [values]
            values = [v.decode() if isinstance(v, bytes) else str(v) for v in values]
            if key == "opt":
                settings = []
                for text in values:
                    if text == "none":
                        continue
                    try:
                        settings.append(parse_optimizer(text))
                    except ValueError as error:
                        problems.append(f"opt: {error}")
                changes["optimizers"] = tuple({s.name: s for s in settings}.values())
                continue
            if key not in keys:
                problems.append(f"unknown setting {key!r} in the link (ignored)")
                continue
            name = keys[key]
            try:
                changes[name] = _read(name, values[-1], fields[name].type)
                cls(**{name: changes[name]})
            except (ValueError, TypeError) as error:
                changes.pop(name, None)
                problems.append(f"{key}: {error}")
        try:
            return cls(**changes), problems
        except ValueError as error:  # settings fine alone, not together (a long warmup)
            changes.pop("schedule", None)
            return cls(**changes), [*problems, f"schedule: {error} (schedule left constant)"]

    # -- files ---------------------------------------------------------------------------

    def _plain(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def landscape_settings(self) -> dict[str, Any]:
        """The ``[landscape]`` table: ``optimlab landscape``'s options that reproduce the
        view's paths (each optimizer with its learning rate written out, since the command's
        default rate is not the optimizer's own; a setting only where the view reads it)."""
        table: dict[str, Any] = {}
        if self.surface == "expression":
            table["expression"] = self.expression
        else:
            table["function"] = self.surface
        table["optimizers"] = [format_optimizer(o.with_arguments(lr=o.lr)) for o in self.optimizers]
        table.update(steps=self.steps, noise=float(self.noise), seed=self.seed)
        if self.start is not None:
            table["start"] = list(self.start)
        used = settings_used(self.surface, self.sampling, self.schedule, self.clip)
        capped = self.schedule in FACTOR_SCHEDULES  # a factor above 1 counts as 1
        values = {
            "sampling": self.sampling,
            "batch_size": self.batch_size,
            "schedule": self.schedule,
            "decay": min(self.decay, 1.0) if capped else self.decay,
            "period": self.period,
            "clip": self.clip,
            "clip_at": self.clip_threshold,
        }
        table.update((key, value) for key, value in values.items() if key in used)
        return table

    def to_toml(self) -> str:
        """A TOML file: ``[landscape]`` for ``optimlab landscape --config`` (the same paths,
        `landscape_settings`), ``[play]`` for ``optimlab play --config`` (the whole view)."""
        lines = ["# Written by optimlab play.", "", "[landscape]"]
        lines += [f"{key} = {_toml(value)}" for key, value in self.landscape_settings().items()]
        lines += ["", "[play]"]
        for key, value in self._plain().items():
            if key == "optimizers":
                value = [format_optimizer(o) for o in value]
            elif key == "start":
                if value is None:
                    continue
                value = list(value)
            lines.append(f"{key} = {_toml(value)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, text: str) -> PlayConfig:
        """The ``[play]`` table of a file written by `to_toml` (or the top level).

        Raises:
            ValueError: not TOML, or a setting that is not valid, naming it.
        """
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ValueError(f"not valid TOML: {error}") from None
        table = data.get("play", data)
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(table) - known - {"landscape"})
        if unknown:
            raise ValueError(
                f"unknown setting(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}"
            )
        changes = {k: v for k, v in table.items() if k in known}
        if "optimizers" in changes:
            changes["optimizers"] = tuple(parse_optimizer(t) for t in changes["optimizers"])
        if "start" in changes:
            changes["start"] = tuple(changes["start"])
        return cls(**changes)


_URL_KEYS = {
    "expression": "expr",
    "optimizers": "opt",
    "batch_size": "batch",
    "clip_threshold": "clip_at",
}


def _read(name: str, text: str, kind: Any) -> Any:
    kind = str(kind)
    if name == "start":
        parts = text.split(",")
        if len(parts) != 2:
            raise ValueError(f"Invalid start: {text!r}; start must be x,y")
        return (float(parts[0]), float(parts[1]))
    if kind == "int":
        return int(text)
    if kind == "float":
        return float(text)
    return text


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string uses JSON's escapes
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "nan"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def option_choices(name: str, field_name: str) -> tuple[str, ...] | None:
    """The choices of a string option (Momentum's form, Newton's method), when known."""
    from optimlab.optim import momentum, newton

    known = {("Momentum", "form"): momentum.FORMS, ("Newton", "method"): newton.METHODS}
    return known.get((name, field_name))
