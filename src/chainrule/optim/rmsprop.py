"""RMSprop: divide each gradient by a running root-mean-square of its recent values.

    g   <- grad (+ weight_decay * p)                 (-grad when maximize=True)
    v   <- alpha v + (1 - alpha) g^2                 running mean of g^2
    avg = sqrt(v) + eps                              (centered: sqrt(v - mean(g)^2) + eps)
    b   <- momentum b + g / avg;  p <- p - lr b      with momentum > 0
    p   <- p - lr g / avg                            without

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.RMSprop([w], lr=0.01)
>>> (w ** 2).sum().backward()
>>> opt.step()                           # 1 - 0.01 * 2 / sqrt(0.01 * 4)
>>> w
tensor([0.9000], requires_grad=True)
"""
import numpy as np

from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _step_tensor, _to_scalar

_make = TensorBase._make


class RMSprop(Optimizer):
    """RMSprop (see the module docstring)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        for name, value in (("learning rate", lr), ("epsilon value", eps),
                            ("momentum value", momentum), ("weight_decay value", weight_decay),
                            ("alpha value", alpha)):
            if not 0.0 <= value:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["square_avg"] = _make(np.zeros_like(p._data))
                    if group["momentum"] > 0:
                        state["momentum_buffer"] = _make(np.zeros_like(p._data))
                    if group["centered"]:
                        state["grad_avg"] = _make(np.zeros_like(p._data))
                rmsprop_update(p, state, lr=_to_scalar(group["lr"]), alpha=group["alpha"],
                               eps=group["eps"], weight_decay=group["weight_decay"],
                               momentum=group["momentum"], centered=group["centered"],
                               maximize=group["maximize"])
        return loss


def rmsprop_update(p, state, *, lr, alpha, eps, weight_decay, momentum, centered, maximize):
    """One RMSprop step for parameter ``p``, in PyTorch's order of operations."""
    x = p._data
    g = -p.grad._data if maximize else p.grad._data
    state["step"]._data += 1
    if weight_decay != 0:
        g = F.added(g, x, alpha=weight_decay)
    v = state["square_avg"]._data
    F.mul_(v, alpha)
    F.addcmul_(v, g, g, value=1 - alpha)
    if centered:
        mean = state["grad_avg"]._data
        F.lerp_(mean, g, 1 - alpha)
        centered_v = v.copy()
        F.addcmul_(centered_v, mean, mean, value=-1)          # v - mean^2
        avg = np.sqrt(centered_v)
        F.bump(state["grad_avg"])
    else:
        avg = np.sqrt(v)
    avg += x.dtype.type(eps)
    if momentum > 0:
        buf = state["momentum_buffer"]._data
        F.mul_(buf, momentum)
        F.addcdiv_(buf, g, avg)
        F.add_(x, buf, alpha=-lr)
        F.bump(state["momentum_buffer"])
    else:
        F.addcdiv_(x, g, avg, value=-lr)
    F.bump(p, state["step"], state["square_avg"])
