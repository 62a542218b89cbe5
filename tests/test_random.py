"""Random numbers, compared bit for bit with PyTorch 2.13 (CPU).

Every test seeds torch and chainrule alike, makes the same call on both and checks
that the results have the same dtype, shape and *bytes* (floats are compared as bit
patterns, so 1 ulp, or -0.0 against 0.0, is a failure). Most tests then also check
that both generators are left in the same state, i.e. that chainrule drew exactly
as many 32-bit words as PyTorch did.

Inputs that are themselves random (probabilities, means) come from a separate
torch generator, so making them moves neither stream.
"""
import warnings
from fractions import Fraction

import numpy as np
import pytest
import torch

from chainrule import _generator as engine
from chainrule import _random_ops as ops
from chainrule import random as crandom
from chainrule._dtype import float16, float32, float64, int8, int16, int32, int64, uint8, bool_
from chainrule._tensor import Tensor

DTYPES = [(float32, torch.float32), (float64, torch.float64)]
SIZES = [1, 3, 15, 16, 17, 31, 32, 33, 100, 1000, 100003]
_INPUTS = torch.Generator().manual_seed(12345)


# --------------------------------------------------------------------- helpers

def seed_both(seed):
    torch.manual_seed(seed)
    crandom.manual_seed(seed)


def ours(t):
    """A chainrule tensor with the values and memory layout of torch tensor ``t``."""
    return Tensor._make(np.array(t.detach().numpy(), order="K", copy=True))


def extra(*shape, dtype=torch.float32):
    """Input values drawn from a private torch generator (neither stream moves)."""
    return torch.rand(shape, generator=_INPUTS, dtype=dtype)


def assert_bits(mine, theirs):
    mine = mine._data if isinstance(mine, Tensor) else np.asarray(mine)
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    assert mine.dtype == theirs.dtype, (mine.dtype, theirs.dtype)
    assert mine.shape == theirs.shape, (mine.shape, theirs.shape)
    a, b = np.ascontiguousarray(mine), np.ascontiguousarray(theirs)
    if not np.array_equal(a.view(np.uint8), b.view(np.uint8)):
        bad = np.flatnonzero(a.reshape(-1).view(np.uint8) != b.reshape(-1).view(np.uint8))
        raise AssertionError(f"{bad.size} bytes differ; first values {a.ravel()[:4]} vs "
                             f"{b.ravel()[:4]}")


def assert_same_state():
    assert_bits(crandom.get_rng_state(), torch.get_rng_state())


def same_error(mine, theirs):
    """Both callables raise the same exception type with the same message."""
    with pytest.raises(Exception) as expected:
        theirs()
    with pytest.raises(type(expected.value)) as got:
        mine()
    assert str(got.value).split("\n")[0] == str(expected.value).split("\n")[0]


# ======================================================================= engine

def full_range_words(n, generator=None):
    """torch's raw 64-bit draws: random_(-2**63, None) returns them unchanged."""
    return torch.empty(n, dtype=torch.int64).random_(-2**63, None, generator=generator)


@pytest.mark.parametrize("seed", [0, 1, 42, 2**32 + 5, 2**63, 2**64 - 1, -1, -2**63,
                                  True, 3.7, "7"])
def test_manual_seed_streams_match(seed):
    torch_gen = torch.manual_seed(seed)
    ours_gen = crandom.manual_seed(seed)
    assert ours_gen is engine.default_generator
    assert crandom.initial_seed() == torch.initial_seed() == torch_gen.initial_seed()
    assert_bits(engine.default_generator.random_u64(3000).view(np.int64), full_range_words(3000))
    assert_same_state()


@pytest.mark.parametrize("seed", [2**64, -2**63 - 1, 1.5e30])
def test_manual_seed_out_of_range(seed):
    same_error(lambda: crandom.manual_seed(seed), lambda: torch.manual_seed(seed))


def test_manual_seed_needs_a_number():
    same_error(lambda: crandom.manual_seed(None), lambda: torch.manual_seed(None))


def test_only_the_low_32_bits_choose_the_stream():
    a = engine.Generator().manual_seed(5).random_u32(10)
    b = engine.Generator().manual_seed(2**32 + 5).random_u32(10)
    assert np.array_equal(a, b)


def test_fresh_generator():
    mine, theirs = engine.Generator(), torch.Generator()
    assert mine.initial_seed() == theirs.initial_seed() == 67280421310721
    assert repr(mine.device) == repr(theirs.device) == "device(type='cpu')"
    assert_bits(mine._get_state_bytes(), theirs.get_state())
    assert_bits(mine.random_u64(700).view(np.int64), full_range_words(700, generator=theirs))


