"""Arithmetic: + - * / // % ** and negation, with their derivatives.

Every binary op broadcasts its operands; the gradients it returns have the
broadcast shape and the engine sums them back to each input's shape
(``autograd.engine.sum_to``), so no op below mentions broadcasting.

The backward formulas follow PyTorch's (``derivatives.yaml``) operation for
operation, so that float32 gradients round exactly as PyTorch's do.
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase
from ._util import (broadcast_error, check_inplace, float_operands, graph_input,
                    needs_graph, promote, shape_of, write_inplace)


def _binary(x, y, ufunc, a, b):
    try:
        return ufunc(x, y)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


class Add(Node):
    """z = a + alpha * b;   dz/da = 1,  dz/db = alpha."""
    torch_name = "AddBackward0"

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        x, y = promote(a, b)
        if alpha != 1:
            y = y * alpha
        return _binary(x, y, np.add, a, b)

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)


class Sub(Node):
    """z = a - alpha * b;   dz/da = 1,  dz/db = -alpha."""
    torch_name = "SubBackward0"

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        x, y = promote(a, b)
        if getattr(x, "dtype", None) == np.bool_ and getattr(y, "dtype", None) == np.bool_:
            raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                               "supported. Use the `^` or `logical_xor()` operator instead.")
        if alpha != 1:
            y = y * alpha
        return _binary(x, y, np.subtract, a, b)

    def backward(self, grad):
        return grad, (-grad if self.alpha == 1 else grad * -self.alpha)


class Rsub(Node):
    """z = b - a for a Python number b (``2 - x``);   dz/da = -1."""
    torch_name = "RsubBackward1"

    def forward(self, a, b):
        x, y = promote(a, b)
        return np.subtract(y, x)

    def backward(self, grad):
        return -grad, None


class Mul(Node):
    """z = a * b;   dz/da = b,  dz/db = a."""
    torch_name = "MulBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = promote(a, b)
        return _binary(x, y, np.multiply, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad * b if self.needs_input_grad(0) else None,
                grad * a if self.needs_input_grad(1) else None)


class Div(Node):
    """z = a / b;   dz/da = 1/b,  dz/db = -a/b^2 (computed as -grad * ((a/b)/b))."""
    torch_name = "DivBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = float_operands(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(x, y, np.true_divide, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        return (grad / b if self.needs_input_grad(0) else None,
                -grad * ((a / b) / b) if self.needs_input_grad(1) else None)


class Neg(Node):
    """z = -a;   dz/da = -1."""
    torch_name = "NegBackward0"

    def forward(self, a):
        if a._data.dtype == np.bool_:
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return np.negative(a._data)

    def backward(self, grad):
        return -grad


class Pow(Node):
    """z = a ** p for a number p;   dz/da = p * a^(p-1)."""
    torch_name = "PowBackward0"

    def forward(self, a, p):
        self.save_for_backward(a, p)
        x, _ = promote(a, p)
        if p == 2:
            return np.square(x)
        if isinstance(p, int) and x.dtype.kind in "iu" and p < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(x, p)

    def backward(self, grad):
        a, p = self.saved_tensors
        if p == 0:
            return grad * 0, None
        return grad * (p * a ** (p - 1)), None


class PowTensor(Node):
    """z = a ** b;   dz/da = b * a^(b-1),  dz/db = z * log(a)  (0 where a == 0 and b >= 0)."""
    torch_name = "PowBackward1"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = promote(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(x, y, np.power, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            grad_a = grad * (b * a ** (b - 1))
        if self.needs_input_grad(1):
            z = a ** b
            # where a == 0 and b >= 0 the derivative is taken as 0, as PyTorch does
            safe = (a == 0) & (b >= 0)
            grad_b = (grad * (z * a.log())).masked_fill(safe, 0)
        return grad_a, grad_b


class RPow(Node):
    """z = s ** a for a Python number s (``2 ** x``);   dz/da = z * log(s)."""
    torch_name = "PowBackward2"

    def forward(self, a, s):
        self.save_for_backward(a, s)
        y, x = promote(s, a)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.power(y, x)

    def backward(self, grad):
        a, s = self.saved_tensors
        z = s ** a
        if s == 0:
            return grad * (z * 0).masked_fill(a >= 0, 0), None
        return grad * (z * float(np.log(s))), None


class FloorDivide(Node):
    """z = floor(a / b): not differentiable (PyTorch records no gradient either)."""
    torch_name = "NotImplemented"

    def forward(self, a, b):
        x, y = promote(a, b)
        if isinstance(x, np.ndarray) and x.dtype.kind in "iu" or \
                isinstance(y, np.ndarray) and y.dtype.kind in "iu":
            if np.any(np.asarray(y) == 0) and np.asarray(y).dtype.kind in "iu":
                raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(x, y, np.floor_divide, a, b)

    def backward(self, grad):
        raise RuntimeError("the derivative for 'floor_divide' is not implemented.")


class Remainder(Node):
    """z = a - floor(a / b) * b (sign of b, as Python);   dz/da = 1, dz/db = -floor(a/b)."""
    torch_name = "RemainderBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = promote(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _binary(x, y, np.remainder, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        grad_b = None
        if self.needs_input_grad(1):
            grad_b = -grad * (a / b).floor()
        return grad, grad_b


# ---- the functions users call ---------------------------------------------------
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting."""
    if not isinstance(input, TensorBase):
        input = _as_tensor(input)
    return Add.apply(input, other, alpha=alpha)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``, broadcasting."""
    if not isinstance(input, TensorBase):
        input = _as_tensor(input)
    return Sub.apply(input, other, alpha=alpha)


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None):
    """``input * other``, broadcasting."""
    if not isinstance(input, TensorBase):
        return Mul.apply(other, input)
    return Mul.apply(input, other)


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other`` (true division; ``rounding_mode='floor'|'trunc'`` rounds)."""
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        return div(input, other).trunc().to(_result_dtype(input, other))
    if rounding_mode is not None:
        raise ValueError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                         f"but found '{rounding_mode}'")
    if not isinstance(input, TensorBase):
        return Mul.apply(Reciprocal.apply(other), input)   # 2 / x as PyTorch: x^-1 * 2
    return Div.apply(input, other)


