"""Random tensors, drawn exactly as PyTorch draws them.

Factories (``rand``, ``randn``, ``randint``, ``randperm``, ``normal``, ``bernoulli``,
``multinomial``, the ``*_like`` forms) and in-place fills (``uniform_``,
``normal_``, ``random_``, ``bernoulli_``, ``exponential_``). The numbers come from
``_generator.py``; this file is the PyTorch API around them: argument forms,
dtypes, error messages, and the *order* in which elements are filled.

Fill order. PyTorch fills a tensor by walking its memory in order: row by row for
a contiguous tensor, column by column for a transposed one:

>>> import chainrule as torch
>>> _ = torch.manual_seed(0)
>>> torch.rand(2, 2)
tensor([[0.4963, 0.7682],
        [0.0885, 0.1320]])
>>> _ = torch.manual_seed(0)
>>> torch.empty(2, 2).t().uniform_()
tensor([[0.4963, 0.0885],
        [0.7682, 0.1320]])

Gradients. Random outputs do not depend smoothly on their inputs; as in PyTorch,
ops on tensors that require grad are recorded with a zero gradient.
"""
import math

import numpy as np

from . import _generator as engine
from ._dtype import DEFAULTS, dtype as _dtype_class, from_numpy_dtype
from ._generator import Generator
from ._ops._util import check_inplace, graph_input, needs_graph, write_inplace
from ._size import device as _device
from ._tensor import _C_TYPE_NAMES as _C_NAMES, _SCALAR_TYPE_NAMES as _SCALAR_NAMES, Tensor
from .autograd.graph import Node


# ======================================================================= arguments

def _generator(generator, name):
    if generator is None:
        return engine.default_generator
    if not isinstance(generator, Generator):
        raise TypeError(f"{name}(): argument 'generator' must be torch.Generator, "
                        f"not {type(generator).__name__}")
    return generator


def _size(args, name, position=1, varargs=True):
    """``rand(2, 3)``, ``rand((2, 3))``, ``rand([2, 3])`` and ``rand(torch.Size(...))``.

    ``varargs=False`` for functions whose size is one tuple argument (``randint``).
    """
    if varargs and args:
        for d in args:                 # the common case, rand(2, 3): nothing to convert
            if type(d) is not int or d < 0:
                break
        else:
            return args
    if not args:
        raise TypeError(f"{name}() received an invalid combination of arguments - got (), but "
                        "expected one of:")
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        dims = args[0]
    elif (len(args) == 1 and not _is_int(args[0])) or not varargs:
        raise TypeError(f"{name}(): argument 'size' (position {position}) must be tuple of "
                        f"ints, not {type(args[0]).__name__}")
    else:
        dims = args
    for i, s in enumerate(dims):
        if not _is_int(s):
            if not varargs:
                raise TypeError(f"{name}(): argument 'size' (position {position}) must be tuple "
                                f"of ints, but found element of type {type(s).__name__} at "
                                f"pos {i}")
            raise TypeError(f"{name}(): argument 'size' failed to unpack the object at pos "
                            f"{i + 1} with error \"type must be tuple of ints,but got "
                            f"{type(s).__name__}\"")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {int(s)}: "
                               f"{[int(d) for d in dims]}")
    return tuple(int(d) for d in dims)


def _is_int(value):
    if isinstance(value, Tensor):
        return value._data.ndim == 0 and value._data.dtype.kind in "iu"
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _np_dtype(dtype, default):
    if dtype is None:
        return default.numpy
    if not isinstance(dtype, _dtype_class):
        raise TypeError(f"dtype must be a chainrule dtype, not {type(dtype).__name__}")
    return dtype.numpy


def _check_floating(np_dtype, kernel):
    if np_dtype.kind != "f":
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{_SCALAR_NAMES[np_dtype.name]}\'')


def _finish(data, requires_grad, device=None):
    """Wrap a fresh array as a tensor (``device`` is accepted, as by every factory)."""
    if device is None and not requires_grad:
        return Tensor._make(data)
    if device is not None:
        _device(device)
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        t._requires_grad = True
    return t


