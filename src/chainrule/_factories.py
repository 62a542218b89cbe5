"""Making tensors: tensor, zeros, ones, full, arange, linspace, eye, the *_like forms,
and the legacy ``torch.Tensor(...)`` / ``torch.FloatTensor(...)`` constructors.

>>> import chainrule as torch
>>> torch.tensor([1.0, 2.0]).dtype, torch.tensor([1, 2]).dtype
(torch.float32, torch.int64)
>>> torch.zeros(2, 3).shape
torch.Size([2, 3])
"""
import math
import warnings

import numpy as np

from . import _dtype
from ._dtype import DEFAULTS, from_numpy_dtype
from ._size import device as _device
from ._tensor import TensorBase

_make = TensorBase._make


def _size_args(size):
    """``zeros(2, 3)``, ``zeros((2, 3))`` and ``zeros([2, 3])`` alike."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, TensorBase):
            s = s.item()
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"empty(): argument 'size' (position 1) must be tuple of ints, but "
                            f"found element of type {type(s).__name__} at pos 0")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(size)}")
        out.append(int(s))
    return tuple(out)


def _finish(data, requires_grad):
    t = _make(data)
    if requires_grad:
        t.requires_grad = True
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or DEFAULTS.float).numpy
    if not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"dtype must be a chainrule dtype (torch.float32, ...), "
                        f"not {type(dtype).__name__}")
    return dtype.numpy


def _python_data(data):
    """Nested Python data as a NumPy array, with PyTorch's dtype inference."""
    if isinstance(data, (list, tuple)):
        data = [_python_item(x) for x in data]
    elif isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    try:
        arr = np.array(data)
    except (ValueError, OverflowError) as e:
        if isinstance(e, OverflowError):
            raise RuntimeError("Overflow when unpacking long") from None
        raise ValueError(f"expected sequence of equal-length lists: {e}") from None
    kind = arr.dtype.kind
    if kind == "f":
        return arr.astype(DEFAULTS.float.numpy, copy=False)
    if kind in "iu":
        return arr.astype(np.int64, copy=False)
    if kind == "b":
        return arr
    if kind == "O":
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    raise TypeError(f"new(): invalid data type '{arr.dtype}'")


