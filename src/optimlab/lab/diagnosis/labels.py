"""The diagnosis as a value: its labels, whose fault each is, and the `Diagnosis` record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from optimlab.lab.diagnosis.remedies import Remedy
from optimlab.lab.experiment import RunSpec

#: Every label, failures first, then the model's and the data's, then the slow ones.
LABELS = (
    "diverged",
    "singular Hessian",
    "unscaled features",
    "unscaled targets",
    "constant features",
    "oscillating",
    "overfitting",
    "underfitting (model too simple)",
    "stuck at a saddle",
    "plateaued early",
    "too slow",
    "healthy",
)
#: Whose fault each label is.
CAUSES = {
    "diverged": "optimizer",
    "singular Hessian": "optimizer",
    "unscaled features": "data",
    "unscaled targets": "data",
    "constant features": "data",
    "oscillating": "optimizer",
    "overfitting": "model",
    "underfitting (model too simple)": "model",
    "stuck at a saddle": "optimizer",
    "plateaued early": "optimizer",
    "too slow": "optimizer",
    "healthy": "none",
}


@dataclass(frozen=True)
class Diagnosis:
    """What a run shows, whose fault it is, and what to change.

    Attributes:
        label: one of `LABELS`.
        evidence: the numbers that triggered the label, in sentences.
        remedy: what to do, naming each setting as the command spells it and as the API
            does (the context-free `REMEDIES` text when no `RunContext` was given).
        cause: ``"optimizer"``, ``"model"``, ``"data"`` or ``"none"``.
        changes: `RunSpec` field changes that apply the remedy's first advice
            (``dataclasses.replace(spec, **changes)``, or `apply`); empty when nothing
            the run's settings control would fix it, or without a context.
        notes: other facts worth knowing that are not the cause (constant features, a
            sweep's best rate at the edge of its grid).
    """

    label: str
    evidence: str
    remedy: str
    cause: str = "none"
    changes: Mapping[str, Any] = field(default_factory=dict, hash=False)
    notes: tuple[str, ...] = ()

    def apply(self, spec: RunSpec) -> RunSpec:
        """``spec`` with `changes` applied."""
        return replace(spec, **self.changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain values (JSON-able): label, cause, evidence, remedy, changes, notes."""
        changes = {k: list(v) if isinstance(v, tuple) else v for k, v in self.changes.items()}
        if "options" in changes:
            changes["options"] = dict(self.changes["options"])
        return {
            "label": self.label,
            "cause": self.cause,
            "evidence": self.evidence,
            "remedy": self.remedy,
            "changes": changes,
            "notes": list(self.notes),
        }


def make(label: str, evidence: str, remedy: Remedy) -> Diagnosis:
    """The `Diagnosis` of ``label``, its cause from `CAUSES`, and ``remedy``'s text and changes."""
    return Diagnosis(label, evidence, remedy.text(), CAUSES[label], remedy.changes)


def sentence(text: str) -> str:
    """``text`` capitalised, with a full stop."""
    return text[0].upper() + text[1:] + "."