def _cpp(x):
    """A double as C++'s ``<<`` prints it in PyTorch's messages (6 significant digits)."""
    return "%g" % x


# ======================================================= zero-gradient graph nodes

class _RandomNode(Node):
    """A random op recorded in the graph: PyTorch sends every input a zero gradient."""

    def forward(self, *inputs, values):
        self._input_shapes = [x._data.shape if isinstance(x, Tensor) else None
                              for x in inputs]
        return values

    def backward(self, grad):
        return tuple(None if shape is None else Tensor._make(np.zeros(shape, grad._data.dtype))
                     for shape in self._input_shapes)


class UniformBackward0(_RandomNode):
    torch_name = "UniformBackward0"


class NormalBackward0(_RandomNode):
    torch_name = "NormalBackward0"


class NormalBackward1(_RandomNode):           # normal(Tensor mean, float std)
    torch_name = "NormalBackward1"


class NormalBackward2(_RandomNode):           # normal(float mean, Tensor std)
    torch_name = "NormalBackward2"


class NormalBackward3(_RandomNode):           # normal(Tensor mean, Tensor std)
    torch_name = "NormalBackward3"


class RandomBackward0(_RandomNode):           # random_(from, to)
    torch_name = "RandomBackward0"


class RandomBackward1(_RandomNode):           # random_(to)
    torch_name = "RandomBackward1"


class RandomBackward2(_RandomNode):           # random_()
    torch_name = "RandomBackward2"


class BernoulliBackward0(_RandomNode):        # bernoulli(p_tensor)
    torch_name = "BernoulliBackward0"


class BernoulliBackward1(_RandomNode):        # bernoulli_(p_tensor)
    torch_name = "BernoulliBackward1"


class BernoulliBackward2(_RandomNode):        # bernoulli_(float p)
    torch_name = "BernoulliBackward2"


class ExponentialBackward0(_RandomNode):
    torch_name = "ExponentialBackward0"


def _finish_fill(t, node_class, *other_inputs):
    """Close an in-place fill of ``t._data``: bump the version; record it if needed."""
    if needs_graph(t, *other_inputs):
        values = t._data.copy()
        return write_inplace(t, node_class.apply(graph_input(t), *other_inputs, values=values))
    t._version_counter[0] += 1
    return t


def _output(data, node_class, inputs):
    """A factory's result; recorded (zero gradient) when an input requires grad."""
    if needs_graph(*inputs):
        return node_class.apply(*inputs, values=data)
    return Tensor._make(data)


# ======================================================================= in-place

def uniform_(t, from_=0, to=1, *, generator=None):
    """Fill ``t`` with numbers uniform on [from, to), in place (``Tensor.uniform_``).

    float32: ``fma(u, to - from, from)`` in float32 with u = k / 2**24 (one 32-bit
    draw per element); float64 likewise with u = k / 2**53 (two draws).
    """
    arr = t._data
    _check_floating(arr.dtype, "check_uniform_bounds")
    info = np.finfo(arr.dtype)
    for name, value in (("from", from_), ("to", to)):
        if not info.min <= value <= info.max:
            raise RuntimeError(f"{name} is out of bounds for {_C_NAMES[arr.dtype.name]}")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_cpp(from_)} > to={_cpp(to)}")
    if to - from_ > info.max:
        raise RuntimeError(
            f"uniform_ expects to-from <= std::numeric_limits<{_SCALAR_NAMES[arr.dtype.name]}"
            f">::max(), but found to={_cpp(to)} and from={_cpp(from_)} which result in "
            "to-from to exceed the limit")
    check_inplace(t)
    gen = _generator(generator, "uniform_")
    engine.write_in_memory_order(arr, engine.uniform(gen, arr.size, arr.dtype, from_, to))
    return _finish_fill(t, UniformBackward0)


