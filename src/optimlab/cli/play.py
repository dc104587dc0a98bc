"""``optimlab play``: the interactive explorer, served on this machine only."""

from __future__ import annotations

from pathlib import Path

import click

from optimlab.cli._common import interrupted


@click.command()
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port on 127.0.0.1 (default: a free one).",
)
@click.option(
    "--browser/--no-browser",
    default=True,
    show_default=True,
    help="Open the page in the default web browser.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A TOML file exported by the explorer (its [play] table is the view to open).",
)
def play(port: int | None, browser: bool, config_file: str | None) -> None:
    """Explore the optimizers interactively in the browser (Ctrl-C stops it).

    Pick a surface (a test function, your own f(x, y), or a logistic model's loss), the
    optimizers and their settings; click the surface to start there. The page works with
    no network and lives in its URL: copy the address to share the view. Every control is
    explained in the project's docs/play.md.
    """
    from optimlab.play import missing_extra

    problem = missing_extra()
    if problem:
        click.echo(problem, err=True)
        raise SystemExit(1)
    from optimlab.play import PlayConfig

    config = None
    if config_file is not None:
        path = Path(config_file)
        try:
            config = PlayConfig.from_toml(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise click.BadParameter(
                f"cannot read {path}: {error.strerror or error}", param_hint="--config"
            ) from error
        except (ValueError, TypeError) as error:
            raise click.BadParameter(f"{path}: {error}", param_hint="--config") from error
    from optimlab.play.server import serve

    try:
        serve(config, port=port, open_browser=browser, announce=click.echo)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on 127.0.0.1:{port}: {error.strerror or error}; choose another --port"
        ) from error
    interrupted.handled()  # Ctrl-C is how the server is meant to stop
    click.echo("optimlab play: stopped")
