"""Pooling and resizing against PyTorch: max/avg/adaptive pools, F.interpolate and their
layers (outputs, indices, gradients, ties, grad_fn names, reprs, errors), second
derivatives and numerical gradients in float64."""
import numpy as np
import pytest
import torch

import chainrule
from _compare import arrays, assert_same, numerical_check, same_error

TOL = dict(rtol=1e-5, atol=1e-6)


def run(name, shape, integers=False, exact=True, **options):
    """``F.<name>`` in both libraries: outputs (and indices) and dL/dx.

    ``integers`` rounds the input to whole numbers, so that windows hold ties.
    """
    x, = arrays(0, shape)
    if integers:
        x = np.round(x)
    results = []
    for lib in (torch, chainrule):
        X = lib.tensor(x, requires_grad=True)
        out = getattr(lib.nn.functional, name)(X, **options)
        y, extra = (out if isinstance(out, tuple) else (out, None))
        y.backward(lib.tensor(arrays(1, tuple(y.shape))[0]))
        results.append((y, extra, X.grad))
    (yt, it, gt), (yc, ic, gc) = results
    assert yc.grad_fn.name() == yt.grad_fn.name()
    assert_same(yt, yc, exact, **TOL)
    if it is not None:
        assert_same(it, ic)
    # overlapping windows add gradients in another order: equal up to rounding
    assert_same(gt, gc, exact=False, **TOL)


@pytest.mark.parametrize("shape, options", [
    ((2, 3, 8, 8), {"kernel_size": 2}),
    ((2, 3, 9, 8), {"kernel_size": 3, "stride": (2, 1), "padding": 1}),
    ((2, 3, 9, 8), {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": (1, 2),
                    "ceil_mode": True, "return_indices": True}),
    ((2, 3, 9, 7), {"kernel_size": (3, 2), "stride": 2, "ceil_mode": True,
                    "return_indices": True}),
    ((3, 9, 8), {"kernel_size": 2, "return_indices": True}),                 # unbatched
])
def test_max_pool2d_with_ties(shape, options):
    run("max_pool2d", shape, integers=True, **options)


@pytest.mark.parametrize("options", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 2, "ceil_mode": True,
     "return_indices": True},
])
def test_max_pool1d(options):
    run("max_pool1d", (2, 3, 11), integers=True, **options)


def test_max_pool_nan_wins():
    x = np.array([[[[1.0, np.nan, 3.0, np.nan], [np.nan, 0.0, 1.0, 2.0]]]], np.float32)
    results = []
    for lib in (torch, chainrule):
        X = lib.tensor(x, requires_grad=True)
        y, i = lib.nn.functional.max_pool2d(X, 2, return_indices=True)
        y.sum().backward()
        results.append((i, X.grad))
    for t, c in zip(*results):
        assert_same(t, c)


@pytest.mark.parametrize("options", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
     "count_include_pad": False},
    {"kernel_size": (3, 2), "stride": (2, 3), "padding": (1, 1), "divisor_override": 5},
])
def test_avg_pool2d(options):
    run("avg_pool2d", (2, 3, 9, 8), exact=False, **options)


@pytest.mark.parametrize("options", [
    {"kernel_size": 3},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True,
     "count_include_pad": False},
])
def test_avg_pool1d(options):
    run("avg_pool1d", (2, 3, 10), exact=False, **options)


@pytest.mark.parametrize("shape, size", [
    ((2, 3, 10, 9), (3, 4)), ((2, 3, 10, 9), 1), ((3, 10, 9), (None, 4)),
    ((2, 3, 8, 8), 4), ((2, 3, 5, 7), (7, 9)),
])
def test_adaptive_avg_pool2d(shape, size):
    run("adaptive_avg_pool2d", shape, exact=False, output_size=size)


@pytest.mark.parametrize("shape, size", [((2, 3, 10, 9), (3, 4)), ((3, 10, 9), 4),
                                         ((2, 3, 5, 7), (7, 2))])