def normal_(t, mean=0, std=1, *, generator=None):
    """Fill ``t`` with normal numbers N(mean, std²), in place (``Tensor.normal_``).

    Box-Muller. Tensors of 16+ elements that are contiguous use PyTorch's block
    kernels; smaller or non-contiguous ones the one-at-a-time path whose spare
    value is cached in the generator (see ``_generator.normal``).
    """
    arr = t._data
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_cpp(std)}")
    _check_floating(arr.dtype, "normal_kernel_cpu")
    check_inplace(t)
    gen = _generator(generator, "normal_")
    values = engine.normal(gen, arr.size, arr.dtype, mean, std, arr.flags.c_contiguous)
    engine.write_in_memory_order(arr, values)
    return _finish_fill(t, NormalBackward0)


def exponential_(t, lambd=1, *, generator=None):
    """Fill ``t`` with Exp(λ) numbers, ``-log(1 - u) / λ``, in place.

    Computed in float64 (two 32-bit draws per element), then rounded to ``t``'s dtype.
    """
    arr = t._data
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_cpp(lambd)}")
    if arr.dtype.kind != "f":
        raise RuntimeError("Exponential distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified "
                           f"{_SCALAR_NAMES[arr.dtype.name]}")
    check_inplace(t)
    values = engine.exponential(_generator(generator, "exponential_"), arr.size, lambd)
    engine.write_in_memory_order(arr, values.astype(arr.dtype))
    return _finish_fill(t, ExponentialBackward0)


def bernoulli_(t, p=0.5, *, generator=None):
    """Fill ``t`` with 0/1 draws, 1 with probability ``p`` (a float or a tensor).

    Float p: ``u < p`` with u = k / 2**53 (two draws per element). Tensor p
    (broadcast to ``t``): float64 p as before; float32 p uses u = k / 2**24.
    """
    arr = t._data
    gen = _generator(generator, "bernoulli_")
    if isinstance(p, Tensor):
        # p is read in the order t is filled (t's memory order)
        axes = engine.memory_axes(arr)
        probs = np.broadcast_to(p._data, arr.shape).transpose(axes).ravel()
        _check_probabilities(probs)
        check_inplace(t)
        engine.write_in_memory_order(arr, engine.bernoulli_tensor(gen, probs).astype(arr.dtype))
        return _finish_fill(t, BernoulliBackward1, p)
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_cpp(p)}")
    check_inplace(t)
    engine.write_in_memory_order(arr, engine.bernoulli_scalar(gen, arr.size, p).astype(arr.dtype))
    return _finish_fill(t, BernoulliBackward2)


def _check_probabilities(probs):
    if probs.dtype.kind != "f":
        raise NotImplementedError('"bernoulli_tensor_cpu_p_" not implemented for '
                                  f"'{_SCALAR_NAMES[probs.dtype.name]}'")
    if not np.all((probs >= 0) & (probs <= 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")


_UNSET = object()


def random_(t, from_=_UNSET, to=_UNSET, *, generator=None):
    """Fill ``t`` with random integers, in place (``Tensor.random_``).

    ``random_(from, to)``: [from, to); ``random_(to)``: [0, to);
    ``random_(from, None)``: [from, largest value of the dtype];
    ``random_()``: [0, 2**63 - 1] for int64 (other dtypes: their max, or
    2**mantissa for floats). Values are ``from + draw % (to - from)``.
    """
    arr = t._data
    gen = _generator(generator, "random_")
    check_inplace(t)
    if from_ is _UNSET and to is _UNSET:
        engine.write_in_memory_order(arr, engine.random_bits(gen, arr.size, arr.dtype))
        return _finish_fill(t, RandomBackward2)
    node_class = RandomBackward0
    if to is _UNSET:                               # random_(to)
        from_, to, node_class = 0, from_, RandomBackward1
    elif from_ is _UNSET:
        from_ = 0
    values = _random_from_to(gen, arr, int(from_), None if to is None else int(to))
    engine.write_in_memory_order(arr, values)
    return _finish_fill(t, node_class)


def _random_from_to(gen, arr, low, high):
    """Values for ``random_(low, high)`` (``high=None``: up to the dtype's largest)."""
    if high is None and low == -2**63:
        if arr.dtype not in (np.int64, np.float64, np.float32):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only int64, "
                               "double, float and bfloat16")
        return engine.random_full_range(gen, arr.size).astype(arr.dtype)
    c_name = _C_NAMES[arr.dtype.name]
    digits = np.finfo(arr.dtype).nmant + 1 if arr.dtype.kind == "f" else None
    if high is None:
        if digits is not None:
            high_inclusive = 2**digits
            low = _update_from(low, arr.dtype, digits)
            if not low < high_inclusive:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than or equal to "
                    f"'to_inc' casted to dtype, but got from={low} > to_inc={high_inclusive}")
        else:
            high_inclusive = 1 if arr.dtype == np.bool_ else int(np.iinfo(arr.dtype).max)
    else:
        if not low < high:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={low} >= to={high}")
        if digits is not None:
            low, high = _update_from(low, arr.dtype, digits), _update_to(high, arr.dtype, digits)
            if not low < high:
                raise RuntimeError(
                    "random_ expects 'from' casted to dtype to be less than 'to' casted to "
                    f"dtype, but got from={low} >= to={high}")
        high_inclusive = high - 1
    _check_in_range(low, high_inclusive, arr.dtype, c_name, digits)
    span = high_inclusive - low + 1
    return engine.random_from_to(gen, arr.size, span, low).astype(arr.dtype)


