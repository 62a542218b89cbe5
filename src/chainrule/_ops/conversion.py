"""Conversions and copies: to(dtype), clone, contiguous, copy_, fill_, zero_."""
import numpy as np

from ..autograd.graph import Node
from .. import _dtype
from .._dtype import from_numpy_dtype
from .._size import device as _device
from .._tensor import TensorBase
from ._util import (as_tensor_arg, check_inplace, check_no_partial_overlap, write_shared,
                    graph_input, needs_graph, write_inplace)

_make = TensorBase._make


class ToCopy(Node):
    """y = x converted to another dtype;   dL/dx = dL/dy converted back."""
    torch_name = "ToCopyBackward0"

    def forward(self, a, dtype):
        self.in_dtype = from_numpy_dtype(a._data.dtype)
        return a._data.astype(dtype.numpy)

    def backward(self, grad):
        return grad.to(self.in_dtype)


class Clone(Node):
    """y = a copy of x (in x's memory layout, or a contiguous one);   dL/dx = dL/dy."""
    torch_name = "CloneBackward0"

    def forward(self, a, contiguous=False):
        return np.array(a._data, order="C" if contiguous else "K", copy=True)

    def backward(self, grad):
        return grad


class Copy(Node):
    """x.copy_(src): the values of src, in x's dtype and shape;   dL/dsrc = dL/dx."""
    torch_name = "CopyBackwards"

    def forward(self, a, src):
        try:
            return np.broadcast_to(src._data, a._data.shape).astype(a._data.dtype)
        except ValueError:
            raise RuntimeError(
                f"The size of tensor a ({a._data.shape[-1] if a._data.ndim else 1}) must match "
                f"the size of tensor b ({src._data.shape[-1] if src._data.ndim else 1}) at "
                f"non-singleton dimension {max(a._data.ndim - 1, 0)}") from None

    def backward(self, grad):
        return _zeros_like(grad), grad

    def name(self):
        return "torch::autograd::CopyBackwards"     # a node PyTorch defines in C++


def _zeros_like(t):
    """A gradient of zeros (+0., where ``grad * 0`` would carry grad's sign)."""
    return _make(np.zeros_like(t._data))


class Fill(Node):
    """Every element set to a value;   no gradient reaches the old values
    (FillBackward3 when the value is a tensor, which gets the summed gradient)."""
    torch_name = "FillBackward2"

    def forward(self, a, value):
        v = value._data if isinstance(value, TensorBase) else value
        if isinstance(value, TensorBase):
            if value._data.ndim:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got "
                                   f"tensor with {value._data.ndim} dimensions.")
            self.torch_name = "FillBackward3"
        return np.full(a._data.shape, v, a._data.dtype)

    def backward(self, grad):
        return _zeros_like(grad), (grad.sum() if self.needs_input_grad(1) else None)


def _parse_to(args, kwargs):
    """(dtype or None) from the many forms of ``Tensor.to``."""
    dtype = kwargs.get("dtype")
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, TensorBase):
            dtype = a.dtype
        elif isinstance(a, (str, _device)):
            _device(a)                          # validates the name; chainrule stays on CPU
        elif a is not None and not isinstance(a, bool):
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({type(a).__name__})")
    if "device" in kwargs and kwargs["device"] is not None:
        _device(kwargs["device"])
    return dtype


def to(tensor, *args, **kwargs):
    dtype = _parse_to(args, kwargs)
    if dtype is None or dtype.numpy == tensor._data.dtype:
        return tensor.clone() if kwargs.get("copy") else tensor
    return ToCopy.apply(tensor, dtype=dtype)


def clone(input, *, memory_format=None):
    """A copy with its own memory, still connected to the graph."""
    return Clone.apply(input)


def view_dtype(tensor, dtype):
    raise NotImplementedError("chainrule does not provide Tensor.view(dtype)")


class ConversionMethods:
    """The copy and fill methods of ``Tensor``."""
    __slots__ = ()

    def clone(self, *, memory_format=None):
        return Clone.apply(self)

    def contiguous(self, memory_format=None):
        if self._data.flags.c_contiguous:
            return self
        return Clone.apply(self, contiguous=True)

    def type_as(self, other):
        return to(self, other.dtype)

    def copy_(self, src, non_blocking=False):
        """Copy the values of ``src`` into this tensor (broadcasting, converting dtype)."""
        if isinstance(src, (bool, int, float)):
            src = as_tensor_arg(src)
        if not isinstance(src, TensorBase):
            kind = type(src)
            name = kind.__name__ if kind.__module__ == "builtins" else \
                f"{kind.__module__}.{kind.__name__}"
            raise TypeError(f"copy_(): argument 'other' (position 1) must be Tensor, not {name}")
        check_inplace(self)
        check_no_partial_overlap(self, (src,))
        if needs_graph(self, src):
            return write_inplace(self, Copy.apply(graph_input(self), src))
        try:
            np.copyto(self._data, np.broadcast_to(src._data, self._data.shape),
                      casting="unsafe")
        except ValueError:
            Copy.apply(self, src)                    # raises PyTorch's message for shapes
            write_shared(self, src._data.astype(self._data.dtype))   # or: read-only view
        self._version_counter[0] += 1
        return self

    def fill_(self, value):
        """Set every element to ``value``."""
        check_inplace(self, overlap_ok=True)
        if needs_graph(self, value):
            return write_inplace(self, Fill.apply(graph_input(self), value))
        value = value._data if isinstance(value, TensorBase) else value
        if self._data.flags.writeable or self._view is None:
            self._data[...] = value
        else:                       # expanded: one value for all, as PyTorch allows
            write_shared(self, value)
        self._version_counter[0] += 1
        return self

    def zero_(self):
        """Set every element to 0 (how a hand-written loop clears ``w.grad``)."""
        check_inplace(self, overlap_ok=True)
        if needs_graph(self):
            result = write_inplace(self, Fill.apply(graph_input(self), 0))
            self.grad_fn.torch_name = "ZeroBackward0"
            return result
        if self._data.flags.writeable or self._view is None:
            self._data.fill(0)
        else:                       # expanded (see fill_)
            write_shared(self, 0)
        self._version_counter[0] += 1
        return self
