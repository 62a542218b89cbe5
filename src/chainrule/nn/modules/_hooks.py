"""Module hooks: functions called around ``forward`` and during backward.

A *forward* hook is simple: ``Module.__call__`` calls it after ``forward`` (a
pre-hook before), and it may replace the output (or the inputs). A
*backward* hook needs the gradients flowing through the module, so the module's
tensor inputs and outputs are passed through an identity node
(``BackwardHookFunctionBackward``, as PyTorch names it) whose backward sees them:

    inputs -> [identity: sees grad_input] -> forward -> [identity: sees grad_output]

The output node runs first in the backward pass, stores ``grad_output`` and calls
the backward *pre*-hooks; the input node then has ``grad_input`` and calls the
backward hooks with both.
"""
import weakref
from collections import OrderedDict

from ...autograd.graph import Node
from ..._tensor import TensorBase


class RemovableHandle:
    """What ``register_*_hook`` returns: ``handle.remove()`` unregisters the hook.

    Also a context manager: the hook is removed when the ``with`` block ends.
    """

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if isinstance(extra_dict, dict):
            extra_dict = [extra_dict]
        self.extra_dict_ref = tuple(weakref.ref(d) for d in (extra_dict or ()))

    def remove(self):
        for ref in (self.hooks_dict_ref,) + self.extra_dict_ref:
            d = ref()
            if d is not None and self.id in d:
                del d[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# hooks run for every module (``register_module_forward_hook``)
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()


class HookMethods:
    """Running ``forward`` surrounded by hooks, and registering them (part of ``nn.Module``)."""

    def _call_with_hooks(self, args, kwargs):
        for hook_id, hook in (*_global_forward_pre_hooks.items(),
                              *self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                out = hook(self, args, kwargs)
                if out is not None:
                    if not (isinstance(out, tuple) and len(out) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), but got {out}.")
                    args, kwargs = out
            else:
                out = hook(self, args)
                if out is not None:
                    args = out if isinstance(out, tuple) else (out,)
        bw_hook = None
        if self._backward_hooks or self._backward_pre_hooks:
            bw_hook = BackwardHook(self, list(self._backward_hooks.values()),
                                   list(self._backward_pre_hooks.values()))
            args = bw_hook.setup_input_hook(args)
        result = None
        called = set()
        try:
            result = self.forward(*args, **kwargs)
            for hook_id, hook in (*_global_forward_hooks.items(),
                                  *self._forward_hooks.items()):
                called.add(hook_id)
                if hook_id in self._forward_hooks_with_kwargs:
                    out = hook(self, args, kwargs, result)
                else:
                    out = hook(self, args, result)
                if out is not None:
                    result = out
        except Exception:
            # hooks registered with always_call=True still run when forward fails
            for hook_id, hook in self._forward_hooks.items():
                if hook_id in self._forward_hooks_always_called and hook_id not in called:
                    hook(self, args, result)
            raise
        if bw_hook is not None:
            result = bw_hook.setup_output_hook(result)
        return result

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """Call ``hook(module, args)`` before ``forward``; it may return new args."""
        handle = RemovableHandle(self._forward_pre_hooks,
                                 extra_dict=self._forward_pre_hooks_with_kwargs)
        self._forward_pre_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs[handle.id] = True
        if prepend:
            self._forward_pre_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):
        """Call ``hook(module, args, output)`` after ``forward``; it may return a new output."""
        handle = RemovableHandle(self._forward_hooks,
                                 extra_dict=[self._forward_hooks_with_kwargs,
                                             self._forward_hooks_always_called])
        self._forward_hooks[handle.id] = hook
        if with_kwargs:
            self._forward_hooks_with_kwargs[handle.id] = True
        if always_call:
            self._forward_hooks_always_called[handle.id] = True
        if prepend:
            self._forward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_input, grad_output)`` when the module's input
        gradients have been computed; it may return new ``grad_input``."""
        handle = RemovableHandle(self._backward_hooks)
        self._backward_hooks[handle.id] = hook
        if prepend:
            self._backward_hooks.move_to_end(handle.id, last=False)
        return handle

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """Call ``hook(module, grad_output)`` before the module's input gradients are
        computed; it may return a new ``grad_output``."""
        handle = RemovableHandle(self._backward_pre_hooks)
        self._backward_pre_hooks[handle.id] = hook
        if prepend:
            self._backward_pre_hooks.move_to_end(handle.id, last=False)
        return handle



def register_module_forward_pre_hook(hook):
    """A forward pre-hook run for every module (``hook(module, args)``)."""
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    return handle


def register_module_forward_hook(hook):
    """A forward hook run for every module (``hook(module, args, output)``)."""
    handle = RemovableHandle(_global_forward_hooks)
    _global_forward_hooks[handle.id] = hook
    return handle


class BackwardHookFunction(Node):
    """Identity on several tensors; its backward lets a module's hooks see the gradients."""
    torch_name = "BackwardHookFunctionBackward"
    is_view = True

    def forward(self, *tensors, on_backward):
        self.on_backward = on_backward
        self.num_outputs = len(tensors)
        return tuple(t._data for t in tensors)

    def backward(self, *grads):
        new = self.on_backward(grads)
        return tuple(new) if new is not None else grads


class BackwardHook:
    """Connects one call of a module to its full backward hooks and pre-hooks."""

    def __init__(self, module, hooks, pre_hooks):
        self.module = module
        self.hooks = hooks
        self.pre_hooks = pre_hooks
        self.grad_outputs = None
        self.inputs_hooked = False

    def _wrap(self, values, on_backward):
        """Pass the tensors among ``values`` that require grad through one identity node."""
        is_tuple = isinstance(values, tuple)
        items = list(values) if is_tuple else [values]
        where = [i for i, v in enumerate(items)
                 if isinstance(v, TensorBase) and v.requires_grad]
        if not where:
            return values, 0
        outs = BackwardHookFunction.apply(*[items[i] for i in where], on_backward=on_backward)
        if not isinstance(outs, tuple):
            outs = (outs,)
        for i, o in zip(where, outs):
            items[i] = o
        return (tuple(items) if is_tuple else items[0]), len(items)

    def setup_input_hook(self, args):
        args, n = self._wrap(args, self._input_backward)
        self.inputs_hooked = n > 0
        return args

    def setup_output_hook(self, result):
        result, _ = self._wrap(result, self._output_backward)
        return result

    def _output_backward(self, grads):
        for hook in self.pre_hooks:
            out = hook(self.module, grads)
            if out is not None:
                grads = tuple(out)
        self.grad_outputs = grads
        if not self.inputs_hooked:                  # no input needs a gradient
            for hook in self.hooks:
                hook(self.module, (None,), self.grad_outputs)
        return grads

    def _input_backward(self, grads):
        if self.grad_outputs is None:
            return None
        for hook in self.hooks:
            out = hook(self.module, grads, self.grad_outputs)
            if out is not None:
                if len(out) != len(grads):
                    raise RuntimeError(f"Backward hook returned an invalid number of grad_input, "
                                       f"got {len(out)}, but expected {len(grads)}")
                grads = tuple(out)
        return grads