def test_seed_from_os():
    s = crandom.seed()
    assert 0 <= s < 2**64 and crandom.initial_seed() == s
    torch.manual_seed(s)
    assert_same_state()
    assert crandom.seed() != s


@pytest.mark.parametrize("words", [0, 1, 623, 624, 625, 1249, 5000])
def test_state_bytes_after_draws(words):
    seed_both(3)
    engine.default_generator.random_u32(words)
    torch.empty(words, dtype=torch.int32).random_(0, 2)     # one word per element
    assert_same_state()


def test_state_bytes_with_cached_normal():
    seed_both(4)
    ops.randn(3)
    torch.randn(3)
    assert_same_state()            # the spare Box-Muller value is in the blob


@pytest.mark.parametrize("draws_before", [0, 5, 624, 1001])
def test_state_round_trips_both_ways(draws_before):
    seed_both(5)
    ops.randn(draws_before + 1)
    torch.randn(draws_before + 1)
    # torch -> chainrule
    crandom.manual_seed(99)
    crandom.set_rng_state(ours(torch.get_rng_state()))
    assert_same_state()
    assert_bits(ops.randn(7), torch.randn(7))
    # chainrule -> torch
    state = crandom.get_rng_state()
    ops.rand(5)
    torch.manual_seed(99)
    torch.set_rng_state(torch.from_numpy(state._data.copy()))
    crandom.set_rng_state(state)
    assert_bits(ops.randn(5), torch.randn(5))
    assert_same_state()


def test_set_rng_state_errors():
    same_error(lambda: crandom.set_rng_state(ours(torch.zeros(10, dtype=torch.uint8))),
               lambda: torch.set_rng_state(torch.zeros(10, dtype=torch.uint8)))
    same_error(lambda: crandom.set_rng_state(ours(torch.zeros(5056, dtype=torch.uint8))),
               lambda: torch.set_rng_state(torch.zeros(5056, dtype=torch.uint8)))
    same_error(lambda: crandom.set_rng_state(ours(torch.zeros(5056))),
               lambda: torch.set_rng_state(torch.zeros(5056)))
    same_error(lambda: crandom.set_rng_state(np.zeros(5056, np.uint8)),
               lambda: torch.set_rng_state(np.zeros(5056, np.uint8)))


def test_generator_argument_and_state():
    mine, theirs = engine.Generator().manual_seed(8), torch.Generator().manual_seed(8)
    seed_both(0)
    assert_bits(ops.randn(20, generator=mine), torch.randn(20, generator=theirs))
    assert_bits(ops.randint(5, (4,), generator=mine), torch.randint(5, (4,), generator=theirs))
    assert_bits(mine.get_state(), theirs.get_state())
    assert_same_state()                            # the default generator was not used
    saved = mine.get_state()
    a = ops.rand(3, generator=mine)
    assert_bits(ops.rand(3, generator=mine.set_state(saved)), a)


def test_fork_rng():
    seed_both(6)
    with crandom.fork_rng():
        ops.randn(1001)
    with torch.random.fork_rng():
        torch.randn(1001)
    assert_same_state()
    with crandom.fork_rng(enabled=False):
        ops.rand(3)
    assert_bits(ops.rand(2), torch.rand(5)[3:])


# ================================================ the fused multiply-add emulation

def _round_to_float32(value):
    """The float32 nearest to the Fraction ``value`` (ties to even), as a float."""
    if value == 0:
        return 0.0
    sign, value = (-1 if value < 0 else 1), abs(value)
    exponent = value.numerator.bit_length() - value.denominator.bit_length()
    if Fraction(2) ** exponent > value:
        exponent -= 1
    step = Fraction(2) ** (max(exponent, -126) - 23)        # float32 spacing there
    q = value / step
    n, rest = divmod(q.numerator, q.denominator)
    if 2 * rest > q.denominator or (2 * rest == q.denominator and n % 2 == 1):
        n += 1
    return sign * float(n * step)


def _fma_cases(rng, count):
    a = (rng.standard_normal(count) * 2.0 ** rng.integers(-30, 30, count)).astype(np.float32)
    b = (rng.standard_normal(count) * 2.0 ** rng.integers(-30, 30, count)).astype(np.float32)
    c = (-(a.astype(np.float64) * b) * (1 + rng.standard_normal(count) * 2.0 ** -20))
    return a, b, c.astype(np.float32)     # c close to -a*b: heavy cancellation


