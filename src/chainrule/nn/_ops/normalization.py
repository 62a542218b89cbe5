"""Normalisation: batch_norm, layer_norm, normalize.

Both norms standardise values with a mean mu and an inverse standard deviation
r = 1/sqrt(var + eps), then scale and shift with learned gamma and beta:

    y = (x - mu) * r * gamma + beta

``batch_norm`` takes mu and var per channel over the batch (dimension 1 is the
channel); ``layer_norm`` per sample over its last dimensions. Their backward
passes are the well-known closed forms (xhat = (x - mu) r, g = dL/dy * gamma):

    dL/dx = r * (g - mean(g) - xhat * mean(g * xhat))

PyTorch's CPU kernels fold the formula into y = x * alpha + beta' with fused
multiply-adds; chainrule rounds in the same places (``fma32``), so that float32
results in evaluation mode agree to the last bit.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> F.layer_norm(torch.tensor([[1.0, 2.0, 3.0]]), (3,))
tensor([[-1.2247,  0.0000,  1.2247]])
"""

import numpy as np

from ...autograd import grad_mode
from ...autograd.graph import Node
from ..._tensor import TensorBase
from ..._generator import fma32, fma64
from ._precise import floating

_make = TensorBase._make


def _fma(a, b, c):
    """a * b + c rounded once, in the dtype of the arrays (as the compiled kernels do)."""
    if np.result_type(a, b, c) == np.float64:
        return fma64(a, b, c)
    return fma32(a, b, c).astype(np.float32)


class NativeBatchNorm(Node):
    """Batch normalisation over all dimensions but 1 (the channels)."""
    torch_name = "NativeBatchNormBackward0"

    def forward(self, a, weight, bias, running_mean, running_var, training, momentum, eps):
        x = floating(a, "batch_norm")
        c = x.shape[1]
        shape = (1, c) + (1,) * (x.ndim - 2)            # per-channel values broadcast
        axes = (0,) + tuple(range(2, x.ndim))
        n = x.size // c
        dt = x.dtype.type
        if training:
            # sums in float64, rounded where PyTorch stores them (mean, var_sum, invstd)
            mean = dt(x.astype(np.float64).sum(axis=axes) / n)
            centred = x - mean.reshape(shape)
            var_sum = (centred * centred).astype(np.float64).sum(axis=axes).astype(x.dtype)
            invstd = (1 / np.sqrt(var_sum.astype(np.float64) / n + eps)).astype(x.dtype)
            if running_mean is not None:
                rm = running_mean._data
                # in float64, as PyTorch's kernel: momentum is a double
                rm[...] = momentum * mean.astype(np.float64) + (1 - momentum) * rm.astype(
                    np.float64)
                running_mean._version_counter[0] += 1
            if running_var is not None:
                rv = running_var._data
                unbiased = var_sum.astype(np.float64) / (n - 1)
                rv[...] = momentum * unbiased + (1 - momentum) * rv.astype(np.float64)
                running_var._version_counter[0] += 1
        else:
            mean = running_mean._data.astype(x.dtype, copy=True)
            invstd = dt(1) / np.sqrt(running_var._data.astype(x.dtype) + dt(eps))
        w = weight._data if weight is not None else np.ones(c, x.dtype)
        b = bias._data if bias is not None else np.zeros(c, x.dtype)
        alpha = invstd * w
        beta = _fma(-mean, alpha, b)
        self.save_for_backward(a, weight)
        self.mean, self.invstd, self.shape, self.axes = mean, invstd, shape, axes
        self.training, self.n, self.eps = training, n, eps
        return _fma(x, alpha.reshape(shape), beta.reshape(shape))

    def backward(self, grad):
        a, weight = self.saved_tensors
        shape, axes = self.shape, self.axes
        if grad_mode.is_grad_enabled() and self.training:
            # create_graph: mean and invstd depend on x, so recompute them as tensors
            mean = a.mean(axes, keepdim=True)
            invstd = ((a - mean) ** 2).mean(axes, keepdim=True).add(self.eps).rsqrt()
        else:
            mean = _make(self.mean.reshape(shape))
            invstd = _make(self.invstd.reshape(shape))
        centred = a - mean
        total = grad.sum(axes, keepdim=True)                 # sum of dL/dy per channel
        dotp = (centred * grad).sum(axes, keepdim=True)     # sum of (x - mu) dL/dy
        w = weight.reshape(shape) if weight is not None else 1.0
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad(0):
            if self.training:
                k = dotp * invstd * invstd / self.n
                grad_input = (grad - total / self.n - centred * k) * invstd * w
            else:
                grad_input = grad * invstd * w
        if self.needs_input_grad(1):
            grad_weight = (dotp * invstd).reshape(-1)
        if self.needs_input_grad(2):
            grad_bias = total.reshape(-1)
        return grad_input, grad_weight, grad_bias


