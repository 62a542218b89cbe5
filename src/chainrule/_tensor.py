"""The Tensor: a NumPy array plus what autograd needs to know about it.

A tensor holds

* ``_data``: the values, a NumPy ``ndarray`` (views share it, like PyTorch);
* ``grad_fn``: the graph node that produced it (``None`` for a leaf);
* ``requires_grad``: whether gradients should flow to it;
* ``grad``: for a leaf, the gradients accumulated by ``backward()``;
* ``_version_counter``: a one-element list shared with its views, bumped by every in-place
  change, so backward can tell when a value it saved was overwritten.

This file holds the core (construction, properties, autograd entry points,
conversions). The operations are mixed in from their families in ``_ops/``
at the bottom: ``Tensor.__add__`` lives beside ``Add`` in ``_ops/arithmetic.py``.

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> loss = (w * 2.0 - 4.0) ** 2
>>> loss
tensor([4.], grad_fn=<PowBackward0>)
>>> loss.backward()
>>> w.grad
tensor([-8.])
"""
import warnings

import numpy as np

from . import _dtype
from ._dtype import from_numpy_dtype, legacy_type_name
from ._size import CPU, Size, device as _device_class


_NDARRAY = np.ndarray
_new = object.__new__
_WARNED_SCALAR = []          # PyTorch's scalar-conversion warning is given once per process


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad "
    "attribute won't be populated during autograd.backward(). If you indeed want the .grad "
    "field to be populated for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. "
    "If you access the non-leaf Tensor by mistake, make sure you access the leaf Tensor "
    "instead. See github.com/pytorch/pytorch/pull/30531 for more information.")

_C_TYPE_NAMES = {"float64": "double", "float32": "float", "float16": "c10::Half",
                 "int64": "long int", "int32": "int", "int16": "short int",
                 "int8": "signed char", "uint8": "unsigned char", "bool": "bool"}
