"""Serving the explorer: a local Bokeh server (``optimlab play``) or a notebook cell.

The server listens on 127.0.0.1 only and serves BokehJS from the installed bokeh package
(resources mode ``server``), so the page loads with no network at all.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from optimlab.play.config import PlayConfig
from optimlab.play.runs import warm_up

__all__ = ["explorer", "free_port", "make_document", "serve", "start_server"]

HOST = "127.0.0.1"


def make_document(
    config: PlayConfig | None = None, notebook: bool = False
) -> Callable[[Any], None]:
    """The Bokeh app function: fills a document with an `Explorer`.

    In a server session the URL's query (``?surface=beale&opt=Adam:lr=0.05``) overrides
    ``config``; what cannot be read is reported on the page.
    """
    from optimlab.play.app import Explorer

    def build(doc: Any) -> None:
        view, problems = config or PlayConfig(), []
        context = getattr(doc, "session_context", None)
        request = getattr(context, "request", None) if context is not None else None
        arguments = {
            key: value
            for key, value in (getattr(request, "arguments", None) or {}).items()
            if not key.startswith("bokeh-") and key != "resources"  # Bokeh's own
        }
        if arguments and not notebook:  # a notebook's request is not a shared link
            view, problems = PlayConfig.from_query(arguments)
        explorer_view = Explorer(view, notebook=notebook, problems=problems)
        doc.title = "optimlab play"
        doc.add_root(explorer_view.layout)
        doc.explorer = explorer_view  # type: ignore[attr-defined]  (for tests)

    return build


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def start_server(config: PlayConfig | None = None, port: int | None = None) -> Any:
    """A started (not yet looping) Bokeh server with the explorer at ``/``; the optimizers'
    compiled rules are built meanwhile in a background thread.

    Args:
        config: the view a plain visit opens.
        port: the port on 127.0.0.1 (default: a free one).

    Returns:
        The `bokeh.server.server.Server`; ``server.port`` is its port.
    """
    os.environ["BOKEH_RESOURCES"] = "server"  # BokehJS from the installed package, never a CDN
    from bokeh.application import Application
    from bokeh.application.handlers.function import FunctionHandler
    from bokeh.server.server import Server

    port = free_port() if port is None else port
    origins = [f"{HOST}:{port}", f"localhost:{port}"]
    server = Server(
        {"/": Application(FunctionHandler(make_document(config)))},
        address=HOST,
        port=port,
        allow_websocket_origin=origins,
        num_procs=1,
    )
    server.start()
    threading.Thread(target=warm_up, name="optimlab-play-warm-up", daemon=True).start()
    return server


def serve(
    config: PlayConfig | None = None,
    port: int | None = None,
    open_browser: bool = True,
    announce: Callable[[str], None] = print,
) -> None:
    """Run the explorer until Ctrl-C; ``announce`` receives the address."""
    server = start_server(config, port)
    url = f"http://{HOST}:{server.port}/"
    announce(f"optimlab play: {url} (Ctrl-C stops it)")
    if open_browser:
        server.io_loop.add_callback(lambda: _open(url))
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        server.io_loop.close(all_fds=False)


def _open(url: str) -> None:
    import webbrowser

    webbrowser.open(url)


def explorer(
    config: PlayConfig | None = None, notebook_url: str = "localhost:8888", **settings: Any
) -> None:
    """Show the explorer in a Jupyter notebook cell.

    BokehJS is loaded inline into the notebook (no CDN) and the app runs on a Bokeh
    server inside the kernel, as ``bokeh.io.show(app)`` does.

    Args:
        config: the view to open; or give its fields as keywords
            (``explorer(surface="beale", steps=500)``).
        notebook_url: the notebook server's address, as in the browser's address bar.
    """
    from bokeh.io import output_notebook, show
    from bokeh.resources import INLINE

    view = (config or PlayConfig()).replace(**settings) if settings else (config or PlayConfig())
    output_notebook(resources=INLINE, hide_banner=True)
    show(make_document(view, notebook=True), notebook_url=notebook_url)
