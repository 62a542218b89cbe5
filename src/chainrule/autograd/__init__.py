"""``chainrule.autograd``: gradients of tensors with respect to other tensors.

``backward`` adds gradients into the leaves' ``.grad``; ``grad`` returns them.

>>> import chainrule as torch
>>> x = torch.tensor(2.0, requires_grad=True)
>>> y = x ** 3
>>> (dy,) = torch.autograd.grad(y, x, create_graph=True)
>>> dy                      # 3 x^2
tensor(12., grad_fn=<MulBackward0>)
>>> torch.autograd.grad(dy, x)[0]   # 6 x
tensor(12.)
"""
from . import engine, grad_mode
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .graph import Node
from .._size import Size

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled"]


def _as_list(x):
    if x is None:
        return None
    from .._tensor import TensorBase
    if isinstance(x, TensorBase):
        return [x]
    return list(x)


def _make_grads(outputs, grad_outputs):
    """The starting gradient of each output: 1 for a scalar, else the one given."""
    from .._tensor import TensorBase
    import numpy as np
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            g = TensorBase._make(np.ones(out._data.shape, out._data.dtype))
        elif not isinstance(g, TensorBase):
            raise TypeError(f"gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
        elif g._data.shape != out._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                               f"{Size(g._data.shape)} and output[{i}] has a shape of "
                               f"{Size(out._data.shape)}.")
        grads.append(g)
    return grads


def _check_outputs(outputs):
    for i, t in enumerate(outputs):
        if not t._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Add the gradients of ``tensors`` into the ``.grad`` of the leaves that made them."""
    outputs = _as_list(tensors)
    grads = _as_list(grad_tensors) or [None] * len(outputs)
    if len(grads) != len(outputs):
        raise RuntimeError(f"grad_tensors must have the same length as tensors (got "
                           f"{len(grads)} and {len(outputs)})")
    _check_outputs(outputs)
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    inputs = _as_list(inputs)
    if inputs is not None and len(inputs) == 0:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    engine.run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                        accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    Unlike ``backward`` nothing is added to ``.grad``. With ``create_graph=True``
    the gradients are themselves differentiable (for second derivatives).
    """
    outputs = _as_list(outputs)
    inputs = _as_list(inputs)
    grads = _as_list(grad_outputs) or [None] * len(outputs)
    _check_outputs(outputs)
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    result = engine.run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                                 accumulate=False)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                result[i] = _zeros(inputs[i])
            elif not allow_unused:
                raise RuntimeError("One of the differentiated Tensors appears to not have been "
                                   "used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
        elif not create_graph:
            result[i] = g.detach()
    return tuple(result)


def _zeros(t):
    from .._factories import zeros_like
    return zeros_like(t)