# a*b + c a hair above or below a float32 midpoint: rounding a*b + c to float64
# lands exactly on the midpoint, and rounding that to float32 goes the wrong way.
_X = np.float32(1 + 2**-12)
_SUB_A, _SUB_B = np.float32(2.0**-75 * (1 + 2**-20)), np.float32(2.0**-75 * (1 - 2**-20))
_SUB_C = np.float32(2.0**-127 + 2.0**-149)                   # a float32 subnormal
FMA32_TRAPS = [(_X, _X, np.float32(2.0**-80)), (-_X, _X, np.float32(-2.0**-80)),
               (_SUB_A, _SUB_B, _SUB_C), (-_SUB_A, _SUB_B, -_SUB_C)]


def _exact_fma32(a, b, c):
    return np.array([_round_to_float32(Fraction(float(p)) * Fraction(float(q)) + Fraction(float(r)))
                     for p, q, r in zip(a, b, c)])


def test_fma32_traps_defeat_double_rounding():
    a, b, c = (np.array(column) for column in zip(*FMA32_TRAPS))
    naive = (a.astype(np.float64) * b + c).astype(np.float32).astype(np.float64)
    assert np.all(naive != _exact_fma32(a, b, c))
    assert np.array_equal(engine.fma32(a, b, c).astype(np.float64), _exact_fma32(a, b, c))


def test_fma32_rounds_once():
    a, b, c = _fma_cases(np.random.default_rng(0), 20000)
    assert np.array_equal(engine.fma32(a, b, c).astype(np.float64), _exact_fma32(a, b, c))


def test_fma64_rounds_once():
    rng = np.random.default_rng(1)
    a = rng.standard_normal(20000) * 2.0 ** rng.integers(-200, 200, 20000)
    b = rng.standard_normal(20000) * 2.0 ** rng.integers(-200, 200, 20000)
    c = -(a * b) * (1 + rng.standard_normal(20000) * 2.0 ** -40)
    got = engine.fma64(a, b, c)
    exact = [float(Fraction(p) * Fraction(q) + Fraction(r)) for p, q, r in zip(a, b, c)]
    assert np.array_equal(got, np.array(exact))


# ============================================================== rand, uniform_

@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_rand(n, dtypes):
    seed_both(n)
    assert_bits(ops.rand(n, dtype=dtypes[0]), torch.rand(n, dtype=dtypes[1]))
    assert_same_state()


@pytest.mark.parametrize("size", [((),), (0,), (2, 3, 4), ([2, 3],), ((5, 1),),
                                  (torch.Size([2, 2]),)])
def test_rand_size_forms(size):
    seed_both(1)
    assert_bits(ops.rand(*size), torch.rand(*size))
    assert_bits(ops.randn(*size), torch.randn(*size))


@pytest.mark.parametrize("bounds", [(-0.1, 0.1), (-3, 5), (2, 2.5), (-1e-3, 1e-3), (0, 1e-40),
                                    (-1e-40, 1e-40), (-3e-38, 1e-38),
                                    (-0.05103103, 0.05103103), (7, 7)])
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_uniform_(bounds, dtypes):
    seed_both(7)
    mine = ops.uniform_(Tensor._make(np.empty(30011, dtypes[0].numpy)), *bounds)
    assert_bits(mine, torch.empty(30011, dtype=dtypes[1]).uniform_(*bounds))
    assert_same_state()


@pytest.mark.parametrize("view", ["transposed", "sliced", "permuted"])
def test_in_place_fills_follow_memory_order(view):
    make = {"transposed": lambda x: x.reshape(30, 40).T,
            "sliced": lambda x: x.reshape(30, 40)[:, ::3],
            "permuted": lambda x: x.reshape(4, 5, 60).transpose(2, 0, 1)}[view]
    make_torch = {"transposed": lambda x: x.reshape(30, 40).t(),
                  "sliced": lambda x: x.reshape(30, 40)[:, ::3],
                  "permuted": lambda x: x.reshape(4, 5, 60).permute(2, 0, 1)}[view]
    seed_both(8)
    for fill in [lambda t: t.uniform_(-1, 2), lambda t: t.normal_(0.5, 2),
                 lambda t: t.bernoulli_(0.3), lambda t: t.exponential_(3), lambda t: t.random_(9)]:
        mine = make(np.zeros(1200, np.float32))
        theirs = make_torch(torch.zeros(1200))
        fill(_Methods(Tensor._make(mine)))
        fill(theirs)
        assert_bits(Tensor._make(mine), theirs)
    assert_same_state()


class _Methods:
    """``t.uniform_(...)`` spelled through chainrule's functions (for table-driven tests)."""

    def __init__(self, t):
        self.t = t

    def __getattr__(self, name):
        function = getattr(ops, name)
        return lambda *args, **kwargs: function(self.t, *args, **kwargs)


