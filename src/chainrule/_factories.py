"""Making tensors: tensor, zeros, ones, full, arange, linspace, eye, the *_like forms,
and the legacy ``torch.Tensor(...)`` / ``torch.FloatTensor(...)`` constructors.

>>> import chainrule as torch
>>> torch.tensor([1.0, 2.0]).dtype, torch.tensor([1, 2]).dtype
(torch.float32, torch.int64)
>>> torch.zeros(2, 3).shape
torch.Size([2, 3])

Bad arguments raise PyTorch's errors word for word (``torch.zeros(2.5)`` is a
TypeError naming ``zeros()``), so the messages a course shows are the ones a
learner sees.
"""
import math
import warnings

import numpy as np

from . import _dtype
from ._dtype import DEFAULTS, from_numpy_dtype
from ._size import Size, device as _device
from ._tensor import TensorBase

_make = TensorBase._make


# ---- argument checking shared by the factories --------------------------------------
def type_name(x):
    """The type name PyTorch's messages use: ``float``, ``numpy.float64``, ``Tensor``."""
    t = type(x)
    if t.__module__.split(".")[0] == "numpy":
        return "numpy." + t.__name__
    return t.__name__


def _is_index(x, strict):
    """An int for a size: Python/NumPy ints, one-element integer tensors.

    PyTorch checks the first element of a size strictly (``bool`` refused) and
    unpacks the rest leniently (``bool`` accepted), hence ``strict``.
    """
    if isinstance(x, TensorBase):
        return x._data.size == 1 and x._data.dtype.kind in "iu"
    if isinstance(x, bool):
        return not strict
    return isinstance(x, (int, np.integer))


def parse_size(args, name):
    """The size of ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])``, ``zeros(Size)``."""
    if not args and name in ("zeros", "ones", "empty"):       # (zeros(()) is a 0-dim one)
        raise TypeError(f'{name}() missing 1 required positional arguments: "size"')
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        dims = args[0]
        if dims and not _is_index(dims[0], strict=True):
            raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                            f"but found element of type {type_name(dims[0])} at pos 0")
    elif args and not _is_index(args[0], strict=True):
        if len(args) > 1:
            raise TypeError(f"{name}() takes 1 positional argument but {len(args)} were given")
        raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type_name(args[0])}")
    else:
        dims = args
    for i, s in enumerate(dims):
        if not _is_index(s, strict=False):
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type_name(s)}\"")
    dims = tuple(int(s) for s in dims)
    for s in dims:
        if s < 0:
            if name == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(dims)}")
    return dims


def _np_dtype(dtype, default=None, name="tensor"):
    if dtype is None:
        return (default or DEFAULTS.float).numpy
    if not isinstance(dtype, _dtype.dtype):
        raise TypeError(f"{name}(): argument 'dtype' must be torch.dtype, not "
                        f"{type_name(dtype)}")
    return dtype.numpy


def _check_device(device):
    """chainrule computes on the CPU; asking for CUDA fails as on a CPU-only PyTorch."""
    if device is not None and _device(device).type == "cuda":
        raise AssertionError("Torch not compiled with CUDA enabled")


def _finish(data, requires_grad, device=None):
    """Wrap a fresh array as a tensor, checking ``requires_grad`` and ``device``."""
    _check_device(device)
    t = _make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


# ---- tensor(data): PyTorch's dtype inference ------------------------------------------
# The range a Python number must fit to be stored in an integer dtype. PyTorch lets
# negative numbers wrap into unsigned types (uint8: -1 is stored as 255).
_INT_RANGES = {"uint8": (-255, 255), "int8": (-128, 127), "int16": (-2 ** 15, 2 ** 15 - 1),
               "int32": (-2 ** 31, 2 ** 31 - 1), "int64": (-2 ** 63, 2 ** 63 - 1)}
_PYTHON_NUMBERS = {float, int, bool}
_LIST_OF_ARRAYS_WARNED = []


def _is_sequence(x):
    return isinstance(x, (list, tuple, np.ndarray, str, bytes, range))


def _infer_dtype(x):
    """The dtype of one element, as PyTorch infers it (``infer_scalar_type``)."""
    if isinstance(x, bool):
        return _dtype.bool_
    if isinstance(x, (np.generic, np.ndarray)):
        if isinstance(x, np.ndarray) and x.dtype.kind not in "fiub":
            from_numpy_dtype(x.dtype)            # raises PyTorch's TypeError
        return from_numpy_dtype(np.asarray(x).dtype)
    if isinstance(x, float):
        return DEFAULTS.float
    if isinstance(x, int):
        return _dtype.int64
    if isinstance(x, TensorBase):
        return x.dtype
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type_name(x)}'")
    if isinstance(x, (list, tuple, range)):
        result = None
        for item in x:
            d = _infer_dtype(item)
            result = d if result is None else _dtype.promote_types(result, d)
        return DEFAULTS.float if result is None else result
    raise RuntimeError(f"Could not infer dtype of {type_name(x)}")


