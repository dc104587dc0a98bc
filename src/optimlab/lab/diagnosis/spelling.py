"""A remedy's setting changes spelled two ways: as the command line takes them and as the
Python API takes them (`RunSpec` fields, the optimizer's and `fit`'s arguments)."""

from __future__ import annotations

from typing import Any

from optimlab.lab.diagnosis.context import RunContext

OPTIMIZER_FIELDS = ("optimizer", "lr", "options")


def number(value: float) -> str:
    """A number as a person would type it: ``0.001``, ``1e-05``, ``170``."""
    return f"{float(value):.3g}"


def optimizer_token(name: str, lr: float | None, options: dict[str, Any]) -> str:
    """The ``--optimizer NAME[:LR][:key=value...]`` value (Newton's ``LR`` is its step
    length)."""
    parts = [name]
    if "lr" not in options and lr is not None:
        parts.append(number(lr))
    for key, value in sorted(options.items()):
        parts.append(f"{key}={_value(value)}")
    return ":".join(parts)


def spell(context: RunContext, changes: dict[str, Any]) -> str:
    """``"`--command spelling` (API spelling)"`` for a dict of `RunSpec` field changes: the
    command's options (``optimlab sweep``'s in a sweep: a context with an ``lr_grid``), then
    the `RunSpec` fields and the library calls that do the same."""
    commands, fields, calls = [], [], []
    if any(name in changes for name in OPTIMIZER_FIELDS):
        name = changes.get("optimizer", context.optimizer)
        lr = changes.get("lr", context.lr)
        options = dict(changes.get("options", context.options))
        if context.lr_grid:
            commands.extend(_sweep_options(context, changes))
        else:
            commands.append(f"--optimizer {optimizer_token(name, lr, options)}")
        arguments = dict(options)
        if lr is not None:
            arguments = {"lr": lr, **arguments}
        listed = "".join(f", {key}={_python(value)}" for key, value in arguments.items())
        calls.append(f"{name}(params{listed})")
    for name, value in changes.items():
        text = _python(tuple(sorted(dict(value).items())) if name == "options" else value)
        fields.append(f"{name}={text}")
        if name in _FIELDS:
            command, call = _FIELDS[name](value)
            commands.append(command)
            if call:
                calls.append(call)
    api = "; ".join([f"RunSpec({', '.join(fields)})", *calls])
    return f"`{' '.join(commands)}` ({api})"


def _sweep_options(context: RunContext, changes: dict[str, Any]) -> list[str]:
    """``optimlab sweep``'s options for the optimizer fields of ``changes``: it takes
    optimizers by name (and searches their rates), a rate through its grid's ends or
    ``--lrs``, and other optimizer arguments through ``--grid``."""
    if "optimizer" in changes:
        return [f"--optimizers {changes['optimizer']}"]
    options = dict(changes.get("options", context.options))
    rate = options.pop("lr", None) if context.rate_in_options else changes.get("lr")
    before = dict(context.options)
    spelled = [f"--grid {k}={_value(v)}" for k, v in sorted(options.items()) if before.get(k) != v]
    if rate is not None:
        grid = context.lr_grid
        option = "--lr-max" if rate > grid[-1] else "--lr-min" if rate < grid[0] else "--lrs"
        spelled.insert(0, f"{option} {number(rate)}")
    return spelled


def _python(value: Any) -> str:
    return number(value) if isinstance(value, float) else repr(value)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return number(value)
    return str(value)


#: Each non-optimizer field: its command option, and the library call that does the same
#: (or None when the `RunSpec` field is the only spelling).
_FIELDS = {
    "l2": lambda v: (f"--l2 {number(v)}", f"the model's l2={number(v)}"),
    "patience": lambda v: (
        f"--patience {v}",
        f"fit(..., callbacks=[EarlyStopping(patience={v})])",
    ),
    "clip_norm": lambda v: (f"--clip-norm {number(v)}", f"fit(..., clip_norm={number(v)})"),
    "scale": lambda v: (
        "--scale" if v else "--no-scale",
        "optimlab.data.Standardizer on the features and a regression target" if v else None,
    ),
    "epochs": lambda v: (f"--epochs {v}", f"fit(..., epochs={v})"),
    "batch_size": lambda v: (
        f"--batch-size {'full' if v is None else v}",
        f"fit(..., batch_size={v})",
    ),
    "schedule": lambda v: (f"--schedule {v}", None),
    "model": lambda v: (f"--model {v}", None),
    "hidden": lambda v: (
        f"--hidden {','.join(map(str, v))}",
        f"MLP([n_features, {', '.join(map(str, v))}, n_outputs])",
    ),
    "activation": lambda v: (f"--activation {v}", None),
    "seed": lambda v: (f"--seed {v}", None),
    "n_samples": lambda v: (f"--n-samples {v}", None),
}
