"""User-facing text cites the course documents by title, never as "seed 000" or "the seeds".

Users have no documents by those names: docs/sources.md lists the five documents by title
and the primary literature. This scans the README, the changelog, the user docs (not
docs/dev/), every string literal and docstring in src/optimlab, and the --help text of
every `optimlab` subcommand. "Seed" meaning a random seed (``--seed``, ``seed=0``, "the
seeds that reached the target", "the first seed's run") is a different word and passes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from optimlab.cli import main

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "src" / "optimlab"

#: What a course document holds, after "the seeds'" or "the seed's".
_MATERIAL = (
    r"(?:own |EMA |look-ahead )?(?:forms?|formulas?|rules?|variants?|practicals?|checklist|"
    r"algorithms?|notation|code|loop|slides?|pseudocode|notes)"
)
#: The wordings that name a course document as a "seed", each with what it names.
DOCUMENT_WORDING = (
    (re.compile(r"\bseeds? 00[0-4]\b", re.I), "a course document by number"),
    (
        re.compile(r"\bseeds? (?:documents?|formulas?|notation|practicals?)\b", re.I),
        "the course documents",
    ),
    (re.compile(rf"\bseed(?:s'|'s) {_MATERIAL}\b", re.I), "a course document's material"),
    (
        re.compile(
            r"\b(?:beyond|not in|nor in|in all|of all|where) the seeds\b"
            r"|\b(?:all|the) five seeds\b"
            r"|\bthe seeds (?:write|say|call|disagree|agree)\b",
            re.I,
        ),
        "the course documents as a whole",
    ),
)
FIX = "cite the document by its title or the primary literature (see docs/sources.md)"


def document_wording(text: str) -> list[str]:
    """Each "seed" wording in ``text`` that names a course document, with what it names."""
    flat = re.sub(r"\s+", " ", text)
    found = []
    for pattern, meaning in DOCUMENT_WORDING:
        for match in pattern.finditer(flat):
            context = flat[max(0, match.start() - 30) : match.end() + 30]
            found.append(f"{match.group(0)!r} ({meaning}) in ...{context}...")
    return found


@pytest.mark.parametrize(
    "text",
    [
        "Seed 000 writes sums",
        "seeds 000 and 002 (EMA form)",
        "the MSE of seed\n    000's practicals",
        "for seeds 000-002",
        "seed 003's checklist",
        "The five seed documents",
        "from a seed formula to a call",
        "the seeds' practicals",
        "The seeds' own forms are options",
        "the seed's formula",
        "each seed's formula iterated by hand",
        "Beyond the seeds (Dozat 2016)",
        "Not in the seeds, nor in Keras",
        "All five seeds have it",
        "The seeds write Nesterov's method",
        "Where the seeds disagree among themselves",
        "Seeds' forms: `Adagrad(w, lr, eps=1e-8, eps_inside=True)`",
        "| `Momentum` | seeds' EMA form v = b v + (1-b) g |",
        "the seed's loop is matched to 1e-12",
    ],
)
def test_document_wording_is_found(text):
    assert document_wording(text), text


@pytest.mark.parametrize(
    "text",
    [
        "optimlab demo --out /tmp/demo --seed 3",
        "moons(500, noise=0.2, seed=0)",
        "Seed of data, initialisation and batch order.",
        "30 epochs, batch 32, seed 0",
        "seeds 0, 1, 2 for the best setting",
        "means over the seeds that reached it; None if none did",
        "The seeds' times to target, for the seeds that reached it.",
        "The best setting is re-run with every seed (the first seed's run is reused).",
        "within noise (the seed-to-seed spread is 0.05818)",
        "`test_adagrad_seed_000_eps_inside` (hand loop)",
        "Every seed, the same grid: the verdict over seeds",
        "the seed defaults to 0",
        "plot each seed's curve and the first seed's history",
    ],
)
def test_random_seeds_are_not_flagged(text):
    assert document_wording(text) == []


def user_docs() -> list[Path]:
    docs = sorted(
        p for p in (ROOT / "docs").rglob("*.md") if p.relative_to(ROOT / "docs").parts[0] != "dev"
    )
    return [ROOT / "README.md", ROOT / "CHANGELOG.md", *docs]


@pytest.mark.parametrize("path", user_docs(), ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_cite_documents_by_title(path):
    found = document_wording(path.read_text(encoding="utf-8"))
    assert not found, f"{FIX}:\n" + "\n".join(found)


def string_literals(path: Path) -> list[str]:
    """Every docstring and string constant of a Python file (not its comments or names)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


@pytest.mark.parametrize(
    "path", sorted(SOURCE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_source_strings_cite_documents_by_title(path):
    found = [hit for text in string_literals(path) for hit in document_wording(text)]
    assert not found, f"{FIX}:\n" + "\n".join(found)


def test_string_literals_read_docstrings_and_strings_but_not_comments(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        '"""Seed 000 writes sums."""\n'
        "# seed 004's table\n"
        "seed_004 = 1\n"
        "def f(seed=0):\n"
        "    return f'the seed 002 {seed}'\n"
    )
    found = [hit for text in string_literals(module) for hit in document_wording(text)]
    assert len(found) == 2
    assert "'Seed 000'" in found[0] and "'seed 002'" in found[1]


@pytest.mark.parametrize("command", [None, *sorted(main.commands)])
def test_help_cites_documents_by_title(command):
    args = ["--help"] if command is None else [command, "--help"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    found = document_wording(result.output)
    assert not found, f"{FIX}:\n" + "\n".join(found)
