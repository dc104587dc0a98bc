"""Up-front validation, one-line errors, Ctrl-C, and progress messages, for every subcommand."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from optimlab.cli import main
from optimlab.lab import comparison, lr_find_run
from optimlab.lab.experiment import SCHEDULES

TINY = ["--dataset", "moons", "--n-samples", "80", "--model", "logistic"]


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def trained(monkeypatch):
    """The specs compare trains (none, if refused up front)."""
    calls = []
    real = comparison.run
    monkeypatch.setattr(comparison, "run", lambda spec, **kw: calls.append(spec) or real(spec))
    return calls


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("SGD:0.1:momentm=0.9", "SGD has no option 'momentm' (did you mean 'momentum'?)"),
        ("SGD:0.1:momentum=2", "Invalid momentum: 2; momentum must be in [0, 1)"),
        ("Adm:0.1", "unknown optimizer 'Adm'"),
        ("Adam:0.1:betas=0.9", "betas"),
    ],
)
def test_a_bad_optimizer_is_refused_before_any_run_trains(tmp_path, trained, spec, message):
    result = invoke(
        "compare", *TINY, "--optimizer", "Adam:0.1", "--optimizer", spec, "--out", tmp_path / "o"
    )
    assert result.exit_code == 2 and message in result.output, result.output
    assert trained == [] and not (tmp_path / "o").exists()


def test_the_same_optimizer_twice_is_refused(tmp_path, trained):
    result = invoke("compare", *TINY, "--optimizer", "SGD:0.1", "--optimizer", "SGD:0.1")
    assert result.exit_code == 2 and "SGD(lr=0.1) is given more than once" in result.output
    assert trained == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["lr-find", "--optimizer", "SGD:momentm=0.9"], "did you mean 'momentum'"),
        (["lr-find", "--optimizer", "Adam:0.1"], "sets a learning rate, but lr-find ramps it"),
        (["lr-find", "--optimizer", "Adam:lr=0.1"], "sets a learning rate, but lr-find ramps it"),
        (["lr-find", "--start", "-1"], "Invalid --start: -1.0; --start must be > 0"),
        (["lr-find", "--optimizer", "LBFGS"], "--optimizer: LBFGS steps with a closure"),
        (["lr-find", "--optimizer", "nesterov"], "--optimizer SGD:momentum=0.9:nesterov=true"),
        (["lr-find", "--iterations", "20", "--burn-in", "18"], "Invalid --burn-in: 18"),
        (["landscape", "booth", "--optimizer", "Adam:0.1:bta=0.9"], "Adam has no option 'bta'"),
        (["landscape", "booth", "--optimizer", "Adam", "--optimizer", "Adam"], "more than once"),
        (["landscape", "rosenbrok"], "did you mean 'rosenbrock'"),
        (["sweep", "--optimizers", "SGD,Adamm"], "did you mean 'Adam'"),
        (["sweep", "--optimizers", "SGD,sgd"], "SGD is listed more than once"),
        (["compare", "--dataset", "moon"], "unknown data set 'moon'"),
        (["compare", "--seed", "-1"], "--seed"),
        (["compare", "--model", "mlp", "--hidden", "8,0"], "Error: Invalid --hidden: 0;"),
        (["sweep", "--l2", "nan"], "Error: Invalid --l2: nan; --l2 must be finite"),
        # an empty item in a list is refused, not skipped
        (["compare", "--hidden", "32,,4"], "Invalid value for --hidden: '32,,4' has an empty item"),
        (["sweep", "--lrs", ""], "Invalid value for --lrs: give at least one learning rate"),
        (["sweep", "--lrs", "0.1,"], "Invalid value for --lrs: '0.1,' has an empty item"),
        (["sweep", "--lrs", "0.1,1", "--lr-max", "10"], "so --lr-max would be ignored"),
        (["sweep", "--optimizers", "SGD,,Adam"], "--optimizers: 'SGD,,Adam' has an empty item"),
        (["guide", "--claims", " , "], "--claims: give at least one claim id"),
    ],
)
def test_bad_input_to_every_command_is_refused_before_any_work(
    tmp_path, monkeypatch, args, message
):
    monkeypatch.setattr(lr_find_run, "load_split", lambda spec: pytest.fail("loaded the data"))
    result = invoke(*args, "--out", tmp_path / "o")
    assert result.exit_code == 2 and message in result.output, result.output
    assert not (tmp_path / "o").exists()


def test_an_unexpected_error_is_one_line_without_a_traceback(tmp_path, monkeypatch):
    def broken(spec, **kw):
        raise RuntimeError("the disk\nis on fire")

    monkeypatch.setattr(comparison, "run", broken)
    result = invoke("compare", *TINY, "--optimizer", "Adam", "--out", tmp_path / "o")
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert errors == [
        "Error: RuntimeError: the disk is on fire (set OPTIMLAB_TRACEBACK=1 to see where)"
    ]
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()
    monkeypatch.setenv("OPTIMLAB_TRACEBACK", "1")
    with pytest.raises(RuntimeError, match="on fire"):
        invoke("compare", *TINY, "--optimizer", "Adam", "--out", tmp_path / "o")


def test_a_missing_csv_is_refused_up_front_and_leaves_no_folder(tmp_path):
    result = invoke(
        "compare", "--csv", tmp_path / "gone.csv", "--target", "y", "--out", tmp_path / "o"
    )
    assert result.exit_code == 2 and "gone.csv" in result.output, result.output
    assert "Traceback" not in result.output and not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("target", "args"),
    [
        ("optimlab.lab.comparison.run", ["compare", *TINY, "--optimizer", "Adam"]),
        ("optimlab.lab.lr_find_run.lr_find", ["lr-find", *TINY]),
        ("optimlab.viz.run_on_landscape", ["landscape", "booth"]),
        ("optimlab.lab.demo.run_demo", ["demo", "--quick"]),
    ],
)
def test_ctrl_c_exits_130_with_a_short_message(tmp_path, monkeypatch, target, args):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(target, interrupted)
    result = invoke(*args, "--out", tmp_path / "o")
    assert result.exit_code == 130
    assert "interrupted" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "o").exists()  # nothing was written, so nothing is left


def test_ctrl_c_on_a_running_command_exits_130(tmp_path):
    command = [sys.executable, "-m", "optimlab", "compare", *TINY, "--epochs", "100000"]
    command += ["--optimizer", "SGD:0.01", "--no-progress", "--out", str(tmp_path / "o")]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr.readline().startswith("training SGD(lr=0.01)")
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err


@pytest.mark.parametrize("schedule", SCHEDULES)
def test_a_one_update_budget_works_with_every_schedule(tmp_path, schedule):
    result = invoke(
        "compare", *TINY, "--epochs", 1, "--batch-size", "full", "--schedule", schedule,
        "--optimizer", "SGD:0.1", "--out", tmp_path, "--no-progress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    history = json.loads((tmp_path / "results.json").read_text())["runs"][0]["history"]
    assert history["lr"] == [0.1]  # every schedule starts at its base rate


def test_landscape_and_lr_find_say_what_they_are_doing(tmp_path):
    result = CliRunner().invoke(
        main, ["landscape", "booth", "--steps", "3", "--no-animate", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0
    assert "SGD:0.001: 3 steps on booth ..." in result.stderr
    assert "drawing booth.png ..." in result.stderr and "animating" not in result.stderr
    assert "SGD:0.001" in result.stdout and "3 steps" not in result.stdout
    result = CliRunner().invoke(
        main, ["lr-find", *TINY, "--iterations", "20", "--burn-in", "0", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0
    assert "ramping the learning rate of Adam from 1e-07 to 10 over 20 updates" in result.stderr
    assert "suggested learning rate" in result.stdout


def test_data_too_small_to_split_is_refused_before_any_run(tmp_path, trained):
    path = tmp_path / "tiny.csv"
    path.write_text("y,x\n0,1\n1,2\n1,3\n")
    result = invoke("compare", "--csv", path, "--target", "y", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "class 0 has 1 sample," in result.output
    assert "stratify" not in result.output
    assert trained == [] and not (tmp_path / "o").exists()


def test_a_class_too_small_to_split_is_named_by_the_users_label(tmp_path, trained):
    path = tmp_path / "pets.csv"
    path.write_text(
        "x,y\n" + "".join(f"{i},{'cat' if i % 2 else 'dog'}\n" for i in range(10)) + "10,emu\n"
    )
    result = invoke("compare", "--csv", path, "--target", "y", "--out", tmp_path / "o")
    assert result.exit_code == 2 and "class 'emu' has 1 sample," in result.output, result.output
    assert trained == []


def test_a_target_with_thousands_separators_suggests_the_target_type(tmp_path, trained):
    path = tmp_path / "prices.csv"
    path.write_text("area,price\n" + "".join(f'{i},"{200_000 + 997 * i:,}"\n' for i in range(30)))
    args = ["compare", "--csv", path, "--target", "price", "--epochs", "1", "--out", tmp_path / "o"]
    result = invoke(*args)
    assert result.exit_code == 2 and trained == [], result.output
    message = result.output.strip().splitlines()[-1]
    assert "thousands separators ('200,000')" in message
    assert "pass --target-type regression" in message and "task=" not in message
    assert invoke(*args, "--target-type", "regression").exit_code == 0


def test_a_regression_too_small_to_split_is_refused_before_any_run(tmp_path, trained):
    path = tmp_path / "tiny.csv"
    path.write_text("a,b,y\n1,2,3.5\n2,3,4.5\n3,5,6.1\n")
    regression = ["--target", "y", "--target-type", "regression"]
    result = invoke("compare", "--csv", path, *regression, "--out", tmp_path / "o")
    assert result.exit_code == 2 and trained == [] and not (tmp_path / "o").exists()
    assert "'--csv'" in result.output and "tiny.csv' has 3 rows" in result.output
    assert "at least 6 rows" in result.output


def test_a_constant_feature_is_noted_on_the_terminal_once(tmp_path):
    path = tmp_path / "const.csv"
    rows = "".join(f"{i % 7},5,{i % 7 * 2 + i % 3 + 0.5}\n" for i in range(40))
    path.write_text("a,c,y\n" + rows)
    runs = ["--epochs", "1", "--optimizer", "SGD:0.1", "--optimizer", "Adam:0.01"]
    result = invoke("compare", "--csv", path, "--target", "y", *runs, "--out", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert result.stderr.count("constant on the training split ('c')") == 1
    runs = json.loads((tmp_path / "o" / "results.json").read_text())["runs"]
    assert all("('c')" in run["summary"]["notes"] for run in runs)


def test_a_huge_feature_trains_without_numpy_warnings(tmp_path):
    path = tmp_path / "huge.csv"
    path.write_text(
        "a,big,y\n" + "".join(f"{i % 7},{i % 5 + 1}e200,{i % 7 * 2}\n" for i in range(40))
    )
    args = ["compare", "--csv", path, "--target", "y", "--epochs", "1", "--optimizer", "Adam"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a warning would end the command with an error
        result = invoke(*args, "--out", tmp_path / "o")
        assert result.exit_code == 0, result.output
        unscaled = invoke(*args, "--no-scale", "--out", tmp_path / "p")
    assert unscaled.exit_code == 2 and "feature 'big' reaches 5e+200" in unscaled.output


def test_ctrl_c_while_the_libraries_are_still_being_imported_is_one_line(tmp_path):
    """The program's entry point catches a Ctrl-C that lands before the command line exists."""
    script = (
        "import builtins, optimlab.console\n"
        "original = builtins.__import__\n"
        "def importing(name, *args, **kwargs):  # Ctrl-C while optimlab.cli is imported\n"
        "    if name == 'optimlab.cli':\n"
        "        raise KeyboardInterrupt\n"
        "    return original(name, *args, **kwargs)\n"
        "builtins.__import__ = importing\n"
        "optimlab.console.main()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 130 and done.stderr.strip() == "interrupted", done.stderr


def test_a_ctrl_c_swallowed_by_a_library_callback_is_quiet_and_stops_the_next_output(
    monkeypatch, capsys
):
    """Python reports an exception it cannot raise (in a ctypes callback, a __del__) as
    "Exception ignored" with a traceback: the commands' hook hides a Ctrl-C (the handler
    noted it: the next message or result stops the command) and what libraries report
    while cleaning up after one; anything else is shown as usual."""
    import sys

    from optimlab.cli import _common

    monkeypatch.setattr(_common.interrupted, "ever", False)
    monkeypatch.setattr(_common.interrupted, "seen", False)
    monkeypatch.setattr(sys, "unraisablehook", _common.quiet_unraisable)
    redelivered = []
    monkeypatch.setattr(_common, "redeliver_soon", lambda: redelivered.append(1))

    class Fails:
        def __init__(self, error):
            self.error = error

        def __del__(self):
            raise self.error

    Fails(AttributeError("before any Ctrl-C: shown"))
    assert "before any Ctrl-C: shown" in capsys.readouterr().err
    with pytest.raises(KeyboardInterrupt):
        _common.interrupted(2, None)  # the handler, as a Ctrl-C in a callback runs it
    Fails(KeyboardInterrupt())
    Fails(AttributeError("cleaning up after it"))
    assert capsys.readouterr().err == "" and redelivered == [1]
    with pytest.raises(KeyboardInterrupt):
        _common.show("a results table")
    assert capsys.readouterr().out == ""


def test_a_swallowed_ctrl_c_is_delivered_again_unless_it_was_dealt_with(monkeypatch):
    """A server has no next message to stop at: the Ctrl-C a callback swallowed is delivered
    again from outside it, unless the command dealt with it in the meantime."""
    import time

    from optimlab.cli import _common

    delivered = []
    monkeypatch.setattr(_common._thread, "interrupt_main", lambda: delivered.append(1))
    monkeypatch.setattr(_common.interrupted, "seen", True)
    _common.redeliver_soon(0.01)
    time.sleep(0.2)
    assert delivered == [1]
    monkeypatch.setattr(_common.interrupted, "seen", False)  # handled meanwhile
    _common.redeliver_soon(0.01)
    time.sleep(0.2)
    assert delivered == [1]


def test_a_command_run_from_python_leaves_the_signal_handlers_and_hook_as_it_found_them(
    tmp_path,
):
    """The commands install their own SIGINT and SIGTERM handlers and unraisable hook while
    they run; a caller in the same process (a notebook, a test) gets its own back, also
    after an error."""
    if signal.getsignal(signal.SIGINT) is None:
        pytest.skip("a SIGINT handler set outside Python cannot be restored")

    def mine(signum, frame):
        raise AssertionError("not called")

    def my_hook(unraisable):
        raise AssertionError("not called")

    previous = (signal.signal(signal.SIGINT, mine), signal.signal(signal.SIGTERM, mine))
    hook, sys.unraisablehook = sys.unraisablehook, my_hook
    try:
        for args, status in (
            (["compare", *TINY, "--epochs", "0"], 2),
            (["compare", *TINY, "--epochs", "1", "--out", str(tmp_path)], 0),
        ):
            assert CliRunner().invoke(main, args).exit_code == status
            assert signal.getsignal(signal.SIGINT) is mine
            assert signal.getsignal(signal.SIGTERM) is mine
            assert sys.unraisablehook is my_hook
    finally:
        sys.unraisablehook = hook
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize("command", ["compare", "sweep"])
def test_when_every_run_diverges_the_report_is_still_written(tmp_path, command):
    """A feature of size 1e150, unscaled: every run's second gradient overflows, so no run
    has a finite final validation loss (a log-scaled figure of them failed in matplotlib).
    The results are written all the same, with no NumPy overflow warning on the way."""
    rng = np.random.default_rng(0)
    rows = "".join(f"{a:.6e},{b:.4f}\n" for a, b in rng.normal(size=(60, 2)) * (1e150, 1))
    (tmp_path / "huge.csv").write_text("flux,y\n" + rows)
    common = ["--csv", tmp_path / "huge.csv", "--target", "y", "--no-scale", "--epochs", "2"]
    extra = ["--lrs", "0.1,1", "--seeds", "1", "--optimizers", "SGD,Adam"]
    out = tmp_path / "out"
    result = invoke(command, *common, *(extra if command == "sweep" else []), "--out", out)
    assert result.exit_code == 0, result.output
    assert "diverged" in result.output
    assert (out / "report.html").is_file() and (out / "results.json").is_file()


def test_ctrl_c_during_compare_shows_and_saves_the_runs_that_finished(tmp_path, monkeypatch):
    """Ctrl-C in the second run: the first is printed and written, the command still
    ends as interrupted (status 130); with no run finished, nothing is written."""
    real = comparison.run

    def second_run_interrupted(spec, **kwargs):
        if spec.optimizer == "Adam":
            raise KeyboardInterrupt
        return real(spec, **kwargs)

    monkeypatch.setattr(comparison, "run", second_run_interrupted)
    runs = ["--optimizer", "SGD:0.1", "--optimizer", "Adam:0.01", "--epochs", "2"]
    result = CliRunner().invoke(main, ["compare", *TINY, *runs, "--out", str(tmp_path / "a")])
    assert result.exit_code == 130
    assert "interrupted while training Adam(lr=0.01)" in result.output
    saved = json.loads((tmp_path / "a" / "results.json").read_text())
    assert [run["spec"]["optimizer"] for run in saved["runs"]] == ["SGD"]
    runs = ["--optimizer", "Adam:0.01", "--optimizer", "SGD:0.1", "--epochs", "2"]
    result = CliRunner().invoke(main, ["compare", *TINY, *runs, "--out", str(tmp_path / "b")])
    assert result.exit_code == 130 and not (tmp_path / "b").exists()


def test_choice_options_take_any_case(tmp_path):
    """`--optimizer adam` always worked; the other named choices do too."""
    data = ["--dataset", "Moons", "--n-samples", "80", "--model", "MLP", "--hidden", "4"]
    settings = ["--activation", "TANH", "--schedule", "Cosine"]
    result = invoke(
        "compare", *data, *settings, "--optimizer", "adam", "--epochs", "1", "--out", tmp_path
    )
    assert result.exit_code == 0, result.output
    spec = json.loads((tmp_path / "results.json").read_text())["runs"][0]["spec"]
    assert (spec["model"], spec["activation"], spec["schedule"]) == ("mlp", "tanh", "cosine")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["lr-find", "--start", "10", "--end", "1"],
            "Invalid --start=10.0 and --end=1.0: the ramp needs --start < --end",
        ),
        (["sweep", "--lr-min", "1", "--lr-max", "0.1"], "--lr-max=0.1 must be greater than"),
        (
            ["sweep", "--random", "3", "--lr-min", "1", "--lr-max", "0.1"],
            "Error: Invalid range: --lr-max=0.1 must be greater than --lr-min=1.0",
        ),
        (
            ["compare", "--dataset", "diabetes", "--model", "logistic"],
            "Invalid value for '--model': model 'logistic' fits binary data, but diabetes is "
            "regression; use --model auto or --model mlp",
        ),
    ],
)
def test_refusals_name_the_options_not_the_python_arguments(tmp_path, args, message):
    result = invoke(*args, "--out", tmp_path / "out")
    assert result.exit_code == 2 and message in result.output


def test_val_fraction_is_an_option_and_the_split_refusal_names_it(tmp_path):
    path = tmp_path / "four.csv"
    path.write_text("a;b;y\n1;2;0\n3;4;1\n5;6;0\n7;8;1\n")
    data = ["--csv", path, "--target", "y", "--epochs", "1"]
    refused = invoke("compare", *data, "--out", tmp_path / "a")
    assert refused.exit_code == 2 and "add samples or change --val-fraction" in refused.output
    result = invoke("compare", *data, "--val-fraction", "0.5", "--out", tmp_path / "b")
    assert result.exit_code == 0, result.output
    spec = json.loads((tmp_path / "b" / "results.json").read_text())["runs"][0]["spec"]
    assert spec["val_fraction"] == 0.5


def test_option_names_replace_argument_names_but_never_the_users_quoted_text():
    from optimlab.cli._common import with_option_names

    message = "Invalid hidden[1]: 0; file '/data/l2/x.csv', column 'hidden'; l2 must be >= 0"
    spelled = with_option_names(message, {"hidden": "--hidden", "l2": "--l2"})
    assert spelled == (
        "Invalid --hidden: 0; file '/data/l2/x.csv', column 'hidden'; --l2 must be >= 0"
    )