def _check_channels(name, t, c):
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Normalise each channel (dimension 1) to mean 0 and variance 1, then scale and shift.

    Training uses the batch's statistics and updates the running ones in place
    (``running = (1 - momentum) * running + momentum * batch``, with the unbiased
    variance); evaluation uses the running statistics.
    """
    if training:
        size = input.shape
        count = size[0] * int(np.prod(size[2:])) if len(size) > 1 else size[0]
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input "
                             f"size {size}")
    elif running_mean is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    c = input.shape[1] if input.dim() > 1 else 0
    for name, t in (("running_mean", running_mean), ("running_var", running_var),
                    ("weight", weight), ("bias", bias)):
        _check_channels(name, t, c)
    return NativeBatchNorm.apply(input, weight, bias, running_mean=running_mean,
                                 running_var=running_var, training=training,
                                 momentum=momentum, eps=eps)


class NativeLayerNorm(Node):
    """Layer normalisation over the last ``k`` dimensions of each sample."""
    torch_name = "NativeLayerNormBackward0"

    def forward(self, a, weight, bias, k, eps):
        x = floating(a, "LayerNormKernelImpl")
        dt = x.dtype.type
        axes = tuple(range(x.ndim - k, x.ndim))
        x64 = x.astype(np.float64)
        mean = x64.mean(axis=axes, keepdims=True)
        var = ((x64 - mean) ** 2).mean(axis=axes, keepdims=True)
        mean = mean.astype(x.dtype)
        rstd = dt(1) / np.sqrt(var.astype(x.dtype) + dt(eps))
        # y = (x * rstd + (-rstd * mean)) * gamma + beta, as PyTorch's kernel folds it
        y = _fma(x, rstd, -rstd * mean)
        if weight is not None or bias is not None:
            g = weight._data if weight is not None else dt(1)
            b = bias._data if bias is not None else dt(0)
            y = _fma(y, np.broadcast_to(g, y.shape), np.broadcast_to(b, y.shape))
        self.save_for_backward(a, weight)
        self.mean, self.rstd, self.axes, self.eps = mean, rstd, axes, eps
        return y

    def backward(self, grad):
        a, weight = self.saved_tensors
        axes = self.axes
        if grad_mode.is_grad_enabled():
            mean = a.mean(axes, keepdim=True)
            rstd = ((a - mean) ** 2).mean(axes, keepdim=True).add(self.eps).rsqrt()
        else:
            mean, rstd = _make(self.mean), _make(self.rstd)
        xhat = (a - mean) * rstd
        lead = tuple(range(a.dim() - len(axes)))
        grad_input = grad_weight = grad_bias = None
        if self.needs_input_grad(0):
            g = grad * weight if weight is not None else grad
            grad_input = rstd * (g - g.mean(axes, keepdim=True)
                                 - xhat * (g * xhat).mean(axes, keepdim=True))
        if self.needs_input_grad(1):
            grad_weight = (grad * xhat).sum(lead) if lead else grad * xhat
        if self.needs_input_grad(2):
            grad_bias = grad.sum(lead) if lead else grad
        return grad_input, grad_weight, grad_bias


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise each sample over its last ``len(normalized_shape)`` dimensions."""
    if isinstance(normalized_shape, int):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple "
                        "of ints, not int")
    shape = [int(s) for s in normalized_shape]
    k = len(shape)
    if k == 0 or list(input.shape[input.dim() - k:]) != shape or input.dim() < k:
        raise RuntimeError(f"Given normalized_shape={shape}, expected input with shape "
                           f"[*, {', '.join(str(s) for s in shape)}], but got input of "
                           f"size{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and list(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but "
                               f"got {name} of shape {list(t.shape)} and normalized_shape = "
                               f"{shape}")
    return NativeLayerNorm.apply(input, weight, bias, k=k, eps=eps)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """x / max(||x||_p, eps) along ``dim``: rows (by default) scaled to unit length."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    return input / denom


