import torch

from gan_bench.training.sampler import BatchSampler


def make(scheme, n=10, batch=4, seed=0):
    return BatchSampler(scheme, n, batch, torch.Generator().manual_seed(seed))


def test_epoch_shuffle_covers_each_index_once_with_a_short_last_batch():
    s = make("epoch_shuffle")
    batches = [s.next() for _ in range(3)]
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(torch.cat(batches).tolist()) == list(range(10))
    assert len(s.next()) == 4  # a new epoch


def test_tf_next_batch_keeps_batches_full_across_epochs():
    s = make("tf_next_batch")
    batches = [s.next() for _ in range(5)]  # 20 indices = exactly two epochs
    assert all(len(b) == 4 for b in batches)
    flat = torch.cat(batches).tolist()
    assert sorted(flat[:10]) == list(range(10)) and sorted(flat[10:]) == list(range(10))


def test_with_replacement_draws_uniform_indices():
    s = make("with_replacement", n=5, batch=10000)
    counts = torch.bincount(s.next(), minlength=5)
    assert counts.min() > 1800 and counts.max() < 2200


def test_state_dict_resumes_the_same_sequence():
    for scheme in ("epoch_shuffle", "tf_next_batch", "with_replacement"):
        a = make(scheme, seed=3)
        for _ in range(2):
            a.next()
        state = a.state_dict()
        expected = [a.next().tolist() for _ in range(5)]
        b = make(scheme, seed=99)
        b.load_state_dict(state)
        assert [b.next().tolist() for _ in range(5)] == expected
