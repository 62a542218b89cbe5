"""ASGD: SGD with a decaying step size, plus a running average of the weights.

    t   <- t + 1
    g   <- grad (+ weight_decay * p)                 (-grad when maximize=True)
    p   <- p (1 - lambd eta) - eta g                 a decay term, then the SGD step
    ax  <- ax + mu (p - ax)                          the averaged weights (= p while mu = 1)
    eta <- lr / (1 + lambd lr t)^alpha               the next step size
    mu  <- 1 / max(1, t - t0)                        averaging starts after t0 steps

The averaged weights ``state[p]['ax']`` are often better than ``p`` itself.

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.ASGD([w], lr=0.1)
>>> (w ** 2).sum().backward()
>>> opt.step()
>>> w
tensor([0.8000], requires_grad=True)
"""
import numpy as np

from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _step_tensor, _to_scalar

_make = TensorBase._make


class ASGD(Optimizer):
    """Averaged stochastic gradient descent (see the module docstring)."""

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0,
                    "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["eta"] = _step_tensor(_to_scalar(group["lr"]))
                    state["mu"] = _step_tensor(1.0)
                    state["ax"] = _make(np.zeros_like(p._data))
                asgd_update(p, state, lr=_to_scalar(group["lr"]), lambd=group["lambd"],
                            alpha=group["alpha"], t0=group["t0"],
                            weight_decay=group["weight_decay"], maximize=group["maximize"])
        return loss


def asgd_update(p, state, *, lr, lambd, alpha, t0, weight_decay, maximize):
    """One ASGD step for parameter ``p``, in PyTorch's order of operations."""
    x = p._data
    g = -p.grad._data if maximize else p.grad._data
    state["step"]._data += 1
    if weight_decay != 0:
        g = F.added(g, x, alpha=weight_decay)
    eta = float(state["eta"]._data)
    F.mul_(x, 1 - lambd * eta)                       # decay term
    F.add_(x, g, alpha=-eta)                         # the SGD step
    ax = state["ax"]._data
    mu = state["mu"]._data
    if float(mu) != 1:
        ax += (x - ax) * mu.astype(x.dtype)
    else:
        np.copyto(ax, x)
    t = float(state["step"]._data)
    state["eta"]._data[...] = lr / ((1 + lambd * lr * t) ** alpha)
    state["mu"]._data[...] = 1 / max(1, t - t0)
    F.bump(p, state["step"], state["ax"], state["eta"], state["mu"])
