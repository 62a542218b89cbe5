"""nn.functional against PyTorch: values, gradients, grad_fn names, graph shapes
and error messages; gradients also against numerical differences."""
import math
import warnings

import numpy as np
import pytest
import torch

import chainrule
from chainrule.nn._ops.erf import erf
from _compare import arrays, assert_same, both, compare, numerical_check, same_error


# ---- linear -----------------------------------------------------------------------------
LINEAR_CASES = [
    ("2d_bias", (4, 5), True), ("2d", (4, 5), False), ("1d_bias", (5,), True),
    ("1d", (5,), False), ("3d_bias", (2, 3, 5), True), ("3d", (2, 3, 5), False),
    ("4d_bias", (2, 2, 3, 5), True),
]


@pytest.mark.parametrize("name, shape, bias", LINEAR_CASES, ids=[c[0] for c in LINEAR_CASES])
def test_linear_values_gradients_and_graph(name, shape, bias):
    shapes = [shape, (3, 5)] + ([(3,)] if bias else [])
    out_t, out_c = compare(lambda L, *a: L.nn.functional.linear(*a), shapes, exact=False,
                           rtol=1e-6, atol=1e-6)

    def walk(fn, depth=3):
        if fn is None or depth == 0:
            return None
        return (fn.name(), [walk(f, depth - 1) for f, _ in fn.next_functions])
    # without a bias the graph is chainrule's matmul, which is one node where PyTorch
    # shows several: compare the first level only there
    if bias:
        assert walk(out_c.grad_fn) == walk(out_t.grad_fn)
    else:
        assert out_c.grad_fn.name() == out_t.grad_fn.name()


def test_linear_with_one_input_feature_is_bit_exact():
    # the gradient of x sums over the 3 outputs (BLAS order), so only values are exact
    compare(lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(6, 1), (3, 1), (3,)],
            grad_exact=False)


def test_linear_non_contiguous_input_adds_the_bias_separately():
    def call(L, x, w, b):
        return L.nn.functional.linear(x.transpose(0, 1), w, b)
    out_t, out_c = compare(call, [(3, 2, 5), (4, 5), (4,)], exact=False)
    assert out_c.grad_fn.name() == out_t.grad_fn.name() == "AddBackward0"


@pytest.mark.parametrize("call", [
    lambda L: L.nn.functional.linear(L.ones(3, 4, dtype=L.float64), L.ones(5, 4), L.ones(5)),
    lambda L: L.nn.functional.linear(L.ones(3, 4), L.ones(5, 4, dtype=L.float64), L.ones(5)),
    lambda L: L.nn.functional.linear(L.ones(3, 4), L.ones(5, 4), L.ones(5, dtype=L.float64)),
    lambda L: L.nn.functional.linear(L.ones(3, 4), L.ones(5, 4), L.ones(3)),
    lambda L: L.nn.functional.linear(L.ones(3, 3), L.ones(5, 4), L.ones(5)),
    lambda L: L.nn.functional.linear(L.ones(3), L.ones(5, 4), L.ones(5)),
    lambda L: L.nn.functional.linear(L.ones(3, 4), L.ones(4), L.ones(1)),
    lambda L: L.nn.functional.linear(L.tensor(1.0), L.ones(5, 4)),
    lambda L: L.nn.functional.linear(L.ones(4), L.ones(5, 4), L.ones(3, 5)),
    lambda L: L.nn.functional.linear(L.ones(3, 4, dtype=L.int64), L.ones(5, 4)),
    lambda L: L.nn.functional.linear(L.ones(3, 4), L.ones(5, 4), L.ones(2, 3, 5)),
])
def test_linear_errors_match_pytorch(call):
    same_error(lambda: call(torch), lambda: call(chainrule))


def test_linear_bias_of_full_shape():
    compare(lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(3, 4), (5, 4), (3, 5)],
            exact=False)


def test_linear_and_bilinear_numerical_gradients():
    numerical_check(lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(3, 4), (2, 4), (2,)])
    numerical_check(lambda L, x, w, b: L.nn.functional.linear(x, w, b), [(4,), (2, 4), (2,)])
    numerical_check(lambda L, a, b, w, c: L.nn.functional.bilinear(a, b, w, c),
                    [(2, 3), (2, 2), (4, 3, 2), (4,)])


