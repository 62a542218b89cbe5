"""Elementwise functions: exp, log, the trigonometric functions, activations, clamp.

Each class writes f and f' in its docstring. Integer inputs are computed in the
default float dtype, as PyTorch does for these functions.
"""
import numpy as np

from ..autograd.graph import Node
from .._dtype import DEFAULTS
from .._tensor import TensorBase
from ._args import expect, invalid_combination
from ._util import (_SCALAR, C_NAMES, _with_scalar, as_tensor_arg, broadcast_error, inplace,
                    promote, shape_of)

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


class Clamp(Node):
    """y = min(max(x, lo), hi);   dy/dx = 1 where lo <= x <= hi, else 0.

    At a bound the gradient is 1 (a subgradient), as PyTorch chooses.
    """
    torch_name = "ClampBackward1"

    def forward(self, a, lo=None, hi=None, name="ClampBackward1"):
        self.save_for_backward(a)
        self.lo, self.hi, self.torch_name = lo, hi, name
        x = a._data
        for bound in (lo, hi):
            if bound is not None:
                x = _with_scalar(x, bound)          # bool < int < float, as PyTorch promotes
        if x.dtype == np.bool_:
            kind = "" if lo is not None and hi is not None else "_min" if hi is None else "_max"
            raise NotImplementedError(f'"clamp{kind}_scalar_cpu" not implemented for \'Bool\'')
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
        if self.lo is None:
            inside = a <= self.hi
        elif self.hi is None:
            inside = a >= self.lo
        else:
            inside = (a >= self.lo) & (a <= self.hi)
        return grad.where(inside, 0.0)


class ClampTensor(Node):
    """clamp with tensor bounds: the gradient goes to x where lo <= x <= hi, else to the
    bound that was chosen (to hi when lo > hi, since hi is applied last)."""
    torch_name = "ClampBackward0"

    def forward(self, a, lo, hi):
        self.save_for_backward(a, lo, hi)
        out = a._data
        try:
            if lo is not None:
                out, low = promote(a, lo)
                out = np.maximum(out, low)
            if hi is not None:
                out = np.minimum(*_promoted(out, a, hi))
        except ValueError:
            bounds = [shape_of(t) for t in (lo, hi) if t is not None]
            raise broadcast_error(shape_of(a), *bounds) from None
        return out

    def backward(self, grad):
        a, lo, hi = self.saved_tensors
        grad_lo = grad_hi = None
        if lo is not None and hi is not None:
            keep = (a >= lo) & (a <= hi)
            if self.needs_input_grad(1):
                grad_lo = grad.where((a < lo) & (lo < hi), 0.0)
            if self.needs_input_grad(2):
                grad_hi = grad.where((a > hi) | (hi < lo), 0.0)
        elif lo is not None:
            keep = a >= lo
            grad_lo = grad.where(a < lo, 0.0) if self.needs_input_grad(1) else None
        else:
            keep = a <= hi
            grad_hi = grad.where(a > hi, 0.0) if self.needs_input_grad(2) else None
        grad_a = grad.where(keep, 0.0) if self.needs_input_grad(0) else None
        return grad_a, grad_lo, grad_hi


def _promoted(x, a, b):
    """``x`` (an array of ``a``'s values) and ``b``'s values, in PyTorch's result dtype."""
    y = promote(a, b)[1]
    if isinstance(y, np.ndarray) and y.dtype != x.dtype:
        dt = np.promote_types(x.dtype, y.dtype)
        return x.astype(dt, copy=False), y.astype(dt, copy=False)
    return x, y


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

    def forward(self, a, b, cond):
        self.cond = cond._data
        if self.cond.dtype != np.bool_:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a "
                               f"tensor with dtype {_SCALAR[self.cond.dtype.name]}")
        x, y = promote(a, b)
        try:
            return np.where(self.cond, x, y)
        except ValueError:
            raise broadcast_error(self.cond.shape, shape_of(a), shape_of(b)) from None

    def backward(self, grad):
        c = TensorBase._make(self.cond)
        return (grad.where(c, 0.0) if self.needs_input_grad(0) else None,
                grad.where(TensorBase._make(~self.cond), 0.0) if self.needs_input_grad(1)
                else None)


class Lerp(Node):
    """y = a + w (b - a) for a number w;   dy/da = 1 - w,  dy/db = w."""
    torch_name = "LerpBackward0"

    def forward(self, a, b, weight):
        self.weight = weight
        x, y = promote(a, b)
        return _lerp(x, y, np.asarray(weight, x.dtype), a, b, weight)

    def backward(self, grad):
        w = self.weight
        return (grad * (1 - w) if self.needs_input_grad(0) else None,
                grad * w if self.needs_input_grad(1) else None)


