"""Elementwise functions: exp, log, the trigonometric functions, activations, rounding
(``clamp``, ``maximum``, ``where`` and ``lerp`` are in ``selection.py``).

Each class writes f and f' in its docstring. Integer inputs are computed in the
default float dtype, as PyTorch does for these functions.
"""
import numpy as np

from ..autograd.graph import Node
from .._dtype import DEFAULTS
from .._tensor import TensorBase
from ._args import expect
from ._util import inplace

_make = TensorBase._make


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

    def fast_backward(self, grad):
        g, y = grad._data, self.result._data
        return _make(np.multiply(g, y)) if y.dtype == g.dtype else self.backward(grad)


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

    def fast_backward(self, grad):
        g, y = grad._data, self.result._data
        if y.dtype != g.dtype:
            return self.backward(grad)
        return _make(np.multiply(g, np.subtract(1, np.multiply(y, y))))


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

    def fast_backward(self, grad):
        g, y = grad._data, self.result._data
        if y.dtype != g.dtype:
            return self.backward(grad)
        return _make(np.multiply(np.multiply(g, np.subtract(1, y)), y))


class Relu(Node):
    """y = max(x, 0);   dy/dx = 1 where x > 0, else 0 (PyTorch takes 0 at x = 0).

    The gradient is the incoming one with zeros written where y <= 0 (not
    ``grad * (y > 0)``, which would give -0. for negative incoming gradients).
    """
    torch_name = "ReluBackward0"
    saves_result = True

    def forward(self, a):
        x = a._data
        if x.dtype == np.bool_:
            raise RuntimeError("Boolean inputs not supported for relu")
        return np.maximum(x, 0).astype(x.dtype, copy=False)

    def backward(self, grad):
        return grad.masked_fill(self.result <= 0, 0)

    def fast_backward(self, grad):
        g = grad._data
        return grad._make(np.where(self.result._data <= 0, np.zeros((), g.dtype), g))


class Abs(Node):
    """y = |x|;   dy/dx = sign(x) (0 at x = 0)."""
    torch_name = "AbsBackward0"

    def forward(self, a):
        self.save_for_backward(a)
        if a._data.dtype == np.bool_:
            raise NotImplementedError('"abs_cpu" not implemented for \'Bool\'')
        return np.abs(a._data)

    def backward(self, grad):
        (a,) = self.saved_tensors
        return grad * a.sign()


def _zeros_like(t):
    """A gradient of zeros (+0., never -0.: ``grad * 0`` would carry grad's sign)."""
    return TensorBase._make(np.zeros_like(t._data))


class Sign(Node):
    """y = sign(x);   dy/dx = 0 almost everywhere."""
    torch_name = "SignBackward0"

    def forward(self, a):
        if a._data.dtype == np.bool_:
            return a._data.copy()
        out = np.sign(a._data)
        if out.dtype.kind == "f":           # PyTorch's sign(nan) is 0 (NumPy's is nan)
            out = np.where(np.isnan(out), out.dtype.type(0), out)
        return out

    def backward(self, grad):
        return _zeros_like(grad)


class _Rounding(Node):
    """floor, ceil, round, trunc: piecewise constant, so the gradient is 0."""

    def refuse_bool(self, a):
        if a._data.dtype == np.bool_:
            kernel = self.torch_name[:-len("Backward0")].lower()
            raise NotImplementedError(f'"{kernel}_vml_cpu" not implemented for \'Bool\'')

    def backward(self, grad):
        return _zeros_like(grad)


class Floor(_Rounding):
    torch_name = "FloorBackward0"

    def forward(self, a):
        self.refuse_bool(a)
        return np.floor(a._data) if a._data.dtype.kind == "f" else a._data.copy()


class Ceil(_Rounding):
    torch_name = "CeilBackward0"

    def forward(self, a):
        self.refuse_bool(a)
        return np.ceil(a._data) if a._data.dtype.kind == "f" else a._data.copy()


class Round(_Rounding):
    """Rounds half to even, as PyTorch (and NumPy) do."""
    torch_name = "RoundBackward0"

    def forward(self, a, decimals=0):
        self.refuse_bool(a)
        if a._data.dtype.kind != "f":
            return a._data.copy()
        return np.round(a._data, decimals)


class Trunc(_Rounding):
    torch_name = "TruncBackward0"

    def forward(self, a):
        self.refuse_bool(a)
        return np.trunc(a._data) if a._data.dtype.kind == "f" else a._data.copy()


# ---- the functions users call -----------------------------------------------
def exp(input):
    """e to the power of each element."""
    try:
        return Exp.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("exp", ("input", "Tensor", input))
        raise


def log(input):
    """Natural logarithm of each element."""
    try:
        return Log.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("log", ("input", "Tensor", input))
        raise


def log2(input):
    try:
        return Log2.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("log2", ("input", "Tensor", input))
        raise


def log10(input):
    try:
        return Log10.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("log10", ("input", "Tensor", input))
        raise


def log1p(input):
    """ln(1 + x), accurate for small x."""
    try:
        return Log1p.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("log1p", ("input", "Tensor", input))
        raise


def expm1(input):
    """e^x - 1, accurate for small x."""
    try:
        return Expm1.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("expm1", ("input", "Tensor", input))
        raise


def sqrt(input):
    try:
        return Sqrt.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("sqrt", ("input", "Tensor", input))
        raise


def rsqrt(input):
    try:
        return Rsqrt.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("rsqrt", ("input", "Tensor", input))
        raise


def sin(input):
    try:
        return Sin.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("sin", ("input", "Tensor", input))
        raise


def cos(input):
    try:
        return Cos.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("cos", ("input", "Tensor", input))
        raise


def tan(input):
    try:
        return Tan.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("tan", ("input", "Tensor", input))
        raise


def tanh(input):
    try:
        return Tanh.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("tanh", ("input", "Tensor", input))
        raise


def sigmoid(input):
    """The logistic function 1/(1 + e^-x)."""
    try:
        return Sigmoid.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("sigmoid", ("input", "Tensor", input))
        raise


def relu(input):
    """max(x, 0)."""
    try:
        return Relu.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("relu", ("input", "Tensor", input))
        raise


def abs(input):
    try:
        return Abs.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("abs", ("input", "Tensor", input))
        raise


absolute = abs


def sign(input):
    try:
        return Sign.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("sign", ("input", "Tensor", input))
        raise


def floor(input):
    try:
        return Floor.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("floor", ("input", "Tensor", input))
        raise


def ceil(input):
    try:
        return Ceil.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("ceil", ("input", "Tensor", input))
        raise


def round(input, *, decimals=0):
    try:
        return Round.apply(input, decimals=decimals)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("round", ("input", "Tensor", input))
        raise


def trunc(input):
    try:
        return Trunc.apply(input)
    except AttributeError:                  # not a Tensor? (see _args.py)
        expect("trunc", ("input", "Tensor", input))
        raise


fix = trunc


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