# Every sampler at every size around the 16-element block boundary, both dtypes.
SWEEP = {
    "uniform_": (lambda t: ops.uniform_(t, -0.3, 0.7), lambda t: t.uniform_(-0.3, 0.7)),
    "normal_": (lambda t: ops.normal_(t, 0.5, 3.0), lambda t: t.normal_(0.5, 3.0)),
    "exponential_": (lambda t: ops.exponential_(t, 2.0), lambda t: t.exponential_(2.0)),
    "bernoulli_": (lambda t: ops.bernoulli_(t, 0.25), lambda t: t.bernoulli_(0.25)),
    "random_": (lambda t: ops.random_(t, -7, 300), lambda t: t.random_(-7, 300)),
    "dropout": (lambda t: ops.dropout_mask(t, 0.2), lambda t: torch.nn.functional.dropout(t, 0.2)),
}


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("name", list(SWEEP))
def test_size_sweep(name, dtypes, n):
    mine, theirs = SWEEP[name]
    seed_both(n)
    assert_bits(mine(Tensor._make(np.ones(n, dtypes[0].numpy))),
                theirs(torch.ones(n, dtype=dtypes[1])))
    assert_same_state()


@pytest.mark.parametrize("n", SIZES)
def test_size_sweep_integers(n):
    seed_both(n)
    assert_bits(ops.randint(-3, 1000, (n,)), torch.randint(-3, 1000, (n,)))
    assert_bits(ops.randperm(n), torch.randperm(n))
    p = extra(n, dtype=torch.float64)
    assert_bits(ops.bernoulli(ours(p)), torch.bernoulli(p))
    assert_bits(ops.multinomial(ours(p), min(n, 5)), torch.multinomial(p, min(n, 5)))
    assert_bits(ops.multinomial(ours(p), 5, True), torch.multinomial(p, 5, True))
    assert_same_state()


# ============================================================= randn, normal_

@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_randn(n, dtypes):
    seed_both(n + 1)
    assert_bits(ops.randn(n, dtype=dtypes[0]), torch.randn(n, dtype=dtypes[1]))
    assert_same_state()


@pytest.mark.parametrize("n", [5, 15, 16, 17, 1000, 100001])
@pytest.mark.parametrize("mean_std", [(0.5, 3.0), (-2.0, 0.01), (1e3, 0.0)])
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_normal_(n, mean_std, dtypes):
    seed_both(n)
    mine = ops.normal_(Tensor._make(np.empty(n, dtypes[0].numpy)), *mean_std)
    assert_bits(mine, torch.empty(n, dtype=dtypes[1]).normal_(*mean_std))
    assert_same_state()


def test_randn_large_float32_several_seeds():
    for seed in (0, 1, 2):
        seed_both(seed)
        assert_bits(ops.randn(300007), torch.randn(300007))


@pytest.mark.parametrize("dtypes", [(float16, torch.float16)], ids=["float16"])
def test_float16_rand_and_randn(dtypes):
    seed_both(9)
    for n in (3, 16, 21, 1000):
        assert_bits(ops.rand(n, dtype=dtypes[0]), torch.rand(n, dtype=dtypes[1]))
        assert_bits(ops.randn(n, dtype=dtypes[0]), torch.randn(n, dtype=dtypes[1]))
    assert_same_state()


# The one-at-a-time path keeps the spare value of each Box-Muller pair in the
# generator, across calls, dtypes, means and stds; the block paths ignore it.
BOX_MULLER_SEQUENCES = [
    [("randn", 1), ("randn", 1)],
    [("randn", 1), ("randn", 32), ("randn", 1)],
    [("randn", 3), ("randn64", 5), ("normal_", 1), ("randn", 15)],
    [("randn", 1), ("seed", 0), ("randn", 1)],
    [("randn", 7), ("rand", 3), ("randn", 2), ("randn64", 17), ("randn", 1)],
    [("randn", 1), ("randn_like_t", 0), ("randn", 1)],
]


@pytest.mark.parametrize("steps", BOX_MULLER_SEQUENCES)
def test_box_muller_cache_interleavings(steps):
    seed_both(10)
    for op, n in steps:
        if op == "seed":
            seed_both(n)
            continue
        mine, theirs = {
            "randn": lambda: (ops.randn(n), torch.randn(n)),
            "randn64": lambda: (ops.randn(n, dtype=float64), torch.randn(n, dtype=torch.float64)),
            "rand": lambda: (ops.rand(n), torch.rand(n)),
            "normal_": lambda: (ops.normal_(Tensor._make(np.empty(n)), 2.0, 3.0),
                                torch.empty(n, dtype=torch.float64).normal_(2.0, 3.0)),
            "randn_like_t": lambda: (ops.randn_like(Tensor._make(np.zeros((5, 7)).T)),
                                     torch.randn_like(torch.zeros(5, 7, dtype=torch.float64).t())),
        }[op]()
        assert_bits(mine, theirs)
        assert_same_state()


