"""The quick routes of small draws, and the generator's reading ahead, against PyTorch.

``randn(k)`` for k < 16 in a loop is served from normal numbers made ahead from words
the generator has read ahead, whole twists at a time (``Generator._read_ahead``,
``_normal.small_standard_normal``); ``rand(k)`` from u24 of the current block
(``_samplers.small_unit_uniform32``). Only the speed may change: these tests run
long runs (past several caches and read-aheads), mix in every other kind of draw,
save and restore the state anywhere, and compare every value and the state bytes
with PyTorch's.
"""
import math

import numpy as np
import pytest
import torch

import chainrule
from chainrule import _exact, _generator, _normal
from chainrule._tensor import Tensor


def same(mine, theirs):
    a, b = np.ascontiguousarray(mine._data), np.ascontiguousarray(theirs.numpy())
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def same_state():
    return chainrule.get_rng_state()._data.tobytes() == torch.get_rng_state().numpy().tobytes()


def seed_both(seed):
    chainrule.manual_seed(seed)
    torch.manual_seed(seed)


# ================================================================= untempering

@pytest.mark.parametrize("seed", [0, 1, 2**32 - 1])
def test_untemper_gives_the_engines_state_array(seed):
    engine = np.random.MT19937(seed)
    engine.random_raw(_generator._MT_N - engine.state["state"]["pos"])   # to a twist's end
    for _ in range(30):
        words = engine.random_raw(_generator._MT_N)
        assert np.array_equal(_generator.untemper(words), engine.state["state"]["key"])


# ============================================================ long runs of randn

@pytest.mark.parametrize("seed, k", [(0, 3), (1, 1), (2, 15), (3, 2), (4, 7)])
def test_long_runs_of_randn_through_several_caches(seed, k):
    """Runs long enough to use up the largest cache (16384 words) more than once."""
    seed_both(seed)
    calls = 3 * _normal._MOST_WORDS_AHEAD // (2 * k + 2) + 50
    for i in range(calls):
        assert same(chainrule.randn(k), torch.randn(k)), (i, k)
        if i % 997 == 0:
            assert same_state(), i
    assert same_state()


@pytest.mark.parametrize("seed", range(4))
def test_state_saved_anywhere_in_a_read_ahead_run(seed):
    """get_rng_state inside a cache (in every twist read ahead), restored both ways."""
    rng = np.random.default_rng(seed)
    seed_both(seed)
    for i in range(2500):
        k = int(rng.integers(1, 16))
        assert same(chainrule.randn(k), torch.randn(k)), i
        if rng.random() < 0.03:
            assert same_state(), i
            if rng.random() < 0.5:        # chainrule continues from torch's bytes
                chainrule.set_rng_state(Tensor._make(torch.get_rng_state().numpy().copy()))
            else:                          # torch continues from chainrule's bytes
                torch.set_rng_state(torch.from_numpy(chainrule.get_rng_state()._data.copy()))
    assert same_state()


# Steps mixed into runs of small draws: each is (name, call on a module, size k).
OTHER_DRAWS = [
    lambda m, k: m.rand(k),
    lambda m, k: m.rand(k, dtype=m.float64),
    lambda m, k: m.randn(k, dtype=m.float64),
    lambda m, k: m.randn(k, dtype=m.float16),
    lambda m, k: m.randn(16 * k + 3),                 # the block kernel, across caches
    lambda m, k: m.randn(700 * k),                    # more words than a twist
    lambda m, k: m.randint(0, 10, (k,)),
    lambda m, k: m.randn(2, k),
    lambda m, k: m.normal(0.5, 2.0, (k,)),
    lambda m, k: m.empty(k).normal_(),
]


@pytest.mark.parametrize("seed", range(5))
def test_runs_interrupted_by_every_other_draw(seed):
    rng = np.random.default_rng(100 + seed)
    seed_both(seed)
    for i in range(4000):
        k = int(rng.integers(1, 16))
        if rng.random() < 0.02:
            step = OTHER_DRAWS[int(rng.integers(len(OTHER_DRAWS)))]
        else:
            step = (lambda m, k: m.randn(k)) if rng.random() < 0.8 else (lambda m, k: m.rand(k))
        assert same(step(chainrule, k), step(torch, k)), (i, k)
    assert same_state()


