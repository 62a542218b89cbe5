"""dtypes and type promotion, compared with PyTorch.

Every case builds its operands with ``torch`` and with ``chainrule`` and checks that
the result has the same dtype and the same values. Operands come in PyTorch's
three promotion tiers: tensors with dimensions, 0-dim tensors and Python scalars.
"""
import itertools
import pickle

import numpy as np
import pytest
import torch

import chainrule

DTYPES = ["float32", "float64", "int64", "int32", "uint8", "bool"]
ALL_DTYPES = DTYPES + ["int8", "int16", "float16"]


def same(fn):
    """``fn(lib)`` gives the same value (or raises the same error) with both libraries."""
    outcomes = []
    for lib in (torch, chainrule):
        try:
            outcomes.append(("ok", fn(lib)))
        except Exception as e:                         # compared below
            outcomes.append(("error", (type(e), str(e))))
    (t_kind, expected), (c_kind, actual) = outcomes
    assert c_kind == t_kind, f"torch: {expected}\nchainrule: {actual}"
    if t_kind == "error":
        assert actual == expected
    elif isinstance(expected, torch.Tensor):
        assert repr(actual.dtype) == repr(expected.dtype)
        np.testing.assert_array_equal(actual.numpy(), expected.numpy())
    else:
        assert repr(actual) == repr(expected)


@pytest.fixture(autouse=True)
def default_dtype_float32():
    yield
    torch.set_default_dtype(torch.float32)
    chainrule.set_default_dtype(chainrule.float32)


# ---- the dtype objects ------------------------------------------------------------
@pytest.mark.parametrize("name", ALL_DTYPES)
def test_dtype_attributes(name):
    same(lambda lib: getattr(lib, name))
    same(lambda lib: (getattr(lib, name).is_floating_point, getattr(lib, name).is_signed,
                      getattr(lib, name).itemsize, getattr(lib, name).is_complex))
    same(lambda lib: pickle.loads(pickle.dumps(getattr(lib, name))) is getattr(lib, name))


@pytest.mark.parametrize("alias, name", [("float", "float32"), ("double", "float64"),
                                         ("long", "int64"), ("int", "int32"),
                                         ("half", "float16"), ("short", "int16")])
def test_dtype_aliases(alias, name):
    same(lambda lib: getattr(lib, alias) is getattr(lib, name))


def test_default_dtype():
    same(lambda lib: lib.get_default_dtype())
    same(lambda lib: lib.set_default_dtype(lib.int64))
    same(lambda lib: (lib.set_default_dtype(lib.float64), lib.tensor([1.5]), lib.arange(2.0),
                      lib.zeros(2), lib.tensor([1, 2]) * 0.5))


# ---- promotion -----------------------------------------------------------------------
@pytest.mark.parametrize("a, b", list(itertools.product(ALL_DTYPES, repeat=2)))
def test_promote_types(a, b):
    same(lambda lib: lib.promote_types(getattr(lib, a), getattr(lib, b)))


def _operand(lib, dtype, tier):
    """A tensor with dims (tier 0), a 0-dim tensor (tier 1) of ``dtype``."""
    values = {"bool": [True, False, True]}.get(dtype, [3, 1, 2])
    t = lib.tensor(values, dtype=getattr(lib, dtype))
    return t if tier == 0 else t[0]


SCALARS = [2, 2.5, True, -1]


@pytest.mark.parametrize("a, b", list(itertools.product(DTYPES, repeat=2)))
@pytest.mark.parametrize("tiers", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_tensor_tensor_promotion(a, b, tiers):
    for op in ("__add__", "__mul__", "__truediv__"):
        same(lambda lib: getattr(_operand(lib, a, tiers[0]), op)(_operand(lib, b, tiers[1])))
    same(lambda lib: lib.result_type(_operand(lib, a, tiers[0]), _operand(lib, b, tiers[1])))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scalar", SCALARS)
@pytest.mark.parametrize("tier", [0, 1])
def test_tensor_scalar_promotion(dtype, scalar, tier):
    same(lambda lib: _operand(lib, dtype, tier) * scalar)
    same(lambda lib: scalar * _operand(lib, dtype, tier))
    same(lambda lib: _operand(lib, dtype, tier) + scalar)
    same(lambda lib: _operand(lib, dtype, tier) / scalar)
    same(lambda lib: lib.result_type(_operand(lib, dtype, tier), scalar))


@pytest.mark.parametrize("build", [
    lambda lib: lib.tensor([1, 2]) * 2.5,                                 # int * float
    lambda lib: lib.tensor([1.0]) * lib.tensor(2.0, dtype=lib.float64),   # 0-dim f64
    lambda lib: lib.tensor([1.0]) * lib.tensor([2.0], dtype=lib.float64),
    lambda lib: lib.tensor([True, False]) + lib.tensor([1, 2], dtype=lib.uint8),
    lambda lib: lib.tensor([True, False]) + 1,
    lambda lib: lib.tensor([True, False]) + True,
    lambda lib: lib.tensor([True, False]) * 1.5,
    lambda lib: lib.tensor([1, 2], dtype=lib.uint8) + lib.tensor(-300),
    lambda lib: lib.tensor([1, 2], dtype=lib.int32) + lib.tensor([1], dtype=lib.uint8),
    lambda lib: lib.tensor([1, 2], dtype=lib.int32) * lib.tensor(1.5, dtype=lib.float64),
    lambda lib: lib.tensor([True]) - lib.tensor([False]),
    lambda lib: -lib.tensor([True]),
    lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 4]),
    lambda lib: lib.tensor([1, 2]) // 2,
    lambda lib: lib.tensor([1.5]) ** 2,
    lambda lib: lib.tensor([3]) ** 2.0,
])
def test_course_promotions(build):
    same(build)
