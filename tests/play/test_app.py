"""The page's callbacks, driven as the browser would drive them (no browser needed)."""

import base64

import numpy as np
import pytest
import tomllib

pytest.importorskip("bokeh")
pytest.importorskip("sympy")

from bokeh.document import Document

from optimlab import landscapes, optim, viz
from optimlab.play.config import PlayConfig, parse_optimizer
from optimlab.play.server import make_document

SMALL = PlayConfig(
    surface="himmelblau",
    steps=60,
    optimizers=(parse_optimizer("SGD:lr=0.01"), parse_optimizer("Adam:lr=0.05")),
)


class _Request:
    def __init__(self, arguments):
        self.arguments = arguments


class _Context:
    def __init__(self, arguments):
        self.request = _Request(arguments)


def _explorer(config=SMALL, arguments=None):
    doc = Document()
    if arguments is not None:
        doc._session_context = lambda: _Context(arguments)  # what a server session provides
    make_document(config)(doc)
    return doc.explorer


def _drawn_end(explorer, name):
    renderer = next(r for r in explorer.figure.renderers if r.name == f"path-{name}")
    data = renderer.data_source.data
    return np.array([data["x"][-1], data["y"][-1]])


def _library_end(function, start, text, steps):
    setting = parse_optimizer(text)
    surface = landscapes.get_landscape(function, start=start)
    path = viz.run_on_landscape(
        surface, lambda x: optim.OPTIMIZERS[setting.name](x, **setting.kwargs), steps
    )
    return path[np.isfinite(path).all(axis=1)][-1]


def test_the_page_draws_every_chosen_optimizer():
    explorer = _explorer()
    assert [run.name for run in explorer.runs] == ["SGD", "Adam"]
    for name in ("SGD", "Adam"):
        text = explorer.config.optimizer(name)
        end = _library_end("himmelblau", landscapes.Himmelblau().start, _text(text), 60)
        np.testing.assert_array_equal(_drawn_end(explorer, name), end)
    assert explorer.table_source.data["name"] == ["SGD", "Adam"]


def _text(setting):
    from optimlab.play.config import format_optimizer

    return format_optimizer(setting)


def test_a_click_moves_the_start_and_redraws_the_library_path():
    from bokeh.events import Tap

    explorer = _explorer()
    explorer.figure._trigger_event(Tap(explorer.figure, x=-3.0, y=3.5))
    assert explorer.config.start == (-3.0, 3.5)
    np.testing.assert_array_equal(
        _drawn_end(explorer, "Adam"), _library_end("himmelblau", (-3.0, 3.5), "Adam:lr=0.05", 60)
    )
    assert "start=-3.0%2C3.5" in explorer.share.tags[0]


def test_moving_the_learning_rate_slider_recomputes_that_path():
    explorer = _explorer()
    explorer.controls["Adam"].widgets["lr"][0].value = -1.0  # log10(lr): lr = 0.1
    assert explorer.config.optimizer("Adam").lr == 0.1
    np.testing.assert_array_equal(
        _drawn_end(explorer, "Adam"),
        _library_end("himmelblau", landscapes.Himmelblau().start, "Adam:lr=0.1", 60),
    )


def test_switching_the_convention_resets_the_defaults():
    explorer = _explorer()
    controls = explorer.controls["Adam"]
    controls.convention.value = "keras"
    setting = explorer.config.optimizer("Adam")
    assert setting.kwargs == {"lr": 0.05, "convention": "keras"}
    assert controls.widgets["eps"][0].value == pytest.approx(-7.0)  # Keras's 1e-7 on the log slider


