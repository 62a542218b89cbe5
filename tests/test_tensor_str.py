"""Tensor printing, compared character for character with PyTorch.

Every test builds the same tensor twice, once with ``torch`` and once with
``chainrule``, and checks that the two reprs are identical. The random cases come
from a seeded NumPy generator, so a failure is reproduced by its case number alone.
"""
import math
import time

import numpy as np
import pytest
import torch

import chainrule
from chainrule import _tensor_str as ts


def assert_prints_like_torch(build):
    """``build(lib)`` makes a tensor with ``lib`` = torch or chainrule; both must print alike."""
    expected = repr(build(torch))
    actual = repr(build(chainrule))
    assert actual == expected, f"\nchainrule:\n{actual}\ntorch:\n{expected}"


@pytest.fixture(autouse=True)
def default_options():
    """Every test starts and ends with both libraries at their default options."""
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    torch.set_default_dtype(torch.float32)
    chainrule.set_default_dtype(chainrule.float32)


def set_both(**options):
    torch.set_printoptions(**options)
    ts.set_printoptions(**options)


# ---------------------------------------------------------------------------
# Hand-picked cases: the prints a course shows most
# ---------------------------------------------------------------------------

# Each expression runs once with ``torch`` bound to PyTorch and once to chainrule.
HAND_PICKED = [
    "torch.tensor(9.6)",
    "torch.tensor(3)",
    "torch.tensor(True)",
    "torch.tensor(-0.0)",
    "torch.tensor(inf)",
    "torch.tensor(1e-20)",
    "torch.tensor([100.0, 20.0])",
    "torch.tensor([10.0, 20.0], requires_grad=True)",
    "torch.tensor([0.0, 0.0])",
    "torch.tensor([-0.0, 1.0])",
    "torch.tensor([inf, -inf, nan, 1.0])",
    "torch.tensor([inf, 0.5])",
    "torch.tensor([1e-5, 1.0])",
    "torch.tensor([1e9, 1.0])",
    "torch.tensor([123456789.0])",
    "torch.tensor([1.0, 2.5], dtype=torch.float64)",
    "torch.tensor([1 / 3], dtype=torch.float64)",
    "torch.tensor([0.1, 0.25], dtype=torch.float16)",
    "torch.tensor([1, -2, 300])",
    "torch.tensor([1, 2], dtype=torch.int32)",
    "torch.tensor([0, 255], dtype=torch.uint8)",
    "torch.tensor([True, False])",
    "torch.arange(12.0).reshape(3, 4)",
    "torch.arange(24).reshape(2, 3, 4)",
    "torch.arange(2000.0)",
    "torch.arange(5000).reshape(50, 100)",
    "torch.arange(100.0) * 1.5",
    "torch.zeros(0)",
    "torch.zeros(0, 3)",
    "torch.zeros(2, 0, 4, dtype=torch.float64)",
    "torch.zeros(0, dtype=torch.int64)",
    "torch.zeros(0, dtype=torch.bool)",
    "torch.zeros(0, 2, requires_grad=True)",
    "torch.tensor([1.5, 2.0], requires_grad=True) * 1",
    "torch.tensor([10.0, 20.0], requires_grad=True)[0] - 0.4",
    "torch.tensor([[1.0, 2.0]], requires_grad=True).sum()",
    "torch.ones(3, 30, dtype=torch.float64, requires_grad=True)",
    "torch.ones(2, 3, requires_grad=True) @ torch.ones(3, 4)",
]


@pytest.mark.parametrize("expression", HAND_PICKED)
def test_hand_picked(expression):
    def build(lib):
        return eval(expression, {"torch": lib, "inf": math.inf, "nan": math.nan})
    assert_prints_like_torch(build)


# ---------------------------------------------------------------------------
# Random cases: shapes, dtypes, magnitudes, autograd flags and print options
# ---------------------------------------------------------------------------

DTYPES = [np.float32, np.float32, np.float64, np.float16,
          np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]

OPTIONS = [
    {}, {}, {}, {},
    {"precision": 2}, {"precision": 0}, {"precision": 8},
    {"threshold": 10}, {"threshold": 0},
    {"threshold": 10, "edgeitems": 1}, {"threshold": 10, "edgeitems": 0},
    {"edgeitems": 0},
    {"linewidth": 40}, {"linewidth": 120}, {"linewidth": 5},
    {"sci_mode": True}, {"sci_mode": False}, {"sci_mode": True, "precision": 1},
    {"profile": "short"}, {"profile": "full"}, {"profile": "short", "linewidth": 30},
]


def random_shape(rng):
    if rng.random() < 0.1:          # big enough to summarise at the default threshold
        return [(1001,), (40, 30), (3, 20, 20), (2, 3, 10, 20), (1, 1200)][rng.integers(5)]
    ndim = rng.integers(0, 5)
    return tuple(int(n) for n in rng.integers(0, 7, size=ndim))