_SCALAR_TYPE_NAMES = {"float64": "Double", "float32": "Float", "float16": "Half",
                      "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                      "uint8": "Byte", "bool": "Bool"}


class TensorBase:
    """The core of ``chainrule.Tensor`` (see the module docstring)."""

    # ``_view``: None, or ``(base, version, creation)`` for a view (see autograd/views.py)
    __slots__ = ("_data", "_grad", "_grad_fn", "_requires_grad", "_version_counter",
                 "_output_nr", "_hooks", "_post_hooks", "_view", "__dict__", "__weakref__")

    def __hash__(self):
        """Tensors are hashed by identity, as in PyTorch (``==`` compares elementwise)."""
        return id(self)

    # ---- construction -----------------------------------------------------
    @staticmethod
    def _make(data, grad_fn=None, output_nr=0):
        """Wrap an ndarray without copying (the hot path of every op)."""
        if data.__class__ is not _NDARRAY:
            data = np.asarray(data)
        t = _new(Tensor)
        t._data = data
        t._grad_fn = grad_fn
        t._requires_grad = grad_fn is not None
        t._output_nr = output_nr
        t._grad = None
        t._version_counter = [0]
        t._hooks = None
        t._post_hooks = None
        t._view = None
        return t

    def __new__(cls, *args, device=None):
        """``torch.Tensor(data)`` or ``torch.Tensor(*size)``: the default float dtype.

        ``torch.Tensor(other_tensor)`` shares ``other_tensor``'s memory and dtype.
        """
        from ._factories import legacy_new
        t = _new(cls)
        t._data = legacy_new(args, None, device)
        t._grad_fn = None
        t._requires_grad = False
        t._output_nr = 0
        t._grad = None
        t._version_counter = [0]
        t._hooks = None
        t._post_hooks = None
        t._view = None
        return t

    # ---- properties -------------------------------------------------------
    @property
    def shape(self):
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
            from ._factories import type_name
            raise TypeError(f"size(): argument 'dim' (position 1) must be int, not "
                            f"{type_name(dim)}")
        if self._data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[self._wrap_dim(dim)]

    @property
    def dtype(self):
        return from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    @property
    def layout(self):
        return "torch.strided"

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def stride(self, dim=None):
        strides = tuple(s // self._data.itemsize for s in self._data.strides)
        return strides if dim is None else strides[self._wrap_dim(dim)]

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_complex(self):
        return False

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def _wrap_dim(self, dim, ndim=None):
        """A dim in [-n, n) made non-negative, with PyTorch's IndexError otherwise."""
        n = self._data.ndim if ndim is None else ndim
        lo, hi = (-1, 0) if n == 0 else (-n, n - 1)
        if not isinstance(dim, (int, np.integer)) or not lo <= dim <= hi:
            if isinstance(dim, (int, np.integer)):
                raise IndexError(f"Dimension out of range (expected to be in range of "
                                 f"[{lo}, {hi}], but got {dim})")
            raise TypeError(f"dim must be an int, not {type(dim).__name__}")
        return dim % n if n else 0

    # ---- autograd -----------------------------------------------------------
    @property
    def grad_fn(self):
        """The node that produced this tensor (``None`` for a leaf).

        A view whose base was changed in place since gets its ``grad_fn`` rebuilt
        here, on first use (``autograd/views.py`` says why).
        """
        view = self._view
        if view is not None and view[1] != self._version_counter[0]:
            _views.refresh(self)
        return self._grad_fn

    @property
    def _base(self):
        """The tensor whose memory this view shares (``None`` when it is not a view)."""
        return None if self._view is None else self._view[0]

    @property
    def requires_grad(self):
        # a view of a tensor that requires grad does too, even one made under no_grad
        return self._requires_grad or (self._view is not None and self._view[0]._requires_grad)

    @requires_grad.setter
    def requires_grad(self, flag):
        if self.grad_fn is not None:
            msg = "you can only change requires_grad flags of leaf variables."
            if not flag:
                msg += (" If you want to use a computed variable in a subgraph that doesn't "
                        "require differentiation use var_no_grad = var.detach().")
            raise RuntimeError(msg)
        if flag and self._data.dtype.kind != "f":
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(flag)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return the tensor."""
        if not isinstance(requires_grad, bool):
            from ._factories import type_name
            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be "
                            f"bool, not {type_name(requires_grad)}")
        if self.grad_fn is not None and not requires_grad:
            self.requires_grad = requires_grad
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if self.grad_fn is None:
            self._requires_grad = bool(requires_grad)
        return self

    @property
    def _version(self):
        """How many in-place changes this tensor's memory has seen (shared with views)."""
        return self._version_counter[0]

    @property
    def is_leaf(self):
        """True for tensors not produced by a recorded op (``grad_fn is None``)."""
        return self.grad_fn is None

    @property
    def grad(self):
        if self.grad_fn is not None and not self.retains_grad:
            warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, TensorBase):
                from ._factories import type_name
                raise TypeError(f"assigned grad expected to be a Tensor or None but got "
                                f"grad of type {type_name(value)}")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype "
                    f"'{_C_TYPE_NAMES[value.dtype.name]}' to a tensor with grad_dtype "
                    f"'{_SCALAR_TYPE_NAMES[self.dtype.name]}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype). You can set the "
                    "tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor "
                    "and its gradient may break downstream systems that assume they match.")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to "
                    f"a tensor of size '{list(self._data.shape)}'. Please ensure that the "
                    "gradient and the tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def retains_grad(self):
        fn = self.grad_fn
        return fn is not None and bool(fn._retained) and self._output_nr in fn._retained

    def retain_grad(self):
        """Keep the gradient of this non-leaf tensor in ``.grad`` after backward."""
        import weakref
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        fn = self.grad_fn
        if fn is None:
            return
        if fn._retained is None:
            fn._retained = {}
        fn._retained[self._output_nr] = weakref.ref(self)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor with respect to the graph's leaves.

        The gradients are *added* to each leaf's ``.grad``; call ``zero_()`` (or an
        optimizer's ``zero_grad()``) between steps. See ``chainrule.autograd.backward``.
        """
        if (gradient is None and inputs is None and not create_graph and self._view is None
                and self._grad_fn is not None and self._data.size == 1):
            # The common call, ``loss.backward()`` on a scalar: its checks all pass, so
            # straight to the engine with the starting gradient 1.
            one = TensorBase._make(_engine.ones_like(self._data))
            _engine.run_backward((self,), (one,), bool(retain_graph), False)
            return
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed.

        The hook may return a new gradient to use instead.
        """
        from .autograd.graph import _RemovableHandle, _pre_hooks
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        fn = self.grad_fn
        if fn is None:
            if self._hooks is None:
                self._hooks = []
            self._hooks.append(hook)
            return _RemovableHandle(self._hooks, hook)
        nr = self._output_nr

        def tensor_hook(grads):
            new = hook(grads[nr])
            if new is None:
                return None
            grads = list(grads)
            grads[nr] = new
            return grads
        _pre_hooks(fn).append(tensor_hook)
        return _RemovableHandle(fn._pre_hooks, tensor_hook)

    def register_post_accumulate_grad_hook(self, hook):
        from .autograd.graph import _RemovableHandle
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _RemovableHandle(self._post_hooks, hook)

    @property
    def data(self):
        """The same values as a tensor outside the graph (shares memory, not tracked)."""
        t = Tensor._make(self._data)
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, TensorBase):
            from ._factories import type_name
            raise TypeError(f"Variable data has to be a tensor, but got {type_name(value)}")
        if self._requires_grad and value._data.dtype.kind != "f":
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        self._data = value._data

    def detach(self):
        """A tensor with the same values, cut from the graph (shares memory and version)."""
        t = Tensor._make(self._data)
        t._version_counter = self._version_counter
        return t

    def detach_(self):
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ---- conversions ----------------------------------------------------------
    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.item() if self._data.ndim == 0 else self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        """The values as a NumPy array sharing memory with the tensor."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data if dtype is None else self._data.astype(dtype)

    def type(self, dtype=None, non_blocking=False):
        """``x.type()`` is ``'torch.FloatTensor'``; ``x.type(torch.float64)``,
        ``x.type('torch.DoubleTensor')`` and ``x.type(torch.DoubleTensor)`` convert."""
        if dtype is None:
            return legacy_type_name(self.dtype)
        dtype = getattr(dtype, "dtype", dtype)          # torch.DoubleTensor and friends
        if isinstance(dtype, str):
            names = {legacy_type_name(d): d for d in _dtype.ALL_DTYPES}
            if dtype not in names:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = names[dtype]
        return self.to(dtype)

    def cpu(self, memory_format=None):
        return self

    def cuda(self, device=None, non_blocking=False):
        raise AssertionError("Torch not compiled with CUDA enabled")

    def float(self, memory_format=None):
        return self.to(_dtype.float32)

    def double(self, memory_format=None):
        return self.to(_dtype.float64)

    def half(self, memory_format=None):
        return self.to(_dtype.float16)

    def long(self, memory_format=None):
        return self.to(_dtype.int64)

    def int(self, memory_format=None):
        return self.to(_dtype.int32)

    def short(self, memory_format=None):
        return self.to(_dtype.int16)

    def char(self, memory_format=None):
        return self.to(_dtype.int8)

    def byte(self, memory_format=None):
        return self.to(_dtype.uint8)

    def bool(self, memory_format=None):
        return self.to(_dtype.bool_)

    def to(self, *args, **kwargs):
        """Convert dtype (``x.to(torch.float64)``, ``x.to(other)``). ``x.to('cpu')`` is a
        no-op; ``x.to('cuda')`` fails as on a PyTorch built without CUDA."""
        from ._factories import _check_device
        for a in args:
            if isinstance(a, (str, _device_class)):
                _check_device(a)
        _check_device(kwargs.get("device"))
        from ._ops.conversion import to
        return to(self, *args, **kwargs)

    # ---- Python protocols -------------------------------------------------------
    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()))

    def __float__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        if self._requires_grad and not _WARNED_SCALAR:
            _WARNED_SCALAR.append(True)                     # PyTorch warns once per process
            warnings.warn("Converting a tensor with requires_grad=True to a scalar may lead "
                          "to unexpected behavior.\nConsider using tensor.detach() first.",
                          UserWarning, stacklevel=2)
        return float(self._data.reshape(()))

    def __int__(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self._data.reshape(()))

    def __index__(self):
        if self._data.size != 1 or self._data.dtype.kind not in "iub":
            raise TypeError("only integer tensors of a single element can be converted to "
                            "an index")
        return int(self._data.reshape(()))

    def __complex__(self):
        return complex(self.__float__())

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    def __format__(self, spec):
        """A 0-dim tensor formats like its value: ``f"{loss:.4f}"`` prints ``0.1234``."""
        if self._data.ndim == 0 and type(self) is Tensor:
            return self._data.item().__format__(spec)
        return object.__format__(self, spec)

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        if id(self) in memo:
            return memo[id(self)]
        new = self.__class__.__new__(self.__class__) if type(self) is not Tensor \
            else Tensor._make(None)
        new._data = self._data.copy()
        new._grad_fn = None
        new._requires_grad = self._requires_grad
        new._output_nr = 0
        new._grad = None if self._grad is None else self._grad.__deepcopy__(memo)
        new._version_counter = [0]
        new._hooks = None
        new._post_hooks = None
        new._view = None
        if self.__dict__:
            import copy
            new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = new
        return new

    def __reduce_ex__(self, protocol):
        return (_rebuild_tensor, (self._data, self._requires_grad, type(self)))


def _rebuild_tensor(data, requires_grad, cls=None):
    t = Tensor._make(np.array(data))
    if cls is not None and cls is not Tensor:
        t = cls(t, requires_grad) if cls.__name__ == "Parameter" else t
    t._requires_grad = requires_grad
    return t


# The operations, one family per file (see _ops/__init__.py). They import
# TensorBase, so they are imported once it exists.
from ._ops.arithmetic import ArithmeticMethods  # noqa: E402
from ._ops.comparison import ComparisonMethods  # noqa: E402
from ._ops.conversion import ConversionMethods  # noqa: E402
from ._ops.elementwise import ElementwiseMethods  # noqa: E402
from ._ops.indexing import IndexingMethods  # noqa: E402
from ._ops.linalg import LinalgMethods  # noqa: E402
from ._ops.reduction import ReductionMethods  # noqa: E402
from ._ops.remainder import RemainderMethods  # noqa: E402
from ._ops.selection import SelectionMethods  # noqa: E402
from ._ops.softmax import SoftmaxMethods  # noqa: E402
from ._ops.shape import ShapeMethods  # noqa: E402
from ._ops.joining import JoiningMethods  # noqa: E402
from ._ops.sorting import SortingMethods  # noqa: E402
from ._random_methods import RandomMethods  # noqa: E402
from .autograd import engine as _engine, views as _views  # noqa: E402


class Tensor(TensorBase, ArithmeticMethods, RemainderMethods, ComparisonMethods,
             ConversionMethods, ElementwiseMethods, SelectionMethods, IndexingMethods,
             LinalgMethods, ReductionMethods, SoftmaxMethods, ShapeMethods, JoiningMethods,
             SortingMethods, RandomMethods):
    """A multi-dimensional array that can record the operations applied to it.

    ``chainrule.Tensor(data)`` makes a float32 tensor, as ``torch.Tensor`` does;
    ``chainrule.tensor(data)`` infers the dtype.
    """

    __slots__ = ()
    __module__ = "chainrule"
