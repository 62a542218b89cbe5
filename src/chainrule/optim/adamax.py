"""Adamax: Adam with the infinity norm in place of the root-mean-square.

    t <- t + 1
    g <- grad (+ weight_decay * p)                   (-grad when maximize=True)
    m <- beta1 m + (1 - beta1) g
    u <- max(beta2 u, |g| + eps)                     a decaying running maximum of |g|
    p <- p - lr / (1 - beta1^t) * m / u

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Adamax([w], lr=0.1)
>>> (w ** 2).sum().backward()
>>> opt.step()
>>> w
tensor([0.9000], requires_grad=True)
"""
import numpy as np

from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _step_tensor, _to_scalar

_make = TensorBase._make


class Adamax(Optimizer):
    """Adamax (see the module docstring)."""

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 foreach=None, *, maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["exp_avg"] = _make(np.zeros_like(p._data))
                    state["exp_inf"] = _make(np.zeros_like(p._data))
                adamax_update(p, state, lr=_to_scalar(group["lr"]), beta1=beta1, beta2=beta2,
                              eps=group["eps"], weight_decay=group["weight_decay"],
                              maximize=group["maximize"])
        return loss


def adamax_update(p, state, *, lr, beta1, beta2, eps, weight_decay, maximize):
    """One Adamax step for parameter ``p``, in PyTorch's order of operations."""
    x = p._data
    g = -p.grad._data if maximize else p.grad._data
    m, u = state["exp_avg"]._data, state["exp_inf"]._data
    state["step"]._data += 1
    if weight_decay != 0:
        g = F.added(g, x, alpha=weight_decay)
    F.lerp_(m, g, 1 - beta1)
    F.mul_(u, beta2)
    np.maximum(u, np.abs(g) + x.dtype.type(eps), out=u)
    clr = lr / (1 - beta1 ** float(state["step"]._data))
    F.addcdiv_(x, m, u, value=-clr)
    F.bump(p, state["step"], state["exp_avg"], state["exp_inf"])
