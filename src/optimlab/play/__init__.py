"""``optimlab play``: an interactive explorer of the optimizers, in the browser or in Jupyter.

Pick a surface (any landscape, a formula typed as ``f(x, y) = ...``, or a logistic model's
loss), any of the optimizers with their settings, a schedule and clipping; click to set the
start; the paths are recomputed by optimlab's own optimizers at every change. The whole view
lives in the URL and exports as PNG, GIF and TOML. See docs/play.md.

The app needs the ``play`` extra (``pip install 'optimlab[play]'``: Bokeh and SymPy); this
package imports them only when an app or a formula is built.

- `explorer()`: show it in a notebook cell; `serve()`: run the local server.
- `PlayConfig`: the view as plain values (URL and TOML forms).
- `ExpressionLandscape`: a landscape from a formula, differentiated by SymPy.
- `LogisticLandscape`: two-weight logistic regression on iris, with batch sampling.
- `run_optimizer`: one path, as the explorer draws it.
"""

from optimlab.play.config import OptimizerSetting, PlayConfig
from optimlab.play.runs import Run, run_optimizer

__all__ = [
    "ExpressionLandscape",
    "LogisticLandscape",
    "OptimizerSetting",
    "PlayConfig",
    "Run",
    "explorer",
    "missing_extra",
    "run_optimizer",
    "serve",
]

EXTRA_MESSAGE = "optimlab play needs the play extra: pip install 'optimlab[play]'"


def missing_extra() -> str | None:
    """The one-line message when the play extra is not installed, else None."""
    import importlib.util

    for module in ("bokeh", "sympy"):
        if importlib.util.find_spec(module) is None:
            return EXTRA_MESSAGE
    return None


def explorer(*args, **kwargs):
    """Show the explorer in a Jupyter notebook cell (see `optimlab.play.server.explorer`)."""
    from optimlab.play.server import explorer as show

    return show(*args, **kwargs)


def serve(*args, **kwargs):
    """Run the local server until Ctrl-C (see `optimlab.play.server.serve`)."""
    from optimlab.play.server import serve as run

    return run(*args, **kwargs)


def __getattr__(name: str):
    if name == "ExpressionLandscape":
        from optimlab.play.expression import ExpressionLandscape

        return ExpressionLandscape
    if name == "LogisticLandscape":
        from optimlab.play.logistic import LogisticLandscape

        return LogisticLandscape
    raise AttributeError(f"module 'optimlab.play' has no attribute {name!r}")
