"""Adam: gradient descent with a running mean and a running scale of the gradient.

    t  <- t + 1
    g  <- grad (+ weight_decay * p)                     (-grad when maximize=True)
    m  <- beta1 m + (1 - beta1) g                       first moment: the mean
    v  <- beta2 v + (1 - beta2) g^2                     second moment: the scale
    m_hat = m / (1 - beta1^t),  v_hat = v / (1 - beta2^t)   undo the zero start
    p  <- p - lr * m_hat / (sqrt(v_hat) + eps)

Each parameter gets its own step size: large where gradients have been small
and steady, small where they are large or noisy. ``amsgrad=True`` divides by
the largest ``v`` seen so far instead of the current one.

The order of the float32 operations is PyTorch's (``m.lerp_(g, 1 - beta1)``,
``v.mul_(beta2).addcmul_(g, g, value=1 - beta2)``, the denominator as
``sqrt(v) / sqrt(1 - beta2^t) + eps``), so losses agree to the last digit.

>>> import chainrule as torch
>>> w = torch.tensor([1.0, -2.0], requires_grad=True)
>>> opt = torch.optim.Adam([w], lr=0.1)
>>> (w ** 2).sum().backward()
>>> opt.step()                            # the first step moves each weight by about lr
>>> w
tensor([ 0.9000, -1.9000], requires_grad=True)
"""
import numpy as np

from .._tensor import TensorBase
from . import _functional as F
from .optimizer import Optimizer, _step_tensor, _to_scalar

_make = TensorBase._make


class Adam(Optimizer):
    """Adam (see the module docstring). ``decoupled_weight_decay=True`` is AdamW.

    ``foreach``, ``capturable``, ``differentiable`` and ``fused`` are accepted
    for compatibility; chainrule always runs PyTorch's single-tensor CPU rule.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        check_adam_args(lr, betas, eps, weight_decay)
        betas = tuple(_to_scalar(b) for b in betas)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused and foreach:
            raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

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
                    state["exp_avg_sq"] = _make(np.zeros_like(p._data))
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = _make(np.zeros_like(p._data))
                adam_update(p, state, lr=_to_scalar(group["lr"]), beta1=beta1, beta2=beta2,
                            eps=group["eps"], weight_decay=group["weight_decay"],
                            amsgrad=group["amsgrad"], maximize=group["maximize"],
                            decoupled=group["decoupled_weight_decay"])
        return loss


def check_adam_args(lr, betas, eps, weight_decay):
    """PyTorch's checks of Adam's and AdamW's settings."""
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
    both_float = isinstance(betas[0], float) and isinstance(betas[1], float)
    both_tensor = isinstance(betas[0], TensorBase) and isinstance(betas[1], TensorBase)
    if not (both_float or both_tensor):
        raise ValueError("betas must be either both floats or both Tensors")


def adam_update(p, state, *, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize,
                decoupled):
    """One Adam step for parameter ``p``, in PyTorch's order of operations."""
    x = p._data
    g = -p.grad._data if maximize else p.grad._data
    m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
    state["step"]._data += 1
    t = float(state["step"]._data)
    if weight_decay != 0:
        if decoupled:                            # AdamW: shrink the weight directly
            F.mul_(x, 1 - lr * weight_decay)
            F.bump(p)
        else:                                    # Adam: L2 penalty folded into the gradient
            g = F.added(g, x, alpha=weight_decay)
    F.lerp_(m, g, 1 - beta1)
    F.mul_(v, beta2)
    F.addcmul_(v, g, g, value=1 - beta2)
    step_size = lr / (1 - beta1 ** t)
    bias_correction2_sqrt = (1 - beta2 ** t) ** 0.5
    if amsgrad:
        v_max = state["max_exp_avg_sq"]._data
        np.maximum(v_max, v, out=v_max)
        F.bump(state["max_exp_avg_sq"])
        v = v_max
    denom = np.sqrt(v) / x.dtype.type(bias_correction2_sqrt) + x.dtype.type(eps)
    F.addcdiv_(x, m, denom, value=-step_size)
    F.bump(p, state["step"], state["exp_avg"], state["exp_avg_sq"])
