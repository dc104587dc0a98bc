"""Training: one loop for every model, optimizer and sampling mode, with its record."""

from optimlab.train.callbacks import Callback, EarlyStopping
from optimlab.train.divergence import CHECKLIST
from optimlab.train.history import History
from optimlab.train.loop import TrainingState, fit

__all__ = ["CHECKLIST", "Callback", "EarlyStopping", "History", "TrainingState", "fit"]
