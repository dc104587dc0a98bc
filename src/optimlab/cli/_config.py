"""``--config FILE``: a TOML file of settings, keyed by the command's option names.

A key is an option spelled as on the command line without its dashes (``epochs``,
``batch-size`` or ``batch_size``, ``csv`` for ``--csv``, ``progress = false`` for
``--no-progress``); a repeatable option takes a list, under its name or its plural
(``optimizer = [...]`` or ``optimizers = [...]`` for ``--optimizer``); an option whose
help says comma-separated takes a list too (``hidden = [64, 64]``).

Keys may sit at the top of the file, where they apply to the command being run, and in a
table named after a command (``[compare]``), which applies to that command only and wins
over a top-level key of the same name. Tables of other commands are left to those commands.
Options given on the command line win over the file.

Every problem is one line naming the file and the key, before any work: unreadable,
not UTF-8, not TOML (with the line), no setting for this command, an unknown key (with the
closest valid one), an unknown table, or a value of the wrong type.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from optimlab.checks import closest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def config_option(function: Callable) -> Callable:
    """The ``--config FILE`` option (eager, so that its values become the defaults)."""
    return click.option(
        "--config",
        type=click.Path(exists=True, dir_okay=False),
        callback=_load,
        is_eager=True,
        expose_value=False,
        help="TOML file of settings, keyed by option names (batch-size = 64); "
        "options on the command line win.",
    )(function)


def _load(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None:
        settings = read_config(Path(value), ctx)
        ctx.default_map = {**(ctx.default_map or {}), **settings}
    return value


def read_config(path: Path, ctx: click.Context) -> dict[str, Any]:
    """The settings of ``path`` for ``ctx``'s command, as ``{parameter name: value}``.

    Raises:
        click.BadParameter: any problem with the file, in one line.
    """
    config = _parse(path)
    command = ctx.command.name or ""
    group = ctx.parent.command if ctx.parent is not None else None
    commands = set(getattr(group, "commands", {})) | {command}
    keys = _keys(ctx.command)
    top: dict[str, Any] = {}
    tables: dict[str, dict[str, Any]] = {}
    for key, value in config.items():
        if isinstance(value, dict) and key in commands:
            tables[key] = value
        elif isinstance(value, dict):
            near = closest(key, sorted(commands))
            hint = f" (did you mean [{near}]?)" if near else ""
            _refuse(
                path,
                f"unknown table [{key}]{hint}; tables are named after commands: "
                f"{', '.join(f'[{c}]' for c in sorted(commands))}",
            )
        else:
            top[key] = value
    merged = {
        **_named(path, top, keys, command),
        **_named(path, tables.get(command, {}), keys, command),
    }
    if not merged:
        others = sorted(set(tables) - {command})
        where = f" (it has settings for {', '.join(others)} only)" if others else ""
        _refuse(path, f"has no settings for 'optimlab {command}'{where}")
    return {
        name: _value(path, key, keys[key.replace("-", "_")], item, ctx)
        for name, (key, item) in merged.items()
    }


def _parse(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise click.BadParameter(f"cannot read {path}: {error.strerror or error}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        _refuse(
            path,
            f"is not UTF-8 text (byte {error.start} is {raw[error.start]:#04x}); save it as UTF-8",
        )
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = str(error).replace(
            "at end of document", f"at the end, line {len(text.splitlines())}"
        )
        _refuse(path, f"is not valid TOML: {where}")


def _keys(command: click.Command) -> dict[str, click.Parameter]:
    """Every accepted key (option names without dashes, with ``_`` for ``-``; a repeatable
    option in the plural too, since its value is a list)."""
    keys = {}
    for param in command.params:
        if param.name == "config":
            continue
        if isinstance(param, click.Option):
            for opt in param.opts:
                if opt.startswith("--"):
                    keys[opt[2:].replace("-", "_")] = param
                    if param.multiple:
                        keys[opt[2:].replace("-", "_") + "s"] = param
        else:
            keys[(param.name or "").replace("-", "_")] = param
    return keys


def _named(
    path: Path, items: dict[str, Any], keys: dict[str, click.Parameter], command: str
) -> dict[str, tuple[str, Any]]:
    """``{parameter name: (key as written, value)}``; unknown or repeated keys refused."""
    named: dict[str, tuple[str, Any]] = {}
    for key, value in items.items():
        normal = key.replace("-", "_")
        if normal not in keys:
            _refuse(path, _unknown(key, keys, command))
        name = keys[normal].name or normal
        if name in named:
            _refuse(path, f"{named[name][0]!r} and {key!r} are the same setting; give it once")
        named[name] = (key, value)
    return named


def _unknown(key: str, keys: dict[str, click.Parameter], command: str) -> str:
    spelled = {k.replace("_", "-"): k for k in keys if not _plural(k, keys)}
    by_name = {p.name: k for k, p in keys.items()}  # e.g. csv_path -> csv
    near = by_name.get(key.replace("-", "_")) or closest(key.replace("_", "-"), spelled)
    hint = f" (did you mean {near.replace('_', '-')!r}?)" if near else ""
    return (
        f"unknown setting {key!r} for 'optimlab {command}'{hint}; "
        f"valid: {', '.join(sorted(spelled))}"
    )


def _plural(key: str, keys: dict[str, click.Parameter]) -> bool:
    """Whether ``key`` is the plural spelling of a repeatable option."""
    return key.endswith("s") and key[:-1] in keys and keys[key[:-1]] is keys[key]


def _value(path: Path, key: str, param: click.Parameter, value: Any, ctx: click.Context) -> Any:
    """The value checked against the option's type (and converted by it)."""
    shown = key
    if isinstance(value, dict):
        _refuse(path, f"{shown} is a table; give it a value")
    if param.multiple:
        items = value if isinstance(value, list) else [value]
        return [_scalar(path, shown, param, item, ctx) for item in items]
    if isinstance(value, list):
        if "comma-separated" in (getattr(param, "help", None) or "").lower() and value:
            return ",".join(str(_scalar(path, shown, param, item, ctx)) for item in value)
        _refuse(path, f"{shown} takes one value, not a list")
    return _scalar(path, shown, param, value, ctx)