def test_linear_second_derivatives_match_pytorch():
    x, w, b = arrays(0, (3, 4), (2, 4), (2,), dtype=np.float64)
    grads = []
    for lib in (torch, chainrule):
        tx, tw, tb = (lib.tensor(a, requires_grad=True) for a in (x, w, b))
        y = lib.nn.functional.linear(tx, tw, tb).tanh().sum()
        gx, gw = lib.autograd.grad(y, (tx, tw), create_graph=True)
        (gx.sum() + (gw * gw).sum()).backward()
        grads.append((tx.grad, tw.grad, tb.grad))
    for t, c in zip(*grads):
        assert_same(t, c, exact=False, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("call", [
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(2, 4, 1), L.ones(5, 3, 4)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(3, 4), L.ones(5, 3, 4)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(2, 4), L.ones(5, 3)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 2), L.ones(2, 4), L.ones(5, 3, 4)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(2, 2), L.ones(5, 3, 4)),
    lambda L: L.nn.functional.bilinear(L.ones(2, 3), L.ones(2, 4), L.ones(5, 3, 4), L.ones(4)),
])
def test_bilinear_errors_match_pytorch(call):
    same_error(lambda: call(torch), lambda: call(chainrule))


# ---- normalisation -------------------------------------------------------------------------
def test_layer_norm_values_gradients_and_numerics():
    call = lambda L, x, w, b: L.nn.functional.layer_norm(x, (4,), w, b)   # noqa: E731
    compare(call, [(3, 4), (4,), (4,)], exact=False, rtol=1e-5, atol=1e-6)
    compare(lambda L, x: L.nn.functional.layer_norm(x, (2, 3)), [(4, 2, 3)], exact=False,
            rtol=1e-5, atol=1e-6)
    numerical_check(call, [(2, 4), (4,), (4,)])
    numerical_check(lambda L, x: L.nn.functional.layer_norm(x, (3, 2)), [(2, 3, 2)])


def test_layer_norm_float64_matches_pytorch():
    compare(lambda L, x, w, b: L.nn.functional.layer_norm(x, (5,), w, b, 1e-3),
            [(3, 5), (5,), (5,)], exact=False, rtol=1e-12, atol=1e-13, dtype=np.float64)


@pytest.mark.parametrize("call", [
    lambda L, x: L.nn.functional.layer_norm(x, (3,)),
    lambda L, x: L.nn.functional.layer_norm(x, (4,), L.ones(3)),
    lambda L, x: L.nn.functional.layer_norm(x, (4,), None, L.ones(5)),
    lambda L, x: L.nn.functional.layer_norm(x, 4),
    lambda L, x: L.nn.functional.layer_norm(x.long(), (4,)),
])
def test_layer_norm_errors(call):
    (x,) = arrays(0, (2, 4))
    same_error(lambda: call(torch, torch.tensor(x)), lambda: call(chainrule, chainrule.tensor(x)))


def test_batch_norm_training_gradients_and_numerics():
    def call(L, x, w, b):
        return L.nn.functional.batch_norm(x, None, None, w, b, training=True)
    compare(call, [(5, 3), (3,), (3,)], exact=False, rtol=1e-5, atol=1e-6)
    compare(call, [(4, 3, 6), (3,), (3,)], exact=False, rtol=1e-5, atol=1e-6)
    numerical_check(call, [(4, 3), (3,), (3,)])
    numerical_check(call, [(2, 2, 3), (2,), (2,)])


def test_batch_norm_second_derivatives_match_pytorch():
    x, w = arrays(1, (4, 3), (3,), dtype=np.float64)
    grads = []
    for lib in (torch, chainrule):
        tx, tw = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.batch_norm(tx, None, None, tw, None, training=True)
        (gx,) = lib.autograd.grad((y * y * y).sum(), tx, create_graph=True)
        (gx * gx).sum().backward()
        grads.append((tx.grad, tw.grad))
    for t, c in zip(*grads):
        assert_same(t, c, exact=False, rtol=1e-8, atol=1e-10)


def test_batch_norm_eval_is_bit_exact_and_updates_nothing():
    x, rm, w, b = arrays(2, (6, 4), (4,), (4,), (4,))
    rv = np.abs(arrays(3, (4,))[0]) + 0.5
    outs = []
    for lib in (torch, chainrule):
        m, v = lib.tensor(rm), lib.tensor(rv)
        y = lib.nn.functional.batch_norm(lib.tensor(x), m, v, lib.tensor(w), lib.tensor(b))
        outs.append(y)
        assert np.array_equal(m.numpy(), rm)
    assert_same(outs[0], outs[1])


