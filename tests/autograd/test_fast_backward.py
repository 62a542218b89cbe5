"""``fast_backward``: the formulas on NumPy arrays that a backward pass recording nothing
uses. They must give the bits ``backward`` (the formula in tensor operations) gives, and
the gradients PyTorch gives; where an operand's dtype differs from the gradient's they
hand over to ``backward``, which promotes as PyTorch does.
"""
import numpy as np
import pytest
import torch

import chainrule
from chainrule.autograd.graph import Node

# (name, forward), each forward taking (lib, a, b)
OPS = {
    "a * b": lambda lib, a, b: a * b,
    "a * 3.0": lambda lib, a, b: a * 3.0,
    "2 * a": lambda lib, a, b: 2 * a,
    "a - b": lambda lib, a, b: a - b,
    "a - 1.5": lambda lib, a, b: a - 1.5,
    "1.5 - a": lambda lib, a, b: 1.5 - a,
    "-a": lambda lib, a, b: -a,
    "a / 3.0": lambda lib, a, b: a / 3.0,
    "a / 7": lambda lib, a, b: a / 7,
    "a / b": lambda lib, a, b: a / b,
    "a ** 2": lambda lib, a, b: a ** 2,
    "a ** 3": lambda lib, a, b: a ** 3,
    "a ** 2.5": lambda lib, a, b: a ** 2.5,
    "a ** -1": lambda lib, a, b: a ** -1,
    "a ** 0.5": lambda lib, a, b: a.abs() ** 0.5,
    "a ** 0": lambda lib, a, b: a ** 0,
}
# PyTorch's vectorised pow rounds a power with a fractional exponent differently from
# NumPy's (by an ulp or so, here and in chainrule's pow itself): compared within 4 ulps
NOT_EXACT = {"a ** 2.5", "a ** 0.5"}
# operand dtypes: (a's, b's); b "const" is a tensor that does not require grad
OPERANDS = [("float32", "float32"), ("float64", "float64"), ("float32", "float64"),
            ("float64", "float32"), ("float32", "int64"), ("float32", "const")]


def _leaves(lib, a_dtype, b_dtype, seed):
    rng = np.random.default_rng(seed)
    a = lib.tensor(rng.standard_normal((3, 4)), dtype=getattr(lib, a_dtype),
                   requires_grad=True)
    if b_dtype == "int64":
        b = lib.tensor(rng.integers(1, 5, (4,)))
    elif b_dtype == "const":
        b = lib.tensor(rng.standard_normal(4), dtype=getattr(lib, a_dtype))
    else:
        b = lib.tensor(rng.standard_normal(4) + 3.0, dtype=getattr(lib, b_dtype),
                       requires_grad=True)
    return a, b


def _grads(lib, name, operands, seed):
    a, b = _leaves(lib, *operands, seed)
    y = OPS[name](lib, a, b)
    g = np.random.default_rng(seed + 1).standard_normal(tuple(y.shape))
    y.backward(lib.tensor(g, dtype=y.dtype))
    return [t.grad for t in (a, b) if t.requires_grad]


@pytest.mark.parametrize("operands", OPERANDS, ids="-".join)
@pytest.mark.parametrize("name", list(OPS))
def test_gradients_are_pytorchs_bit_for_bit(name, operands):
    for seed in range(3):
        mine, theirs = _grads(chainrule, name, operands, seed), _grads(torch, name, operands, seed)
        assert len(mine) == len(theirs)
        for m, t in zip(mine, theirs):
            assert (m is None) == (t is None)
            if t is None:                         # an operand the op did not use
                continue
            assert repr(m.dtype) == repr(t.dtype)
            if name in NOT_EXACT:
                eps = np.finfo(m.numpy().dtype).eps
                np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=4 * eps, atol=0)
            else:
                assert m.numpy().tobytes() == t.numpy().tobytes(), (m, t)


@pytest.mark.parametrize("operands", OPERANDS, ids="-".join)
@pytest.mark.parametrize("name", list(OPS))
def test_fast_backward_gives_backwards_bits(name, operands):
    a, b = _leaves(chainrule, *operands, 0)
    node = OPS[name](chainrule, a, b).grad_fn
    assert_same_bits(node, chainrule.randn(3, 4, dtype=a.dtype))


