"""Piecewise-linear activations: relu, relu6, hardtanh, leaky_relu, prelu, threshold,
hardshrink, softshrink, hardsigmoid, hardswish.

Each is a straight line on each side of a kink, so its derivative is a constant
on each side: the backward pass only has to know *which side* each input was on.
At a kink PyTorch picks the side that gives 0 (``relu'(0) = 0``), and so do we.

A zero gradient is written with ``masked_fill`` rather than by multiplying by 0,
because ``-3.0 * 0`` is ``-0.0``, which would print as ``-0.`` where PyTorch
prints ``0.``.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> x = torch.tensor([-2.0, 0.0, 3.0], requires_grad=True)
>>> F.leaky_relu(x, 0.1)
tensor([-0.2000,  0.0000,  3.0000], grad_fn=<LeakyReluBackward0>)
"""
import numpy as np

from ...autograd.graph import Node
from ..._tensor import TensorBase
from ..._ops._util import inplace
from ._precise import floating, scalar

_make = TensorBase._make


def _in_place(input, op, name, *args):
    """Run ``op`` in place on ``input``; name the node as PyTorch names the in-place form."""
    out = inplace(input, op, *args)
    if out.grad_fn is not None and name is not None:
        out.grad_fn.torch_name = name
    return out


def _zero_where(grad, mask):
    """``grad`` with the positions in ``mask`` (a NumPy bool array) set to +0."""
    return grad.masked_fill(_make(mask), 0)


class Hardtanh(Node):
    """y = min(max(x, lo), hi);   dy/dx = 1 strictly between lo and hi, else 0."""
    torch_name = "HardtanhBackward0"

    def forward(self, a, lo, hi):
        x = a._data
        self.outside = (x <= lo) | (x >= hi)
        return np.clip(x, lo, hi).astype(x.dtype, copy=False)

    def backward(self, grad):
        return _zero_where(grad, self.outside)


class LeakyRelu(Node):
    """y = x for x > 0, slope * x otherwise;   dy/dx = 1 or slope."""
    torch_name = "LeakyReluBackward0"

    def forward(self, a, slope):
        x = floating(a, "leaky_relu_cpu")
        self.slope = slope
        self.positive = x > 0
        return np.where(self.positive, x, x * scalar(slope, x))

    def backward(self, grad):
        return grad.where(_make(self.positive), grad * self.slope)


class PreluKernel(Node):
    """y = x for x > 0, w * x otherwise (w learned);   dy/dx = 1 or w,  dy/dw = 0 or x."""
    torch_name = "PreluKernelBackward0"

    def forward(self, a, w):
        x = floating(a, "prelu_cpu")
        self.save_for_backward(a, w)
        self.positive = x > 0
        return np.where(self.positive, x, w._data * x)

    def backward(self, grad):
        a, w = self.saved_tensors
        positive = _make(self.positive)
        grad_a = grad_w = None
        if self.needs_input_grad(0):
            grad_a = grad.where(positive, w * grad)
        if self.needs_input_grad(1):
            grad_w = (a * grad).masked_fill(positive, 0)     # summed to w's shape by the engine
        return grad_a, grad_w

    def fast_backward(self, grad):
        g = grad._data
        a, w = self.saved_array(0, g.dtype), self.saved_array(1, g.dtype)
        if a is None or w is None:
            return self.backward(grad)
        grad_a = grad_w = None
        if self.needs_input_grad(0):
            grad_a = _make(np.where(self.positive, g, np.multiply(w, g)))
        if self.needs_input_grad(1):
            zero = np.asarray(0).astype(g.dtype)
            grad_w = _make(np.where(self.positive, zero, np.multiply(a, g)))
        return grad_a, grad_w


class Threshold(Node):
    """y = value where x <= threshold, x elsewhere;   dy/dx = 0 or 1."""
    torch_name = "ThresholdBackward0"

    def forward(self, a, threshold, value):
        x = a._data
        self.below = x <= threshold
        return np.where(self.below, scalar(value, x), x)

    def backward(self, grad):
        return _zero_where(grad, self.below)


class Hardshrink(Node):
    """y = 0 for |x| <= lambda, x elsewhere;   dy/dx = 0 or 1."""
    torch_name = "HardshrinkBackward0"

    def forward(self, a, lambd):
        x = floating(a, "hardshrink_cpu")
        self.inside = (x >= -lambd) & (x <= lambd)
        return np.where(self.inside, x.dtype.type(0), x)

    def backward(self, grad):
        return _zero_where(grad, self.inside)


class Softshrink(Node):
    """y = x - lambda above lambda, x + lambda below -lambda, 0 between;   dy/dx = 1 or 0."""
    torch_name = "SoftshrinkBackward0"

    def forward(self, a, lambd):
        x = a._data
        lam = scalar(lambd, x)
        self.inside = (x >= -lambd) & (x <= lambd)
        return np.where(x > lambd, x - lam, np.where(x < -lambd, x + lam, x.dtype.type(0)))

    def backward(self, grad):
        return _zero_where(grad, self.inside)


