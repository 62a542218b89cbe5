"""``multinomial`` without replacement, and ``topk``'s order of ties, against PyTorch.

PyTorch samples without replacement by an "exponential race": the winners are the
``topk`` of ``probs / q`` with q ~ Exp(1). Categories of probability zero all score
0, so once the others are used up the choice among them is the order in which
libstdc++'s ``nth_element``/``sort``/``partial_sort`` leave equal values. These tests
compare that order with PyTorch's over many seeds and vectors with zeros.
"""
import numpy as np
import pytest
import torch

from chainrule import _random_ops as ops
from chainrule import random as crandom
from chainrule._exact import topk_indices
from chainrule._tensor import Tensor

LENGTHS = [2, 3, 5, 16, 17, 40, 64, 65, 129, 300, 1000]


def ours(t):
    return Tensor._make(np.array(t.numpy(), order="K", copy=True))


def with_zeros(rng, shape, dtype):
    """Probabilities in which a random share (up to all but one per row) are zero."""
    p = rng.random(shape)
    p[rng.random(shape) < rng.random()] = 0.0
    p.reshape(-1, shape[-1])[:, 0] += p.reshape(-1, shape[-1]).sum(axis=1) == 0
    return torch.from_numpy(p).to(dtype)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_multinomial_with_zeros_matches_torch_over_many_seeds(dtype):
    rng = np.random.default_rng(2024)
    for trial in range(300):
        n = int(rng.choice(LENGTHS))
        probs = with_zeros(rng, (n,), dtype)
        k = int(rng.integers(1, n + 1))
        seed = int(rng.integers(0, 2**32))
        torch.manual_seed(seed)
        crandom.manual_seed(seed)
        theirs = torch.multinomial(probs, k)
        mine = ops.multinomial(ours(probs), k)
        assert np.array_equal(mine._data, theirs.numpy()), (trial, n, k, seed)
    assert torch.equal(torch.from_numpy(crandom.get_rng_state()._data), torch.get_rng_state())


def test_multinomial_draws_every_category_in_torch_order():
    """k = n: the zero categories fill the tail, in PyTorch's order (not by index)."""
    probs = torch.tensor([0.0, 0.0, 0.5, 0.0, 0.0, 0.25, 0.0, 0.25] * 4)
    for seed in range(50):
        torch.manual_seed(seed)
        crandom.manual_seed(seed)
        assert ops.multinomial(ours(probs), 32)._data.tolist() == \
            torch.multinomial(probs, 32).tolist()


@pytest.mark.parametrize("transpose", [False, True])
def test_multinomial_rows_with_zeros(transpose):
    rng = np.random.default_rng(7)
    for seed in range(40):
        probs = with_zeros(rng, (6, 70), torch.float32)
        if transpose:
            probs = with_zeros(rng, (70, 6), torch.float32).t()
        k = int(rng.integers(1, 7)) if seed % 2 else int(rng.integers(7, 71))
        torch.manual_seed(seed)
        crandom.manual_seed(seed)
        assert ops.multinomial(ours(probs), k)._data.tolist() == \
            torch.multinomial(probs, k).tolist()


def test_topk_indices_matches_torch_topk_on_ties():
    """Both of topk's routes (k * 64 <= n: partial_sort; else nth_element + sort)."""
    rng = np.random.default_rng(11)
    for trial in range(1500):
        n = int(rng.choice(LENGTHS + [1, 4, 8, 33, 5000]))
        values = rng.integers(0, int(rng.integers(1, 8)), n).astype(np.float32)
        if trial % 5 == 0:
            values[rng.random(n) < 0.1] = np.nan     # NaN ranks above everything
        if trial % 7 == 0:
            values[values == 0] = -0.0               # -0.0 ties with 0.0
        small = int(rng.integers(1, max(2, n // 64 + 1)))
        k = small if trial % 3 == 0 else int(rng.integers(1, n + 1))
        expected = torch.topk(torch.from_numpy(values), k).indices.numpy()
        assert np.array_equal(topk_indices(values, k), expected), (trial, n, k)


def test_topk_indices_without_ties_is_a_plain_sort():
    values = np.array([0.3, 0.9, 0.1, 0.5], dtype=np.float32)
    assert topk_indices(values, 3).tolist() == [1, 3, 0]
