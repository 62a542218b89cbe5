"""Sorting: sort, argsort, topk. The values' gradient goes back to where each value
came from (the indices), like a gather in reverse."""
import numpy as np

from .. import return_types
from ..autograd.graph import Node
from .._tensor import TensorBase
from .reduction import _scatter_back

_make = TensorBase._make


class SortLike(Node):
    """(values, indices) picked along ``dim``;   dL/dx puts dL/dvalues back at indices."""
    torch_name = "SortBackward0"
    num_outputs = 2
    non_differentiable = (1,)

    def forward(self, a, dim, descending=False, k=None, name="SortBackward0"):
        x = a._data
        self.torch_name = name
        self.in_shape, self.dim = x.shape, dim
        if x.ndim == 0:
            self.idx = None
            return x.copy(), np.zeros((), np.int64)
        # stable sort; for descending order sort the negated keys so ties keep their order
        keys = x
        if descending:
            keys = -x.astype(np.float64) if x.dtype.kind != "b" else ~x
        idx = np.argsort(keys, axis=dim, kind="stable").astype(np.int64)
        if k is not None:
            idx = np.take(idx, np.arange(k), axis=dim)
        self.idx = idx
        return np.take_along_axis(x, idx, dim), idx

    def backward(self, grad, _indices_grad=None):
        return _scatter_back(grad, self.in_shape, self.dim, self.idx, keepdim=True)


def sort(input, dim=-1, descending=False, *, stable=None):
    """Sorted values along ``dim`` and the indices they came from.

    chainrule's sort is always stable: equal values keep their order. (PyTorch
    records ``stable=...`` calls as SortBackward1, so chainrule does too.)
    """
    name = "SortBackward0" if stable is None else "SortBackward1"
    values, indices = SortLike.apply(input, dim=input._wrap_dim(dim), descending=descending,
                                     name=name)
    return return_types.sort(values, indices)


def argsort(input, dim=-1, descending=False, stable=False):
    return sort(input, dim, descending).indices


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices."""
    dim = input._wrap_dim(dim)
    size = input._data.shape[dim] if input._data.ndim else 1
    if k > size or k < 0:
        raise RuntimeError("selected index k out of range")
    values, indices = SortLike.apply(input, dim=dim, descending=largest, k=k,
                                     name="TopkBackward0")
    return return_types.topk(values, indices)


class SortingMethods:
    """The sorting methods of ``Tensor``."""
    __slots__ = ()

    def sort(self, dim=-1, descending=False, *, stable=None):
        return sort(self, dim, descending, stable=stable)

    def argsort(self, dim=-1, descending=False, stable=False):
        return argsort(self, dim, descending, stable)

    def topk(self, k, dim=-1, largest=True, sorted=True):
        return topk(self, k, dim, largest, sorted)
