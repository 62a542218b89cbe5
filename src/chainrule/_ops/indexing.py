"""Indexing: ``x[...]`` for reading and writing, gather, scatter, index_select, masked_fill.

Reading picks elements; its gradient puts each element's gradient back where
it was picked from, *adding* when an index repeats (``x[[0, 0]]`` uses x[0]
twice, so x[0] gets both gradients).
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase
from ._args import expect
from ._util import (C_NAMES, as_tensor_arg, broadcast_error, check_inplace, graph_input, inplace,
                    needs_graph, overlaps, user_warning, write_inplace, write_shared)

_make = TensorBase._make


def _convert_index(index):
    """A NumPy index (always a tuple) from a PyTorch one: tensors become arrays, and 0-d
    integer tensors plain ints, as PyTorch treats them."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for item in index:
        if isinstance(item, TensorBase):
            arr = item._data
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            out.append(int(arr) if arr.ndim == 0 and arr.dtype.kind in "iu" else arr)
        elif isinstance(item, list):
            out.append(np.array([i.item() if isinstance(i, TensorBase) else i for i in item]))
        elif isinstance(item, float):
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got float)")
        else:
            out.append(item)
    return tuple(out)


def _is_basic(index):
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer))
               and not isinstance(i, bool) for i in index)


def _split_ints(index):
    """PyTorch applies integer indices before tensor indices: ``x[0, :, idx]`` is
    ``x[0][:, idx]`` (NumPy would broadcast 0 with idx instead). For an index that is
    not basic, returns the two steps, or None when it needs only one."""
    if not any(isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in index):
        return None
    first, rest = [], []
    for i in index:
        if isinstance(i, (int, np.integer)) and not isinstance(i, bool):
            first.append(i)
        elif isinstance(i, np.ndarray) or isinstance(i, bool):
            ndim = np.ndim(i) if np.asarray(i).dtype == np.bool_ else 1
            first.extend([slice(None)] * ndim)
            rest.append(i)
        else:
            first.append(i)
            rest.append(slice(None) if i is None else i)
    return tuple(first), tuple(rest)


def _locate(x, index):
    """(array, index) such that ``array[index]`` is ``x[index]`` in PyTorch's meaning;
    ``array`` is a view of ``x``, so assigning through it writes into ``x``."""
    steps = None if _is_basic(index) else _split_ints(index)
    if steps is None:
        return x, index
    return _getitem(x, steps[0]), steps[1]


def _name_for(index, shape, single):
    """The grad_fn name PyTorch gives a basic index: the kind of its last step.

    Full slices (``:``) inside a tuple are skipped, as PyTorch skips them; a lone
    slice (``x[:]``) is always recorded.
    """
    name, dim = "AliasBackward0", 0
    used = sum(1 for i in index if i is not None and i is not Ellipsis)
    for i in index:
        if i is None:
            name = "UnsqueezeBackward0"
        elif i is Ellipsis:
            dim += len(shape) - used
        elif isinstance(i, slice):
            if single or i.indices(shape[dim]) != (0, shape[dim], 1):
                name = "SliceBackward0"
            dim += 1
        else:
            name, dim = "SelectBackward0", dim + 1
    return name


def _getitem(x, index):
    try:
        out = x[index]
    except IndexError as e:
        raise IndexError(_index_message(x.shape, index, e)) from None
    if out.__class__ is not np.ndarray:     # one element: a 0-d view, not a NumPy scalar copy
        out = x[index + (Ellipsis,)]
    return out


def _index_message(shape, index, error):
    """PyTorch's message for an index that NumPy refused."""
    ints = [i for i in index if isinstance(i, (int, np.integer)) and not isinstance(i, bool)]
    if not shape and (ints or any(isinstance(i, slice) for i in index)):
        if ints:
            return ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                    "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        return "slice() cannot be applied to a 0-dim tensor."
    if sum(_dims_used(i) for i in index) > len(shape):
        return f"too many indices for tensor of dimension {len(shape)}"
    dim = 0
    for pos, i in enumerate(index):
        if i is Ellipsis:
            dim = len(shape) - sum(_dims_used(j) for j in index[pos + 1:])
            continue
        if np.asarray(i).dtype == np.bool_ and not isinstance(i, bool):
            for k, n in enumerate(i.shape):
                if n != shape[dim + k]:
                    return (f"The shape of the mask {list(i.shape)} at index {k} does not "
                            f"match the shape of the indexed tensor {list(shape)} at index "
                            f"{dim + k}")
        dim += _dims_used(i)
    return str(error).replace("axis", "dimension")


