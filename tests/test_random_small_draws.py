"""Small draws in a loop, against PyTorch: the quick routes must not change a bit.

``randn(3)`` in a loop is served from normal numbers made ahead from words the
generator reads ahead, and ``rand(3)`` from u24 of the current block (see ``_normal.py``,
``_samplers.py``, ``Generator._read_ahead``; more in ``test_random_read_ahead.py``). These tests mix such calls with every other
kind of draw, with state saving and restoring, and check each result and the final
state against PyTorch's.
"""
import numpy as np
import pytest
import torch

from chainrule import _random_ops as ops
from chainrule import random as crandom
from chainrule._dtype import float16, float64
from chainrule._tensor import Tensor


def same(mine, theirs):
    a, b = np.ascontiguousarray(mine._data), np.ascontiguousarray(theirs.numpy())
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def same_state():
    return crandom.get_rng_state()._data.tobytes() == torch.get_rng_state().numpy().tobytes()


# Each step: a call on chainrule's module and the same call on torch.
STEPS = [
    lambda m, k: m.randn(k),
    lambda m, k: m.randn(k),
    lambda m, k: m.randn(k),
    lambda m, k: m.randn(k, dtype=m.float64),
    lambda m, k: m.randn(k, dtype=m.float16),
    lambda m, k: m.rand(k),
    lambda m, k: m.rand(k, dtype=m.float64),
    lambda m, k: m.randn(k + 16),                       # a block-kernel draw
    lambda m, k: m.empty(k).normal_(0.5, 2.0),          # path (a) with mean and std
    lambda m, k: m.randint(10, (k,)),
    lambda m, k: m.randn(2, k),
]


@pytest.mark.parametrize("seed", range(6))
def test_mixed_small_draws_match_torch(seed):
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    crandom.manual_seed(seed)
    for i in range(1500):
        k = int(rng.integers(1, 16))
        step = STEPS[int(rng.integers(0, len(STEPS)))] if rng.random() < 0.3 else STEPS[0]
        mine, theirs = step(ops_module, k), step(torch, k)
        assert same(mine, theirs), (seed, i, k)
    assert same_state()


def test_a_long_run_of_randn_crosses_many_blocks():
    torch.manual_seed(1)
    crandom.manual_seed(1)
    for i in range(3000):                               # ~29 blocks of 624 words
        assert same(ops.randn(3), torch.randn(3)), i
    assert same_state()


@pytest.mark.parametrize("k", [1, 2, 5, 15])
def test_state_saved_and_restored_inside_a_run(k):
    torch.manual_seed(2)
    crandom.manual_seed(2)
    for i in range(200):
        if i % 37 == 0:                                 # save, draw, restore, draw again
            mine_state, their_state = crandom.get_rng_state(), torch.get_rng_state()
            assert same(ops.randn(k), torch.randn(k))
            crandom.set_rng_state(mine_state)
            torch.set_rng_state(their_state)
        assert same(ops.randn(k), torch.randn(k)), i
        assert same_state()


def test_torch_state_loaded_mid_block_then_small_draws():
    torch.manual_seed(3)
    torch.randn(5)                                      # leaves a spare and a position
    torch.rand(7)
    crandom.set_rng_state(Tensor._make(torch.get_rng_state().numpy().copy()))
    for i in range(300):
        assert same(ops.randn(3), torch.randn(3)), i
    assert same_state()


def test_generator_argument_in_a_run():
    mine, theirs = ops.Generator().manual_seed(4), torch.Generator().manual_seed(4)
    for i in range(300):
        assert same(ops.randn(3, generator=mine), torch.randn(3, generator=theirs)), i
        if i % 50 == 0:
            assert same(ops.randn(3, dtype=float64, generator=mine),
                        torch.randn(3, dtype=torch.float64, generator=theirs))
    assert mine._get_state_bytes().tobytes() == theirs.get_state().numpy().tobytes()


class _Module:
    """chainrule's random functions under torch's names, for the STEPS above."""
    randn, rand = staticmethod(ops.randn), staticmethod(ops.rand)
    randint = staticmethod(ops.randint)
    float16, float64 = float16, float64

    @staticmethod
    def empty(k):
        return Tensor._make(np.empty(k, np.float32))


ops_module = _Module()
