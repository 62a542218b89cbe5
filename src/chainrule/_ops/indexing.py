"""Indexing: ``x[...]`` for reading and writing, gather, scatter, index_select, masked_fill.

Reading picks elements; its gradient puts each element's gradient back where
it was picked from, *adding* when an index repeats (``x[[0, 0]]`` uses x[0]
twice, so x[0] gets both gradients).
"""
import numpy as np

from ..autograd.graph import Node
from .._tensor import TensorBase
from ._util import as_tensor_arg, check_inplace, needs_graph, write_inplace, graph_input

_make = TensorBase._make


def _convert_index(index):
    """A NumPy index from a PyTorch one (tensors become arrays)."""
    if not isinstance(index, tuple):
        index = (index,)
    out = []
    for item in index:
        if isinstance(item, TensorBase):
            arr = item._data
            if arr.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool "
                                 "tensors")
            out.append(arr.astype(np.intp) if arr.dtype == np.uint8 and False else arr)
        elif isinstance(item, (list,)) and any(isinstance(i, TensorBase) for i in item):
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


def _name_for(index):
    """The grad_fn name PyTorch gives: the kind of the last non-trivial index step."""
    if not _is_basic(index):
        return "IndexBackward0"
    name = "AliasBackward0"
    for i in index:
        if i is None:
            name = "UnsqueezeBackward0"
        elif isinstance(i, slice):
            if i != slice(None):
                name = "SliceBackward0"
        elif i is not Ellipsis:
            name = "SelectBackward0"
    return name


def _getitem(x, index):
    try:
        return x[index]
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None


class Index(Node):
    """y = x[index];   dL/dx = zeros with dL/dy added at the picked places."""
    torch_name = "IndexBackward0"

    def forward(self, a, index):
        self.in_shape, self.index = a._data.shape, index
        basic = _is_basic(index)
        self.is_view = basic                 # basic indexing returns a view, as PyTorch
        self.torch_name = _name_for(index)
        out = _getitem(a._data, index)
        return out if basic else np.array(out)

    def backward(self, grad):
        return IndexAdd.apply(grad, shape=self.in_shape, index=self.index)


class IndexAdd(Node):
    """The gradient of indexing: zeros of ``shape`` with ``g`` added at ``index``."""
    torch_name = "IndexPutBackward0"

    def forward(self, g, shape, index):
        self.index = index
        out = np.zeros(shape, g._data.dtype)
        if _is_basic(index):
            out[index] = g._data
        else:
            np.add.at(out, index, g._data)
        return out

    def backward(self, grad):
        return Index.apply(grad, index=self.index)


class IndexPut(Node):
    """x[index] = v;   dL/dx = the gradient with zeros at ``index``,  dL/dv = grad[index]."""
    torch_name = "CopySlices"

    def forward(self, a, v, index, accumulate=False):
        self.index = index
        out = a._data.copy()
        value = v._data if isinstance(v, TensorBase) else v
        try:
            if accumulate:
                np.add.at(out, index, value)
            else:
                out[index] = value
        except IndexError as e:
            raise IndexError(str(e).replace("axis", "dimension")) from None
        except ValueError:
            target = np.shape(out[index])
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(np.shape(value))} "
                               f"cannot be broadcast to indexing result of shape "
                               f"{list(target)}") from None
        if not _is_basic(index):
            self.torch_name = "IndexPutBackward0"
        self.accumulate = accumulate
        return out

    def backward(self, grad):
        grad_a = grad if self.accumulate else grad.index_put(self.index, 0.0)
        grad_v = grad[self.index] if self.needs_input_grad(1) else None
        return grad_a, grad_v


class Gather(Node):
    """y[i][j] = x[index[i][j]][j] (dim 0);   dL/dx adds dL/dy back at the gathered places."""
    torch_name = "GatherBackward0"

    def forward(self, a, index, dim):
        self.in_shape, self.dim = a._data.shape, dim
        idx = index._data
        if idx.dtype != np.int64:
            raise RuntimeError("gather(): Expected dtype int64 for index")
        if idx.ndim != a._data.ndim:
            raise RuntimeError("Index tensor must have the same number of dimensions as input "
                               "tensor")
        self.idx = idx
        size = a._data.shape[dim]
        if idx.size and (idx.max() >= size or idx.min() < -size):
            bad = idx.max() if idx.max() >= size else idx.min()
            raise RuntimeError(f"index {bad} is out of bounds for dimension {dim} with size "
                               f"{size}")
        return np.take_along_axis(a._data[tuple(slice(0, n) for n in idx.shape[:dim]) +
                                          (slice(None),) +
                                          tuple(slice(0, n) for n in idx.shape[dim + 1:])],
                                  idx, dim)

    def backward(self, grad):
        zeros = _make(np.zeros(self.in_shape, grad._data.dtype))
        return zeros.scatter_add(self.dim, _make(self.idx), grad), None


class Scatter(Node):
    """out = x with out[index[i][j]][j] = src[i][j] (dim 0; 'add' sums instead)."""
    torch_name = "ScatterBackward0"

    def forward(self, a, index, src, dim, add=False):
        self.dim, self.idx, self.add = dim, index._data, add
        out = a._data.copy()
        idx = index._data
        values = src._data if isinstance(src, TensorBase) else np.full(idx.shape, src,
                                                                      out.dtype)
        values = values[tuple(slice(0, n) for n in idx.shape)]
        grids = np.indices(idx.shape, sparse=True)
        where = tuple(idx if d == dim else grids[d] for d in range(idx.ndim))
        if add:
            self.torch_name = "ScatterAddBackward0"
            np.add.at(out, where, values.astype(out.dtype, copy=False))
        else:
            out[where] = values
        self.where = where
        return out

    def backward(self, grad):
        grad_a = grad if self.add else grad.index_put(self.where, 0.0)
        grad_src = None
        if self.needs_input_grad(2):
            grad_src = grad.gather(self.dim, _make(self.idx))
        return grad_a, None, grad_src