@pytest.mark.parametrize("call", [
    lambda L, x: L.nn.functional.batch_norm(x, None, None),
    lambda L, x: L.nn.functional.batch_norm(x, L.zeros(4), L.ones(3)),
    lambda L, x: L.nn.functional.batch_norm(x, L.zeros(3), L.ones(4), training=True),
    lambda L, x: L.nn.functional.batch_norm(x, L.zeros(3), L.ones(3), L.ones(4), training=True),
    lambda L, x: L.nn.functional.batch_norm(x[:1], L.zeros(3), L.ones(3), training=True),
    lambda L, x: L.nn.functional.batch_norm(x.long(), L.zeros(3), L.ones(3)),
])
def test_batch_norm_errors(call):
    (x,) = arrays(0, (4, 3))
    same_error(lambda: call(torch, torch.tensor(x)), lambda: call(chainrule, chainrule.tensor(x)))


def test_normalize():
    compare(lambda L, x: L.nn.functional.normalize(x), [(3, 4)], exact=False)
    compare(lambda L, x: L.nn.functional.normalize(x, p=1, dim=0), [(3, 4)], exact=False)
    compare(lambda L, x: L.nn.functional.normalize(x * 0), [(2, 3)], exact=False)
    numerical_check(lambda L, x: L.nn.functional.normalize(x, dim=-1), [(2, 3)])


# ---- lookups, padding, dropout -----------------------------------------------------------
def test_embedding_functional_and_numerics():
    ids = np.array([[1, 0], [3, 1]])
    for kwargs in [{}, {"padding_idx": 1}, {"scale_grad_by_freq": True}]:
        compare(lambda L, w: L.nn.functional.embedding(L.tensor(ids), w, **kwargs), [(4, 3)])
    numerical_check(lambda L, w: L.nn.functional.embedding(L.tensor(ids), w), [(4, 2)])


def test_embedding_double_backward():
    ids = np.array([0, 2, 2])
    (w,) = arrays(0, (3, 2), dtype=np.float64)
    results = []
    for lib in (torch, chainrule):
        tw = lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor(ids), tw)
        (g,) = lib.autograd.grad((y ** 3).sum(), tw, create_graph=True)
        g.sum().backward()
        results.append(tw.grad)
    assert_same(results[0], results[1], exact=False, rtol=1e-12)


def test_embedding_errors():
    for call in [lambda L: L.nn.functional.embedding(L.tensor([0, 1]), L.ones(3)),
                 lambda L: L.nn.functional.embedding(L.tensor([0.5]), L.ones(3, 2)),
                 lambda L: L.nn.functional.embedding(L.tensor([-1]), L.ones(3, 2)),
                 lambda L: L.nn.functional.embedding(L.tensor([0]), L.ones(3, 2), padding_idx=5)]:
        same_error(lambda: call(torch), lambda: call(chainrule))


def test_one_hot():
    for ids, n in [([0, 3, 1], -1), ([[1], [2]], 4), ([], 3)]:
        t = torch.nn.functional.one_hot(torch.tensor(ids, dtype=torch.int64), n)
        c = chainrule.nn.functional.one_hot(chainrule.tensor(ids, dtype=chainrule.int64), n)
        assert_same(t, c)
    for call in [lambda L: L.nn.functional.one_hot(L.tensor([0, 3]), 2),
                 lambda L: L.nn.functional.one_hot(L.tensor([0, -1])),
                 lambda L: L.nn.functional.one_hot(L.tensor([0.0])),
                 lambda L: L.nn.functional.one_hot(L.tensor([1], dtype=L.int32)),
                 lambda L: L.nn.functional.one_hot(L.tensor([], dtype=L.int64))]:
        same_error(lambda: call(torch), lambda: call(chainrule))


PADS = [
    ("constant", lambda L, x: L.nn.functional.pad(x, (1, 2))),
    ("constant_value", lambda L, x: L.nn.functional.pad(x, (1, 0, 2, 1), value=-1.5)),
    ("crop", lambda L, x: L.nn.functional.pad(x, (-1, 1, 0, -1))),
    ("all_dims", lambda L, x: L.nn.functional.pad(x, (1, 1, 1, 1, 1, 1))),
    ("reflect", lambda L, x: L.nn.functional.pad(x, (2, 1), mode="reflect")),
    ("reflect_2d", lambda L, x: L.nn.functional.pad(x, (2, 1, 1, 1), mode="reflect")),
    ("replicate", lambda L, x: L.nn.functional.pad(x, (3, 1), mode="replicate")),
    ("circular", lambda L, x: L.nn.functional.pad(x, (1, 2, 2, 0), mode="circular")),
]