divide = true_divide = div


def _result_dtype(a, b):
    from .._dtype import result_type
    return result_type(a, b)


def _as_tensor(x):
    from ._util import as_tensor_arg
    return as_tensor_arg(x)


def reciprocal(input):
    """``1 / input``."""
    return Reciprocal.apply(input)


class Reciprocal(Node):
    """z = 1/a;   dz/da = -1/a^2."""
    torch_name = "ReciprocalBackward0"

    def forward(self, a):
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        with np.errstate(divide="ignore"):
            out = np.reciprocal(x)
        self.save_for_backward(a)
        return out

    def backward(self, grad):
        (a,) = self.saved_tensors
        z = a.reciprocal()
        return -grad * (z * z)


def neg(input):
    """``-input``."""
    return Neg.apply(input)


negative = neg


def pow(input, exponent):
    """``input ** exponent``: tensor or number on either side."""
    if not isinstance(input, TensorBase):
        return RPow.apply(exponent, input)
    if isinstance(exponent, TensorBase):
        return PowTensor.apply(input, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    return Pow.apply(input, exponent)


def square(input):
    """``input ** 2`` (PyTorch records it as PowBackward0)."""
    return Pow.apply(input, 2)


def floor_divide(input, other):
    """``floor(input / other)``, as Python's ``//``."""
    if not isinstance(input, TensorBase):
        return FloorDivide.apply(_as_tensor(input), other)
    return FloorDivide.apply(input, other)


def remainder(input, other):
    """``input % other`` with the sign of ``other``, as Python's ``%``."""
    if not isinstance(input, TensorBase):
        return Remainder.apply(_as_tensor(input), other)
    return Remainder.apply(input, other)


def fmod(input, other):
    """Remainder with the sign of ``input`` (C's fmod)."""
    return input - (input / other).trunc() * other


def inplace(t, op, *args, **kwargs):
    """Run ``op`` out of place and write its result into ``t`` (see ``write_inplace``)."""
    check_inplace(t)
    if needs_graph(t, *args):
        return write_inplace(t, op(graph_input(t), *args, **kwargs))
    return write_inplace(t, op(t, *args, **kwargs))


class ArithmeticMethods:
    """The arithmetic methods and operators of ``Tensor``."""
    __slots__ = ()

    def add(self, other, *, alpha=1):
        return add(self, other, alpha=alpha)

    def __add__(self, other):
        return Add.apply(self, other)

    def __radd__(self, other):
        return Add.apply(self, other)

    def add_(self, other, *, alpha=1):
        return inplace(self, add, other, alpha=alpha)

    def __iadd__(self, other):
        return inplace(self, add, other)

    def sub(self, other, *, alpha=1):
        return sub(self, other, alpha=alpha)

    subtract = sub

    def __sub__(self, other):
        return Sub.apply(self, other)

    def __rsub__(self, other):
        return Rsub.apply(self, other)

    def sub_(self, other, *, alpha=1):
        return inplace(self, sub, other, alpha=alpha)

    def __isub__(self, other):
        return inplace(self, sub, other)

    def mul(self, other):
        return mul(self, other)

    multiply = mul

    def __mul__(self, other):
        return Mul.apply(self, other)

    def __rmul__(self, other):
        return Mul.apply(self, other)

    def mul_(self, other):
        return inplace(self, mul, other)

    def __imul__(self, other):
        return inplace(self, mul, other)

    def div(self, other, *, rounding_mode=None):
        return div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def __truediv__(self, other):
        return Div.apply(self, other)

    def __rtruediv__(self, other):
        return div(other, self)

    def div_(self, other, *, rounding_mode=None):
        return inplace(self, div, other, rounding_mode=rounding_mode)

    def __itruediv__(self, other):
        return inplace(self, div, other)

    def reciprocal(self):
        return reciprocal(self)

    def reciprocal_(self):
        return inplace(self, reciprocal)

    def neg(self):
        return Neg.apply(self)

    negative = neg

    def __neg__(self):
        return Neg.apply(self)

    def neg_(self):
        return inplace(self, neg)

    def __pos__(self):
        return self

    def pow(self, exponent):
        return pow(self, exponent)

    def __pow__(self, exponent):
        return pow(self, exponent)

    def __rpow__(self, base):
        return RPow.apply(self, base)

    def pow_(self, exponent):
        return inplace(self, pow, exponent)

    def __ipow__(self, exponent):
        return inplace(self, pow, exponent)

    def square(self):
        return square(self)

    def square_(self):
        return inplace(self, square)

    def floor_divide(self, other):
        return floor_divide(self, other)

    def __floordiv__(self, other):
        return floor_divide(self, other)

    def __rfloordiv__(self, other):
        return floor_divide(other, self)

    def __ifloordiv__(self, other):
        return inplace(self, floor_divide, other)

    def remainder(self, other):
        return remainder(self, other)

    def __mod__(self, other):
        return remainder(self, other)

    def __rmod__(self, other):
        return remainder(other, self)

    def __imod__(self, other):
        return inplace(self, remainder, other)

    def fmod(self, other):
        return fmod(self, other)
