"""``optimlab landscape``: option parsing and printing around `optimlab.lab.run_landscape`."""

from __future__ import annotations

import click

from optimlab.cli._common import (
    command_line,
    one_line,
    out_option,
    output_folder,
    say,
    show,
    with_option_names,
)
from optimlab.cli._config import config_option
from optimlab.cli._table import format_table
from optimlab.lab.landscape_run import DEFAULT_OPTIMIZERS
from optimlab.play.stepping import CLIPS, SAMPLINGS, SCHEDULE_SETTINGS, SCHEDULES, settings_used

#: The settings of `optimlab.lab.landscape_setup` a refusal may name, and their options.
OPTIONS = {
    "start": "--start",
    "steps": "--steps",
    "sampling": "--sampling",
    "batch_size": "--batch-size",
    "schedule": "--schedule",
    "decay": "--decay",
    "period": "--period",
    "clip_at": "--clip-at",
    "clip": "--clip",
}


def _schedules_reading(setting: str) -> str:
    names = [name for name, read in SCHEDULE_SETTINGS.items() if setting in read]
    return f"--schedule {', '.join(names[:-1])} or {names[-1]}"


#: Where each setting that only some runs read applies.
APPLIES_TO = {
    "sampling": "FUNCTION logistic",
    "batch_size": "--sampling minibatch",
    "decay": _schedules_reading("decay"),
    "period": _schedules_reading("period"),
    "clip_at": "--clip norm or value",
}
SAID = (click.core.ParameterSource.COMMANDLINE, click.core.ParameterSource.DEFAULT_MAP)


@click.command()
@click.argument("function", required=False)
@click.option(
    "--expression",
    metavar="FORMULA",
    help="A formula f(x, y) instead of FUNCTION, e.g. '(1 - x)^2 + 100*(y - x^2)^2' "
    "(needs SymPy, from the play extra); paths start at (-2, 2).",
)
@click.option(
    "--optimizer",
    "optimizers",
    multiple=True,
    default=DEFAULT_OPTIMIZERS,
    show_default=True,
    help="NAME[:LR][:key=value...], repeatable; a pair as key=a,b (betas=0.9,0.99).",
)
@click.option(
    "--start",
    metavar="X,Y",
    help="Start point x,y, comma-separated (--start=-1,2); default: the function's own.",
)
@click.option("--steps", default=300, show_default=True, type=click.IntRange(min=1))
@click.option(
    "--noise",
    default=0.0,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Standard deviation of Gaussian noise added to the gradient (SGD noise); each "
    "optimizer draws its own from --seed.",
)
@click.option(
    "--sampling",
    default="full",
    show_default=True,
    metavar="NAME",
    help="With FUNCTION logistic, each gradient's batch: full (every sample), minibatch "
    "or stochastic (one sample).",
)
@click.option(
    "--batch-size",
    default=10,
    show_default=True,
    type=int,
    help="With --sampling minibatch: samples per batch, 1 to 100.",
)
@click.option(
    "--schedule",
    default="constant",
    show_default=True,
    metavar="NAME",
    help=f"Learning-rate schedule from each optimizer's own rate: {', '.join(SCHEDULES)}.",
)
@click.option(
    "--decay",
    default=0.99,
    show_default=True,
    type=float,
    help="The factor of the step and exponential schedules (at most 1), the rate of inverse_time.",
)
@click.option(
    "--period",
    type=int,
    help="Updates per step of the step schedule; the warmup of warmup_cosine "
    "(below --steps, else refused) [default: 100, or --steps - 1 for a warmup_cosine run "
    "shorter than that].",
)
@click.option(
    "--clip",
    default="none",
    show_default=True,
    metavar="[" + "|".join(CLIPS) + "]",
    help="Gradient clipping: by global norm (PyTorch's rule) or by value.",
)
@click.option(
    "--clip-at",
    default=1.0,
    show_default=True,
    type=float,
    help="With --clip: the largest norm or value, > 0.",
)
@click.option("--animate/--no-animate", default=True, show_default=True, help="Write a GIF too.")
@out_option("optimlab-landscape")
@click.option(
    "--seed",
    default=0,
    show_default=True,
    type=click.IntRange(min=0),
    help="Seed of the gradient noise and of the logistic model's batches.",
)
@config_option
def landscape(
    function,
    expression,
    optimizers,
    start,
    steps,
    noise,
    sampling,
    batch_size,
    schedule,
    decay,
    period,
    clip,
    clip_at,
    animate,
    out,
    seed,
) -> None:
    """Run optimizers on a surface; plot their paths on its contours (and animate them).

    FUNCTION is one of the test functions (rosenbrock, quadratic, beale, booth, himmelblau,
    saddle, two_basin, rastrigin) or logistic (the loss of two-weight logistic regression on
    iris); or give --expression instead.
    """
    from optimlab.lab.landscape_run import landscape_by_name, landscape_setup, parse_optimizers
    from optimlab.play.expression import ExpressionError, StartPointError

    function, expression = _surface(function, expression)
    if function is not None:
        try:
            function = landscape_by_name(function).name
        except ValueError as error:
            raise click.BadParameter(one_line(error), param_hint="FUNCTION") from None
    try:
        parse_optimizers(list(optimizers))  # each checked, and none twice however written
    except ValueError as error:
        raise click.BadParameter(one_line(error), param_hint="--optimizer") from None
    _refuse_unread(function or "expression", sampling, schedule, clip)
    try:
        setup = landscape_setup(
            function,
            expression=expression,
            start=None if start is None else _point(start),
            steps=steps,
            noise=noise,
            seed=seed,
            sampling=sampling,
            batch_size=batch_size,
            schedule=schedule,
            decay=decay,
            period=period,
            clip=clip,
            clip_at=clip_at,
        )
    except ModuleNotFoundError as error:
        raise click.UsageError(f"--expression: {one_line(error)}") from None
    except StartPointError as error:  # the start is as much to blame as the formula
        raise click.UsageError(
            one_line(error).replace(
                "move the start or change f", "move the start (--start=x,y) or change f"
            )
        ) from None
    except ExpressionError as error:
        raise click.BadParameter(one_line(error), param_hint="'--expression'") from None
    except ValueError as error:
        raise click.UsageError(with_option_names(one_line(error), OPTIONS)) from None
    with output_folder(out) as folder:
        try:
            found = setup.run(optimizers, log=say)
        except (ValueError, TypeError) as error:
            raise click.ClickException(one_line(error)) from error
        show(format_table(found.table(), ["optimizer", "end", "loss", "status"]))
        path = found.write(folder, command=command_line(), animate=animate, log=say)
    click.echo(f"Report: {path.resolve()}")


