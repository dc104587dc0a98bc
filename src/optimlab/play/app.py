"""The explorer's page: Bokeh widgets and plots around one `PlayConfig`.

Every control changes the config; every config change recomputes the paths that changed
(`RunCache`) and replaces the plotted data. The browser then only draws: the iteration
slider, play/pause and the step buttons move markers along paths the server computed (a
few lines of JavaScript that index arrays, and no update rule).
"""

from __future__ import annotations

import base64
import math
from typing import Any

import numpy as np

from optimlab.landscapes import LANDSCAPES, Landscape
from optimlab.optim import OPTIMIZERS
from optimlab.play.config import CLIPS, SCHEDULES, SURFACES, PlayConfig
from optimlab.play.controls import OptimizerControls
from optimlab.play.runs import Run, RunCache, build_surface
from optimlab.viz.contours import contour_levels

__all__ = ["PALETTE", "Explorer"]

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
    "#e377c2", "#17becf", "#bcbd22", "#393b79", "#637939", "#843c39",
)  # fmt: skip
GRID = 120
LEVELS = 24
FLAT = 1e-12

_ANIMATE = """
const k = slider.value;
for (let i = 0; i < paths.length; i++) {
  const p = paths[i].data, n = p.x.length;
  if (n === 0) { heads[i].data = {x: [], y: []}; trails[i].data = {x: [], y: []}; continue; }
  const j = Math.min(k, n - 1);
  heads[i].data = {x: [p.x[j]], y: [p.y[j]]};
  trails[i].data = {x: p.x.slice(0, j + 1), y: p.y.slice(0, j + 1)};
  if (lines.length) {
    const w1 = p.x[j], w2 = p.y[j];
    let xs, ys;
    if (Math.abs(w2) > 1e-12 * Math.max(1, Math.abs(w1))) {
      xs = [-3, 3]; ys = [3 * w1 / w2, -3 * w1 / w2];
    } else { xs = [0, 0]; ys = [-3, 3]; }
    lines[i].data = {x: xs, y: ys};
  }
}
for (const span of spans) { span.location = k; }
"""

_PLAY = """
if (toggle.active) {
  toggle.label = "❚❚ pause";
  if (slider.value >= slider.end) { slider.value = 0; }
  window._optimlab_play = setInterval(() => {
    if (slider.value >= slider.end) { toggle.active = false; return; }
    slider.value = Math.min(slider.end, slider.value + Math.max(1, Math.round(slider.end / 150)));
  }, 40);
} else {
  toggle.label = "▶ play";
  clearInterval(window._optimlab_play);
}
"""

_URL = """
const q = share.tags.length ? share.tags[0] : "";
if (!notebook) {
  const url = window.location.origin + window.location.pathname + (q ? "?" + q : "");
  window.history.replaceState(null, "", url);
}
"""

_DOWNLOAD = """
const d = source.data;
if (!d.name || !d.name.length) { return; }
const bytes = atob(d.b64[0]);
const array = new Uint8Array(bytes.length);
for (let i = 0; i < bytes.length; i++) { array[i] = bytes.charCodeAt(i); }
const link = document.createElement("a");
link.href = URL.createObjectURL(new Blob([array], {type: d.mime[0]}));
link.download = d.name[0];
document.body.appendChild(link);
link.click();
link.remove();
"""


