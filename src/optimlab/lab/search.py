"""What a sweep searches: a grid or a random search over optimizer arguments and run settings.

A searched dimension is named by

- ``lr``: every optimizer's learning rate (Newton's step length);
- an argument an optimizer declares (`optimlab.optim.Optimizer.fields`): ``momentum``,
  ``eps``, ``weight_decay``, ``nesterov``, ... A tuple argument is searched through its
  components, numbered from 1: ``beta1`` and ``beta2`` for ``betas`` (the other component
  keeps its default);
- a run setting of `RunSpec` that every optimizer shares: `RUN_SETTINGS`.

Only the optimizers that declare an argument get its dimension; the others keep their
default. `Grid` takes every combination of the values given; `RandomSearch` draws ``n``
configurations from a range per name (uniform or log-uniform) or a list of choices, each
dimension from its own random stream seeded by ``(seed, name)``, so that the draws are the
same on every run (a sweep resumes from its store) and a larger ``n`` keeps the first
configurations. `plan` checks everything (names, values, sizes) and builds every
configuration's `RunSpec` before any run.
"""

from __future__ import annotations

import itertools
import math
import numbers
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from optimlab import checks, optim
from optimlab.lab.experiment import RunSpec

__all__ = [
    "MAX_CONFIGURATIONS",
    "RUN_SETTINGS",
    "Dimension",
    "Grid",
    "Interval",
    "RandomSearch",
    "SearchPlan",
    "lr_grid",
    "parse_grid",
    "parse_space",
    "parse_value",
    "plan",
]

#: The `RunSpec` fields a search may vary: the budget and the training settings.
RUN_SETTINGS = ("epochs", "batch_size", "schedule", "clip_norm", "l2", "patience")
_INTEGER_SETTINGS = ("epochs", "batch_size", "patience")
_FLOAT_SETTINGS = ("clip_norm", "l2")
#: The most configurations one optimizer may get (a larger search is refused up front).
MAX_CONFIGURATIONS = 1000
#: The default learning-rate grid: 1e-5 to 1e2, three rates per decade (the range of
#: Schneider et al. 2019, DeepOBS); a random search draws ``lr`` log-uniformly from the same
#: range when none is given.
DEFAULT_LOW, DEFAULT_HIGH, DEFAULT_PER_DECADE = 1e-5, 1e2, 3
SIGNIFICANT_DIGITS = 6  # drawn numbers are rounded to this many (readable, stable keys)


@dataclass(frozen=True)
class Interval:
    """A range a random search draws from: uniformly in ``[low, high]``, or log-uniformly
    (``log=True``: ``exp(U(log low, log high))``).

    For an integer setting (``batch_size``, ``epochs``, an integer argument) the draw is
    made on ``[low - 0.5, high + 0.5]`` and rounded, so that every integer of the range
    has its share.
    """

    low: float
    high: float
    log: bool = False

    def __post_init__(self) -> None:
        low = checks.number("low", self.low)
        high = checks.number("high", self.high)
        checks.flag("log", self.log)
        if not high > low:
            raise ValueError(f"Invalid range: high={high!r} must be greater than low={low!r}")
        if self.log and low <= 0:
            raise ValueError(f"Invalid range: a log range needs low > 0, got low={low!r}")

    def __str__(self) -> str:
        return f"{'log:' if self.log else ''}{self.low:g}:{self.high:g}"

    def draw(self, rng: np.random.Generator, n: int, integer: bool) -> list[Any]:
        """``n`` values drawn with ``rng``, rounded as the module docstring says."""
        low, high = (self.low - 0.5, self.high + 0.5) if integer else (self.low, self.high)
        if self.log:
            values = np.exp(rng.uniform(math.log(low), math.log(high), size=n))
        else:
            values = rng.uniform(low, high, size=n)
        if integer:
            return [int(min(max(round(v), self.low), self.high)) for v in values]
        return [float(f"{v:.{SIGNIFICANT_DIGITS}g}") for v in values]


