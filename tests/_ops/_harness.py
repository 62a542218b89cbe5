"""Running a catalogue row with torch and with chainrule, and comparing what comes out.

Every helper takes ``lib``, the library under test (``torch`` or ``chainrule``), so the
same code builds both sides of a comparison.
"""
import re
import warnings
import zlib

import numpy as np
import pytest
import torch

import chainrule
from _op_catalogue import CATALOGUE, Draw, Layout

# Tolerances where PyTorch's result is not reproduced bit for bit: a few float32 ulps
# (NumPy's and PyTorch's exp/log/sin differ in the last bit), and a little more for
# gradients, which chain several rounded steps.
FORWARD_TOL = {"float32": (2e-6, 1e-6), "float64": (1e-12, 1e-13)}
GRAD_TOL = {"float32": (1e-5, 1e-5), "float64": (1e-10, 1e-12)}


def samples(op):
    """The samples of a row, drawn from a generator seeded by the row's name."""
    return op.samples(Draw(np.random.default_rng(zlib.crc32(op.name.encode()))))


def cases(ops=CATALOGUE, only=lambda op: True):
    """(op, sample) pairs for ``pytest.mark.parametrize``, with ids such as ``add-3``."""
    return [pytest.param(op, sample, id=f"{op.name}-{i}")
            for op in ops if only(op) for i, sample in enumerate(samples(op))]


# ---- building the inputs ------------------------------------------------------------
def build(lib, args, dtype, requires_grad=False):
    """The op's arguments for ``lib``, and the list of tensors that require grad."""
    leaves = []
    built = [_build(lib, a, dtype, requires_grad, leaves) for a in args]
    return built, leaves


def _build(lib, arg, dtype, requires_grad, leaves):
    if isinstance(arg, Layout):
        return _leaf(lib, _layout(lib, arg, dtype), requires_grad, leaves)
    if isinstance(arg, (np.ndarray, np.generic)):        # (r.x() + 1 is a NumPy scalar)
        arg = np.asarray(arg)
        if arg.dtype.kind != "f":
            return lib.tensor(arg)                        # an index or a mask
        return _leaf(lib, lib.tensor(_values(arg, dtype), dtype=getattr(lib, dtype)),
                     requires_grad, leaves)
    if isinstance(arg, list):
        return [_build(lib, a, dtype, requires_grad, leaves) for a in arg]
    if isinstance(arg, tuple):
        return tuple(_build(lib, a, dtype, requires_grad, leaves) for a in arg)
    return arg


def _values(array, dtype):
    return array if dtype.startswith("float") else np.round(array).astype(dtype)


def _layout(lib, layout, dtype):
    """A tensor with ``layout.array``'s values in a non-contiguous layout."""
    values = _values(layout.array, dtype)
    if layout.how == "T":
        base = lib.tensor(np.ascontiguousarray(values.T), dtype=getattr(lib, dtype))
        t = base.permute(*range(values.ndim - 1, -1, -1))
    else:
        wide = np.zeros(values.shape[:-1] + (2 * values.shape[-1],), values.dtype)
        wide[..., ::2] = values
        t = lib.tensor(wide, dtype=getattr(lib, dtype))[..., ::2]
    assert not t.is_contiguous()
    return t.detach()


def _leaf(lib, t, requires_grad, leaves):
    if requires_grad and t.is_floating_point():
        t.requires_grad_(True)
        leaves.append(t)
    return t


# ---- running ------------------------------------------------------------------------
class Outcome:
    """What a call did: its result or the exception it raised, and its warnings."""

    def __init__(self, fn, *args):
        self.value = self.error = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                self.value = fn(*args)
            except Exception as e:                        # noqa: BLE001 (compared below)
                self.error = e
        self.warnings = [_strip(str(w.message)) for w in caught
                         if issubclass(w.category, UserWarning)]


