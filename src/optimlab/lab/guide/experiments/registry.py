"""Every experiment of the guide by name, in the order the guide runs them."""

from __future__ import annotations

from types import ModuleType

from optimlab.lab.guide.experiments import (
    basins,
    batch_size,
    builtin,
    cost,
    data_size,
    generalization,
    noise,
    shift,
    sparse,
    step_size,
)

EXPERIMENTS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (
        cost,
        step_size,
        noise,
        data_size,
        basins,
        batch_size,
        generalization,
        sparse,
        shift,
        builtin,
    )
}