def _check_in_range(low, high_inclusive, np_dtype, c_name, digits):
    """PyTorch's bounds check on [low, high_inclusive] for the output dtype."""
    if np_dtype == np.bool_:
        lowest, largest = 0, 1
    elif digits is None:
        lowest, largest = int(np.iinfo(np_dtype).min), int(np.iinfo(np_dtype).max)
    else:
        lowest, largest = float(np.finfo(np_dtype).min), float(np.finfo(np_dtype).max)
    for name, value in (("from", low), ("to - 1", high_inclusive)):
        if not lowest <= value <= largest:
            raise RuntimeError(f"{name} is out of bounds for {c_name}")
    if digits is not None:
        import warnings
        for name, value in (("from", low), ("to - 1", high_inclusive)):
            if not -2**digits <= value <= 2**digits:
                warnings.warn(
                    f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to precision "
                    f"limitations {c_name} can support discrete uniform distribution only "
                    "within this range. This warning will become an error in version 1.7 "
                    "release, please fix the code in advance", UserWarning, stacklevel=4)


def _update_from(low, np_dtype, digits):
    """PyTorch moves a ``from`` that rounds down in the float dtype up to a float value."""
    rounded = _through_float(low + 1, np_dtype)
    if rounded < low:
        n = max(abs(low + 1).bit_length() - 1, 0)
        low = rounded + (1 << (n - digits + 1))
    return low


def _update_to(high, np_dtype, digits):
    """... and a ``to`` that rounds up, down to one."""
    rounded = _through_float(high - 1, np_dtype)
    if rounded >= high:
        n = max(abs(high - 1).bit_length() - 1, 0)
        high = rounded - (1 << (n - digits + 1))
    return high


def _through_float(value, np_dtype):
    """int64 -> float dtype -> int64, each a C++ cast (one rounding, not via double)."""
    return int(np.array(value, dtype=np.int64).astype(np_dtype).astype(np.int64))


# ====================================================================== factories

_numel = math.prod
# For the quick routes of rand(3) and randn(3), looked up once here rather than per call.
_FLOAT32 = np.dtype(np.float32)
_make = Tensor._make
_small_standard_normal = engine.small_standard_normal
_small_unit_uniform32 = engine.small_unit_uniform32


def _plain(size, generator, dtype, device, requires_grad):
    """True for a call like ``randn(5)``: one size, an int, and no options."""
    return (len(size) == 1 and type(size[0]) is int and size[0] >= 0 and generator is None
            and dtype is None and device is None and not requires_grad)