class LerpTensor(Node):
    """y = a + w (b - a) for a tensor w;   dy/da = 1 - w,  dy/db = w,  dy/dw = b - a."""
    torch_name = "LerpBackward1"

    def forward(self, a, b, weight):
        self.save_for_backward(a, b, weight)
        x, y = promote(a, b)
        return _lerp(x, y, weight._data, a, b, weight)

    def backward(self, grad):
        a, b, w = self.saved_tensors
        return (grad * (1 - w) if self.needs_input_grad(0) else None,
                grad * w if self.needs_input_grad(1) else None,
                grad * (b - a) if self.needs_input_grad(2) else None)


def _lerp(x, y, w, a, b, weight):
    # PyTorch's formula, chosen for accuracy near w = 0 and w = 1
    try:
        return np.where(np.abs(w) < 0.5, x + w * (y - x), y - (y - x) * (1 - w)).astype(
            x.dtype, copy=False)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b), shape_of(weight)) from None


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


def clamp(input, min=None, max=None):
    """Limit every element to [min, max]; either bound may be a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, TensorBase) or isinstance(max, TensorBase):
        return ClampTensor.apply(input, min, max)
    try:
        return Clamp.apply(input, lo=min, hi=max)
    except AttributeError:
        if isinstance(input, TensorBase):
            raise
        raise invalid_combination("clamp", (input, min) if max is None else (input, min, max), [
            "(Tensor input, Tensor min = None, Tensor max = None, *, Tensor out = None)",
            "(Tensor input, Number min = None, Number max = None, *, Tensor out = None)"]) \
            from None


clip = clamp


def clamp_min(input, min):
    if isinstance(min, TensorBase):
        return ClampTensor.apply(input, min, None)
    return Clamp.apply(input, lo=min, name="ClampMinBackward0")


def clamp_max(input, max):
    if isinstance(max, TensorBase):
        return ClampTensor.apply(input, None, max)
    return Clamp.apply(input, hi=max, name="ClampMaxBackward0")


def maximum(input, other):
    """Elementwise maximum of two tensors."""
    _tensors_only("maximum", input, other)
    return Maximum.apply(input, other)


def minimum(input, other):
    """Elementwise minimum of two tensors."""
    _tensors_only("minimum", input, other)
    return Minimum.apply(input, other)


def _tensors_only(name, input, other):
    expect(name, ("input", "Tensor", input), ("other", "Tensor", other))


def where(condition, input=None, other=None):
    """``input`` where ``condition`` is true, else ``other`` (either may be a number).

    ``where(condition)`` alone returns the indices of the true elements.
    """
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    if not isinstance(input, TensorBase) and not isinstance(other, TensorBase):
        input = as_tensor_arg(input)          # two numbers: the result is a 0-d tensor
    try:
        return Where.apply(input, other, cond=condition)
    except (AttributeError, TypeError):
        if not isinstance(condition, TensorBase):
            raise invalid_combination("where", (condition, input, other), _WHERE) from None
        raise


# where's forms, as PyTorch lists them in its error
_WHERE = ("(Tensor condition)",
          "(Tensor condition, Tensor input, Tensor other, *, Tensor out = None)",
          "(Tensor condition, Number self, Tensor other)",
          "(Tensor condition, Tensor input, Number other)",
          "(Tensor condition, Number self, Number other)")


def lerp(input, end, weight):
    """Linear interpolation ``input + weight * (end - input)``.

    Unlike most binary ops, lerp does not promote: ``input`` and ``end`` must share a dtype.
    """
    if isinstance(end, TensorBase) and end.dtype != input.dtype:
        raise RuntimeError(f"expected dtype {C_NAMES[input._data.dtype.name]} for `end` but "
                           f"got dtype {C_NAMES[end._data.dtype.name]}")
    if isinstance(weight, TensorBase):
        return LerpTensor.apply(input, end, weight)
    return Lerp.apply(input, end, weight=weight)


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
        return clamp_min(self, min)

    def clamp_max(self, max):
        return clamp_max(self, max)

    def maximum(self, other):
        return maximum(self, other)

    def minimum(self, other):
        return minimum(self, other)

    def where(self, condition, other):
        return where(condition, self, other)

    def lerp(self, end, weight):
        return lerp(self, end, weight)

    def lerp_(self, end, weight):
        return inplace(self, lerp, end, weight)
