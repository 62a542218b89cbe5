"""Tensors inside a checkpoint: storages out when saving, back in when loading.

``chainrule.serialization`` handles the zip file; this file handles what its
pickle says about tensors, in two parts:

* :class:`StorageTable` (saving) finds the block of memory each tensor views,
  gives every block a key (``'0'``, ``'1'``, ...) and describes the tensor as
  ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)``;
* :class:`TensorRebuilder` (loading) reads the blocks back from the zip and
  rebuilds each tensor as a NumPy view of its block (so views share memory
  again), checking every offset and stride against the block's size first;

Which names a checkpoint's pickle may use at all is decided in
``chainrule/serialization.py`` (its ``Gatekeeper``).

>>> import numpy as np
>>> block = np.zeros((2, 3))
>>> root, offset, strides = storage_view(block[:, 1])      # a column: stride 3
>>> root is block, offset, strides
(True, 1, (3,))
"""
import collections
import pickle

import numpy as np

from .._dtype import ALL_DTYPES, dtype as dtype_class
from .._size import Size, device
from .._tensor import Tensor
from ._pickle import Global, PersistentId, Reduce, reduce_by_protocol

CORRUPTED = ("This is an internal miniz error. If you are seeing this error, there is a high "
             "likelihood that your checkpoint file is corrupted. This can happen if the "
             "checkpoint was not saved properly, was transferred incorrectly, or the file was "
             "modified after saving.")

# PyTorch's legacy storage class for each dtype: the storage type in a persistent id.
STORAGE_NAMES = {"float64": "DoubleStorage", "float32": "FloatStorage", "float16": "HalfStorage",
                 "int64": "LongStorage", "int32": "IntStorage", "int16": "ShortStorage",
                 "int8": "CharStorage", "uint8": "ByteStorage", "bool": "BoolStorage"}
# Storage types PyTorch may write whose dtypes chainrule does not have.
FOREIGN_STORAGES = ("BFloat16Storage", "ComplexFloatStorage", "ComplexDoubleStorage",
                    "QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage",
                    "QUInt2x4Storage", "UntypedStorage", "TypedStorage")


def parameter_class():
    """``chainrule.nn.Parameter`` (looked up late: nn imports far more than we need)."""
    from .. import nn
    return getattr(nn, "Parameter", None)


# ========================================================================== saving

def storage_view(arr):
    """``(root, offset, strides)``: the block of memory ``arr`` views, in elements.

    The root is the array that owns the memory (the end of the ``.base`` chain).
    An array PyTorch could not describe that way (negative strides, a root of
    another dtype) is saved as a contiguous copy: its own root, offset 0.
    """
    itemsize = arr.itemsize
    contiguous = _contiguous_strides(arr.shape)
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    # A dimension of length 1 never steps, so NumPy may give it any stride at all;
    # give it the contiguous one, as PyTorch would.
    strides = [c * itemsize if n <= 1 and (s < 0 or s % itemsize) else s
               for s, n, c in zip(arr.strides, arr.shape, contiguous)]
    fits = (arr.size > 0 and root.dtype == arr.dtype
            and (root.flags.c_contiguous or root.flags.f_contiguous)
            and start >= 0 and start % itemsize == 0
            and all(s >= 0 and s % itemsize == 0 for s in strides))
    if not fits:
        own = arr.copy() if arr.size == 0 else np.ascontiguousarray(arr)
        return own, 0, tuple(contiguous)
    return root, start // itemsize, tuple(s // itemsize for s in strides)


def _contiguous_strides(shape):
    """Row-major strides in elements: ``(2, 3, 4) -> (12, 4, 1)``."""
    strides, step = [], 1
    for n in reversed(shape):
        strides.append(step)
        step *= max(n, 1)
    return strides[::-1]