def assert_same_bits(node, grad):
    """``node.fast_backward(grad)`` and ``node.backward(grad)``: the same tensors, bit for bit."""
    assert type(node).fast_backward is not Node.fast_backward, "no fast_backward to test"
    with chainrule.no_grad():                     # as in a backward pass recording nothing
        fast, slow = node.fast_backward(grad), node.backward(grad)
    fast = fast if isinstance(fast, tuple) else (fast,)
    slow = slow if isinstance(slow, tuple) else (slow,)
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow):
        assert (f is None) == (s is None)
        if f is not None:
            assert f.dtype == s.dtype and f.shape == s.shape
            assert f.numpy().tobytes() == s.numpy().tobytes()


@pytest.mark.parametrize("name", ["a * b", "a - b", "1.5 - a", "-a", "a / 3.0", "a ** 2",
                                  "a ** 3", "a * 3.0"])
def test_same_dtype_operands_take_the_fast_formula(name, monkeypatch):
    """With operands of the gradient's dtype, ``backward`` (the tensor formula) is not
    called: the test above compares two different computations."""
    a, b = _leaves(chainrule, "float32", "float32", 0)
    node = OPS[name](chainrule, a, b).grad_fn

    def refuse(self, grad):
        raise AssertionError("backward called")
    monkeypatch.setattr(type(node), "backward", refuse)
    with chainrule.no_grad():
        node.fast_backward(chainrule.ones(3, 4))


def test_a_modified_saved_value_is_still_an_error():
    def run(lib):
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = lib.tensor([3.0, 4.0])
        y = a * b
        b.add_(1)
        y.sum().backward()
    with pytest.raises(RuntimeError) as theirs:
        run(torch)
    with pytest.raises(RuntimeError) as mine:
        run(chainrule)
    assert str(mine.value) == str(theirs.value).split(" (Triggered")[0]


# nodes of a linear layer: (name, forward taking (lib, x, w, b))
LAYER_NODES = {
    "linear (addmm)": lambda lib, x, w, b: lib.nn.functional.linear(x, w, b),
    "linear, bias fixed": lambda lib, x, w, b: lib.nn.functional.linear(x, w, b.detach()),
    "linear, input fixed": lambda lib, x, w, b: lib.nn.functional.linear(x.detach(), w, b),
    "w.t()": lambda lib, x, w, b: w.t(),
    "x.transpose(1, 0)": lambda lib, x, w, b: x.transpose(1, 0),
    "x.transpose(-1, -1)": lambda lib, x, w, b: x.transpose(-1, -1),
    "x.log_softmax(1)": lambda lib, x, w, b: x.log_softmax(1),
    "x.log_softmax(0)": lambda lib, x, w, b: x.log_softmax(0),
    "x.relu()": lambda lib, x, w, b: x.relu(),
    "nll_loss": lambda lib, x, w, b: lib.nn.functional.nll_loss(x, _TARGETS(lib)),
    "nll_loss, sum, weighted": lambda lib, x, w, b: lib.nn.functional.nll_loss(
        x, _TARGETS(lib), weight=lib.arange(1.0, 6.0, dtype=x.dtype), reduction="sum"),
    "nll_loss, ignored": lambda lib, x, w, b: lib.nn.functional.nll_loss(
        x, _TARGETS(lib), ignore_index=1),
    "nll_loss, none": lambda lib, x, w, b: lib.nn.functional.nll_loss(
        x, _TARGETS(lib), reduction="none"),
    "x.sum()": lambda lib, x, w, b: x.sum(),
    "x.sum(0)": lambda lib, x, w, b: x.sum(0),
    "x.t().sum(1, keepdim=True)": lambda lib, x, w, b: x.t().sum(1, keepdim=True),
    "x.sum((0, 1))": lambda lib, x, w, b: x.sum((0, 1)),
    "x.mean()": lambda lib, x, w, b: x.mean(),
    "x.mean(1)": lambda lib, x, w, b: x.mean(1),
    "x[:, :1].mean(0, keepdim=True)": lambda lib, x, w, b: x[:, :1].mean(0, keepdim=True),
    "x.exp()": lambda lib, x, w, b: x.exp(),
    "x.tanh()": lambda lib, x, w, b: x.tanh(),
    "x.sigmoid()": lambda lib, x, w, b: x.sigmoid(),
    "mse_loss": lambda lib, x, w, b: lib.nn.functional.mse_loss(x[:4], w.detach()),
    "mse_loss, both need grad": lambda lib, x, w, b: lib.nn.functional.mse_loss(x[:4], w),
    "mse_loss, sum": lambda lib, x, w, b: lib.nn.functional.mse_loss(x, x.detach() * 0.5,
                                                                     reduction="sum"),
    "mse_loss, none": lambda lib, x, w, b: lib.nn.functional.mse_loss(x[:4], w,
                                                                      reduction="none"),
    "mse_loss, float64 target": lambda lib, x, w, b: lib.nn.functional.mse_loss(
        x, x.detach().double()),
    "prelu": lambda lib, x, w, b: lib.nn.functional.prelu(x, b[:1] * 0.25),
    "prelu per channel": lambda lib, x, w, b: lib.nn.functional.prelu(
        x[:, :4], (b * 0.5).detach().requires_grad_()),
    "prelu, fixed slope": lambda lib, x, w, b: lib.nn.functional.prelu(x, b[:1].detach()),
}


