"""Collation: turning a list of samples into one batch.

The DataLoader fetches ``batch_size`` samples and hands the list to
``collate_fn``. The default, :func:`default_collate`, looks at the *first*
sample and recurses through its structure:

=====================  ==============================================
each sample is         the batch is
=====================  ==============================================
Tensor                 ``torch.stack(samples)`` (a new dimension 0)
NumPy array            the arrays as tensors, stacked
NumPy scalar           ``torch.as_tensor(samples)``
float                  a float64 tensor (not float32!)
int (and bool)         an int64 (bool) tensor
str, bytes             the list, unchanged
dict                   a dict of batches, key by key
namedtuple             the same namedtuple of batches, field by field
tuple, list            a *list* of batches, position by position
=====================  ==============================================

>>> import chainrule as torch
>>> default_collate([(torch.tensor([1.0, 2.0]), 0), (torch.tensor([3.0, 4.0]), 1)])
[tensor([[1., 2.],
        [3., 4.]]), tensor([0, 1])]
>>> default_collate([{"x": 1.5, "name": "a"}, {"x": 2.5, "name": "b"}])
{'x': tensor([1.5000, 2.5000], dtype=torch.float64), 'name': ['a', 'b']}
"""
import collections.abc
import copy
import re

import numpy as np

from ..._dtype import float64
from ..._factories import as_tensor, tensor
from ..._ops.joining import stack
from ..._tensor import Tensor

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map"]

# NumPy dtype codes for bytes, str and object arrays: these cannot become tensors.
np_str_obj_array_pattern = re.compile(r"[SaUO]")

default_collate_err_msg_format = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, "
    "dicts or lists; found {}")


def default_convert(data):
    """Turn NumPy arrays (also inside dicts, lists, tuples) into tensors; nothing else.

    The DataLoader's ``collate_fn`` when batching is off (``batch_size=None``).

    >>> import numpy as np
    >>> default_convert({"a": np.array([1, 2]), "b": 3})
    {'a': tensor([1, 2]), 'b': 3}
    """
    elem_type = type(data)
    if isinstance(data, Tensor):
        return data
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if (elem_type.__name__ == "ndarray"
                and np_str_obj_array_pattern.search(data.dtype.str) is not None):
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_mapping(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):          # namedtuple
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]       # a list, as PyTorch does
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_sequence(data, [default_convert(d) for d in data])
    return data


def _rebuild_mapping(example, items):
    """A mapping of the same type as ``example`` holding ``items`` (or a dict)."""
    try:
        if isinstance(example, collections.abc.MutableMapping):
            clone = copy.copy(example)
            clone.update(items)
            return clone
        return type(example)(items)
    except TypeError:
        return items            # the type cannot be rebuilt this way: a plain dict


def _rebuild_sequence(example, items):
    """A sequence of the same type as ``example`` holding ``items`` (or a list)."""
    try:
        if isinstance(example, collections.abc.MutableSequence):
            clone = copy.copy(example)
            for i, item in enumerate(items):
                clone[i] = item
            return clone
        return type(example)(items)
    except TypeError:
        return items


def collate(batch, *, collate_fn_map=None):
    """Collate ``batch`` (a list of samples), choosing a rule by the first sample's type.

    ``collate_fn_map`` maps a type (or tuple of types) to a function
    ``f(batch, *, collate_fn_map)``; an exact type match wins, then the first
    ``isinstance`` match in insertion order. Containers are handled here by
    recursing into them.
    """
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        items = {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                 for key in elem}
        return _rebuild_mapping(elem, items)
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):          # namedtuple
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map)
                           for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if not all(len(sample) == elem_size for sample in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        # Transpose: [(x0, y0), (x1, y1)] -> [(x0, x1), (y0, y1)], then collate each
        # (a column of strings stays a tuple, as in PyTorch).
        columns = [collate(samples, collate_fn_map=collate_fn_map)
                   for samples in zip(*batch)]
        if isinstance(elem, tuple):
            return columns                # a list, as PyTorch does
        return _rebuild_sequence(elem, columns)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """Tensors of equal shape -> one tensor with a new leading batch dimension."""
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map=None):
    # Python floats are double precision, so PyTorch keeps them as float64.
    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


# Insertion order matters for the isinstance fallback: bool is an int, so
# [True, False] reaches collate_int_fn and becomes a bool tensor.
default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch (see the table in the module docstring).

    >>> import chainrule as torch
    >>> default_collate([0, 1, 2, 3])
    tensor([0, 1, 2, 3])
    >>> default_collate([[0, 1], [2, 3]])       # lists are transposed
    [tensor([0, 2]), tensor([1, 3])]
    """
    return collate(batch, collate_fn_map=default_collate_fn_map)