def _shaped(values, shape):
    """``values`` (flat) reshaped, skipping NumPy's call when it is 1-D already."""
    return values if len(shape) == 1 else values.reshape(shape)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Numbers uniform on [0, 1): k / 2**24 from one 32-bit draw each (float64: k / 2**53).

    >>> import chainrule as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.rand(3)
    tensor([0.4963, 0.7682, 0.0885])
    """
    if len(size) == 1 and generator is None and dtype is None and device is None:
        # rand(n) and nothing else, the call of a loop: no option needs checking, and a
        # few values are sliced from u24 of the block made ahead (see _samplers.py).
        n = size[0]
        if type(n) is int and 0 < n <= 64 and not requires_grad:
            if DEFAULTS.float.numpy is _FLOAT32:
                values = _small_unit_uniform32(engine.default_generator, n)
                if values is not None:
                    return _make(values)
        if _plain(size, generator, dtype, device, requires_grad):
            return Tensor._make(
                engine.uniform(engine.default_generator, size[0], DEFAULTS.float.numpy))
    np_dtype = _np_dtype(dtype, DEFAULTS.float)
    _check_floating(np_dtype, "check_uniform_bounds")
    shape = _size(size, "rand")
    gen = _generator(generator, "rand")
    data = _shaped(engine.uniform(gen, _numel(shape), np_dtype), shape)
    return _finish(data, requires_grad, device)


def rand_like(input, *, generator=None, dtype=None, device=None, requires_grad=False,
              memory_format=None):
    """``rand`` with the shape (and memory layout) of ``input``."""
    np_dtype = _np_dtype(dtype, input.dtype)
    _check_floating(np_dtype, "check_uniform_bounds")
    data = engine.empty_like_layout(input._data, np_dtype)
    engine.write_in_memory_order(
        data, engine.uniform(_generator(generator, "rand_like"), data.size, np_dtype))
    return _finish(data, requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False):
    """Standard normal numbers N(0, 1), by Box-Muller (see ``_generator.normal``).

    >>> import chainrule as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.randn(2, 3)
    tensor([[ 1.5410, -0.2934, -2.1788],
            [ 0.5684, -1.0845, -1.3986]])
    """
    if len(size) == 1 and generator is None and dtype is None and device is None:
        # randn(n) and nothing else, the call of a loop: no option needs checking, and
        # n < 16 values are sliced from those made ahead (see _normal.py). Every other
        # call, bad ones included, takes the checked route below.
        n = size[0]
        if type(n) is int and 0 < n < 16 and not requires_grad:
            return _make(_small_standard_normal(engine.default_generator, n, DEFAULTS.float.numpy))
        if _plain(size, generator, dtype, device, requires_grad):
            return Tensor._make(
                engine.normal(engine.default_generator, size[0], DEFAULTS.float.numpy))
    np_dtype = _np_dtype(dtype, DEFAULTS.float)
    _check_floating(np_dtype, "normal_kernel_cpu")
    shape = _size(size, "randn")
    gen = _generator(generator, "randn")
    data = _shaped(engine.normal(gen, _numel(shape), np_dtype), shape)
    return _finish(data, requires_grad, device)


def randn_like(input, *, generator=None, dtype=None, device=None, requires_grad=False,
               memory_format=None):
    """``randn`` with the shape and layout of ``input``.

    A transposed ``input`` gives a transposed (non-contiguous) result, which PyTorch
    fills by its one-at-a-time path: the numbers differ from ``randn(input.shape)``.
    """
    np_dtype = _np_dtype(dtype, input.dtype)
    _check_floating(np_dtype, "normal_kernel_cpu")
    data = engine.empty_like_layout(input._data, np_dtype)
    gen = _generator(generator, "randn_like")
    values = engine.normal(gen, data.size, np_dtype, contiguous=data.flags.c_contiguous)
    engine.write_in_memory_order(data, values)
    return _finish(data, requires_grad, device)


def _int_arg(value, name, position, function):
    """An int argument with PyTorch's type and range errors."""
    if isinstance(value, Tensor):
        value = value.item()
    if isinstance(value, float) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{function}(): argument '{name}' (position {position}) must be int, "
                        f"not {type(value).__name__}")
    value = int(value)
    if not -2**63 <= value < 2**63:
        raise ValueError("Overflow when unpacking long long")
    return value