class Explorer:
    """The page of one browser session (or one notebook cell).

    Args:
        config: the view to open.
        notebook: True inside Jupyter (the page's URL is the notebook's and is left alone).
        problems: messages about the link that opened it (shown above the controls).
    """

    def __init__(
        self, config: PlayConfig, notebook: bool = False, problems: list[str] | None = None
    ) -> None:
        self.config = config
        self.notebook = notebook
        self.cache = RunCache()
        self.surfaces: dict[tuple, Landscape] = {}
        self.surface: Landscape | None = None
        self.runs: list[Run] = []
        self.drawn: dict[str, Run] = {}
        self.start_message = ""
        self.syncing = False
        self._build(problems or [])
        self.show_config(config)
        self.update()

    # -- building ------------------------------------------------------------------------

    def _build(self, problems: list[str]) -> None:
        from bokeh.events import Tap
        from bokeh.layouts import column, row
        from bokeh.models import (
            Button,
            CheckboxGroup,
            ColumnDataSource,
            CustomJS,
            DataTable,
            Div,
            InlineStyleSheet,
            LegendItem,
            LogColorMapper,
            NumberFormatter,
            ScientificFormatter,
            Select,
            Slider,
            Span,
            Spinner,
            TableColumn,
            TabPanel,
            Tabs,
            TextInput,
            Toggle,
        )
        from bokeh.palettes import Viridis256
        from bokeh.plotting import figure

        on = self._on_control
        self.problems = Div(
            text=_problems_html(problems), styles={"color": "#b00020"}, width=330, name="problems"
        )
        self.surface_select = Select(
            title="surface", options=list(SURFACES), width=160, name="surface"
        )
        self.expression = TextInput(title="f(x, y) =", width=320, name="expression")
        self.expression_message = Div(
            text="", styles={"color": "#b00020"}, width=320, name="expression-message"
        )
        self.noise = Slider(
            title="gradient noise (std)",
            start=0.0,
            end=3.0,
            step=0.01,
            value=0.0,
            width=320,
            name="noise",
        )
        self.seed = Spinner(title="seed", low=0, step=1, value=0, width=90, name="seed")
        self.sampling = Select(
            title="batches", options=["full", "minibatch", "stochastic"], width=120, name="sampling"
        )
        self.batch_size = Spinner(
            title="batch size", low=1, high=100, step=1, value=10, width=90, name="batch"
        )
        self.steps = Slider(
            title="steps", start=10, end=1000, step=10, value=300, width=320, name="steps"
        )
        self.reset_start = Button(label="surface's own start", width=160, name="reset-start")
        self.schedule = Select(
            title="learning-rate schedule", options=list(SCHEDULES), width=160, name="schedule"
        )
        self.decay = Spinner(
            title="decay (gamma or rate)", low=1e-6, step=0.01, value=0.99, width=140, name="decay"
        )
        self.period = Spinner(
            title="period (step size or warmup)",
            low=1,
            step=10,
            value=100,
            width=140,
            name="period",
        )
        self.clip = Select(title="gradient clipping", options=list(CLIPS), width=160, name="clip")
        self.clip_threshold = Spinner(
            title="clip at", low=1e-6, step=0.1, value=1.0, width=140, name="clip-at"
        )
        wrap = InlineStyleSheet(  # 26 optimizers: their boxes and tabs wrap onto several rows
            css=".bk-input-group.bk-inline, .bk-headers-wrapper, .bk-headers "
            "{ flex-wrap: wrap; overflow: visible; }"
        )
        self.chosen = CheckboxGroup(
            labels=list(OPTIMIZERS),
            active=[],
            inline=True,
            width=330,
            name="optimizers",
            stylesheets=[wrap],
        )
        self.controls = {name: OptimizerControls(name, on) for name in OPTIMIZERS}
        self.tabs = Tabs(
            tabs=[
                TabPanel(title=name, child=column(*c.children)) for name, c in self.controls.items()
            ],
            width=330,
            name="optimizer-tabs",
            stylesheets=[wrap],
        )
        for widget, attribute in (
            (self.surface_select, "value"), (self.expression, "value"),
            (self.noise, "value_throttled"), (self.seed, "value"), (self.sampling, "value"),
            (self.batch_size, "value"),
            (self.steps, "value_throttled"), (self.schedule, "value"), (self.decay, "value"),
            (self.period, "value"), (self.clip, "value"), (self.clip_threshold, "value"),
            (self.chosen, "active"),
        ):  # fmt: skip
            widget.on_change(attribute, lambda attr, old, new: on())
        self.reset_start.on_click(self._reset_start)

        tools = "pan,wheel_zoom,box_zoom,reset,save"
        self.figure = figure(
            width=620,
            height=520,
            tools=tools,
            match_aspect=False,
            name="surface-plot",
            toolbar_location="above",
            title="click the surface to start there",
        )
        self.mapper = LogColorMapper(palette=Viridis256, low=1e-3, high=1.0)
        self.image = ColumnDataSource(
            {"image": [np.zeros((2, 2))], "x": [0.0], "y": [0.0], "dw": [1.0], "dh": [1.0]}
        )
        self.figure.image(
            image="image",
            x="x",
            y="y",
            dw="dw",
            dh="dh",
            source=self.image,
            color_mapper=self.mapper,
            alpha=0.55,
        )
        self.contours = ColumnDataSource({"xs": [], "ys": []})
        self.figure.multi_line(
            xs="xs", ys="ys", source=self.contours, line_color="white", line_alpha=0.45
        )
        self.minima = ColumnDataSource({"x": [], "y": []})
        self.figure.scatter(
            "x",
            "y",
            source=self.minima,
            marker="star",
            size=16,
            color="black",
            legend_label="minimum",
        )
        self.start_point = ColumnDataSource({"x": [], "y": []})
        self.figure.scatter(
            "x",
            "y",
            source=self.start_point,
            marker="circle",
            size=11,
            fill_color="white",
            line_color="black",
            line_width=2,
            name="start-point",
        )
        self.figure.on_event(Tap, self._tap)

        self.loss_plot = figure(
            width=430,
            height=240,
            y_axis_type="log",
            title="loss f(x_k)",
            tools="pan,wheel_zoom,reset",
            name="loss-plot",
        )
        self.distance_plot = figure(
            width=430,
            height=240,
            y_axis_type="log",
            x_range=self.loss_plot.x_range,
            title="distance to the minimum ||x_k - x*||",
            tools="pan,wheel_zoom,reset",
            name="distance-plot",
        )
        self.distance_plot.xaxis.axis_label = "iteration k"
        self.data_plot = figure(
            width=430,
            height=300,
            title="iris: versicolor (o) vs virginica (x), decision lines",
            x_range=(-3, 3),
            y_range=(-3, 3),
            tools="",
            name="data-plot",
        )
        self.data_plot.xaxis.axis_label = "petal length (standardised)"
        self.data_plot.yaxis.axis_label = "petal width (standardised)"
        self.data_points = ColumnDataSource({"x": [], "y": [], "marker": [], "color": []})
        self.data_plot.scatter(
            "x", "y", marker="marker", color="color", source=self.data_points, size=7, alpha=0.7
        )

        self.paths, self.trails, self.heads, self.ends, self.lines = [], [], [], [], []
        self.losses, self.distances = [], []
        self.renderers: dict[str, list[Any]] = {}
        for index, name in enumerate(OPTIMIZERS):
            color = PALETTE[index % len(PALETTE)]
            path, trail, head = (ColumnDataSource({"x": [], "y": []}) for _ in range(3))
            end = ColumnDataSource({"x": [], "y": [], "text": []})
            loss, distance = (ColumnDataSource({"k": [], "v": []}) for _ in range(2))
            line = ColumnDataSource({"x": [], "y": []})
            self.paths.append(path)
            self.trails.append(trail)
            self.heads.append(head)
            self.ends.append(end)
            self.losses.append(loss)
            self.distances.append(distance)
            self.lines.append(line)
            self.renderers[name] = [
                self.figure.line(
                    "x",
                    "y",
                    source=path,
                    color=color,
                    alpha=0.3,
                    line_width=1.5,
                    name=f"path-{name}",
                ),
                self.figure.line("x", "y", source=trail, color=color, line_width=2.5),
                self.figure.scatter(
                    "x", "y", source=head, color=color, size=10, line_color="black"
                ),
                self.figure.scatter(
                    "x", "y", source=end, marker="x", color="#b00020", size=14, line_width=3
                ),
                self.figure.text(
                    "x",
                    "y",
                    text="text",
                    source=end,
                    text_color="#b00020",
                    text_font_size="10pt",
                    x_offset=6,
                    y_offset=-4,
                ),
                self.loss_plot.line("k", "v", source=loss, color=color, line_width=2),
                self.distance_plot.line("k", "v", source=distance, color=color, line_width=2),
                self.data_plot.line("x", "y", source=line, color=color, line_width=2),
            ]
        self.legend_items = {
            name: LegendItem(label=name, renderers=self.renderers[name][:3]) for name in OPTIMIZERS
        }
        self.figure.legend.location = "top_right"
        self.figure.legend.click_policy = "hide"
        self.figure.legend.background_fill_alpha = 0.6

        self.iteration = Slider(
            title="iteration", start=0, end=300, step=1, value=300, width=440, name="iteration"
        )
        self.play = Toggle(label="▶ play", width=80, name="play")
        self.back = Button(label="◀", width=40, name="step-back")
        self.forward = Button(label="▶", width=40, name="step-forward")
        spans = [Span(location=0, dimension="height", line_color="gray", line_dash="dashed")
                 for _ in range(2)]  # fmt: skip
        self.loss_plot.add_layout(spans[0])
        self.distance_plot.add_layout(spans[1])
        animate = CustomJS(
            args={
                "slider": self.iteration,
                "paths": self.paths,
                "heads": self.heads,
                "trails": self.trails,
                "lines": self.lines,
                "spans": spans,
            },
            code=_ANIMATE,
        )
        self.animate = animate
        self.iteration.js_on_change("value", animate)
        self.play.js_on_change(
            "active", CustomJS(args={"toggle": self.play, "slider": self.iteration}, code=_PLAY)
        )
        self.back.js_on_click(
            CustomJS(args={"s": self.iteration}, code="s.value = Math.max(s.start, s.value - 1);")
        )
        self.forward.js_on_click(
            CustomJS(args={"s": self.iteration}, code="s.value = Math.min(s.end, s.value + 1);")
        )

        columns = [
            TableColumn(field="name", title="optimizer", width=80),
            TableColumn(field="end", title="end point", width=120),
            TableColumn(
                field="loss",
                title="final loss",
                formatter=ScientificFormatter(precision=3),
                width=80,
            ),
            TableColumn(
                field="measured",
                title="measured rate",
                formatter=NumberFormatter(format="0.0000"),
                width=80,
            ),
            TableColumn(
                field="predicted",
                title="theory",
                formatter=NumberFormatter(format="0.0000"),
                width=70,
            ),
            TableColumn(field="note", title="status / theory's assumption", width=260),
        ]
        self.table_source = ColumnDataSource({c.field: [] for c in columns})
        self.table = DataTable(
            source=self.table_source,
            columns=columns,
            width=640,
            height=190,
            index_position=None,
            name="rates",
        )
        self.share = Div(text=_share_html("", self.notebook), width=620, name="share")
        self.share.js_on_change(
            "tags", CustomJS(args={"share": self.share, "notebook": self.notebook}, code=_URL)
        )
        self.download = ColumnDataSource({"name": [], "b64": [], "mime": []})
        self.download.js_on_change("data", CustomJS(args={"source": self.download}, code=_DOWNLOAD))
        self.export_buttons = []
        for label, kind in (("PNG", "png"), ("GIF", "gif"), ("TOML", "toml")):
            button = Button(label=f"export {label}", width=100, name=f"export-{kind}")
            button.on_click(lambda event=None, kind=kind: self.export(kind))
            self.export_buttons.append(button)
        self.export_message = Div(text="", width=300, name="export-message")

        surface_box = column(
            self.problems,
            Div(text="<b>Surface</b>"),
            row(self.surface_select, self.sampling, self.batch_size),
            self.expression,
            self.expression_message,
            self.noise,
            row(self.seed, self.reset_start),
            self.steps,
            row(self.schedule, self.decay),
            row(self.period),
            row(self.clip, self.clip_threshold),
            Div(text="<b>Optimizers</b> (the tabs hold their settings)"),
            self.chosen,
            self.tabs,
            width=350,
        )
        main = column(
            self.figure,
            row(self.play, self.back, self.forward, self.iteration),
            row(*self.export_buttons, self.export_message),
            self.share,
            self.table,
        )
        for widget in (
            self.surface_select, self.expression, self.expression_message, self.steps,
            self.chosen, self.tabs, self.figure, self.iteration, self.share, self.problems,
        ):  # fmt: skip
            widget.css_classes = [f"optimlab-{widget.name}"]
        curves = (self.loss_plot, self.distance_plot, self.data_plot)
        if self.notebook:  # a notebook cell is narrower than a browser window
            self.layout = column(row(surface_box, main), row(*curves), name="optimlab-play")
        else:
            self.layout = row(surface_box, main, column(*curves), name="optimlab-play")

    # -- config <-> widgets --------------------------------------------------------------

    def show_config(self, config: PlayConfig) -> None:
        """Set every widget to ``config`` (no recomputation)."""
        self.syncing = True
        try:
            self.surface_select.value = config.surface
            self.expression.value = config.expression
            self.noise.value = config.noise
            self.seed.value = config.seed
            self.sampling.value = config.sampling
            self.batch_size.value = config.batch_size
            self.steps.value = min(max(config.steps, self.steps.start), self.steps.end)
            self.schedule.value = config.schedule
            self.decay.value = config.decay
            self.period.value = config.period
            self.clip.value = config.clip
            self.clip_threshold.value = config.clip_threshold
            names = list(OPTIMIZERS)
            self.chosen.active = sorted(names.index(o.name) for o in config.optimizers)
            for name, controls in self.controls.items():
                setting = config.optimizer(name)
                if setting is not None:
                    controls.show(setting)
        finally:
            self.syncing = False
        self._visibility()

    def read_config(self) -> PlayConfig:
        """The config the widgets describe (the start point is kept from the last one)."""
        names = list(OPTIMIZERS)
        chosen = [names[i] for i in sorted(self.chosen.active)]
        return PlayConfig(
            surface=self.surface_select.value,
            expression=self.expression.value,
            noise=float(self.noise.value),
            seed=int(self.seed.value or 0),
            start=self.config.start,
            steps=int(self.steps.value),
            sampling=self.sampling.value,
            batch_size=int(self.batch_size.value or 1),
            schedule=self.schedule.value,
            decay=float(self.decay.value or 0.99),
            period=int(self.period.value or 1),
            clip=self.clip.value,
            clip_threshold=float(self.clip_threshold.value or 1.0),
            optimizers=tuple(self.controls[name].setting() for name in chosen),
        )

    def _visibility(self) -> None:
        surface = self.surface_select.value
        self.expression.visible = surface == "expression"
        self.expression_message.visible = surface == "expression"
        self.sampling.visible = self.batch_size.visible = surface == "logistic"
        self.data_plot.visible = surface == "logistic"
        self.decay.visible = self.schedule.value in ("step", "exponential", "inverse_time")
        self.period.visible = self.schedule.value in ("step", "warmup_cosine")
        self.clip_threshold.visible = self.clip.value != "none"

    # -- events --------------------------------------------------------------------------

    def _on_control(self) -> None:
        if self.syncing:
            return
        old_surface = self.config.surface
        try:
            config = self.read_config()
        except (ValueError, TypeError) as error:
            self.problems.text = _problems_html([str(error)])
            return
        if config.surface != old_surface or (
            config.surface == "expression" and config.expression != self.config.expression
        ):
            config = config.replace(start=None)
        self.problems.text = ""
        self.config = config
        self._visibility()
        self.update()

    def _tap(self, event: Any) -> None:
        self.set_start(float(event.x), float(event.y))

    def set_start(self, x: float, y: float) -> None:
        """Start every optimizer at (x, y) and redraw."""
        self.config = self.config.replace(start=(x, y))
        self.update()

    def _reset_start(self) -> None:
        self.config = self.config.replace(start=None)
        self.update()

    # -- computing and drawing -----------------------------------------------------------

    def current_surface(self) -> Landscape:
        """The exact surface of the current config (built once per formula or model)."""
        config = self.config
        if config.surface == "expression":
            key: tuple = ("expression", config.expression)
        elif config.surface == "logistic":
            key = ("logistic", config.sampling, config.batch_size, config.seed)
        else:
            key = (config.surface,)
        if key not in self.surfaces:
            self.surfaces[key] = build_surface(config.replace(start=None))
        return self.surfaces[key]

    def update(self) -> None:
        """Recompute what changed and redraw; a problem becomes a message, never a traceback.

        The changes go to the browser as one message (the document is held meanwhile), and
        only what changed is sent: the surface when it is another, a path when it is new.
        """
        document = self.layout.document
        if document is not None:
            document.hold("combine")
        try:
            self._update()
        finally:
            if document is not None:
                document.unhold()

    def _update(self) -> None:
        try:
            surface = self.current_surface()
        except ValueError as error:
            self.expression_message.text = _escape(str(error))
            self._clear_paths()
            self.surface = None
            return
        self.expression_message.text = ""
        start = np.array(self.config.start if self.config.start is not None else surface.start)
        problem = self._start_problem(surface, start)
        if problem:
            self.expression_message.text = problem
            self.problems.text = self.start_message = _problems_html([problem])
            self._clear_paths()
            return
        if self.problems.text == self.start_message:
            self.problems.text = ""
        if surface is not self.surface:
            self.drawn = {}
            if self._draw_surface(surface) is None:
                return
        self.surface = surface
        self.runs = [self.cache.run(self.config, s, surface, start) for s in self.config.optimizers]
        self._draw_runs(surface, start)
        self.share.tags = [self.config.to_query()]
        if self.notebook:
            self.share.text = _share_html(self.config.to_query(), self.notebook)

    def _start_problem(self, surface: Landscape, start: np.ndarray) -> str:
        with np.errstate(all="ignore"):
            value = surface.value_grid(start[0:1], start[1:2])[0]
            gradient = surface.grad(start) if np.isfinite(start).all() else np.array([np.nan])
        if not (np.isfinite(value) and np.isfinite(gradient).all()):
            return (
                f"f or its gradient is not finite at the start ({start[0]:.4g}, {start[1]:.4g}): "
                "click somewhere else or change f"
            )
        return ""

    def _draw_surface(self, surface: Landscape) -> np.ndarray | None:
        from bokeh.plotting.contour import contour_data

        (x_low, x_high), (y_low, y_high) = surface.bounds
        xs, ys = np.linspace(x_low, x_high, GRID), np.linspace(y_low, y_high, GRID)
        with np.errstate(all="ignore"):
            Z = surface.value_grid(*np.meshgrid(xs, ys))
        finite = Z[np.isfinite(Z)]
        if finite.size < Z.size // 4:
            message = "f is not finite over most of the window; change f"
        elif float(finite.max() - finite.min()) <= FLAT * max(1.0, float(np.abs(finite).max())):
            message = "f is flat over the window (nothing to descend); change f"
        else:
            message = ""
        if message:
            self.expression_message.text = message
            self.problems.text = _problems_html([message])
            self._clear_paths()
            return None
        low = float(finite.min())
        shifted = np.where(np.isfinite(Z), Z - low, np.nan)
        positive = shifted[np.isfinite(shifted) & (shifted > 0)]
        self.mapper.low = max(float(positive.min()), 1e-6 * float(positive.max()))
        self.mapper.high = float(positive.max())
        self.image.data = {
            "image": [np.maximum(shifted, self.mapper.low)],
            "x": [x_low],
            "y": [y_low],
            "dw": [x_high - x_low],
            "dh": [y_high - y_low],
        }
        levels = contour_levels(Z, LEVELS, log_levels=True)
        lines = contour_data(xs, ys, np.ma.masked_invalid(Z), levels, want_fill=False).line_data
        self.contours.data = {"xs": list(lines.xs), "ys": list(lines.ys)}
        minima = surface.minima
        self.minima.data = {"x": [m[0] for m in minima], "y": [m[1] for m in minima]}
        self.figure.x_range.start, self.figure.x_range.end = x_low, x_high
        self.figure.y_range.start, self.figure.y_range.end = y_low, y_high
        self.figure.title.text = f"{_title(self.config)}: click the surface to start there"
        if self.config.surface == "logistic":
            from optimlab.play.logistic import logistic_data

            X, y = logistic_data()
            self.data_points.data = {
                "x": X[:, 0],
                "y": X[:, 1],
                "marker": ["x" if v else "circle" for v in y],
                "color": ["#d62728" if v else "#1f77b4" for v in y],
            }
        return Z

    def _clear_paths(self) -> None:
        self.runs = []
        self.drawn = {}
        for sources in (self.paths, self.trails, self.heads, self.lines):
            for source in sources:
                _set(source, {"x": [], "y": []})
        for source in self.ends:
            _set(source, {"x": [], "y": [], "text": []})
        for source in (*self.losses, *self.distances):
            _set(source, {"k": [], "v": []})
        self.table_source.data = {key: [] for key in self.table_source.data}

    def _draw_runs(self, surface: Landscape, start: np.ndarray) -> None:
        by_name = {run.name: run for run in self.runs}
        rows: dict[str, list[Any]] = {
            key: [] for key in ("name", "end", "loss", "measured", "predicted", "note")
        }
        _set(self.start_point, {"x": [start[0]], "y": [start[1]]})
        (x_low, x_high), (y_low, y_high) = surface.bounds
        for index, name in enumerate(OPTIMIZERS):
            run = by_name.get(name)
            self.controls[name].message.text = (
                _escape(run.error) if run is not None and run.error else ""
            )
            visible = run is not None and not run.error
            for renderer in self.renderers[name]:
                renderer.visible = visible
            if not visible:
                self.drawn.pop(name, None)
                _set(self.paths[index], {"x": [], "y": []})
                _set(self.ends[index], {"x": [], "y": [], "text": []})
                _set(self.losses[index], {"k": [], "v": []})
                _set(self.distances[index], {"k": [], "v": []})
                if run is not None:
                    rows["name"].append(name)
                    rows["end"].append("-")
                    rows["loss"].append(math.nan)
                    rows["measured"].append(math.nan)
                    rows["predicted"].append(math.nan)
                    rows["note"].append(f"invalid settings: {run.error}")
                continue
            rows["name"].append(name)
            rows["end"].append(f"({run.end[0]:.4g}, {run.end[1]:.4g})")
            rows["loss"].append(float(run.losses[run.last]))
            rows["measured"].append(run.measured_rate)
            rows["predicted"].append(run.predicted_rate)
            rows["note"].append(
                f"stopped: {run.stopped}" if run.stopped else run.prediction or "ok"
            )
            if self.drawn.get(name) is run:
                continue  # the same run is already in the browser
            self.drawn[name] = run
            finite = run.path[: run.last + 1]
            _set(self.paths[index], {"x": finite[:, 0], "y": finite[:, 1]})
            _set(self.trails[index], {"x": finite[:, 0], "y": finite[:, 1]})
            _set(self.heads[index], {"x": finite[-1:, 0], "y": finite[-1:, 1]})
            if self.config.surface == "logistic":
                _set(self.lines[index], _decision_line(finite[-1]))
            if run.stopped:
                end = np.clip(run.end, (x_low, y_low), (x_high, y_high))
                label = f"{name}: {run.stopped}"
                _set(self.ends[index], {"x": [end[0]], "y": [end[1]], "text": [label]})
            else:
                _set(self.ends[index], {"x": [], "y": [], "text": []})
            k = np.arange(run.last + 1)
            _set(self.losses[index], _positive_curve(k, run.losses[: run.last + 1]))
            if run.distances is not None:
                _set(self.distances[index], _positive_curve(k, run.distances[: run.last + 1]))
            else:
                _set(self.distances[index], {"k": [], "v": []})
        self.table_source.data = rows
        minimum = [item for item in self.figure.legend.items if item.label.value == "minimum"]
        items = minimum + [self.legend_items[run.name] for run in self.runs if not run.error]
        if items != list(self.figure.legend.items):
            self.figure.legend.items = items
        steps = self.config.steps
        self.iteration.end = steps
        self.iteration.value = steps

    # -- export --------------------------------------------------------------------------

    def export(self, kind: str) -> None:
        """Send the view as a PNG, a GIF or the config as TOML to the browser's downloads."""
        from optimlab.play.export import gif_bytes, png_bytes, toml_bytes

        try:
            if kind == "toml":
                payload, mime = toml_bytes(self.config), "application/toml"
            elif self.surface is None:
                raise ValueError("nothing is drawn yet")
            elif kind == "png":
                payload, mime = png_bytes(self.surface, self.runs), "image/png"
            else:
                payload, mime = gif_bytes(self.surface, self.runs), "image/gif"
        except ValueError as error:
            self.export_message.text = _escape(f"cannot export: {error}")
            return
        name = f"optimlab-play-{self.config.surface}.{kind}"
        self.export_message.text = f"{name}: {len(payload) // 1024 + 1} KiB"
        self.download.data = {
            "name": [name],
            "b64": [base64.b64encode(payload).decode()],
            "mime": [mime],
        }


