"""Joining and splitting: cat, stack, split, chunk, unbind.

``cat`` and ``split`` undo each other, and so do their gradients: the gradient
of a ``cat`` is split back into pieces, the gradient of a ``split`` is
concatenated back (with zeros for pieces that were not used).
"""
import numpy as np

from ..autograd.graph import Node
from .._dtype import result_type
from .._tensor import TensorBase
from ._args import expect

_make = TensorBase._make


def _check_tensors(name, tensors):
    if not isinstance(tensors, (tuple, list)):
        expect(name, ("tensors", "tuple of Tensors", tensors))
    tensors = list(tensors)
    if not tensors:
        if name == "stack":
            raise RuntimeError("stack expects a non-empty TensorList")
        raise ValueError(f"torch.{name}(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, TensorBase):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(t).__name__}")
    return tensors


class Cat(Node):
    """Concatenate along ``dim``;   each input's gradient is its slice of the gradient."""
    torch_name = "CatBackward0"

    def forward(self, *tensors, dim=0):
        dt = result_type(*tensors).numpy
        arrays = [t._data for t in tensors]
        # PyTorch still accepts (and skips) legacy empty 1-D tensors in cat
        kept = [a for a in arrays if not (a.ndim == 1 and a.shape[0] == 0)] or arrays[:1]
        ref = kept[0]
        if ref.ndim == 0:
            raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
        for i, a in enumerate(arrays):
            if a.ndim == 1 and a.shape[0] == 0 and ref.ndim != 1:
                continue
            if a.ndim != ref.ndim:
                raise RuntimeError(
                    f"Tensors must have same number of dimensions: got {ref.ndim} and {a.ndim}")
            for d in range(ref.ndim):
                if d != dim and a.shape[d] != ref.shape[d]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {dim}. Expected size "
                        f"{ref.shape[d]} but got size {a.shape[d]} for tensor number {i} in "
                        "the list.")
        self.sizes = [a.shape[dim] if a.ndim == ref.ndim else 0 for a in arrays]
        self.dim = dim
        return np.concatenate([a.astype(dt, copy=False) for a in kept], axis=dim)

    def backward(self, grad):
        grads, start = [], 0
        for n in self.sizes:
            grads.append(grad.narrow(self.dim, start, n))
            start += n
        return tuple(grads)


class Stack(Node):
    """Stack along a new dimension;   each input's gradient is its slice, squeezed."""
    torch_name = "StackBackward0"

    def forward(self, *tensors, dim=0):
        shape = tensors[0]._data.shape
        for i, t in enumerate(tensors):
            if t._data.shape != shape:
                raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                                   f"{list(shape)} at entry 0 and {list(t._data.shape)} at "
                                   f"entry {i}")
        dt = result_type(*tensors).numpy
        self.dim = dim
        return np.stack([t._data.astype(dt, copy=False) for t in tensors], axis=dim)

    def backward(self, grad):
        return tuple(grad.unbind(self.dim))


class Split(Node):
    """Pieces of ``sizes`` along ``dim`` (views);   the gradient is their concatenation."""
    torch_name = "SplitBackward0"
    is_view = True

    def forward(self, a, sizes, dim, name="SplitBackward0"):
        self.torch_name = name
        self.num_outputs = len(sizes)
        self.dim = dim
        self.dtype = a._data.dtype
        bounds = np.cumsum(sizes)[:-1]
        return tuple(np.split(a._data, bounds, axis=dim))

    def backward(self, *grads):
        from .shape import narrow  # noqa: F401  (grads were materialized by the engine)
        return cat(list(grads), self.dim)


class Unbind(Node):
    """Every slice along ``dim`` (views);   the gradient is their stack."""
    torch_name = "UnbindBackward0"
    is_view = True

    def forward(self, a, dim):
        x = a._data
        self.num_outputs = x.shape[dim]
        self.dim = dim
        index = [slice(None)] * x.ndim
        pieces = []
        for i in range(x.shape[dim]):
            index[dim] = i
            pieces.append(x[tuple(index) + (Ellipsis,)])    # (...: a 0-d view, not a copy)
        return tuple(pieces)

    def backward(self, *grads):
        return stack(list(grads), self.dim)


# ---- the functions users call -----------------------------------------------
def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dimension."""
    tensors = _check_tensors("cat", tensors)
    ref = next((t for t in tensors if t._data.ndim != 1 or t._data.shape[0] != 0), tensors[0])
    if ref._data.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    return Cat.apply(*tensors, dim=ref._wrap_dim(dim))


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join tensors of equal shape along a new dimension."""
    tensors = _check_tensors("stack", tensors)
    return Stack.apply(*tensors, dim=tensors[0]._wrap_dim(dim, tensors[0]._data.ndim + 1))


def hstack(tensors):
    tensors = _check_tensors("hstack", tensors)
    return cat(tensors, 0 if tensors[0]._data.ndim == 1 else 1)


def vstack(tensors):
    tensors = [t if t._data.ndim >= 2 else t.reshape(1, -1) for t in
               _check_tensors("vstack", tensors)]
    return cat(tensors, 0)


def split(tensor, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` (the last may be smaller), or of the listed sizes."""
    if tensor._data.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = tensor._wrap_dim(dim)
    n = tensor._data.shape[dim]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and n:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        # an empty dimension still gives one (empty) piece
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if n else [0]
        name = "SplitBackward0"
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {dim}), but got "
                               f"split_sizes={sizes}")
        name = "SplitWithSizesBackward0"
    return Split.apply(tensor, sizes=sizes, dim=dim, name=name)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller)."""
    if input._data.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    dim = input._wrap_dim(dim)
    n = input._data.shape[dim]
    if n == 0:                                   # PyTorch gives ``chunks`` empty pieces
        return split(input, [0] * chunks, dim)
    return split(input, -(-n // chunks), dim)    # pieces of ceil(n / chunks): maybe fewer


def unbind(input, dim=0):
    """The slices along ``dim``, as a tuple."""
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return Unbind.apply(input, dim=input._wrap_dim(dim))


class JoiningMethods:
    """The splitting methods of ``Tensor``."""
    __slots__ = ()

    def split(self, split_size, dim=0):
        return split(self, split_size, dim)

    def chunk(self, chunks, dim=0):
        return chunk(self, chunks, dim)

    def unbind(self, dim=0):
        return unbind(self, dim)
