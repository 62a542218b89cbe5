"""Bad input: NaN and inf, empty tensors, and arguments of the wrong type.

Driven by the op catalogue (``tests/_op_catalogue.py``): every sample of every op is
rerun with its float values replaced by NaN, inf and -inf, and again with every
float tensor emptied (a zero-size first dim). chainrule must do what PyTorch does:
the same values, or the same error type where PyTorch raises; and never a warning
that PyTorch does not give (NumPy's "invalid value encountered" must not leak out).
"""
import os
import sys
import warnings

import numpy as np
import pytest
import torch

import chainrule

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "_ops"))   # the shared harness
from _harness import Outcome, assert_all_same, build, cases  # noqa: E402
from _op_catalogue import Layout  # noqa: E402

SPECIAL = np.array([np.nan, np.inf, -np.inf, 0.0, -1.5, 2.0])


def replaced(arg, how):
    """``arg`` with its float arrays filled with NaN/inf ("special") or emptied ("empty")."""
    if isinstance(arg, Layout):
        return Layout(replaced(arg.array, how), arg.how)
    if isinstance(arg, (list, tuple)):
        return type(arg)(replaced(a, how) for a in arg)
    if isinstance(arg, (np.ndarray, np.generic)) and np.asarray(arg).dtype.kind == "f":
        arg = np.asarray(arg)
        if how == "special":
            return np.resize(SPECIAL, arg.shape)
        return np.zeros((0,) + arg.shape[1:]) if arg.ndim else arg
    return arg