def _dims_used(item):
    """How many dims of the indexed tensor an index item consumes."""
    if item is None or item is Ellipsis or isinstance(item, bool):
        return 0
    if isinstance(item, np.ndarray) and item.dtype == np.bool_:
        return item.ndim
    return 1


class Index(Node):
    """y = x[index];   dL/dx = zeros with dL/dy added at the picked places."""
    torch_name = "IndexBackward0"

    def forward(self, a, index, single=False):
        x = a._data
        self.in_shape, self.index = x.shape, index
        if _is_basic(index):
            self.is_view = True              # basic indexing returns a view, as in PyTorch
            out = _getitem(x, index)
            self.torch_name = _name_for(index, x.shape, single)
            return out
        return np.array(_getitem(*_locate(x, index)))

    def backward(self, grad):
        return IndexAdd.apply(grad, shape=self.in_shape, index=self.index)


class IndexAdd(Node):
    """The gradient of indexing: zeros of ``shape`` with ``g`` added at ``index``."""
    torch_name = "IndexPutBackward0"

    def forward(self, g, shape, index):
        self.index = index
        out = np.zeros(shape, g._data.dtype)
        target, where = _locate(out, index)
        if _is_basic(where):
            target[where] = g._data
        else:
            np.add.at(target, where, g._data)
        return out

    def backward(self, grad):
        return Index.apply(grad, index=self.index)


class IndexPut(Node):
    """x[index] = v;   dL/dx = the gradient with zeros at ``index``,  dL/dv = grad[index]."""
    torch_name = "CopySlices"

    def forward(self, a, v, index, accumulate=False):
        self.index, self.v_ndim = index, np.ndim(v._data) if isinstance(v, TensorBase) else 0
        out = a._data.copy()
        _assign(out, index, v._data if isinstance(v, TensorBase) else v, accumulate)
        if not _is_basic(index):
            self.torch_name = "IndexPutBackward0"
        self.accumulate = accumulate
        return out

    def name(self):
        if self.torch_name == "CopySlices":
            return "torch::autograd::CopySlices"     # a node PyTorch defines in C++
        return self.torch_name

    def backward(self, grad):
        grad_a = grad if self.accumulate else grad.index_put(self.index, 0.0)
        grad_v = grad[self.index] if self.needs_input_grad(1) else None
        if grad_v is not None and grad_v.dim() < self.v_ndim:     # v's leading 1s, dropped
            grad_v = grad_v.reshape((1,) * (self.v_ndim - grad_v.dim()) + tuple(grad_v.shape))
        return grad_a, grad_v


def _assign(out, index, value, accumulate=False):
    """``out[index] = value`` (or ``+=`` with repeats adding up), with PyTorch's errors."""
    target, where = _locate(out, index)
    if not accumulate:
        # as PyTorch, drop the value's leading size-1 dims: x[0, 1] = tensor([[5.]]) works
        value = np.asarray(value)
        while value.ndim and value.shape[0] == 1:
            value = value[0]
    try:
        if accumulate:
            np.add.at(target, where, value)
        else:
            target[where] = value
    except IndexError as e:
        raise IndexError(_index_message(target.shape, where, e)) from None
    except ValueError:
        if _is_basic(where):                  # PyTorch copies into a view, expanding value
            from .shape import expand
            expand(_make(np.asarray(value)), np.shape(target[where]))
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(value))} "
                           f"cannot be broadcast to indexing result of shape "
                           f"{list(np.shape(target[where]))}") from None


def _check_index(name, a, idx, dim, src=None):
    """PyTorch's checks on the index of gather and scatter: dtype, shape, bounds."""
    if idx.dtype != np.int64 and idx.dtype != np.int32:
        raise RuntimeError(f"{name}(): Expected dtype int32/int64 for index")
    x = a._data
    if idx.ndim != x.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as "
                           f"{'input' if name == 'gather' else 'self'} tensor")
    for d in range(idx.ndim):
        if src is None and d != dim and idx.shape[d] > x.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index "
                               f"{list(idx.shape)} to be no larger than self {list(x.shape)} "
                               f"apart from dimension {dim}")
        if src is not None and (d != dim and idx.shape[d] > x.shape[d] or
                                idx.shape[d] > src.shape[d]):
            raise RuntimeError(f"Expected index {list(idx.shape)} to be no larger than self "
                               f"{list(x.shape)} apart from dimension {dim} and to be no "
                               f"larger size than src {list(src.shape)}")
    size = x.shape[dim] if x.ndim else 1
    bad = (idx < 0) | (idx >= size)
    if bad.any():
        raise RuntimeError(f"index {idx.flat[np.argmax(bad)]} is out of bounds for dimension "
                           f"{dim} with size {size}")