def test_the_shared_word_counts_stay_as_made():
    """Caches of one size share one ``ends`` list (``_normal._ends``). After runs through
    caches of every size, with and without a spare first, each list seen is still the
    words used by a draw that stops before value i: 4 a pair, with the pair's first value."""
    seen = {}
    for seed in range(4):
        seed_both(seed)
        for i in range(3 * _normal._MOST_WORDS_AHEAD // 8):
            k = 1 + (i + seed) % 4
            assert same(chainrule.randn(k), torch.randn(k)), i
            ahead = chainrule.default_generator._normals_ahead[-1]
            if ahead is not None:
                first_pair = int(ahead.spares[0] is not None)    # a spare came first
                seen[ahead.size, first_pair] = ahead.ends
    assert len(seen) == 6                 # three sizes, each with and without a spare
    for (size, first_pair), ends in seen.items():
        assert ends == [4 * ((i - first_pair + 1) // 2) for i in range(size + 1)]


def test_a_drawn_tensor_owns_its_memory():
    """Changing a served tensor in place changes neither the cache nor later draws."""
    seed_both(5)
    for i in range(400):
        mine, theirs = chainrule.randn(3), torch.randn(3)
        assert same(mine, theirs)
        assert mine._data.base is None
        mine.mul_(0.0)
        u_mine, u_theirs = chainrule.rand(5), torch.rand(5)
        assert same(u_mine, u_theirs) and u_mine._data.base is None
        u_mine.add_(1.0)


@pytest.mark.parametrize("seed", range(3))
def test_rand_runs_across_blocks_and_after_seeding(seed):
    seed_both(seed)
    for i in range(1500):
        k = 1 + (i * 7 + seed) % 64
        assert same(chainrule.rand(k), torch.rand(k)), (i, k)
        if i % 400 == 399:
            seed_both(seed + i)
    assert same_state()


def test_default_dtype_float64_takes_the_checked_routes():
    seed_both(6)
    chainrule.set_default_dtype(chainrule.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for i in range(300):
            assert same(chainrule.randn(3), torch.randn(3)), i
            assert same(chainrule.rand(3), torch.rand(3)), i
    finally:
        chainrule.set_default_dtype(chainrule.float32)
        torch.set_default_dtype(torch.float32)
    assert same_state()


@pytest.mark.parametrize("args", [(-1,), (3.0,), (True,), ("3",), (None,), ((3,),), ([2, 1],)])
@pytest.mark.parametrize("name", ["randn", "rand"])
def test_unusual_sizes_behave_as_in_torch(name, args):
    """Calls the quick route does not take: same values, or the same error type."""
    seed_both(7)
    try:
        theirs = getattr(torch, name)(*args)
    except Exception as error:                    # noqa: BLE001 - compared below
        with pytest.raises(type(error)):
            getattr(chainrule, name)(*args)
        return
    assert same(getattr(chainrule, name)(*args), theirs)


def test_a_generator_of_its_own_leaves_the_default_cache_alone():
    seed_both(8)
    mine, theirs = chainrule.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    for i in range(600):
        assert same(chainrule.randn(3), torch.randn(3)), i
        if i % 5 == 0:
            assert same(chainrule.randn(3, generator=mine), torch.randn(3, generator=theirs))
    assert same_state()


# ============================================================= glibc_log, quickly

def test_glibc_log_equals_the_c_library_on_millions_of_box_muller_inputs():
    """Path (c)'s log(1 - u53): the long-double shortcut against ``math.log``."""
    rng = np.random.default_rng(11)
    for _ in range(4):
        u = (rng.integers(0, 2**53, 1_000_000, dtype=np.uint64)).astype(np.float64) * 2.0**-53
        x = 1.0 - u
        assert np.array_equal(_exact.glibc_log(x).view(np.uint64),
                              _exact._libm(math.log, x).view(np.uint64))


def test_glibc_log_on_hard_inputs():
    """Near 1 (glibc's own branch), small u, powers of two, and x = 1."""
    near_one = 1.0 - np.arange(0, 200_000) * 2.0**-53
    below = 1.0 - np.arange(1, 200_000) * 2.0**-30
    powers = 2.0 ** -np.arange(0, 60)
    spread = np.exp(-np.linspace(0, 36, 200_000))
    for x in (near_one, below, powers, spread, np.nextafter(powers, 0.0)):
        assert np.array_equal(_exact.glibc_log(x).view(np.uint64),
                              _exact._libm(math.log, x).view(np.uint64))
