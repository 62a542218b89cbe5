"""Shape ops: view, reshape, squeeze, transpose, permute, expand, repeat, flip, narrow.

They move values around without changing them, so each backward moves the
gradient back the same way: a transpose's gradient is transposed back, an
expand's gradient is summed over the copies.

Most return *views*: the result shares the input's memory and version counter,
as in PyTorch (``is_view = True``).
"""
import operator

import numpy as np

from ..autograd.graph import Node
from .._dtype import legacy_type_name
from .._tensor import TensorBase
from ._args import expect
from ._util import user_warning

_make = TensorBase._make


def _shape_args(shape):
    """``view(2, 3)``, ``view((2, 3))`` and ``view(torch.Size([2, 3]))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(operator.index(s) for s in shape)      # ints only: "2" and 2.0 are refused


def _one(shape):
    """What the user passed as the shape: ``reshape("2")`` shows ``"2"``, not ``("2",)``."""
    return shape[0] if len(shape) == 1 else shape


def infer_shape(shape, numel):
    """Replace a single -1 in ``shape`` so that it holds ``numel`` elements."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for i, s in enumerate(shape):
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                                   f"{list(shape)}")
            known *= s
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class View(Node):
    """A new shape over the same memory;   the gradient is reshaped back."""
    torch_name = "ViewBackward0"
    is_view = True

    def forward(self, a, shape):
        x = a._data
        self.in_shape = x.shape
        shape = infer_shape(shape, x.size)
        try:
            return np.reshape(x, shape, copy=False)
        except ValueError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) "
                "instead.") from None

    def backward(self, grad):
        return grad.reshape(self.in_shape)


class ReshapeAlias(View):
    """``reshape`` of a non-contiguous tensor whose new shape can still share its memory
    (PyTorch records it under another name than ``view``)."""
    torch_name = "ReshapeAliasBackward0"


class Reshape(Node):
    """``reshape`` when a view is impossible: the values are copied."""
    torch_name = "UnsafeViewBackward0"

    def forward(self, a, shape):
        self.in_shape = a._data.shape
        return np.reshape(a._data, infer_shape(shape, a._data.size)).copy()

    def backward(self, grad):
        return grad.reshape(self.in_shape)


class Squeeze(Node):
    """Remove size-1 dimensions;   the gradient gets them back."""
    torch_name = "SqueezeBackward0"
    is_view = True

    def forward(self, a, dims=None):
        x = a._data
        self.in_shape = x.shape
        if dims is None:
            return np.squeeze(x)
        self.torch_name = "SqueezeBackward1" if len(dims) == 1 else "SqueezeBackward2"
        if x.ndim == 0:
            return x.view()
        keep = tuple(d for d in dims if x.shape[d] == 1)
        return np.squeeze(x, axis=keep) if keep else x.view()

    def backward(self, grad):
        return grad.reshape(self.in_shape)


class Unsqueeze(Node):
    """Insert a size-1 dimension;   the gradient loses it again."""
    torch_name = "UnsqueezeBackward0"
    is_view = True

    def forward(self, a, dim):
        self.dim = dim
        return np.expand_dims(a._data, dim)

    def backward(self, grad):
        return grad.squeeze(self.dim)


class Transpose(Node):
    """Swap two dimensions;   the gradient is swapped back."""
    torch_name = "TransposeBackward0"
    is_view = True

    def forward(self, a, dim0, dim1, name="TransposeBackward0"):
        self.dims = (dim0, dim1)
        self.torch_name = name
        if dim0 == dim1:
            return a._data.view()
        return np.swapaxes(a._data, dim0, dim1)

    def backward(self, grad):
        return grad.transpose(*self.dims)

    def fast_backward(self, grad):
        dim0, dim1 = self.dims
        g = grad._data
        return _make(g.view() if dim0 == dim1 else np.swapaxes(g, dim0, dim1))


class Permute(Node):
    """Reorder dimensions;   the gradient is permuted by the inverse order."""
    torch_name = "PermuteBackward0"
    is_view = True

    def forward(self, a, dims):
        self.dims = dims
        return np.transpose(a._data, dims)

    def backward(self, grad):
        return grad.permute(tuple(np.argsort(self.dims)))


class Expand(Node):
    """Repeat size-1 dimensions without copying;   the gradient is summed over the copies."""
    torch_name = "ExpandBackward0"
    is_view = True

    def forward(self, a, shape):
        self.in_shape = a._data.shape
        return np.broadcast_to(a._data, shape)

    def backward(self, grad):
        from ..autograd.engine import sum_to
        return sum_to(grad, self.in_shape)


