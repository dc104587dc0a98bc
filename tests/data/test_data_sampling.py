"""BatchSampler: what each sampling mode visits, determinism, resume, and bad settings."""

import math

import numpy as np
import pytest
from scipy import stats

from optimlab.data import BatchSampler

EPOCH_CASES = [  # (n_samples, mode, batch_size, drop_last)
    (10, "full", None, False),
    (10, "stochastic", None, False),
    (10, "stochastic", 1, True),
    (10, "minibatch", 3, False),
    (10, "minibatch", 3, True),
    (12, "minibatch", 4, False),
    (12, "minibatch", 4, True),
    (17, "minibatch", 17, False),
    (17, "minibatch", 1, False),
]


def expected_batches(n, b, drop_last):
    return n // b if drop_last else math.ceil(n / b)


@pytest.mark.parametrize(("n", "mode", "b", "drop_last"), EPOCH_CASES)
def test_each_epoch_visits_every_sample_once(n, mode, b, drop_last):
    sampler = BatchSampler(n, b, mode=mode, drop_last=drop_last, seed=0)
    size = {"full": n, "stochastic": 1}.get(mode, b)
    for _ in range(3):
        batches = list(sampler.epoch())
        assert len(batches) == expected_batches(n, size, drop_last)
        assert sampler.iterations_per_epoch == len(batches)
        seen = np.concatenate(batches)
        if drop_last:
            assert [len(batch) for batch in batches] == [size] * (n // size)
            assert len(np.unique(seen)) == len(seen) == (n // size) * size
            assert seen.min() >= 0 and seen.max() < n
        else:
            assert [len(batch) for batch in batches[:-1]] == [size] * (len(batches) - 1)
            assert len(batches[-1]) == n - size * (len(batches) - 1)
            np.testing.assert_array_equal(np.sort(seen), np.arange(n))


def test_full_batch_is_all_samples_in_order():
    sampler = BatchSampler(7, seed=0)
    assert sampler.mode == "full" and sampler.batch_size == 7
    for _ in range(2):
        (batch,) = list(sampler.epoch())
        np.testing.assert_array_equal(batch, np.arange(7))


@pytest.mark.parametrize(("mode", "b"), [("stochastic", None), ("minibatch", 4)])
def test_epoch_modes_reshuffle_every_epoch(mode, b):
    sampler = BatchSampler(20, b, mode=mode, seed=1)
    orders = [np.concatenate(list(sampler.epoch())) for _ in range(3)]
    assert not np.array_equal(orders[0], orders[1])
    assert not np.array_equal(orders[1], orders[2])


def test_online_counts_are_those_of_sampling_with_replacement():
    n, draws = 10, 20_000
    sampler = BatchSampler(n, mode="online", seed=123)
    assert sampler.batch_size == 1 and sampler.iterations_per_epoch is None
    indices = np.concatenate(list(sampler.iterations(draws)))
    counts = np.bincount(indices, minlength=n)
    assert counts.sum() == draws and indices.min() >= 0 and indices.max() < n
    # Uniform draws with replacement: counts ~ multinomial, so the chi-square statistic
    # follows chi2(n - 1). Too good a fit (equal counts) would mean no replacement.
    p_value = stats.chisquare(counts).pvalue
    assert 1e-3 < p_value < 0.999


def test_online_repeats_samples_within_n_draws_and_within_batches():
    n = 100
    sampler = BatchSampler(n, batch_size=10, mode="online", seed=5)
    first_n = np.concatenate(list(sampler.iterations(n // 10)))
    assert len(np.unique(first_n)) < n  # P(no repeat in 100 draws from 100) ~ 1e-42
    batches = list(BatchSampler(n, batch_size=50, mode="online", seed=5).iterations(20))
    assert any(len(np.unique(batch)) < len(batch) for batch in batches)


def test_online_has_no_epochs():
    sampler = BatchSampler(10, mode="online", seed=0)
    with pytest.raises(ValueError, match="no epochs; use iterations"):
        sampler.epoch()
    with pytest.raises(ValueError, match="no epochs"):
        sampler.epoch_indices()


@pytest.mark.parametrize(("n", "mode", "b", "drop_last"), EPOCH_CASES)
def test_iterations_run_across_epochs_like_consecutive_epochs(n, mode, b, drop_last):
    by_epoch = BatchSampler(n, b, mode=mode, drop_last=drop_last, seed=7)
    expected = [batch.copy() for _ in range(3) for batch in by_epoch.epoch()]
    by_iteration = BatchSampler(n, b, mode=mode, drop_last=drop_last, seed=7)
    got = [batch.copy() for batch in by_iteration.iterations(len(expected))]
    assert len(got) == len(expected)
    for a, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(a, e)


def test_epoch_after_partial_iterations_finishes_that_epoch():
    sampler = BatchSampler(10, batch_size=3, seed=2)
    started = [b.copy() for b in sampler.iterations(2)]
    rest = list(sampler.epoch())
    assert len(rest) == sampler.iterations_per_epoch - 2
    np.testing.assert_array_equal(np.sort(np.concatenate(started + rest)), np.arange(10))
    assert len(list(sampler.epoch())) == 4  # the next call is a whole new epoch


@pytest.mark.parametrize(("n", "mode", "b", "drop_last"), EPOCH_CASES)
def test_epoch_indices_concatenate_the_epoch_batches(n, mode, b, drop_last):
    batches = BatchSampler(n, b, mode=mode, drop_last=drop_last, seed=3)
    flat = BatchSampler(n, b, mode=mode, drop_last=drop_last, seed=3)
    for _ in range(2):
        expected = np.concatenate([x.copy() for x in batches.epoch()])
        np.testing.assert_array_equal(flat.epoch_indices(), expected)


@pytest.mark.parametrize("mode", ["stochastic", "minibatch", "online"])
def test_same_seed_same_batches_and_other_seed_other_batches(mode):
    b = 4 if mode == "minibatch" else None

    def run(seed):
        return np.concatenate(list(BatchSampler(30, b, mode=mode, seed=seed).iterations(25)))

    np.testing.assert_array_equal(run(11), run(11))
    assert not np.array_equal(run(11), run(12))
    from_generator = BatchSampler(30, b, mode=mode, seed=np.random.default_rng(11))
    np.testing.assert_array_equal(np.concatenate(list(from_generator.iterations(25))), run(11))


@pytest.mark.parametrize(
    ("mode", "b", "drop_last"),
    [("full", None, False), ("stochastic", None, False), ("minibatch", 3, True),
     ("minibatch", 3, False), ("online", 2, False)],
)  # fmt: skip
@pytest.mark.parametrize("split", [0, 1, 5, 9])
def test_resume_from_state_dict_equals_uninterrupted(mode, b, drop_last, split):
    def make(seed):
        return BatchSampler(10, b, mode=mode, drop_last=drop_last, seed=seed)

    uninterrupted = [x.copy() for x in make(0).iterations(30)]
    first = make(0)
    head = [x.copy() for x in first.iterations(split)]
    resumed = make(999)
    resumed.load_state_dict(first.state_dict())
    tail = [x.copy() for x in resumed.iterations(30 - split)]
    for a, e in zip(head + tail, uninterrupted, strict=True):
        np.testing.assert_array_equal(a, e)


def test_state_dict_is_a_snapshot_and_settings_must_match():
    sampler = BatchSampler(10, batch_size=3, seed=0)
    state = sampler.state_dict()
    list(sampler.iterations(5))
    fresh = BatchSampler(10, batch_size=3, seed=0)
    other = BatchSampler(10, batch_size=3, seed=1)
    other.load_state_dict(state)
    np.testing.assert_array_equal(
        np.concatenate(list(other.iterations(8))), np.concatenate(list(fresh.iterations(8)))
    )
    with pytest.raises(ValueError, match="batch_size=3 into a sampler with batch_size=2"):
        BatchSampler(10, batch_size=2, seed=0).load_state_dict(state)


def test_batches_are_read_only_views_of_one_index_array():
    sampler = BatchSampler(12, batch_size=4, seed=0)
    batches = list(sampler.epoch())
    assert all(not batch.flags.writeable for batch in batches)
    assert all(np.shares_memory(batch, batches[0].base) for batch in batches)
    with pytest.raises(ValueError, match="read-only"):
        batches[0][0] = 3


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"n_samples": 0}, ValueError, "n_samples=0: there is no data"),
        ({"n_samples": -3}, ValueError, "n_samples must be a positive integer"),
        ({"n_samples": 10, "batch_size": 0}, ValueError, "batch_size must be a positive"),
        ({"n_samples": 10, "batch_size": -2}, ValueError, "batch_size must be a positive"),
        ({"n_samples": 10, "batch_size": 2.5}, TypeError, "batch_size must be an integer"),
        ({"n_samples": 10, "batch_size": True}, TypeError, "batch_size must be an integer"),
        ({"n_samples": 10, "batch_size": 11}, ValueError, "batch_size=11 is larger than"),
        (
            {"n_samples": 10, "batch_size": 11, "mode": "online"},
            ValueError,
            "use batch_size <= 10, or mode='full'",
        ),
        ({"n_samples": 10, "mode": "minibatch"}, ValueError, "needs a batch_size"),
        ({"n_samples": 10, "batch_size": 5, "mode": "full"}, ValueError, "leave batch_size"),
        ({"n_samples": 10, "batch_size": 2, "mode": "stochastic"}, ValueError, "one sample"),
        ({"n_samples": 10, "mode": "sgd"}, ValueError, "mode must be one of 'full'"),
        ({"n_samples": 10, "mode": "online", "drop_last": True}, ValueError, "drop_last"),
        ({"n_samples": 10, "seed": 1.5}, TypeError, "seed must be"),
    ],
)
def test_bad_settings_raise_clear_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        BatchSampler(**kwargs)


def test_bad_iteration_count_raises():
    with pytest.raises(ValueError, match=r"k .* must be an integer >= 0"):
        BatchSampler(5, seed=0).iterations(-1)
    assert list(BatchSampler(5, seed=0).iterations(0)) == []


@pytest.mark.parametrize(
    ("batch_size", "mode"), [(None, "full"), (1, "stochastic"), (5, "minibatch")]
)
def test_mode_follows_batch_size_when_not_given(batch_size, mode):
    assert BatchSampler(10, batch_size, seed=0).mode == mode
