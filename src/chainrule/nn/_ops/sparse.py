"""Lookups by index: ``embedding`` and ``one_hot``.

An embedding is a table W of vectors, one row per token id; ``embedding(ids, W)``
is just ``W[ids]``. Its gradient sends each output row's gradient back to the row
it was read from, adding when an id occurs more than once:

    dL/dW[k] = sum of dL/dy[n] over the positions n where ids[n] == k

(the row ``padding_idx``, if given, gets no gradient).

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> W = torch.tensor([[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]], requires_grad=True)
>>> F.embedding(torch.tensor([2, 1, 2]), W).sum().backward()
>>> W.grad
tensor([[0., 0.],
        [1., 1.],
        [2., 2.]])
"""
import numpy as np

from ...autograd import grad_mode
from ...autograd.graph import Node
from ..._tensor import TensorBase

_make = TensorBase._make


class Embedding(Node):
    """y[n] = W[ids[n]];   dL/dW[k] = sum of dL/dy[n] where ids[n] == k."""
    torch_name = "EmbeddingBackward0"

    def forward(self, weight, ids, padding_idx, scale_grad_by_freq):
        self.ids, self.num_weights = ids, weight._data.shape[0]
        self.padding_idx, self.scale = padding_idx, scale_grad_by_freq
        return weight._data[ids]

    def backward(self, grad):
        return EmbeddingDenseBackward.apply(grad, ids=self.ids, num_weights=self.num_weights,
                                            padding_idx=self.padding_idx, scale=self.scale)


class EmbeddingDenseBackward(Node):
    """The gradient of embedding: scatter-add rows into a zero table (linear in its input,
    so its own derivative is another lookup)."""
    torch_name = "EmbeddingDenseBackwardBackward0"

    def forward(self, grad, ids, num_weights, padding_idx, scale):
        self.ids, self.padding_idx = ids, padding_idx
        dim = grad._data.shape[-1]
        rows = grad._data.reshape(-1, dim)
        flat = ids.reshape(-1)
        keep = flat != padding_idx
        if scale:
            counts = np.bincount(flat, minlength=num_weights)
            rows = rows / counts[flat][:, None].astype(rows.dtype)
        table = np.zeros((num_weights, dim), grad._data.dtype)
        np.add.at(table, flat[keep], rows[keep])
        return table

    def backward(self, grad_grad):
        out = grad_grad[_make(self.ids)]
        if self.padding_idx >= 0:
            out = out.masked_fill(_make(self.ids == self.padding_idx).unsqueeze(-1), 0)
        return out


def _renorm_rows(weight, ids, max_norm, norm_type):
    """Rescale, in place, each looked-up row whose norm exceeds ``max_norm``."""
    w = weight._data
    for k in np.unique(ids):
        norm = np.sum(np.abs(w[k]).astype(np.float64) ** norm_type) ** (1.0 / norm_type)
        if norm > max_norm:
            w[k] *= w.dtype.type(max_norm / (norm + 1e-7))
    weight._version_counter[0] += 1


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0,
              scale_grad_by_freq=False, sparse=False):
    """Rows of ``weight`` picked by the integer ids in ``input``: output shape is
    ``input.shape + (embedding_dim,)``."""
    if padding_idx is not None:
        if padding_idx > 0:
            assert padding_idx < weight.size(0), "Padding_idx must be within num_embeddings"
        elif padding_idx < 0:
            assert padding_idx >= -weight.size(0), "Padding_idx must be within num_embeddings"
            padding_idx = weight.size(0) + padding_idx
    else:
        padding_idx = -1
    ids = input._data
    if ids.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {input.type()} instead (while checking arguments for "
            "embedding)")
    if weight.dim() != 2:
        raise RuntimeError("'weight' must be 2-D")
    if ids.size and (ids.min() < 0 or ids.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        with grad_mode.no_grad():
            _renorm_rows(weight, ids, max_norm, norm_type)
    return Embedding.apply(weight, ids=ids.astype(np.int64), padding_idx=padding_idx,
                           scale_grad_by_freq=scale_grad_by_freq)


def one_hot(tensor, num_classes=-1):
    """Integer class ids -> rows of 0s with a 1 at the id (int64, shape ``(*, num_classes)``)."""
    ids = tensor._data
    if ids.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if ids.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(ids.max()) + 1
    if ids.size:
        if ids.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if ids.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(ids.shape + (num_classes,), np.int64)
    np.put_along_axis(out, ids[..., None], 1, axis=-1)
    return _make(out)
