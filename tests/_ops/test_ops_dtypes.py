"""Result dtypes follow PyTorch's type promotion, for every mix of operand kinds.

Tensors with dimensions decide the result dtype; 0-dim tensors and then Python
numbers count only when they are of a higher category (bool < integer < float).
Each test runs one op over every pair of operand kinds, in both libraries, and
lists every pair whose dtype, values or error differ.
"""
import numpy as np
import pytest
import torch

import chainrule
from _harness import Outcome, assert_same

# operand kinds: how to build each with a library (values nonzero, so division is safe)
KINDS = {
    "float32": lambda t: t.tensor([1.5, -2.0], dtype=t.float32),
    "float64": lambda t: t.tensor([0.5, 3.0], dtype=t.float64),
    "int64": lambda t: t.tensor([3, -2]),
    "int32": lambda t: t.tensor([2, 5], dtype=t.int32),
    "uint8": lambda t: t.tensor([3, 1], dtype=t.uint8),
    "bool": lambda t: t.tensor([True, False]),
    "0d float64": lambda t: t.tensor(2.5, dtype=t.float64),
    "0d float32": lambda t: t.tensor(-1.5, dtype=t.float32),
    "0d int64": lambda t: t.tensor(3),
    "0d bool": lambda t: t.tensor(True),
    "int": lambda t: 3,
    "float": lambda t: 2.5,
    "bool scalar": lambda t: True,
}
TENSOR_KINDS = [k for k in KINDS if k not in ("int", "float", "bool scalar")]

BINARY = {
    "add": lambda t, a, b: a + b,
    "sub": lambda t, a, b: a - b,
    "mul": lambda t, a, b: a * b,
    "div": lambda t, a, b: a / b,
    "floor_divide": lambda t, a, b: a // b,
    "remainder": lambda t, a, b: a % b,
    "pow": lambda t, a, b: a ** b,
    "maximum": lambda t, a, b: t.maximum(a, b),
    "eq": lambda t, a, b: a == b,
    "lt": lambda t, a, b: a < b,
    "where": lambda t, a, b: t.where(t.tensor([True, False]), a, b),
    "fmod": lambda t, a, b: t.fmod(a, b),
    "clamp": lambda t, a, b: t.clamp(a, min=b),
}

UNARY = {
    "exp": lambda t, a: a.exp(), "log": lambda t, a: a.abs().log(),
    "sqrt": lambda t, a: a.abs().sqrt(), "sin": lambda t, a: t.sin(a),
    "sigmoid": lambda t, a: a.sigmoid(), "tanh": lambda t, a: a.tanh(),
    "abs": lambda t, a: a.abs(), "neg": lambda t, a: -a, "sign": lambda t, a: a.sign(),
    "relu": lambda t, a: a.relu(), "square": lambda t, a: a.square(),
    "reciprocal": lambda t, a: a.reciprocal(), "floor": lambda t, a: a.floor(),
    "sum": lambda t, a: a.sum(), "prod": lambda t, a: a.prod(), "cumsum": lambda t, a: a.cumsum(0),
    "mean": lambda t, a: a.mean(), "max": lambda t, a: a.max(), "amax": lambda t, a: a.amax(),
    "argmax": lambda t, a: a.argmax(), "softmax": lambda t, a: a.softmax(0),
    "clamp_float": lambda t, a: a.clamp(0.5, 1.5), "clamp_int": lambda t, a: a.clamp(0, 2),
    "pow_int": lambda t, a: a ** 2, "pow_float": lambda t, a: a.abs() ** 0.5,
    "rpow": lambda t, a: 2 ** a, "rsub_float": lambda t, a: 1.5 - a,
    "rdiv": lambda t, a: 3 / a, "rfloordiv": lambda t, a: 7 // a,
}


def mismatches(call, kinds):
    """The kind combinations for which chainrule and PyTorch disagree."""
    found = []
    for combo in kinds:
        expected = Outcome(lambda: call(torch, *[KINDS[k](torch) for k in combo]))
        actual = Outcome(lambda: call(chainrule, *[KINDS[k](chainrule) for k in combo]))
        try:
            if expected.error is not None:
                assert actual.error is not None, f"torch raised {expected.error!r}"
                assert type(actual.error).__name__ == type(expected.error).__name__
                assert str(actual.error) == str(expected.error)
            else:
                assert actual.error is None, f"chainrule raised {actual.error!r}"
                assert_same(actual.value, expected.value, exact=False)
        except AssertionError as e:
            found.append(f"{combo}: {str(e).splitlines()[0]}")
    return found


@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_op_promotes_like_torch(name):
    pairs = [(a, b) for a in KINDS for b in KINDS if a in TENSOR_KINDS or b in TENSOR_KINDS]
    if name == "clamp":                     # clamp(3, min=t) is refused with a long TypeError
        pairs = [(a, b) for a, b in pairs if a in TENSOR_KINDS]
    found = mismatches(BINARY[name], pairs)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_op_dtype_like_torch(name):
    found = mismatches(UNARY[name], [(k,) for k in TENSOR_KINDS])
    assert not found, "\n".join(found)


def test_matmul_needs_equal_dtypes_like_torch():
    combos = [(a, b) for a in ("float32", "float64", "int64") for b in ("float32", "int64")]
    found = mismatches(lambda t, a, b: a.reshape(1, 2) @ b.reshape(2, 1), combos)
    assert not found, "\n".join(found)


def test_result_type_of_python_scalars_follows_the_default_dtype():
    torch.set_default_dtype(torch.float64)
    chainrule.set_default_dtype(chainrule.float64)
    found = mismatches(BINARY["mul"], [("int64", "float"), ("bool", "float"),
                                       ("int64", "0d float32")])
    found += mismatches(UNARY["exp"], [("int64",)])
    assert not found, "\n".join(found)
