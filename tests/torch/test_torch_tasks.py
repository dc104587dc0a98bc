"""The task protocol: a user's make_task(seed), by module or by file, its checks, its
fingerprint in the run key, DataLoaders, and sweeps that store and resume task runs."""

from __future__ import annotations

import dataclasses
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from optimlab.lab.experiment import RunSpec, check_task, run  # noqa: E402
from optimlab.lab.store import RunStore  # noqa: E402
from optimlab.lab.sweep import sweep  # noqa: E402
from optimlab.lab.task_source import parse_task, resolve_task, task_identity  # noqa: E402
from optimlab.torch import Task, lab  # noqa: E402

TASK_FILE = """
import torch
from optimlab.torch import Task


def data(seed, n=120):
    generator = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 4, generator=generator, dtype=torch.float64)
    y = (X[:, 0] - 0.5 * X[:, 1] > 0).long()
    return X, y


def model():
    return torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2)
    ).double()


def accuracy(outputs, targets):
    return (outputs.argmax(dim=1) == targets).double().mean().item()


def make_task(seed):
    X, y = data(seed)
    return Task(model(), (X[:90], y[:90]), (X[90:], y[90:]),
                torch.nn.functional.cross_entropy, accuracy, kind="multiclass")


def loader_task(seed):
    X, y = data(seed)
    train = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(X[:90], y[:90]),
                                        batch_size=90)
    return Task(model(), train, (X[90:], y[90:]), torch.nn.functional.cross_entropy,
                accuracy, kind="multiclass")


class Stream(torch.utils.data.IterableDataset):
    def __iter__(self):
        X, y = data(0)
        return iter(zip(X, y))


def stream_task(seed):
    task = make_task(seed)
    task.train = torch.utils.data.DataLoader(Stream(), batch_size=10)
    return task


def not_a_task(seed):
    return {"model": model()}


def iterator_task(seed):
    task = make_task(seed)
    task.train = iter([task.train])
    return task


def vector_loss_task(seed):
    task = make_task(seed)
    task.loss = lambda out, y: torch.nn.functional.cross_entropy(out, y, reduction="none")
    return task


def failing_task(seed):
    raise RuntimeError("the data server is down")


not_callable = 3
"""


@pytest.fixture
def task_file(tmp_path, monkeypatch):
    """A task file in a fresh folder, the current folder (as a user runs the command)."""
    path = tmp_path / "mytasks.py"
    path.write_text(TASK_FILE)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "mytasks", raising=False)
    yield path
    sys.modules.pop("mytasks", None)


def test_a_users_task_runs_by_module_and_by_file_with_the_same_result(task_file):
    by_module = run(RunSpec(task="mytasks:make_task", optimizer="Adam", epochs=2, batch_size=30))
    by_file = run(RunSpec(task=f"{task_file}:make_task", optimizer="Adam", epochs=2, batch_size=30))
    assert by_module.history.loss == by_file.history.loss
    assert by_module.history.iterations == 2 * 3 and by_module.history.metric == "accuracy"
    # the same content gives the same key, wherever the file is
    assert by_module.spec.key() == by_file.spec.key()


def test_the_key_holds_the_task_files_fingerprint(task_file, tmp_path):
    spec = RunSpec(task="mytasks:make_task")
    before = spec.key()
    assert task_identity("mytasks:make_task").startswith("sha256=")
    assert task_identity("torch:digits_cnn") == "torch:digits_cnn"
    copy = tmp_path / "elsewhere" / "copy.py"
    copy.parent.mkdir()
    copy.write_text(task_file.read_text())
    assert RunSpec(task=f"{copy}:make_task").key() == before
    task_file.write_text(TASK_FILE + "\n# edited\n")
    assert spec.key() != before  # an edited file: its runs are not reused
    assert RunSpec(task="mytasks:loader_task").key() != spec.key()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nosuchmodule:make_task", "importing nosuchmodule failed: ModuleNotFoundError"),
        ("mytasks:missing", "mytasks has no 'missing'"),
        ("mytasks:not_callable", "not a function of the seed"),
        ("mytasks:not_a_task", "returned dict, not an optimlab.torch.Task"),
        ("mytasks:iterator_task", "is an iterator, used up after one epoch"),
        ("mytasks:vector_loss_task", "must return a one-element tensor"),
        ("mytasks:stream_task", "train has no length"),
        ("mytasks:failing_task", "make_task\\(0\\) failed: RuntimeError: the data server is down"),
        ("missing.py:make_task", "task file not found"),
        ("torch:cnn", "unknown built-in task 'torch:cnn'"),
        ("torch:mlp:nosuchdata", "unknown built-in task"),
        ("torch:logistic:diabetes", "logistic regression needs classification data"),
    ],
)
def test_a_task_that_cannot_be_used_is_refused_in_one_line(task_file, name, message):
    spec = RunSpec(task=name, optimizer="SGD")
    with pytest.raises(ValueError, match=message) as error:
        check_task(spec)
    assert "\n" not in str(error.value)