class StorageTable:
    """Gives each block of memory a key, and describes tensors for the pickle writer."""

    def __init__(self):
        self.keys = {}                     # id(root) -> key
        self.roots = {}                    # key -> root (kept alive until written)

    def translate(self, obj):
        """How to pickle ``obj``: a :class:`Reduce`, :class:`Global` or :class:`PersistentId`."""
        if isinstance(obj, Tensor):
            return self.describe_tensor(obj)
        if isinstance(obj, dtype_class):
            return Global("torch", obj.name)
        if isinstance(obj, Size):
            return Reduce(Global("torch", "Size"), (tuple(obj),))
        if isinstance(obj, device):
            return Reduce(Global("torch", "device"), (str(obj),))
        if type(obj) is collections.OrderedDict:
            # A module's state_dict carries a ``_metadata`` attribute: BUILD restores it.
            return Reduce(Global("collections", "OrderedDict"), (), state=vars(obj) or None,
                          dict_items=list(obj.items()))
        return reduce_by_protocol(obj)

    def describe_tensor(self, t):
        """``_rebuild_tensor_v2(...)`` (wrapped in ``_rebuild_parameter`` for a Parameter)."""
        arr = t._data
        if arr.dtype.name not in STORAGE_NAMES:
            raise RuntimeError(f"chainrule.save cannot save dtype {arr.dtype}")
        root, offset, strides = storage_view(arr)
        key = self.keys.get(id(root))
        if key is None:
            key = self.keys[id(root)] = str(len(self.keys))
            self.roots[key] = root
        storage = PersistentId(("storage", Global("torch", STORAGE_NAMES[arr.dtype.name]), key,
                                "cpu", root.size))
        parameter = parameter_class()
        is_parameter = parameter is not None and isinstance(t, parameter)
        rebuild = Reduce(Global("torch._utils", "_rebuild_tensor_v2"),
                         (storage, offset, tuple(arr.shape), strides,
                          t.requires_grad and not is_parameter, collections.OrderedDict()))
        if is_parameter:
            return Reduce(Global("torch._utils", "_rebuild_parameter"),
                          (rebuild, t.requires_grad, collections.OrderedDict()))
        return rebuild

    def records(self):
        """``(key, bytes)`` per storage: its memory, in memory order, little-endian."""
        for key, root in self.roots.items():
            flat = root.ravel(order="K")                  # memory order (C or F contiguous)
            yield key, flat.astype(flat.dtype.newbyteorder("<"), copy=False).tobytes()


# ========================================================================= loading

class StorageType:
    """What ``torch.FloatStorage`` and friends stand for in a pickle: just a dtype."""

    def __init__(self, name, np_dtype):
        self.name, self.np_dtype = name, np_dtype

    def __repr__(self):
        return f"<class 'torch.{self.name}'>"


class LoadedStorage:
    """One storage read from the zip: a flat, writable NumPy array."""

    def __init__(self, array):
        self.array = array


