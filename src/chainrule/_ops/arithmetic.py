"""Arithmetic: + - * / ** and negation, with their derivatives (``//``, ``%`` and
``fmod`` are in ``remainder.py``).

Every binary op broadcasts its operands; the gradients it returns have the
broadcast shape and the engine sums them back to each input's shape
(``autograd.engine.sum_to``), so no op below mentions broadcasting.

The backward formulas follow PyTorch's (``derivatives.yaml``) operation for
operation, so that float32 gradients round exactly as PyTorch's do.
"""
import numpy as np

from ..autograd import grad_mode, graph
from ..autograd.graph import Node
from .._tensor import TensorBase
from ._args import OPERANDS, expect, fits, not_an_operand
from ._util import (as_tensor_arg, binary, broadcast_error, float_operands, inplace, promote,
                    refuse_bool, shape_of)
from .remainder import DivRounded

_make = TensorBase._make
_STATE = grad_mode.STATE


class Add(Node):
    """z = a + alpha * b;   dz/da = 1,  dz/db = alpha."""
    torch_name = "AddBackward0"

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        x, y = promote(a, b)
        if alpha != 1:
            y = y * alpha
        try:                                      # (inline: this is the hot path)
            return np.add(x, y)
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)


class Sub(Node):
    """z = a - alpha * b;   dz/da = 1,  dz/db = -alpha."""
    torch_name = "SubBackward0"

    def forward(self, a, b, alpha=1):
        self.alpha = alpha
        x, y = promote(a, b)
        if a._data.dtype.kind == "b" or _is_bool(b):
            _refuse_bool_subtraction(a, b)
        if alpha != 1:
            y = y * alpha
        try:                                      # (inline: this is the hot path)
            return np.subtract(x, y)
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    def backward(self, grad):
        if not self.needs_input_grad(1):
            return grad, None
        return grad, (-grad if self.alpha == 1 else grad * -self.alpha)

    def fast_backward(self, grad):
        if not self.needs_input_grad(1) or self.alpha != 1:
            return self.backward(grad)
        return grad, _make(np.negative(grad._data))


class Rsub(Node):
    """z = b - a for a Python number b (``2 - x``);   dz/da = -1."""
    torch_name = "RsubBackward1"

    def forward(self, a, b):
        x, y = promote(a, b)
        if a._data.dtype.kind == "b" or _is_bool(b):
            _refuse_bool_subtraction(a, b)
        return np.subtract(y, x)

    def backward(self, grad):
        return -grad, None

    def fast_backward(self, grad):
        return _make(np.negative(grad._data)), None


def _is_bool(v):
    return isinstance(v, bool) or isinstance(v, TensorBase) and v._data.dtype.kind == "b"


def _refuse_bool_subtraction(a, b):
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(a) or _is_bool(b):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not "
                           "supported. If you are trying to invert a mask, use the `~` or "
                           "`logical_not()` operator instead.")


def _int_power(x, y):
    """Integer powers as PyTorch computes them: a negative exponent gives 0, or +-1 for a
    base of +-1 (NumPy refuses negative integer exponents)."""
    negative = np.asarray(y) < 0
    if not negative.any():
        return np.power(x, y)
    safe = np.power(x, np.where(negative, 0, y))
    odd = np.asarray(y) % 2 == 1
    small = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, small, safe).astype(safe.dtype)


class Mul(Node):
    """z = a * b;   dz/da = b,  dz/db = a."""
    torch_name = "MulBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = promote(a, b)
        try:                                      # (inline: this is the hot path)
            return np.multiply(x, y)
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    def backward(self, grad):
        # each gradient reads only the other operand: one that changed in place since
        # is an error only where it is needed (y = d * x; x.mul_(2) is fine for d)
        return (grad * self.saved(1) if self.needs_input_grad(0) else None,
                grad * self.saved(0) if self.needs_input_grad(1) else None)

    def fast_backward(self, grad):
        g = grad._data
        grads = [None, None]
        for i in (0, 1):
            if self._edges[i] is not None:
                other = self.saved_array(1 - i, g.dtype)
                if other is None:
                    return self.backward(grad)
                grads[i] = _make(np.multiply(g, other))
        return tuple(grads)