def test_randn_like_and_rand_like_keep_the_layout():
    seed_both(11)
    x = extra(20, 30).t()
    for mine, theirs in [(ops.randn_like(ours(x)), torch.randn_like(x)),
                         (ops.rand_like(ours(x)), torch.rand_like(x)),
                         (ops.randint_like(ours(x), 3, 10), torch.randint_like(x, 3, 10)),
                         (ops.randn_like(ours(x), dtype=float64),
                          torch.randn_like(x, dtype=torch.float64))]:
        assert mine._data.strides == tuple(s * mine._data.itemsize for s in theirs.stride())
        assert_bits(mine, theirs)
    assert_same_state()


@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("shapes", [((3, 4), (4,)), ((50, 40), (50, 40)), ((5,), ())])
def test_normal_overloads(dtypes, shapes):
    mean = extra(*shapes[0], dtype=dtypes[1]) * 4 - 2
    std = extra(*shapes[1], dtype=dtypes[1]) + 0.5
    seed_both(12)
    assert_bits(ops.normal(ours(mean), ours(std)), torch.normal(mean, std))
    assert_bits(ops.normal(ours(mean), 2.5), torch.normal(mean, 2.5))
    assert_bits(ops.normal(ours(mean)), torch.normal(mean))
    assert_bits(ops.normal(1.5, ours(std)), torch.normal(1.5, std))
    assert_bits(ops.normal(1.5, 2.0, (40,), dtype=dtypes[0]),
                torch.normal(1.5, 2.0, (40,), dtype=dtypes[1]))
    assert_same_state()


# ============================================================ integer samplers

RANDINT_CASES = [(0, 10), (-5, 5), (3, 4), (0, 2**28 - 1), (0, 2**28), (0, 2**28 + 1),
                 (-2**40, 2**40), (-2**63, 2**63 - 1), (2**62, 2**63 - 1)]


@pytest.mark.parametrize("bounds", RANDINT_CASES)
def test_randint(bounds):
    seed_both(13)
    assert_bits(ops.randint(*bounds, (1000,)), torch.randint(*bounds, (1000,)))
    assert_bits(ops.randint(bounds[1], size=(3, 5)), torch.randint(bounds[1], size=(3, 5)))
    assert_same_state()


@pytest.mark.parametrize("dtypes", [(int32, torch.int32), (uint8, torch.uint8),
                                    (float32, torch.float32), (float64, torch.float64)],
                         ids=["int32", "uint8", "float32", "float64"])
def test_randint_dtypes(dtypes):
    seed_both(14)
    assert_bits(ops.randint(2, 100, (500,), dtype=dtypes[0]),
                torch.randint(2, 100, (500,), dtype=dtypes[1]))
    assert_same_state()


RANDOM_DTYPES = [(int64, torch.int64), (int32, torch.int32), (int16, torch.int16),
                 (int8, torch.int8), (uint8, torch.uint8), (bool_, torch.bool),
                 (float32, torch.float32), (float64, torch.float64), (float16, torch.float16)]
RANDOM_FORMS = [(), (2,), (10,), (-5, 10), (0, None), (5, None), (0, 2)]


@pytest.mark.parametrize("dtypes", RANDOM_DTYPES, ids=lambda d: d[0].name)
def test_random_(dtypes):
    seed_both(15)
    for args in RANDOM_FORMS:
        if dtypes[0].numpy.kind in "ub" and args and args[0] < 0:
            continue
        if dtypes[0] is bool_ and args in [(10,), (5, None)]:
            continue
        mine = ops.random_(Tensor._make(np.zeros(501, dtypes[0].numpy)), *args)
        assert_bits(mine, torch.zeros(501, dtype=dtypes[1]).random_(*args))
    if dtypes[0] in (int64, float32, float64):
        mine = ops.random_(Tensor._make(np.zeros(9, dtypes[0].numpy)), -2**63, None)
        assert_bits(mine, torch.zeros(9, dtype=dtypes[1]).random_(-2**63, None))
    assert_same_state()


def test_random_float_bounds_are_adjusted_and_warned():
    seed_both(16)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for low, high in [(0, 2**30), (2**25 + 1, 2**26), (-2**26 - 1, 2**26 + 3)]:
            mine = ops.random_(Tensor._make(np.zeros(50, np.float32)), low, high)
            assert_bits(mine, torch.zeros(50).random_(low, high))
    assert_same_state()
    messages = {str(w.message).split(" (Triggered")[0] for w in caught}
    assert len(messages) == 2          # each text once from torch, once from chainrule


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 1000, 60000])
def test_randperm(n):
    seed_both(17)
    assert_bits(ops.randperm(n), torch.randperm(n))
    assert_same_state()