def random_floats(rng, shape):
    kind = rng.integers(6)
    if kind == 0:                   # whole numbers stored as floats
        values = rng.integers(-1000, 1000, size=shape).astype(np.float64)
    elif kind == 1:
        values = rng.standard_normal(shape)
    elif kind == 2:                 # tiny
        values = rng.standard_normal(shape) * 1e-6
    elif kind == 3:                 # huge
        values = rng.standard_normal(shape) * 1e10
    elif kind == 4:                 # mixed magnitudes
        values = 10.0 ** rng.uniform(-12, 12, size=shape) * rng.choice([-1, 1], size=shape)
    else:                           # a little above or below the switch points
        values = rng.choice([1e-4, 9.9e-5, 1e8, 1.1e8, 999.0, 0.5, 2.0], size=shape)
    values = np.array(values, dtype=np.float64)
    if values.size and rng.random() < 0.4:      # sprinkle special values
        flat = values.reshape(-1)
        for _ in range(rng.integers(1, 4)):
            flat[rng.integers(flat.size)] = rng.choice([np.inf, -np.inf, np.nan, 0.0, -0.0])
    return values


def random_builder(rng):
    """A random tensor, as a function ``build(lib)`` that makes it with either library."""
    shape = random_shape(rng)
    dtype = np.dtype(DTYPES[rng.integers(len(DTYPES))])
    autograd = None
    if dtype == np.bool_:
        values = rng.random(shape) < 0.5
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        low, high = max(info.min, -10 ** int(rng.integers(1, 12))), min(info.max, 10 ** 6)
        values = rng.integers(low, high, size=shape)
    else:
        values = random_floats(rng, shape)
        autograd = [None, "leaf", "mul"][rng.integers(3)]
    with np.errstate(over="ignore"):             # huge values become inf in float16
        values = np.asarray(values).astype(dtype)

    def build(lib):
        t = lib.tensor(values, requires_grad=autograd is not None)
        if autograd == "mul":
            t = t * 1                               # grad_fn=<MulBackward0>
        return t
    return build


@pytest.mark.parametrize("case", range(500))
def test_random(case):
    rng = np.random.default_rng(case)
    build = random_builder(rng)
    set_both(**OPTIONS[rng.integers(len(OPTIONS))])
    assert_prints_like_torch(build)


@pytest.mark.parametrize("case", range(20))
def test_random_with_float64_default(case):
    """With float64 as the default dtype, float32 tensors show their dtype instead."""
    torch.set_default_dtype(torch.float64)
    chainrule.set_default_dtype(chainrule.float64)
    assert_prints_like_torch(random_builder(np.random.default_rng(1000 + case)))


# ---------------------------------------------------------------------------
# The options API and __format__
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("profile", ["default", "short", "full", "no-such-profile"])
def test_profiles_match_torch(profile):
    set_both(precision=7, profile=profile)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()


def test_set_printoptions_resets_sci_mode():
    set_both(sci_mode=True)
    set_both(precision=3)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ts.get_printoptions()["sci_mode"] is None


def test_printoptions_context_manager_restores():
    before = ts.get_printoptions()
    with ts.printoptions(precision=1, threshold=5, sci_mode=True):
        assert ts.get_printoptions()["precision"] == 1
        with torch._tensor_str.printoptions(precision=1, threshold=5, sci_mode=True):
            assert_prints_like_torch(lambda lib: lib.arange(10.0) / 3)
    assert ts.get_printoptions() == before


@pytest.mark.parametrize("expression, spec", [
    ("torch.tensor(2.0) / 3", ".3f"),
    ("torch.tensor(2.0) / 3", ""),
    ("torch.tensor(7)", "5d"),
    ("torch.tensor(True)", ""),
    ("torch.tensor(1.5, requires_grad=True) * 2", ".2e"),
    ("torch.tensor([1.0, 2.0])", ""),
    ("torch.tensor([[1, 2]], dtype=torch.int32)", ""),
])
def test_format_like_torch(expression, spec):
    reference = eval(expression, {"torch": torch})
    ours = eval(expression, {"torch": chainrule})
    assert ts.tensor_format(ours, spec) == format(reference, spec)
    assert format(ours, spec) == format(reference, spec)


def test_format_spec_on_a_vector_is_an_error():
    with pytest.raises(TypeError, match="unsupported format string passed to Tensor"):
        ts.tensor_format(chainrule.tensor([1.0]), ".2f")


def test_printing_a_scalar_is_fast():
    """Training loops print a 0-dim loss every step: a few microseconds, not milliseconds."""
    loss = chainrule.tensor(9.6, requires_grad=True) * 1
    start = time.perf_counter()
    for _ in range(1000):
        repr(loss)
    assert time.perf_counter() - start < 0.2        # about 0.005 s on a laptop