def test_adaptive_max_pool2d(shape, size):
    run("adaptive_max_pool2d", shape, integers=True, output_size=size, return_indices=True)


@pytest.mark.parametrize("options", [
    {"scale_factor": 2},
    {"scale_factor": 1.7},
    {"size": (5, 11)},
    {"scale_factor": (0.5, 3)},
    {"size": 7, "mode": "bilinear"},
    {"scale_factor": 2, "mode": "bilinear"},
    {"scale_factor": 1.3, "mode": "bilinear", "align_corners": True},
    {"size": (3, 10), "mode": "bilinear", "align_corners": False},
    {"scale_factor": 1.5, "mode": "bilinear", "recompute_scale_factor": True},
])
def test_interpolate(options):
    run("interpolate", (2, 3, 4, 6), exact=False, **options)


@pytest.mark.parametrize("options", [
    {"scale_factor": 2}, {"size": 7}, {"scale_factor": 1.6, "mode": "linear"},
    {"size": 9, "mode": "linear", "align_corners": True},
])
def test_interpolate_1d(options):
    run("interpolate", (2, 3, 5), exact=False, **options)


@pytest.mark.parametrize("name, options", [
    ("max_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1}),
    ("avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}),
    ("adaptive_avg_pool2d", {"output_size": (2, 3)}),
    ("interpolate", {"scale_factor": 1.5, "mode": "bilinear"}),
    ("interpolate", {"size": (7, 3)}),
])
def test_numerical_gradient(name, options):
    numerical_check(lambda lib, x: getattr(lib.nn.functional, name)(x, **options),
                    [(1, 2, 5, 4)])


@pytest.mark.parametrize("name, options", [
    ("max_pool2d", {"kernel_size": 2, "stride": 1}),
    ("avg_pool2d", {"kernel_size": 2, "stride": 1, "padding": 1}),
    ("adaptive_avg_pool2d", {"output_size": (2, 3)}),
    ("interpolate", {"scale_factor": 2, "mode": "bilinear"}),
    ("interpolate", {"size": 7}),
])
def test_double_backward(name, options):
    """The gradient of a function of the first gradient (create_graph=True)."""
    x, = arrays(2, (1, 2, 4, 5))
    results = []
    for lib in (torch, chainrule):
        X = lib.tensor(x, requires_grad=True)
        y = getattr(lib.nn.functional, name)(X, **options)
        weight = lib.tensor(arrays(3, tuple(y.shape))[0], requires_grad=True)
        gx, = lib.autograd.grad((y * weight).sum(), X, create_graph=True)
        (gx * gx).sum().backward()
        results.append((gx, weight.grad))
    for t, c in zip(*results):
        assert_same(t, c, exact=False, **TOL)


# ---- layers ---------------------------------------------------------------------------------

LAYERS = [
    (lambda L: L.nn.MaxPool2d(2), (2, 3, 8, 8)),
    (lambda L: L.nn.MaxPool2d(3, 2, 1, 2, ceil_mode=True), (2, 3, 9, 9)),
    (lambda L: L.nn.MaxPool1d(3, stride=1), (2, 3, 9)),
    (lambda L: L.nn.AvgPool2d(2), (2, 3, 8, 8)),
    (lambda L: L.nn.AvgPool2d(3, 2, 1, True, False), (2, 3, 9, 9)),
    (lambda L: L.nn.AvgPool1d(3), (2, 3, 9)),
    (lambda L: L.nn.AdaptiveAvgPool2d((3, 4)), (2, 3, 9, 9)),
    (lambda L: L.nn.AdaptiveMaxPool2d(2), (2, 3, 9, 9)),
    (lambda L: L.nn.Upsample(scale_factor=2), (2, 3, 4, 4)),
    (lambda L: L.nn.Upsample(size=5, mode="bilinear", align_corners=True), (2, 3, 4, 4)),
    (lambda L: L.nn.Upsample(scale_factor=(3,), mode="linear"), (2, 3, 4)),
]


@pytest.mark.parametrize("make, shape", LAYERS)
def test_layers(make, shape):
    mt, mc = make(torch), make(chainrule)
    assert repr(mc) == repr(mt)
    assert list(mc.parameters()) == []
    x, = arrays(4, shape)
    assert_same(mt(torch.tensor(x)), mc(chainrule.tensor(x)), exact=False, **TOL)


def test_max_pool2d_layer_return_indices():
    x, = arrays(5, (1, 2, 6, 6))
    vt, it = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    vc, ic = chainrule.nn.MaxPool2d(2, return_indices=True)(chainrule.tensor(x))
    assert_same(vt, vc)
    assert_same(it, ic)


# ---- errors ---------------------------------------------------------------------------------

def _error_cases(L):
    F = L.nn.functional
    x = L.ones(2, 3, 8, 8)
    return [
        lambda: F.max_pool2d(x, 3, padding=2),
        lambda: F.max_pool2d(L.ones(2, 3, 1, 1), 2),
        lambda: F.max_pool2d(L.ones(8, 8), 2),
        lambda: F.max_pool2d(x, 2, stride=0),
        lambda: F.max_pool2d(x, 2, dilation=0),
        lambda: F.max_pool1d(L.ones(8), 2),
        lambda: F.max_pool1d(L.ones(2, 3, 1), 2),
        lambda: F.avg_pool2d(x, 3, padding=2),
        lambda: F.avg_pool2d(L.ones(2, 3, 1, 1), 2),
        lambda: F.avg_pool1d(L.ones(8), 2),
        lambda: F.avg_pool1d(L.ones(2, 3, 1), 2),
        lambda: F.adaptive_avg_pool2d(L.ones(8), 2),
        lambda: F.adaptive_max_pool2d(L.ones(8), 2),
        lambda: F.interpolate(x),
        lambda: F.interpolate(x, size=3, scale_factor=2),
        lambda: F.interpolate(x, size=3, mode="foo"),
        lambda: F.interpolate(x, size=3, align_corners=True),
        lambda: F.interpolate(x[0], size=3, mode="bilinear"),
        lambda: F.interpolate(x, size=3, mode="linear"),
    ]


@pytest.mark.parametrize("case", range(len(_error_cases(torch))))
def test_errors_match_torch(case):
    same_error(_error_cases(torch)[case], _error_cases(chainrule)[case])


def test_unbatched_avg_pool2d():
    run("avg_pool2d", (3, 9, 8), exact=False, kernel_size=3, stride=2, padding=1)


@pytest.mark.parametrize("kernel, stride", [(2, 2), (3, 3), (2, 3), (3, 2), (3, 1)])
def test_max_pool_gradient_put_or_added(kernel, stride):
    """Windows that cannot share a pixel put each gradient in place; overlapping ones
    (stride < kernel) add them up. Integer inputs make ties: the first maximum wins."""
    x = np.round(np.random.RandomState(kernel * 10 + stride).standard_normal((3, 4, 11, 10)))
    x = x.astype(np.float32)
    results = []
    for lib in (torch, chainrule):
        X = lib.tensor(x, requires_grad=True)
        y, i = lib.nn.functional.max_pool2d(X, kernel, stride, return_indices=True)
        y.backward(lib.tensor(np.linspace(-1, 1, y.numel(), dtype=np.float32).reshape(y.shape)))
        results.append((y.detach().numpy(), i.numpy(), X.grad.numpy()))
    (y, i, g), (yt, it, gt) = results[1], results[0]
    assert np.array_equal(y, yt) and np.array_equal(i, it)
    if stride >= kernel:
        assert np.array_equal(g, gt)
    else:           # a pixel that won several windows: sums may round differently
        np.testing.assert_allclose(g, gt, rtol=1e-6, atol=1e-7)
