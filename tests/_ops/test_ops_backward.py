"""Gradients of every differentiable catalogue op, checked three ways.

1. Against PyTorch, in float32 and float64: the gradient of ``sum(u * op(x))`` for a
   fixed random ``u``, which must round as PyTorch's does.
2. Against numerical differences in float64, along one random direction ``v`` for all
   inputs at once (Chainer's check): ``<grad, v>`` must equal
   ``(L(x + h v) - L(x - h v)) / 2h``. Samples at kinks and ties are skipped here.
3. Second derivatives against PyTorch: the gradient of ``sum(w * grad)`` with respect
   to the inputs and to ``u``, where ``grad`` was computed with ``create_graph=True``.
"""
import numpy as np
import pytest
import torch

import chainrule
from _harness import (GRAD_TOL, Outcome, assert_same, assert_same_error, build, cases, flat,
                      gradients, zeros_for_none)

DIFFERENTIABLE = cases(only=lambda op: op.grad)


@pytest.mark.parametrize("op, sample", DIFFERENTIABLE)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_gradient_matches_torch(op, sample, dtype):
    expected = Outcome(gradients, torch, op, sample, dtype)
    actual = Outcome(gradients, chainrule, op, sample, dtype)
    if expected.error is not None:               # e.g. a scatter whose src is too big
        assert_same_error(actual, expected)
        return
    assert actual.error is None, f"chainrule raised {actual.error!r}"
    expected, actual = expected.value[3], actual.value[3]
    assert len(actual) == len(expected)
    for i, (a, e) in enumerate(zip(actual, expected)):
        if e is None:
            assert a is None or not a.detach().numpy().any(), f"input {i}: expected no grad"
            continue
        assert a is not None, f"input {i}: no gradient"
        assert not a.requires_grad
        assert_same(a, e, op.exact, GRAD_TOL, f"grad of input {i}")


@pytest.mark.parametrize("op, sample", [c for c in DIFFERENTIABLE if c.values[1].smooth])
def test_gradient_matches_numerical_differences(op, sample):
    if Outcome(gradients, torch, op, sample, "float64").error is not None:
        pytest.skip("PyTorch has no gradient here (checked against PyTorch's error above)")
    h = 1e-6
    leaves, outputs, us, grads = gradients(chainrule, op, sample, "float64")
    if not outputs:
        pytest.skip("no differentiable output")
    rng = np.random.default_rng(2)
    vs = [rng.standard_normal(tuple(x.shape)) for x in leaves]
    predicted = sum(float((g.numpy() * v).sum()) for g, v in zip(grads, vs) if g is not None)

    def loss(step):
        args, shifted = build(chainrule, sample.args, "float64", requires_grad=True)
        with chainrule.no_grad():
            for x, v in zip(shifted, vs):
                x.add_(chainrule.tensor(step * v))
            outs = [o for o in flat(op.call(chainrule, *args)) if o.is_floating_point()]
        return sum(float((o.detach().numpy() * u.detach().numpy()).sum())
                   for o, u in zip(outs, us))

    numerical = (loss(h) - loss(-h)) / (2 * h)
    assert predicted == pytest.approx(numerical, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("op, sample", [c for c in DIFFERENTIABLE if c.values[0].double])
def test_second_derivative_matches_torch(op, sample):
    expected = Outcome(second_derivative, torch, op, sample)
    actual = Outcome(second_derivative, chainrule, op, sample)
    if expected.error is not None:
        assert_same_error(actual, expected)
        return
    assert actual.error is None, f"chainrule raised {actual.error!r}"
    for i, (a, e) in enumerate(zip(actual.value, expected.value)):
        # the sign of a zero second derivative is not compared: it depends on how
        # PyTorch happened to write each backward formula
        assert_same(a, e, False, GRAD_TOL, f"second derivative {i}", signed_zeros=False)


def second_derivative(lib, op, sample):
    """d/d(inputs, u) of sum(w * grad), where grad = d sum(u * op(x)) / dx."""
    leaves, outputs, us, grads = gradients(lib, op, sample, "float64", create_graph=True)
    wrt = leaves + us
    used = [g for g in grads if g is not None and g.requires_grad]
    if not used:
        return [lib.zeros_like(x) for x in wrt]
    ws = [lib.tensor(np.random.default_rng(3 + i).standard_normal(tuple(g.shape)),
                     dtype=g.dtype) for i, g in enumerate(used)]
    total = sum((g * w).sum() for g, w in zip(used, ws))
    seconds = lib.autograd.grad(total, wrt, allow_unused=True)
    return zeros_for_none(lib, seconds, wrt)