def test_task_names_are_taken_apart_without_importing_anything():
    assert parse_task("torch:mlp:moons") == ("builtin", "mlp:moons", "")
    assert parse_task("pkg.tasks:make") == ("module", "pkg.tasks", "make")
    assert parse_task("C:/work/tasks.py:make") == ("file", "C:/work/tasks.py", "make")
    for bad in ("make_task", "pkg:", ":make", "a b:make", "pkg:make-task"):
        with pytest.raises(ValueError, match="Invalid task"):
            parse_task(bad)
    with pytest.raises(TypeError, match="task must be a name"):
        parse_task(3)
    assert callable(resolve_task("torch:digits_cnn"))


def test_a_dataloader_task_makes_its_own_batches(task_file):
    """One batch of all 90 samples from the loader, or the whole tensors as one full batch:
    the same run."""
    loader = run(RunSpec(task="mytasks:loader_task", optimizer="SGD", lr=0.1, epochs=3))
    tensors = run(
        RunSpec(task="mytasks:make_task", optimizer="SGD", lr=0.1, epochs=3, batch_size=None)
    )
    assert loader.history.iterations == 3
    np.testing.assert_allclose(loader.history.loss, tensors.history.loss, rtol=1e-15)
    assert loader.notes and "DataLoader" in loader.notes[0]
    assert lab.iterations_per_epoch(loader.spec) == 1


def test_a_task_can_be_checked_directly():
    from optimlab.torch.task import check_task as check

    made = lab.load_task(RunSpec(task="torch:logistic:iris", seed=4))
    assert isinstance(made, Task) and check(made, "iris") is made
    bad = dataclasses.replace(made, loss_factor=-1.0)
    with pytest.raises(ValueError, match="loss_factor must be a finite number > 0"):
        check(bad, "iris")
    with pytest.raises(ValueError, match="kind"):
        check(dataclasses.replace(made, kind="images"), "iris")
    with pytest.raises(ValueError, match="same number of rows"):
        check(dataclasses.replace(made, val=(made.val[0], made.val[1][:3])), "iris")
    half = made.model.half()
    with pytest.raises(ValueError, match="float32 or float64"):
        check(dataclasses.replace(made, model=half), "iris")


def test_a_sweep_of_a_task_stores_its_runs_and_resumes_from_them(tmp_path):
    base = RunSpec(task="torch:logistic:iris", epochs=1, batch_size=32)
    store = tmp_path / "runs.sqlite"
    first = sweep(base, ["SGD", "Adam"], [0.01, 0.1], (0, 1), store=store)
    assert (first.computed, first.reused) == (2 * 2 + 2, 0)
    again = sweep(base, ["SGD", "Adam"], [0.01, 0.1], (0, 1), store=store)
    assert (again.computed, again.reused) == (0, 6)
    assert again.table() == first.table()
    with RunStore(store) as runs:
        stored = runs.results()
    assert {r.spec.task for r in stored} == {"torch:logistic:iris"}
    assert all(r.history.epochs == 1 and r.diagnosis["label"] for r in stored)
    assert first.iterations_per_epoch == 4  # ceil(120 / 32)
    assert first.write(tmp_path / "out").exists()
    assert (
        "optimlab sweep on task torch:logistic:iris" in (tmp_path / "out/report.html").read_text()
    )


def test_a_sweep_of_a_task_runs_in_worker_processes(tmp_path):
    """Forked workers compute on one torch thread (torch's thread pool, started in the
    parent by the task's check, would make them wait forever)."""
    base = RunSpec(task="torch:logistic:breast_cancer", epochs=1)
    result = sweep(base, ["SGD", "Adam"], [0.01, 0.1], (0,), store=tmp_path / "s.sqlite", jobs=2)
    inline = sweep(base, ["SGD", "Adam"], [0.01, 0.1], (0,), store=tmp_path / "i.sqlite")
    assert result.computed == 4 and result.sensitivity() == inline.sensitivity()