@dataclass(frozen=True, init=False)
class Grid:
    """Every combination of the values given per name, e.g.
    ``Grid({"momentum": [0, 0.5, 0.9], "batch_size": [16, 64]})``.

    Numeric values are sorted, repeated values dropped; other values keep their order.
    """

    values: tuple[tuple[str, tuple[Any, ...]], ...]

    def __init__(self, values: Mapping[str, Sequence[Any]]) -> None:
        if not isinstance(values, Mapping):
            raise checks.ArgumentTypeError(
                f"Invalid grid: give a mapping of names to lists of values, got {values!r}"
            )
        object.__setattr__(
            self, "values", tuple((name, _values(name, given)) for name, given in values.items())
        )


@dataclass(frozen=True, init=False)
class RandomSearch:
    """``n`` configurations drawn at random, reproducibly from ``seed``: per name an
    `Interval` or a list of choices (drawn uniformly), e.g.
    ``RandomSearch(40, {"lr": Interval(1e-4, 1, log=True), "beta2": Interval(0.9, 0.9999)})``.
    """

    n: int
    spaces: tuple[tuple[str, Interval | tuple[Any, ...]], ...]
    seed: int

    def __init__(
        self, n: int, spaces: Mapping[str, Interval | Sequence[Any]], seed: int = 0
    ) -> None:
        object.__setattr__(self, "n", checks.integer("n", n, low=1, high=MAX_CONFIGURATIONS))
        object.__setattr__(self, "seed", checks.integer("seed", seed, low=0))
        if not isinstance(spaces, Mapping):
            raise checks.ArgumentTypeError(
                f"Invalid spaces: give a mapping of names to an Interval or a list of "
                f"choices, got {spaces!r}"
            )
        object.__setattr__(
            self,
            "spaces",
            tuple(
                (name, space if isinstance(space, Interval) else _values(name, space))
                for name, space in spaces.items()
            ),
        )


@dataclass(frozen=True)
class Dimension:
    """One searched name: what it is, whom it applies to, and its values or its space.

    ``kind`` is ``"rate"`` (``lr``), ``"run"`` (a `RUN_SETTINGS` field) or ``"argument"``
    (an optimizer's argument or a component of one). ``values`` are the grid's values, or
    for a random search the distinct values drawn (sorted when numeric); ``space`` is the
    random search's `Interval` or choices (None for a grid).
    """

    name: str
    kind: str
    applies_to: tuple[str, ...]
    values: tuple[Any, ...]
    space: Interval | tuple[Any, ...] | None = None
    integer: bool = False

    @property
    def log(self) -> bool:
        """Whether the values are best shown on a log axis (``lr``, or a log range)."""
        return self.kind == "rate" or (isinstance(self.space, Interval) and self.space.log)

    def describe(self, everyone: Sequence[str]) -> str:
        """``"momentum: 0, 0.5, 0.9 (SGD, RMSprop)"``: the values or space, and whom it
        applies to when not to every optimizer of ``everyone``."""
        if isinstance(self.space, Interval):
            what = f"{'log-uniform' if self.space.log else 'uniform'} in "
            what += f"[{self.space.low:g}, {self.space.high:g}]"
        elif self.space is not None:
            what = "one of " + ", ".join(shown(v) for v in self.space)
        elif len(self.values) > 6 and all(_is_number(v) for v in self.values):
            what = f"{len(self.values)} values from {shown(self.values[0])} to "
            what += shown(self.values[-1])
        else:
            what = ", ".join(shown(v) for v in self.values)
        whom = "" if set(self.applies_to) == set(everyone) else f" ({', '.join(self.applies_to)})"
        return f"{self.name}: {what}{whom}"

    def to_dict(self) -> dict[str, Any]:
        space: Any = None
        if isinstance(self.space, Interval):
            space = {"low": self.space.low, "high": self.space.high, "log": self.space.log}
        elif self.space is not None:
            space = {"choices": list(self.space)}
        return {
            "name": self.name,
            "kind": self.kind,
            "applies_to": list(self.applies_to),
            "values": list(self.values),
            "space": space,
            "integer": self.integer,
        }