@pytest.mark.parametrize("name, call", PADS, ids=[p[0] for p in PADS])
def test_pad(name, call):
    out_t, out_c = compare(call, [(2, 3, 4)], grad_exact=name in ("constant", "crop",
                                                                  "constant_value", "all_dims"))
    if name.startswith("constant") or name in ("crop", "all_dims"):
        assert out_c.grad_fn.name() == out_t.grad_fn.name()


def test_pad_numerics_and_integer_input():
    numerical_check(lambda L, x: L.nn.functional.pad(x, (1, -1, 2, 0), value=0.3), [(2, 3)])
    numerical_check(lambda L, x: L.nn.functional.pad(x, (2, 1), mode="reflect"), [(1, 2, 4)])
    assert_same(torch.nn.functional.pad(torch.arange(3), (1, 1), value=2),
                chainrule.nn.functional.pad(chainrule.arange(3), (1, 1), value=2))


@pytest.mark.parametrize("call", [
    lambda L, x: L.nn.functional.pad(x, (1,)),
    lambda L, x: L.nn.functional.pad(x, (1,) * 8),
    lambda L, x: L.nn.functional.pad(x, (-5, 1)),
    lambda L, x: L.nn.functional.pad(x, (4, 2), mode="reflect"),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="wrap"),
    lambda L, x: L.nn.functional.pad(x[0, 0], (1, 2), mode="reflect"),
    lambda L, x: L.nn.functional.pad(x, (1, 2), mode="reflect", value=1.0),
])
def test_pad_errors(call):
    (x,) = arrays(0, (2, 3, 4))
    same_error(lambda: call(torch, torch.tensor(x)), lambda: call(chainrule, chainrule.tensor(x)))


def test_dropout_functional():
    (x,) = arrays(0, (5, 6))
    for p, training in [(0.25, True), (0.5, False), (0.0, True), (1.0, True)]:
        torch.manual_seed(3)
        chainrule.manual_seed(3)
        xt, xc = both(x, requires_grad=True)
        yt = torch.nn.functional.dropout(xt, p, training)
        yc = chainrule.nn.functional.dropout(xc, p, training)
        assert_same(yt, yc)
        assert (yc is xc) == (yt is xt)
    for p in (-0.1, 1.1):
        same_error(lambda: torch.nn.functional.dropout(torch.ones(2), p),
                   lambda: chainrule.nn.functional.dropout(chainrule.ones(2), p))
    same_error(lambda: torch.nn.functional.dropout1d(torch.ones(2), 0.5),
               lambda: chainrule.nn.functional.dropout1d(chainrule.ones(2), 0.5))


def test_dropout2d_warns_like_pytorch_on_3d_input():
    records = []
    for lib in (torch, chainrule):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            lib.nn.functional.dropout2d(lib.ones(2, 3, 4), 0.5)
        records.append([str(m.message) for m in w])
    assert records[0] == records[1]


def test_cosine_similarity_and_pairwise_distance():
    compare(lambda L, a, b: L.nn.functional.cosine_similarity(a, b), [(3, 4), (3, 4)],
            exact=False)
    compare(lambda L, a, b: L.nn.functional.cosine_similarity(a, b, dim=0), [(3, 4), (3, 4)],
            exact=False)
    compare(lambda L, a, b: L.nn.functional.pairwise_distance(a, b), [(3, 4), (3, 4)],
            exact=False)


def test_losses_are_reexported():
    for name in ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
                 "binary_cross_entropy_with_logits", "cross_entropy", "nll_loss", "kl_div"]:
        assert callable(getattr(chainrule.nn.functional, name))


# ---- erf ------------------------------------------------------------------------------
def test_erf_is_accurate_to_one_ulp_in_float64():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 2, 20000), rng.uniform(-7, 7, 20000),
                        [0.0, -0.0, 0.84375, 1.25, 1 / 0.35, 6.0, -6.0, 1e-300, np.inf, -np.inf]])
    expected = np.array([math.erf(v) for v in x])
    ulps = np.abs(erf(x) - expected) / np.spacing(np.maximum(np.abs(expected), 1e-300))
    assert ulps.max() <= 1
    assert np.isnan(erf(np.array([np.nan]))[0])


def test_erf_in_float32_rounds_like_the_c_library():
    (x,) = arrays(4, (5000,), scale=2.5)
    expected = torch.erf(torch.tensor(x.astype(np.float64))).numpy().astype(np.float32)
    assert np.array_equal(erf(x), expected)
