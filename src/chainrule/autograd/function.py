"""``chainrule.autograd.Function``: write your own differentiable operation.

The same API as PyTorch's::

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y

    y = Exp.apply(x)

``forward`` runs with grad mode off and receives/returns tensors; ``backward``
returns one gradient per input of ``forward`` (None for non-tensors).
"""
import functools

from . import grad_mode
from .graph import Node, _edge
from .._tensor import TensorBase


class FunctionCtx:
    """The ``ctx`` object: what ``forward`` leaves for ``backward``."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable = set(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty = tensors

    def set_materialize_grads(self, value):
        self._materialize = bool(value)


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of a custom Function: it is also the ``ctx``."""

    def backward(self, *grads):
        if getattr(self, "_materialize", True):
            grads = tuple(g if g is not None else _zeros_like(meta) for g, meta in
                          zip(grads, self._output_meta or [None] * len(grads)))
        result = self._function.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self._edges)
        if len(result) != n:
            if len(result) > n and all(g is None for g in result[n:]):
                result = result[:n]
            else:
                raise RuntimeError(f"function {self.torch_name} returned an incorrect number "
                                   f"of gradients (expected {n}, got {len(result)})")
        return result

    @property
    def saved_tensors(self):
        return Node.saved_tensors.fget(self)

    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._edges)


def _zeros_like(meta):
    import numpy as np
    if meta is None:
        return None
    return TensorBase._make(np.zeros(meta[0], meta[1]))


class Function:
    """Base class of custom differentiable operations (see the module docstring)."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for "
                                  "your custom autograd.Function to use it with backward mode "
                                  "AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        node = BackwardCFunction()
        node._function = cls
        node.torch_name = cls.__name__ + "Backward"
        with grad_mode.no_grad():
            out = cls.forward(node, *args, **kwargs)
        record = grad_mode.is_grad_enabled() and any(
            isinstance(a, TensorBase) and a._requires_grad for a in args)
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        if not record:
            return out
        node._edges = tuple(_edge(a) if isinstance(a, TensorBase) else None for a in args)
        saved = getattr(node, "_to_save", None)
        if saved is not None:
            node._saved = saved
            node._versions = tuple(t._version[0] if isinstance(t, TensorBase) else None
                                   for t in saved)
        skip = getattr(node, "_non_differentiable", ())
        node.num_outputs = len(outs)
        node._output_meta = [(o._data.shape, o._data.dtype) if isinstance(o, TensorBase)
                             else None for o in outs]
        results = []
        for i, o in enumerate(outs):
            if not isinstance(o, TensorBase) or id(o) in skip:
                results.append(o)
                continue
            if o.grad_fn is not None or o._requires_grad or any(o is a for a in args):
                o = TensorBase._make(o._data)        # a fresh output tensor for the graph
            o.grad_fn = node
            o._requires_grad = True
            o._output_nr = i
            results.append(o)
        return results[0] if single else tuple(results)


def once_differentiable(fn):
    """Mark a ``backward`` as not differentiable twice: it runs without recording."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