def test_a_typed_formula_is_drawn_and_a_bad_one_is_a_message():
    explorer = _explorer()
    explorer.surface_select.value = "expression"
    explorer.expression.value = "x^2 + 3*y^2 + x*y"
    assert explorer.expression_message.text == ""
    # gradient descent on a quadratic: x_k = (I - lr A)^k x_0, A the Hessian
    A = np.array([[2.0, 1.0], [1.0, 6.0]])
    start = np.array(explorer.start_point.data["x"] + explorer.start_point.data["y"])
    expected = np.linalg.matrix_power(np.eye(2) - 0.01 * A, 60) @ start
    np.testing.assert_allclose(_drawn_end(explorer, "SGD"), expected, rtol=1e-12)
    for bad, says in (
        ("__import__('os')", "unknown function"),
        ("x.real", "attribute access"),
        ("x**10**10", "too large"),
        ("log(x - 10) + y", "not finite at the start"),
        ("0*x + 0*y + 1", "flat"),
    ):
        explorer.expression.value = bad
        assert says in explorer.expression_message.text
        assert explorer.runs == []


def test_a_diverging_path_is_labelled_with_its_reason():
    explorer = _explorer(
        SMALL.replace(surface="beale", optimizers=(parse_optimizer("SGD:lr=0.1"),))
    )
    index = list(optim.OPTIMIZERS).index("SGD")
    label = explorer.ends[index].data["text"][0]
    assert label.startswith("SGD: step") and "diverged" in label


def test_invalid_settings_are_shown_in_the_optimizers_tab():
    explorer = _explorer()
    explorer.controls["SGD"].widgets["dampening"][0].value = 0.5
    explorer.controls["SGD"].convention.value = "keras"
    explorer.controls["SGD"].widgets["dampening"][0].value = 0.5
    assert "no dampening" in explorer.controls["SGD"].message.text


def test_the_link_reopens_the_same_view():
    explorer = _explorer()
    explorer.set_start(1.0, -2.0)
    explorer.controls["Adam"].widgets["betas"][0].value = 0.8
    query = explorer.share.tags[0]
    from urllib.parse import parse_qs

    reopened = _explorer(
        PlayConfig(), arguments={k: [v.encode() for v in vs] for k, vs in parse_qs(query).items()}
    )
    assert reopened.config == explorer.config
    np.testing.assert_array_equal(_drawn_end(reopened, "Adam"), _drawn_end(explorer, "Adam"))


def test_a_bad_link_is_reported_on_the_page():
    explorer = _explorer(arguments={"steps": [b"lots"], "surface": [b"beale"]})
    assert explorer.config.surface == "beale"
    assert "steps" in explorer.problems.text


def test_exports_send_files_to_the_browser():
    explorer = _explorer()
    explorer.export("toml")
    data = explorer.download.data
    assert data["name"] == ["optimlab-play-himmelblau.toml"]
    toml = tomllib.loads(base64.b64decode(data["b64"][0]).decode())
    assert toml["landscape"]["optimizers"] == ["SGD:lr=0.01", "Adam:lr=0.05"]
    explorer.export("png")
    assert base64.b64decode(explorer.download.data["b64"][0])[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
def test_gif_export():
    explorer = _explorer()
    explorer.export("gif")
    assert base64.b64decode(explorer.download.data["b64"][0])[:6] in (b"GIF89a", b"GIF87a")


def test_logistic_view_shows_the_data():
    explorer = _explorer(SMALL.replace(surface="logistic", sampling="stochastic"))
    assert explorer.data_plot.visible
    assert len(explorer.data_points.data["x"]) == 100
    assert all(len(run.path) == 61 for run in explorer.runs)


def test_the_notebook_explorer_shows_the_same_app_with_inline_bokehjs(monkeypatch):
    import bokeh.io
    from bokeh.resources import INLINE

    import optimlab.play

    calls = {}
    monkeypatch.setattr(bokeh.io, "output_notebook", lambda **kw: calls.update(output=kw))
    monkeypatch.setattr(bokeh.io, "show", lambda app, **kw: calls.update(app=app, show=kw))
    optimlab.play.explorer(surface="booth", steps=40, notebook_url="localhost:8899")
    assert calls["output"]["resources"] is INLINE
    assert calls["show"] == {"notebook_url": "localhost:8899"}
    doc = Document()
    calls["app"](doc)
    explorer = doc.explorer
    assert explorer.notebook and explorer.config.surface == "booth" and explorer.config.steps == 40
    explorer.set_start(1.0, 1.0)
    assert "optimlab play" in explorer.share.text and "start=1.0%2C1.0" in explorer.share.text
