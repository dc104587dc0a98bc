"""Landscapes by name, for the command line and configuration files."""

from __future__ import annotations

import inspect

from optimlab.landscapes.base import Landscape
from optimlab.landscapes.beale import Beale
from optimlab.landscapes.booth import Booth
from optimlab.landscapes.himmelblau import Himmelblau
from optimlab.landscapes.quadratic import Quadratic
from optimlab.landscapes.rastrigin import Rastrigin
from optimlab.landscapes.rosenbrock import Rosenbrock
from optimlab.landscapes.saddle import Saddle
from optimlab.landscapes.two_basin import TwoBasin

_CLASSES: dict[str, type[Landscape]] = {
    cls.name: cls
    for cls in (Quadratic, Rosenbrock, Beale, Booth, Himmelblau, Saddle, TwoBasin, Rastrigin)
}

LANDSCAPES: tuple[str, ...] = tuple(_CLASSES)


def _normalise(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


_BY_KEY = {_normalise(name): cls for name, cls in _CLASSES.items()}


def get_landscape(name: str, **kwargs: object) -> Landscape:
    """Build the landscape called ``name`` (case, ``-`` and ``_`` ignored) with ``kwargs``.

    Example:
        >>> get_landscape("rosenbrock", start=(-2, 2)).start
        array([-2.,  2.])

    Raises:
        ValueError: for an unknown name or argument, listing the valid ones.
    """
    cls = _BY_KEY.get(_normalise(name)) if isinstance(name, str) else None
    if cls is None:
        raise ValueError(f"unknown landscape {name!r}; valid names: {', '.join(LANDSCAPES)}")
    accepted = list(inspect.signature(cls).parameters)
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise ValueError(
            f"{cls.name} takes no argument {', '.join(unknown)}; valid arguments: "
            f"{', '.join(accepted)}"
        )
    return cls(**kwargs)
