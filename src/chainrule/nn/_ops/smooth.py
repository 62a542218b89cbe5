"""Smooth activations: elu, selu, celu, gelu, silu, mish, softplus, logsigmoid,
softsign, tanhshrink (and erf, which gelu needs).

Forward values are computed elementwise in the input's precision, step by step
as PyTorch's CPU kernels compute them, with each exp/erf/tanh rounded to the
nearest float (``_precise.py``). The backward formulas are PyTorch's, written
with tensor operations so that they can be differentiated again.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> F.gelu(torch.tensor([-1.0, 0.0, 1.0]))
tensor([-0.1587,  0.0000,  0.8413])
"""
import math

import numpy as np

from ...autograd.graph import Node
from ..._tensor import TensorBase
from . import _precise
from ._precise import floating
from .activation import _in_place

_make = TensorBase._make

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Erf(Node):
    """y = erf(x);   dy/dx = 2/sqrt(pi) * exp(-x^2)."""
    torch_name = "ErfBackward0"

    def forward(self, a):
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        self.save_for_backward(a)
        return _precise.erf(x)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * (2 / math.sqrt(math.pi)) * (-(a * a)).exp()


class Elu(Node):
    """y = scale * x for x > 0, scale * alpha * (exp(x * input_scale) - 1) otherwise.

    dy/dx = scale, or scale * alpha * input_scale * exp(x * input_scale).
    ELU is (alpha, 1, 1); SELU fixes alpha and scale; CELU is (alpha, 1, 1/alpha).
    """
    torch_name = "EluBackward0"

    def forward(self, a, alpha, scale, input_scale, name, backward_input_scale=None):
        x = floating(a, "elu_cpu")
        self.save_for_backward(a)
        self.torch_name = name
        f = x.dtype.type
        # the coefficients are rounded to the input's precision first, as PyTorch does
        self.negcoef = float(f(alpha) * f(scale))
        self.poscoef = float(f(scale))
        self.input_scale = float(f(input_scale))
        if backward_input_scale is not None:
            self.input_scale = float(f(backward_input_scale))
        negative = _precise.expm1(x * f(input_scale)) * f(self.negcoef)
        return np.where(x <= 0, negative, x * f(self.poscoef))

    def backward(self, grad):
        (a,) = self.saved_tensors
        negative = grad * self.input_scale * self.negcoef * (a * self.input_scale).exp()
        return negative.where(a <= 0, grad * self.poscoef)


class Gelu(Node):
    """y = x * Phi(x), Phi the standard normal CDF: 0.5 * x * (1 + erf(x / sqrt(2))).

    dy/dx = Phi(x) + x * phi(x), phi(x) = exp(-x^2/2) / sqrt(2 pi).
    ``approximate='tanh'`` replaces Phi by 0.5 * (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
    """
    torch_name = "GeluBackward0"

    def forward(self, a, approximate):
        x = floating(a, "GeluKernelImpl")
        self.save_for_backward(a)
        self.approximate = approximate
        f = x.dtype.type
        if approximate == "none":
            return x * f(0.5) * (f(1) + _precise.erf(x * f(math.sqrt(0.5))))
        inner = f(_TANH_BETA) * (x + f(0.044715) * (x * x * x))
        return f(0.5) * x * (f(1) + _precise.tanh(inner))

    def backward(self, grad):
        (a,) = self.saved_tensors
        if self.approximate == "none":
            cdf = 0.5 * (1 + Erf.apply(a * math.sqrt(0.5)))
            pdf = _PDF_BETA * (a * a * -0.5).exp()
            return grad * (cdf + a * pdf)
        x_sq = a * a
        inner = _TANH_BETA * (a + 0.044715 * (x_sq * a))
        t = inner.tanh()
        left = 0.5 * a
        right = 1 + t
        left_derivative = 0.5 * right
        right_derivative = left * (1 - t * t) * (_TANH_BETA * (1 + 3 * 0.044715 * x_sq))
        return grad * (left_derivative + right_derivative)


_TANH_BETA = math.sqrt(2.0) * (2.0 / math.sqrt(math.pi)) * 0.5       # sqrt(2/pi)
_PDF_BETA = (2.0 / math.sqrt(math.pi)) * math.sqrt(0.5) * 0.5         # 1/sqrt(2 pi)


class Silu(Node):
    """y = x * sigmoid(x) = x / (1 + exp(-x));   dy/dx = s (1 + x (1 - s)), s = sigmoid(x)."""
    torch_name = "SiluBackward0"

    def forward(self, a):
        x = floating(a, "silu_cpu")
        self.save_for_backward(a)
        return x / (x.dtype.type(1) + _precise.exp(-x))

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = 1 / (1 + (-a).exp())
        return grad * s * (1 + a * (1 - s))


