"""Transcendental functions rounded the way PyTorch's CPU kernels round them.

PyTorch runs an elementwise kernel over a contiguous tensor in blocks of 32
float32 values (16 float64) with SIMD instructions and finishes the last
``n % 32`` values one at a time with the C library (``expm1f``, ``erff``,
``tanhf``...). So a tensor of fewer than 32 elements, the common case in a
course, is computed entirely by the C library. chainrule does the same: the
tail goes through the C library itself (glibc, found with ``ctypes``), and the
SIMD part is the float64 result rounded once, which is the float32 nearest the
true value and agrees with PyTorch's SIMD functions on all but about 1% of
inputs. Without a C library that has these functions, every element takes the
float64 route.

>>> import numpy as np
>>> from chainrule.nn._ops._precise import exp
>>> exp(np.array([1.0], np.float32)).dtype
dtype('float32')
"""
import ctypes
import ctypes.util
import math

import numpy as np

from .erf import erf as _erf_array

_BLOCK = {np.dtype(np.float32): 32, np.dtype(np.float64): 16}


def _load_libm():
    """The C maths library, with the float32 functions declared (None if unavailable)."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6")
        for name in ("expf", "expm1f", "log1pf", "tanhf", "erff"):
            f = getattr(lib, name)
            f.restype, f.argtypes = ctypes.c_float, [ctypes.c_float]
        return lib
    except (OSError, AttributeError):
        return None


_LIBM = _load_libm()


def _kernel(x, f64, name32, name64):
    """``f`` of every element of ``x``: SIMD blocks rounded from float64, the tail by libm."""
    if x.dtype.kind != "f":
        x = x.astype(np.float32)
    with np.errstate(all="ignore"):
        out = f64(x.astype(np.float64)).astype(x.dtype)
    block = _BLOCK.get(x.dtype)
    tail = x.size % block if block else 0
    if tail and x.flags.c_contiguous:
        flat_in, flat_out = x.reshape(-1), out.reshape(-1)
        if x.dtype == np.float32 and _LIBM is not None:
            c_function = getattr(_LIBM, name32)
            values = [c_function(v) for v in flat_in[-tail:].tolist()]
        elif x.dtype == np.float64:
            values = [_guarded(name64, v) for v in flat_in[-tail:].tolist()]
        else:
            return out
        flat_out[-tail:] = values
    return out


def _guarded(name, v):
    """``math.<name>(v)`` with C's answers where Python's math module raises."""
    try:
        return getattr(math, name)(v)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan if name != "log1p" or v != -1.0 else -math.inf


def exp(x):
    return _kernel(x, np.exp, "expf", "exp")


def expm1(x):
    return _kernel(x, np.expm1, "expm1f", "expm1")


def log1p(x):
    return _kernel(x, np.log1p, "log1pf", "log1p")


def tanh(x):
    return _kernel(x, np.tanh, "tanhf", "tanh")


def erf(x):
    return _kernel(x, _erf_array, "erff", "erf")


def floating(t, kernel):
    """The array of tensor ``t``, which must be floating point (PyTorch's error otherwise)."""
    x = t._data
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{_SCALAR[x.dtype.name]}\'')
    return x


def scalar(value, x):
    """A Python number as the kernel sees it: rounded to the array's dtype."""
    return x.dtype.type(value)


_SCALAR = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
           "uint8": "Byte", "bool": "Bool", "float32": "Float", "float64": "Double",
           "float16": "Half"}
