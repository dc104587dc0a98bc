"""The guide's text, once, as blocks that the HTML and the Markdown writers both render.

A block is ``(kind, value)``: ``("text", str)``, ``("heading", str)``, ``("quote", str)``
(a claim: ``"column: words"``), ``("verdict", str)``, ``("table", rows)``,
``("figure", (experiment name, caption))``, ``("code", str)``.
"""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from optimlab.lab.guide.claims import ALGORITHMS, COLUMNS
from optimlab.lab.guide.claims.base import SOURCE
from optimlab.lab.guide.experiments.registry import EXPERIMENTS
from optimlab.lab.guide.verdict import NOT_SUPPORTED, SUPPORTED

if TYPE_CHECKING:
    from optimlab.lab.guide.runner import GuideResult

Block = tuple[str, Any]
TITLE = "Which optimizer when: a course's table, every claim measured"


def introduction(result: GuideResult) -> list[Block]:
    counts = {
        label: sum(f.verdict == label for f in result.findings)
        for label in (SUPPORTED, NOT_SUPPORTED)
    }
    depends = len(result.findings) - sum(counts.values())
    return [
        (
            "text",
            f"This guide quotes every claim of {SOURCE}, which says for gradient descent, "
            "SGD, mini-batch gradient descent, AdaGrad, RMSprop, AdaDelta and Adam what is "
            "good and bad about them and when to use them, and tests each claim with an "
            "experiment on optimlab's own tasks: each optimizer tuned by the fair protocol "
            "(a learning-rate grid on the first seed, the best rate run with every seed), "
            "several seeds, and the seed-to-seed noise shown beside every number (mean ± "
            "standard deviation). Each verdict follows from the numbers by the rule written "
            "under it.",
        ),
        (
            "text",
            f"Of {len(result.findings)} claims, {_are(counts[SUPPORTED])} supported, "
            f"{_are(counts[NOT_SUPPORTED])} not, and {depends} "
            f"depend{'s' * (depends == 1)} on something the table does not say (the data "
            "size, the learning rate, the task, the length of training). This is the "
            f"{result.size} guide"
            + (
                " (smaller tasks, fewer seeds: verdicts may differ from the full guide's)."
                if result.size == "quick"
                else "."
            ),
        ),
        ("table", summary_rows(result)),
    ]


def summary_rows(result: GuideResult) -> list[dict[str, str]]:
    """One row per claim: where it sits, its words, its verdict, the command."""
    return [
        {
            "algorithm": c.algorithm,
            "column": c.column,
            "claim": f'"{c.text}"',
            "verdict": f.verdict,
            "reproduce": result.reproduce(c.id),
        }
        for c, f in zip(result.claims, result.findings)
    ]


def when_to_use(result: GuideResult) -> list[Block]:
    """The table's last column again, with what the measurements say beside each line."""
    rows = []
    for algorithm in ALGORITHMS:
        pairs = [(c, f) for c, f in zip(result.claims, result.findings) if c.algorithm == algorithm]
        if not pairs:
            continue
        pros = [f.verdict for c, f in pairs if c.column == "Pros"]
        cons = [f.verdict for c, f in pairs if c.column == "Cons"]
        for c, f in pairs:
            if c.column != "When to use":
                continue
            rows.append(
                {
                    "algorithm": algorithm,
                    "when to use (the article)": c.text,
                    "verdict": f.verdict,
                    "measured": f.headline,
                    "pros supported": f"{pros.count(SUPPORTED)} of {len(pros)}",
                    "cons supported": f"{cons.count(SUPPORTED)} of {len(cons)}",
                }
            )
    if not rows:
        return []
    return [
        (
            "text",
            "The table's last column, one line per recommendation, with its verdict and the "
            "finding behind it in one sentence; the last two columns count the row's pros and "
            "cons that the measurements support.",
        ),
        ("table", rows),
    ]


def claim_blocks(result: GuideResult, index: int) -> list[Block]:
    """Everything about one claim: its words, verdict, numbers, noise, rule, figure and
    the command that reproduces it."""
    c, f = result.claims[index], result.findings[index]
    blocks: list[Block] = [
        ("quote", f"{c.column}: {c.text}"),
        ("verdict", f.verdict),
        ("text", f.summary),
    ]
    if f.numbers:
        blocks.append(("table", list(f.numbers)))
    if f.noise:
        blocks.append(("text", f"Noise: {f.noise}"))
    blocks.append(("text", f"Rule: {c.rule}"))
    for name in c.experiments:
        blocks.append(("figure", (name, EXPERIMENTS[name].TITLE)))
    blocks.append(("code", result.reproduce(c.id)))
    return blocks


def sections(result: GuideResult) -> list[tuple[str, list[Block]]]:
    """The whole guide: ``[(section title, blocks), ...]``."""
    out = [("The table and the verdicts", introduction(result))]
    measured = when_to_use(result)
    if measured:
        out.append(("When to use, as measured", measured))
    for algorithm in ALGORITHMS:
        blocks: list[Block] = []
        for column in COLUMNS:
            for i, c in enumerate(result.claims):
                if c.algorithm == algorithm and c.column == column:
                    blocks.extend(claim_blocks(result, i))
        if blocks:
            out.append((algorithm, blocks))
    out.append(("The experiments", experiment_blocks(result)))
    out.append(("How this guide was made", made(result)))
    return out


def experiment_blocks(result: GuideResult) -> list[Block]:
    """Each experiment's title and method (its module's docstring)."""
    blocks: list[Block] = []
    for name in result.results:
        module = EXPERIMENTS[name]
        blocks.append(("heading", f"{module.TITLE} ({name})"))
        blocks.extend(("text", paragraph) for paragraph in paragraphs(inspect.getdoc(module)))
    return blocks


def _are(count: int) -> str:
    """``count`` with its verb: "1 is", "2 are"."""
    return f"{count} {'is' if count == 1 else 'are'}"


def paragraphs(doc: str) -> list[str]:
    """A docstring as paragraphs of one line each; a bullet (``* ``) becomes ``- ``, and
    ``double backquotes`` single ones."""
    out: list[str] = []
    for block in doc.replace("``", "`").split("\n\n"):
        items: list[list[str]] = []
        for line in block.splitlines():
            if line.startswith("* ") or not items:
                items.append([line[2:]] if line.startswith("* ") else [line])
                if line.startswith("* "):
                    items[-1].insert(0, "-")
            else:
                items[-1].append(line.strip())
        out.extend(" ".join(item) for item in items)
    return out


def made(result: GuideResult) -> list[Block]:
    return [
        (
            "text",
            f"The {result.size} guide, first seed {result.seed}, {result.jobs} worker "
            f"process{'es' if result.jobs > 1 else ''}, on {_cores()} cores. This report's "
            f"run: {result.seconds:.0f} s before the figures, {result.computed} runs and "
            f"trials computed, {result.reused} taken from the store {result.store.name}; load "
            f"average {result.load[0]:.2f} at its start and {result.load[1]:.2f} at its end. "
            "Times inside the experiments are counted in updates and multiplied by the "
            "measured time of one update, so that the verdicts do not move with the machine's "
            "load.",
        ),
    ]


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
