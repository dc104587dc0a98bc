"""The lab on torch models: runs of built-in tasks against the NumPy runs they mirror (the
two worlds tested against each other), and the run's protocol on a task."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from optimlab.lab.experiment import RunSpec, run  # noqa: E402
from optimlab.lab.lr_find_run import run_lr_find  # noqa: E402
from optimlab.torch import lab  # noqa: E402

SERIES = ("loss", "grad_norm", "epoch_train_loss", "epoch_val_loss")

# (NumPy data set and model, the torch task that mirrors it, the shared settings)
CROSS_CHECKS = {
    "logistic-SGD": ("breast_cancer", "auto", "torch:logistic:breast_cancer", {"optimizer": "SGD"}),
    "softmax-RMSprop": (
        "iris",
        "auto",
        "torch:logistic:iris",
        {"optimizer": "RMSprop", "batch_size": 16},
    ),
    "mlp-Adam": ("moons", "mlp", "torch:mlp:moons", {"optimizer": "Adam"}),
    "mlp-regression-schedule": (
        "diabetes",
        "mlp",
        "torch:mlp:diabetes",
        {"optimizer": "Adam", "schedule": "warmup_cosine"},
    ),
    "mlp-momentum-l2-clip-patience": (
        "moons",
        "mlp",
        "torch:mlp:moons",
        {
            "optimizer": "SGD",
            "lr": 0.3,
            "options": (("momentum", 0.9),),
            "epochs": 6,
            "l2": 0.01,
            "clip_norm": 0.5,
            "patience": 1,
            "schedule": "cosine",
        },
    ),
    "mlp-schedule-free": ("moons", "mlp", "torch:mlp:moons", {"optimizer": "ScheduleFreeAdamW"}),
    "logistic-Nesterov": (
        "breast_cancer",
        "auto",
        "torch:logistic:breast_cancer",
        {"optimizer": "Nesterov", "lr": 0.05},
    ),
    "logistic-LBFGS": (
        "breast_cancer",
        "auto",
        "torch:logistic:breast_cancer",
        {"optimizer": "LBFGS", "lr": 1.0, "batch_size": None, "options": (("max_iter", 5),)},
    ),
    "logistic-Newton": (
        "breast_cancer",
        "auto",
        "torch:logistic:breast_cancer",
        {"optimizer": "Newton", "lr": 1.0, "batch_size": None, "epochs": 3},
    ),
}


def relative(ours, reference) -> float:
    ours, reference = np.asarray(ours), np.asarray(reference)
    assert ours.shape == reference.shape
    if not reference.size:
        return 0.0
    return float(np.max(np.abs(ours - reference) / np.maximum(np.abs(reference), 1e-300)))


@pytest.mark.parametrize("case", list(CROSS_CHECKS))
def test_a_torch_run_gives_the_losses_of_the_numpy_run_it_mirrors(case):
    """Same initial weights, data, batch order and settings: every batch loss, gradient
    norm and epoch loss within 1e-10 (measured: at most 3e-14), the same rates and
    metrics, the same ending (early stopping at the same epoch)."""
    dataset, model, task, settings = CROSS_CHECKS[case]
    settings = {"epochs": 2, **settings}
    numpy_run = run(RunSpec(dataset=dataset, model=model, **settings))
    torch_run = run(RunSpec(task=task, **settings))
    ours, theirs = torch_run.history, numpy_run.history
    for name in SERIES:
        assert relative(getattr(ours, name), getattr(theirs, name)) <= 1e-10, name
    assert ours.lr == theirs.lr
    np.testing.assert_allclose(ours.epoch_val_metric, theirs.epoch_val_metric, rtol=1e-12)
    np.testing.assert_allclose(ours.epoch_train_metric, theirs.epoch_train_metric, rtol=1e-12)
    assert (ours.metric, ours.stop_reason, ours.best_epoch) == (
        theirs.metric,
        theirs.stop_reason,
        theirs.best_epoch,
    )
    assert ours.iterations == theirs.iterations > 0
    if settings.get("patience"):  # the case where it matters does stop early
        assert ours.stop_reason == "early_stopping" and ours.best_epoch < ours.epochs


def test_a_diverging_task_run_stops_and_says_what_to_try():
    result = run(RunSpec(task="torch:mlp:diabetes", optimizer="SGD", lr=50.0, epochs=2))
    assert result.history.diverged and "lower the learning rate" in result.history.message
    assert result.diagnosis["label"] == "diverged"


def test_the_range_test_on_a_task_gives_the_losses_of_the_numpy_test():
    settings = {"optimizer": "Adam", "seed": 3}
    test = {"iterations": 30, "burn_in": 3, "end": 1.0}
    numpy_test = run_lr_find(RunSpec(dataset="moons", model="mlp", **settings), **test)
    torch_test = run_lr_find(RunSpec(task="torch:mlp:moons", **settings), **test)
    assert relative(torch_test.result.losses, numpy_test.result.losses) <= 1e-10
    assert torch_test.result.suggestions == numpy_test.result.suggestions


def test_the_range_test_refuses_optimizers_that_step_with_a_closure():
    with pytest.raises(ValueError, match="steps with a closure"):
        run_lr_find(RunSpec(task="torch:logistic:iris", optimizer="LBFGS"), iterations=20)


def test_a_task_result_has_the_context_and_record_of_any_run():
    result = run(RunSpec(task="torch:digits_cnn", optimizer="Adam", epochs=1, batch_size=128))
    history = result.history
    assert history.metric == "accuracy" and history.epochs == 1
    assert history.iterations == math.ceil(1437 / 128) == lab.iterations_per_epoch(result.spec)
    assert 0.5 < history.epoch_val_metric[-1] <= 1.0  # a CNN learns digits in one epoch
    assert history.epoch_val_loss[-1] < history.loss[0]
    context = lab.task_context(result.spec, lr_grid=(0.001, 0.01))
    assert context.task == "multiclass" and context.n_samples == 1437
    assert context.n_params == sum(p.numel() for p in lab.load_task(result.spec).model.parameters())
    assert context.dataset == "torch:digits_cnn" and context.grid_position == "highest"
    summary = result.summary()
    assert (
        summary["label"] == "Adam(lr=0.01)"
        and summary["val_metric"] == history.epoch_val_metric[-1]
    )


def test_a_task_spec_round_trips_and_leaves_out_what_the_task_replaces():
    spec = RunSpec(task="torch:logistic:iris", optimizer="SGD", epochs=2, l2=0.01)
    values = spec.to_dict()
    assert values["task"] == "torch:logistic:iris" and values["device"] == "cpu"
    assert not {"dataset", "model", "hidden", "scale"} & set(values)
    assert RunSpec.from_dict(values) == spec
    assert spec.source == "task torch:logistic:iris"
    assert spec.key() != dataclasses.replace(spec, task="torch:mlp:iris").key()
    assert spec.key() == RunSpec.from_dict(values).key()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dataset": "digits"}, "dataset='digits' does not apply to it"),
        ({"hidden": (8,)}, r"hidden=\(8,\) does not apply"),
        ({"scale": False}, "scale=False does not apply"),
        ({"optimizer": "Newton", "clip_norm": 1.0}, "clip_norm does not apply"),
        ({"device": "gpu"}, "device must be 'cpu', 'cuda' or 'cuda:N'"),
        ({"task": "no module"}, "write MODULE:FUNCTION"),
        ({"task": "torch:"}, "name a built-in task"),
    ],
)
def test_task_specs_refuse_settings_that_do_not_apply(change, message):
    with pytest.raises(ValueError, match=message):
        RunSpec(**{"task": "torch:logistic:iris", **change})


def test_without_torch_a_task_says_which_extra_to_install(monkeypatch):
    from optimlab.lab import experiment

    monkeypatch.setattr(experiment, "torch_available", lambda: False)
    with pytest.raises(
        ImportError, match=r"needs the torch extra: pip install 'optimlab\[torch\]'"
    ):
        RunSpec(task="torch:digits_cnn")
    assert RunSpec(dataset="iris").task is None  # other specs do not need torch


def test_callbacks_are_refused_on_a_task_run():
    with pytest.raises(ValueError, match="takes none"):
        run(RunSpec(task="torch:logistic:iris", epochs=1), callbacks=[object()])


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is present")
def test_cuda_without_a_cuda_device_is_refused_before_any_work():
    with pytest.raises(ValueError, match=r"finds no CUDA device.*use device='cpu'"):
        run(RunSpec(task="torch:logistic:iris", device="cuda"))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA device")
def test_a_task_trains_on_cuda_as_on_the_cpu():
    settings = {"task": "torch:logistic:breast_cancer", "optimizer": "Adam", "epochs": 2}
    on_cpu = run(RunSpec(**settings)).history
    on_cuda = run(RunSpec(**settings, device="cuda")).history
    assert relative(on_cuda.epoch_val_loss, on_cpu.epoch_val_loss) <= 1e-10
