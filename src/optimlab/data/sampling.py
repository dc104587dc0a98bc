"""Which samples each iteration uses: full batch, stochastic, mini-batch, or online SGD.

In the terms of the lecture slides "Optimization Algorithms in Deep Learning" (R. Yadav,
IIT Mandi, 2025): an *iteration* is one parameter update on one batch; an *epoch* is one
pass over the whole data set. In the epoch modes the data are shuffled at the start of each
epoch and cut into batches, each sample used once per epoch (sampling *without
replacement*), so an epoch has ``ceil(N / b)`` iterations (``floor(N / b)`` when the last,
partial batch is dropped). Online SGD instead draws every batch at random *with
replacement*: a sample can come back before others are seen, and there are no epochs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from optimlab.data._rng import Seed, as_rng
from optimlab.data.validation import check_positive_int

SAMPLING_MODES = ("full", "stochastic", "minibatch", "online")

_ONLINE_DRAWS = 4096  # indices drawn at once in online mode (refilled as they are used)


class BatchSampler:
    """Index arrays, one per iteration, for any of the four sampling modes.

    ================ ========== ===========================================================
    mode             batch size each epoch / each iteration
    ================ ========== ===========================================================
    ``"full"``       N          one batch of all samples, ``arange(N)`` (batch GD)
    ``"stochastic"`` 1          a new permutation; one sample per iteration (SGD)
    ``"minibatch"``  b          a new permutation cut into batches of b, the last one
                                shorter unless ``drop_last`` (mini-batch GD)
    ``"online"``     b (def. 1) b indices drawn uniformly with replacement; no epochs
    ================ ========== ===========================================================

    With ``mode=None`` the mode follows ``batch_size``: None -> ``"full"``, 1 ->
    ``"stochastic"``, other -> ``"minibatch"``; ``"online"`` must be asked for.

    The sampler is one stream of batches: `epoch` yields the batches up to the end of the
    current epoch, `iterations` yields a number of batches across epochs, and both carry on
    where the other stopped. Batches are read-only slices of one index array (no copies),
    valid until the sampler moves past them. The same seed gives the same batches, and
    `state_dict` / `load_state_dict` resume a stream exactly.

    Args:
        n_samples: N, the number of training samples (>= 1).
        batch_size: b; None means N for ``"full"``, 1 for ``"stochastic"`` and ``"online"``.
        mode: one of `SAMPLING_MODES`, or None to follow ``batch_size``.
        drop_last: skip the last, partial batch of each epoch (``"minibatch"``).
        seed: int, Generator (used and advanced) or None.

    Example:
        >>> sampler = BatchSampler(10, batch_size=4, seed=0)
        >>> [len(batch) for batch in sampler.epoch()]
        [4, 4, 2]
    """

    def __init__(
        self,
        n_samples: int,
        batch_size: int | None = None,
        mode: str | None = None,
        drop_last: bool = False,
        seed: Seed = None,
    ) -> None:
        if not isinstance(n_samples, bool) and n_samples == 0:
            raise ValueError("n_samples=0: there is no data to sample; check the training set")
        self.n_samples = check_positive_int(n_samples, "n_samples")
        if batch_size is not None:
            batch_size = check_positive_int(batch_size, "batch_size")
        self.mode = _resolve_mode(mode, batch_size)
        self.batch_size = _resolve_batch_size(self.mode, batch_size, self.n_samples)
        if self.mode == "online" and drop_last:
            raise ValueError(
                "drop_last=True does not apply to mode='online': it has no epochs and every "
                "batch is full"
            )
        self.drop_last = bool(drop_last)
        self._rng = as_rng(seed)
        self._order = np.empty(0, dtype=np.int64)
        self._position = 0
        self._stop = 0
        if self.mode == "online":
            self._epoch_stop = None
        elif self.drop_last:
            self._epoch_stop = self.n_samples - self.n_samples % self.batch_size
        else:
            self._epoch_stop = self.n_samples

    @property
    def iterations_per_epoch(self) -> int | None:
        """``ceil(N / b)``, or ``floor(N / b)`` with ``drop_last``; None for ``"online"``."""
        if self.mode == "online":
            return None
        return -(-self._epoch_stop // self.batch_size)

    def epoch(self) -> Iterator[np.ndarray]:
        """Yield the index arrays up to the end of the current epoch.

        That is a whole epoch, unless `iterations` stopped part-way through one: then the
        rest of that epoch. Not available in ``"online"`` mode, which has no epochs.
        """
        self._require_epochs("epoch")
        if self._position >= self._stop:
            self._refill()
        return self._until_epoch_end()

    def iterations(self, k: int) -> Iterator[np.ndarray]:
        """Yield ``k`` index arrays, one per iteration, starting new epochs as needed."""
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
            raise ValueError(f"k (the number of iterations) must be an integer >= 0, got {k!r}")
        return self._next(int(k))

    def epoch_indices(self) -> np.ndarray:
        """Return the indices of the rest of the current epoch as one array, in batch order.

        Equal to concatenating what `epoch` would yield (batch i is the i-th slice of
        ``batch_size``), for loops that walk the batches themselves, such as a compiled
        per-sample SGD loop. Advances the sampler to the end of the epoch.
        """
        self._require_epochs("epoch_indices")
        if self._position >= self._stop:
            self._refill()
        indices = self._order[self._position : self._stop]
        self._position = self._stop
        return indices

    def state_dict(self) -> dict[str, Any]:
        """The sampler's position as plain values; `load_state_dict` resumes from it exactly."""
        return {
            "mode": self.mode,
            "n_samples": self.n_samples,
            "batch_size": self.batch_size,
            "drop_last": self.drop_last,
            "rng_state": self._rng.bit_generator.state,
            "order": self._order.copy(),
            "position": self._position,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Resume from `state_dict`'s output; the settings must match this sampler's."""
        for key in ("mode", "n_samples", "batch_size", "drop_last"):
            if state[key] != getattr(self, key):
                raise ValueError(
                    f"cannot load a sampler state with {key}={state[key]!r} into a sampler "
                    f"with {key}={getattr(self, key)!r}"
                )
        self._rng.bit_generator.state = state["rng_state"]
        self._order = _read_only(np.array(state["order"], dtype=np.int64))
        self._position = int(state["position"])
        if not len(self._order):  # saved before the first batch
            self._stop = 0
        else:
            self._stop = len(self._order) if self.mode == "online" else self._epoch_stop

    def _require_epochs(self, method: str) -> None:
        if self.mode == "online":
            raise ValueError(
                f"{method}() is not available in mode='online': it samples with replacement "
                "and has no epochs; use iterations(k)"
            )

    def _refill(self) -> None:
        """Start a new epoch (a new permutation) or, online, draw the next indices."""
        if self.mode == "online":
            draws = max(1, _ONLINE_DRAWS // self.batch_size) * self.batch_size
            self._order = _read_only(self._rng.integers(0, self.n_samples, size=draws))
            self._stop = draws
        else:
            if self.mode == "full":
                order = np.arange(self.n_samples)
            else:
                order = self._rng.permutation(self.n_samples)
            self._order = _read_only(order)
            self._stop = self._epoch_stop
        self._position = 0

    def _until_epoch_end(self) -> Iterator[np.ndarray]:
        order, b, stop = self._order, self.batch_size, self._stop
        while self._position < stop:
            start = self._position
            self._position = start + b
            yield order[start : start + b]

    def _next(self, k: int) -> Iterator[np.ndarray]:
        b = self.batch_size
        while k > 0:
            if self._position >= self._stop:
                self._refill()
            order, stop = self._order, self._stop
            while k > 0 and self._position < stop:
                start = self._position
                self._position = start + b
                k -= 1
                yield order[start : start + b]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _resolve_mode(mode: str | None, batch_size: int | None) -> str:
    if mode is None:
        return "full" if batch_size is None else "stochastic" if batch_size == 1 else "minibatch"
    if mode not in SAMPLING_MODES:
        raise ValueError(
            f"mode must be one of {', '.join(map(repr, SAMPLING_MODES))}, got {mode!r}"
        )
    return mode


def _resolve_batch_size(mode: str, batch_size: int | None, n_samples: int) -> int:
    if mode == "full":
        if batch_size not in (None, n_samples):
            raise ValueError(
                f"mode='full' uses all n_samples={n_samples} samples in every batch, got "
                f"batch_size={batch_size}; leave batch_size=None, or use mode='minibatch'"
            )
        return n_samples
    if mode == "stochastic":
        if batch_size not in (None, 1):
            raise ValueError(
                f"mode='stochastic' uses one sample per iteration, got batch_size={batch_size}; "
                "leave batch_size=None, or use mode='minibatch'"
            )
        return 1
    if batch_size is None:
        if mode == "minibatch":
            raise ValueError("mode='minibatch' needs a batch_size (an integer, e.g. 32)")
        return 1
    if batch_size > n_samples:
        raise ValueError(
            f"batch_size={batch_size} is larger than n_samples={n_samples}; use "
            f"batch_size <= {n_samples}, or mode='full' for one batch of all samples"
        )
    return batch_size
