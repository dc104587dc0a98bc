"""Where a PyTorch task comes from: its name, its import, its fingerprint (no torch needed).

A run of the lab on a torch model names its task (`RunSpec.task`) in one of three ways:

* ``"torch:NAME"`` or ``"torch:NAME:DATASET"``: a built-in task of `optimlab.torch.tasks`
  (``torch:digits_cnn``, ``torch:mlp:moons``, ``torch:logistic:breast_cancer``, ...);
* ``"package.module:make_task"``: a function in an importable module (the current folder
  is searched too, as ``python -m`` does);
* ``"path/to/file.py:make_task"``: a function in a Python file.

The function is called as ``make_task(seed)`` and returns an `optimlab.torch.Task`. A run's
key holds the built-in name, or the SHA-256 of the module's source file (not its path, as
for CSV data), so that editing the file gives new keys and stored runs are not reused.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from optimlab import checks
from optimlab.data import fingerprint

__all__ = [
    "BUILTIN_PREFIX",
    "TORCH_EXTRA",
    "TaskSource",
    "parse_task",
    "resolve_task",
    "task_identity",
    "torch_available",
]

#: The prefix of the built-in tasks' names.
BUILTIN_PREFIX = "torch:"
#: What a user without PyTorch is told.
TORCH_EXTRA = "needs the torch extra: pip install 'optimlab[torch]'"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_MODULE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


class TaskSource(NamedTuple):
    """A task name taken apart: ``kind`` is ``"builtin"``, ``"module"`` or ``"file"``;
    ``where`` the built-in's name (after ``torch:``), the module or the file's path;
    ``attribute`` the function's name (empty for a built-in)."""

    kind: str
    where: str
    attribute: str


def torch_available() -> bool:
    """True when PyTorch can be imported (checked without importing it)."""
    return importlib.util.find_spec("torch") is not None


def parse_task(name: Any) -> TaskSource:
    """Take a task name apart, checking its form only (nothing is imported).

    Raises:
        ArgumentTypeError: ``name`` is not a string.
        ValueError: it is none of the three forms.
    """
    if not isinstance(name, str):
        raise checks.ArgumentTypeError(
            f"Invalid task: {name!r}; task must be a name such as 'torch:digits_cnn' or "
            "'package.module:make_task'"
        )
    if name.startswith(BUILTIN_PREFIX):
        builtin = name[len(BUILTIN_PREFIX) :]
        if not builtin:
            raise ValueError(f"Invalid task: {name!r}; name a built-in task, e.g. torch:digits_cnn")
        return TaskSource("builtin", builtin, "")
    where, colon, attribute = name.rpartition(":")
    if not colon or not where or not _IDENTIFIER.fullmatch(attribute):
        raise ValueError(
            f"Invalid task: {name!r}; write MODULE:FUNCTION (e.g. mytasks:make_task), "
            "FILE.py:FUNCTION (e.g. tasks/cnn.py:make_task) or a built-in torch:NAME"
        )
    if where.endswith(".py"):
        return TaskSource("file", where, attribute)
    if not _MODULE.fullmatch(where):
        raise ValueError(
            f"Invalid task: {name!r}; {where!r} is neither a module name (package.module) "
            "nor a Python file (ending in .py)"
        )
    return TaskSource("module", where, attribute)


def task_identity(name: str) -> str:
    """What a run key holds for the task: a built-in's name, or ``sha256=DIGEST:FUNCTION``
    for a user's task, DIGEST the hash of its module's source file.

    Raises:
        ValueError: the module or file cannot be found.
    """
    source = parse_task(name)
    if source.kind == "builtin":
        return name
    return f"sha256={fingerprint(_source_file(source))}:{source.attribute}"


def resolve_task(name: str) -> Callable[[int], Any]:
    """The ``make_task`` function a task name points to (importing its module).

    Raises:
        ValueError: the module or file cannot be imported, has no such function, or it is
            not callable; the message is one line naming the task.
    """
    source = parse_task(name)
    if source.kind == "builtin":
        from optimlab.torch import tasks

        return tasks.builtin(source.where)
    module = _import(source, name)
    function = getattr(module, source.attribute, None)
    if function is None:
        raise ValueError(
            f"task {name!r}: {source.where} has no {source.attribute!r}; define "
            f"def {source.attribute}(seed): ... returning an optimlab.torch.Task"
        )
    if not callable(function):
        raise ValueError(
            f"task {name!r}: {source.attribute} is a {type(function).__name__}, not a "
            "function of the seed returning an optimlab.torch.Task"
        )
    return function


def _source_file(source: TaskSource) -> Path:
    """The file a user's task lives in."""
    if source.kind == "file":
        path = Path(source.where)
        if not path.is_file():
            raise ValueError(f"task file not found: {source.where!r}")
        return path
    with _current_folder_importable():
        try:
            spec = importlib.util.find_spec(source.where)
        except (ImportError, ValueError) as error:
            raise ValueError(f"cannot find the task module {source.where!r}: {error}") from None
    if spec is None:
        raise ValueError(
            f"cannot find the task module {source.where!r}; check its name, or give the file "
            "instead (path/to/file.py:FUNCTION)"
        )
    if spec.origin is None or not os.path.isfile(spec.origin):
        raise ValueError(f"the task module {source.where!r} has no source file to identify it by")
    return Path(spec.origin)


def _import(source: TaskSource, name: str) -> Any:
    """The task's module, imported (a file is loaded under a name derived from its path)."""
    try:
        if source.kind == "module":
            with _current_folder_importable():
                return importlib.import_module(source.where)
        path = _source_file(source).resolve()
        module_name = "optimlab_task_" + re.sub(r"\W", "_", str(path))
        if module_name in sys.modules:
            return sys.modules[module_name]
        spec = importlib.util.spec_from_file_location(module_name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            del sys.modules[module_name]
            raise
        return module
    except ValueError:
        raise
    except Exception as error:  # the user's module failed to import: say so in one line
        message = " ".join(str(error).split()) or type(error).__name__
        raise ValueError(
            f"task {name!r}: importing {source.where} failed: {type(error).__name__}: {message}"
        ) from None


@contextlib.contextmanager
def _current_folder_importable() -> Iterator[None]:
    """The current folder first on ``sys.path`` while importing (as ``python -m`` and
    ``python script.py`` have it), taken off again after."""
    folder = os.getcwd()
    added = folder not in sys.path and "" not in sys.path
    if added:
        sys.path.insert(0, folder)
    try:
        yield
    finally:
        if added and folder in sys.path:
            sys.path.remove(folder)
