"""Data types and PyTorch's type-promotion rules.

A chainrule ``dtype`` wraps a NumPy dtype and prints like PyTorch's
(``torch.float32``), so course output matches PyTorch's character for character.

Type promotion (``result_type``) follows PyTorch, which differs from NumPy:

* categories rank ``bool < integer < floating``;
* tensors with at least one dimension decide the result; 0-dim tensors and then
  Python scalars only matter when they belong to a *higher category*:

>>> import chainrule as torch
>>> (torch.tensor([1, 2]) * 2.5).dtype          # int tensor * Python float
torch.float32
>>> (torch.tensor([1.0]) * torch.tensor(2.0, dtype=torch.float64)).dtype
torch.float32
>>> (torch.tensor([1.0]) * torch.tensor([2.0], dtype=torch.float64)).dtype
torch.float64
"""
import numpy as np


class dtype:
    """The type of a tensor's elements, e.g. ``chainrule.float32``."""

    __slots__ = ("name", "numpy", "is_floating_point", "is_signed", "itemsize", "_rank")

    def __init__(self, name, numpy_dtype, is_floating_point, is_signed, rank):
        self.name = name
        self.numpy = np.dtype(numpy_dtype)
        self.is_floating_point = is_floating_point
        self.is_signed = is_signed
        self.itemsize = self.numpy.itemsize
        self._rank = rank            # 0 bool, 1 integer, 2 floating

    @property
    def is_complex(self):
        return False

    def to_real(self):
        return self

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))


bool_ = dtype("bool", np.bool_, False, False, 0)
uint8 = dtype("uint8", np.uint8, False, False, 1)
int8 = dtype("int8", np.int8, False, True, 1)
int16 = dtype("int16", np.int16, False, True, 1)
int32 = dtype("int32", np.int32, False, True, 1)
int64 = dtype("int64", np.int64, False, True, 1)
float16 = dtype("float16", np.float16, True, True, 2)
float32 = dtype("float32", np.float32, True, True, 2)
float64 = dtype("float64", np.float64, True, True, 2)

ALL_DTYPES = (bool_, uint8, int8, int16, int32, int64, float16, float32, float64)

# NumPy dtype -> chainrule dtype. Keyed by the NumPy dtype object for the hot path.
_FROM_NUMPY = {d.numpy: d for d in ALL_DTYPES}


def _dtype_by_name(name):
    return {d.name: d for d in ALL_DTYPES}[name]


def from_numpy_dtype(np_dtype):
    """The chainrule dtype of a NumPy dtype; TypeError for types PyTorch lacks."""
    try:
        return _FROM_NUMPY[np_dtype]
    except KeyError:
        name = np.dtype(np_dtype).type.__name__           # float64, object_, str_, ...
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{name}. The only supported types are:"
            " float64, float32, float16, complex64, complex128, int64, "
            "int32, int16, int8, uint64, uint32, uint16, uint8, and bool.") from None


class _Defaults:
    """The default floating dtype (``set_default_dtype``)."""
    float = float32


DEFAULTS = _Defaults()


def get_default_dtype():
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return DEFAULTS.float


def set_default_dtype(d):
    """Set the dtype of tensors made from Python floats: float32 or float64."""
    if d not in (float32, float64, float16):
        raise TypeError("only floating-point types are supported as the default type")
    DEFAULTS.float = d


_LEGACY_NAMES = {
    "float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
    "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor",
    "int8": "CharTensor", "uint8": "ByteTensor", "bool": "BoolTensor",
}


def legacy_type_name(d):
    """PyTorch's old type string, as in ``x.type()``: ``'torch.FloatTensor'``."""
    return "torch." + _LEGACY_NAMES[d.name]


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to without losing range.

    >>> import chainrule as torch
    >>> torch.promote_types(torch.int32, torch.float32)
    torch.float32
    >>> torch.promote_types(torch.uint8, torch.int8)
    torch.int16
    """
    if a is b:
        return a
    if a._rank != b._rank:
        hi, lo = (a, b) if a._rank > b._rank else (b, a)
        return hi
    if a is bool_:
        return b
    return _FROM_NUMPY[np.promote_types(a.numpy, b.numpy)]


def scalar_dtype(value):
    """The dtype PyTorch gives a Python scalar: bool, int64 or the default float."""
    if isinstance(value, bool):
        return bool_
    if isinstance(value, int):
        return int64
    return DEFAULTS.float


def result_type(*operands):
    """PyTorch's promotion for a mix of tensors and Python scalars.

    Three tiers: tensors with dims, 0-dim tensors, Python scalars. A lower tier
    changes the result only when it is of a higher category (bool < int < float).
    """
    tiers = [None, None, None]
    for x in operands:
        if hasattr(x, "_data"):
            d = x.dtype
            tier = 0 if x._data.ndim else 1
        else:
            d = scalar_dtype(x)
            tier = 2
        cur = tiers[tier]
        tiers[tier] = d if cur is None else promote_types(cur, d)
    result = None
    for d in tiers:
        if d is None:
            continue
        if result is None:
            result = d
        elif d._rank > result._rank:
            result = promote_types(result, d)
    return result
