"""``Optimizer``: what every optimizer shares (parameter groups, state, zero_grad).

An optimizer holds the parameters it updates in *parameter groups*: a list of
dicts, each with its ``'params'`` and its own settings (``'lr'``, ...). Settings
a group does not give are taken from the optimizer's ``defaults``, so one
optimizer can train two layers at two learning rates:

>>> import chainrule as torch
>>> w = torch.zeros(2, requires_grad=True)
>>> b = torch.zeros(1, requires_grad=True)
>>> opt = torch.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.5}], lr=0.1)
>>> [group["lr"] for group in opt.param_groups]
[0.1, 0.5]

Per-parameter memory (Adam's running averages, SGD's momentum buffer) lives
in ``opt.state[p]``, a dict per parameter, created on the first ``step()``.
``state_dict()`` saves both in PyTorch's layout, with parameters replaced by
their position (0, 1, ...), so it can be loaded into a fresh optimizer.

A training step is always the same three lines::

    opt.zero_grad()         # forget the previous gradients
    loss.backward()         # compute new ones into p.grad
    opt.step()              # move each p against its gradient

The update rules themselves (one file per optimizer) work on the NumPy arrays
behind the tensors, in place, as PyTorch's do under ``torch.no_grad()``.
"""
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain

import numpy as np

from .. import _dtype
from .._tensor import TensorBase
from ..autograd import grad_mode


class _RequiredParameter:
    """The default of a setting that every parameter group must give."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    """How PyTorch names a type in messages: 'torch.FloatTensor', 'int', 'list'."""
    if isinstance(obj, TensorBase):
        return obj.type()
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ == "builtins" else \
        f"{cls.__module__}.{cls.__qualname__}"


def _step_tensor(value=0.0):
    """A 0-d tensor for a counter like ``state['step']``: float32, or float64 when that
    is the default dtype (PyTorch's ``_get_scalar_dtype``)."""
    dtype = np.float64 if _dtype.DEFAULTS.float.numpy == np.float64 else np.float32
    return TensorBase._make(np.array(value, dtype))


def _to_scalar(x):
    """A Python number from a number or a one-element tensor (``lr=torch.tensor(0.1)``)."""
    return x.item() if isinstance(x, TensorBase) else x


class Optimizer:
    """Base class of all optimizers.

    Args:
        params: an iterable of tensors, or of dicts (parameter groups) each with
            a ``'params'`` entry and optional settings of its own.
        defaults: the settings used where a group gives none.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        if isinstance(params, TensorBase):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state,
                "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        text = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ---- parameter groups -------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters, with settings of its own, to ``param_groups``.

        Useful for fine-tuning: unfreeze a layer and hand it to the optimizer.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, TensorBase):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = list(params)
        # (name, tensor) pairs, as named_parameters() gives, keep their names
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some "
                                 "param names are missing")
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, TensorBase):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(param))
            if not self.defaults.get("differentiable", None) and not (
                    param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; "
                          "in future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # ---- gradients and steps ------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget the gradients (``backward()`` *adds* to ``p.grad``, so each step needs this).

        With ``set_to_none=True`` (the default) ``p.grad`` becomes ``None``; a
        parameter without a gradient is then skipped by ``step()``.
        """
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                else:
                    if p.grad.grad_fn is not None:
                        p.grad.detach_()
                    else:
                        p.grad.requires_grad_(False)
                    p.grad.zero_()

    def step(self, closure=None):
        """Update every parameter that has a gradient (each optimizer defines this)."""
        raise NotImplementedError

    def _evaluate(self, closure):
        """Run ``closure`` (which recomputes the loss and its gradients) with grad on."""
        if closure is None:
            return None
        with grad_mode.enable_grad():
            return closure()

    def _params_with_grad(self, group):
        return [p for p in group["params"] if p.grad is not None]

    # ---- saving and loading ------------------------------------------------------
    def state_dict(self):
        """The optimizer's state, with each parameter replaced by its index.

        ``{'state': {0: {...}, 1: {...}}, 'param_groups': [{'lr': ..., 'params': [0, 1]}]}``.
        Parameters are numbered in order across the groups; the state's tensors
        are the optimizer's own (not copies), as in PyTorch.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, TensorBase) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Load a ``state_dict()``: the groups must have the same sizes as this optimizer's.

        State tensors are cast to their parameter's dtype (except ``'step'``).
        """
        state_dict = state_dict.copy()
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        id_map = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                          chain.from_iterable(g["params"] for g in groups)))
        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast_state(id_map[k], v)
            else:
                state[k] = v
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
            new_groups.append(saved)
        self.__setstate__({"state": state, "param_groups": new_groups})


def _cast_state(param, value, key=None):
    """A loaded state value with its tensors cast to ``param``'s dtype (not ``'step'``)."""
    if isinstance(value, TensorBase):
        if key == "step" or not param.is_floating_point():
            return value
        return value.to(dtype=param.dtype)
    if isinstance(value, dict):
        return {k: _cast_state(param, v, key=k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast_state(param, v) for v in value)
    return value