def _sizes(x):
    """The shape of nested data, read along the first element of each level."""
    sizes = []
    while _is_sequence(x):
        if isinstance(x, np.ndarray) and x.ndim == 0:
            raise TypeError("len() of unsized object")
        sizes.append(len(x))
        if len(sizes) > 64:
            raise ValueError(f"too many dimensions '{type_name(x)}'")
        if not len(x):
            break
        x = x[0]
    return sizes


def _scalar(x, dtype):
    """One element as a Python number of ``dtype``'s kind, with PyTorch's checks."""
    if _is_sequence(x):
        if dtype.is_floating_point:
            raise TypeError(f"must be real number, not {type_name(x)}")
        if dtype is not _dtype.bool_:
            raise TypeError(f"'{type_name(x)}' object cannot be interpreted as an integer")
    if dtype is _dtype.bool_:
        return bool(x)
    if dtype.is_floating_point:
        if x is None:
            raise TypeError("must be real number, not NoneType")
        return float(x)
    if isinstance(x, TensorBase):
        x = x.__index__()
    if isinstance(x, (bool, int, np.integer)):
        x = int(x)
        if not -2 ** 63 <= x < 2 ** 63:
            raise ValueError("Overflow when unpacking long long")
    elif x is None:
        raise TypeError("'NoneType' object cannot be interpreted as an integer")
    lo, hi = _INT_RANGES[dtype.name]
    if isinstance(x, int):
        fits = lo <= x <= hi
    else:
        x = float(x)
        # a float must fit the range itself: uint8 refuses -0.5 though it wraps -1
        fits = x == x and (0 if dtype.name == "uint8" else lo) <= x <= hi
    if not fits:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow")
    return int(x)


def _store(data, sizes, dtype):
    """Nested data as a flat list of numbers, checking the lengths level by level."""
    flat = []
    stack = [(data, 0)]
    while stack:
        x, dim = stack.pop()
        if dim == len(sizes):
            flat.append(_scalar(x, dtype))
            continue
        if not _is_sequence(x):
            raise TypeError("not a sequence")
        if len(x) != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} "
                             f"(got {len(x)})")
        stack.extend((item, dim + 1) for item in reversed(list(x)))
    return flat


def _only_python_numbers(data):
    """True for (nested lists of) Python floats, ints and bools: NumPy then infers
    the same kind as PyTorch, and the fast path is safe."""
    stack = [data]
    while stack:
        seq = stack.pop()
        types = set(map(type, seq))
        if types <= _PYTHON_NUMBERS:
            continue
        if types <= {list, tuple}:
            stack.extend(seq)
            continue
        return False
    return True


def _fit(arr, dtype):
    """Cast data from Python numbers to ``dtype``, refusing what PyTorch refuses."""
    if dtype.name in _INT_RANGES and arr.dtype.kind in "fiu" and arr.size:
        lo, hi = _INT_RANGES[dtype.name]
        if arr.dtype.kind == "f":
            lo = 0 if dtype.name == "uint8" else lo
            bad = np.isnan(arr).any() or arr.min() < lo or arr.max() > hi
        else:
            bad = arr.min() < lo or arr.max() > hi
        if bad:
            raise RuntimeError(f"value cannot be converted to type {dtype.name} without "
                               "overflow")
    with np.errstate(over="ignore", invalid="ignore"):
        return arr.astype(dtype.numpy, copy=False)