def _strip(message):
    """A warning's text without the C++ source location PyTorch appends."""
    return re.sub(r" \(Triggered internally at .*\)$", "", message, flags=re.S)


def assert_same_error(actual, expected):
    """chainrule raised what torch raised: the same exception type and message."""
    assert actual.error is not None, f"torch raised {expected.error!r}, chainrule returned"
    assert type(actual.error).__name__ == type(expected.error).__name__, (
        f"{actual.error!r} != {expected.error!r}")
    assert str(actual.error) == str(expected.error)


def flat(result):
    """The outputs of an op as a flat list (tuples such as (values, indices) unpacked)."""
    if isinstance(result, (tuple, list)):
        return [x for r in result for x in flat(r)]
    return [result]


def to_numpy(t):
    if isinstance(t, torch.Tensor):
        return t.detach().numpy(force=True)       # force: PyTorch's ZeroTensor gradients
    return t.detach().numpy() if isinstance(t, chainrule.Tensor) else t


def assert_same(actual, expected, exact, tol=FORWARD_TOL, what="output", signed_zeros=True):
    """One chainrule output equals torch's: type, dtype, shape, values, signs of zeros.

    The sign of a zero matters: a learner sees ``tensor([-0., 1.])`` printed.
    """
    if not isinstance(expected, torch.Tensor):
        assert type(actual) is type(expected) and actual == expected, (
            f"{what}: {actual!r} != {expected!r}")
        return
    assert isinstance(actual, chainrule.Tensor), f"{what}: got {type(actual).__name__}"
    assert str(actual.dtype) == str(expected.dtype), f"{what}: dtype"
    assert tuple(actual.shape) == tuple(expected.shape), f"{what}: shape"
    a, e = to_numpy(actual), to_numpy(expected)
    if exact or e.dtype.kind != "f":
        np.testing.assert_array_equal(a, e, err_msg=what, strict=True)
    else:
        rtol, atol = tol[str(expected.dtype).split(".")[1]]
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=what)
    if e.dtype.kind == "f" and signed_zeros:
        zeros = (a == 0) & (e == 0)
        np.testing.assert_array_equal(np.signbit(a[zeros]), np.signbit(e[zeros]),
                                      err_msg=f"{what}: sign of zero (-0. vs 0.)")


def assert_all_same(actual, expected, exact, tol=FORWARD_TOL, what="output"):
    actual, expected = flat(actual), flat(expected)
    assert len(actual) == len(expected), f"{what}: {len(actual)} != {len(expected)} outputs"
    for i, (a, e) in enumerate(zip(actual, expected)):
        assert_same(a, e, exact, tol, f"{what} {i}")


# ---- gradients ----------------------------------------------------------------------
def differentiable(outputs):
    return [o for o in outputs if getattr(o, "requires_grad", False)]


def cotangents(lib, outputs, seed):
    """A fixed random gradient for each output (the same values for both libraries)."""
    rng = np.random.default_rng(seed)
    return [lib.tensor(rng.standard_normal(tuple(o.shape)), dtype=o.dtype) for o in outputs]


def gradients(lib, op, sample, dtype, create_graph=False):
    """(leaves, outputs, cotangents, gradients) of one sample, in ``lib``.

    The gradient is that of ``sum(u * output)`` for fixed random cotangents ``u``.
    """
    args, leaves = build(lib, sample.args, dtype, requires_grad=True)
    outputs = differentiable(flat(op.call(lib, *args)))
    if not outputs:
        return leaves, outputs, [], [None] * len(leaves)
    us = cotangents(lib, outputs, 1)
    if create_graph:
        for u in us:
            u.requires_grad_(True)
    grads = lib.autograd.grad(outputs, leaves, us, create_graph=create_graph,
                              allow_unused=True)
    return leaves, outputs, us, list(grads)


def zeros_for_none(lib, grads, like):
    return [lib.zeros_like(x) if g is None else g for g, x in zip(grads, like)]