class TensorRebuilder:
    """Turns persistent ids into storages and rebuild calls into tensors."""

    def __init__(self, archive, prefix, byteorder, map_location):
        self.archive, self.prefix = archive, prefix
        self.byteorder = "<" if byteorder == "little" else ">"
        self.map_location = map_location
        self.storages = {}

    def persistent_load(self, pid):
        if isinstance(pid, tuple) and pid and isinstance(pid[0], bytes):
            pid = (pid[0].decode("ascii", "replace"),) + pid[1:]
        if not (type(pid) is tuple and len(pid) == 5 and pid[0] == "storage"):
            raise pickle.UnpicklingError("Only persistent_load of storage is allowed, but got "
                                         f"{pid!r:.80}")
        _, storage_type, key, location, numel = pid
        if not isinstance(storage_type, StorageType) or not isinstance(key, str):
            raise pickle.UnpicklingError(f"unsupported storage type {storage_type!r:.80}")
        if storage_type.np_dtype is None:
            raise RuntimeError(f"cannot load a tensor stored as torch.{storage_type.name}: "
                               "chainrule has no such dtype")
        if key not in self.storages:
            self.storages[key] = self.read_storage(key, storage_type.np_dtype, numel)
        storage = self.storages[key]
        self.check_location(storage, location)
        return storage

    def read_storage(self, key, np_dtype, numel):
        raw = read_record(self.archive, self.prefix, f"data/{key}")
        np_dtype = np.dtype(np_dtype)
        if not isinstance(numel, int) or len(raw) != numel * np_dtype.itemsize:
            raise RuntimeError(f"PytorchStreamReader failed reading file data/{key}: it holds "
                               f"{len(raw)} bytes, not {numel} elements of {np_dtype}. "
                               f"{CORRUPTED}")
        stored = np.frombuffer(raw, dtype=np_dtype.newbyteorder(self.byteorder))
        return LoadedStorage(stored.astype(np_dtype))        # a native, writable copy

    def check_location(self, storage, location):
        """Apply ``map_location``; chainrule has only the CPU to map to."""
        target, where = location, self.map_location
        if isinstance(where, dict):
            target = where.get(location, location)
        elif isinstance(where, (str, device)):
            target = str(where)
        elif callable(where):
            result = where(storage, location)
            target = location if result is None else "cpu"
        if str(target).startswith("cuda"):
            raise RuntimeError("Attempting to deserialize object on a CUDA device but "
                               "torch.cuda.is_available() is False. If you are running on a "
                               "CPU-only machine, please use torch.load with "
                               "map_location=torch.device('cpu') to map your storages to the "
                               "CPU.")
        if not str(target).startswith("cpu"):
            raise RuntimeError(f"chainrule has only the CPU, so it cannot load a storage onto "
                               f"{target!r}; pass map_location='cpu'")

    # ---- the rebuild functions a checkpoint calls (by PyTorch's names) -------------
    def rebuild_tensor_v2(self, storage, storage_offset, size, stride, requires_grad,
                          backward_hooks, metadata=None):
        """A tensor viewing ``storage``: every number is checked before NumPy sees it."""
        if not isinstance(storage, LoadedStorage):
            raise pickle.UnpicklingError("_rebuild_tensor_v2 expects a storage")
        if metadata:
            raise RuntimeError(f"chainrule cannot load tensors with metadata {metadata!r:.80}")
        size, stride = _int_tuple(size, "size"), _int_tuple(stride, "stride")
        if len(size) != len(stride) or not _is_count(storage_offset):
            raise RuntimeError(f"corrupted tensor record: size {size}, stride {stride}, "
                               f"offset {storage_offset!r:.40}")
        data = storage.array
        if 0 in size:
            arr = np.empty(size, dtype=data.dtype)
        else:
            last = storage_offset + sum((n - 1) * s for n, s in zip(size, stride))
            if last >= data.size:
                raise RuntimeError(f"corrupted tensor record: it reaches element {last} of a "
                                   f"storage of {data.size} elements")
            arr = np.ndarray(size, dtype=data.dtype, buffer=data,
                             offset=storage_offset * data.itemsize,
                             strides=tuple(s * data.itemsize for s in stride))
        t = Tensor._make(arr)
        if requires_grad is True:
            t.requires_grad_(True)
        return t

    def rebuild_tensor(self, storage, storage_offset, size, stride):
        return self.rebuild_tensor_v2(storage, storage_offset, size, stride, False, None)

    def rebuild_parameter(self, data, requires_grad, backward_hooks):
        parameter = parameter_class()
        if not isinstance(data, Tensor):
            raise pickle.UnpicklingError("_rebuild_parameter expects a tensor")
        if parameter is None:
            return data.detach().requires_grad_(bool(requires_grad))
        return parameter(data, bool(requires_grad))

    def rebuild_parameter_with_state(self, data, requires_grad, backward_hooks, state):
        return set_state(self.rebuild_parameter(data, requires_grad, backward_hooks), state)

    def rebuild_from_type_v2(self, func, new_type, args, state):
        """A tensor saved with extra attributes (or as a subclass)."""
        if func not in (self.rebuild_tensor_v2, self.rebuild_parameter, self.rebuild_tensor):
            raise pickle.UnpicklingError(f"_rebuild_from_type_v2 cannot call {func!r:.80}")
        result = func(*args)
        if new_type is parameter_class() and not isinstance(result, new_type):
            result = new_type(result, result.requires_grad)
        return set_state(result, state)


def set_state(obj, state):
    """Restore plain attributes (``__dict__`` and slots), refusing ``__dunder__`` names."""
    if isinstance(state, tuple) and len(state) == 2:
        dict_state, slot_state = state
    else:
        dict_state, slot_state = state, None
    for part in (dict_state, slot_state):
        for name, value in (part or {}).items():
            if not isinstance(name, str) or name.startswith("__"):
                raise pickle.UnpicklingError(f"refusing to set attribute {name!r:.40}")
            setattr(obj, name, value)
    return obj


def _is_count(n):
    return type(n) is int and n >= 0


def _int_tuple(values, what):
    if not isinstance(values, tuple) or not all(_is_count(v) for v in values):
        raise RuntimeError(f"corrupted tensor record: {what} {values!r:.80}")
    return values


def read_record(archive, prefix, name):
    """The bytes of ``prefix + name``, with PyTorch's errors for a missing or bad record."""
    try:
        return archive.read(prefix + name)
    except KeyError:
        raise RuntimeError(f"PytorchStreamReader failed locating file {name}: file not found. "
                           f"{CORRUPTED}") from None
    except Exception as error:           # zipfile: bad CRC, truncated data, bad header
        raise RuntimeError(f"PytorchStreamReader failed reading file {name}: {error}. "
                           f"{CORRUPTED}") from None


def archive_prefix(archive):
    """``'archive/'``: the folder of the first record (``torch.save`` names it freely)."""
    names = archive.namelist()
    if not names or "/" not in names[0]:
        raise RuntimeError(f"PytorchStreamReader failed reading zip archive: no records in a "
                           f"folder. {CORRUPTED}")
    return names[0].split("/", 1)[0] + "/"