class Gather(Node):
    """y[i][j] = x[index[i][j]][j] (dim 0);   dL/dx adds dL/dy back at the gathered places."""
    torch_name = "GatherBackward0"

    def forward(self, a, index, dim):
        self.in_shape, self.dim = a._data.shape, dim
        idx = self.idx = index._data
        _check_index("gather", a, idx, dim)
        self.save_for_backward(a)   # only its shape is used, but PyTorch saves it, and so
        #                             refuses backward once it has been changed in place
        # the index may be smaller than the input in the other dims: use that corner
        corner = tuple(slice(0, n) if d != dim else slice(None) for d, n in enumerate(idx.shape))
        return np.take_along_axis(a._data[corner], idx, dim)

    def backward(self, grad):
        self.saved(0)                                       # (the version check)
        zeros = _make(np.zeros(self.in_shape, grad._data.dtype))
        return zeros.scatter_add(self.dim, _make(self.idx), grad)


class Scatter(Node):
    """out = x with out[index[i][j]][j] = src[i][j] (dim 0; 'add' sums instead).

    dL/dx = dL/dout with zeros where values were written (all of it for 'add');
    dL/dsrc = dL/dout gathered at the index.
    """
    torch_name = "ScatterBackward0"

    def forward(self, a, src, index, dim, add=False):
        name = "scatter_add" if add else "scatter"
        is_tensor = isinstance(src, TensorBase)
        _check_index(name, a, index._data, dim, src._data if is_tensor else None)
        if is_tensor and src._data.dtype != a._data.dtype:
            raise RuntimeError(f"{name}(): Expected self.dtype to be equal to src.dtype")
        self.dim, self.idx, self.add, self.src_is_tensor = dim, index._data, add, is_tensor
        out = a._data.copy()
        idx = index._data
        values = src._data if is_tensor else np.full(idx.shape, src, out.dtype)
        values = values[tuple(slice(0, n) for n in idx.shape)]
        grids = np.indices(idx.shape, sparse=True)
        where = tuple(idx if d == dim else grids[d] for d in range(idx.ndim))
        if add:
            self.torch_name = "ScatterAddBackward0"
            np.add.at(out, where, values)
        else:
            if not is_tensor:
                self.torch_name = "ScatterBackward1"
            out[where] = values
        self.where = where
        return out

    def backward(self, grad):
        grad_a = grad if self.add else grad.index_put(self.where, 0.0)
        grad_src = None
        if self.src_is_tensor and self.needs_input_grad(1):
            grad_src = grad.gather(self.dim, _make(self.idx))
        return grad_a, grad_src


class IndexSelect(Node):
    """y = x.index_select(dim, index);   dL/dx adds dL/dy back at the selected rows."""
    torch_name = "IndexSelectBackward0"

    def forward(self, a, index, dim):
        idx = index._data
        if idx.dtype != np.int64 and idx.dtype != np.int32:
            raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        self.in_shape, self.dim, self.idx = a._data.shape, dim, idx.reshape(-1)
        size = a._data.shape[dim] if a._data.ndim else 1
        if not a._data.ndim and idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got "
                               f"{idx.size} value(s)")
        if idx.size and (idx.max() >= size or idx.min() < 0):
            raise _index_select_error(a._data, self.idx, dim)
        return np.take(a._data, self.idx, axis=dim) if a._data.ndim else a._data.copy()

    def backward(self, grad):
        index = (slice(None),) * self.dim + (self.idx,)
        return IndexAdd.apply(grad, shape=self.in_shape, index=index)


def _index_select_error(x, idx, dim):
    """PyTorch's error for an index out of range: its CPU kernel takes one of three paths,
    each with its own message (an empty ``x``; ``dim`` 1; any other dim)."""
    n = x.shape[dim] if x.ndim else 1
    if x.ndim > 1 and x.size == 0 and n == 0:
        return RuntimeError("index_select(): self indexing axis dim should be positive")
    if x.ndim > 1 and (x.size == 0 or dim == 1):
        bad = idx[(idx < 0) | (idx >= n)][0]
        return RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
    return IndexError("index out of range in self")