@dataclass(frozen=True)
class SearchPlan:
    """A checked search: its dimensions and each optimizer's configurations.

    ``configurations[optimizer]`` lists the settings (``{name: value}`` of the dimensions
    that apply to it, ``lr`` always) in search order, each distinct; ``specs[optimizer]``
    the matching tuning specs (on the first seed).
    """

    kind: str  # "grid" or "random"
    dimensions: tuple[Dimension, ...]
    configurations: Mapping[str, tuple[Mapping[str, Any], ...]]
    specs: Mapping[str, tuple[RunSpec, ...]]
    n: int | None = None  # random: configurations drawn
    seed: int | None = None  # random: the seed of the draws

    def dimension(self, name: str) -> Dimension:
        """A dimension by name."""
        for dimension in self.dimensions:
            if dimension.name == name:
                return dimension
        raise KeyError(f"{name!r} was not searched; searched: {', '.join(self.names)}")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.dimensions)

    def describe(self) -> str:
        """One line: the kind of search, each dimension and whom it applies to."""
        everyone = list(self.configurations)
        dims = "; ".join(d.describe(everyone) for d in self.dimensions)
        if self.kind == "random":
            return f"random search, {self.n} draws (seed {self.seed}): {dims}"
        return f"grid search: {dims}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "n": self.n,
            "seed": self.seed,
            "dimensions": [d.to_dict() for d in self.dimensions],
            "configurations": {name: len(c) for name, c in self.configurations.items()},
        }


def plan(
    search: Grid | RandomSearch | Mapping[str, Sequence[Any]] | None,
    optimizers: Sequence[str],
    base: RunSpec,
    lrs: Sequence[float] | None,
    seed: int,
) -> SearchPlan:
    """Check a search and build every optimizer's tuning specs (with ``seed``).

    ``search`` None searches ``lr`` alone, a mapping is a `Grid`. A grid without ``lr``
    takes ``lrs`` as its rates; a random search without ``lr`` draws it log-uniformly
    from `DEFAULT_LR_SPACE` (``lrs`` must then be None).

    Raises:
        ValueError: an unknown or unsearchable name (with the closest valid one), a name
            that applies to none of the optimizers, ``lr`` given twice, a setting
            ``base.options`` already fixes, a value an optimizer or `RunSpec` refuses, or
            more than `MAX_CONFIGURATIONS` configurations for one optimizer.
    """
    if search is None or isinstance(search, Mapping):
        search = Grid({} if search is None else search)
    if not isinstance(search, (Grid, RandomSearch)):
        raise checks.ArgumentTypeError(
            f"Invalid search: give a Grid, a RandomSearch or a mapping of names to values, "
            f"got {type(search).__name__}"
        )
    given = dict(search.values if isinstance(search, Grid) else search.spaces)
    if "lr" in given and lrs is not None:
        raise ValueError("lr is given twice, by lrs and by the search; give it once")
    if isinstance(search, RandomSearch) and lrs is not None:
        raise ValueError(
            "lrs is a grid of rates; a random search draws lr from a range: give "
            "spaces={'lr': Interval(low, high, log=True)}"
        )
    names = list(given)
    for name in names:
        _check_name(name, optimizers, base)
    if isinstance(search, Grid):
        given = {"lr": given.pop("lr", None) or _rates(lrs), **given}
        return _grid_plan(given, optimizers, base, seed)
    given = {"lr": given.pop("lr", Interval(DEFAULT_LOW, DEFAULT_HIGH, log=True)), **given}
    return _random_plan(search, given, optimizers, base, seed)


def spec_for(base: RunSpec, optimizer: str, setting: Mapping[str, Any], seed: int) -> RunSpec:
    """``base`` with ``optimizer``, ``seed`` and the searched ``setting`` (``{name:
    value}``, each applying to ``optimizer``): lr, run settings, and the arguments as
    options (a component completes its tuple with the default). Without searched
    arguments the spec is exactly ``replace(base, optimizer=..., lr=..., seed=...)``, so
    that stored lr sweeps keep their keys."""
    fields = optim.OPTIMIZERS[optimizer].fields()
    convention = dict(base.options).get("convention", "pytorch")
    run = {name: setting[name] for name in RUN_SETTINGS if name in setting}
    options = dict(base.options)
    for name, value in setting.items():
        if name == "lr" or name in RUN_SETTINGS:
            continue
        field_name, index = _argument(optimizer, name)  # type: ignore[misc]
        if index is None:
            options[field_name] = value
        else:
            parts = list(options.get(field_name, fields[field_name].default_for(convention)))
            parts[index] = value
            options[field_name] = tuple(parts)
    changes: dict[str, Any] = {"optimizer": optimizer, "lr": setting["lr"], "seed": seed, **run}
    if options != dict(base.options):
        changes["options"] = tuple(options.items())
    return replace(base, **changes)


