"""An optimizer's arguments, declared once: `Hyper` for hyperparameters, `Option` for choices.

Each argument of an optimizer is one class attribute that says everything about it: its
check (from `optimlab.checks`), its default under each convention, whether it is
positional or keyword-only, and whether Keras has it::

    class Adam(ElementwiseOptimizer):
        lr = Hyper(checks.learning_rate, 1e-3)
        betas = Hyper(checks.betas, (0.9, 0.999))
        eps = Hyper(checks.positive, 1e-8, keras=1e-7)
        weight_decay = Hyper(checks.nonnegative, 0.0)
        amsgrad = Option(checks.flag, False)
        maximize = Option(checks.flag, False, keyword_only=True, pytorch_only=True)

From these `optimlab.optim.Optimizer` builds the constructor's signature (PyTorch's
positional order), fills defaults by convention, validates every value, refuses
PyTorch-only settings under Keras, and knows what `state_dict` saves. A subclass overrides a
declaration by repeating its name (AdamW changes weight_decay's default and fixes
decoupled_weight_decay to True).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["MISSING", "Field", "Hyper", "Option"]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""Marks an argument the caller did not give (its convention's default applies)."""


class Field:
    """One declared argument of an optimizer.

    Args:
        check: ``check(name, value) -> clean value`` (raises naming the argument).
        default: the default under the PyTorch convention.
        keras: the default under the Keras convention (default: the same).
        keyword_only: the argument comes after ``*`` in the signature.
        pytorch_only: refused under ``convention="keras"`` unless left at a false value.
        fixed: not an argument at all: always ``default`` (e.g. AdamW's decoupled decay).
    """

    def __init__(
        self,
        check: Callable[[str, Any], Any],
        default: Any,
        *,
        keras: Any = MISSING,
        keyword_only: bool = False,
        pytorch_only: bool = False,
        fixed: bool = False,
    ) -> None:
        self.check = check
        self.default = default
        self.keras = default if keras is MISSING else keras
        self.keyword_only = keyword_only
        self.pytorch_only = pytorch_only
        self.fixed = fixed
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name}, default={self.default!r})"

    def default_for(self, convention: str) -> Any:
        """The default under ``convention``."""
        return self.keras if convention == "keras" else self.default

    def resolve(self, optimizer_name: str, convention: str, given: Any) -> Any:
        """The value to set: ``given``, or the convention's default when it is `MISSING`.

        Raises:
            ValueError: a PyTorch-only setting given a true value under Keras.
        """
        if given is MISSING or self.fixed:
            return self.default_for(convention)
        if self.pytorch_only and convention == "keras" and given:
            raise ValueError(
                f"Keras's {optimizer_name} has no {self.name}; use convention='pytorch' for it"
            )
        return given


class Hyper(Field):
    """A hyperparameter: validated whenever it is set, also between steps
    (``opt.lr = 0.01``), and saved by ``state_dict`` (unless it is a schedule).

    Reading it is a plain attribute lookup (the descriptor defines no ``__get__``), so the
    step pays nothing for the validation. Every assignment increments the owner's
    ``hyper_version``, so that coefficients computed from the hyperparameters can be reused
    until one of them changes.
    """

    saved = True

    def __set__(self, obj: Any, value: Any) -> None:
        state = obj.__dict__
        state[self.name] = self.check(self.name, value)
        state["hyper_version"] = state.get("hyper_version", 0) + 1


class Option(Field):
    """A structural choice fixed at construction (which rule, which state arrays): saved by
    ``state_dict`` and required to match when a state is loaded (``saved=False``: an
    initial value only, such as Adagrad's initial accumulator).
    """

    def __init__(self, *args: Any, saved: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saved = saved

    def __set__(self, obj: Any, value: Any) -> None:
        if self.name in obj.__dict__:
            raise AttributeError(
                f"{self.name} is fixed when the optimizer is built; build a new "
                f"{type(obj).__name__} with {self.name}={value!r}"
            )
        obj.__dict__[self.name] = self.check(self.name, value)
