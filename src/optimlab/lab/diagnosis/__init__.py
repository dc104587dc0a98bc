"""Automatic run diagnosis: what a training run shows, whose fault it is (the optimizer's,
the model's or the data's), and which setting to change, spelled as the command and the API
take it.

`diagnose(history)` reads the loss curves alone; `diagnose(history, RunContext.from_run(...))`
also knows the optimizer and its settings, the model and its capacity, the sweep's rate
grid and facts about the data, and never recommends what the run already does. The rules
follow the debugging checklist of "Optimization Algorithms in Deep Neural Networks"; see
docs/diagnosis.md.
"""

from optimlab.lab.diagnosis.context import RunContext
from optimlab.lab.diagnosis.labels import CAUSES, LABELS, Diagnosis
from optimlab.lab.diagnosis.remedies import REMEDIES
from optimlab.lab.diagnosis.rules import diagnose, diagnose_all

__all__ = ["CAUSES", "LABELS", "REMEDIES", "Diagnosis", "RunContext", "diagnose", "diagnose_all"]