def lr_grid(
    low: float = DEFAULT_LOW, high: float = DEFAULT_HIGH, per_decade: int = DEFAULT_PER_DECADE
) -> list[float]:
    """Learning rates evenly spaced in log scale from ``low`` to ``high``, both included.

    ``lr_i = low * (high / low) ** (i / n)`` for ``i = 0..n``, with
    ``n = max(1, round(per_decade * log10(high / low)))``, each rounded to 6 significant
    digits (so that 1e-2 is exactly 0.01 and matches a hand-written spec).

    Raises:
        ValueError: a bound that is not a finite number > 0, ``high <= low``, ``per_decade``
            not an integer >= 1, or more than `MAX_CONFIGURATIONS` rates.
    """
    for name, value in (("low", low), ("high", high)):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"Invalid {name}: {value!r}; it must be a number > 0")
        if not 0 < value < math.inf:
            raise ValueError(f"Invalid {name}: {value!r}; it must be a finite number > 0")
    if not high > low:
        raise ValueError(f"Invalid grid: high={high!r} must be greater than low={low!r}")
    if isinstance(per_decade, bool) or not isinstance(per_decade, int) or per_decade < 1:
        raise ValueError(f"Invalid per_decade: {per_decade!r}; it must be an integer >= 1")
    decades = math.log10(high) - math.log10(low)  # finite even where high / low overflows
    n = max(1, round(per_decade * decades))
    if n + 1 > MAX_CONFIGURATIONS:
        raise ValueError(
            f"Invalid grid: {low:g} to {high:g} at {per_decade} per decade is {n + 1} rates; "
            f"at most {MAX_CONFIGURATIONS}: narrow the range or lower per_decade"
        )
    if math.isfinite(high / low):
        rates = [low * (high / low) ** (i / n) for i in range(n + 1)]
    else:  # the same rates, in logs
        rates = [10 ** (math.log10(low) + decades * i / n) for i in range(n + 1)]
    return [float(f"{rate:.6g}") for rate in rates]


def parse_value(text: str) -> Any:
    """A value as written on the command line: ``none``, ``true``/``false``, an integer, a
    number, or else the text itself (``cosine``)."""
    word = text.strip()
    lowered = word.lower()
    if lowered in ("none", "null"):
        return None
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(word)
        except ValueError:
            continue
    return word


def parse_grid(text: str) -> tuple[str, list[Any]]:
    """``"momentum=0,0.5,0.9"`` -> ``("momentum", [0, 0.5, 0.9])``.

    Raises:
        ValueError: not ``NAME=VALUE[,VALUE...]``.
    """
    name, values = _split(text, "NAME=VALUE[,VALUE...] (e.g. momentum=0,0.5,0.9)")
    return name, [parse_value(v) for v in values.split(",")]


def parse_space(text: str) -> tuple[str, Interval | list[Any]]:
    """``"lr=log:1e-4:1"`` -> ``("lr", Interval(1e-4, 1, log=True))``; ``"beta2=0.9:0.9999"``
    a uniform range; ``"schedule=constant,cosine"`` a list of choices.

    Raises:
        ValueError: not ``NAME=[log:]LOW:HIGH`` or ``NAME=CHOICE[,CHOICE...]``, or a bad range.
    """
    form = "NAME=[log:]LOW:HIGH or NAME=CHOICE,CHOICE,... (e.g. lr=log:1e-4:1)"
    name, rest = _split(text, form)
    if ":" not in rest:
        return name, [parse_value(v) for v in rest.split(",")]
    parts = rest.split(":")
    log = parts[0].strip().lower() == "log"
    bounds = parts[1:] if log else parts
    numbers_given = [parse_value(b) for b in bounds]
    if len(bounds) != 2 or not all(_is_number(v) for v in numbers_given):
        raise ValueError(f"Invalid space {text!r}: write it {form}")
    try:
        return name, Interval(numbers_given[0], numbers_given[1], log=log)
    except ValueError as error:
        reason = str(error).removeprefix("Invalid range: ")  # one "Invalid" is enough
        raise ValueError(f"Invalid space {text!r}: {reason}") from None