_ONE_SIXTH = float(np.float32(1.0) / np.float32(6.0))


class Hardsigmoid(Node):
    """y = min(max(x + 3, 0), 6) / 6;   dy/dx = 1/6 on (-3, 3), else 0."""
    torch_name = "HardsigmoidBackward0"

    def forward(self, a):
        x = floating(a, "hardsigmoid_cpu")
        self.outside = (x <= -3) | (x >= 3)
        return np.clip(x + scalar(3, x), 0, 6).astype(x.dtype) / scalar(6, x)

    def backward(self, grad):
        return _zero_where(grad * _ONE_SIXTH, self.outside)     # times 1/6, as PyTorch


class Hardswish(Node):
    """y = x * min(max(x + 3, 0), 6) / 6;   dy/dx = 0 below -3, x/3 + 1/2 on [-3, 3], 1 above."""
    torch_name = "HardswishBackward0"

    def forward(self, a):
        x = floating(a, "hardswish_cpu")
        self.save_for_backward(a)
        return x * np.clip(x + scalar(3, x), 0, 6).astype(x.dtype) / scalar(6, x)

    def backward(self, grad):
        (a,) = self.saved_tensors
        middle = grad * (a / 3 + 0.5)
        return grad.where(a > 3, middle).masked_fill(a < -3, 0)


# ---- the functions users call ---------------------------------------------------
def relu(input, inplace=False):
    """max(x, 0), elementwise."""
    return input.relu_() if inplace else input.relu()


def relu_(input):
    return input.relu_()


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to [min_val, max_val]: -1 below, 1 above, x in between (by default)."""
    if input._data.dtype == np.bool_:
        raise RuntimeError('"hardtanh_cpu" not implemented for \'Bool\'')
    if inplace:
        return _in_place(input, hardtanh, None, min_val, max_val)
    return Hardtanh.apply(input, lo=min_val, hi=max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6): ReLU capped at 6 (it is hardtanh(x, 0, 6))."""
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x for x > 0, ``negative_slope * x`` otherwise: negative inputs keep a small gradient."""
    if inplace:
        return _in_place(input, leaky_relu, "LeakyReluBackward1", negative_slope)
    return LeakyRelu.apply(input, slope=negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def prelu(input, weight):
    """Leaky ReLU with a learned slope ``weight``: one for all channels, or one per
    channel (dimension 1 of ``input``)."""
    if weight.dim() > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: "
                           f"ndim = {weight.dim()}")
    if input.dim() == 0:
        raise RuntimeError("Not allow zero-dim input tensor.")
    n = weight.numel()
    channels = input.shape[1] if input.dim() > 1 else 1
    if n != 1 and n != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found "
                           f"parameter numbers = {n} and channel size = {channels}.")
    if input.dim() != weight.dim():
        # put the per-channel slopes along dimension 1, to broadcast over the rest
        shape = [1] * input.dim()
        if input.dim() > 1:
            shape[1] = n
        weight = weight.reshape(shape)
    return PreluKernel.apply(input, weight)


def threshold(input, threshold, value, inplace=False):
    """``value`` where ``x <= threshold``, else x."""
    if inplace:
        return _in_place(input, lambda t: Threshold.apply(t, threshold=threshold, value=value),
                         "ThresholdBackward1")
    return Threshold.apply(input, threshold=threshold, value=value)


def threshold_(input, threshold, value):
    return _in_place(input, lambda t: Threshold.apply(t, threshold=threshold, value=value),
                     "ThresholdBackward1")


def hardshrink(input, lambd=0.5):
    """0 for |x| <= lambd, x elsewhere."""
    return Hardshrink.apply(input, lambd=lambd)


def softshrink(input, lambd=0.5):
    """Shrink towards 0 by ``lambd``; inputs within ``lambd`` of 0 become 0."""
    x = floating(input, "softshrink_check")
    limit = np.finfo(x.dtype).max
    if not 0 <= lambd <= limit:
        name = {"float32": "Float", "float64": "Double"}.get(x.dtype.name, "Half")
        raise RuntimeError(f"lambda must be in range [0, {limit:g}] for input dtype {name}, "
                           f"but found {lambd:g}")
    return Softshrink.apply(input, lambd=lambd)


def hardsigmoid(input, inplace=False):
    """A piecewise-linear sigmoid: 0 below -3, 1 above 3, linear in between."""
    if inplace:
        return _in_place(input, hardsigmoid, None)
    return Hardsigmoid.apply(input)


def hardswish(input, inplace=False):
    """x * hardsigmoid(x), a cheap approximation of SiLU."""
    if inplace:
        return _in_place(input, hardswish, None)
    return Hardswish.apply(input)
