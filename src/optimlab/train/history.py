"""What a training run records: per iteration and per epoch, plus how it ended."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class History:
    """The record of one training run.

    Per iteration (one update each): ``loss`` (the batch loss before the update), ``lr``
    (the learning rate used), ``grad_norm`` (the global L2 norm of the batch gradient,
    before clipping). Per epoch: ``epoch_train_loss`` (the mean batch loss over the epoch),
    ``epoch_train_metric`` (the metric on the whole training set at the epoch's end),
    ``epoch_val_loss`` and ``epoch_val_metric`` (on the validation set, when given),
    ``epoch_time`` (seconds since the start, cumulative). ``metric`` names the metric
    (accuracy for classification, R^2 for regression).

    ``stop_reason`` says how the run ended: ``"completed"``, ``"early_stopping"``,
    ``"diverged"``, ``"callback"``; ``message`` explains it in words.
    """

    metric: str = ""
    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    epoch_train_loss: list[float] = field(default_factory=list)
    epoch_train_metric: list[float] = field(default_factory=list)
    epoch_val_loss: list[float] = field(default_factory=list)
    epoch_val_metric: list[float] = field(default_factory=list)
    epoch_time: list[float] = field(default_factory=list)
    stop_reason: str = "completed"
    message: str = ""
    best_epoch: int | None = None

    @property
    def iterations(self) -> int:
        """Updates recorded."""
        return len(self.loss)

    @property
    def epochs(self) -> int:
        """Epochs completed."""
        return len(self.epoch_train_loss)

    @property
    def diverged(self) -> bool:
        """True if the run stopped because its loss or gradient became non-finite or exploded."""
        return self.stop_reason == "diverged"

    def final(self) -> dict[str, float | None]:
        """The last epoch's numbers (None where not recorded)."""

        def last(values: list[float]) -> float | None:
            return values[-1] if values else None

        return {
            "train_loss": last(self.epoch_train_loss),
            "train_metric": last(self.epoch_train_metric),
            "val_loss": last(self.epoch_val_loss),
            "val_metric": last(self.epoch_val_metric),
            "time": last(self.epoch_time),
        }

    def to_dict(self) -> dict[str, Any]:
        """Plain lists and strings (JSON-safe: non-finite numbers become None)."""

        def clean(values: list[float]) -> list[float | None]:
            return [float(v) if np.isfinite(v) else None for v in values]

        out: dict[str, Any] = {}
        for name, value in vars(self).items():
            out[name] = clean(value) if isinstance(value, list) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> History:
        """Inverse of `to_dict` (None becomes NaN)."""
        kwargs = {
            k: [np.nan if v is None else float(v) for v in value]
            if isinstance(value, list)
            else value
            for k, value in data.items()
        }
        return cls(**kwargs)

    def to_json(self) -> str:
        """`to_dict` as JSON text."""
        return json.dumps(self.to_dict())