class Repeat(Node):
    """Tile the tensor;   each element's gradient is the sum over its tiles."""
    torch_name = "RepeatBackward0"

    def forward(self, a, repeats):
        x = a._data
        self.in_shape = x.shape
        self.repeats = repeats
        lead = len(repeats) - x.ndim
        return np.tile(x.reshape((1,) * lead + x.shape), repeats)

    def backward(self, grad):
        if 0 in self.repeats:
            return TensorBase._make(np.zeros(self.in_shape, grad._data.dtype))
        # new leading dims are summed away one by one, as PyTorch does (same rounding)
        for _ in range(len(self.repeats) - len(self.in_shape)):
            grad = grad.sum(0)
        # view each repeated dim of size r*s as (r, s), and sum over the r's (innermost
        # first, the order in which PyTorch's reduction adds them)
        split, summed = [], []
        for r, s in zip(self.repeats[len(self.repeats) - len(self.in_shape):], self.in_shape):
            if r != 1:
                summed.append(len(split))
                split.append(r)
            split.append(s)
        grad = grad.reshape(split)
        for d in reversed(summed):
            grad = grad.sum(d)
        return grad


class Flip(Node):
    """Reverse the order along dims;   the gradient is reversed back."""
    torch_name = "FlipBackward0"

    def forward(self, a, dims):
        self.dims = dims
        return np.flip(a._data, dims).copy()

    def backward(self, grad):
        return grad.flip(self.dims)


class Narrow(Node):
    """A slice [start, start + length) of one dimension;   the gradient is zero-padded."""
    torch_name = "SliceBackward0"
    is_view = True

    def forward(self, a, dim, start, length):
        self.in_shape, self.dim, self.start = a._data.shape, dim, start
        index = [slice(None)] * a._data.ndim
        index[dim] = slice(start, start + length)
        self.index = tuple(index)
        return a._data[self.index]

    def backward(self, grad):
        out = np.zeros(self.in_shape, grad._data.dtype)
        out[self.index] = grad._data
        return TensorBase._make(out) if not grad.requires_grad else _pad_into(grad, self)


def _pad_into(grad, node):
    """Differentiable zero-padding of ``grad`` into the input's shape (double backward)."""
    from .joining import cat
    dim, start = node.dim, node.start
    before = list(node.in_shape)
    before[dim] = start
    after = list(node.in_shape)
    after[dim] = node.in_shape[dim] - start - grad.shape[dim]
    zeros = [TensorBase._make(np.zeros(before, grad._data.dtype)), grad,
             TensorBase._make(np.zeros(after, grad._data.dtype))]
    return cat(zeros, dim)


# ---- the functions users call -----------------------------------------------
def reshape(input, *shape):
    """The same values in a new shape: a view when possible, else a copy."""
    try:
        shape = _shape_args(shape)
        x = input._data
    except (AttributeError, TypeError):     # not a Tensor, or not ints? (see _args.py)
        expect("reshape", ("input", "Tensor", input), ("shape", "tuple of ints", _one(shape)))
        raise
    if x.flags.c_contiguous:
        return View.apply(input, shape=shape)
    try:
        np.reshape(x, infer_shape(shape, x.size), copy=False)
    except ValueError:
        return Reshape.apply(input, shape=shape)
    return ReshapeAlias.apply(input, shape=shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim`` to ``end_dim`` into one."""
    n = input._data.ndim
    if n == 0:
        return reshape(input, 1)
    start, end = input._wrap_dim(start_dim), input._wrap_dim(end_dim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    shape = input._data.shape
    merged = int(np.prod(shape[start:end + 1]))
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def unflatten(input, dim, sizes):
    dim = input._wrap_dim(dim)
    shape = input._data.shape
    sizes = infer_shape(tuple(sizes), shape[dim])
    return reshape(input, shape[:dim] + sizes + shape[dim + 1:])


def squeeze(input, dim=None):
    """Remove dimensions of size 1 (only ``dim``, when given)."""
    if dim is None:
        return Squeeze.apply(input)
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return Squeeze.apply(input, dims=tuple(input._wrap_dim(d) for d in dims))


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim``."""
    return Unsqueeze.apply(input, dim=input._wrap_dim(dim, input._data.ndim + 1))


def transpose(input, dim0, dim1):
    """Swap dimensions ``dim0`` and ``dim1``."""
    try:
        return Transpose.apply(input, dim0=input._wrap_dim(dim0), dim1=input._wrap_dim(dim1))
    except (AttributeError, TypeError):
        expect("transpose", ("input", "Tensor", input), ("dim0", "int", dim0),
               ("dim1", "int", dim1))
        raise


swapaxes = swapdims = transpose


def t(input):
    """Transpose a matrix (a tensor of at most 2 dimensions)."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return Transpose.apply(input, dim0=0, dim1=0, name="TBackward0")
    return Transpose.apply(input, dim0=0, dim1=1, name="TBackward0")


def permute(input, *dims):
    """Reorder the dimensions: ``x.permute(2, 0, 1)``."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    if not isinstance(input, TensorBase):
        expect("permute", ("input", "Tensor", input))
    dims = _shape_args(dims)
    n = input._data.ndim
    if len(dims) != n:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{n} is not equal to len(dims) = {len(dims)}")
    dims = tuple(input._wrap_dim(d) for d in dims)
    if len(set(dims)) != n:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims=dims)