class IndexSelect(Node):
    """y = x.index_select(dim, index);   dL/dx adds dL/dy back at the selected rows."""
    torch_name = "IndexSelectBackward0"

    def forward(self, a, index, dim):
        idx = index._data
        if idx.ndim > 1:
            raise IndexError("index_select(): Index is supposed to be a vector")
        self.in_shape, self.dim, self.idx = a._data.shape, dim, idx.reshape(-1)
        size = a._data.shape[dim] if a._data.ndim else 1
        if idx.size and (idx.max() >= size or idx.min() < -size):
            raise IndexError(f"index out of range in self")
        return np.take(a._data, self.idx, axis=dim) if a._data.ndim else a._data.copy()

    def backward(self, grad):
        index = (slice(None),) * self.dim + (self.idx,)
        return IndexAdd.apply(grad, shape=self.in_shape, index=index), None


class MaskedFill(Node):
    """y = value where mask else x;   dL/dx = dL/dy where not mask, 0 where mask."""
    torch_name = "MaskedFillBackward0"

    def forward(self, a, mask, value):
        m = mask._data
        if m.dtype != np.bool_:
            raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with "
                               f"dtype {mask.dtype.name if m.dtype != np.uint8 else 'unsigned char'}")
        self.mask = m
        v = value._data if isinstance(value, TensorBase) else value
        if isinstance(value, TensorBase) and value._data.ndim:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but "
                               f"got tensor with {value._data.ndim} dimension(s).")
        return np.where(m, np.asarray(v).astype(a._data.dtype), a._data)

    def backward(self, grad):
        grad_v = None
        if self.needs_input_grad(2):
            grad_v = grad.where(_make(self.mask), 0.0).sum()
        return grad.masked_fill(_make(self.mask), 0.0), None, grad_v


# ---- the functions users call -----------------------------------------------
def gather(input, dim, index):
    """Pick values along ``dim`` at ``index``: ``out[i][j] = input[index[i][j]][j]`` (dim 0)."""
    return Gather.apply(input, index, dim=input._wrap_dim(dim))


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim``."""
    if src is None:
        src = value
    return Scatter.apply(input, index, src, dim=input._wrap_dim(dim), add=reduce == "add")


def scatter_add(input, dim, index, src):
    """Like ``scatter`` but adding into the existing values."""
    return Scatter.apply(input, index, src, dim=input._wrap_dim(dim), add=True)


def index_select(input, dim, index):
    """The entries of ``input`` at ``index`` along ``dim``."""
    return IndexSelect.apply(input, index, dim=input._wrap_dim(dim) if input._data.ndim else 0)


def masked_fill(input, mask, value):
    """``value`` where ``mask`` is true, else ``input``."""
    return MaskedFill.apply(input, mask, value)


def masked_select(input, mask):
    return input[mask.expand_as(input) if mask.shape != input.shape else mask]


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
    return input.reshape(-1)[index]


class IndexingMethods:
    """The indexing methods of ``Tensor``."""
    __slots__ = ()

    def __getitem__(self, index):
        return Index.apply(self, index=_convert_index(index))

    def __setitem__(self, index, value):
        index = _convert_index(index)
        if not isinstance(value, TensorBase):
            value = as_tensor_arg(value)
        check_inplace(self)
        if needs_graph(self, value):
            write_inplace(self, IndexPut.apply(graph_input(self), value, index=index))
            return
        try:
            self._data[index] = value._data
        except IndexError as e:
            raise IndexError(str(e).replace("axis", "dimension")) from None
        except ValueError:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be "
                f"broadcast to indexing result of shape {list(np.shape(self._data[index]))}"
            ) from None
        self._version[0] += 1

    def index_put(self, indices, values, accumulate=False):
        index = _convert_index(tuple(indices) if isinstance(indices, list) else indices)
        if not isinstance(values, TensorBase):
            values = as_tensor_arg(values)
        return IndexPut.apply(self, values, index=index, accumulate=accumulate)

    def index_put_(self, indices, values, accumulate=False):
        from .arithmetic import inplace
        return inplace(self, lambda t, v: t.index_put(indices, v, accumulate), values)

    def gather(self, dim, index):
        return gather(self, dim, index)

    def scatter(self, dim, index, src=None, *, value=None, reduce=None):
        return scatter(self, dim, index, src, value=value, reduce=reduce)

    def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
        from .arithmetic import inplace
        return inplace(self, lambda t, s: scatter(t, dim, index, s, value=value, reduce=reduce),
                       src)

    def scatter_add(self, dim, index, src):
        return scatter_add(self, dim, index, src)

    def scatter_add_(self, dim, index, src):
        from .arithmetic import inplace
        return inplace(self, lambda t, s: scatter_add(t, dim, index, s), src)

    def index_select(self, dim, index):
        return index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return MaskedFill.apply(self, mask, value)

    def masked_fill_(self, mask, value):
        from .arithmetic import inplace
        return inplace(self, masked_fill, mask, value)

    def masked_select(self, mask):
        return masked_select(self, mask)

    def select(self, dim, index):
        return select(self, dim, index)

    def nonzero(self, *, as_tuple=False):
        return nonzero(self, as_tuple=as_tuple)

    def take(self, index):
        return take(self, index)
