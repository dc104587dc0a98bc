"""The optimizers of deep learning, on NumPy arrays, updated in place.

Every optimizer is constructed as ``Name(params, **hyperparameters)``, where ``params`` is
a float array, a list of arrays or a dict of arrays, and applies one update per
``step(grads)`` (or ``step(closure=f)``). PyTorch's argument names, defaults and formulas
by default; the textbook variants and Keras's conventions by option.
"""

from optimlab.optim._flat import flat_view, packed
from optimlab.optim._kernels import has_nonfinite, parallel_threshold, set_parallel_threshold
from optimlab.optim._pool import parallel_threads
from optimlab.optim.adabelief import AdaBelief
from optimlab.optim.adadelta import Adadelta
from optimlab.optim.adafactor import Adafactor
from optimlab.optim.adagrad import Adagrad
from optimlab.optim.adam import Adam, AdamW
from optimlab.optim.adamax import Adamax
from optimlab.optim.asgd import ASGD
from optimlab.optim.base import Optimizer, apply_nonfinite_policy
from optimlab.optim.elementwise import ElementwiseOptimizer
from optimlab.optim.hyper import Hyper, Option
from optimlab.optim.lamb import LAMB
from optimlab.optim.lars import LARS
from optimlab.optim.lbfgs import LBFGS
from optimlab.optim.lion import Lion
from optimlab.optim.matrix import MatrixOptimizer, PerArrayOptimizer
from optimlab.optim.momentum import Momentum
from optimlab.optim.muon import Muon
from optimlab.optim.nadam import NAdam
from optimlab.optim.nesterov import Nesterov
from optimlab.optim.newton import Newton
from optimlab.optim.novograd import NovoGrad
from optimlab.optim.radam import RAdam
from optimlab.optim.rmsprop import RMSprop
from optimlab.optim.rprop import Rprop
from optimlab.optim.rules import Rule, RuleStep, rule
from optimlab.optim.schedule_free import ScheduleFreeAdamW, ScheduleFreeSGD
from optimlab.optim.sgd import SGD
from optimlab.optim.soap import SOAP
from optimlab.optim.yogi import Yogi

OPTIMIZERS = {
    cls.__name__: cls
    for cls in (
        SGD,
        Momentum,
        Nesterov,
        Adagrad,
        RMSprop,
        Adadelta,
        Adam,
        AdamW,
        NAdam,
        RAdam,
        Lion,
        Newton,
        Adamax,
        ASGD,
        Rprop,
        AdaBelief,
        Yogi,
        ScheduleFreeSGD,
        ScheduleFreeAdamW,
        LAMB,
        LARS,
        NovoGrad,
        Adafactor,
        Muon,
        SOAP,
        LBFGS,
    )
}
"""Every optimizer class by name."""

__all__ = [
    "ASGD",
    "LAMB",
    "LARS",
    "LBFGS",
    "OPTIMIZERS",
    "SGD",
    "SOAP",
    "AdaBelief",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "ElementwiseOptimizer",
    "Hyper",
    "Lion",
    "MatrixOptimizer",
    "Momentum",
    "Muon",
    "NAdam",
    "Nesterov",
    "Newton",
    "NovoGrad",
    "Optimizer",
    "Option",
    "PerArrayOptimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "Rule",
    "RuleStep",
    "ScheduleFreeAdamW",
    "ScheduleFreeSGD",
    "Yogi",
    "apply_nonfinite_policy",
    "flat_view",
    "has_nonfinite",
    "packed",
    "parallel_threads",
    "parallel_threshold",
    "rule",
    "set_parallel_threshold",
]
