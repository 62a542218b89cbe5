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
        idx = _stable_argsort(x, dim, descending).astype(np.int64)
        if k is not None:
            idx = np.take(idx, np.arange(k), axis=dim)
        self.idx = idx
        return np.take_along_axis(x, idx, dim), idx

    def backward(self, grad, _indices_grad=None):
        return _scatter_back(grad, self.in_shape, self.dim, self.idx, keepdim=True)


def _stable_argsort(x, dim, descending):
    """The indices that sort ``x`` along ``dim``. As in PyTorch, equal values keep their
    order and NaN counts as the largest value (last going up, first going down).

    NumPy's stable argsort already puts NaN last. For descending order, sort the reversed
    array going up and reverse the result: ``[a, NaN, b]`` becomes ``[b, NaN, a]``, sorted
    ``[b, a, NaN]``, read backwards ``[NaN, a, b]``; ties come out in their first order.
    (Negating the values instead would leave NaN last and overflow the smallest integer.)
    """
    if not descending:
        return np.argsort(x, axis=dim, kind="stable")
    up = np.argsort(np.flip(x, dim), axis=dim, kind="stable")
    return x.shape[dim] - 1 - np.flip(up, dim)


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
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    NaN counts as the largest value. Where values tie, chainrule keeps their first order;
    PyTorch's order among ties comes from its C++ selection algorithm and may differ.
    """
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
