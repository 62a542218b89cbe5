"""Batches of sequences of different lengths: padding and packing.

A batch of B sentences of lengths L_0 >= L_1 >= ... can be stored two ways.

*Padded*: one tensor (T, B, *) with T = max length, the short sequences filled
up with ``padding_value``. Simple, but an RNN would also read the padding.

*Packed*: only the real steps, time step by time step. At step t the batch
holds the ``batch_sizes[t]`` sequences that are still running, so

    data = [x_0[0], x_1[0], x_2[0],   x_0[1], x_1[1],   x_0[2]]   (lengths 3, 2, 1)
    batch_sizes = [3, 2, 1]

An RNN fed a ``PackedSequence`` runs step t on the first ``batch_sizes[t]`` rows
only, so every sequence stops at its true length. Packing needs the batch sorted
by decreasing length; with ``enforce_sorted=False`` the batch is sorted for you
(``sorted_indices``) and ``unsorted_indices`` puts the results back in your order.

Every function here is a gather with an index array (``x[index]``), so gradients
flow back to the padded or packed inputs by the ordinary indexing derivative.

>>> import chainrule as torch
>>> from chainrule.nn.utils.rnn import pack_sequence, pad_packed_sequence
>>> packed = pack_sequence([torch.tensor([1., 2., 3.]), torch.tensor([4., 5.])])
>>> packed.data, packed.batch_sizes
(tensor([1., 4., 2., 5., 3.]), tensor([2, 2, 1]))
>>> pad_packed_sequence(packed, batch_first=True)
(tensor([[1., 2., 3.],
        [4., 5., 0.]]), tensor([3, 2]))
"""
from collections import namedtuple
from collections.abc import Iterable

import numpy as np

from ... import _dtype, _factories
from ..._ops.joining import cat
from ..._tensor import Tensor, TensorBase
from ...autograd.graph import Node

_make = TensorBase._make

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence",
           "pad_packed_sequence", "pad_sequence", "unpad_sequence", "pack_sequence",
           "unpack_sequence"]

_PackedSequenceFields = namedtuple("PackedSequence_",
                                   ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


class PackedSequence(_PackedSequenceFields):
    """The packed form of a batch of sequences (see the module docstring).

    Fields: ``data`` (sum of lengths, *), ``batch_sizes`` (int64, one per time step),
    ``sorted_indices`` / ``unsorted_indices`` (int64 permutations, or None when the
    batch was already sorted). Make one with ``pack_padded_sequence`` or
    ``pack_sequence`` rather than by hand.
    """

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:     # PackedSequence((data, batch_sizes)) also works
            if not (isinstance(data, (list, tuple)) and len(data) == 2):
                raise AssertionError("Expected data to be a list or tuple of length 2")
            data, batch_sizes = data
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def to(self, *args, **kwargs):
        """A copy with ``data`` converted (the index tensors stay int64)."""
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def cpu(self, *args, **kwargs):
        return self

    def cuda(self, *args, **kwargs):
        return self.to("cuda")

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    def half(self):
        return self.to(dtype=_dtype.float16)

    def long(self):
        return self.to(dtype=_dtype.int64)

    def int(self):
        return self.to(dtype=_dtype.int32)

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


class PackPaddedSequence(Node):
    """data[k] = input[time[k], seq[k]]: the real steps of a padded (T, B, *) batch.

    Backward: each row of the gradient goes back to the slot it was read from;
    the padding slots, never read, get zero.
    """
    torch_name = "PackPaddedSequenceBackward0"

    def forward(self, input, time, seq):
        self.time, self.seq, self.slots = time, seq, input._data.shape[:2]
        return input._data[time, seq]

    def backward(self, grad):
        return _place_rows(grad, self.time, self.seq, self.slots, 0)


def _place_rows(data, time, seq, slots, padding_value):
    """A (*slots, *) tensor with row data[k] at (time[k], seq[k]), padding elsewhere.

    Built as a lookup, so that it is differentiable: every slot reads a row of
    ``data`` extended by one extra row holding ``padding_value``.
    """
    index = np.full(slots, data.shape[0], dtype=np.int64)
    index[time, seq] = np.arange(data.shape[0])
    pad_row = _factories.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype)
    return cat([data, pad_row])[_make(index)]


def invert_permutation(permutation):
    """The permutation q with q[p[i]] = i (None stays None)."""
    if permutation is None:
        return None
    p = permutation._data
    inverse = np.empty_like(p)
    inverse[p] = np.arange(p.size, dtype=p.dtype)
    return _make(inverse)


