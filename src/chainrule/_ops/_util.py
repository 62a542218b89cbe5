"""Helpers shared by the op families: operand promotion, in-place writes, errors."""
import sys
import warnings

import numpy as np

from .._dtype import DEFAULTS, result_type, from_numpy_dtype
from .._tensor import TensorBase
from ..autograd import grad_mode, views

_STATE = grad_mode.STATE
_make = TensorBase._make


def as_tensor_arg(x, like=None):
    """A Tensor for an op argument that may be a Python number or a NumPy value."""
    if isinstance(x, TensorBase):
        return x
    if isinstance(x, np.ndarray):
        return _make(x)
    if isinstance(x, np.generic):
        x = x.item()
    if isinstance(x, bool):
        return _make(np.array(x))
    if isinstance(x, int):
        return _make(np.array(x, np.int64))
    if isinstance(x, float):
        return _make(np.array(x, DEFAULTS.float.numpy))
    from .._factories import tensor
    return tensor(x)


def to_scalar(x):
    """A Python number from a NumPy scalar (they behave as Python scalars in ops)."""
    return x.item() if isinstance(x, np.generic) else x


def promote(a, b):
    """The NumPy operands of an elementwise op between ``a`` and ``b``.

    One of them is a Tensor; the other a Tensor or a Python number. Tensors are
    cast to PyTorch's result dtype; a Python number stays a Python number, which
    NumPy treats as 'weak' (it takes the tensor's dtype), as PyTorch does.
    """
    if isinstance(a, TensorBase):
        x = a._data
        if b.__class__ is float and x.dtype.kind == "f":      # the hot case: w * 2.0
            return x, b
        if isinstance(b, TensorBase):
            y = b._data
            if x.dtype is y.dtype or x.dtype == y.dtype:
                return x, y
            dt = result_type(a, b).numpy
            return x.astype(dt, copy=False), y.astype(dt, copy=False)
        s = to_scalar(b)
        x = _with_scalar(x, s)
        return x, _wrapped(s, x)
    b_data = b._data
    a = to_scalar(a)
    b_data = _with_scalar(b_data, a)
    return _wrapped(a, b_data), b_data


def _wrapped(s, x):
    """An integer ``s`` out of the range of ``x``'s integer dtype wraps around, as it does
    in PyTorch (``uint8 tensor + -1`` adds 255); NumPy would refuse it."""
    if x.dtype.kind in "iu" and s.__class__ is int and not 0 <= s <= 127:
        return np.array(s).astype(x.dtype)
    return s


def _with_scalar(x, s):
    """Cast array ``x`` when a Python scalar ``s`` is of a higher category."""
    if not isinstance(s, (bool, int, float, np.number, np.bool_)):     # a list, a str...
        raise TypeError(f"unsupported operand type: {type(s).__name__}")
    kind = x.dtype.kind
    if kind == "f":
        return x
    if isinstance(s, float):
        return x.astype(DEFAULTS.float.numpy)
    if kind == "b" and isinstance(s, int) and not isinstance(s, bool):
        return x.astype(np.int64)
    return x


def float_operands(a, b):
    """Operands of true division: integers become the default float dtype."""
    x, y = promote(a, b)
    for v in (x, y):
        if isinstance(v, np.ndarray) and v.dtype.kind != "f":
            # a Python number keeps its value (not wrapped into an integer dtype)
            dt = DEFAULTS.float.numpy
            x = x.astype(dt) if isinstance(a, TensorBase) else to_scalar(a)
            y = y.astype(dt) if isinstance(b, TensorBase) else to_scalar(b)
            break
    return x, y


def binary(x, y, ufunc, a, b):
    """``ufunc(x, y)``, with PyTorch's error for operands that do not broadcast."""
    try:
        return ufunc(x, y)
    except ValueError:
        raise broadcast_error(shape_of(a), shape_of(b)) from None


def refuse_bool(kernel, *operands):
    """PyTorch has no bool kernel for this op (after promotion, every operand is bool)."""
    if all(isinstance(v, bool) or getattr(v, "dtype", None) == np.bool_ for v in operands):
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


def broadcast_error(*shapes):
    """PyTorch's message for shapes that do not broadcast.

    PyTorch broadcasts the shapes from left to right, so "tensor a" is what the
    shapes before the failing one broadcast to, and "tensor b" the failing one.
    """
    a = tuple(shapes[0])
    for b in shapes[1:]:
        n = max(len(a), len(b))
        a = (1,) * (n - len(a)) + tuple(a)
        b = (1,) * (n - len(b)) + tuple(b)
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                return RuntimeError(f"The size of tensor a ({a[i]}) must match the size of "
                                    f"tensor b ({b[i]}) at non-singleton dimension {i}")
        a = tuple(max(x, y) if min(x, y) != 0 else 0 for x, y in zip(a, b))
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast")


def shape_of(x):
    return x._data.shape if isinstance(x, TensorBase) else ()


def check_inplace(t, through_view=False, overlap_ok=False):
    """PyTorch refuses in-place changes to leaves that require grad, and to their views
    (``through_view``: the op writes through a view, as ``x[0] = 1`` does); and, unless
    ``overlap_ok`` (``fill_``, ``zero_``), writes into an expanded tensor, whose
    elements share memory (NumPy marks such arrays read-only)."""
    if _STATE.enabled:                  # autograd's checks come first, as in PyTorch
        view = t._view
        if view is not None and view[2] != "default" and view[0]._requires_grad:
            views.check_rebase(t)           # a no_grad-made or multi-output view refuses
        base = t._base
        if t._requires_grad and t.grad_fn is None and not through_view and base is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an "
                               "in-place operation.")
        if t._requires_grad and (base is not None and base._requires_grad
                                 and base.grad_fn is None or through_view and t.grad_fn is None):
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                               "an in-place operation.")
    if not overlap_ok and not t._data.flags.writeable and overlaps(t._data):
        raise overlap_error()