def shown(value: Any) -> str:
    """A searched value for people: numbers to 3 significant digits."""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


# -- the plan ----------------------------------------------------------------------------------


def _grid_plan(
    given: dict[str, tuple[Any, ...]], optimizers: Sequence[str], base: RunSpec, seed: int
) -> SearchPlan:
    dimensions = []
    for name, values in given.items():
        integer = _is_integer(name, optimizers)
        clean = tuple(dict.fromkeys(_clean(name, v, integer) for v in values))
        dimensions.append(
            Dimension(
                name, _kind(name), _applies_to(name, optimizers), _sorted(clean), None, integer
            )
        )
    for d in dimensions:
        _check_values(d.name, d.applies_to, d.values, base, seed)
    configurations = {}
    for optimizer in optimizers:
        mine = [d for d in dimensions if optimizer in d.applies_to]
        size = math.prod(len(d.values) for d in mine)
        if size > MAX_CONFIGURATIONS:
            raise ValueError(
                f"the grid gives {optimizer} {size} configurations "
                f"({' x '.join(f'{len(d.values)} {d.name}' for d in mine)}); at most "
                f"{MAX_CONFIGURATIONS}: give fewer values"
            )
        configurations[optimizer] = [
            dict(zip([d.name for d in mine], combination))
            for combination in itertools.product(*(d.values for d in mine))
        ]
    return _built("grid", tuple(dimensions), configurations, base, seed)


def _random_plan(
    search: RandomSearch,
    given: dict[str, Interval | tuple[Any, ...]],
    optimizers: Sequence[str],
    base: RunSpec,
    seed: int,
) -> SearchPlan:
    draws: dict[str, list[Any]] = {}
    dimensions = []
    for name, space in given.items():
        integer = _is_integer(name, optimizers)
        applies_to = _applies_to(name, optimizers)
        if isinstance(space, Interval):
            if integer and not (float(space.low).is_integer() and float(space.high).is_integer()):
                raise ValueError(f"Invalid space for {name}: {name} takes integers, got [{space}]")
            edges = [_clean(name, v, integer) for v in (space.low, space.high)]
            if not integer and not _is_real(name, optimizers):
                raise ValueError(
                    f"Invalid space for {name}: {name} does not take a range of numbers; "
                    f"give its choices, e.g. {name}=A,B"
                )
            _check_values(name, applies_to, edges, base, seed)
            clean_space: Interval | tuple[Any, ...] = space
        else:
            clean_space = tuple(dict.fromkeys(_clean(name, v, integer) for v in space))
            _check_values(name, applies_to, clean_space, base, seed)
        rng = np.random.default_rng([search.seed, zlib.crc32(name.encode())])
        if isinstance(clean_space, Interval):
            draws[name] = clean_space.draw(rng, search.n, integer)
        else:
            draws[name] = [clean_space[i] for i in rng.integers(len(clean_space), size=search.n)]
        drawn = tuple(dict.fromkeys(draws[name]))
        values = (
            _sorted(drawn)
            if isinstance(clean_space, Interval)
            else tuple(v for v in clean_space if v in drawn)
        )
        dimensions.append(Dimension(name, _kind(name), applies_to, values, clean_space, integer))
    configurations = {
        optimizer: [
            {d.name: draws[d.name][i] for d in dimensions if optimizer in d.applies_to}
            for i in range(search.n)
        ]
        for optimizer in optimizers
    }
    return _built("random", tuple(dimensions), configurations, base, seed, search.n, search.seed)


