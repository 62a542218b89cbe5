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

Both check their arguments in PyTorch's order and with PyTorch's messages, then
hand over to ``engine.run_backward``.
"""
import warnings

from . import engine, grad_mode
from .anomaly_mode import detect_anomaly, set_detect_anomaly  # issue 6
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, no_grad,
                        set_grad_enabled)
from .graph import Node
from .._size import Size
from .._tensor import TensorBase

_WARNED_CYCLE = []

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "no_grad",
           "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled"]


def _as_tuple(x):
    """A tensor, or a sequence of them, as a tuple."""
    if isinstance(x, TensorBase):
        return (x,)
    return tuple(x)


def _make_grads(outputs, grads):
    """The starting gradient of each output: the one given, or 1 for a scalar.

    As in PyTorch, the pairs are zipped (a shorter ``grads`` is caught later, by
    the count check) and an output that does not require grad gets None.
    """
    new_grads = []
    for out, g in zip(outputs, grads):
        if isinstance(g, TensorBase):
            if g._data.shape != out._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{grads.index(g)}] has a shape of "
                    f"{Size(g._data.shape)} and output[{outputs.index(out)}] has a shape of "
                    f"{Size(out._data.shape)}.")
            new_grads.append(g)
        elif g is None:
            if out.grad_fn is None and not out._requires_grad:   # (grad_fn: a view's refresh)
                new_grads.append(None)
                continue
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if out._data.dtype.kind != "f":
                raise RuntimeError("grad can be implicitly created only for real scalar "
                                   f"outputs but got {out.dtype}")
            new_grads.append(TensorBase._make(engine.ones_like(out._data)))
        else:
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(g).__name__}")
    return new_grads


def _check_outputs(outputs, grads):
    """The checks PyTorch's C++ engine makes before it starts."""
    if len(outputs) != len(grads):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    for i, t in enumerate(outputs):
        if t.grad_fn is None and not t._requires_grad:     # (grad_fn: a view's refresh)
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")


def _check_inputs(inputs):
    for t in inputs:
        if not isinstance(t, TensorBase):
            raise RuntimeError("all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Add the gradients of ``tensors`` into the ``.grad`` of the leaves that made them.

    A non-scalar tensor needs ``grad_tensors`` (the vector of the vector-Jacobian
    product). With ``inputs``, only those tensors receive gradients.
    """
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments "
                               "both passed to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    if inputs is not None:
        inputs = tuple(inputs.values()) if type(inputs) is dict else _as_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    outputs = _as_tuple(tensors)
    grads = (None,) * len(outputs) if grad_tensors is None else _as_tuple(grad_tensors)
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    _check_outputs(outputs, grads)
    if inputs is not None:
        _check_inputs(inputs)
        for t in inputs:
            t.retain_grad()                 # a non-leaf input gets its .grad filled
    if create_graph and not _WARNED_CYCLE:
        _WARNED_CYCLE.append(True)          # PyTorch warns once per process
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between "
            "the parameter and its gradient which can cause a memory leak. We recommend using "
            "autograd.grad when creating the graph to avoid this. If you have to use this "
            "function, make sure to reset the .grad fields of your parameters to None after "
            "use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    engine.run_backward(outputs, grads, retain_graph, create_graph, inputs=inputs,
                        accumulate=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned as a tuple.

    Unlike ``backward`` nothing is added to ``.grad``. With ``create_graph=True``
    the gradients are themselves differentiable (for second derivatives).
    ``allow_unused=True`` returns None for an input the outputs do not depend on;
    ``materialize_grads=True`` returns zeros instead.
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outputs = _as_tuple(outputs)
    as_dict = type(inputs) is dict
    inputs_tuple = tuple(inputs.values()) if as_dict else _as_tuple(inputs)
    if not inputs_tuple:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to "
                      "True). To accumulate gradient for other parts of the graph, please "
                      "use torch.autograd.backward.", FutureWarning, stacklevel=2)
    grads = (None,) * len(outputs) if grad_outputs is None else _as_tuple(grad_outputs)
    grads = _make_grads(outputs, grads)
    if retain_graph is None:
        retain_graph = create_graph
    _check_outputs(outputs, grads)
    _check_inputs(inputs_tuple)
    for t in inputs_tuple:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    result = engine.run_backward(outputs, grads, retain_graph, create_graph,
                                 inputs=inputs_tuple, accumulate=False)
    for i, g in enumerate(result):
        if g is None:
            if materialize_grads:
                result[i] = _zeros_like(inputs_tuple[i], create_graph)
            elif not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not "
                                   "have been used in the graph. Set allow_unused=True if "
                                   "this is the desired behavior.")
        elif not create_graph:
            result[i] = g.detach()
    if as_dict:
        return dict(zip(inputs.keys(), result))
    return tuple(result)


def _zeros_like(t, requires_grad):
    from .._factories import zeros_like
    return zeros_like(t, requires_grad=requires_grad)
