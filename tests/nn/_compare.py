"""Helpers for the nn tests: run the same code with torch and with chainrule and compare.

Expected values always come from PyTorch itself (or from numerical differences),
never from numbers written into the tests.
"""
import re
import numpy as np
import torch

import chainrule


def arrays(seed, *shapes, scale=2.0, dtype=np.float32):
    """Reproducible random float arrays of the given shapes."""
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s) * scale).astype(dtype) for s in shapes]


def both(array, requires_grad=False):
    """The same values as a torch tensor and as a chainrule tensor."""
    t = torch.tensor(array, requires_grad=requires_grad)
    c = chainrule.tensor(array, requires_grad=requires_grad)
    return t, c


def to_np(t):
    return t.detach().numpy()


def assert_same(expected, actual, exact=True, rtol=2e-5, atol=1e-6):
    """Values, shape and dtype agree (bit for bit when ``exact``)."""
    e, a = to_np(expected), to_np(actual)
    assert e.shape == a.shape, (e.shape, a.shape)
    assert str(e.dtype) == str(a.dtype), (e.dtype, a.dtype)
    if exact:
        np.testing.assert_array_equal(a, e)
    else:
        np.testing.assert_allclose(a, e, rtol=rtol, atol=atol)


def compare(call, shapes, seed=0, exact=True, grad_exact=None, rtol=2e-5, atol=1e-6,
            dtype=np.float32, scale=2.0, grad=True):
    """``call(lib, *tensors)`` with torch and with chainrule: outputs and input gradients.

    Returns the two outputs. ``grad_exact`` defaults to ``exact``.
    """
    grad_exact = exact if grad_exact is None else grad_exact
    inputs = arrays(seed, *shapes, scale=scale, dtype=dtype)
    pairs = [both(a, requires_grad=grad) for a in inputs]
    out_t = call(torch, *[p[0] for p in pairs])
    out_c = call(chainrule, *[p[1] for p in pairs])
    assert_same(out_t, out_c, exact, rtol, atol)
    if grad:
        g = arrays(seed + 1, tuple(out_t.shape), dtype=dtype)[0]
        out_t.backward(torch.tensor(g))
        out_c.backward(chainrule.tensor(g))
        for t, c in pairs:
            if t.grad is None:
                assert c.grad is None
            else:
                assert_same(t.grad, c.grad, grad_exact, rtol * 10, atol * 10)
    return out_t, out_c


def numerical_check(call, shapes, seed=0, eps=1e-6, tol=1e-6):
    """chainrule's gradients against central differences, in float64."""
    inputs = arrays(seed, *shapes, dtype=np.float64)
    tensors = [chainrule.tensor(a, requires_grad=True) for a in inputs]
    out = call(chainrule, *tensors)
    direction = arrays(seed + 7, tuple(out.shape), dtype=np.float64)[0]
    (out * chainrule.tensor(direction)).sum().backward()
    for i, a in enumerate(inputs):
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            values = []
            for step in (eps, -eps):
                shifted = [x.copy() for x in inputs]
                shifted[i][idx] += step
                y = call(chainrule, *[chainrule.tensor(x) for x in shifted])
                values.append(float((y.numpy() * direction).sum()))
            numeric[idx] = (values[0] - values[1]) / (2 * eps)
        np.testing.assert_allclose(tensors[i].grad.numpy(), numeric, rtol=tol, atol=tol)


def copy_state(torch_module, chain_module):
    """Load a torch module's parameters and buffers into the chainrule twin."""
    state = {k: chainrule.tensor(v.detach().numpy().copy())
             for k, v in torch_module.state_dict().items()}
    chain_module.load_state_dict(state)


def same_error(torch_call, chain_call):
    """Both raise the same exception type with the same message."""
    try:
        torch_call()
    except Exception as e:       # noqa: BLE001  (any error type is what we compare)
        expected = e
    else:
        raise AssertionError("torch raised nothing")
    try:
        chain_call()
    except Exception as e:       # noqa: BLE001
        actual = e
    else:
        raise AssertionError(f"chainrule raised nothing; torch raised {expected!r}")
    assert type(actual).__name__ == type(expected).__name__, (actual, expected)
    assert _sets_sorted(str(actual)) == _sets_sorted(str(expected)), (str(actual), str(expected))


def _sets_sorted(message):
    """A message with the items of any printed Python set sorted: PyTorch prints some
    sets (e.g. the valid padding modes), whose order changes with the hash seed."""
    return re.sub(r"\{('[^{}]*')\}",
                  lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)