def _lengths_array(lengths):
    """``lengths`` (a list or a tensor) as a 1-D int64 NumPy array, checked as PyTorch does."""
    if isinstance(lengths, Tensor):
        array = lengths._data.astype(np.int64)
    else:
        array = np.asarray(lengths, dtype=np.int64)
    if array.ndim != 1:
        raise RuntimeError("'lengths' argument should be a 1D CPU int64 tensor, but got "
                           f"{array.ndim}D cpu Long tensor")
    return array


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) (or (B, T, *) with ``batch_first``).

    ``lengths[b]`` is the true length of sequence b. With ``enforce_sorted=True``
    they must be decreasing; otherwise the batch is sorted first and the
    permutation is kept in ``sorted_indices``.
    """
    lengths = _lengths_array(lengths)
    sorted_indices = None
    if not enforce_sorted:
        order = _factories.as_tensor(lengths).sort(descending=True)
        lengths, sorted_indices = order.values._data, order.indices
        input = input.index_select(0 if batch_first else 1, sorted_indices)
    if batch_first:
        input = input.transpose(0, 1)
    batch = input.shape[1]
    if lengths.size != batch:
        raise RuntimeError("Expected `len(lengths)` to be equal to batch_size, but got "
                           f"{lengths.size} (batch_size={batch})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an "
                           "element in 'lengths' that is <= 0")
    if np.any(np.diff(lengths) > 0):
        raise RuntimeError(
            "`lengths` array must be sorted in decreasing order when `enforce_sorted` is "
            "True. You can pass `enforce_sorted=False` to pack_padded_sequence and/or "
            "pack_sequence to sidestep this requirement if you do not need ONNX exportability.")
    if lengths[0] > input.shape[0]:
        # PyTorch reads past the end of the tensor here; chainrule refuses instead
        raise RuntimeError(f"a length of {lengths[0]} is longer than the {input.shape[0]} "
                           "padded time steps")
    # (t, b) pairs with t < lengths[b], in row-major order: time step by time step,
    # and within a step the running sequences in batch order -- exactly the packed order
    steps = np.arange(lengths[0])
    time, seq = np.nonzero(steps[:, None] < lengths[None, :])
    data = PackPaddedSequence.apply(input, time=time, seq=seq)
    batch_sizes = (steps[:, None] < lengths[None, :]).sum(axis=1).astype(np.int64)
    return PackedSequence(data, _make(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo ``pack_padded_sequence``: returns (padded tensor, lengths), in the original
    batch order. ``total_length`` pads to that many steps instead of the longest."""
    data, batch_sizes = sequence.data, sequence.batch_sizes._data
    steps = len(batch_sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in "
                f"input, but got total_length={total_length} and max sequence length being "
                f"{steps}")
        steps = total_length
    batch = int(batch_sizes[0])
    # sequence b runs for as many steps as have more than b sequences in them
    lengths = (batch_sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1).astype(np.int64)
    time, seq = np.nonzero(np.arange(len(batch_sizes))[:, None] < lengths[None, :])
    if batch_first:
        time, seq, steps, batch = seq, time, batch, steps
    padded = _place_rows(data, time, seq, (steps, batch), padding_value)
    lengths = _make(lengths)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(0 if batch_first else 1, sequence.unsorted_indices)
        lengths = _make(lengths._data[sequence.unsorted_indices._data])
    return padded, lengths


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences of shapes (L_i, *) into one (T, B, *) tensor, T = max L_i,
    filling the gaps with ``padding_value`` (on the right, or on the left)."""
    if not isinstance(sequences, Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg "
                           f"of type: {type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError("Expected padding_side to be one of left or right, but got "
                           f"{padding_side}.")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences:
        for d, (a, b) in enumerate(zip(trailing, s.shape[1:]), start=1):
            if a != b:
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of "
                                   f"tensor b ({b}) at non-singleton dimension {d}")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    steps = int(lengths.max())
    # row j of sequence b lands at step j (right padding) or j + steps - L_b (left)
    shift = np.zeros_like(lengths) if padding_side == "right" else steps - lengths
    time = np.concatenate([first + np.arange(n) for first, n in zip(shift, lengths)])
    seq = np.repeat(np.arange(len(sequences)), lengths)
    slots = (steps, len(sequences))
    if batch_first:
        time, seq, slots = seq, time, slots[::-1]
    return _place_rows(cat(list(sequences)), time, seq, slots, padding_value)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences in a padded batch, each cut to its length."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[b, :int(n)] for b, n in enumerate(_lengths_array(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (L_i, *): ``pad_sequence`` then ``pack_padded_sequence``."""
    lengths = [s.size(0) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences in a ``PackedSequence``, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