def _built(
    kind: str,
    dimensions: tuple[Dimension, ...],
    configurations: dict[str, list[dict[str, Any]]],
    base: RunSpec,
    seed: int,
    n: int | None = None,
    search_seed: int | None = None,
) -> SearchPlan:
    """The plan with every configuration's spec built (so checked), each key once."""
    kept: dict[str, tuple[Mapping[str, Any], ...]] = {}
    specs: dict[str, tuple[RunSpec, ...]] = {}
    for optimizer, settings in configurations.items():
        by_key: dict[str, tuple[Mapping[str, Any], RunSpec]] = {}
        for setting in settings:
            try:
                spec = spec_for(base, optimizer, setting, seed)
            except ValueError as error:
                raise ValueError(f"{_setting_text(setting)} for {optimizer}: {error}") from None
            by_key.setdefault(spec.key(), (setting, spec))
        kept[optimizer] = tuple(setting for setting, _ in by_key.values())
        specs[optimizer] = tuple(spec for _, spec in by_key.values())
    return SearchPlan(kind, dimensions, kept, specs, n, search_seed)


def _check_values(
    name: str, applies_to: Sequence[str], values: Sequence[Any], base: RunSpec, seed: int
) -> None:
    """Each value on its own, for each optimizer it applies to (the others at their base
    values), so that a refusal names the one value at fault. A rate must be > 0 (the
    sensitivity is read on a log scale)."""
    for value in values:
        if name == "lr":
            checks.positive("lr", value)
        for optimizer in applies_to:
            setting = {"lr": base.lr, name: value}
            try:
                spec_for(base, optimizer, setting, seed)
            except ValueError as error:
                if str(error).startswith(f"Invalid {name}:"):  # already names it and the value
                    raise ValueError(f"{error} (for {optimizer})") from None
                raise ValueError(
                    f"Invalid {name} {shown(value)} for {optimizer}: {error}"
                ) from None


