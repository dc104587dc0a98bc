"""The fused Numba path, the NumPy path, flat and per-array layouts all give the same iterates."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from optimlab import optim
from optimlab.optim import _pool
from optimlab.optim._kernels import HAVE_NUMBA
from tests.optim.registry import FIRST_ORDER, IDS

needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason="Numba is not installed")
SHAPES = {"W": (7, 5), "b": (5,), "c": (2, 3, 4)}


def gradient_sequence(dtype, steps, seed=0, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    return [
        {
            k: (rng.normal(size=s) * 10.0 ** rng.uniform(-2, 1)).astype(dtype)
            for k, s in shapes.items()
        }
        for _ in range(steps)
    ]


def initial(dtype, seed=1, shapes=SHAPES):
    rng = np.random.default_rng(seed)
    return {k: rng.normal(size=s).astype(dtype) for k, s in shapes.items()}


def run(cls, kwargs, params, grads, **options):
    opt = cls(params, **kwargs, **options)
    for g in grads:
        opt.step(g)
    return params


def relative_error(a, b):
    return max(np.abs(a[k] - b[k]).max() / np.abs(b[k]).max() for k in b)


@needs_numba
@pytest.mark.parametrize(("dtype", "tol"), [(np.float64, 1e-12), (np.float32, 1e-6)])
@pytest.mark.parametrize(("name", "cls", "kwargs"), FIRST_ORDER, ids=IDS)
def test_fused_equals_numpy(name, cls, kwargs, dtype, tol):
    grads = gradient_sequence(dtype, 30)
    fused = run(cls, kwargs, optim.packed(initial(dtype)), grads, fused=True)
    plain = run(cls, kwargs, initial(dtype), grads, fused=False)
    assert fused["W"].dtype == dtype
    assert relative_error(fused, plain) <= tol


@pytest.fixture
def parallel_from_1000(monkeypatch):
    """Buffers of 1000 values or more shared among the cores, in chunks of 100."""
    default = optim.parallel_threshold()
    optim.set_parallel_threshold(1000)
    monkeypatch.setattr(_pool, "CHUNK", 100)
    yield
    optim.set_parallel_threshold(default)


@needs_numba
@pytest.mark.parametrize(
    ("cls", "kwargs"),
    [
        (optim.Adam, {}),
        (optim.RMSprop, {}),
        (optim.RMSprop, {"momentum": 0.9}),
        (optim.SGD, {}),
        (optim.SGD, {"momentum": 0.9}),
    ],
)
def test_parallel_kernel_equals_one_thread_bit_for_bit(cls, kwargs, parallel_from_1000):
    shapes = {"big": (1017,)}  # 11 chunks, the last one short
    grads = gradient_sequence(np.float32, 5, shapes=shapes)
    shared = run(cls, {"lr": 0.01, **kwargs}, initial(np.float32, shapes=shapes), grads)
    optim.set_parallel_threshold(None)
    alone = run(cls, {"lr": 0.01, **kwargs}, initial(np.float32, shapes=shapes), grads)
    plain = run(cls, {"lr": 0.01, **kwargs}, initial(np.float32, shapes=shapes), grads, fused=False)
    np.testing.assert_array_equal(shared["big"], alone["big"])
    assert relative_error(shared, plain) <= 1e-6


def test_flat_buffer_and_separate_arrays_agree():
    grads = gradient_sequence(np.float64, 10)
    a = run(optim.Adam, {"lr": 0.01}, optim.packed(initial(np.float64)), grads)
    b = run(optim.Adam, {"lr": 0.01}, initial(np.float64), grads)
    assert relative_error(a, b) <= 1e-15


def test_packed_params_are_seen_as_one_buffer():
    params = optim.packed(initial(np.float32))
    opt = optim.Adam(params)
    assert opt._flat is not None and opt._flat.size == sum(a.size for a in params.values())
    assert optim.Adam(initial(np.float32))._flat is None


def test_gradient_dtype_is_cast_to_the_parameters():
    params = optim.packed(initial(np.float32))
    grads64 = gradient_sequence(np.float64, 3)
    grads32 = [{k: v.astype(np.float32) for k, v in g.items()} for g in grads64]
    a = run(optim.Adam, {"lr": 0.01}, params, grads64)
    b = run(optim.Adam, {"lr": 0.01}, optim.packed(initial(np.float32)), grads32)
    assert a["W"].dtype == np.float32
    assert relative_error(a, b) == 0


def test_parallel_threshold_is_about_two_million_by_default_and_checked():
    assert optim.parallel_threshold() == 2**21
    for bad in (0, -5, 2.5, True, "many"):
        with pytest.raises(ValueError, match="elements must be a positive whole number"):
            optim.set_parallel_threshold(bad)
    assert optim.parallel_threshold() == 2**21


@needs_numba
def test_two_threads_stepping_on_the_pool_at_once_both_finish(parallel_from_1000):
    """Two threads share the pool's threads at once; each gets its own update."""
    import threading

    grads = gradient_sequence(np.float32, 20, shapes={"big": (5000,)})
    results = {}

    def train(name):
        results[name] = run(
            optim.Adam, {"lr": 0.01}, initial(np.float32, shapes={"big": (5000,)}), grads
        )

    threads = [threading.Thread(target=train, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    optim.set_parallel_threshold(None)
    train("alone")
    np.testing.assert_array_equal(results[0]["big"], results["alone"]["big"])
    np.testing.assert_array_equal(results[1]["big"], results["alone"]["big"])


def test_parallel_threshold_from_environment_is_checked():
    code = "import optimlab.optim"
    env = {**os.environ, "OPTIMLAB_PARALLEL_THRESHOLD": "lots"}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "OPTIMLAB_PARALLEL_THRESHOLD" in done.stderr
    code += "; print(optimlab.optim.parallel_threshold())"
    for text, shown in (
        ("4096", "4096"),
        ("1e6", "1000000"),
        (" 1_000_000 ", "1000000"),
        ("none", "None"),
        ("", str(2**21)),
    ):
        env["OPTIMLAB_PARALLEL_THRESHOLD"] = text
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert done.stdout.strip() == shown


@pytest.mark.parametrize("text", ["lots", "0", "-5", "2.5", "1e400"])
def test_the_command_line_says_a_bad_threshold_in_one_line(text):
    env = {**os.environ, "OPTIMLAB_PARALLEL_THRESHOLD": text}
    env.pop("OPTIMLAB_TRACEBACK", None)
    code = "from optimlab.console import main; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "--help"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [
        f"Error: the environment variable OPTIMLAB_PARALLEL_THRESHOLD must be a positive "
        f"whole number of values (such as 1048576 or 1e6) or 'none', got {text!r}"
    ]
