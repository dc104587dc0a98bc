"""One optimizer's controls, generated from its declared arguments (`Optimizer.fields()`).

Each `Hyper` or `Option` becomes a widget chosen by its check: a learning rate or a
positive constant (eps) a slider over log10 of the value, a coefficient in [0, 1) a plain
slider, a pair of betas two sliders, a flag a checkbox, a choice a menu, any other number a
number box. The convention menu switches the defaults (PyTorch or Keras). A new optimizer
in the registry gets its controls with no change here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from optimlab import checks
from optimlab.optim import OPTIMIZERS
from optimlab.play.config import OptimizerSetting, option_choices

__all__ = ["OptimizerControls"]

LOG_RANGES = {"lr": (-6.0, 1.0), "eps": (-12.0, 0.0), "rcond": (-16.0, -2.0)}


class OptimizerControls:
    """The widgets of optimizer ``name`` and the `OptimizerSetting` they describe.

    Args:
        name: a key of `optimlab.optim.OPTIMIZERS`.
        on_change: called with no argument after the user changes any widget.
    """

    def __init__(self, name: str, on_change: Callable[[], None]) -> None:
        from bokeh.models import (
            CheckboxGroup,
            CustomJSTickFormatter,
            Div,
            Select,
            Slider,
            Spinner,
            TextInput,
        )

        self.name = name
        self.cls = OPTIMIZERS[name]
        self.on_change = on_change
        self.syncing = False
        self.widgets: dict[str, list[Any]] = {}
        conventions = list(self.cls.SUPPORTED_CONVENTIONS)
        self.convention = Select(
            title="convention", value="pytorch", options=conventions, width=140
        )
        self.convention.visible = len(conventions) > 1
        self.convention.on_change("value", lambda attr, old, new: self._convention_changed())
        power = CustomJSTickFormatter(
            code="return Number(Math.pow(10, tick).toPrecision(3)).toString()"
        )
        for field_name, field in self.cls.fields().items():
            if field.fixed:
                continue
            check, default = field.check, field.default
            title = field_name.replace("_", " ")
            if check is checks.learning_rate or (
                check is checks.positive and field_name in LOG_RANGES
            ):
                low, high = LOG_RANGES.get(field_name, (-12.0, 0.0))
                widgets = [
                    Slider(
                        title=f"{title} (log scale)",
                        start=low,
                        end=high,
                        step=0.01,
                        value=math.log10(default),
                        format=power,
                        width=260,
                        name=f"{name}-{field_name}",
                    )
                ]
            elif check is checks.betas:
                widgets = [
                    Slider(
                        title=f"beta{i + 1}",
                        start=0.0,
                        end=0.999 if i == 0 else 0.9999,
                        step=0.001 if i == 0 else 0.0001,
                        value=default[i],
                        width=260,
                        format="0[.]0000",
                        name=f"{name}-{field_name}-{i}",
                    )
                    for i in range(2)
                ]
            elif check in (checks.unit_interval, checks.closed_unit_interval):
                end = 1.0 if check is checks.closed_unit_interval else 0.999
                widgets = [
                    Slider(
                        title=title,
                        start=0.0,
                        end=end,
                        step=0.001,
                        value=default,
                        width=260,
                        format="0[.]000",
                        name=f"{name}-{field_name}",
                    )
                ]
            elif check is checks.flag:
                widgets = [
                    CheckboxGroup(
                        labels=[title], active=[0] if default else [], name=f"{name}-{field_name}"
                    )
                ]
            elif isinstance(default, str):
                choices = option_choices(name, field_name) or (default,)
                widgets = [
                    Select(
                        title=title,
                        value=default,
                        options=list(choices),
                        width=140,
                        name=f"{name}-{field_name}",
                    )
                ]
            elif isinstance(default, tuple) or default is None:
                widgets = [
                    TextInput(
                        title=f"{title} (comma-separated)",
                        value=_text(default),
                        width=200,
                        name=f"{name}-{field_name}",
                    )
                ]
            else:
                whole = isinstance(default, int)
                widgets = [
                    Spinner(
                        title=title,
                        value=default if whole else float(default),
                        low=0 if whole else 0.0,
                        step=1 if whole else 0.001,
                        width=140,
                        name=f"{name}-{field_name}",
                        format="0" if whole else "0[.][000000]",
                    )
                ]
            for widget in widgets:
                widget.css_classes = [f"optimlab-{name}-{field_name}"]
                attribute = "active" if isinstance(widget, CheckboxGroup) else "value"
                widget.on_change(attribute, lambda attr, old, new: self._changed())
            self.widgets[field_name] = widgets
        self.message = Div(text="", styles={"color": "#b00020"}, width=260)

    @property
    def children(self) -> list[Any]:
        """The widgets in declaration order, the convention first, the message last."""
        return [self.convention, *(w for ws in self.widgets.values() for w in ws), self.message]

    def _changed(self) -> None:
        if not self.syncing:
            self.on_change()

    def _convention_changed(self) -> None:
        if self.syncing:
            return
        lr = self.setting().kwargs.get("lr")
        self.show(
            OptimizerSetting(self.name, (("lr", lr),) if lr is not None else ()).with_arguments(
                convention=None if self.convention.value == "pytorch" else self.convention.value
            )
        )
        self.on_change()

    def setting(self) -> OptimizerSetting:
        """The arguments the widgets show that differ from their convention's defaults."""
        convention = self.convention.value
        arguments: dict[str, Any] = {}
        for field_name, widgets in self.widgets.items():
            field = self.cls.fields()[field_name]
            value = _read(field_name, field, widgets)
            default = field.default_for(convention)
            if not _same(value, default):
                arguments[field_name] = value
        if convention != "pytorch":
            arguments["convention"] = convention
        return OptimizerSetting(self.name).with_arguments(**arguments)

    def show(self, setting: OptimizerSetting) -> None:
        """Set the widgets to ``setting`` (without calling ``on_change``)."""
        self.syncing = True
        try:
            kwargs = setting.kwargs
            convention = kwargs.get("convention", "pytorch")
            self.convention.value = convention
            for field_name, widgets in self.widgets.items():
                field = self.cls.fields()[field_name]
                value = kwargs.get(field_name, field.default_for(convention))
                _write(field_name, field, widgets, value)
        finally:
            self.syncing = False


