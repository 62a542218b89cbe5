"""Activation functions and layers against PyTorch: values, gradients, in-place forms,
reprs and errors; gradients also against numerical differences (float64).

Small tensors (under 32 elements) are computed by PyTorch one element at a time
with the C library, and chainrule reproduces those bit for bit. Larger tensors
go through PyTorch's SIMD code, whose last bit chainrule approximates.
"""
import warnings

import numpy as np
import pytest
import torch

import chainrule
from _compare import arrays, assert_same, both, compare, numerical_check, same_error

# name, call(lib, x), forward bit-exact on small tensors, gradient bit-exact
ACTIVATIONS = [
    ("relu", lambda L, x: L.nn.functional.relu(x), True, True),
    ("relu6", lambda L, x: L.nn.functional.relu6(x * 3), True, True),
    ("hardtanh", lambda L, x: L.nn.functional.hardtanh(x, -0.5, 1.5), True, True),
    ("leaky_relu", lambda L, x: L.nn.functional.leaky_relu(x, 0.2), True, True),
    ("elu", lambda L, x: L.nn.functional.elu(x, 0.7), True, False),
    ("selu", lambda L, x: L.nn.functional.selu(x), True, False),
    ("celu", lambda L, x: L.nn.functional.celu(x, 0.6), True, False),
    ("gelu", lambda L, x: L.nn.functional.gelu(x), False, False),
    ("gelu_tanh", lambda L, x: L.nn.functional.gelu(x, approximate="tanh"), True, False),
    ("silu", lambda L, x: L.nn.functional.silu(x), True, False),
    ("mish", lambda L, x: L.nn.functional.mish(x), True, False),
    ("softplus", lambda L, x: L.nn.functional.softplus(x, 2.0, 3.0), True, False),
    ("logsigmoid", lambda L, x: L.nn.functional.logsigmoid(x), False, False),
    ("hardsigmoid", lambda L, x: L.nn.functional.hardsigmoid(x * 2), True, True),
    ("hardswish", lambda L, x: L.nn.functional.hardswish(x * 2), True, True),
    ("softshrink", lambda L, x: L.nn.functional.softshrink(x, 0.7), True, True),
    ("hardshrink", lambda L, x: L.nn.functional.hardshrink(x, 0.7), True, True),
    ("threshold", lambda L, x: L.nn.functional.threshold(x, 0.3, -2.0), True, True),
    ("softsign", lambda L, x: L.nn.functional.softsign(x), True, True),
    ("tanhshrink", lambda L, x: L.nn.functional.tanhshrink(x), False, False),
    ("sigmoid", lambda L, x: L.nn.functional.sigmoid(x), False, False),
    ("tanh", lambda L, x: L.nn.functional.tanh(x), False, False),
    ("glu", lambda L, x: L.nn.functional.glu(x, 0), True, False),
    ("softmax", lambda L, x: L.nn.functional.softmax(x, dim=1), False, False),
    ("log_softmax", lambda L, x: L.nn.functional.log_softmax(x, dim=0), False, False),
    ("softmin", lambda L, x: L.nn.functional.softmin(x, dim=1), False, False),
]
IDS = [a[0] for a in ACTIVATIONS]


@pytest.mark.parametrize("name, call, exact, grad_exact", ACTIVATIONS, ids=IDS)
def test_small_tensors_match_pytorch(name, call, exact, grad_exact):
    out_t, out_c = compare(call, [(4, 5)], exact=exact, grad_exact=grad_exact)
    assert out_c.grad_fn.name() == out_t.grad_fn.name()


