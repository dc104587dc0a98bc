"""Every optimizer with representative settings: the tables the generic tests run.

FIRST_ORDER holds the elementwise optimizers (every generic test: fused against NumPy, the
outside engine, state round trips, refusals). MATRIX holds the others (per-array or
whole-vector rules: LAMB, LARS, NovoGrad, Adafactor, Muon, SOAP, L-BFGS), which the generic
tests of tests/optim/test_matrix_generic.py run through a closure on arrays of several
shapes, 2-D ones included.
"""

from __future__ import annotations

from optimlab import optim

FIRST_ORDER = [
    ("SGD", optim.SGD, {"lr": 0.05}),
    (
        "SGD-momentum-nesterov-wd",
        optim.SGD,
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
    ),
    ("SGD-keras-momentum", optim.SGD, {"lr": 0.05, "momentum": 0.9, "convention": "keras"}),
    ("Momentum-ema", optim.Momentum, {"lr": 0.05}),
    ("Momentum-classic", optim.Momentum, {"lr": 0.05, "form": "classic"}),
    ("Adagrad", optim.Adagrad, {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad-keras", optim.Adagrad, {"lr": 0.1, "convention": "keras"}),
    ("RMSprop", optim.RMSprop, {"lr": 0.01}),
    (
        "RMSprop-centered-momentum",
        optim.RMSprop,
        {"lr": 0.01, "centered": True, "momentum": 0.9, "weight_decay": 0.01},
    ),
    ("RMSprop-centered", optim.RMSprop, {"lr": 0.01, "centered": True}),
    ("RMSprop-momentum-keras", optim.RMSprop, {"lr": 0.01, "momentum": 0.5, "convention": "keras"}),
    ("Adadelta", optim.Adadelta, {"lr": 1.0}),
    ("Adam", optim.Adam, {"lr": 0.01}),
    ("Adam-amsgrad-wd", optim.Adam, {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
    ("Adam-keras", optim.Adam, {"lr": 0.01, "convention": "keras"}),
    ("AdamW", optim.AdamW, {"lr": 0.01}),
    ("NAdam", optim.NAdam, {"lr": 0.01}),
    ("RAdam", optim.RAdam, {"lr": 0.01}),
    ("Lion", optim.Lion, {"lr": 0.001, "weight_decay": 0.1}),
    ("Adamax", optim.Adamax, {"lr": 0.01, "weight_decay": 0.01}),
    ("ASGD", optim.ASGD, {"lr": 0.01, "lambd": 0.01, "t0": 3.0}),
    ("Rprop", optim.Rprop, {"lr": 0.01}),
    ("AdaBelief", optim.AdaBelief, {"lr": 0.01}),
    ("AdaBelief-nesterov", optim.AdaBelief, {"lr": 0.01, "nesterov": True}),
    ("Yogi", optim.Yogi, {"lr": 0.01}),
    ("ScheduleFreeSGD", optim.ScheduleFreeSGD, {"lr": 0.05, "weight_decay": 0.01}),
    ("ScheduleFreeAdamW", optim.ScheduleFreeAdamW, {"lr": 0.01, "warmup_steps": 3}),
]
IDS = [name for name, _, _ in FIRST_ORDER]

MATRIX = [
    ("LAMB", optim.LAMB, {"lr": 0.01, "weight_decay": 0.01}),
    ("LARS", optim.LARS, {"lr": 0.5, "weight_decay": 0.01, "nesterov": True}),
    ("NovoGrad", optim.NovoGrad, {"lr": 0.01, "weight_decay": 0.01}),
    ("Adafactor", optim.Adafactor, {"lr": 0.01, "weight_decay": 0.01}),
    ("Muon", optim.Muon, {"lr": 0.02}),
    ("Muon-full-precision", optim.Muon, {"lr": 0.02, "ns_precision": "full", "adamw_lr": 0.01}),
    ("SOAP", optim.SOAP, {"lr": 0.01, "precondition_frequency": 2}),
    ("LBFGS", optim.LBFGS, {"lr": 0.1, "max_iter": 3, "history_size": 4}),
    ("LBFGS-strong-wolfe", optim.LBFGS, {"max_iter": 3, "line_search_fn": "strong_wolfe"}),
]
MATRIX_IDS = [name for name, _, _ in MATRIX]
