"""``chainrule.autograd.Function``: write your own differentiable operation.

The same API as PyTorch's:

>>> import chainrule as torch
>>> class Exp(torch.autograd.Function):
...     @staticmethod
...     def forward(ctx, x):
...         y = x.exp()
...         ctx.save_for_backward(y)       # d exp(x)/dx = exp(x): reuse the output
...         return y
...
...     @staticmethod
...     def backward(ctx, grad):
...         (y,) = ctx.saved_tensors
...         return grad * y
>>> x = torch.tensor([0.0, 1.0], requires_grad=True)
>>> y = Exp.apply(x)
>>> y
tensor([1.0000, 2.7183], grad_fn=<ExpBackward>)
>>> y.sum().backward()
>>> x.grad
tensor([1.0000, 2.7183])

``forward`` runs with grad mode off and receives/returns tensors; ``backward``
returns one gradient per argument of ``forward`` (None for non-tensors). The
graph node (``y.grad_fn``) is the ``ctx`` object itself.
"""
import functools

from . import grad_mode
from .graph import Node, _FREED_MESSAGE, _edge, _modified_message, next_sequence_nr
from .._tensor import TensorBase


class FunctionCtx:
    """The ``ctx`` object: what ``forward`` leaves for ``backward``."""

    def save_for_backward(self, *tensors):
        """Keep tensors for ``backward`` (read back with ``ctx.saved_tensors``)."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, TensorBase):
                raise TypeError(f"save_for_backward can only save variables, but argument "
                                f"{i} is of type {type(t).__name__}")
        self._to_save = tensors

    def mark_non_differentiable(self, *tensors):
        """Outputs that carry no gradient (indices, masks)."""
        self._non_differentiable = tensors

    def mark_dirty(self, *tensors):
        """Inputs that ``forward`` modified in place and returns."""
        self._dirty = tensors

    def set_materialize_grads(self, value):
        """False: ``backward`` receives None (not zeros) for outputs without a gradient."""
        self.materialize_grads = bool(value)


class _SavedOutput:
    """An output saved for backward, kept without its ``grad_fn``.

    The output's ``grad_fn`` is this very node, so keeping the tensor itself
    would make a reference cycle; it is rebuilt when ``saved_tensors`` is read.
    """

    def __init__(self, data, version, output_nr):
        self.data, self.version, self.output_nr = data, version, output_nr

    def unpack(self, node):
        t = TensorBase._make(self.data, node, self.output_nr)
        t._version_counter = self.version
        return t


class BackwardCFunction(Node, FunctionCtx):
    """The graph node of a custom Function: it is also the ``ctx``."""

    _function = None
    _tensor_inputs = ()
    save_for_backward = FunctionCtx.save_for_backward      # ctx's, not Node's

    def backward(self, *grads):
        if self.materialize_grads:
            grads = tuple(g if g is not None else _zeros(meta)
                          for g, meta in zip(grads, self._output_meta))
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
        for g in result:
            if g is not None and not isinstance(g, TensorBase):
                raise RuntimeError(f"expected Variable or None (got {type(g).__name__})")
        return result

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, checked like PyTorch's."""
        if self._freed:
            raise RuntimeError(_FREED_MESSAGE)
        if self._saved is None:
            return ()
        saved = tuple(s.unpack(self) if isinstance(s, _SavedOutput) else s
                      for s in self._saved)
        for t, v in zip(saved, self._versions):
            if v is not None and t._version_counter[0] != v:
                raise RuntimeError(_modified_message(t, v, self))
        return saved

    @property
    def needs_input_grad(self):
        """One flag per argument of ``forward``: does it need a gradient?"""
        return tuple(e is not None for e in self._edges)

    @property
    def next_functions(self):
        # PyTorch lists the tensor arguments only
        edges = Node.next_functions.fget(self)
        return tuple(edges[i] for i in self._tensor_inputs)


def _zeros(meta):
    import numpy as np
    return TensorBase._make(np.zeros(meta[0], meta[1]))


