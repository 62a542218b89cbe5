"""Elementwise functions: exp, log, the trigonometric functions, activations, clamp.

Each class writes f and f' in its docstring. Integer inputs are computed in the
default float dtype, as PyTorch does for these functions.
"""
import numpy as np

from ..autograd.graph import Node
from .._dtype import DEFAULTS
from .._tensor import TensorBase
from ._util import as_tensor_arg, broadcast_error, promote, shape_of
from .arithmetic import inplace


def _floating(a):
    x = a._data
    return x if x.dtype.kind == "f" else x.astype(DEFAULTS.float.numpy)


class Exp(Node):
    """y = e^x;   dy/dx = e^x = y (the saved output is reused)."""
    torch_name = "ExpBackward0"
    saves_result = True

    def forward(self, a):
        with np.errstate(over="ignore"):
            return np.exp(_floating(a))

    def backward(self, grad):
        return grad * self.result


class Log(Node):
    """y = ln x;   dy/dx = 1/x."""
    torch_name = "LogBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(_floating(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / a


class Log2(Node):
    """y = log2 x;   dy/dx = 1/(x ln 2)."""
    torch_name = "Log2Backward0"

    def forward(self, a):
        self.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log2(_floating(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * 0.6931471805599453)


class Log10(Node):
    """y = log10 x;   dy/dx = 1/(x ln 10)."""
    torch_name = "Log10Backward0"

    def forward(self, a):
        self.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log10(_floating(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a * 2.3025850929940456)


class Log1p(Node):
    """y = ln(1 + x);   dy/dx = 1/(1 + x)."""
    torch_name = "Log1PBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log1p(_floating(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad / (a + 1)


class Expm1(Node):
    """y = e^x - 1;   dy/dx = e^x = y + 1."""
    torch_name = "Expm1Backward0"
    saves_result = True

    def forward(self, a):
        with np.errstate(over="ignore"):
            return np.expm1(_floating(a))

    def backward(self, grad):
        return grad * (self.result + 1)


class Sqrt(Node):
    """y = sqrt(x);   dy/dx = 1/(2 sqrt(x)) = 1/(2y)."""
    torch_name = "SqrtBackward0"
    saves_result = True

    def forward(self, a):
        with np.errstate(invalid="ignore"):
            return np.sqrt(_floating(a))

    def backward(self, grad):
        return grad / (2 * self.result)


class Rsqrt(Node):
    """y = 1/sqrt(x);   dy/dx = -1/2 x^(-3/2) = -y^3/2."""
    torch_name = "RsqrtBackward0"
    saves_result = True

    def forward(self, a):
        x = _floating(a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (1 / np.sqrt(x)).astype(x.dtype, copy=False)

    def backward(self, grad):
        return -0.5 * grad * self.result ** 3


class Sin(Node):
    """y = sin x;   dy/dx = cos x."""
    torch_name = "SinBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        return np.sin(_floating(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * a.cos()


class Cos(Node):
    """y = cos x;   dy/dx = -sin x."""
    torch_name = "CosBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        return np.cos(_floating(a))

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * -a.sin()


class Tan(Node):
    """y = tan x;   dy/dx = 1 + tan^2 x = 1 + y^2."""
    torch_name = "TanBackward0"
    saves_result = True

    def forward(self, a):
        return np.tan(_floating(a))

    def backward(self, grad):
        return grad * (1 + self.result ** 2)


class Tanh(Node):
    """y = tanh x;   dy/dx = 1 - tanh^2 x = 1 - y^2."""
    torch_name = "TanhBackward0"
    saves_result = True

    def forward(self, a):
        return np.tanh(_floating(a))

    def backward(self, grad):
        y = self.result
        return grad * (1 - y * y)


class Sigmoid(Node):
    """y = 1/(1 + e^-x);   dy/dx = y (1 - y).

    Computed as 1/(1 + e^-x) for x >= 0 and e^x/(1 + e^x) for x < 0, so that
    e^-x never overflows.
    """
    torch_name = "SigmoidBackward0"
    saves_result = True

    def forward(self, a):
        x = _floating(a)
        with np.errstate(over="ignore"):
            e = np.exp(-np.abs(x))
            return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    def backward(self, grad):
        y = self.result
        return grad * (1 - y) * y


class Relu(Node):
    """y = max(x, 0);   dy/dx = 1 where x > 0, else 0 (PyTorch takes 0 at x = 0)."""
    torch_name = "ReluBackward0"
    saves_result = True

    def forward(self, a):
        x = a._data
        if x.dtype == np.bool_:
            raise RuntimeError('"clamp_min_scalar_cpu" not implemented for \'Bool\'')
        return np.maximum(x, 0).astype(x.dtype, copy=False)

    def backward(self, grad):
        return grad * (self.result > 0)


class Abs(Node):
    """y = |x|;   dy/dx = sign(x) (0 at x = 0)."""
    torch_name = "AbsBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        return np.abs(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * a.sign()


class Sign(Node):
    """y = sign(x);   dy/dx = 0 almost everywhere."""
    torch_name = "SignBackward0"

    def forward(self, a):
        if a._data.dtype == np.bool_:
            return a._data.copy()
        return np.sign(a._data)

    def backward(self, grad):
        return grad * 0


class _Rounding(Node):
    """floor, ceil, round, trunc: piecewise constant, so the gradient is 0."""

    def backward(self, grad):
        return grad * 0


class Floor(_Rounding):
    torch_name = "FloorBackward0"

    def forward(self, a):
        return np.floor(a._data) if a._data.dtype.kind == "f" else a._data.copy()


class Ceil(_Rounding):
    torch_name = "CeilBackward0"

    def forward(self, a):
        return np.ceil(a._data) if a._data.dtype.kind == "f" else a._data.copy()


class Round(_Rounding):
    """Rounds half to even, as PyTorch (and NumPy) do."""
    torch_name = "RoundBackward0"

    def forward(self, a, decimals=0):
        if a._data.dtype.kind != "f":
            return a._data.copy()
        return np.round(a._data, decimals)


class Trunc(_Rounding):
    torch_name = "TruncBackward0"

    def forward(self, a):
        return np.trunc(a._data) if a._data.dtype.kind == "f" else a._data.copy()


class Clamp(Node):
    """y = min(max(x, lo), hi);   dy/dx = 1 where lo <= x <= hi, else 0."""
    torch_name = "ClampBackward1"

    def forward(self, a, lo=None, hi=None):
        self.save_for_backward(a)
        self.lo, self.hi = lo, hi
        x = a._data
        if isinstance(lo, float) or isinstance(hi, float):
            x = _floating(a)
        out = x
        if lo is not None:
            out = np.maximum(out, lo)
        if hi is not None:
            out = np.minimum(out, hi)
        if out is x:
            out = x.copy()
        return out.astype(x.dtype, copy=False)

    def backward(self, grad):
        (a,) = self.saved_tensors
        mask = None
        if self.lo is not None:
            mask = a >= self.lo
        if self.hi is not None:
            upper = a <= self.hi
            mask = upper if mask is None else mask & upper
        return grad * mask


class ClampTensor(Node):
    """clamp with tensor bounds;   dy/dx = 1 where lo <= x <= hi, to the bound otherwise."""
    torch_name = "ClampBackward0"

    def forward(self, a, lo, hi):
        self.save_for_backward(a, lo, hi)
        out = a._data
        if lo is not None:
            out = np.maximum(out, promote(a, lo)[1])
        if hi is not None:
            out = np.minimum(out, promote(a, hi)[1])
        return out

    def backward(self, grad):
        a, lo, hi = self.saved_tensors
        zero = grad * 0
        keep = grad
        grad_lo = grad_hi = None
        if lo is not None:
            keep = keep.where(a >= lo, zero)
            grad_lo = grad.where(a < lo, zero)
        if hi is not None:
            keep = keep.where(a <= hi, zero)
            grad_hi = grad.where(a > hi, zero)
        return keep, grad_lo, grad_hi


class Maximum(Node):
    """y = max(a, b);   the gradient goes to the larger input, half to each on a tie."""
    torch_name = "MaximumBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = promote(a, b)
        try:
            return np.maximum(x, y)
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    def backward(self, grad):
        a, b = self.saved_tensors
        shared = (grad / 2).where(a == b, grad)
        return shared.masked_fill(a < b, 0), shared.masked_fill(a > b, 0)


class Minimum(Node):
    """y = min(a, b);   the gradient goes to the smaller input, half to each on a tie."""
    torch_name = "MinimumBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = promote(a, b)
        try:
            return np.minimum(x, y)
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    def backward(self, grad):
        a, b = self.saved_tensors
        shared = (grad / 2).where(a == b, grad)
        return shared.masked_fill(a > b, 0), shared.masked_fill(a < b, 0)


class Where(Node):
    """y = a where cond else b;   the gradient goes to the input that was chosen."""
    torch_name = "WhereBackward0"

    def forward(self, cond, a, b):
        self.cond = cond._data
        if self.cond.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {cond.dtype.name.capitalize()}")
        x, y = promote(a, b)
        try:
            return np.where(self.cond, x, y)
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    def backward(self, grad):
        c = TensorBase._make(self.cond)
        zero = grad * 0
        return (None,
                grad.where(c, zero) if self.needs_input_grad(1) else None,
                zero.where(c, grad) if self.needs_input_grad(2) else None)


class Lerp(Node):
    """y = a + w (b - a);   dy/da = 1 - w,  dy/db = w."""
    torch_name = "LerpBackward0"

    def forward(self, a, b, weight):
        self.weight = weight
        x, y = promote(a, b)
        w = weight._data if isinstance(weight, TensorBase) else weight
        if isinstance(weight, TensorBase):
            self.save_for_backward(weight)
        # PyTorch's formula, chosen for accuracy near w = 0 and w = 1
        return np.where(np.abs(w) < 0.5, x + w * (y - x), y - (y - x) * (1 - w)).astype(
            x.dtype, copy=False)

    def backward(self, grad):
        w = self.weight
        return grad * (1 - w), grad * w, None


# ---- the functions users call -----------------------------------------------
def exp(input):
    """e to the power of each element."""
    return Exp.apply(input)


def log(input):
    """Natural logarithm of each element."""
    return Log.apply(input)


def log2(input):
    return Log2.apply(input)


def log10(input):
    return Log10.apply(input)


def log1p(input):
    """ln(1 + x), accurate for small x."""
    return Log1p.apply(input)


def expm1(input):
    """e^x - 1, accurate for small x."""
    return Expm1.apply(input)


def sqrt(input):
    return Sqrt.apply(input)


def rsqrt(input):
    return Rsqrt.apply(input)


def sin(input):
    return Sin.apply(input)


def cos(input):
    return Cos.apply(input)


def tan(input):
    return Tan.apply(input)


def tanh(input):
    return Tanh.apply(input)


def sigmoid(input):
    """The logistic function 1/(1 + e^-x)."""
    return Sigmoid.apply(input)


def relu(input):
    """max(x, 0)."""
    return Relu.apply(input)


def abs(input):
    return Abs.apply(input)


absolute = abs


def sign(input):
    return Sign.apply(input)


def floor(input):
    return Floor.apply(input)


def ceil(input):
    return Ceil.apply(input)


def round(input, *, decimals=0):
    return Round.apply(input, decimals=decimals)


def trunc(input):
    return Trunc.apply(input)


fix = trunc


def clamp(input, min=None, max=None):
    """Limit every element to [min, max]; either bound may be a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, TensorBase) or isinstance(max, TensorBase):
        return ClampTensor.apply(input, min, max)
    return Clamp.apply(input, lo=min, hi=max)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def maximum(input, other):
    """Elementwise maximum of two tensors."""
    return Maximum.apply(input, other)


def minimum(input, other):
    """Elementwise minimum of two tensors."""
    return Minimum.apply(input, other)


def where(condition, input=None, other=None):
    """``input`` where ``condition`` is true, else ``other`` (either may be a number).

    ``where(condition)`` alone returns the indices of the true elements.
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(input, TensorBase) and not isinstance(other, TensorBase):
        input = as_tensor_arg(input)
    if not isinstance(input, TensorBase):
        input = as_tensor_arg(input)
        if input.dtype != other.dtype and input._data.ndim == 0:
            input = input.to(other.dtype) if other.dtype.is_floating_point or \
                not input.dtype.is_floating_point else input
    return Where.apply(condition, input, other)


def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``."""
    return Lerp.apply(input, end, weight)


class ElementwiseMethods:
    """The elementwise methods of ``Tensor``."""
    __slots__ = ()

    def exp(self):
        return Exp.apply(self)

    def exp_(self):
        return inplace(self, exp)

    def log(self):
        return Log.apply(self)

    def log_(self):
        return inplace(self, log)

    def log2(self):
        return Log2.apply(self)

    def log10(self):
        return Log10.apply(self)

    def log1p(self):
        return Log1p.apply(self)

    def expm1(self):
        return Expm1.apply(self)

    def sqrt(self):
        return Sqrt.apply(self)

    def sqrt_(self):
        return inplace(self, sqrt)

    def rsqrt(self):
        return Rsqrt.apply(self)

    def sin(self):
        return Sin.apply(self)

    def cos(self):
        return Cos.apply(self)

    def tan(self):
        return Tan.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def tanh_(self):
        return inplace(self, tanh)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def sigmoid_(self):
        return inplace(self, sigmoid)

    def relu(self):
        return Relu.apply(self)

    def relu_(self):
        return inplace(self, relu)

    def abs(self):
        return Abs.apply(self)

    absolute = abs

    def __abs__(self):
        return Abs.apply(self)

    def abs_(self):
        return inplace(self, abs)

    def sign(self):
        return Sign.apply(self)

    def floor(self):
        return Floor.apply(self)

    def ceil(self):
        return Ceil.apply(self)

    def round(self, *, decimals=0):
        return Round.apply(self, decimals=decimals)

    def trunc(self):
        return Trunc.apply(self)

    def clamp(self, min=None, max=None):
        return clamp(self, min, max)

    clip = clamp

    def clamp_(self, min=None, max=None):
        return inplace(self, clamp, min, max)

    clip_ = clamp_

    def clamp_min(self, min):
        return clamp(self, min=min)

    def clamp_max(self, max):
        return clamp(self, max=max)

    def maximum(self, other):
        return Maximum.apply(self, other)

    def minimum(self, other):
        return Minimum.apply(self, other)

    def where(self, condition, other):
        return where(condition, self, other)

    def lerp(self, end, weight):
        return Lerp.apply(self, end, weight)

    def lerp_(self, end, weight):
        return inplace(self, lerp, end, weight)
