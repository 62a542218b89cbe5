"""Convolutions against PyTorch: F.conv1d/conv2d/conv_transpose1d/2d, F.unfold/fold and the
Conv layers (outputs, gradients of input, weight and bias, init after the same seed,
reprs, parameter names, grad_fn names and error messages), plus second derivatives
and numerical gradients in float64."""
import numpy as np
import pytest
import torch

import chainrule
from _compare import arrays, assert_same, both, numerical_check, same_error

TOL = dict(rtol=1e-4, atol=1e-5)      # float32 sums in a different order than oneDNN's
# PyTorch warns that padding='same' with an even kernel copies the input; not our concern
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same'")


def run_conv(name, x_shape, w_shape, bias=True, **options):
    """The same convolution in both libraries; compare y, dL/dx, dL/dw, dL/db."""
    x, w = arrays(0, x_shape, w_shape)
    out_channels = w_shape[1] * options.get("groups", 1) if "transpose" in name else w_shape[0]
    b = arrays(1, (out_channels,))[0]
    results = []
    for lib in (torch, chainrule):
        tensors = [lib.tensor(a, requires_grad=True) for a in ((x, w, b) if bias else (x, w))]
        y = getattr(lib.nn.functional, name)(*tensors, **options)
        grad = arrays(2, tuple(y.shape))[0]
        y.backward(lib.tensor(grad))
        results.append((y, [t.grad for t in tensors]))
    (yt, gt), (yc, gc) = results
    assert yc.grad_fn.name() == yt.grad_fn.name()
    assert_same(yt, yc, exact=False, **TOL)
    for t, c in zip(gt, gc):
        assert_same(t, c, exact=False, rtol=1e-4, atol=5e-5)


CONV2D = [
    ((2, 3, 9, 8), (4, 3, 3, 3), {}),
    ((2, 3, 9, 8), (4, 3, 3, 2), {"stride": 2}),
    ((2, 3, 9, 8), (4, 3, 3, 2), {"stride": (2, 3), "padding": (1, 2)}),
    ((2, 3, 9, 8), (4, 3, 2, 3), {"padding": 1, "dilation": 2}),
    ((2, 4, 9, 8), (6, 2, 3, 3), {"groups": 2, "stride": 2, "padding": 1}),
    ((2, 4, 9, 8), (4, 1, 3, 3), {"groups": 4, "dilation": (2, 1)}),      # depthwise
    ((2, 3, 9, 8), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 9, 8), (4, 3, 2, 4), {"padding": "same", "dilation": (1, 3)}),  # uneven padding
    ((2, 3, 9, 8), (4, 3, 3, 3), {"padding": "valid"}),
    ((3, 9, 8), (4, 3, 3, 3), {"stride": 2}),                              # unbatched
    ((2, 3, 10, 10), (4, 3, 3, 3), {"stride": 3, "padding": 1}),           # rows left over
]


@pytest.mark.parametrize("x_shape, w_shape, options", CONV2D)
def test_conv2d_matches_torch(x_shape, w_shape, options):
    run_conv("conv2d", x_shape, w_shape, **options)


def test_conv2d_without_bias():
    run_conv("conv2d", (2, 3, 7, 7), (4, 3, 3, 3), bias=False, stride=2)


@pytest.mark.parametrize("x_shape, w_shape, options", [
    ((2, 3, 11), (4, 3, 3), {}),
    ((2, 4, 11), (6, 2, 3), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2}),
    ((2, 3, 11), (4, 3, 4), {"padding": "same"}),
    ((3, 11), (4, 3, 3), {"padding": 1}),
])
def test_conv1d_matches_torch(x_shape, w_shape, options):
    run_conv("conv1d", x_shape, w_shape, **options)


@pytest.mark.parametrize("name, x_shape, w_shape, options", [
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 3), {}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 3),
     {"stride": 2, "padding": 1, "output_padding": 1}),
    ("conv_transpose2d", (2, 4, 5, 6), (4, 3, 3, 2),
     {"stride": (2, 3), "padding": (1, 0), "output_padding": (0, 2), "groups": 2,
      "dilation": (2, 3)}),
    ("conv_transpose2d", (4, 5, 6), (4, 2, 2, 2), {"stride": 2}),
    ("conv_transpose1d", (2, 4, 7), (4, 3, 3), {"stride": 2, "padding": 1,
                                                 "output_padding": 1}),
])
def test_conv_transpose_matches_torch(name, x_shape, w_shape, options):
    run_conv(name, x_shape, w_shape, **options)