def _randint_bounds(low, high, size, function):
    """``(high, size)`` or ``(low, high, size)``, as PyTorch's overloads read them."""
    if size is None:                             # randint(10, (3,))
        if not _is_int(low):
            raise TypeError(f"{function}(): argument 'high' (position 1) must be int, "
                            f"not {type(low).__name__}")
        return 0, _int_arg(low, "high", 1, function), high
    if high is None:                             # randint(10, size=(3,))
        return 0, _int_arg(low, "high", 1, function), size
    return _int_arg(low, "low", 1, function), _int_arg(high, "high", 2, function), size


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Integers uniform on [low, high): ``low + draw % (high - low)`` (int64 by default).

    ``randint(high, size)`` or ``randint(low, high, size)``; ``size`` is a tuple. One
    32-bit draw per element, or a 64-bit one when high - low >= 2**28.

    >>> import chainrule as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.randint(10, (5,))
    tensor([4, 9, 3, 0, 3])
    """
    low, high, size = _randint_bounds(low, high, size, "randint")
    data = np.empty(_size((size,), "randint", 2, varargs=False), _np_dtype(dtype, _INT64))
    gen = _generator(generator, "randint")
    data[...] = _random_from_to(gen, data, low, high).reshape(data.shape)
    return _finish(data, requires_grad, device)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, device=None,
                 requires_grad=False, memory_format=None):
    """``randint`` with the shape, layout and dtype of ``input``."""
    if high is None:
        low, high = 0, low
    low, high = _int_arg(low, "low", 2, "randint_like"), _int_arg(high, "high", 3, "randint_like")
    data = engine.empty_like_layout(input._data, _np_dtype(dtype, input.dtype))
    gen = _generator(generator, "randint_like")
    engine.write_in_memory_order(data, _random_from_to(gen, data, low, high))
    return _finish(data, requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0 .. n-1 (int64), shuffled as PyTorch shuffles.

    >>> import chainrule as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.randperm(5)
    tensor([4, 0, 1, 3, 2])
    """
    n = _int_arg(n, "n", 1, "randperm")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    np_dtype = _np_dtype(dtype, _INT64)
    if np_dtype.kind == "f" and n > 2**(np.finfo(np_dtype).nmant + 1) + 1:
        raise RuntimeError(f"n cannot be greater than {2**(np.finfo(np_dtype).nmant + 1) + 1} "
                           f"for {_SCALAR_NAMES[np_dtype.name]} type.")
    if np_dtype.kind in "iu" and n - 1 > np.iinfo(np_dtype).max:
        raise RuntimeError(f"value cannot be converted to type {np_dtype.name}_t without "
                           "overflow")
    data = engine.randperm(_generator(generator, "randperm"), n).astype(np_dtype)
    return _finish(data, requires_grad, device)


