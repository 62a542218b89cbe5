"""Adadelta: steps sized by the ratio of two running root-mean-squares.

    g     <- grad (+ weight_decay * p)               (-grad when maximize=True)
    v     <- rho v + (1 - rho) g^2                   running mean of g^2
    delta = sqrt(u + eps) / sqrt(v + eps) * g        u: running mean of delta^2
    u     <- rho u + (1 - rho) delta^2
    p     <- p - lr delta

The ratio carries the units of ``p``, so the default ``lr`` is 1.0.

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.Adadelta([w])
>>> opt.defaults["rho"], opt.defaults["eps"]
(0.9, 1e-06)
"""
import numpy as np

from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _step_tensor, _to_scalar

_make = TensorBase._make


class Adadelta(Optimizer):
    """Adadelta (see the module docstring)."""

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
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
                    state["acc_delta"] = _make(np.zeros_like(p._data))
                adadelta_update(p, state, lr=_to_scalar(group["lr"]), rho=group["rho"],
                                eps=group["eps"], weight_decay=group["weight_decay"],
                                maximize=group["maximize"])
        return loss


def adadelta_update(p, state, *, lr, rho, eps, weight_decay, maximize):
    """One Adadelta step for parameter ``p``, in PyTorch's order of operations."""
    x = p._data
    state["step"]._data += 1
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = F.added(g, x, alpha=weight_decay)
    v, u = state["square_avg"]._data, state["acc_delta"]._data
    eps = x.dtype.type(eps)
    F.mul_(v, rho)
    F.addcmul_(v, g, g, value=1 - rho)
    std = np.sqrt(v + eps)
    delta = np.sqrt(u + eps) / std * g
    F.mul_(u, rho)
    F.addcmul_(u, delta, delta, value=1 - rho)
    F.add_(x, delta, alpha=-lr)
    F.bump(p, state["step"], state["square_avg"], state["acc_delta"])