class Function:
    """Base class of custom differentiable operations (see the module docstring)."""

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(
            f"{self.__class__} should not be instantiated. Methods on autograd functions are "
            "all static, so you should invoke them on the class itself. Instantiating an "
            "autograd function will raise an error in a future version of PyTorch.",
            DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please "
            "use new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

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
        """Run ``forward`` without recording, then record one node for the whole of it."""
        node = BackwardCFunction()
        node._function = cls
        node.torch_name = cls.__name__ + "Backward"
        record = grad_mode.is_grad_enabled() and any(
            isinstance(a, TensorBase) and a._requires_grad for a in args)
        if record:                   # before forward, so that it can read needs_input_grad
            node._edges = tuple(_edge(a) if isinstance(a, TensorBase) else None for a in args)
            node._seq = next_sequence_nr()
            node._tensor_inputs = tuple(i for i, a in enumerate(args)
                                        if isinstance(a, TensorBase))
        with grad_mode.no_grad():
            out = cls.forward(node, *args, **kwargs)
        if not record:
            return out
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        results = _connect_outputs(node, outs, args)
        _save(node, outs, results)
        return results[0] if single else tuple(results)


def _connect_outputs(node, outs, args):
    """Make each differentiable output a tensor whose ``grad_fn`` is ``node``."""
    skip = getattr(node, "_non_differentiable", ())
    dirty = getattr(node, "_dirty", ())
    node.num_outputs = len(outs)
    node._output_meta = [(o._data.shape, o._data.dtype) if isinstance(o, TensorBase)
                         else None for o in outs]
    results = []
    for i, o in enumerate(outs):
        if not isinstance(o, TensorBase):
            results.append(o)
            continue
        is_input = any(o is a for a in args)
        differentiable = o._data.dtype.kind == "f" and not any(o is s for s in skip)
        if any(o is d for d in dirty):
            if o.grad_fn is None and o._requires_grad:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
        elif is_input or o.grad_fn is not None or o._requires_grad:
            alias = TensorBase._make(o._data)         # a fresh output sharing the values
            alias._version_counter = o._version_counter
            o = alias
        if not differentiable:
            o._requires_grad = False                  # indices, masks, integers
        else:
            o._grad_fn = node
            o._requires_grad = True
            o._output_nr = i
        results.append(o)
    return results


def _save(node, outs, results):
    """Store what ``save_for_backward`` named, with the versions to check later."""
    saved = getattr(node, "_to_save", None)
    if saved is None:
        return
    stored = []
    for t in saved:
        nr = next((i for i, o in enumerate(outs) if t is o), None)
        if nr is not None and results[nr].grad_fn is node:
            t = _SavedOutput(t._data, results[nr]._version_counter, nr)
        stored.append(t)
    node._saved = tuple(stored)
    node._versions = tuple(t.version[0] if isinstance(t, _SavedOutput) else
                           t._version_counter[0] if t is not None else None for t in stored)
    del node._to_save


class DelayedError(Node):
    """A node whose backward fails: the gradient of a ``once_differentiable`` backward."""
    torch_name = "DelayedError"

    def forward(self, *inputs):
        self.num_outputs = len(inputs)
        return tuple(x._data for x in inputs) if len(inputs) > 1 else inputs[0]._data

    def backward(self, *grads):
        raise RuntimeError("trying to differentiate twice a function that was marked with "
                           "@once_differentiable")


def once_differentiable(fn):
    """Mark a ``backward`` as not differentiable twice.

    It runs without recording; with ``create_graph=True`` its results lead to a
    node that raises if anyone tries to differentiate through it.
    """
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with grad_mode.no_grad():
            outputs = fn(ctx, *args)
        if not grad_mode.is_grad_enabled():
            return outputs
        if not any(isinstance(a, TensorBase) and a._requires_grad for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outputs = (outputs,) if single else outputs
        fakes = []
        for v in outputs:
            if v is not None:
                v = v.detach()
                v._requires_grad = True
            fakes.append(v)
        result = DelayedError.apply(*[v for v in fakes if v is not None])
        result = iter(result if isinstance(result, tuple) else (result,))
        outputs = tuple(None if v is None else next(result) for v in fakes)
        return outputs[0] if single else outputs
    return wrapper
