"""The base of optimizers whose update is not value by value.

`optimlab.optim.ElementwiseOptimizer` runs a scalar rule on every value. The optimizers here
need more of an array at once: a norm per layer (LAMB's and LARS's trust ratio, NovoGrad's
second moment), factored statistics (Adafactor's row and column averages), matrix products
(Muon's orthogonalisation, SOAP's eigenbases), or every parameter as one vector (L-BFGS).
Their state arrays have any shape: a row vector, a matrix per dimension, a history of
vectors. They derive from one of two small bases:

* `MatrixOptimizer` keeps named state arrays ("slots") of any shape, per parameter array or
  for the whole optimizer, and shows them by name (`state`); `state_dict` and
  `load_state_dict` save and check them like any other state. L-BFGS derives from it.
* `PerArrayOptimizer` adds the loop: its `_update_array` updates one parameter array from
  its gradient, array after array (LAMB, LARS, NovoGrad, Adafactor, Muon, SOAP).
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

import numpy as np

from optimlab.optim.base import Optimizer
from optimlab.optim.tree import Tree, rebuild


class MatrixOptimizer(Optimizer):
    """An optimizer whose state arrays have any shape.

    A subclass allocates its state in `_setup` with `_allocate_slot` (one array per name and
    parameter array) or `_allocate_global` (one array for the whole optimizer), reads it back
    with `_slot`, and implements `_update`.
    """

    def __init__(self, params: Tree, *args: Any, **kwargs: Any) -> None:
        self._per_array_slots: dict[str, list[np.ndarray | None]] = {}
        self._global_slots: list[str] = []
        super().__init__(params, *args, **kwargs)

    def _allocate_slot(
        self, name: str, index: int, shape: tuple[int, ...], fill: float = 0.0
    ) -> np.ndarray:
        """Create state ``name`` of parameter array ``index`` (saved as ``state/name/PARAM``)."""
        slots = self._per_array_slots.setdefault(name, [None] * len(self._arrays))
        array = np.full(shape, fill, dtype=self._dtype)
        slots[index] = array
        param = self._names[index]
        self._state[f"{name}/{param}" if param else name] = array
        return array

    def _allocate_global(self, name: str, shape: tuple[int, ...], fill: float = 0.0) -> np.ndarray:
        """Create state ``name`` of the whole optimizer (saved as ``state/name``)."""
        array = np.full(shape, fill, dtype=self._dtype)
        self._state[name] = array
        self._global_slots.append(name)
        return array

    def _slot(self, name: str, index: int) -> np.ndarray:
        """State ``name`` of parameter array ``index``."""
        return self._per_array_slots[name][index]

    def _has_slot(self, name: str, index: int) -> bool:
        return name in self._per_array_slots and self._per_array_slots[name][index] is not None

    @property
    def state(self) -> dict[str, Any]:
        """The state arrays by name: per-array state shaped like ``params`` (None for arrays
        without it, e.g. Adafactor's row averages of a vector), whole-optimizer state as one
        array. The arrays themselves: read them, don't resize them."""
        out: dict[str, Any] = {
            name: rebuild(self.params, slots) for name, slots in self._per_array_slots.items()
        }
        return out | {name: self._state[name] for name in self._global_slots}

    def _gradient(self, g: np.ndarray) -> np.ndarray:
        """A gradient array in the parameters' dtype (a copy only when the dtype differs)."""
        return np.asarray(g, dtype=self._dtype)


class PerArrayOptimizer(MatrixOptimizer):
    """A `MatrixOptimizer` that updates each parameter array on its own."""

    def _update(
        self, g_arrays: list[np.ndarray], g_flat: np.ndarray | None, lr: float, extra: tuple
    ) -> bool:
        t = self.step_count + 1
        for index, (p, g) in enumerate(zip(self._arrays, g_arrays)):
            self._update_array(index, p, self._gradient(g), lr, t)
        return True

    @abstractmethod
    def _update_array(self, index: int, p: np.ndarray, g: np.ndarray, lr: float, t: int) -> None:
        """Apply update number ``t`` at rate ``lr`` to parameter array ``index`` (``p``, in
        place) from its gradient ``g`` (checked, in the parameters' dtype)."""


def norm(x: np.ndarray) -> float:
    """The Euclidean (Frobenius) norm of all the values of ``x``."""
    flat = x.reshape(-1)
    return float(np.sqrt(np.dot(flat, flat)))


__all__ = ["MatrixOptimizer", "PerArrayOptimizer", "norm"]