def test_randperm_inside_out_path():
    # PyTorch switches to this shuffle at n >= 214748364; checked against torch once
    # at that size (all values and the state; 6 minutes), here on small n.
    a = engine._randperm_inside_out(engine.Generator().manual_seed(3), 5000)
    b = engine._randperm_inside_out(engine.Generator().manual_seed(3), 5000, chunk=7)
    assert np.array_equal(a, b) and np.array_equal(np.sort(a), np.arange(5000))


def test_randperm_dtypes():
    seed_both(18)
    for mine, theirs in [(float32, torch.float32), (float64, torch.float64),
                         (uint8, torch.uint8), (int32, torch.int32)]:
        assert_bits(ops.randperm(200, dtype=mine), torch.randperm(200, dtype=theirs))
    assert_same_state()


# ================================================ bernoulli, exponential, dropout

@pytest.mark.parametrize("n", [1, 17, 1000, 100003])
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_bernoulli(n, dtypes):
    p = extra(n, dtype=dtypes[1])
    seed_both(19)
    assert_bits(ops.bernoulli(ours(p)), torch.bernoulli(p))
    assert_bits(ops.bernoulli(ours(p), 0.3), torch.bernoulli(p, 0.3))
    mine = ops.bernoulli_(Tensor._make(np.zeros(n, dtypes[0].numpy)), 0.7)
    assert_bits(mine, torch.zeros(n, dtype=dtypes[1]).bernoulli_(0.7))
    assert_same_state()


def test_bernoulli_tensor_p_is_broadcast_and_decides_the_precision():
    p32, p64 = extra(1, 30), extra(20, 1, dtype=torch.float64)
    seed_both(20)
    for p in (p32, p64):
        for out_dtype, torch_dtype in [(float32, torch.float32), (int64, torch.int64)]:
            mine = ops.bernoulli_(Tensor._make(np.zeros((20, 30), out_dtype.numpy)), ours(p))
            assert_bits(mine, torch.zeros(20, 30, dtype=torch_dtype).bernoulli_(p))
    t_mine, t_theirs = Tensor._make(np.zeros((30, 20), np.float32).T), torch.zeros(30, 20).t()
    assert_bits(ops.bernoulli_(t_mine, ours(p32)), t_theirs.bernoulli_(p32))
    p_view = p32.expand(20, 30).t()
    assert_bits(ops.bernoulli(ours(p_view)), torch.bernoulli(p_view))
    assert_same_state()


@pytest.mark.parametrize("lambd", [1.0, 0.25, 7.0])
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_exponential_(lambd, dtypes):
    seed_both(21)
    mine = ops.exponential_(Tensor._make(np.empty(5003, dtypes[0].numpy)), lambd)
    assert_bits(mine, torch.empty(5003, dtype=dtypes[1]).exponential_(lambd))
    assert_same_state()


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_dropout_mask(p, dtypes):
    x = torch.ones(33, 40, dtype=dtypes[1])
    seed_both(22)
    assert_bits(ops.dropout_mask(ours(x), p), torch.nn.functional.dropout(x, p))
    assert_bits(ops.dropout_mask(ours(x.t()), p), torch.nn.functional.dropout(x.t(), p))
    assert_same_state()


# ================================================================= multinomial

MULTINOMIAL_CASES = [((50,), 1, False), ((50,), 5, False), ((50,), 50, False),
                     ((3, 50), 7, False), ((3, 50), 1, True), ((3, 50), 7, True),
                     ((200,), 1000, True), ((4, 3), 3, False)]


@pytest.mark.parametrize("case", MULTINOMIAL_CASES)
@pytest.mark.parametrize("dtypes", DTYPES, ids=["float32", "float64"])
def test_multinomial(case, dtypes):
    shape, k, replacement = case
    probs = extra(*shape, dtype=dtypes[1])
    seed_both(23)
    assert_bits(ops.multinomial(ours(probs), k, replacement),
                torch.multinomial(probs, k, replacement))
    assert_same_state()


def test_multinomial_of_a_transposed_matrix():
    probs = extra(10, 6).t()
    seed_both(24)
    assert_bits(ops.multinomial(ours(probs), 4), torch.multinomial(probs, 4))
    assert_bits(ops.multinomial(ours(probs), 4, True), torch.multinomial(probs, 4, True))
    assert_same_state()


def test_multinomial_with_zero_probabilities_never_picks_them():
    probs = torch.tensor([0.0, 0.3, 0.0, 0.7, 0.1])
    seed_both(25)
    assert_bits(ops.multinomial(ours(probs), 3), torch.multinomial(probs, 3))
    assert_bits(ops.multinomial(ours(probs), 40, True), torch.multinomial(probs, 40, True))


