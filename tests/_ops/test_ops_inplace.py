"""In-place ops (``add_``, ``mul_``, ``clamp_``, ``x += y``, ...) against their out-of-place
forms and against PyTorch.

An in-place op must return the tensor it changed, hold the out-of-place op's values,
and, on a tensor in the graph, record the same grad_fn as PyTorch and pass the same
gradients back to the tensors it came from.
"""
import numpy as np
import pytest
import torch

import chainrule
from _harness import GRAD_TOL, assert_same, cotangents

R = np.random.default_rng(7)
X, B, POS = R.standard_normal((2, 3)), R.standard_normal((2, 3)), R.uniform(0.5, 2, (2, 3))
ROW, MASK = R.standard_normal(3), R.random((2, 3)) < 0.5

# name: (in-place call, out-of-place call, values of y, values of the other operand or None)
INPLACE = {
    "add_": (lambda t, y, b: y.add_(b), lambda t, y, b: y.add(b), X, B),
    "add_alpha": (lambda t, y, b: y.add_(b, alpha=2), lambda t, y, b: y.add(b, alpha=2), X, ROW),
    "add_scalar": (lambda t, y, b: y.add_(1.5), lambda t, y, b: y + 1.5, X, None),
    "sub_": (lambda t, y, b: y.sub_(b), lambda t, y, b: y - b, X, ROW),
    "mul_": (lambda t, y, b: y.mul_(b), lambda t, y, b: y * b, X, B),
    "div_": (lambda t, y, b: y.div_(b), lambda t, y, b: y / b, X, POS),
    "pow_": (lambda t, y, b: y.pow_(2), lambda t, y, b: y ** 2, X, None),
    "pow_tensor": (lambda t, y, b: y.pow_(b), lambda t, y, b: y ** b, POS, B),
    "iadd": (lambda t, y, b: y.__iadd__(b), lambda t, y, b: y + b, X, ROW),
    "isub": (lambda t, y, b: y.__isub__(b), lambda t, y, b: y - b, X, B),
    "imul": (lambda t, y, b: y.__imul__(b), lambda t, y, b: y * b, X, B),
    "itruediv": (lambda t, y, b: y.__itruediv__(b), lambda t, y, b: y / b, X, POS),
    "ipow": (lambda t, y, b: y.__ipow__(3), lambda t, y, b: y ** 3, X, None),
    "clamp_": (lambda t, y, b: y.clamp_(-0.5, 0.5), lambda t, y, b: y.clamp(-0.5, 0.5), X, None),
    "clamp_min": (lambda t, y, b: y.clamp_(min=0.0), lambda t, y, b: y.clamp(min=0.0), X, None),
    "clip_": (lambda t, y, b: y.clip_(-1, 1), lambda t, y, b: y.clip(-1, 1), X, None),
    "neg_": (lambda t, y, b: y.neg_(), lambda t, y, b: -y, X, None),
    "abs_": (lambda t, y, b: y.abs_(), lambda t, y, b: y.abs(), X, None),
    "exp_": (lambda t, y, b: y.exp_(), lambda t, y, b: y.exp(), X, None),
    "log_": (lambda t, y, b: y.log_(), lambda t, y, b: y.log(), POS, None),
    "sqrt_": (lambda t, y, b: y.sqrt_(), lambda t, y, b: y.sqrt(), POS, None),
    "sigmoid_": (lambda t, y, b: y.sigmoid_(), lambda t, y, b: y.sigmoid(), X, None),
    "tanh_": (lambda t, y, b: y.tanh_(), lambda t, y, b: y.tanh(), X, None),
    "relu_": (lambda t, y, b: y.relu_(), lambda t, y, b: y.relu(), X, None),
    "square_": (lambda t, y, b: y.square_(), lambda t, y, b: y.square(), X, None),
    "reciprocal_": (lambda t, y, b: y.reciprocal_(), lambda t, y, b: y.reciprocal(), POS, None),
    "lerp_": (lambda t, y, b: y.lerp_(b, 0.3), lambda t, y, b: y.lerp(b, 0.3), X, B),
    "masked_fill_": (lambda t, y, b: y.masked_fill_(t.tensor(MASK), 0.5),
                     lambda t, y, b: y.masked_fill(t.tensor(MASK), 0.5), X, None),
    "zero_": (lambda t, y, b: y.zero_(), lambda t, y, b: y * 0, X, None),
    "fill_": (lambda t, y, b: y.fill_(2.0), lambda t, y, b: y * 0 + 2.0, X, None),
    "copy_": (lambda t, y, b: y.copy_(b), lambda t, y, b: b.expand(2, 3) + 0, X, ROW),
    "setitem": (lambda t, y, b: y.__setitem__(0, b) or y,
                lambda t, y, b: t.stack([b, y[1]]), X, ROW),
    "index_put_": (lambda t, y, b: y.index_put_((t.tensor([1]),), b),
                   lambda t, y, b: t.stack([y[0], b]), X, ROW),
}


def run(lib, name, dtype, requires_grad):
    """(result, y after the op, the out-of-place result, the inputs that require grad)."""
    inplace, outofplace, y_values, b_values = INPLACE[name]
    dt = getattr(lib, dtype)
    x = lib.tensor(y_values, dtype=dt, requires_grad=requires_grad)
    b = None if b_values is None else lib.tensor(b_values, dtype=dt,
                                                 requires_grad=requires_grad)
    y = x.clone()
    expected = outofplace(lib, y, b)
    result = inplace(lib, y, b)
    return result, y, expected, [t for t in (x, b) if t is not None]


@pytest.mark.parametrize("name", sorted(INPLACE))
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_inplace_equals_out_of_place_and_torch(name, dtype):
    result, y, expected, _ = run(chainrule, name, dtype, requires_grad=False)
    assert result is y
    assert y.dtype == expected.dtype
    np.testing.assert_array_equal(y.numpy(), expected.numpy(), err_msg="vs out-of-place")
    assert_same(y, run(torch, name, dtype, requires_grad=False)[1], exact=False, what="vs torch")


@pytest.mark.parametrize("name", sorted(INPLACE))
def test_inplace_records_torch_grad_fn_and_gradients(name):
    results = {}
    for lib in (torch, chainrule):
        _, y, _, leaves = run(lib, name, "float64", requires_grad=True)
        (u,) = cotangents(lib, [y], 0)
        grads = lib.autograd.grad(y, leaves, u, allow_unused=True)
        results[lib] = (y.grad_fn.name(), y.requires_grad, grads)
    (e_name, e_req, e_grads), (a_name, a_req, a_grads) = results[torch], results[chainrule]
    assert (a_name, a_req) == (e_name, e_req)
    for i, (a, e) in enumerate(zip(a_grads, e_grads)):
        if e is None:
            assert a is None or not a.numpy().any()
        else:
            assert_same(a, e, False, GRAD_TOL, f"grad of input {i}")


def test_inplace_on_a_view_changes_the_base_like_torch():
    for lib in (torch, chainrule):
        base = lib.zeros(2, 3)
        base[0].add_(1.0)
        base[:, 1].mul_(5.0)
        base.t()[2].fill_(-1.0)
        if lib is torch:
            expected = base
    assert_same(base, expected, exact=True)