def _setting_text(setting: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={shown(value)}" for name, value in setting.items())


# -- names -------------------------------------------------------------------------------------


def _argument(optimizer: str, name: str) -> tuple[str, int | None] | None:
    """``(field, None)`` when ``optimizer`` declares a scalar argument ``name``, ``(field,
    index)`` when ``name`` is a component of a tuple argument (``beta2``: ``("betas", 1)``),
    None when it takes no such argument."""
    for field_name, field in optim.OPTIMIZERS[optimizer].fields().items():
        if field.fixed or field_name == "lr":
            continue
        default = field.default
        if not isinstance(default, tuple):
            if field_name == name:
                return field_name, None
        elif all(_is_number(part) for part in default):
            stem = field_name[:-1] if field_name.endswith("s") else field_name
            for index in range(len(default)):
                if name == f"{stem}{index + 1}":
                    return field_name, index
    return None


def _arguments(optimizer: str) -> list[str]:
    """Every searchable argument name of ``optimizer`` (components of tuples included)."""
    names = []
    for field_name, field in optim.OPTIMIZERS[optimizer].fields().items():
        if field.fixed or field_name == "lr":
            continue
        if not isinstance(field.default, tuple):
            names.append(field_name)
        elif all(_is_number(part) for part in field.default):
            stem = field_name[:-1] if field_name.endswith("s") else field_name
            names += [f"{stem}{i + 1}" for i in range(len(field.default))]
    return names


def _tuple_arguments(optimizers: Sequence[str]) -> dict[str, list[str]]:
    """``{"betas": ["beta1", "beta2"], ...}``: the tuple arguments of ``optimizers`` and
    their components."""
    found: dict[str, list[str]] = {}
    for optimizer in optimizers:
        for field_name, field in optim.OPTIMIZERS[optimizer].fields().items():
            if isinstance(field.default, tuple) and not field.fixed:
                stem = field_name[:-1] if field_name.endswith("s") else field_name
                found[field_name] = [f"{stem}{i + 1}" for i in range(len(field.default))]
    return found


def _applies_to(name: str, optimizers: Sequence[str]) -> tuple[str, ...]:
    if name == "lr" or name in RUN_SETTINGS:
        return tuple(optimizers)
    return tuple(o for o in optimizers if _argument(o, name) is not None)


def _kind(name: str) -> str:
    return "rate" if name == "lr" else "run" if name in RUN_SETTINGS else "argument"


def _check_name(name: str, optimizers: Sequence[str], base: RunSpec) -> None:
    """Refuse a name that cannot be searched here, saying what can, or that ``base.options``
    already sets."""
    if not isinstance(name, str):
        raise checks.ArgumentTypeError(f"Invalid search name: {name!r}; names are strings")
    if name != "lr" and name not in RUN_SETTINGS and not _applies_to(name, optimizers):
        _refuse_unknown(name, optimizers)
    for option in dict(base.options):
        if option == name or any(
            (_argument(o, name) or ("", None))[0] == option for o in optimizers
        ):
            raise ValueError(
                f"base.options sets {option}, which the search of {name} would replace; "
                "remove it from the options"
            )


def _refuse_unknown(name: str, optimizers: Sequence[str]) -> None:
    """The error for a name none of ``optimizers`` can search, with what they can."""
    valid = ["lr", *RUN_SETTINGS, *sorted({a for o in optimizers for a in _arguments(o)})]
    searchable = f"search: {', '.join(valid)}"
    others = [o for o in optim.OPTIMIZERS if _argument(o, name) is not None]
    tuples = _tuple_arguments(optimizers)
    if others:
        problem = (
            f"{name} is not an argument of {', '.join(optimizers)} ({', '.join(others)} take it)"
        )
    elif name in tuples:
        problem = f"{name} is a tuple; search its components: {', '.join(tuples[name])}"
    elif name in RunSpec.__dataclass_fields__:
        problem = (
            f"{name} cannot be searched: it sets the data, the model or the seed that every "
            "run of a sweep shares"
        )
    else:
        near = checks.closest(name, valid)
        hint = f" (did you mean {near!r}?)" if near is not None else ""
        problem = f"unknown hyperparameter {name!r}{hint}"
    raise ValueError(f"{problem}; {searchable}")


def _default(name: str, optimizers: Sequence[str]) -> Any:
    """The default value of an argument ``name`` (of its component) for the first of
    ``optimizers`` that takes it."""
    optimizer = _applies_to(name, optimizers)[0]
    field_name, index = _argument(optimizer, name)  # type: ignore[misc]
    default = optim.OPTIMIZERS[optimizer].fields()[field_name].default
    return default if index is None else default[index]


def _is_integer(name: str, optimizers: Sequence[str]) -> bool:
    """Whether a dimension takes integers: an integer run setting, or an argument whose
    default is an integer (not a flag)."""
    if name == "lr" or name in RUN_SETTINGS:
        return name in _INTEGER_SETTINGS
    default = _default(name, optimizers)
    return isinstance(default, int) and not isinstance(default, bool)


def _is_real(name: str, optimizers: Sequence[str]) -> bool:
    """Whether a dimension takes real numbers: its default is a float, or None for an
    optional number (clip_norm, SOAP's shampoo_beta)."""
    if name == "lr" or name in RUN_SETTINGS:
        return name == "lr" or name in _FLOAT_SETTINGS
    default = _default(name, optimizers)
    return default is None or isinstance(default, float)


def _clean(name: str, value: Any, integer: bool) -> Any:
    """One spelling per value, so that one configuration has one key: an integral number
    as an int for an integer dimension, any other number as a float."""
    if not _is_number(value):
        return value
    if integer:
        if not float(value).is_integer():
            raise ValueError(f"Invalid {name}: {value!r}; {name} takes integers")
        return int(value)
    return float(value)


def _values(name: str, given: Any) -> tuple[Any, ...]:
    if isinstance(given, (str, bytes)) or not isinstance(given, Sequence) or len(given) == 0:
        raise checks.ArgumentTypeError(
            f"Invalid values for {name}: give a non-empty list of values, got {given!r}"
        )
    return tuple(given)


def _sorted(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(sorted(values)) if all(_is_number(v) for v in values) else values


def _is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _rates(lrs: Sequence[float] | None) -> tuple[float, ...]:
    return tuple(lr_grid() if lrs is None else lrs)


def _split(text: str, form: str) -> tuple[str, str]:
    if not isinstance(text, str) or "=" not in text:
        raise ValueError(f"Invalid search {text!r}: write it {form}")
    name, rest = (part.strip() for part in text.split("=", 1))
    if not name or not rest or any(not v.strip() for v in rest.split(",")):
        raise ValueError(f"Invalid search {text!r}: write it {form}")
    return name, rest
