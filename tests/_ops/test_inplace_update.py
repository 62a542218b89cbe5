"""``t -= other`` and its kin where nothing is recorded (``w.data -= lr * w.grad.data``):
NumPy writes straight into ``t``'s array. Compared with PyTorch: values bit for bit,
version counters, and every case that must still take the general route (an error,
a promotion, a recorded op).
"""
import numpy as np
import pytest
import torch

import chainrule
from _sides import outcome


def _value(v):
    if isinstance(v, (torch.Tensor, chainrule.Tensor)):
        return (repr(v.dtype), tuple(v.shape), v.detach().numpy().tobytes(), v.requires_grad,
                v.grad_fn is None)
    if isinstance(v, (tuple, list)):
        return tuple(_value(x) for x in v)
    return v


def same(fn):
    (expected, t_warned), (actual, c_warned) = outcome(fn, torch), outcome(fn, chainrule)
    if expected[0] == "ok" and actual[0] == "ok":
        assert _value(actual[1]) == _value(expected[1])
    else:
        assert actual == expected
    assert c_warned == t_warned


def _param(lib, dtype="float32"):
    w = lib.tensor([0.5, -1.25, 2.0], dtype=getattr(lib, dtype), requires_grad=True)
    (w * w * 3.0).sum().backward()
    return w


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_hand_written_sgd_update(dtype):
    def run(lib):
        w = _param(lib, dtype)
        for _ in range(5):
            w.data -= 0.01 * w.grad.data
            w.data += 0.003
            w.data *= 1.5
            w.data.sub_(w.grad.data).add_(0.25).mul_(0.75)
        return w, w.grad
    same(run)


CASES = {
    "a number": lambda lib, t, o: t.sub_(0.1),
    "an int": lambda lib, t, o: t.add_(3),
    "a tensor of the same dtype": lambda lib, t, o: t.mul_(o),
    "a broadcast tensor": lambda lib, t, o: t.sub_(o[:1]),
    "a tensor of another dtype": lambda lib, t, o: t.add_(o.double()),
    "an int tensor": lambda lib, t, o: t.mul_(lib.tensor([1, 2, 3])),
    "a bool": lambda lib, t, o: t.add_(True),
    "itself": lambda lib, t, o: t.add_(t),
    "a shape that does not fit": lambda lib, t, o: t.add_(lib.ones(2, 3)),
    "part of itself": lambda lib, t, o: t[1:].add_(t[:-1]),
    "an int tensor and a float": lambda lib, t, o: lib.tensor([1, 2, 3]).mul_(1.5),
    "an expanded tensor": lambda lib, t, o: t[:1].expand(3).add_(1.0),
    "a string": lambda lib, t, o: t.add_("1"),
    "alpha": lambda lib, t, o: t.sub_(o, alpha=2),
}


@pytest.mark.parametrize("grad_mode", ["grad", "no_grad"])
@pytest.mark.parametrize("case", list(CASES))
def test_in_place_on_a_plain_tensor(case, grad_mode):
    def run(lib):
        t = lib.tensor([1.0, 2.0, 3.0])
        o = lib.tensor([0.5, 0.25, 4.0])
        with lib.no_grad() if grad_mode == "no_grad" else lib.enable_grad():
            r = CASES[case](lib, t, o)
        return r, t, t._version
    same(run)


@pytest.mark.parametrize("grad_mode", ["grad", "no_grad"])
@pytest.mark.parametrize("case", list(CASES))
def test_in_place_on_a_leaf_that_requires_grad_and_its_views(case, grad_mode):
    def run(lib):
        t = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        o = lib.tensor([0.5, 0.25, 4.0], requires_grad=True)
        with lib.no_grad() if grad_mode == "no_grad" else lib.enable_grad():
            r = CASES[case](lib, t, o)
        return r, t, t._version
    same(run)


@pytest.mark.parametrize("case", list(CASES))
def test_in_place_with_an_operand_in_a_graph_is_recorded(case):
    def run(lib):
        w = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        t = lib.tensor([1.0, 2.0, 3.0])
        o = w * 2.0
        r = CASES[case](lib, t, o)
        r.sum().backward()
        return r, t, w.grad
    same(run)


def test_a_value_saved_for_backward_and_changed_in_place_is_an_error():
    def run(lib):
        w = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0])
        y = w * b
        b -= 1.0
        y.sum().backward()
    same(run)


def test_a_view_sees_the_write_and_its_version_moves():
    def run(lib):
        t = lib.tensor([[1.0, 2.0], [3.0, 4.0]])
        row = t[0]
        t -= 0.5
        row *= 2.0
        return t, row, t._version, row._version
    same(run)


TIMES = {
    "0.01 * t": lambda lib, t: 0.01 * t,
    "t * 0.5": lambda lib, t: t * 0.5,
    "t * 3": lambda lib, t: t * 3,
    "t[1:] * 0.5": lambda lib, t: t[1:] * 0.5,
    "t.detach() * 0.5": lambda lib, t: t.detach() * 0.5,
}


@pytest.mark.parametrize("grad_mode", ["grad", "no_grad"])
@pytest.mark.parametrize("requires_grad", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "bool"])
@pytest.mark.parametrize("case", list(TIMES))
def test_a_tensor_times_a_number(case, dtype, requires_grad, grad_mode):
    """``lr * p.grad`` outside any graph is NumPy's product alone: the same values, dtype
    and (no) grad_fn as PyTorch; inside a graph it is recorded."""
    if requires_grad and dtype in ("int64", "bool"):
        return                                  # (only float tensors can require grad)
    def run(lib):
        t = lib.tensor([0.5, -1.25, 3.0], dtype=getattr(lib, dtype),
                       requires_grad=requires_grad)
        with lib.no_grad() if grad_mode == "no_grad" else lib.enable_grad():
            return TIMES[case](lib, t)
    same(run)


def test_a_watcher_still_sees_the_update_ops():
    """The quick routes step aside while a watcher (teaching or anomaly mode) is on:
    it sees the product and the in-place subtraction of ``w.data -= lr * w.grad.data``."""
    from chainrule.autograd import anomaly_mode
    w = chainrule.tensor([1.0, 2.0], requires_grad=True)
    (w * 3.0).sum().backward()
    seen = []

    def watcher(cls, inputs, result):
        seen.append(cls.__name__)
    anomaly_mode.add_watcher(watcher)
    try:
        w.data -= 0.1 * w.grad.data
    finally:
        anomaly_mode.remove_watcher(watcher)
    assert seen == ["Mul", "Sub"]
    t = torch.tensor([1.0, 2.0], requires_grad=True)
    (t * 3.0).sum().backward()
    t.data -= 0.1 * t.grad.data
    assert w.detach().numpy().tobytes() == t.detach().numpy().tobytes()