class Div(Node):
    """z = a / b;   dz/da = 1/b,  dz/db = -a/b^2 (computed as -grad * ((a/b)/b))."""
    torch_name = "DivBackward0"

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = float_operands(a, b)
        with np.errstate(divide="ignore", invalid="ignore"):
            return binary(x, y, np.true_divide, a, b)

    def backward(self, grad):
        # as in PyTorch, a's gradient reads only b: a changed in place since is no error
        grad_a = grad / self.saved(1) if self.needs_input_grad(0) else None
        if not self.needs_input_grad(1):
            return grad_a, None
        a, b = self.saved_tensors
        return grad_a, -grad * ((a / b) / b)

    def fast_backward(self, grad):
        g = grad._data
        b = self.saved_array(1, g.dtype)
        if b is None or self.needs_input_grad(1):
            return self.backward(grad)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _make(np.true_divide(g, b)), None


class Neg(Node):
    """z = -a;   dz/da = -1."""
    torch_name = "NegBackward0"

    def forward(self, a):
        if a._data.dtype.kind == "b":
            raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. "
                               "If you are trying to invert a mask, use the `~` or "
                               "`logical_not()` operator instead.")
        return np.negative(a._data)

    def backward(self, grad):
        return -grad

    def fast_backward(self, grad):
        return _make(np.negative(grad._data))


class Pow(Node):
    """z = a ** p for a number p;   dz/da = p * a^(p-1)  (0 everywhere when p = 0)."""
    torch_name = "PowBackward0"

    def forward(self, a, p):
        self.save_for_backward(a, p)
        x, _ = promote(a, p)
        if x.dtype.kind == "b":                   # bool ** True / False (PyTorch allows it)
            return x.copy() if p else np.ones_like(x)
        if isinstance(p, int) and x.dtype.kind in "iu" and p < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return _power(x, p)

    def backward(self, grad):
        a, p = self.saved_tensors
        if p == 0:
            return TensorBase._make(np.zeros_like(a._data))
        if p == 2:
            # PyTorch computes grad * (2 * a.pow(1)); a.pow(1) is a itself, so one op fewer
            return grad * (a * 2)
        return grad * (p * a ** (p - 1))

    def fast_backward(self, grad):
        g = grad._data
        a = self.saved_array(0, g.dtype)
        p = self._saved[1]
        if a is None or p == 0 or p.__class__ is not int and p.__class__ is not float:
            return self.backward(grad)
        if p == 2:
            return _make(np.multiply(g, np.multiply(a, 2)))
        return _make(np.multiply(g, np.multiply(_power(a, p - 1), p)))