class Mish(Node):
    """y = x * tanh(softplus(x));   dy/dx = t + x * sigmoid(x) * (1 - t^2),
    with t = tanh(softplus(x))."""
    torch_name = "MishBackward0"

    def forward(self, a):
        x = floating(a, "mish_cpu")
        self.save_for_backward(a)
        return x * _precise.tanh(_precise.log1p(_precise.exp(x)))

    def backward(self, grad):
        (a,) = self.saved_tensors
        s = 1 / (1 + (-a).exp())
        t = a.exp().log1p().tanh()
        return grad * (t + a * s * (1 - t * t))


class Softplus(Node):
    """y = log(1 + exp(beta x)) / beta (just x where beta x > threshold, to avoid overflow).

    dy/dx = exp(beta x) / (1 + exp(beta x)), i.e. sigmoid(beta x).
    """
    torch_name = "SoftplusBackward0"

    def forward(self, a, beta, threshold):
        x = floating(a, "softplus_cpu")
        self.save_for_backward(a)
        self.beta, self.threshold = beta, threshold
        f = x.dtype.type
        xb = x * f(beta)
        return np.where(xb > f(threshold), x, _precise.log1p(_precise.exp(xb)) / f(beta))

    def backward(self, grad):
        (a,) = self.saved_tensors
        xb = a * self.beta
        z = xb.exp()
        return (grad * z / (z + 1)).where(xb <= self.threshold, grad)


class LogSigmoid(Node):
    """y = log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|))  (never overflows).

    dy/dx = 1 - sigmoid(x), computed as max' - sign * z/(1 + z) with z = exp(-|x|).
    """
    torch_name = "LogSigmoidBackward0"

    def forward(self, a):
        x = floating(a, "log_sigmoid_cpu")
        self.save_for_backward(a)
        z = _precise.exp(-np.abs(x))
        return np.minimum(x, x.dtype.type(0)) - _precise.log1p(z)

    def backward(self, grad):
        (a,) = self.saved_tensors
        negative = a < 0
        z = (-a.abs()).exp()
        ratio = z / (1 + z)
        return grad * (1 - ratio).where(negative, ratio)


# ---- the functions users call ---------------------------------------------------
def erf(input):
    """The error function, elementwise."""
    return Erf.apply(input)


def elu(input, alpha=1.0, inplace=False):
    """x for x > 0, alpha * (exp(x) - 1) otherwise: smooth, and negative outputs push the
    mean activation towards 0."""
    if inplace:
        return _in_place(input, lambda t: Elu.apply(t, alpha=alpha, scale=1.0, input_scale=1.0,
                                                      name="EluBackward0"), "EluBackward1")
    return Elu.apply(input, alpha=alpha, scale=1.0, input_scale=1.0, name="EluBackward0")


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def selu(input, inplace=False):
    """Scaled ELU with the constants that keep activations normalised through deep nets."""
    def op(t):
        return Elu.apply(t, alpha=SELU_ALPHA, scale=SELU_SCALE, input_scale=1.0,
                         name="EluBackward0")
    return _in_place(input, op, "EluBackward1") if inplace else op(input)


def selu_(input):
    return selu(input, inplace=True)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")

    def op(t):
        # PyTorch's CELU derivative divides by alpha rounded to float32
        return Elu.apply(t, alpha=alpha, scale=1.0, input_scale=1.0 / alpha,
                         name="CeluBackward0",
                         backward_input_scale=1.0 / float(np.float32(alpha)))
    return _in_place(input, op, "CeluBackward1") if inplace else op(input)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """x * Phi(x), with Phi the normal CDF (``approximate='tanh'`` for the tanh formula)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(input, approximate=approximate)


def silu(input, inplace=False):
    """x * sigmoid(x), also called swish."""
    if inplace:
        return _in_place(input, silu, None)
    return Silu.apply(input)


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    if inplace:
        return _in_place(input, mish, None)
    return Mish.apply(input)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta: a smooth ReLU."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def logsigmoid(input):
    """log(1 / (1 + exp(-x))), computed without overflow."""
    return LogSigmoid.apply(input)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - input.tanh()


def tanh(input):
    """tanh(x), elementwise (the same as ``torch.tanh``)."""
    return input.tanh()


def sigmoid(input):
    """1 / (1 + exp(-x)), elementwise (the same as ``torch.sigmoid``)."""
    return input.sigmoid()
