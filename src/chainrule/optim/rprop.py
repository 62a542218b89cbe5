"""Rprop: each weight keeps its own step size and looks only at the gradient's *sign*.

    s = sign(g * g_prev)                   did the gradient keep its sign?
    step <- clamp(step * etaplus,  min, max)   where s > 0   (yes: speed up)
    step <- clamp(step * etaminus, min, max)   where s < 0   (no: we jumped over a minimum)
    g    <- 0                                  where s < 0   (and skip this step there)
    p    <- p - sign(g) * step
    g_prev <- g

Meant for full-batch training: with mini-batches the signs are noisy.

>>> import chainrule as torch
>>> w = torch.tensor([1.0, -1.0], requires_grad=True)
>>> opt = torch.optim.Rprop([w], lr=0.1)
>>> (w ** 2).sum().backward()
>>> opt.step()                         # each weight moves by lr against its gradient's sign
>>> w
tensor([ 0.9000, -0.9000], requires_grad=True)
"""
import numpy as np

from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _step_tensor, _to_scalar

_make = TensorBase._make


class Rprop(Optimizer):
    """Resilient backpropagation (see the module docstring)."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_size_min, step_size_max = group["step_sizes"]
            for p in self._params_with_grad(group):
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _step_tensor()
                    state["prev"] = _make(np.zeros_like(p._data))
                    state["step_size"] = _make(np.full_like(p.grad._data,
                                                            _to_scalar(group["lr"])))
                rprop_update(p, state, etaminus=etaminus, etaplus=etaplus,
                             step_size_min=step_size_min, step_size_max=step_size_max,
                             maximize=group["maximize"])
        return loss


def rprop_update(p, state, *, etaminus, etaplus, step_size_min, step_size_max, maximize):
    """One Rprop step for parameter ``p``."""
    x = p._data
    g = -p.grad._data if maximize else p.grad._data
    prev, step_size = state["prev"]._data, state["step_size"]._data
    state["step"]._data += 1
    dtype = x.dtype.type
    sign = np.sign(g * prev)
    factor = np.where(sign > 0, dtype(etaplus), np.where(sign < 0, dtype(etaminus), dtype(1)))
    step_size *= factor
    np.clip(step_size, dtype(step_size_min), dtype(step_size_max), out=step_size)
    g = np.where(factor == dtype(etaminus), dtype(0), g)      # a sign change: no step
    x -= np.sign(g) * step_size
    np.copyto(prev, g)
    F.bump(p, state["step"], state["prev"], state["step_size"])