def check_no_partial_overlap(t, inputs):
    """PyTorch refuses an in-place op on ``t`` when an input shares part, but not all,
    of ``t``'s memory (``x[1:].add_(x[:-1])``: the result would depend on the order the
    elements are written in). The same memory exactly (``x.add_(x)``) is fine; so are
    layouts too irregular to tell (``x[::2]``), as in PyTorch."""
    for v in inputs:
        if isinstance(v, TensorBase) and v._version_counter is t._version_counter:
            a, b = t._data, v._data
            if a.shape == b.shape and a.strides == b.strides and \
                    a.__array_interface__["data"][0] == b.__array_interface__["data"][0]:
                continue
            if _dense(a) and _dense(b) and np.may_share_memory(a, b):
                raise RuntimeError(
                    "unsupported operation: some elements of the input tensor and the "
                    "written-to tensor refer to a single memory location. Please clone() the "
                    "tensor before performing the operation.")


def _dense(a):
    """Whether ``a``'s elements fill a block of memory, each once, in some order of dims."""
    step = a.itemsize
    for stride, n in sorted((stride, n) for n, stride in zip(a.shape, a.strides) if n != 1):
        if stride != step:
            return False
        step *= n
    return True


def needs_graph(*tensors):
    """True when an op on these arguments is recorded."""
    if not _STATE.enabled:
        return False
    for t in tensors:
        if isinstance(t, TensorBase) and (t._requires_grad or t._view is not None
                                          and t._view[0]._requires_grad):
            return True     # (a view whose base joined the graph since: views.py)
    return False


def write_inplace(t, result):
    """Finish an in-place op: store ``result`` (computed out of place) into ``t``.

    The values are written into ``t``'s own array (so views and ``.data`` see
    them), the version counter is bumped, and when the op was recorded ``t``
    takes over the result's place in the graph.
    """
    data = result._data
    if data.dtype != t._data.dtype and not np.can_cast(data.dtype, t._data.dtype, "same_kind"):
        raise RuntimeError(
            f"result type {_SCALAR[data.dtype.name]} can't be cast to the desired output "
            f"type {_SCALAR[t._data.dtype.name]}")
    if data.shape != t._data.shape:
        try:
            np.broadcast_to(data, t._data.shape)
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(t._data.shape)} doesn't match the broadcast shape "
                f"{list(np.broadcast_shapes(data.shape, t._data.shape))}") from None
    fn = result._grad_fn
    if fn is not None and t._view is not None:
        views.check_rebase(t)               # no_grad-made and multi-output views refuse
    try:
        t._data[...] = data
    except ValueError:
        if overlaps(t._data):
            raise overlap_error() from None
        if t._data.flags.writeable or t._view is None:
            raise
        write_shared(t, data)                   # one element of an expanded tensor
    t._version_counter[0] += 1
    if fn is not None:
        if t._view is not None:
            views.rebase(t, result)         # the base's graph changes too (CopySlices)
        else:
            t._grad_fn = fn
            t._output_nr = result._output_nr
            t._requires_grad = True
        if fn._result_data is not None:     # backward reuses the output (sigmoid_): it
            fn._result_version = t._version_counter     # is t now, at this version
            fn._result_expected = t._version_counter[0]
    return t


def inplace(t, op, *args, **kwargs):
    """Run ``op`` out of place and write its result into ``t`` (see ``write_inplace``)."""
    check_inplace(t)
    check_no_partial_overlap(t, args)
    if needs_graph(t, *args):
        return write_inplace(t, op(graph_input(t), *args, **kwargs))
    return write_inplace(t, op(t, *args, **kwargs))


def overlap_error():
    return RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a "
        "single memory location. Please clone() the tensor before performing the operation.")


def write_shared(t, values, where=None):
    """Write ``values`` into ``t``, a view NumPy keeps read-only because its base was
    expanded (``e = b.expand(3, 2)``; ``e.fill_(1)``, ``e[0, 1] = 5``): through its base,
    into the memory ``t``'s elements occupy; only where the boolean array ``where`` is
    set, if given."""
    from ..autograd.views import _positions
    base = t._view[0]._data
    positions = _positions(t._data, base)._data
    values = np.broadcast_to(values, t._data.shape).ravel()
    if where is not None:
        where = np.broadcast_to(where, t._data.shape).ravel()
        positions, values = positions[where], values[where]
    base.flat[positions] = values


def overlaps(a):
    """True when two elements of ``a`` share memory (an expanded tensor's zero strides)."""
    return any(stride == 0 and n > 1 for n, stride in zip(a.shape, a.strides))


def graph_input(t):
    """The value ``t`` had before an in-place op, as a graph input.

    Its values are copied, because the op is about to overwrite ``t``'s array
    and backward may need the old values.
    """
    old = _make(t._data.copy(), t.grad_fn, t._output_nr)
    old._requires_grad = t._requires_grad
    return old


_SCALAR = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}
# the C++ type names some of PyTorch's messages print
C_NAMES = {"float64": "double", "float32": "float", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}


def dtype_of_array(x):
    return from_numpy_dtype(x.dtype)


_WARNED = set()


def user_warning(message, once=False):
    """Warn as PyTorch does, at the user's line: the first caller outside chainrule.

    ``once``: only the first time in the program, as PyTorch's TORCH_WARN_ONCE.
    """
    if once:
        if message in _WARNED:
            return
        _WARNED.add(message)
    frame, level = sys._getframe(1), 2       # stacklevel 2 is user_warning's caller
    while frame is not None and frame.f_globals.get("__name__", "").startswith("chainrule."):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)