def _TARGETS(lib):
    return lib.tensor([0, 1, 4, 2, 3, 1])


def _layer(lib, dtype, seed=0):
    rng = np.random.default_rng(seed)
    make = lambda *shape: lib.tensor(rng.standard_normal(shape), dtype=getattr(lib, dtype),
                                     requires_grad=True)
    return make(6, 5), make(4, 5), make(4)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(LAYER_NODES))
def test_layer_nodes_fast_backward_gives_backwards_bits(name, dtype):
    x, w, b = _layer(chainrule, dtype)
    y = LAYER_NODES[name](chainrule, x, w, b)
    assert_same_bits(y.grad_fn, chainrule.randn(tuple(y.shape), dtype=y.dtype))


@pytest.mark.parametrize("name", list(LAYER_NODES))
def test_layer_gradients_are_pytorchs(name):
    def grads(lib):
        x, w, b = _layer(lib, "float64")
        y = LAYER_NODES[name](lib, x, w, b)
        y.backward(lib.tensor(np.random.default_rng(5).standard_normal(tuple(y.shape))))
        return [t.grad for t in (x, w, b)]
    for m, t in zip(grads(chainrule), grads(torch)):
        assert (m is None) == (t is None)
        if t is not None:                 # float64: BLAS's order of sums aside, the same
            np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-12, atol=1e-14)


@pytest.mark.filterwarnings("ignore:Using backward.. with create_graph=True")
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shapes", [((6, 5), (5,)), ((6, 5), (6, 1)), ((2, 3, 4), (3, 1)),
                                    ((2, 3, 4), (1, 1, 4)), ((4,), ()), ((3, 4), (1, 4))],
                         ids=str)
def test_undoing_broadcasting_gives_the_same_bits_recorded_or_not(shapes, dtype):
    """A broadcast operand's gradient is summed back to its shape on the array when
    nothing is recorded, by the recorded sum otherwise: the same bits either way."""
    rng = np.random.default_rng(3)
    grads = []
    for create_graph in (False, True):
        a = chainrule.tensor(rng.standard_normal(shapes[0]), dtype=getattr(chainrule, dtype),
                             requires_grad=True)
        b = chainrule.tensor(np.arange(1.0, 1.0 + np.prod(shapes[1])).reshape(shapes[1]),
                             dtype=getattr(chainrule, dtype), requires_grad=True)
        g = chainrule.tensor(np.random.default_rng(4).standard_normal(shapes[0]) * 1e3,
                             dtype=a.dtype)
        (a + b).backward(g, create_graph=create_graph)
        grads.append(b.grad.detach().numpy().tobytes())
    assert grads[0] == grads[1]


# the layer nodes whose fast_backward hands over to backward on purpose
HANDED_OVER = {"nll_loss, none", "mse_loss, float64 target"}


@pytest.mark.parametrize("name", [n for n in LAYER_NODES if n not in HANDED_OVER])
def test_layer_nodes_take_the_fast_formula(name, monkeypatch):
    """The bit-for-bit test above compares two computations, not one twice."""
    x, w, b = _layer(chainrule, "float32")
    y = LAYER_NODES[name](chainrule, x, w, b)

    def refuse(self, grad):
        raise AssertionError("backward called")
    monkeypatch.setattr(type(y.grad_fn), "backward", refuse)
    with chainrule.no_grad():
        y.grad_fn.fast_backward(chainrule.ones(tuple(y.shape)))
