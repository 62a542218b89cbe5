"""Forward values of every catalogue op, compared with PyTorch's.

Each sample runs in every dtype of its row. The result must have PyTorch's type,
dtype and shape and its values: bit for bit where the row says ``exact`` (+ - * /,
sqrt, comparisons, shape ops), else within a few ulps. Where PyTorch raises (an op
that does not take integers, say), chainrule must raise the same error.
"""
import pytest
import torch

import chainrule
from _harness import Outcome, assert_all_same, assert_same_error, build, cases, flat


@pytest.mark.parametrize("op, sample", cases())
def test_forward_matches_torch(op, sample):
    for dtype in op.dtypes:
        expected = Outcome(lambda: op.call(torch, *build(torch, sample.args, dtype)[0]))
        actual = Outcome(lambda: op.call(chainrule, *build(chainrule, sample.args, dtype)[0]))
        if expected.error is not None:
            # the samples are valid inputs; only integer dtypes may be refused
            assert not dtype.startswith("float"), f"bad sample: {expected.error!r}"
            assert_same_error(actual, expected)
            continue
        assert actual.error is None, f"{dtype}: chainrule raised {actual.error!r}"
        assert_all_same(actual.value, expected.value, op.exact, what=dtype)
        if actual.warnings and expected.warnings:    # (both warn once per program)
            assert actual.warnings == expected.warnings


# PyTorch builds these from a chain of other ops; chainrule records one node under the
# name of PyTorch's last one, so the node's inputs differ. (rsub: chainrule keeps the
# number as a second input, which chainrule.explain reads.)
INPUTS_DIFFER = {"einsum", "matmul", "matmul_fn", "rsub"}


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@pytest.mark.parametrize("op, sample", cases(only=lambda op: op.grad))
def test_grad_fn_matches_torch(op, sample):
    """With inputs that require grad: the same grad_fn names and requires_grad flags."""
    for dtype in ("float32",):
        expected = op.call(torch, *build(torch, sample.args, dtype, requires_grad=True)[0])
        actual = op.call(chainrule, *build(chainrule, sample.args, dtype, requires_grad=True)[0])
        for a, e in zip(flat(actual), flat(expected)):
            assert a.requires_grad == e.requires_grad
            assert name(a) == name(e)
            if op.name not in INPUTS_DIFFER:
                assert edges(a) == edges(e)


def name(t):
    return None if t.grad_fn is None else t.grad_fn.name()


def edges(t):
    """Which of the node's inputs lead somewhere (``next_functions`` entries not None)."""
    fn = t.grad_fn
    return None if fn is None else [f is not None for f, _ in fn.next_functions]

