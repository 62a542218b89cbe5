"""Ops that pick or blend between values: ``clamp``, ``maximum``/``minimum``, ``where``
and ``lerp``, with their derivatives.

The gradient goes to whichever value was picked: ``clamp`` passes it where ``x`` lies
inside the bounds (PyTorch's convention at a bound: ``x`` itself was kept, so it gets
the gradient), ``maximum`` to the larger operand (half to each on a tie), ``where``
to the side the condition chose. ``lerp`` blends, ``x + w (y - x)``.

>>> import chainrule as torch
>>> x = torch.tensor([-2.0, 0.5, 3.0], requires_grad=True)
>>> x.clamp(-1, 1).sum().backward()
>>> x.grad
tensor([0., 1., 0.])
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase
from ._args import expect, invalid_combination
from ._util import (_SCALAR, C_NAMES, _with_scalar, as_tensor_arg, broadcast_error, inplace,
                    promote, shape_of)

_make = TensorBase._make


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


class SelectionMethods:
    """The ``Tensor`` methods of this family."""
    __slots__ = ()

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