def _set(source: Any, data: dict[str, Any]) -> None:
    """Replace ``source.data`` unless it already holds these values (nothing is sent then)."""
    current = source.data
    if current.keys() == data.keys() and all(
        len(current[key]) == len(value)
        and np.array_equal(np.asarray(current[key]), np.asarray(value))
        for key, value in data.items()
    ):
        return
    source.data = data


def _decision_line(w: np.ndarray) -> dict[str, list[float]]:
    """The line w1 x1 + w2 x2 = 0 across the data window (as the page's script draws it)."""
    w1, w2 = float(w[0]), float(w[1])
    if abs(w2) > 1e-12 * max(1.0, abs(w1)):
        return {"x": [-3.0, 3.0], "y": [3.0 * w1 / w2, -3.0 * w1 / w2]}
    return {"x": [0.0, 0.0], "y": [-3.0, 3.0]}


def _positive_curve(k: np.ndarray, values: np.ndarray) -> dict[str, Any]:
    """A curve for a log axis: non-positive values (an exact minimum) are not drawn."""
    keep = values > 0
    return {"k": k[keep], "v": values[keep]}


def _title(config: PlayConfig) -> str:
    if config.surface == "expression":
        return f"f(x, y) = {config.expression}"
    if config.surface == "logistic":
        return f"logistic regression loss over (w1, w2), {config.sampling} batches"
    return config.surface if config.surface in LANDSCAPES else "surface"


def _escape(text: str) -> str:
    import html

    return html.escape(text)


def _problems_html(problems: list[str]) -> str:
    return "<br>".join(_escape(p) for p in problems)


def _share_html(query: str, notebook: bool) -> str:
    if notebook:
        return f"as a link: <code>optimlab play</code>, then add <code>?{_escape(query)}</code>"
    return "share this view: the page's address is a link to it (copy it from the address bar)"