# ============================================================== interleaving

def test_a_long_mixed_sequence():
    seed_both(26)
    w, tw = Tensor._make(np.empty((128, 784), np.float32)), torch.empty(128, 784)
    steps = [
        (lambda: ops.rand(3, 4), lambda: torch.rand(3, 4)),
        (lambda: ops.randn(5), lambda: torch.randn(5)),
        (lambda: ops.randint(0, 10, (7,)), lambda: torch.randint(0, 10, (7,))),
        (lambda: ops.randperm(13), lambda: torch.randperm(13)),
        (lambda: ops.uniform_(w, -0.0357, 0.0357), lambda: tw.uniform_(-0.0357, 0.0357)),
        (lambda: ops.randn(33, dtype=float64), lambda: torch.randn(33, dtype=torch.float64)),
        (lambda: ops.randn(1), lambda: torch.randn(1)),
        (lambda: ops.bernoulli(ops.rand(9)), lambda: torch.bernoulli(torch.rand(9))),
        (lambda: ops.multinomial(ops.rand(4, 6), 2),
         lambda: torch.multinomial(torch.rand(4, 6), 2)),
        (lambda: ops.randn(2, 8), lambda: torch.randn(2, 8)),
        (lambda: ops.random_(Tensor._make(np.zeros((), np.int64))),
         lambda: torch.zeros((), dtype=torch.int64).random_()),
        (lambda: ops.normal(0.0, 1.0, (3,)), lambda: torch.normal(0.0, 1.0, (3,))),
        (lambda: ops.rand(2, dtype=float64), lambda: torch.rand(2, dtype=torch.float64)),
    ]
    for mine, theirs in steps:
        assert_bits(mine(), theirs())
        assert_same_state()


# ===================================================================== autograd

def test_in_place_fill_of_a_leaf_that_requires_grad_is_refused():
    leaf = Tensor._make(np.zeros(3, np.float32))
    leaf._requires_grad = True
    for fill in (ops.uniform_, ops.normal_, ops.bernoulli_, ops.exponential_, ops.random_):
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            fill(leaf)


def test_random_ops_record_zero_gradients():
    x = torch.ones(3, requires_grad=True)
    cx = ours(x).requires_grad_()
    cases = [(lambda t: ops.normal_(t * 1.0), lambda t: (t * 1).normal_()),
             (lambda t: ops.uniform_(t * 1.0), lambda t: (t * 1).uniform_()),
             (lambda t: ops.random_(t * 1.0, 5), lambda t: (t * 1).random_(5)),
             (lambda t: ops.bernoulli_(t * 1.0, 0.5), lambda t: (t * 1).bernoulli_(0.5)),
             (lambda t: ops.exponential_(t * 1.0), lambda t: (t * 1).exponential_()),
             (lambda t: ops.normal(t, 1.0), lambda t: torch.normal(t, 1.0)),
             (lambda t: ops.normal(t, t), lambda t: torch.normal(t, t)),
             (lambda t: ops.bernoulli(t * 0.5), lambda t: torch.bernoulli(t * 0.5))]
    for mine, theirs in cases:
        out, expected = mine(cx), theirs(x)
        assert out.grad_fn.name() == expected.grad_fn.name()
        out.sum().backward()
    assert np.array_equal(cx.grad._data, np.zeros(3, np.float32))


def test_factories_requires_grad():
    assert ops.rand(2, requires_grad=True).requires_grad
    assert ops.normal(0.0, 1.0, (2,), requires_grad=True).requires_grad
    same_error(lambda: ops.randint(0, 10, (3,), requires_grad=True),
               lambda: torch.randint(0, 10, (3,), requires_grad=True))


# ======================================================================= errors

