"""``nn.Parameter``: a tensor that a module learns.

A ``Parameter`` is an ordinary tensor with one extra meaning: assigned as an
attribute of a ``Module`` it is *registered*, so ``model.parameters()`` finds it
and an optimizer updates it. A plain tensor assigned the same way is just an
attribute (handy for caches). Parameters require grad by default.

>>> import chainrule as torch
>>> w = torch.nn.Parameter(torch.tensor([1.0, 2.0]))
>>> w
Parameter containing:
tensor([1., 2.], requires_grad=True)
>>> (w * 2).__class__.__name__        # results of ops are plain tensors
'Tensor'
"""
import copy

from .._tensor import Tensor, TensorBase

_new = object.__new__


def _as_subclass(cls, data, requires_grad):
    """A ``cls`` instance sharing ``data``'s memory and version counter, cut from its graph."""
    if requires_grad and data._data.dtype.kind != "f":
        raise RuntimeError(
            "Only Tensors of floating point and complex dtype can require gradients")
    t = _new(cls)
    t._data = data._data
    t._grad_fn = None
    t._requires_grad = bool(requires_grad)
    t._output_nr = 0
    t._grad = None
    t._version_counter = data._version_counter        # like data.detach(): writes through either are seen
    t._hooks = None
    t._post_hooks = None
    t._view = None
    return t


class Parameter(Tensor):
    """A tensor to be learned: ``Parameter(data=None, requires_grad=True)``.

    It shares ``data``'s memory (like ``data.detach()``) and is always a leaf of
    the graph, even when ``data`` was computed. ``Parameter()`` is an empty one.
    """

    __slots__ = ()
    __module__ = "chainrule.nn.parameter"

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .._factories import empty
            data = empty(0)
        if not isinstance(data, TensorBase):
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not "
                            f"{type(data).__name__}")
        return _as_subclass(cls, data, requires_grad)

    def __init__(self, data=None, requires_grad=True):
        pass                                   # everything happens in __new__

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(self.data.clone(), self.requires_grad)
        if self._grad is not None:
            result._grad = copy.deepcopy(self._grad, memo)
        if self.__dict__:
            result.__dict__.update(copy.deepcopy(self.__dict__, memo))
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, protocol):
        return (Parameter, (self.data, self._requires_grad))


class Buffer(Tensor):
    """A tensor to be registered as a module *buffer* (state that is saved, not learned).

    ``self.running_mean = nn.Buffer(torch.zeros(3))`` registers it, as
    ``self.register_buffer('running_mean', torch.zeros(3))`` does;
    ``persistent=False`` keeps it out of ``state_dict()``.
    """

    __slots__ = ()
    __module__ = "chainrule.nn.parameter"

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from .._factories import empty
            data = empty(0)
        t = _as_subclass(cls, data, data._requires_grad)
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass


def is_lazy(param):
    """chainrule has no lazy modules, so nothing is lazy."""
    return False
