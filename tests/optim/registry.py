"""Every first-order optimizer with representative settings: the table the generic tests run."""

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
]
IDS = [name for name, _, _ in FIRST_ORDER]