@pytest.mark.parametrize("name, call, exact, grad_exact", ACTIVATIONS, ids=IDS)
def test_large_tensors_match_pytorch_closely(name, call, exact, grad_exact):
    compare(call, [(40, 50)], seed=3, exact=False, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("name, call, exact, grad_exact", ACTIVATIONS, ids=IDS)
def test_float64_matches_pytorch(name, call, exact, grad_exact):
    compare(call, [(4, 6)], seed=5, exact=False, rtol=1e-12, atol=1e-14, dtype=np.float64)


SMOOTH = [a for a in ACTIVATIONS if a[0] in (
    "elu", "selu", "celu", "gelu", "gelu_tanh", "silu", "mish", "softplus", "logsigmoid",
    "softsign", "tanhshrink", "glu", "softmax", "log_softmax", "softmin")]


@pytest.mark.parametrize("name, call, exact, grad_exact", SMOOTH, ids=[a[0] for a in SMOOTH])
def test_gradients_match_numerical_differences(name, call, exact, grad_exact):
    numerical_check(call, [(2, 4)], seed=11)


@pytest.mark.parametrize("name", ["elu", "gelu", "gelu_tanh", "silu", "mish", "softplus",
                                  "logsigmoid", "glu"])
def test_second_derivatives_match_pytorch(name):
    call = dict((a[0], a[1]) for a in ACTIVATIONS)[name]
    x = arrays(2, (4, 4), dtype=np.float64)[0]
    results = []
    for lib in (torch, chainrule):
        t = lib.tensor(x, requires_grad=True)
        (g,) = lib.autograd.grad(call(lib, t).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        results.append(gg)
    assert_same(results[0], results[1], exact=False, rtol=1e-10, atol=1e-12)


def test_prelu_shared_and_per_channel_weights():
    for wshape in [(1,), (3,)]:
        compare(lambda L, x, w: L.nn.functional.prelu(x, w), [(4, 3), wshape],
                exact=True, grad_exact=False)
        compare(lambda L, x, w: L.nn.functional.prelu(x, w), [(2, 3, 5), wshape],
                exact=True, grad_exact=False)
    out_t, out_c = compare(lambda L, x, w: L.nn.functional.prelu(x, w), [(5,), (1,)])
    assert [type(f[0]).__name__ for f in out_t.grad_fn.next_functions] == \
        [type(f[0]).__name__ for f in out_c.grad_fn.next_functions]


INPLACE = [
    ("relu", lambda L, x: L.nn.functional.relu(x, inplace=True)),
    ("relu6", lambda L, x: L.nn.functional.relu6(x, inplace=True)),
    ("hardtanh", lambda L, x: L.nn.functional.hardtanh(x, inplace=True)),
    ("leaky_relu", lambda L, x: L.nn.functional.leaky_relu(x, 0.1, inplace=True)),
    ("elu", lambda L, x: L.nn.functional.elu(x, inplace=True)),
    ("selu", lambda L, x: L.nn.functional.selu(x, inplace=True)),
    ("celu", lambda L, x: L.nn.functional.celu(x, inplace=True)),
    ("silu", lambda L, x: L.nn.functional.silu(x, inplace=True)),
    ("threshold", lambda L, x: L.nn.functional.threshold(x, 0.1, 5.0, inplace=True)),
    ("hardswish", lambda L, x: L.nn.functional.hardswish(x, inplace=True)),
]


@pytest.mark.parametrize("name, call", INPLACE, ids=[a[0] for a in INPLACE])
def test_inplace_forms_write_into_the_input(name, call):
    (x,) = arrays(4, (3, 4))
    results = []
    for lib in (torch, chainrule):
        leaf = lib.tensor(x, requires_grad=True)
        y = leaf * 1.0
        out = call(lib, y)
        assert out is y
        out.sum().backward()
        results.append((out, leaf.grad, out.grad_fn.name()))
    assert_same(results[0][0], results[1][0], exact=name not in ("silu",))
    assert_same(results[0][1], results[1][1], exact=False)
    assert results[0][2] == results[1][2]


def test_inplace_on_a_leaf_that_requires_grad_is_refused():
    (x,) = arrays(0, (3,))
    same_error(lambda: torch.nn.functional.relu(torch.tensor(x, requires_grad=True), True),
               lambda: chainrule.nn.functional.relu(chainrule.tensor(x, requires_grad=True),
                                                    True))


MODULES = [
    ("ReLU", lambda L: L.nn.ReLU()), ("ReLU_inplace", lambda L: L.nn.ReLU(inplace=True)),
    ("ReLU6", lambda L: L.nn.ReLU6()), ("Hardtanh", lambda L: L.nn.Hardtanh(-2, 2)),
    ("LeakyReLU", lambda L: L.nn.LeakyReLU(0.2)), ("PReLU", lambda L: L.nn.PReLU(4, 0.1)),
    ("ELU", lambda L: L.nn.ELU(0.5)), ("SELU", lambda L: L.nn.SELU()),
    ("CELU", lambda L: L.nn.CELU(0.3)), ("GELU", lambda L: L.nn.GELU()),
    ("GELU_tanh", lambda L: L.nn.GELU("tanh")), ("SiLU", lambda L: L.nn.SiLU()),
    ("Mish", lambda L: L.nn.Mish()), ("Softplus", lambda L: L.nn.Softplus(2, 10)),
    ("Sigmoid", lambda L: L.nn.Sigmoid()), ("Tanh", lambda L: L.nn.Tanh()),
    ("LogSigmoid", lambda L: L.nn.LogSigmoid()), ("Softsign", lambda L: L.nn.Softsign()),
    ("Tanhshrink", lambda L: L.nn.Tanhshrink()), ("Hardsigmoid", lambda L: L.nn.Hardsigmoid()),
    ("Hardswish", lambda L: L.nn.Hardswish()), ("Threshold", lambda L: L.nn.Threshold(0.1, 20)),
    ("Hardshrink", lambda L: L.nn.Hardshrink()), ("Softshrink", lambda L: L.nn.Softshrink(0.3)),
    ("GLU", lambda L: L.nn.GLU(1)), ("Softmax", lambda L: L.nn.Softmax(dim=1)),
    ("LogSoftmax", lambda L: L.nn.LogSoftmax(1)), ("Softmin", lambda L: L.nn.Softmin(0)),
]


@pytest.mark.parametrize("name, make", MODULES, ids=[m[0] for m in MODULES])
def test_activation_modules_match_pytorch(name, make):
    mt, mc = make(torch), make(chainrule)
    assert repr(mc) == repr(mt)
    assert [n for n, _ in mc.named_parameters()] == [n for n, _ in mt.named_parameters()]
    (x,) = arrays(6, (2, 4))
    xt, xc = both(x * 3)
    if name.endswith("inplace"):
        xt, xc = xt.clone(), xc.clone()
    assert_same(mt(xt), mc(xc), exact=False)


def test_module_reprs_of_settings():
    for make in [lambda L: L.nn.ReLU(True), lambda L: L.nn.ReLU6(True),
                 lambda L: L.nn.Hardtanh(-2, 2, True), lambda L: L.nn.LeakyReLU(0.2, True),
                 lambda L: L.nn.ELU(0.5, True), lambda L: L.nn.SELU(True),
                 lambda L: L.nn.SiLU(True), lambda L: L.nn.Softmax(), lambda L: L.nn.PReLU()]:
        assert repr(make(chainrule)) == repr(make(torch))


def test_prelu_learns_its_slope_like_pytorch():
    (x,) = arrays(1, (6, 3))
    grads = []
    for lib in (torch, chainrule):
        m = lib.nn.PReLU(3)
        m(lib.tensor(x)).sum().backward()
        grads.append(m.weight.grad)
        assert repr(m.weight) == repr(lib.nn.PReLU(3).weight)
    assert_same(grads[0], grads[1], exact=False)


@pytest.mark.parametrize("call", [
    lambda L, x: L.nn.functional.elu(x.long()),
    lambda L, x: L.nn.functional.gelu(x.long()),
    lambda L, x: L.nn.functional.silu(x.long()),
    lambda L, x: L.nn.functional.leaky_relu(x.long()),
    lambda L, x: L.nn.functional.softplus(x.long()),
    lambda L, x: L.nn.functional.gelu(x, approximate="exact"),
    lambda L, x: L.nn.functional.softshrink(x, -1.0),
    lambda L, x: L.nn.functional.glu(x[:, :3]),
    lambda L, x: L.nn.functional.prelu(x, L.ones(3)),
    lambda L, x: L.nn.Hardtanh(1.0, -1.0),
])
def test_errors_match_pytorch(call):
    (x,) = arrays(0, (2, 4))
    same_error(lambda: call(torch, torch.tensor(x)), lambda: call(chainrule, chainrule.tensor(x)))


def test_integer_inputs_where_pytorch_allows_them():
    x = np.arange(-3, 4)
    for call in [lambda L, t: L.nn.functional.relu(t), lambda L, t: L.nn.functional.relu6(t),
                 lambda L, t: L.nn.functional.hardtanh(t),
                 lambda L, t: L.nn.functional.threshold(t, 1, 2)]:
        assert_same(call(torch, torch.tensor(x)), call(chainrule, chainrule.tensor(x)))


def test_softmax_without_dim_warns_and_guesses_like_pytorch():
    (x,) = arrays(0, (2, 3))
    for shape in [(3,), (2, 3), (2, 3, 4)]:
        (x,) = arrays(1, shape)
        with warnings.catch_warnings(record=True) as wt:
            warnings.simplefilter("always")
            yt = torch.nn.functional.softmax(torch.tensor(x))
        with warnings.catch_warnings(record=True) as wc:
            warnings.simplefilter("always")
            yc = chainrule.nn.functional.softmax(chainrule.tensor(x))
        assert [str(w.message) for w in wc] == [str(w.message) for w in wt]
        assert_same(yt, yc, exact=False)


def test_relu_gradient_at_zero_is_zero_like_pytorch():
    x = np.array([-1.0, 0.0, 2.0], np.float32)
    for call in [lambda L, t: L.nn.functional.relu(t), lambda L, t: L.nn.functional.relu6(t),
                 lambda L, t: L.nn.functional.leaky_relu(t),
                 lambda L, t: L.nn.functional.hardtanh(t, 0.0, 2.0)]:
        compare(lambda L, t: call(L, t * L.tensor(x)), [(3,)], seed=0)
