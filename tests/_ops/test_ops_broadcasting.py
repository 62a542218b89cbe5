"""Broadcasting, with shapes drawn by Hypothesis: any two (or three) shapes that
broadcast together give PyTorch's values and PyTorch's gradients, summed back to
each input's shape.

The catalogue's samples pick a few shapes by hand; these tests let Hypothesis
look for the shapes nobody thought of (0-d against 3-d, size-0 dimensions, ...).
"""
import numpy as np
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import chainrule
from _harness import GRAD_TOL, FORWARD_TOL, assert_same, build, flat

BINARY = {
    "add": (lambda t, a, b: a + b, True),
    "sub": (lambda t, a, b: a - b, True),
    "mul": (lambda t, a, b: a * b, True),
    "div": (lambda t, a, b: a / b, True),
    "pow": (lambda t, a, b: a.abs() ** b, False),
    "maximum": (lambda t, a, b: t.maximum(a, b), True),
    "remainder": (lambda t, a, b: a % b, True),
    "composite": (lambda t, a, b: (a * b).sigmoid() - a.tanh() * b, False),
}
TERNARY = {
    "where": (lambda t, c, a, b: t.where(c > 0, a, b), True),
    "lerp": (lambda t, w, a, b: t.lerp(a, b, w), False),
    "clamp": (lambda t, x, lo, hi: t.clamp(x, lo, hi), True),
}

FAST = settings(max_examples=40, derandomize=True, deadline=None)


def check(call, exact, shapes, seed):
    """Forward values and gradients of ``call`` on inputs of ``shapes``, against PyTorch."""
    rng = np.random.default_rng(seed)
    arrays = [rng.uniform(0.5, 2.0, s) * rng.choice([-1.0, 1.0], s) for s in shapes]
    for dtype in ("float32", "float64"):
        results = {}
        for lib in (torch, chainrule):
            args, leaves = build(lib, arrays, dtype, requires_grad=True)
            out = call(lib, *args)
            u = lib.tensor(np.ones(tuple(out.shape)), dtype=out.dtype)
            results[lib] = (out, lib.autograd.grad(out, leaves, u, allow_unused=True))
        (e_out, e_grads), (a_out, a_grads) = results[torch], results[chainrule]
        assert_same(a_out, e_out, exact, FORWARD_TOL, dtype)
        for a, e in zip(flat(a_grads), flat(e_grads)):
            assert_same(a, e, exact, GRAD_TOL, f"{dtype} gradient")


@FAST
@given(name=st.sampled_from(sorted(BINARY)),
       shapes=mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, min_side=0,
                                            max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_binary_ops_broadcast_like_torch(name, shapes, seed):
    call, exact = BINARY[name]
    check(call, exact, shapes.input_shapes, seed)


@FAST
@given(name=st.sampled_from(sorted(TERNARY)),
       shapes=mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=1,
                                            max_side=3),
       seed=st.integers(0, 2 ** 16))
def test_ternary_ops_broadcast_like_torch(name, shapes, seed):
    call, exact = TERNARY[name]
    inputs = shapes.input_shapes
    if name == "clamp":         # PyTorch's clamp backward needs x at the result's shape
        inputs = (shapes.result_shape,) + inputs[1:]
    check(call, exact, inputs, seed)