def python_data(data, dtype=None):
    """Nested Python data (lists, numbers, tensors, NumPy values) as a NumPy array."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type_name(data)}'")
    if isinstance(data, (list, tuple)) and _only_python_numbers(data):
        try:
            arr = np.array(data)
        except (ValueError, OverflowError):
            arr = None                     # ragged or huge: the slow path says why
        if arr is not None and arr.dtype.kind in "fib":
            if dtype is None:
                dtype = DEFAULTS.float if arr.dtype.kind == "f" else from_numpy_dtype(arr.dtype)
            return _fit(arr, dtype)
    if isinstance(data, list) and data and isinstance(data[0], np.ndarray) \
            and not _LIST_OF_ARRAYS_WARNED:
        _LIST_OF_ARRAYS_WARNED.append(True)          # PyTorch warns once per process
        warnings.warn(
            "Creating a tensor from a list of numpy.ndarrays is extremely slow. Please "
            "consider converting the list to a single numpy.ndarray with numpy.array() "
            "before converting to a tensor.", UserWarning, stacklevel=3)
    sizes = _sizes(data)
    if dtype is None:
        dtype = _infer_dtype(data)
    flat = _store(data, sizes, dtype)
    with np.errstate(over="ignore"):
        return np.array(flat, dtype.numpy).reshape(sizes)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (a number, nested lists, a NumPy array).

    The dtype is inferred as PyTorch does: Python floats give float32, ints give
    int64, bools give bool; NumPy arrays and tensors keep their dtype, and a list
    mixing them takes the promoted type of its elements.

    >>> import chainrule as torch
    >>> torch.tensor(10, dtype=torch.float32, requires_grad=True)
    tensor(10., requires_grad=True)
    >>> torch.tensor([torch.tensor(1), 2.5])
    tensor([1.0000, 2.5000])
    """
    np_dtype = None if dtype is None else _np_dtype(dtype)
    if isinstance(data, TensorBase):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()."
            "clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
        arr = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        from_numpy_dtype(data.dtype)
        arr = np.array(data)
    else:
        arr = python_data(data, dtype)
    if np_dtype is not None and arr.dtype != np_dtype:
        with np.errstate(over="ignore", invalid="ignore"):
            arr = arr.astype(np_dtype)
    return _finish(arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can.

    >>> import numpy as np, chainrule as torch
    >>> a = np.array([1.0, 2.0])
    >>> t = torch.as_tensor(a)
    >>> a[0] = 5.0
    >>> t
    tensor([5., 2.], dtype=torch.float64)
    """
    if isinstance(data, TensorBase):
        return data if dtype is None or dtype == data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.numpy == data.dtype):
        from_numpy_dtype(data.dtype)
        _check_device(device)
        return _make(data)
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """A tensor sharing memory with a NumPy array: changes to one show in the other."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type_name(ndarray)})")
    from_numpy_dtype(ndarray.dtype)
    return _make(ndarray)


# ---- filled tensors -------------------------------------------------------------------
# The C++ type names in PyTorch's "value cannot be converted" message of fill ops.
_CPP_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
              "int64": "int64_t", "int32": "int", "int16": "int16_t", "int8": "int8_t",
              "uint8": "uint8_t"}


def checked_fill(value, np_dtype, name):
    """A fill value checked as PyTorch checks a Scalar converted to the tensor's dtype."""
    if isinstance(value, TensorBase) and value._data.ndim == 0:
        value = value.item()
    if isinstance(value, np.generic):
        value = value.item()
    if not isinstance(value, (bool, int, float)):
        raise TypeError(f"{name}(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type_name(value)}")
    kind, cpp = np_dtype.kind, _CPP_NAMES.get(np_dtype.name)
    if kind == "f":
        top = float(np.finfo(np_dtype).max)
        if math.isfinite(value) and abs(value) > top:
            raise RuntimeError(f"value cannot be converted to type {cpp} without overflow")
    elif kind in "iu":
        lo, hi = _INT_RANGES[np_dtype.name]
        if isinstance(value, float):
            lo = 0 if kind == "u" else lo
        if value != value or not lo <= value <= hi:
            raise RuntimeError(f"value cannot be converted to type {cpp} without overflow")
        value = int(value)
    return value


def _filled(value, dims, np_dtype, requires_grad, device):
    return _finish(np.full(dims, value, np_dtype), requires_grad, device)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of zeros of the given size."""
    dims = parse_size(size, "zeros")
    return _filled(0, dims, _np_dtype(dtype, name="zeros"), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of ones of the given size."""
    dims = parse_size(size, "ones")
    return _filled(1, dims, _np_dtype(dtype, name="ones"), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False):
    """A tensor of the given size. PyTorch leaves its values unset; chainrule's are 0."""
    dims = parse_size(size, "empty")
    return _filled(0, dims, _np_dtype(dtype, name="empty"), requires_grad, device)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None,
         layout=None):
    """A tensor of the given size filled with a number (dtype inferred from it).

    >>> import chainrule as torch
    >>> torch.full((2,), 7)
    tensor([7, 7])
    """
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type_name(size)}")
    dims = parse_size((size,), "full")
    value = checked_fill(fill_value, np.dtype(np.float64), "full")
    if dtype is None:
        dtype = _dtype.scalar_dtype(value)
    np_dtype = _np_dtype(dtype, name="full")
    return _filled(checked_fill(value, np_dtype, "full"), dims, np_dtype, requires_grad, device)