def normal(mean, std=1.0, size=None, *, generator=None, dtype=None, device=None,
           requires_grad=False):
    """Normal numbers with the given mean and standard deviation.

    ``normal(mean, std, size)`` with floats is ``empty(size).normal_(mean, std)``.
    With a tensor ``mean`` and/or ``std`` (broadcast together), PyTorch draws
    z ~ N(0, 1) for the output and computes ``z * std + mean`` (two roundings; for
    a tensor mean and a float std, ``normal_(0, std)`` then ``+ mean``).
    """
    gen = _generator(generator, "normal")
    if not isinstance(mean, Tensor) and not isinstance(std, Tensor):
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments: "
                            "floats mean and std need a size")
        np_dtype = _np_dtype(dtype, DEFAULTS.float)
        out = Tensor._make(np.empty(_size((size,), "normal", 3, varargs=False), np_dtype))
        normal_(out, mean, std, generator=gen)
        return _finish(out._data, requires_grad, device)
    if isinstance(std, Tensor):
        if std._data.size and not np.all(std._data >= 0):
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_cpp(std)}")
    if isinstance(mean, Tensor):
        shape = np.broadcast_shapes(mean._data.shape, getattr(std, "shape", ()))
        np_dtype = mean._data.dtype
    else:
        shape, np_dtype = std._data.shape, std._data.dtype
    _check_floating(np_dtype, "normal_kernel_cpu")
    n = _numel(shape)
    if isinstance(mean, Tensor) and not isinstance(std, Tensor):
        z = engine.normal(gen, n, np_dtype, 0.0, std).reshape(shape)
        values = (z + mean._data).astype(np_dtype)
        return _output(values, NormalBackward1, (mean,))
    z = engine.normal(gen, n, np_dtype).reshape(shape)
    scaled = (z * std._data).astype(np_dtype)           # out.mul_(std) ...
    if isinstance(mean, Tensor):
        return _output((scaled + mean._data).astype(np_dtype), NormalBackward3, (mean, std))
    return _output(scaled + np_dtype.type(mean), NormalBackward2, (std,))   # ... .add_(mean)


def bernoulli(input, p=None, *, generator=None):
    """0/1 draws shaped like ``input``: 1 with probability ``input`` (or ``p``).

    >>> import chainrule as torch
    >>> _ = torch.manual_seed(0)
    >>> torch.bernoulli(torch.tensor([0.2, 0.5, 0.9]))
    tensor([0., 0., 1.])
    """
    gen = _generator(generator, "bernoulli")
    arr = input._data
    if p is None:
        _check_probabilities(arr)
        values = engine.bernoulli_tensor(gen, arr).astype(arr.dtype).reshape(arr.shape)
        return _output(values, BernoulliBackward0, (input,))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_cpp(p)}")
    # Not recorded: PyTorch records a node whose backward raises "not implemented".
    return Tensor._make(engine.bernoulli_scalar(gen, arr.size, p).astype(arr.dtype)
                        .reshape(arr.shape))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    """Indices of categories sampled with probabilities proportional to ``input``'s rows.

    ``input`` is 1-D (one distribution) or 2-D (one per row); the result is int64
    of shape ``(num_samples,)`` or ``(rows, num_samples)``. See
    ``_generator.multinomial`` for the two algorithms.
    """
    arr = input._data
    if arr.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if arr.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_SCALAR_NAMES[arr.dtype.name]}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    if not replacement and num_samples > arr.shape[-1]:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if arr.shape[-1] > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    probs = arr if arr.ndim == 2 else arr[None, :]
    if not replacement or num_samples == 1:
        if not (np.all(probs >= 0) and np.all(probs < np.inf)):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    else:
        negative, infinite = ~(probs >= 0), ~np.isfinite(probs)
        first_bad = np.argmax((negative | infinite).ravel())
        if negative.ravel()[first_bad]:
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        if infinite.ravel()[first_bad]:
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry = infinity or NaN)")
    if np.any(probs.sum(axis=1) == 0):
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    gen = _generator(generator, "multinomial")
    samples = engine.multinomial(gen, probs, int(num_samples), replacement)
    return Tensor._make(samples if arr.ndim == 2 else samples[0])


def dropout_mask(input, p, generator=None):
    """The noise PyTorch's CPU dropout multiplies by: 0 or ``1 / (1 - p)``, like ``input``.

    ``empty_like(input).bernoulli_(1 - p)`` (two 32-bit draws per element, in
    ``input``'s memory order), divided by ``1 - p`` in ``input``'s dtype. Callers
    handle ``p == 0``, ``p == 1`` and eval mode, which draw nothing.
    """
    noise = engine.empty_like_layout(input._data, input._data.dtype)
    engine.write_in_memory_order(
        noise, engine.dropout_mask(_generator(generator, "dropout"), noise.size, p, noise.dtype))
    return Tensor._make(noise)


_INT64 = from_numpy_dtype(np.dtype(np.int64))
