"""The guide's files: its figures, ``guide.json`` and a self-contained ``report.html``."""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from optimlab.lab import engines
from optimlab.lab.guide.document import TITLE, sections
from optimlab.lab.guide.experiments.registry import EXPERIMENTS
from optimlab.lab.output import output_folder, write_json
from optimlab.lab.report import Report, Section

if TYPE_CHECKING:
    from optimlab.lab.guide.runner import GuideResult

_COLOURS = {"supported": "#080", "not supported": "#b00"}


def draw_figure(item: tuple[str, Any, str]) -> str:
    """Draw one experiment's figure (module-level, so that worker processes can)."""
    name, results, path = item
    EXPERIMENTS[name].figure(results, Path(path))
    return name


def draw_figures(result: GuideResult, folder: Path) -> dict[str, Path]:
    """One PNG per experiment the guide ran, in ``folder`` (``result.jobs`` at a time)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {name: folder / f"{name}.png" for name in result.results}
    items = [(name, result.results[name], str(paths[name])) for name in paths]
    engine = engines.make("process", min(result.jobs, max(len(items), 1)))
    failed = True
    try:
        engine.run(draw_figure, items, lambda name: None)
        failed = False
    finally:
        engine.close(wait=not failed)
    return paths


def to_dict(result: GuideResult) -> dict[str, Any]:
    """Everything, as JSON values: the claims with their findings, and the measurements."""
    return {
        "source": "Deep Learning Optimization Algorithms",
        "size": result.size,
        "seed": result.seed,
        "seconds": result.seconds,
        "experiment_seconds": result.experiment_seconds,
        "load_average": list(result.load),
        "runs": {"computed": result.computed, "reused_from_store": result.reused},
        "claims": [
            {
                "id": c.id,
                "algorithm": c.algorithm,
                "column": c.column,
                "claim": c.text,
                "experiments": list(c.experiments),
                "rule": c.rule,
                "reproduce": result.reproduce(c.id),
                **f.to_dict(),
            }
            for c, f in zip(result.claims, result.findings)
        ],
        "results": result.results,
    }


def write_report(result: GuideResult, folder: Path, command: str) -> Path:
    """Write ``figures/*.png``, ``guide.json`` and ``report.html``; return the report."""
    folder = output_folder(folder)
    write_json(folder / "guide.json", to_dict(result))
    result.figures = draw_figures(result, folder / "figures")
    report = Report(
        TITLE,
        command,
        {"size": result.size, "seed": result.seed, "jobs": result.jobs, "store": str(result.store)},
    )
    for title, blocks in sections(result):
        section = report.section(title)
        for kind, value in blocks:
            _render(section, kind, value, result)
    return report.write(folder / "report.html")


def _render(section: Section, kind: str, value: Any, result: GuideResult) -> None:
    if kind == "text":
        section.text(value)
    elif kind == "heading" or kind == "quote":
        section.parts.append(f"<h3>{html.escape(value)}</h3>")
    elif kind == "verdict":
        colour = _COLOURS.get(value, "#a60")
        section.parts.append(
            f'<p><b>Verdict: <span style="color:{colour}">{html.escape(value)}</span></b></p>'
        )
    elif kind == "table":
        section.table(value)
    elif kind == "figure":
        name, caption = value
        section.figure(result.figures[name], caption)
    elif kind == "code":
        section.code(value)