def _like(input, dtype, name):
    if not isinstance(input, TensorBase):
        raise TypeError(f"{name}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type_name(input)}")
    return input._data.dtype if dtype is None else _np_dtype(dtype, name=name)


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    """Zeros with the shape (and dtype, unless given) of ``input``."""
    np_dtype = _like(input, dtype, "zeros_like")
    return _filled(0, input._data.shape, np_dtype, requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None):
    """Ones with the shape (and dtype, unless given) of ``input``."""
    np_dtype = _like(input, dtype, "ones_like")
    return _filled(1, input._data.shape, np_dtype, requires_grad, device)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    """An uninitialised tensor like ``input`` (chainrule fills it with zeros)."""
    np_dtype = _like(input, dtype, "empty_like")
    return _filled(0, input._data.shape, np_dtype, requires_grad, device)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None, layout=None):
    """``fill_value`` with the shape (and dtype, unless given) of ``input``."""
    np_dtype = _like(input, dtype, "full_like")
    value = checked_fill(fill_value, np_dtype, "full_like")
    return _filled(value, input._data.shape, np_dtype, requires_grad, device)


# ---- ranges ---------------------------------------------------------------------------
def _fma(a, b, c):
    """``a * b + c`` rounded once, elementwise, as a fused multiply-add does.

    PyTorch's compiled range kernels use FMA instructions; NumPy has none. The
    product is split exactly into ``p + e`` (Dekker's two-product) and the sum
    ``p + c`` into ``s + t`` (Knuth's two-sum); ``s + (t + e)`` is then the fused
    result, so ``arange``/``linspace`` match PyTorch to the last bit.
    """
    a, b, c = np.broadcast_arrays(np.float64(a), np.asarray(b, np.float64), np.float64(c))
    p = a * b
    split = 134217729.0                      # 2**27 + 1
    ca, cb = split * a, split * b
    ah, bh = ca - (ca - a), cb - (cb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    s = p + c
    bb = s - p
    t = (p - (s - bb)) + (c - bb)
    return s + (t + e)


def _number(x, name, arg, position):
    if isinstance(x, TensorBase) and x._data.ndim == 0:
        x = x.item()
    if isinstance(x, np.generic):
        x = x.item()
    if not isinstance(x, (int, float)):
        raise TypeError(f"{name}(): argument '{arg}' (position {position}) must be Number, "
                        f"not {type_name(x)}")
    return x


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False,
           out=None, layout=None):
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``.

    Integer arguments give int64, any float gives the default float dtype.

    >>> import chainrule as torch
    >>> torch.arange(5, 0, -2)
    tensor([5, 3, 1])
    """
    if end is None:
        start, end = 0, start
        end = _number(end, "arange", "end", 1)
    start = _number(start, "arange", "start", 1)
    end = _number(end, "arange", "end", 2)
    step = _number(step, "arange", "step", 3)
    if dtype is None:
        any_float = any(isinstance(v, float) for v in (start, end, step))
        dtype = DEFAULTS.float if any_float else _dtype.int64
    np_dtype = _np_dtype(dtype, name="arange")
    if np_dtype.kind == "b":
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {_cpp_number(start)} -> {_cpp_number(end)}")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if np_dtype.kind == "f":
        n = math.ceil((end - start) / step)
        values = _fma(step, np.arange(n), start)
        vec = 32 // np_dtype.itemsize       # PyTorch fills 32-byte vectors from a base
        whole = n // (2 * vec) * 2 * vec
        if whole:
            base = values[:whole:vec].astype(np_dtype).astype(np.float64)
            values[:whole] = _fma(step, np.tile(np.arange(vec), whole // vec),
                                  np.repeat(base, vec))
        return _finish(values.astype(np_dtype), requires_grad, device)
    # integer dtypes compute with the arguments truncated to integers
    istart, iend, istep = int(start), int(end), int(step)
    if np_dtype == np.int64:
        if istep == 0:
            raise ValueError("step must be nonzero")
        sign = 1 if istep > 0 else -1
        n = max((iend - istart + istep - sign) // istep, 0)
    else:
        n = math.ceil((end - start) / step)
    values = istart + istep * np.arange(n, dtype=np.int64)
    return _finish(values.astype(np_dtype), requires_grad, device)


def _cpp_number(x):
    """A number as C++'s ``<<`` prints it in PyTorch's messages."""
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if x != x else ("inf" if x > 0 else "-inf")
    return "%g" % x


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None,
             layout=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    PyTorch fills the first half forwards from ``start`` and the second half
    backwards from ``end``, so both ends are exact; chainrule does the same.

    >>> import chainrule as torch
    >>> torch.linspace(0, 1, 5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start = _number(start, "linspace", "start", 1)
    end = _number(end, "linspace", "end", 2)
    if isinstance(steps, TensorBase):
        steps = steps.item()
    if not isinstance(steps, (int, np.integer)) or isinstance(steps, bool):
        raise TypeError(f"linspace(): argument 'steps' (position 3) must be int, not "
                        f"{type_name(steps)}")
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    np_dtype = _np_dtype(dtype, name="linspace")
    if np_dtype.kind == "b":
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    if np_dtype.kind == "f":
        first, last = np_dtype.type(start), np_dtype.type(end)
        step = float((last - first) / np_dtype.type(max(steps - 1, 1)))
    else:
        with np.errstate(over="ignore"):
            first = np.array(int(start)).astype(np_dtype)
            last = np.array(int(end)).astype(np_dtype)
        step = (float(last) - float(first)) / max(steps - 1, 1)
    i = np.arange(steps)
    values = np.where(i < steps // 2, _fma(step, i, float(first)),
                      _fma(-step, steps - i - 1, float(last)))
    if steps == 1:
        values[0] = float(first)
    with np.errstate(invalid="ignore"):
        return _finish(values.astype(np_dtype), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    """``base ** linspace(start, end, steps)``."""
    lin = linspace(start, end, steps, dtype=_dtype.float64)._data
    np_dtype = _np_dtype(dtype, name="logspace")
    return _finish(np.power(base, lin).astype(np_dtype), requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """The identity matrix (n x m).

    >>> import chainrule as torch
    >>> torch.eye(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    for arg, value in (("n", n), ("m", m)):
        if value is None:
            continue
        if not _is_index(value, strict=True):
            raise TypeError(f"eye(): argument '{arg}' (position 1) must be int, not "
                            f"{type_name(value)}")
        if int(value) < 0:
            raise RuntimeError(f"{arg} must be greater or equal to 0, got {int(value)}")
    n = int(n)
    m = n if m is None else int(m)
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype, name="eye")), requires_grad, device)


