"""The examples of docs/ run as written: every TOML file and every ``optimlab`` command line
of docs/ (and README.md), and every Python block of docs/commands/. Small budgets are added
on the command line (which wins over the file); the demo and the GIFs are stand-ins here,
since tests/cli/test_cli.py and tests/lab/test_landscape_run.py make the real ones."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from optimlab.cli import main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DOCS = Path(__file__).resolve().parents[2] / "docs"
PAGES = sorted((DOCS / "commands").glob("*.md"))
#: Every page whose shell examples run: the docs (not the developers' notes) and README.md.
SHELL_PAGES = [
    *sorted(p for p in DOCS.rglob("*.md") if "dev" not in p.relative_to(DOCS).parts),
    DOCS.parent / "README.md",
]
COMMANDS = set(main.commands)


def blocks(page: Path, *languages: str) -> list[str]:
    pattern = rf"```(?:{'|'.join(languages)})\n(.*?)```"
    return re.findall(pattern, page.read_text(), re.S)


def command_lines(page: Path) -> list[list[str]]:
    """Every line of a bash/shell block that runs optimlab, continuations joined."""
    lines = []
    for block in blocks(page, "bash", "shell", "sh"):
        for line in block.replace("\\\n", " ").splitlines():
            if line.strip().startswith("optimlab ") and not line.strip().startswith(
                "optimlab play"  # a server that runs until stopped: tests/play starts it
            ):
                lines.append(shlex.split(line, comments=True)[1:])
    return lines


def toml_examples() -> list[tuple[Path, str]]:
    return [(page, block) for page in sorted(DOCS.rglob("*.md")) for block in blocks(page, "toml")]


def small_budget(args: list[str]) -> list[str]:
    """Options appended to a documented command so that it runs in a second or two."""
    command = args[0]
    batches = ["--batch-size", "256"] if "--task" in args else []  # a torch model: few steps
    if command == "compare":
        return ["--epochs", "1", "--no-progress", *batches]
    if command == "sweep":
        budget = ["--epochs", "1", "--seeds", "1", "--jobs", "1", "--no-progress", *batches]
        if "--random" in args:  # its own rates
            return [*budget, "--random", "2"]
        rates_given = "--lrs" in args or any(a.startswith("lr=") for a in args)
        if rates_given:
            return budget
        if any(a in args for a in ("--lr-min", "--lr-max", "--per-decade")):  # a range: narrow it
            return [*budget, "--lr-min", "0.1", "--lr-max", "1", "--per-decade", "1"]
        return [*budget, "--lrs", "0.1"]
    if command == "lr-find":
        return ["--iterations", "30"]
    if command == "landscape":
        return ["--steps", "20", "--no-animate"]
    if command == "guide":  # one cheap claim of the quick guide
        return ["--quick", "--claims", "gd-simple", "--jobs", "1", "--no-progress"]
    return []


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """An empty folder to run in, with a stand-in demo (its options are still parsed)."""
    monkeypatch.chdir(tmp_path)

    def demo(out, *, seed, quick, command, progress):
        report = Path(out) / "report.html"
        report.write_text(f"demo seed={seed} quick={quick}")
        return report

    monkeypatch.setattr("optimlab.lab.demo.run_demo", demo)
    return tmp_path


def write_inputs(page: Path, folder: Path, args: list[str]) -> None:
    """The files a page's commands name: its TOML examples (``# NAME.toml`` on their first
    line), its Python files (``# NAME.py``: a task for ``--task``) and a small CSV file for
    ``--csv``."""
    for language, suffix in (("toml", "toml"), ("python", "py")):
        for block in blocks(page, language):
            first = block.splitlines()[0]
            if re.fullmatch(rf"# [\w.-]+\.{suffix}.*", first):
                (folder / first.split()[1].rstrip(":")).write_text(block)
    if "--csv" in args:
        rng = np.random.default_rng(0)
        X = rng.normal(size=(80, 2))
        target = args[args.index("--target") + 1]
        rows = [f"{a:.4f},{b:.4f},{3 * a - b + 0.1 * rng.normal():.4f}" for a, b in X]
        (folder / args[args.index("--csv") + 1]).write_text(f"a,b,{target}\n" + "\n".join(rows))


def run(args: list[str], out: Path):
    """The command with the small budget; the ``--out`` added last wins over the page's. A
    dask scheduler's ``--address`` is left out: there is no cluster here
    (tests/lab/test_sweep_dask.py starts one)."""
    if "--address" in args:
        at = args.index("--address")
        args = args[:at] + args[at + 2 :]
    return CliRunner().invoke(
        main, [*args, *small_budget(args), "--out", str(out)], catch_exceptions=False
    )


def test_the_docs_have_examples_to_run():
    assert len(toml_examples()) >= 5
    assert sum(len(command_lines(page)) for page in PAGES) >= 12
    for page, block in toml_examples():
        tables = set(tomllib.loads(block)) & COMMANDS
        assert tables, f"a TOML example in {page.name} names no command table: {block}"


@pytest.mark.parametrize(
    ("page", "block"),
    toml_examples(),
    ids=[f"{p.name}-{i}" for i, (p, _) in enumerate(toml_examples())],
)
def test_every_toml_example_runs_through_its_command(workdir, page, block):
    config = workdir / "example.toml"
    config.write_text(block)
    for command in sorted(set(tomllib.loads(block)) & COMMANDS):
        args = [command, "--config", str(config)]
        result = run(args, workdir / f"out-{command}")
        assert result.exit_code == 0, f"{page.name}: {' '.join(args)}\n{result.output}"
        assert (workdir / f"out-{command}" / "report.html").exists()


@pytest.mark.parametrize(
    "page", SHELL_PAGES, ids=[str(p.relative_to(DOCS.parent)) for p in SHELL_PAGES]
)
def test_every_command_line_of_the_page_runs(workdir, page):
    for index, args in enumerate(command_lines(page)):
        write_inputs(page, workdir, args)
        result = run(args, workdir / f"out-{index}")
        assert result.exit_code == 0, f"optimlab {shlex.join(args)}\n{result.output}"
        if "--list" not in args:  # guide --list only prints the claims
            assert (workdir / f"out-{index}" / "report.html").exists()


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_python_example_of_the_page_runs(workdir, page, monkeypatch):
    def animation(landscape, trajectories, path, **options):  # GIFs: see test_landscape_run
        Path(path).write_bytes(b"GIF89a")

    monkeypatch.setattr("optimlab.viz.animate_trajectories", animation)
    for index, code in enumerate(blocks(page, "python")):
        exec(compile(code, f"{page.name} example {index}", "exec"), {})
        assert list(workdir.glob("*/report.html")), f"{page.name}: no report written"
