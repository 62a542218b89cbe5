"""AdamW: Adam with *decoupled* weight decay.

Adam with ``weight_decay`` adds ``weight_decay * p`` to the gradient, so the
decay is rescaled by Adam's per-parameter step sizes. AdamW instead shrinks
the weights directly before the Adam step:

    p <- p * (1 - lr * weight_decay)
    p <- p - lr * m_hat / (sqrt(v_hat) + eps)           (the Adam step, see adam.py)

Its default ``weight_decay`` is 0.01 (Adam's is 0).

>>> import chainrule as torch
>>> w = torch.tensor([1.0], requires_grad=True)
>>> opt = torch.optim.AdamW([w], lr=0.1)
>>> opt.param_groups[0]["weight_decay"]
0.01
"""
from .adam import Adam


class AdamW(Adam):
    """Adam with decoupled weight decay (see the module docstring)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