def _read(field_name: str, field: Any, widgets: list[Any]) -> Any:
    from bokeh.models import CheckboxGroup

    widget = widgets[0]
    if isinstance(widget, CheckboxGroup):
        return bool(widget.active)
    if field.check is checks.betas:
        return (round(float(widgets[0].value), 6), round(float(widgets[1].value), 6))
    if field.check is checks.learning_rate or (
        field.check is checks.positive and field_name in LOG_RANGES
    ):
        return float(f"{10 ** float(widget.value):.3g}")
    if isinstance(field.default, str):
        return widget.value
    if isinstance(field.default, tuple) or field.default is None:
        return _parse(widget.value, field.default)
    if isinstance(field.default, int):
        return int(widget.value) if widget.value is not None else field.default
    return float(widget.value) if widget.value is not None else float(field.default)


def _write(field_name: str, field: Any, widgets: list[Any], value: Any) -> None:
    from bokeh.models import CheckboxGroup

    widget = widgets[0]
    if isinstance(widget, CheckboxGroup):
        widget.active = [0] if value else []
    elif field.check is checks.betas:
        widgets[0].value, widgets[1].value = float(value[0]), float(value[1])
    elif field.check is checks.learning_rate or (
        field.check is checks.positive and field_name in LOG_RANGES
    ):
        number = float(value) if not callable(value) else 1e-3
        widget.value = min(max(math.log10(max(number, 1e-300)), widget.start), widget.end)
    elif isinstance(field.default, str):
        widget.value = str(value)
    elif isinstance(field.default, tuple) or field.default is None:
        widget.value = _text(value)
    elif isinstance(field.default, int):
        widget.value = int(value)
    else:
        widget.value = float(value)


def _text(value: Any) -> str:
    """A tuple (or None) as the text a user edits: ``0.5, 1.2``; ``none`` for None."""
    if value is None:
        return "none"
    if isinstance(value, tuple):
        return ", ".join(_text(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _parse(text: str, default: Any) -> Any:
    """The value a text box holds; what cannot be read is kept for the optimizer's check to
    refuse with its own message (shown under the controls)."""

    def item(word: str) -> Any:
        word = word.strip()
        if word.lower() == "none":
            return None
        try:
            return int(word) if word.lstrip("+-").isdigit() else float(word)
        except ValueError:
            return word

    words = [w for w in str(text).split(",") if w.strip()]
    if not isinstance(default, tuple):
        return item(words[0]) if words else None
    return tuple(item(w) for w in words)


def _same(value: Any, default: Any) -> bool:
    if isinstance(default, tuple):
        return all(math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) for a, b in zip(value, default))
    if isinstance(default, (bool, str)) or isinstance(value, (bool, str)):
        return value == default
    return math.isclose(float(value), float(default), rel_tol=1e-9, abs_tol=1e-15)
