"""Stochastic gradient descent, with optional momentum.

    g  <- grad (+ weight_decay * p)                 (-grad when maximize=True)
    b  <- momentum * b + (1 - dampening) * g        (b = g on the first step)
    g  <- g + momentum * b   if nesterov   else   b
    p  <- p - lr * g

Without momentum this is the plain rule ``p <- p - lr * grad``. Momentum keeps
a running direction ``b`` so steps build up speed along a consistent slope and
damp the zig-zag across a narrow valley.

>>> import chainrule as torch
>>> w = torch.tensor([1.0, -2.0], requires_grad=True)
>>> opt = torch.optim.SGD([w], lr=0.1)
>>> (w ** 2).sum().backward()              # grad = 2w = [2, -4]
>>> opt.step()
>>> w
tensor([ 0.8000, -1.6000], requires_grad=True)
"""
from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _to_scalar


class SGD(Optimizer):
    """Stochastic gradient descent (see the module docstring for the rule).

    ``foreach``, ``differentiable`` and ``fused`` are accepted for
    compatibility; chainrule always runs PyTorch's single-tensor CPU rule.
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False, foreach=None, differentiable=False,
                 fused=None):
        if isinstance(lr, TensorBase) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns ``closure()``'s loss."""
        loss = self._evaluate(closure)
        for group in self.param_groups:
            for p in self._params_with_grad(group):
                state = self.state[p] if group["momentum"] != 0 else None
                sgd_update(p, state, lr=_to_scalar(group["lr"]), momentum=group["momentum"],
                           dampening=group["dampening"], weight_decay=group["weight_decay"],
                           nesterov=group["nesterov"], maximize=group["maximize"])
        return loss


def sgd_update(p, state, *, lr, momentum, dampening, weight_decay, nesterov, maximize):
    """One SGD step for parameter ``p`` (``state`` holds its momentum buffer)."""
    x = p._data
    g = -p.grad._data if maximize else p.grad._data
    if weight_decay != 0:
        g = F.added(g, x, alpha=weight_decay)
    if momentum != 0:
        buf = state.get("momentum_buffer")
        if buf is None:
            buf = TensorBase._make(g.copy())         # the first step starts from the gradient
            state["momentum_buffer"] = buf
        else:
            F.mul_(buf._data, momentum)
            F.add_(buf._data, g, alpha=1 - dampening)
            F.bump(buf)
        g = F.added(g, buf._data, alpha=momentum) if nesterov else buf._data
    F.add_(x, g, alpha=-lr)
    F.bump(p)