def run_both(op, sample, how, dtype):
    args = [replaced(a, how) for a in sample.args]
    if how == "empty" and all(a is b for a, b in zip(args, sample.args)):   # none emptied
        return None, None
    expected = Outcome(lambda: op.call(torch, *build(torch, args, dtype)[0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)     # NumPy's warnings are errors
        actual = Outcome(lambda: op.call(chainrule, *build(chainrule, args, dtype)[0]))
    return actual, expected


def check(actual, expected, op, dtype):
    if expected.error is not None:
        assert actual.error is not None, f"torch raised {expected.error!r}"
        assert type(actual.error).__name__ == type(expected.error).__name__, (
            f"{actual.error!r} != {expected.error!r}")
        return
    assert actual.error is None, f"{dtype}: chainrule raised {actual.error!r}"
    assert_all_same(actual.value, expected.value, exact=False, what=dtype)
    assert set(actual.warnings) <= set(expected.warnings)


# Differences found by these tests and not fixed yet (reported to the lead). Each is
# marked xfail(strict): fixing one turns it into an XPASS, to be removed from here.
NAN_GAPS = set()
EMPTY_GAPS = set()


def marked(params, gaps):
    return [pytest.param(*p.values, id=p.id, marks=pytest.mark.xfail(strict=True))
            if p.id in gaps else p for p in params]


@pytest.mark.parametrize("op, sample", marked(cases(only=lambda op: op.name != "allclose"),
                                              NAN_GAPS))
def test_nan_and_inf_propagate_as_in_pytorch(op, sample):
    actual, expected = run_both(op, sample, "special", "float64")
    check(actual, expected, op, "float64")


@pytest.mark.parametrize("op, sample", marked(cases(), EMPTY_GAPS))
def test_empty_tensors_go_through_every_op_pytorch_allows(op, sample):
    actual, expected = run_both(op, sample, "empty", "float32")
    if actual is not None:
        check(actual, expected, op, "float32")


# ---- wrong types --------------------------------------------------------------------
CALLS = {
    "exp of a list": lambda torch: torch.exp([1.0, 2.0]),
    "exp of a string": lambda torch: torch.exp("1"),
    "exp of None": lambda torch: torch.exp(None),
    "sum of a list": lambda torch: torch.sum([1.0, 2.0]),
    "matmul with a list": lambda torch: torch.matmul(torch.ones(2), [1.0, 2.0]),
    "cat of tensors and None": lambda torch: torch.cat([torch.ones(2), None]),
    "cat of a tensor": lambda torch: torch.cat(torch.ones(2)),
    "stack of a string": lambda torch: torch.stack("ab"),
    "tensor of a string": lambda torch: torch.tensor("abc"),
    "tensor of None": lambda torch: torch.tensor(None),
    "add a string": lambda torch: torch.ones(2) + "a",
    "mul by None": lambda torch: torch.ones(2) * None,
    "reshape to a string": lambda torch: torch.ones(2).reshape("2"),
    "sum over a string dim": lambda torch: torch.ones(2).sum(dim="0"),
    "where with a list": lambda torch: torch.where([True, False], torch.ones(2), 0.0),
    "maximum with a float": lambda torch: torch.maximum(torch.ones(2), 1.0),
    "zeros of a string": lambda torch: torch.zeros("2"),
    "ones of None": lambda torch: torch.ones(None),
    "backward of a list": lambda torch: torch.ones(2, requires_grad=True).sum().backward([1]),
    "softmax without dim": lambda torch: torch.ones(2).softmax(None),
    # more of the same kinds, across common functions, methods and operators
    "exp of an ndarray": lambda torch: torch.exp(np.ones(2)),
    "sigmoid of None": lambda torch: torch.sigmoid(None),
    "relu of a list": lambda torch: torch.relu([1.0]),
    "mean of a list": lambda torch: torch.mean([1.0]),
    "matmul of a list": lambda torch: torch.matmul([1.0, 2.0], torch.ones(2)),
    "mm with None": lambda torch: torch.mm(torch.ones(2, 2), None),
    "matmul operator with None": lambda torch: torch.ones(2) @ None,
    "cat of None": lambda torch: torch.cat(None),
    "stack of tensors and None": lambda torch: torch.stack([torch.ones(2), None]),
    "add a list": lambda torch: torch.ones(2) + [1.0, 2.0],
    "string plus tensor": lambda torch: "a" + torch.ones(2),
    "None times tensor": lambda torch: None * torch.ones(2),
    "subtract None": lambda torch: torch.ones(2) - None,
    "None minus tensor": lambda torch: None - torch.ones(2),
    "divide by a string": lambda torch: torch.ones(2) / "x",
    "None over tensor": lambda torch: None / torch.ones(2),
    "torch.add a string": lambda torch: torch.add(torch.ones(2), "a"),
    "torch.add a list": lambda torch: torch.add([1.0], torch.ones(2)),
    "torch.mul by None": lambda torch: torch.mul(torch.ones(2), None),
    "add method, a string": lambda torch: torch.ones(2).add("x"),
    "mul method, None": lambda torch: torch.ones(2).mul(None),
    "reshape to a float": lambda torch: torch.ones(2).reshape(2.0),
    "torch.reshape to a string": lambda torch: torch.reshape(torch.ones(2), "2"),
    "torch.reshape of a list": lambda torch: torch.reshape([1.0], (1,)),
    "view as a float": lambda torch: torch.ones(2).view(2.0),
    "softmax of a list": lambda torch: torch.softmax([1.0], 0),
    "torch.softmax without dim": lambda torch: torch.softmax(torch.ones(2), None),
    "clamp of a list": lambda torch: torch.clamp([1.0], 0),
    "transpose of a list": lambda torch: torch.transpose([1.0], 0, 1),
    "transpose over a string dim": lambda torch: torch.ones(2, 3).transpose("0", 1),
    "permute of a list": lambda torch: torch.permute([1.0], (0,)),
    "index_select with a list": lambda torch: torch.ones(2).index_select(0, [0]),
    "index_select over a string dim":
        lambda torch: torch.ones(2).index_select("0", torch.tensor([0])),
    "torch.index_select with a list": lambda torch: torch.index_select(torch.ones(2), 0, [0]),
    "gather with a list": lambda torch: torch.ones(2).gather(0, [0]),
    "torch.gather with None": lambda torch: torch.gather(torch.ones(2), 0, None),
    "ones of nothing": lambda torch: torch.ones(),
}


# Differences not fixed yet, each marked xfail(strict) (none at the moment).
TYPE_GAPS = set()


@pytest.mark.parametrize("call", marked([pytest.param(c, id=k) for k, c in CALLS.items()],
                                        TYPE_GAPS))
def test_wrong_types_give_pytorchs_type_error(call):
    """PyTorch's TypeError and its text; where PyTorch raises another error, its type."""
    expected, actual = Outcome(call, torch), Outcome(call, chainrule)
    assert type(actual.error).__name__ == type(expected.error).__name__, (
        f"{actual.error!r} != {expected.error!r}")
    if isinstance(expected.error, TypeError):
        assert str(actual.error) == str(expected.error)
