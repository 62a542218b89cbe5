"""Comparisons and logical ops. Their results are bool tensors and never require grad:
a comparison is a step function, whose derivative is zero wherever it exists.
"""
import numpy as np

from .._tensor import TensorBase
from ._util import broadcast_error, promote, shape_of

_make = TensorBase._make


def _compare(ufunc, a, b):
    if not isinstance(a, TensorBase) and not isinstance(b, TensorBase):
        raise TypeError("a comparison needs at least one tensor")
    if not isinstance(b, (TensorBase, int, float, bool, np.generic)):
        return NotImplemented
    x, y = promote(a, b)
    try:
        return _make(np.asarray(ufunc(x, y)))
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


def eq(input, other):
    return _compare(np.equal, input, other)


def ne(input, other):
    return _compare(np.not_equal, input, other)


def lt(input, other):
    return _compare(np.less, input, other)


def le(input, other):
    return _compare(np.less_equal, input, other)


def gt(input, other):
    return _compare(np.greater, input, other)


def ge(input, other):
    return _compare(np.greater_equal, input, other)


greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other|, elementwise."""
    x, y = promote(input, other)
    try:
        return _make(np.asarray(np.isclose(x, y, rtol=rtol, atol=atol, equal_nan=equal_nan)))
    except ValueError:
        raise broadcast_error(shape_of(input), shape_of(other)) from None


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element is ``isclose``."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True when both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool(
        np.array_equal(*promote(input, other)))


def isnan(input):
    return _make(np.isnan(input._data))


def isinf(input):
    return _make(np.isinf(input._data))


def isfinite(input):
    return _make(np.isfinite(input._data))


def logical_not(input):
    return _make(np.logical_not(input._data))


def logical_and(input, other):
    return _compare(np.logical_and, input, other)


def logical_or(input, other):
    return _compare(np.logical_or, input, other)


def logical_xor(input, other):
    return _compare(np.logical_xor, input, other)


def _bitwise(ufunc, name, a, b):
    x, y = promote(a, b)
    for v in (x, y):
        if isinstance(v, np.ndarray) and v.dtype.kind == "f":
            raise RuntimeError(f'"{name}_cpu" not implemented for '
                               f"'{'Float' if v.dtype == np.float32 else 'Double'}'")
    try:
        return _make(np.asarray(ufunc(x, y)))
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


class ComparisonMethods:
    """The comparison and logical methods and operators of ``Tensor``."""
    __slots__ = ()

    def eq(self, other):
        return eq(self, other)

    def __eq__(self, other):
        return _compare(np.equal, self, other)

    def ne(self, other):
        return ne(self, other)

    def __ne__(self, other):
        return _compare(np.not_equal, self, other)

    def lt(self, other):
        return lt(self, other)

    def __lt__(self, other):
        return _compare(np.less, self, other)

    def le(self, other):
        return le(self, other)

    def __le__(self, other):
        return _compare(np.less_equal, self, other)

    def gt(self, other):
        return gt(self, other)

    def __gt__(self, other):
        return _compare(np.greater, self, other)

    def ge(self, other):
        return ge(self, other)

    def __ge__(self, other):
        return _compare(np.greater_equal, self, other)

    def isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        return allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other):
        return equal(self, other)

    def isnan(self):
        return isnan(self)

    def isinf(self):
        return isinf(self)

    def isfinite(self):
        return isfinite(self)

    def logical_not(self):
        return logical_not(self)

    def logical_and(self, other):
        return logical_and(self, other)

    def logical_or(self, other):
        return logical_or(self, other)

    def logical_xor(self, other):
        return logical_xor(self, other)

    def __invert__(self):
        if self._data.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-"
                            "type tensors")
        return _make(np.invert(self._data))

    def __and__(self, other):
        return _bitwise(np.bitwise_and, "bitwise_and", self, other)

    __rand__ = __and__

    def __or__(self, other):
        return _bitwise(np.bitwise_or, "bitwise_or", self, other)

    __ror__ = __or__

    def __xor__(self, other):
        return _bitwise(np.bitwise_xor, "bitwise_xor", self, other)

    __rxor__ = __xor__

    def __iand__(self, other):
        self._data &= np.asarray(other._data if isinstance(other, TensorBase) else other)
        self._version_counter[0] += 1
        return self

    def __ior__(self, other):
        self._data |= np.asarray(other._data if isinstance(other, TensorBase) else other)
        self._version_counter[0] += 1
        return self