# ---- the legacy constructors: torch.Tensor(...), torch.FloatTensor(...) ------------------
def legacy_new(args, dtype, device=None, name="new"):
    """The data of ``torch.Tensor(*args)``: a size, a sequence, or another tensor."""
    if device is not None and _device(device).type != "cpu":
        raise RuntimeError(f"legacy constructor expects device type: cpu but device type: "
                           f"{_device(device).type} was passed")
    np_dtype = (dtype or DEFAULTS.float).numpy
    if not args:
        return np.zeros((0,), np_dtype)
    first = args[0]
    if len(args) == 1 and isinstance(first, TensorBase):
        if dtype is not None and first._data.dtype != np_dtype:
            raise TypeError(f"expected {_options(np_dtype)} (got "
                            f"{_options(first._data.dtype)})")
        return first._data
    if len(args) == 1 and not isinstance(first, Size) and not _is_index(first, strict=True):
        if isinstance(first, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type_name(first)}'")
        if not _is_sequence(first):
            raise TypeError(f"new(): data must be a sequence (got {type_name(first)})")
        if isinstance(first, np.ndarray):
            with np.errstate(over="ignore", invalid="ignore"):
                return first.astype(np_dtype)
        target = from_numpy_dtype(np.dtype(np_dtype))
        return python_data(first, target)
    return np.zeros(parse_size(args, name), np_dtype)


_OPTION_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                 "int64": "long int", "int32": "int", "int16": "short int",
                 "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}


def _options(np_dtype):
    return (f"TensorOptions(dtype={_OPTION_NAMES[np.dtype(np_dtype).name]}, device=cpu, "
            "layout=Strided, requires_grad=false (default), pinned_memory=false (default), "
            "memory_format=(nullopt))")


def _legacy_constructor(name, dtype):
    def construct(*args, device=None):
        return _make(legacy_new(args, dtype, device))
    construct.__name__ = construct.__qualname__ = name
    construct.__doc__ = (f"``torch.{name}(data)`` or ``torch.{name}(*size)``: a {dtype!r} "
                         "tensor.")
    construct.dtype = dtype               # so that ``x.type(torch.FloatTensor)`` works
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
