"""Callbacks: code run at the end of each epoch, which may stop training."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from optimlab import checks

if TYPE_CHECKING:
    from optimlab.train.loop import TrainingState


class Callback:
    """Base class: override `on_epoch_end`; return True to stop training.

    A callback with state that must survive a checkpoint overrides `state_dict` and
    `load_state_dict` (numbers, strings and NumPy arrays).
    """

    #: The history's ``stop_reason`` when this callback stops a run.
    stop_reason = "callback"

    def state_dict(self) -> dict:
        """State to save in a checkpoint."""
        return {}

    def load_state_dict(self, state: dict) -> None:
        """Restore what `state_dict` returned."""

    def on_train_begin(self, state: TrainingState) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(self, state: TrainingState) -> bool | None:
        """Called after each epoch; return True to stop."""
        return None

    def on_train_end(self, state: TrainingState) -> None:
        """Called once when training stops, for whatever reason."""


@dataclass
class EarlyStopping(Callback):
    """Stop when the monitored quantity has not improved for ``patience`` epochs.

    Args:
        patience: epochs without improvement to tolerate (>= 1).
        min_delta: an improvement must beat the best by more than this (>= 0).
        monitor: ``"val_loss"`` (default; falls back to ``"train_loss"`` without a
            validation set) or ``"train_loss"``.
        restore_best: put back the parameters of the best epoch when stopping.
    """

    stop_reason = "early_stopping"
    patience: int = 5
    min_delta: float = 0.0
    monitor: str = "val_loss"
    restore_best: bool = True
    best: float = field(default=math.inf, init=False)
    best_epoch: int | None = field(default=None, init=False)
    _best_params: np.ndarray | None = field(default=None, init=False, repr=False)
    _wait: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        checks.integer("patience", self.patience, low=1)
        checks.nonnegative("min_delta", self.min_delta)
        checks.choice("monitor", self.monitor, ("val_loss", "train_loss"))
        checks.flag("restore_best", self.restore_best)

    def _value(self, state: TrainingState) -> float:
        history = state.history
        if self.monitor == "val_loss" and history.epoch_val_loss:
            return history.epoch_val_loss[-1]
        return history.epoch_train_loss[-1]

    def on_train_begin(self, state: TrainingState) -> None:
        self.best, self.best_epoch, self._wait, self._best_params = math.inf, None, 0, None

    def on_epoch_end(self, state: TrainingState) -> bool:
        value = self._value(state)
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self._wait = value, state.epoch, 0
            if self.restore_best:
                self._best_params = state.flat_params.copy()
            return False
        self._wait += 1
        return self._wait >= self.patience

    def state_dict(self) -> dict:
        out = {"best": self.best, "best_epoch": self.best_epoch, "wait": self._wait}
        if self._best_params is not None:
            out["best_params"] = self._best_params
        return out

    def load_state_dict(self, state: dict) -> None:
        self.best, self.best_epoch, self._wait = state["best"], state["best_epoch"], state["wait"]
        self._best_params = state.get("best_params")

    def on_train_end(self, state: TrainingState) -> None:
        if self.restore_best and self._best_params is not None and not state.history.diverged:
            state.flat_params[...] = self._best_params
            state.history.best_epoch = self.best_epoch
