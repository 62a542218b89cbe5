"""chainrule: PyTorch's API on NumPy alone, for learning how neural networks learn.

``import chainrule as torch`` and the course's PyTorch code runs unchanged and
prints PyTorch's numbers:

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> l = (w * 2.0 - 4.0) ** 2
>>> l.backward()
>>> w.grad
tensor([-8.])

``python -m chainrule run script.py`` runs an unmodified ``import torch`` script
with chainrule in torch's place.
"""
import math as _math
import warnings as _warnings

# NumPy warns on overflow and 0/0; PyTorch silently gives inf and nan. Silence
# those warnings for chainrule's own code only (zero cost on the hot path).
_warnings.filterwarnings("ignore", category=RuntimeWarning, module=r"chainrule\.")

from . import _dtype, return_types
from ._dtype import (bool_ as bool, dtype, float16, float32, float64, get_default_dtype,
                     int8, int16, int32, int64, promote_types, set_default_dtype, uint8)
from ._size import Size, device
from ._tensor import Tensor
from ._tensor_str import get_printoptions, set_printoptions
from . import autograd
from .autograd import Function
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled,
                                 is_inference_mode_enabled, no_grad, set_grad_enabled)
from ._factories import (BoolTensor, ByteTensor, CharTensor, DoubleTensor, FloatTensor,
                         HalfTensor, IntTensor, LongTensor, ShortTensor, arange, as_tensor,
                         asarray, empty, empty_like, eye, from_numpy, full, full_like,
                         linspace, logspace, ones, ones_like, tensor, zeros, zeros_like)
from ._ops.arithmetic import (add, div, divide, mul, multiply, neg, negative, pow, reciprocal,
                              rsub, square, sub, subtract, true_divide)
from ._ops.comparison import (allclose, eq, equal, ge, greater, greater_equal, gt, isclose,
                              isfinite, isinf, isnan, le, less, less_equal, logical_and,
                              logical_not, logical_or, logical_xor, lt, ne, not_equal)
from ._ops.conversion import clone
from ._ops.elementwise import (abs, absolute, ceil, cos, exp, expm1, fix, floor, log, log1p,
                               log2, log10, relu, round, rsqrt, sigmoid, sign, sin, sqrt, tan,
                               tanh, trunc)
from ._ops.indexing import (gather, index_select, masked_fill, masked_select, nonzero,
                            scatter, scatter_add, select, take)
from ._ops.joining import cat, chunk, concat, concatenate, hstack, split, stack, unbind, vstack
from ._ops.linalg import bmm, dot, einsum, ger, inner, matmul, mm, mv, outer
from ._ops.reduction import (all, amax, amin, any, argmax, argmin, count_nonzero, cumsum, max,
                             mean, min, norm, prod, std, sum, var)
from ._ops.remainder import floor_divide, fmod, remainder
from ._ops.selection import clamp, clamp_max, clamp_min, clip, lerp, maximum, minimum, where
from ._ops.shape import (flatten, flip, movedim, narrow, permute, reshape, squeeze, swapaxes,
                         swapdims, t, transpose, unflatten, unsqueeze)
from ._ops.softmax import log_softmax, logsumexp, softmax
from ._ops.sorting import argsort, sort, topk
from ._random_ops import (bernoulli, multinomial, normal, rand, rand_like, randint,
                         randint_like, randn, randn_like, randperm)
from ._generator import Generator, default_generator
from .random import get_rng_state, initial_seed, manual_seed, seed, set_rng_state
from . import random

__version__ = "0.1.0"

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan
float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
uint8 = uint8
strided = "torch.strided"


def numel(input):
    """The number of elements of ``input``."""
    return input.numel()


def is_tensor(obj):
    """True when ``obj`` is a chainrule Tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def detach(input):
    return input.detach()


def result_type(tensor1, tensor2):
    """The dtype PyTorch's promotion gives an op between the two arguments."""
    return _dtype.result_type(tensor1, tensor2)


def can_cast(from_, to):
    import numpy as _np
    return bool(_np.can_cast(from_.numpy, to.numpy, "same_kind"))


def set_num_threads(n):
    """Accepted for compatibility; NumPy's BLAS decides its own threading."""


def get_num_threads():
    import os as _os
    return _os.cpu_count() or 1


from . import cuda, backends  # noqa: E402  (they use the names above)
from . import hints  # noqa: E402  (errors that teach: issue 6)
from .hints import get_language, set_hints, set_language  # noqa: E402
from .autograd.anomaly_mode import (is_anomaly_check_nan_enabled,  # noqa: E402
                                     is_anomaly_enabled)
hints.install()  # hints on uncaught errors: wraps sys.excepthook if still the default
from .teach import teach  # noqa: E402  (teaching mode; CHAINRULE_TEACH=1 turns it on)

# The larger subpackages load on first use (``torch.nn`` in a script, ``import
# chainrule.nn``, ``from chainrule import optim``), so that ``import chainrule`` stays
# about as fast as ``import numpy``. After the first use they are ordinary attributes.
_SUBMODULES = {"nn", "optim", "utils", "serialization", "explain", "vision"}
_FROM_SUBMODULE = {"save": "serialization", "load": "serialization"}


def __getattr__(name):
    """Load a subpackage on first use; a plain error for what chainrule does not provide."""
    import importlib
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM_SUBMODULE:
        return getattr(importlib.import_module(f"{__name__}.{_FROM_SUBMODULE[name]}"), name)
    if name.startswith("__"):
        raise AttributeError(name)
    raise AttributeError(f"torch.{name} is not provided by chainrule")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_FROM_SUBMODULE))
