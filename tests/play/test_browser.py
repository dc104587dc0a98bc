"""The explorer in a real browser: headless Chromium (Debian's) driven by Playwright.

It starts ``optimlab play``, opens the page with every request outside 127.0.0.1 refused,
clicks the surface, moves a learning-rate slider with the keyboard, types a formula, and
checks that the end of each drawn path is the library's iterate for that configuration.
Set OPTIMLAB_PLAY_SCREENSHOT=PATH to also save a screenshot (docs/images/play.png is made
this way). Skipped where Chromium, Playwright or the play extra is missing.
"""

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs

import numpy as np
import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed at /usr/bin/chromium", allow_module_level=True)
pytest.importorskip("bokeh")
pytest.importorskip("sympy")
playwright = pytest.importorskip("playwright.sync_api")

from optimlab import landscapes, optim, viz  # noqa: E402
from optimlab.play.config import PlayConfig  # noqa: E402

pytestmark = pytest.mark.slow

SRC = str(Path(__file__).resolve().parents[2] / "src")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
VIEW = "surface=himmelblau&steps=100&opt=SGD:lr=0.01&opt=Adam:lr=0.05"
TIMEOUT = 90_000


@pytest.fixture(scope="module")
def server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "optimlab", "play", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    assert "optimlab play: http://127.0.0.1" in process.stdout.readline()
    yield f"http://127.0.0.1:{port}"
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert process.returncode == 0


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        except playwright.Error as error:
            pytest.skip(f"Chromium does not start here: {str(error).splitlines()[0]}")
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A page on which every request that is not to the local server is refused."""
    context = browser.new_context(viewport={"width": 1500, "height": 1150})
    outside = []

    def only_local(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.outside, page.errors = outside, errors
    yield page
    context.close()


def _open(page, server, query=VIEW):
    page.goto(f"{server}/?{query}", timeout=TIMEOUT)
    page.wait_for_function(
        "() => window.Bokeh && Bokeh.documents.length && "
        "Bokeh.documents[0].get_model_by_name('share').tags.length",
        timeout=TIMEOUT,
    )


def _share(page):
    return page.evaluate("() => Bokeh.documents[0].get_model_by_name('share').tags[0]")


def _wait_for_share_change(page, old):
    page.wait_for_function(
        "old => Bokeh.documents[0].get_model_by_name('share').tags[0] !== old",
        arg=old,
        timeout=TIMEOUT,
    )


def _drawn(page, name):
    """The drawn path of optimizer ``name`` as an (n, 2) array."""
    xy = page.evaluate(
        """name => {
          const r = Bokeh.documents[0].get_model_by_name('path-' + name);
          return [Array.from(r.data_source.data.x), Array.from(r.data_source.data.y)];
        }""",
        name,
    )
    return np.array(xy).T


def _start(page):
    return np.array(
        page.evaluate(
            """() => {
              const r = Bokeh.documents[0].get_model_by_name('start-point');
              return [r.data_source.data.x[0], r.data_source.data.y[0]];
            }"""
        )
    )


def _library_end(function, start, name, kwargs, steps):
    path = viz.run_on_landscape(
        landscapes.get_landscape(function, start=start),
        lambda x: optim.OPTIMIZERS[name](x, **kwargs),
        steps,
    )
    return path[np.isfinite(path).all(axis=1)][-1]


def test_the_page_loads_with_the_network_blocked(page, server):
    _open(page, server)
    assert page.outside == []
    assert page.errors == []
    assert page.locator("canvas").count() >= 3
    assert page.evaluate("() => typeof Bokeh.version") == "string"


def test_click_slider_and_formula_draw_the_librarys_iterates(page, server):
    _open(page, server)
    # 1. a click on the surface moves the start: the drawn path ends at the library's iterate
    target = (-2.5, 3.0)
    where = page.evaluate(
        """([x, y]) => {
          const fig = Bokeh.documents[0].get_model_by_name('surface-plot');
          const view = Bokeh.index.find_one(fig);
          const box = view.canvas_view.el.getBoundingClientRect();
          const frame = view.frame;
          return [box.left + frame.x_scale.compute(x), box.top + frame.y_scale.compute(y)];
        }""",
        list(target),
    )
    before = _share(page)
    page.mouse.click(*where)
    _wait_for_share_change(page, before)
    start = _start(page)
    np.testing.assert_allclose(start, target, atol=0.05)  # where the click landed
    assert page.url.endswith("?" + _share(page))  # the address bar holds the view
    for name, lr in (("SGD", 0.01), ("Adam", 0.05)):
        np.testing.assert_array_equal(
            _drawn(page, name)[-1], _library_end("himmelblau", start, name, {"lr": lr}, 100)
        )

    # 2. the Adam tab's learning-rate slider, moved with the keyboard
    tabs = page.locator(".optimlab-optimizer-tabs .bk-tab")
    tabs.filter(has_text=re.compile("^Adam$")).click()
    handle = page.locator(".optimlab-Adam-lr .noUi-handle")
    handle.click()
    before = _share(page)
    for _ in range(10):
        handle.press("ArrowRight")
    _wait_for_share_change(page, before)
    page.wait_for_timeout(1500)  # let the last key's update arrive
    config, problems = PlayConfig.from_query(parse_qs(_share(page)))
    assert problems == []
    lr = config.optimizer("Adam").lr
    assert lr > 0.05
    np.testing.assert_array_equal(
        _drawn(page, "Adam")[-1], _library_end("himmelblau", start, "Adam", {"lr": lr}, 100)
    )

    # 3. a formula typed in: gradient descent on a quadratic is x_k = (I - lr A)^k x_0
    page.locator(".optimlab-surface select").select_option("expression")
    page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('share').tags[0]"
        ".includes('surface=expression')",
        timeout=TIMEOUT,
    )
    before = _share(page)
    box = page.locator(".optimlab-expression input")
    box.fill("x^2 + 3*y^2 + x*y")
    box.press("Enter")
    _wait_for_share_change(page, before)
    start = _start(page)
    A = np.array([[2.0, 1.0], [1.0, 6.0]])
    expected = np.linalg.matrix_power(np.eye(2) - 0.01 * A, 100) @ start
    np.testing.assert_allclose(_drawn(page, "SGD")[-1], expected, rtol=1e-12, atol=1e-15)

    # 4. the address reopens exactly this view
    link, drawn = page.url, _drawn(page, "SGD")
    other = page.context.new_page()
    other.goto(link, timeout=TIMEOUT)
    other.wait_for_function(
        "() => window.Bokeh && Bokeh.documents.length && "
        "Bokeh.documents[0].get_model_by_name('share').tags.length",
        timeout=TIMEOUT,
    )
    np.testing.assert_array_equal(_drawn(other, "SGD"), drawn)
    other.close()

    # 5. a refused formula is a message on the page
    box.fill("__import__('os')")
    box.press("Enter")
    page.wait_for_function(
        "() => Bokeh.documents[0].get_model_by_name('expression-message').text.includes('unknown')",
        timeout=TIMEOUT,
    )
    assert page.outside == [] and page.errors == []


def test_screenshot_for_the_readme(page, server):
    target = os.environ.get("OPTIMLAB_PLAY_SCREENSHOT")
    if not target:
        pytest.skip("set OPTIMLAB_PLAY_SCREENSHOT=PATH to save a screenshot")
    _open(page, server, "surface=rosenbrock&start=-1.5,2.5&steps=400")
    page.wait_for_timeout(1500)
    page.screenshot(path=target, full_page=True)
    assert Path(target).stat().st_size > 10_000
