"""Integer division and remainders: ``//``, ``%``, ``fmod`` and ``div(rounding_mode=)``.

They are piecewise: ``floor(a / b)`` and ``trunc(a / b)`` are constant between jumps,
so their gradient is 0 (PyTorch records none for ``//``); a remainder moves with
``a`` (dz/da = 1) and, for a tensor ``b``, by ``-floor(a / b)`` (or ``-trunc``).
Integer division by zero raises as PyTorch's does; float division by zero gives
inf or nan without NumPy's warnings.

>>> import chainrule as torch
>>> torch.tensor([7.0, -7.0]) // 2
tensor([ 3., -4.])
>>> torch.tensor([7.0, -7.0]) % 3
tensor([1., 2.])
>>> torch.fmod(torch.tensor([7.0, -7.0]), 3)
tensor([ 1., -1.])
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase
from ._util import (as_tensor_arg, binary, broadcast_error, float_operands, inplace, promote,
                    refuse_bool, shape_of)


class FloorDivide(Node):
    """z = floor(a / b): not differentiable (PyTorch records no gradient either)."""
    torch_name = "NotImplemented"

    def forward(self, a, b):
        x, y = promote(a, b)
        refuse_bool("div_floor_cpu", x, y)
        if isinstance(x, np.ndarray) and x.dtype.kind in "iu" or \
                isinstance(y, np.ndarray) and y.dtype.kind in "iu":
            if np.any(np.asarray(y) == 0) and np.asarray(y).dtype.kind in "iu":
                raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return binary(x, y, np.floor_divide, a, b)

    def backward(self, grad):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")

    def name(self):
        return "torch::autograd::" + self.torch_name     # a node PyTorch defines in C++


class DivRounded(Node):
    """z = a / b rounded ('floor' or 'trunc'): piecewise constant, so the gradient is 0."""
    torch_name = "DivBackward2"

    def forward(self, a, b, rounding_mode):
        x, y = promote(a, b)
        if rounding_mode == "floor":
            return FloorDivide.forward(self, a, b)
        if isinstance(x, np.ndarray) and x.dtype.kind in "iub" and \
                (not isinstance(y, np.ndarray) or y.dtype.kind in "iub") and \
                not isinstance(y, float):
            if np.any(np.asarray(y) == 0):
                raise RuntimeError("ZeroDivisionError")
            q = np.abs(x) // np.abs(y)
            return np.where((x < 0) != (np.asarray(y) < 0), -q, q).astype(x.dtype, copy=False)
        x, y = float_operands(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.trunc(binary(x, y, np.true_divide, a, b))

    def backward(self, grad):
        zeros = TensorBase._make(np.zeros_like(grad._data))
        return zeros, (zeros if self.needs_input_grad(1) else None)


class Remainder(Node):
    """z = a - floor(a / b) * b, with the sign of b as Python's % (RemainderBackward1 when
    b is a tensor);   dz/da = 1,  dz/db = -floor(a / b)."""
    torch_name = "RemainderBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        if isinstance(b, TensorBase):
            self.torch_name = "RemainderBackward1"
        return _remainder(a, b)

    def backward(self, grad):
        grad_b = None
        if len(self._edges) > 1 and self.needs_input_grad(1):     # b a tensor needing grad
            grad_b = -grad * self.saved(0).div(self.saved(1), rounding_mode="floor")
        return grad, grad_b


class RRemainder(Node):
    """z = s % a for a Python number s: PyTorch has no derivative for it."""
    torch_name = "NotImplemented"

    def forward(self, a, s):
        return _remainder(as_tensor_arg(s), a)

    def backward(self, grad):
        raise RuntimeError("derivative for aten::remainder is not implemented")

    def name(self):
        return "torch::autograd::" + self.torch_name     # a node PyTorch defines in C++


def _remainder(a, b):
    x, y = promote(a, b)
    refuse_bool("remainder_cpu", x, y)
    try:
        np.broadcast_shapes(np.shape(x), np.shape(y))
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None
    if x.dtype.kind != "f" and (not isinstance(y, np.ndarray) or y.dtype.kind != "f") \
            and not isinstance(y, float):
        if np.any(np.asarray(y) == 0):
            raise RuntimeError("ZeroDivisionError")
        return np.remainder(x, y)
    # PyTorch: fmod, moved into b's sign; a zero keeps fmod's sign (NumPy's takes b's)
    with np.errstate(divide="ignore", invalid="ignore"):
        mod = np.fmod(x, y)
        return np.where((mod != 0) & ((np.asarray(y) < 0) != (mod < 0)), mod + y, mod)


class Fmod(Node):
    """z = a - trunc(a / b) * b, with the sign of a (C's fmod; FmodBackward1 when b is a
    tensor);   dz/da = 1,  dz/db = -trunc(a / b)."""
    torch_name = "FmodBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        if isinstance(b, TensorBase):
            self.torch_name = "FmodBackward1"
        x, y = promote(a, b)
        refuse_bool("fmod_cpu", x, y)
        if x.dtype.kind != "f" and (not isinstance(y, np.ndarray) or y.dtype.kind != "f") \
                and not isinstance(y, float) and np.any(np.asarray(y) == 0):
            raise RuntimeError("ZeroDivisionError")
        with np.errstate(divide="ignore", invalid="ignore"):
            return binary(x, y, np.fmod, a, b)

    def backward(self, grad):
        grad_b = None
        if len(self._edges) > 1 and self.needs_input_grad(1):     # b a tensor needing grad
            grad_b = -grad * self.saved(0).div(self.saved(1), rounding_mode="trunc")
        return grad, grad_b


# ---- the functions users call ---------------------------------------------------
def floor_divide(input, other):
    """``floor(input / other)``, as Python's ``//``."""
    if not isinstance(input, TensorBase):
        return FloorDivide.apply(as_tensor_arg(input), other)
    if not isinstance(other, TensorBase):
        return FloorDivide.apply(input, b=other)     # a number is a setting, not an input
    return FloorDivide.apply(input, other)


def remainder(input, other):
    """``input % other`` with the sign of ``other``, as Python's ``%``."""
    if not isinstance(input, TensorBase):
        return RRemainder.apply(other, s=input)
    if not isinstance(other, TensorBase):
        return Remainder.apply(input, b=other)       # a number is a setting, not an input
    return Remainder.apply(input, other)


def fmod(input, other):
    """Remainder with the sign of ``input`` (C's fmod)."""
    if not isinstance(input, TensorBase):
        other_type = "Tensor" if isinstance(other, TensorBase) else type(other).__name__
        raise TypeError(
            f"fmod() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {other_type}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n")
    if not isinstance(other, TensorBase):
        return Fmod.apply(input, b=other)            # a number is a setting, not an input
    return Fmod.apply(input, other)


class RemainderMethods:
    """The ``Tensor`` methods and operators of this family."""
    __slots__ = ()

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