def _surface(function: str | None, expression: str | None) -> tuple[str | None, str | None]:
    """FUNCTION or --expression; where a file gives one and the command line the other, the
    command line's."""
    ctx = click.get_current_context()
    if function is not None and expression is not None:
        sources = (ctx.get_parameter_source("function"), ctx.get_parameter_source("expression"))
        if sources == (SAID[0], SAID[1]):
            return function, None
        if sources == (SAID[1], SAID[0]):
            return None, expression
        raise click.UsageError("give FUNCTION or --expression, not both")
    if function is None and expression is None:
        raise click.UsageError(
            "Missing argument 'FUNCTION': give a test function (rosenbrock, ...), logistic, "
            "or --expression 'f(x, y)'"
        )
    return function, expression


def _point(text: str) -> tuple[float, float]:
    try:
        point = tuple(float(part) for part in text.split(","))
    except ValueError:
        point = ()
    if len(point) != 2:
        raise click.BadParameter(
            f"must be two numbers x,y (--start=-1.5,2), got {text!r}", param_hint="'--start'"
        )
    return point


def _refuse_unread(function: str, sampling: str, schedule: str, clip: str) -> None:
    """A setting given (here or in the file) that this run would not read is refused, not
    ignored."""
    ctx = click.get_current_context()
    known = sampling in SAMPLINGS and schedule in SCHEDULES and clip in CLIPS
    if not known:  # the library names the unknown choice
        return
    used = settings_used(function, sampling, schedule, clip)
    for name, where in APPLIES_TO.items():
        if ctx.get_parameter_source(name) in SAID and name not in used:
            option, fix = OPTIONS[name], f"add {where}"
            if name == "sampling":
                fix = f"use the function logistic (optimlab landscape logistic {option} ...)"
            raise click.UsageError(f"{option} applies to {where} only; leave {option} out or {fix}")