ERROR_CASES = [
    ("randint(5, 5, (3,))", lambda m: m.randint(5, 5, (3,))),
    ("randint(5, 3, (3,))", lambda m: m.randint(5, 3, (3,))),
    ("randint(-1, (3,))", lambda m: m.randint(-1, (3,))),
    ("randint(3.5, (2,))", lambda m: m.randint(3.5, (2,))),
    ("randint(10, 3)", lambda m: m.randint(10, 3)),
    ("randint(2**63, (2,))", lambda m: m.randint(2**63, (2,))),
    ("randint uint8 300", lambda m: m.randint(0, 300, (3,), dtype=m.uint8)),
    ("randperm(-1)", lambda m: m.randperm(-1)),
    ("randperm(2.5)", lambda m: m.randperm(2.5)),
    ("randperm float16", lambda m: m.randperm(3000, dtype=m.float16)),
    ("randperm int8", lambda m: m.randperm(129, dtype=m.int8)),
    ("rand()", lambda m: m.rand()),
    ("rand(-1)", lambda m: m.rand(-1)),
    ("rand(2, -3)", lambda m: m.rand(2, -3)),
    ("rand(2.5)", lambda m: m.rand(2.5)),
    ("rand(2, 2.5)", lambda m: m.rand(2, 2.5)),
    ("rand int64", lambda m: m.rand(3, dtype=m.int64)),
    ("randn int64", lambda m: m.randn(3, dtype=m.int64)),
    ("normal_ std<0", lambda m: m.normal_(m.empty(3), 0, -1)),
    ("normal_ std nan", lambda m: m.normal_(m.empty(3), 0, float("nan"))),
    ("normal(f, f) std<0", lambda m: m.normal(0.0, -1.5, (3,))),
    ("normal(T, f) std<0", lambda m: m.normal(m.zeros(3), -1.0)),
    ("normal(T, T) std<0", lambda m: m.normal(m.zeros(3), -m.ones(3))),
    ("uniform_ from>to", lambda m: m.uniform_(m.empty(3), 1, 0)),
    ("uniform_ inf", lambda m: m.uniform_(m.empty(3), 0, float("inf"))),
    ("uniform_ int64", lambda m: m.uniform_(m.empty(3, dtype=m.int64))),
    ("bernoulli_ p>1", lambda m: m.bernoulli_(m.empty(3), 1.5)),
    ("bernoulli p>1", lambda m: m.bernoulli(m.full((3,), 1.5))),
    ("bernoulli int p", lambda m: m.bernoulli(m.ones(3, dtype=m.int64))),
    ("bernoulli(x, 1.5)", lambda m: m.bernoulli(m.ones(3), 1.5)),
    ("exponential_ 0", lambda m: m.exponential_(m.empty(3), 0)),
    ("exponential_ int", lambda m: m.exponential_(m.empty(3, dtype=m.int64))),
    ("random_ from>=to", lambda m: m.random_(m.empty(3), 5, 3)),
    ("random_ uint8 from<0", lambda m: m.random_(m.empty(3, dtype=m.uint8), -1, 5)),
    ("random_ bool to 3", lambda m: m.random_(m.empty(3, dtype=m.bool), 0, 3)),
    ("multinomial n>k", lambda m: m.multinomial(m.full((2,), 0.5), 3)),
    ("multinomial zeros", lambda m: m.multinomial(m.zeros(2), 1)),
    ("multinomial zeros rep", lambda m: m.multinomial(m.zeros(2), 2, True)),
    ("multinomial negative", lambda m: m.multinomial(m.full((2,), -1.0), 1)),
    ("multinomial negative rep", lambda m: m.multinomial(m.full((2,), -1.0), 2, True)),
    ("multinomial inf rep", lambda m: m.multinomial(m.full((2,), float("inf")), 2, True)),
    ("multinomial nan rep", lambda m: m.multinomial(m.full((2,), float("nan")), 2, True)),
    ("multinomial 0 samples", lambda m: m.multinomial(m.ones(2), 0)),
    ("multinomial 3-D", lambda m: m.multinomial(m.ones(2, 2, 2), 1)),
    ("multinomial int", lambda m: m.multinomial(m.ones(2, dtype=m.int64), 1)),
]


class _TorchLike:
    """Just enough of a ``torch`` module over chainrule's functions for ERROR_CASES."""
    int64, uint8, int8, float16, bool = int64, uint8, int8, float16, bool_
    rand, randn, randint, randperm = ops.rand, ops.randn, ops.randint, ops.randperm
    normal = ops.normal
    bernoulli, multinomial = ops.bernoulli, ops.multinomial
    uniform_, normal_, bernoulli_ = ops.uniform_, ops.normal_, ops.bernoulli_
    exponential_, random_ = ops.exponential_, ops.random_

    @staticmethod
    def full(n, value, dtype=float32):
        return Tensor._make(np.full(n, value, dtype.numpy))

    @staticmethod
    def empty(*shape, dtype=float32):
        return Tensor._make(np.zeros(shape, dtype.numpy))

    zeros = empty

    @staticmethod
    def ones(*shape, dtype=float32):
        return Tensor._make(np.ones(shape, dtype.numpy))


class _TorchMethods:
    """The same names on real torch, with in-place fills called as functions."""

    def __getattr__(self, name):
        if name.endswith("_"):
            return lambda t, *args: getattr(t, name)(*args)
        return getattr(torch, name)


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_error_messages(case):
    same_error(lambda: case[1](_TorchLike), lambda: case[1](_TorchMethods()))