def expand(input, *sizes):
    """Repeat size-1 dimensions (and add leading ones) without copying; -1 keeps a size."""
    sizes = _shape_args(sizes)
    shape = input._data.shape
    if len(sizes) < len(shape):
        raise RuntimeError(
            f"expand({legacy_type_name(input.dtype)}{{{list(shape)}}}, size={list(sizes)}): the "
            f"number of sizes provided ({len(sizes)}) must be greater or equal to the number "
            f"of dimensions in the tensor ({len(shape)})")
    lead = len(sizes) - len(shape)
    target = []
    for i, s in enumerate(sizes):
        old = shape[i - lead] if i >= lead else None
        if s == -1:
            if old is None:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            s = old
        elif old is not None and old != 1 and old != s:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({old}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}")
        target.append(s)
    return Expand.apply(input, shape=tuple(target))


def repeat(input, *repeats):
    repeats = _shape_args(repeats)
    if len(repeats) < input._data.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number "
                           "of dimensions of tensor")
    return Repeat.apply(input, repeats=repeats)


def flip(input, dims):
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    dims = tuple(input._wrap_dim(d) for d in dims)
    if input._data.ndim == 0:
        dims = ()                       # a 0-dim tensor flips to itself, as in PyTorch
    return Flip.apply(input, dims=dims)


def narrow(input, dim, start, length):
    """``length`` elements of dimension ``dim`` from ``start`` (a view)."""
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    dim = input._wrap_dim(dim)
    size = input._data.shape[dim]
    start = int(start)
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    if start < 0:
        start += size
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return Narrow.apply(input, dim=dim, start=start, length=int(length))


def movedim(input, source, destination):
    """Move dimensions ``source`` to positions ``destination``, the rest keeping order."""
    src = [input._wrap_dim(d) for d in ((source,) if isinstance(source, int) else source)]
    dst = [input._wrap_dim(d) for d in
           ((destination,) if isinstance(destination, int) else destination)]
    perm = [None] * input._data.ndim
    for s, d in zip(src, dst):
        perm[d] = s
    rest = iter(i for i in range(input._data.ndim) if i not in src)
    return permute(input, *[p if p is not None else next(rest) for p in perm])


class ShapeMethods:
    """The shape methods of ``Tensor``."""
    __slots__ = ()

    def view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], (int, tuple, list, np.integer)):
            from .._dtype import dtype as dtype_class
            if not isinstance(shape[0], dtype_class):
                from ._args import invalid_combination
                raise invalid_combination("view", shape, ["(torch.dtype dtype)",
                                                          "(tuple of ints size)"])
            from .conversion import view_dtype
            return view_dtype(self, shape[0])
        return View.apply(self, shape=_shape_args(shape))

    def view_as(self, other):
        return View.apply(self, shape=tuple(other._data.shape))

    def reshape(self, *shape):
        try:
            return reshape(self, *shape)
        except TypeError:
            expect("reshape", ("shape", "tuple of ints", _one(shape)))  # (a method's shape: 1)
            raise

    def reshape_as(self, other):
        return reshape(self, tuple(other._data.shape))

    def flatten(self, start_dim=0, end_dim=-1):
        return flatten(self, start_dim, end_dim)

    def unflatten(self, dim, sizes):
        return unflatten(self, dim, sizes)

    def squeeze(self, dim=None):
        return squeeze(self, dim)

    def unsqueeze(self, dim):
        return unsqueeze(self, dim)

    def transpose(self, dim0, dim1):
        try:
            return transpose(self, dim0, dim1)
        except TypeError:
            expect("transpose", ("dim0", "int", dim0), ("dim1", "int", dim1))
            raise

    swapaxes = swapdims = transpose

    def t(self):
        return t(self)

    @property
    def T(self):
        n = self._data.ndim
        if n == 0:
            user_warning("Tensor.T is deprecated on 0-D tensors. This function is the "
                         "identity in these cases.", once=True)
        elif n != 2:
            user_warning(
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", once=True)
        return Permute.apply(self, dims=tuple(range(n - 1, -1, -1)))

    @property
    def mT(self):
        if self._data.ndim == 0:
            user_warning("Tensor.mT is deprecated on 0-D tensors. This function is the "
                         "identity in these cases.", once=True)
            return self
        if self._data.ndim < 2:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                               f"Got {self._data.ndim}-D tensor.")
        return Transpose.apply(self, dim0=self._data.ndim - 2, dim1=self._data.ndim - 1)

    def permute(self, *dims):
        return permute(self, *dims)

    def expand(self, *sizes):
        if not sizes:
            raise TypeError('expand() missing 1 required positional arguments: "size"')
        return expand(self, *sizes)

    def expand_as(self, other):
        return expand(self, tuple(other._data.shape))

    def repeat(self, *repeats):
        return repeat(self, *repeats)

    def flip(self, *dims):
        return flip(self, dims[0] if len(dims) == 1 else dims)

    def narrow(self, dim, start, length):
        return narrow(self, dim, start, length)

    def movedim(self, source, destination):
        return movedim(self, source, destination)
