"""Adagrad: divide by the root of the *sum* of all past squared gradients.

    t   <- t + 1
    g   <- grad (+ weight_decay * p)                 (-grad when maximize=True)
    lr_t = lr / (1 + (t - 1) lr_decay)
    s   <- s + g^2                                   (s starts at initial_accumulator_value)
    p   <- p - lr_t g / (sqrt(s) + eps)

Parameters with large past gradients take small steps; steps shrink forever,
which suits sparse features and convex problems.

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Adagrad([w], lr=0.1)
>>> (w ** 2).sum().backward()
>>> opt.step()                           # 1 - 0.1 * 2 / sqrt(4)
>>> w
tensor([0.9000], requires_grad=True)
"""
import numpy as np

from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _step_tensor, _to_scalar

_make = TensorBase._make


class Adagrad(Optimizer):
    """Adagrad (see the module docstring). Its state is created at construction."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        for name, value in (("learning rate", lr), ("lr_decay value", lr_decay),
                            ("weight_decay value", weight_decay),
                            ("initial_accumulator_value value", initial_accumulator_value),
                            ("epsilon value", eps)):
            if not 0.0 <= value:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = _step_tensor()
                state["sum"] = _make(np.full_like(p._data, initial_accumulator_value))

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:                  # a group added after construction
                    state["step"] = _step_tensor()
                    state["sum"] = _make(np.full_like(
                        p._data, self.defaults["initial_accumulator_value"]))
                adagrad_update(p, state, lr=_to_scalar(group["lr"]), lr_decay=group["lr_decay"],
                               eps=group["eps"], weight_decay=group["weight_decay"],
                               maximize=group["maximize"])
        return loss


def adagrad_update(p, state, *, lr, lr_decay, eps, weight_decay, maximize):
    """One Adagrad step for parameter ``p``, in PyTorch's order of operations."""
    x = p._data
    state["step"]._data += 1
    t = float(state["step"]._data)
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = F.added(g, x, alpha=weight_decay)
    clr = lr / (1 + (t - 1) * lr_decay)
    s = state["sum"]._data
    F.addcmul_(s, g, g, value=1)
    std = np.sqrt(s) + x.dtype.type(eps)
    F.addcdiv_(x, g, std, value=-clr)
    F.bump(p, state["step"], state["sum"])