def test_conv2d_double_backward():
    """d/dx and d/dw of a function of the first gradients (create_graph=True)."""
    x, w = arrays(3, (1, 2, 5, 4), (3, 2, 2, 3))
    results = []
    for lib in (torch, chainrule):
        X, W = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv2d(X, W, stride=(1, 2), padding=1)
        gx, gw = lib.autograd.grad((y * y).sum(), (X, W), create_graph=True)
        assert gx.grad_fn.name() == gw.grad_fn.name() == "ConvolutionBackwardBackward0"
        ((gx ** 2).sum() + (gw * gw.sin()).sum()).backward()
        results.append((gx, gw, X.grad, W.grad))
    for t, c in zip(*results):
        assert_same(t, c, exact=False, rtol=1e-4, atol=1e-4)


def test_conv_transpose2d_double_backward():
    x, w = arrays(4, (1, 2, 3, 3), (2, 2, 2, 2))
    results = []
    for lib in (torch, chainrule):
        X, W = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        y = lib.nn.functional.conv_transpose2d(X, W, stride=2)
        gx, gw = lib.autograd.grad((y ** 3).sum(), (X, W), create_graph=True)
        (gx.sum() + (gw ** 2).sum()).backward()
        results.append((gx, gw, X.grad, W.grad))
    for t, c in zip(*results):
        assert_same(t, c, exact=False, rtol=1e-4, atol=1e-4)


def test_conv2d_numerical_gradient():
    numerical_check(lambda lib, x, w, b: lib.nn.functional.conv2d(
        x, w, b, stride=2, padding=1, dilation=(1, 2), groups=2),
        [(1, 4, 5, 5), (2, 2, 2, 2), (2,)])


def test_conv_transpose2d_numerical_gradient():
    numerical_check(lambda lib, x, w: lib.nn.functional.conv_transpose2d(
        x, w, stride=2, padding=1, output_padding=1), [(1, 2, 3, 2), (2, 1, 3, 2)])


@pytest.mark.parametrize("options", [
    {"kernel_size": 2},
    {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)},
])
def test_unfold_fold_match_torch(options):
    x = arrays(5, (2, 3, 7, 6))[0]
    results = []
    for lib in (torch, chainrule):
        X = lib.tensor(x, requires_grad=True)
        cols = lib.nn.functional.unfold(X, **options)
        back = lib.nn.functional.fold(cols * cols, (7, 6), **options)
        back.backward(lib.tensor(arrays(6, tuple(back.shape))[0]))
        assert cols.grad_fn.name() == "Im2ColBackward0"
        assert back.grad_fn.name() == "Col2ImBackward0"
        results.append((cols, back, X.grad))
    for t, c in zip(*results):
        assert_same(t, c, exact=False, **TOL)


# ---- layers -------------------------------------------------------------------------------

LAYERS = [
    lambda L: L.nn.Conv2d(1, 8, 3),
    lambda L: L.nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, dilation=(2, 1), groups=2),
    lambda L: L.nn.Conv2d(3, 4, 3, bias=False, padding="same"),
    lambda L: L.nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"),
    lambda L: L.nn.Conv2d(3, 4, 3, padding=(1, 2), padding_mode="circular"),
    lambda L: L.nn.Conv1d(3, 5, 4, stride=2, padding="valid"),
    lambda L: L.nn.Conv1d(4, 4, 3, padding=1, groups=4, padding_mode="replicate"),
    lambda L: L.nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1, output_padding=1),
    lambda L: L.nn.ConvTranspose2d(4, 6, 2, groups=2, bias=False, dilation=2),
    lambda L: L.nn.ConvTranspose1d(3, 2, 3, stride=3),
]


@pytest.mark.parametrize("make", LAYERS)
def test_layer_init_repr_forward_backward(make):
    torch.manual_seed(7)
    mt = make(torch)
    chainrule.manual_seed(7)
    mc = make(chainrule)
    assert repr(mc) == repr(mt)
    assert [(n, tuple(p.shape)) for n, p in mc.named_parameters()] == \
        [(n, tuple(p.shape)) for n, p in mt.named_parameters()]
    for pt, pc in zip(mt.parameters(), mc.parameters()):
        assert_same(pt, pc)                     # the same draws: bit for bit
    shape = (2, mt.in_channels) + (7,) * len(mt.kernel_size)
    xt, xc = both(arrays(8, shape)[0], requires_grad=True)
    yt, yc = mt(xt), mc(xc)
    assert_same(yt, yc, exact=False, **TOL)
    grad = arrays(9, tuple(yt.shape))[0]
    yt.backward(torch.tensor(grad))
    yc.backward(chainrule.tensor(grad))
    assert_same(xt.grad, xc.grad, exact=False, rtol=1e-4, atol=5e-5)
    for pt, pc in zip(mt.parameters(), mc.parameters()):
        assert_same(pt.grad, pc.grad, exact=False, rtol=1e-4, atol=5e-5)