def _power(x, p):
    """``x ** p`` for an array ``x`` and a number ``p``, rounded as PyTorch rounds it."""
    if p == 2:                                # the most common case first: x ** 2
        return np.square(x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # the special cases PyTorch computes by multiplication, so they round alike
        if x.dtype.kind == "f":
            if p == 3:
                return x * x * x
            if p == -2:
                return 1 / (x * x)
            if p == -1:
                return np.reciprocal(x)
            if p == 0.5:
                return np.sqrt(x)
        return np.power(x, p)


class PowTensor(Node):
    """z = a ** b;   dz/da = b * a^(b-1) (0 where b == 0),
    dz/db = z * log(a) (0 where a == 0 and b >= 0, the limit PyTorch takes)."""
    torch_name = "PowBackward1"
    saves_result = True

    def forward(self, a, b):
        self.save_for_backward(a, b)
        x, y = promote(a, b)
        refuse_bool("pow", x, y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return binary(x, y, np.power if x.dtype.kind == "f" else _int_power, a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        grad_a = grad_b = None
        if self.needs_input_grad(0):
            grad_a = (grad * (b * a ** (b - 1))).masked_fill(b == 0, 0)
        if self.needs_input_grad(1):
            z = self.result
            base = a if a.dtype == z.dtype else a.to(z.dtype)
            grad_b = grad * (z * base.log()).masked_fill((a == 0) & (b >= 0), 0)
        return grad_a, grad_b


class RPow(Node):
    """z = s ** a for a Python number s (``2 ** x``);   dz/da = z * log(s)
    (0 where s == 0 and a >= 0)."""
    torch_name = "PowBackward2"
    saves_result = True

    def forward(self, a, s):
        self.s = s
        self.save_for_backward(a)
        y, x = promote(s, a)
        refuse_bool("pow", x, y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.power(y, x) if x.dtype.kind == "f" else _int_power(y, x)

    def backward(self, grad):
        with np.errstate(divide="ignore", invalid="ignore"):
            log_s = float(np.log(float(self.s)))
        dz = self.result * log_s
        if self.s == 0:
            (a,) = self.saved_tensors
            dz = dz.masked_fill(a >= 0, 0)
        return grad * dz


# ---- the functions users call ---------------------------------------------------
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other``, broadcasting."""
    if not isinstance(input, TensorBase):
        if not fits("Number", input):
            expect("add", ("input", "Tensor", input))
        input = as_tensor_arg(input)
    try:
        return Add.apply(input, other, alpha=alpha)
    except TypeError:                               # other is a str, None, ...?
        expect("add", ("input", "Tensor", input), ("other", "Tensor", other))
        raise


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``, broadcasting."""
    if not isinstance(input, TensorBase):
        if not fits("Number", input):
            expect("sub", ("input", "Tensor", input))
        input = as_tensor_arg(input)
    try:
        return Sub.apply(input, other, alpha=alpha)
    except TypeError:                               # other is a str, None, ...?
        expect("sub", ("input", "Tensor", input), ("other", "Tensor", other))
        raise


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def mul(input, other, *, out=None):
    """``input * other``, broadcasting."""
    try:
        if not isinstance(input, TensorBase):
            return Mul.apply(other, input)
        return Mul.apply(input, other)
    except (AttributeError, TypeError):             # a str, None, ...?
        expect("mul", ("input", "Tensor", input), ("other", "Tensor", other))
        raise


multiply = mul


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other`` (true division; ``rounding_mode='floor'|'trunc'`` rounds)."""
    if rounding_mode is not None:
        if rounding_mode not in ("floor", "trunc"):
            raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or "
                             f"'floor' but found '{rounding_mode}'")
        if not isinstance(input, TensorBase):
            input = as_tensor_arg(input)
        return DivRounded.apply(input, other, rounding_mode=rounding_mode)
    if not isinstance(input, TensorBase):
        return Mul.apply(Reciprocal.apply(other), input)   # 2 / x as PyTorch: x^-1 * 2
    return Div.apply(input, other)


divide = true_divide = div


def reciprocal(input):
    """``1 / input``."""
    return Reciprocal.apply(input)


class Reciprocal(Node):
    """z = 1/a;   dz/da = -1/a^2 = -z^2 (so backward reuses the output z)."""
    torch_name = "ReciprocalBackward0"
    saves_result = True

    def forward(self, a):
        x = a._data if a._data.dtype.kind == "f" else a._data.astype(np.float32)
        with np.errstate(divide="ignore"):
            return np.reciprocal(x)

    def backward(self, grad):
        z = self.result
        return -grad * (z * z)


def neg(input):
    """``-input``."""
    return Neg.apply(input)


negative = neg


def pow(input, exponent):
    """``input ** exponent``: tensor or number on either side."""
    if not isinstance(input, TensorBase):
        return RPow.apply(exponent, s=input)
    if isinstance(exponent, TensorBase):
        return PowTensor.apply(input, exponent)
    if isinstance(exponent, np.generic):
        exponent = exponent.item()
    return Pow.apply(input, p=exponent)


def square(input):
    """``input ** 2`` (PyTorch records it as PowBackward0)."""
    return Pow.apply(input, p=2)


def times_number(t, s):
    """``t * s`` for a tensor ``t`` outside any graph and a float ``s``: the ``lr * p.grad``
    of a hand-written update, once per parameter per step. Unless a watcher (teaching or
    anomaly mode) wants to see the op, NumPy's product alone: what ``Mul.forward``
    computes, without the node that would not be kept."""
    if t._data.dtype.kind == "f" and graph.WATCH is None:
        return _make(np.multiply(t._data, s))
    return Mul.apply(t, s)


def inplace_binary(t, ufunc, op, other, name=None):
    """``t += other`` and its kin: ``inplace(t, op, other)``, or NumPy's ``ufunc`` writing
    straight into ``t``'s array where that is the same thing. ``name``: the method's
    (``"add_"``), for PyTorch's error on an ``other`` of the wrong type; None for an
    operator (``t += "1"``), which leaves that error to Python, as PyTorch does.

    That is the update of a hand-written training loop (``w.data -= lr * w.grad.data``),
    run once per parameter per step: nothing is recorded (grad mode is off, or neither
    operand is in a graph or a view) or watched (teaching and anomaly modes see every
    op), ``t`` is a float array NumPy may write to, and ``other`` is a Python number or
    a tensor of ``t``'s dtype with memory of its own.
    NumPy then computes in ``t``'s dtype as PyTorch does. A shape that does not fit
    ``t`` goes the general way, for PyTorch's error.
    """
    data = t._data
    if data.dtype.kind == "f" and data.flags.writeable and graph.WATCH is None:
        grad_mode_on = _STATE.enabled
        if other.__class__ is float or other.__class__ is int:
            y = other
        elif (isinstance(other, TensorBase) and other._data.dtype is data.dtype
              and other._version_counter is not t._version_counter
              and not (grad_mode_on and (other._requires_grad or other._view is not None))):
            y = other._data
        else:
            y = None
        if y is not None and not (grad_mode_on and (t._requires_grad or t._view is not None)):
            try:
                ufunc(data, y, out=data)
            except ValueError:                    # (NumPy checks shapes before writing)
                return inplace(t, op, other)
            t._version_counter[0] += 1
            return t
    if not isinstance(other, OPERANDS):
        if name is None:
            return NotImplemented
        expect(name, ("other", "Tensor", other))
    return inplace(t, op, other)


class ArithmeticMethods:
    """The arithmetic methods and operators of ``Tensor``."""
    __slots__ = ()

    def add(self, other, *, alpha=1):
        try:
            return add(self, other, alpha=alpha)
        except TypeError:
            expect("add", ("other", "Tensor", other))     # (a method's other is at 1)
            raise

    def __add__(self, other):
        try:
            return Add.apply(self, other)
        except TypeError:                   # other is a str, None, ...?
            return not_an_operand(other)

    def __radd__(self, other):
        try:
            return Add.apply(self, other)
        except TypeError:                   # other is a str, None, ...?
            return not_an_operand(other)

    def add_(self, other, *, alpha=1):
        if alpha == 1:
            return inplace_binary(self, np.add, add, other, "add_")
        expect("add_", ("other", "Tensor", other))
        return inplace(self, add, other, alpha=alpha)

    def __iadd__(self, other):
        return inplace_binary(self, np.add, add, other)

    def sub(self, other, *, alpha=1):
        try:
            return sub(self, other, alpha=alpha)
        except TypeError:
            expect("sub", ("other", "Tensor", other))     # (a method's other is at 1)
            raise

    subtract = sub

    def __sub__(self, other):
        try:
            return Sub.apply(self, other)
        except TypeError:                   # other is a str, None, ...?
            return not_an_operand(other)

    def __rsub__(self, other):
        # (PyTorch's RsubBackward1 has one input; chainrule keeps the number as a second,
        # gradient-less one, which chainrule.explain reads to print "2 - x")
        try:
            return Rsub.apply(self, other)
        except TypeError:
            return not_an_operand(other)

    def sub_(self, other, *, alpha=1):
        if alpha == 1:
            return inplace_binary(self, np.subtract, sub, other, "sub_")
        expect("sub_", ("other", "Tensor", other))
        return inplace(self, sub, other, alpha=alpha)

    def __isub__(self, other):
        return inplace_binary(self, np.subtract, sub, other)

    def mul(self, other):
        try:
            return mul(self, other)
        except TypeError:
            expect("mul", ("other", "Tensor", other))
            raise

    multiply = mul

    def __mul__(self, other):
        if other.__class__ is float and not self._requires_grad and self._view is None:
            return times_number(self, other)
        try:
            return Mul.apply(self, other)
        except TypeError:                   # other is a str, None, ...?
            return not_an_operand(other)

    def __rmul__(self, other):
        if other.__class__ is float and not self._requires_grad and self._view is None:
            return times_number(self, other)             # lr * p.grad
        try:
            return Mul.apply(self, other)
        except TypeError:                   # other is a str, None, ...?
            return not_an_operand(other)

    def mul_(self, other):
        return inplace_binary(self, np.multiply, mul, other, "mul_")

    def __imul__(self, other):
        return inplace_binary(self, np.multiply, mul, other)

    def div(self, other, *, rounding_mode=None):
        return div(self, other, rounding_mode=rounding_mode)

    divide = true_divide = div

    def __truediv__(self, other):
        try:
            return Div.apply(self, other)
        except TypeError:                   # other is a str, None, ...?
            return not_an_operand(other)

    def __rtruediv__(self, other):
        try:
            return div(other, self)
        except TypeError:                   # other is a str, None, ...?
            return not_an_operand(other)

    def div_(self, other, *, rounding_mode=None):
        if not isinstance(other, OPERANDS):
            expect("div_", ("other", "Tensor", other))
        return inplace(self, div, other, rounding_mode=rounding_mode)

    def __itruediv__(self, other):
        if not isinstance(other, OPERANDS):
            return NotImplemented
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
        return RPow.apply(self, s=base)

    def pow_(self, exponent):
        return inplace(self, pow, exponent)

    def __ipow__(self, exponent):
        return inplace(self, pow, exponent)

    def square(self):
        return square(self)

    def square_(self):
        return inplace(self, square)