class MaskedFill(Node):
    """y = value where mask else x;   dL/dx = dL/dy where not mask, 0 where mask."""
    torch_name = "MaskedFillBackward0"

    def forward(self, a, value, mask):
        m = mask._data
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {C_NAMES[m.dtype.name]}")
        try:
            np.broadcast_shapes(m.shape, a._data.shape)
        except ValueError:
            raise broadcast_error(m.shape, a._data.shape) from None
        self.mask = m
        v = value._data if isinstance(value, TensorBase) else value
        if isinstance(value, TensorBase):
            if value._data.ndim:
                raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, "
                                   f"but got tensor with {value._data.ndim} dimension(s).")
            self.torch_name = "MaskedFillBackward1"
        return np.where(m, np.asarray(v).astype(a._data.dtype), a._data)

    def backward(self, grad):
        grad_v = None
        if self.torch_name == "MaskedFillBackward1" and self.needs_input_grad(1):
            grad_v = grad.where(_make(self.mask), 0.0).sum()
        return grad.masked_fill(_make(self.mask), 0.0), grad_v


# ---- the functions users call -----------------------------------------------
def gather(input, dim, index):
    """Pick values along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]`` (dim 0)."""
    if not isinstance(input, TensorBase) or not isinstance(index, TensorBase):
        expect("gather", ("input", "Tensor", input), ("dim", "int", dim),
               ("index", "Tensor", index))
    dim = input._wrap_dim(dim)
    if input._data.ndim == 0 and index._data.ndim <= 1:
        # PyTorch treats a 0-dim input (and index) as 1-dim here. (chainrule's result then
        # comes from a reshape, so its grad_fn is ViewBackward0, not GatherBackward0.)
        return gather(input.reshape(1), 0, index.reshape(-1)).reshape(index.shape)
    return Gather.apply(input, index=index, dim=dim)


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim``."""
    if src is None:
        src = value
    return _scatter(input, dim, index, src, add=reduce == "add")


def scatter_add(input, dim, index, src):
    """Like ``scatter`` but adding into the existing values."""
    return _scatter(input, dim, index, src, add=True)


def _scatter(input, dim, index, src, add):
    dim = input._wrap_dim(dim)
    if isinstance(src, TensorBase):
        return Scatter.apply(input, src, index=index, dim=dim, add=add)
    return Scatter.apply(input, src=src, index=index, dim=dim, add=add)


def index_select(input, dim, index):
    """The entries of ``input`` at ``index`` along ``dim``."""
    try:
        return IndexSelect.apply(input, index=index, dim=input._wrap_dim(dim))
    except (AttributeError, TypeError):     # not a Tensor? (see _args.py)
        expect("index_select", ("input", "Tensor", input), ("dim", "int", dim),
               ("index", "Tensor", index))
        raise


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is true, else ``input``."""
    if isinstance(value, TensorBase):
        return MaskedFill.apply(input, value, mask=mask)
    return MaskedFill.apply(input, mask=mask, value=value)


class MaskedSelect(Node):
    """y = the elements of x where mask is true, as a 1-d tensor (mask broadcasts);
    dL/dx = dL/dy put back where mask is true, 0 elsewhere."""
    torch_name = "MaskedSelectBackward0"

    def forward(self, a, mask):
        m = mask._data
        if m.dtype != np.bool_:
            raise RuntimeError("masked_select: expected BoolTensor for mask")
        try:
            shape = np.broadcast_shapes(m.shape, a._data.shape)
        except ValueError:
            raise broadcast_error(m.shape, a._data.shape) from None
        self.in_shape, self.mask = a._data.shape, np.broadcast_to(m, shape)
        return np.broadcast_to(a._data, shape)[self.mask]

    def backward(self, grad):
        out = IndexAdd.apply(grad, shape=self.mask.shape, index=(self.mask,))
        if out.shape != self.in_shape:          # the mask broadcast x: add the copies up
            from ..autograd.engine import sum_to
            out = sum_to(out, self.in_shape)
        return out