def _scalar(path: Path, key: str, param: click.Parameter, value: Any, ctx: click.Context) -> Any:
    kind = param.type
    if isinstance(value, (dict, list)):
        _refuse(path, f"{key} must be a single value, got {_shown(value)}")
    if isinstance(kind, click.types.BoolParamType):
        if not isinstance(value, bool):
            _refuse(path, f"{key} must be true or false, got {_shown(value)}")
        return value
    if isinstance(value, bool):
        _refuse(path, f"{key} must be {_expected(kind)}, got {_shown(value)}")
    if isinstance(kind, click.types.IntParamType) and not isinstance(value, int):
        _refuse(path, f"{key} must be an integer, got {_shown(value)}")
    if isinstance(kind, click.types.FloatParamType) and not isinstance(value, (int, float)):
        _refuse(path, f"{key} must be a number, got {_shown(value)}")
    if not isinstance(value, (str, int, float)):
        _refuse(path, f"{key} must be {_expected(kind)}, got {_shown(value)}")
    if isinstance(kind, (click.types.StringParamType, click.Choice, click.Path)):
        value = str(value)
    try:
        return kind.convert(value, param, ctx)
    except click.BadParameter as error:
        _refuse(path, f"{key} = {_shown(value)}: {error.message}")


def _shown(value: Any) -> str:
    """A value as TOML writes it."""
    if isinstance(value, bool):
        return str(value).lower()
    return repr(value) if isinstance(value, str) else str(value)


def _expected(kind: click.ParamType) -> str:
    if isinstance(kind, click.types.IntParamType):
        return "an integer"
    if isinstance(kind, click.types.FloatParamType):
        return "a number"
    return "text"


def _refuse(path: Path, problem: str) -> Any:
    raise click.BadParameter(f"{path}: {problem}", param_hint="--config")