def _python_item(x):
    if isinstance(x, TensorBase):
        if x._data.size != 1 or x._data.ndim > 0:
            if x._data.ndim == 0:
                return x._data.item()
            raise ValueError("only one element tensors can be converted to Python scalars")
        return x._data.item()
    if isinstance(x, (list, tuple)):
        return [_python_item(y) for y in x]
    if isinstance(x, np.ndarray):
        return x.tolist()
    return x


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested lists, a NumPy array).

    The dtype is inferred as PyTorch does: Python floats give float32, ints give
    int64, bools give bool; NumPy arrays keep their dtype.

    >>> import chainrule as torch
    >>> torch.tensor(10, dtype=torch.float32, requires_grad=True)
    tensor(10., requires_grad=True)
    """
    if device is not None:
        _device(device)
    if isinstance(data, TensorBase):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        arr = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data)
        from_numpy_dtype(arr.dtype)
    else:
        arr = _python_data(data)
    if dtype is not None:
        arr = arr.astype(_np_dtype(dtype), copy=False)
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, TensorBase):
        return data if dtype is None or dtype == data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.numpy == data.dtype):
        from_numpy_dtype(data.dtype)
        return _make(data)
    return tensor(data, dtype=dtype)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array: changes to one show in the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    from_numpy_dtype(ndarray.dtype)
    return _make(ndarray)


def _filled(value, size, dtype, requires_grad):
    arr = np.full(_size_args(size), value, _np_dtype(dtype))
    return _finish(arr, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of zeros of the given size."""
    return _filled(0, size, dtype, requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of ones of the given size."""
    return _filled(1, size, dtype, requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False):
    """A tensor of the given size (chainrule fills it with zeros)."""
    return _filled(0, size, dtype, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor of the given size filled with ``fill_value`` (dtype inferred from it)."""
    if dtype is None:
        dtype = _dtype.scalar_dtype(fill_value.item() if isinstance(fill_value, TensorBase)
                                    else fill_value)
    if isinstance(fill_value, TensorBase):
        fill_value = fill_value.item()
    return _filled(fill_value, (size,) if isinstance(size, int) else tuple(size), dtype,
                   requires_grad)


def _like(input, dtype):
    return input.dtype if dtype is None else dtype


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled(0, input._data.shape, _like(input, dtype), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled(1, input._data.shape, _like(input, dtype), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None):
    return _filled(0, input._data.shape, _like(input, dtype), requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    return _filled(fill_value, input._data.shape, _like(input, dtype), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
           out=None):
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``."""
    if end is None:
        start, end = 0, start
    values = [v.item() if isinstance(v, TensorBase) else v for v in (start, end, step)]
    start, end, step = values
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = DEFAULTS.float if any(isinstance(v, float) for v in values) else _dtype.int64
    n = max(math.ceil((end - start) / step), 0)
    arr = (start + np.arange(n, dtype=np.float64) * step) if dtype.is_floating_point or \
        any(isinstance(v, float) for v in values) else start + np.arange(n) * step
    return _finish(arr.astype(dtype.numpy), requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or DEFAULTS.float
    if steps == 1:
        arr = np.array([start], np.float64)
    else:
        # PyTorch fills the first half forwards from start and the second half
        # backwards from end, so both ends are exact.
        step = (end - start) / (steps - 1) if steps > 1 else 0
        i = np.arange(steps, dtype=np.float64)
        half = steps // 2
        arr = np.where(i < half, start + step * i, end - step * (steps - i - 1))
    return _finish(arr.astype(dtype.numpy), requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, requires_grad=False):
    lin = linspace(start, end, steps, dtype=_dtype.float64)._data
    return _finish(np.power(base, lin).astype((dtype or DEFAULTS.float).numpy), requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None):
    """The identity matrix (n x m)."""
    return _finish(np.eye(n, n if m is None else m, dtype=_np_dtype(dtype)), requires_grad)


def legacy_new(args):
    """The data of ``torch.Tensor(*args)``: a size, a sequence, or another tensor."""
    if not args:
        return np.zeros((0,), DEFAULTS.float.numpy)
    if len(args) == 1 and isinstance(args[0], TensorBase):
        return args[0]._data
    if len(args) == 1 and isinstance(args[0], (list, tuple, np.ndarray, float)):
        data = args[0]
        if isinstance(data, np.ndarray):
            return data.astype(DEFAULTS.float.numpy)
        return _python_data(data).astype(DEFAULTS.float.numpy, copy=False)
    return np.zeros(_size_args(args), DEFAULTS.float.numpy)


def _legacy_constructor(name, dtype):
    def construct(*args, device=None):
        data = legacy_new(args)
        if len(args) == 1 and isinstance(args[0], (list, tuple)):
            data = _python_data(args[0])
        return _make(np.asarray(data).astype(dtype.numpy))
    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = f"``torch.{name}(data)`` or ``torch.{name}(*size)``: a {dtype!r} tensor."
    return construct


FloatTensor = _legacy_constructor("FloatTensor", _dtype.float32)
DoubleTensor = _legacy_constructor("DoubleTensor", _dtype.float64)
HalfTensor = _legacy_constructor("HalfTensor", _dtype.float16)
LongTensor = _legacy_constructor("LongTensor", _dtype.int64)
IntTensor = _legacy_constructor("IntTensor", _dtype.int32)
ShortTensor = _legacy_constructor("ShortTensor", _dtype.int16)
CharTensor = _legacy_constructor("CharTensor", _dtype.int8)
ByteTensor = _legacy_constructor("ByteTensor", _dtype.uint8)
BoolTensor = _legacy_constructor("BoolTensor", _dtype.bool_)