class Take(Node):
    """y = x.flatten()[index] (y has index's shape);   dL/dx adds dL/dy back there."""
    torch_name = "TakeBackward0"

    def forward(self, a, index):
        idx, n = index._data, a._data.size
        bad = (idx >= n) | (idx < -n)
        if bad.any():
            raise IndexError(f"out of range: tried to access index {idx.flat[np.argmax(bad)]} "
                             f"on a tensor of {n} elements.")
        self.in_shape, self.idx = a._data.shape, idx
        return a._data.reshape(-1)[idx]

    def backward(self, grad):
        flat = IndexAdd.apply(grad, shape=(int(np.prod(self.in_shape)),), index=(self.idx,))
        return flat.reshape(self.in_shape)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is true, as a 1-d tensor."""
    return MaskedSelect.apply(input, mask=mask)


def select(input, dim, index):
    dim = input._wrap_dim(dim)
    return input[(slice(None),) * dim + (index,)]


def nonzero(input, *, as_tuple=False):
    """Indices of the non-zero elements, one row each (or one tensor per dimension)."""
    idx = np.nonzero(input._data) if input._data.ndim else np.nonzero(input._data.reshape(1))
    if as_tuple:
        return tuple(_make(i.astype(np.int64)) for i in idx)
    return _make(np.stack(idx, axis=1).astype(np.int64) if idx else
                 np.zeros((0, 0), np.int64))


def take(input, index):
    """The elements of the flattened ``input`` at ``index`` (in ``index``'s shape)."""
    return Take.apply(input, index=index)


class IndexingMethods:
    """The indexing methods of ``Tensor``."""
    __slots__ = ()

    def __getitem__(self, index):
        single = not isinstance(index, tuple)
        index = _convert_index(index)
        steps = None if _is_basic(index) else _split_ints(index)
        if steps is not None:                 # x[0, :, idx] is x[0][:, idx] in PyTorch
            return Index.apply(Index.apply(self, index=steps[0]), index=steps[1])
        return Index.apply(self, index=index, single=single)

    def __setitem__(self, index, value):
        index = _convert_index(index)
        if not isinstance(value, TensorBase):
            value = as_tensor_arg(value)
        if not self._data.ndim:
            _getitem(self._data, index)      # a bad index fails first, as in PyTorch
        if not self._data.flags.writeable and self._view is not None and _is_basic(index):
            self[index].copy_(value)         # expanded: write only the elements selected
            return
        check_inplace(self, through_view=_is_basic(index))
        if needs_graph(self, value):
            write_inplace(self, IndexPut.apply(graph_input(self), value, index=index))
            return
        _assign(self._data, index, value._data)
        self._version_counter[0] += 1

    def index_put(self, indices, values, accumulate=False):
        index = _convert_index(tuple(indices) if isinstance(indices, list) else indices)
        if not isinstance(values, TensorBase):
            values = as_tensor_arg(values)
        return IndexPut.apply(self, values, index=index, accumulate=accumulate)

    def index_put_(self, indices, values, accumulate=False):
        return inplace(self, lambda t, v: t.index_put(indices, v, accumulate), values)

    def gather(self, dim, index):
        try:
            return gather(self, dim, index)
        except TypeError:
            expect("gather", ("dim", "int", dim), ("index", "Tensor", index))  # (as a method)
            raise

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        return inplace(self, lambda t, s: scatter(t, dim, index, s, value=value, reduce=reduce),
                       src)

    def scatter_add(self, dim, index, src):
        return scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src):
        return inplace(self, lambda t, s: scatter_add(t, dim, index, s), src)

    def index_select(self, dim, index):
        try:
            return index_select(self, dim, index)
        except TypeError:
            expect("index_select", ("dim", "int", dim), ("index", "Tensor", index))
            raise

    def masked_fill(self, mask, value):
        return masked_fill(self, mask, value)

    def masked_fill_(self, mask, value):
        if self._view is not None and overlaps(self._data) and not needs_graph(self, value):
            return _masked_fill_expanded(self, mask, value)
        return inplace(self, masked_fill, mask, value)

    def masked_select(self, mask):
        return masked_select(self, mask)

    def select(self, dim, index):
        return select(self, dim, index)

    def nonzero(self, *, as_tuple=False):
        return nonzero(self, as_tuple=as_tuple)

    def take(self, index):
        return take(self, index)


def _masked_fill_expanded(t, mask, value):
    """``masked_fill_`` into an expanded tensor: PyTorch still allows it (deprecated),
    writing the value into the memory slot of each element where the mask is set."""
    user_warning("Use of masked_fill_ on expanded tensors is deprecated. Please clone() the "
                 "tensor before performing this operation. This also applies to advanced "
                 "indexing e.g. tensor[mask] = scalar")
    check_inplace(t, overlap_ok=True)
    write_shared(t, masked_fill(t, mask, value)._data, where=mask._data)
    t._version_counter[0] += 1
    return t