def test_float64_layer():
    torch.manual_seed(1)
    mt = torch.nn.Conv2d(2, 3, 3, stride=2, dtype=torch.float64)
    chainrule.manual_seed(1)
    mc = chainrule.nn.Conv2d(2, 3, 3, stride=2, dtype=chainrule.float64)
    for pt, pc in zip(mt.parameters(), mc.parameters()):
        assert_same(pt, pc)
    xt, xc = both(arrays(2, (2, 2, 7, 6), dtype=np.float64)[0])
    assert_same(mt(xt), mc(xc), exact=False, rtol=1e-12, atol=1e-12)


def test_conv_transpose2d_output_size():
    torch.manual_seed(0)
    mt = torch.nn.ConvTranspose2d(2, 3, 3, stride=2)
    chainrule.manual_seed(0)
    mc = chainrule.nn.ConvTranspose2d(2, 3, 3, stride=2)
    xt, xc = both(arrays(0, (1, 2, 4, 4))[0])
    assert_same(mt(xt, output_size=[10, 9]), mc(xc, output_size=[10, 9]), exact=False, **TOL)


def test_small_cnn_trains_like_torch():
    """Conv2d, BatchNorm2d, ReLU, MaxPool2d, Dropout2d (eval), Flatten, Linear: a few SGD steps."""
    def make(L):
        nn = L.nn
        return nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Dropout2d(0.5), nn.Conv2d(4, 6, 3, padding=1), nn.ReLU(),
                             nn.AdaptiveAvgPool2d(2), nn.Flatten(), nn.Linear(24, 3))
    x, = arrays(10, (8, 1, 10, 10))
    target = np.arange(8) % 3
    losses = []
    for lib in (torch, chainrule):
        lib.manual_seed(3)
        model = make(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        run = []
        for step in range(3):
            model.train(step != 1)          # the middle step in eval mode: running stats
            optimizer.zero_grad()
            loss = lib.nn.functional.cross_entropy(model(lib.tensor(x)), lib.tensor(target))
            loss.backward()
            optimizer.step()
            run.append(loss.item())
        losses.append((run, model[1].running_mean, model[1].running_var))
    np.testing.assert_allclose(losses[1][0], losses[0][0], rtol=1e-4)
    assert_same(losses[0][1], losses[1][1], exact=False, **TOL)
    assert_same(losses[0][2], losses[1][2], exact=False, **TOL)


# ---- errors ----------------------------------------------------------------------------------

def _error_cases(L):
    F = L.nn.functional
    x, w = L.ones(2, 3, 8, 8), L.ones(4, 3, 3, 3)
    return [
        lambda: F.conv2d(L.ones(28, 28), w),
        lambda: F.conv2d(L.ones(2, 1, 28, 28), w),
        lambda: F.conv2d(L.ones(2, 3, 2, 2), w),
        lambda: F.conv2d(x, w, groups=2),
        lambda: F.conv2d(x, w, stride=0),
        lambda: F.conv2d(x, w, padding=-1),
        lambda: F.conv2d(x, w, padding="same", stride=2),
        lambda: F.conv2d(x, w, padding="foo"),
        lambda: F.conv2d(x.double(), w),
        lambda: F.conv2d(x, w, bias=L.ones(3)),
        lambda: F.conv2d(x, w, bias=L.ones(4, dtype=L.float64)),
        lambda: F.conv1d(x, w),
        lambda: F.conv_transpose2d(x, L.ones(4, 3, 3, 3)),
        lambda: F.fold(L.ones(2, 10, 9), (4, 4), 2),
        lambda: F.fold(L.ones(2, 12, 10), (4, 4), 2),
        lambda: L.nn.Conv2d(3, 4, 3, groups=2),
        lambda: L.nn.Conv2d(4, 3, 3, groups=2),
        lambda: L.nn.Conv2d(4, 4, 3, padding="same", stride=2),
        lambda: L.nn.Conv2d(4, 4, 3, padding="full"),
        lambda: L.nn.Conv2d(4, 4, 3, padding_mode="mirror"),
        lambda: L.nn.ConvTranspose2d(4, 4, 3, padding_mode="reflect"),
    ]


@pytest.mark.parametrize("case", range(len(_error_cases(torch))))
def test_errors_match_torch(case):
    same_error(_error_cases(torch)[case], _error_cases(chainrule)[case])
