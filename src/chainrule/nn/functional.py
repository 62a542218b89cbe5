"""``chainrule.nn.functional`` (``import chainrule.nn.functional as F``): the layers'
computations as plain functions, with no parameters of their own.

Every ``nn`` layer's ``forward`` is one call into this module: ``nn.Linear``
calls ``F.linear(x, self.weight, self.bias)``, ``nn.ReLU`` calls ``F.relu(x)``.
The functions live with their derivatives, one family per file, in
``chainrule/nn/_ops/`` (losses in ``chainrule/nn/_loss.py`` and ``_nll.py``); this page gathers
them under PyTorch's names.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> F.relu(torch.tensor([-1.0, 2.0]))
tensor([0., 2.])
"""
from ._ops.activation import (hardshrink, hardsigmoid, hardswish, hardtanh, hardtanh_,
                              leaky_relu, leaky_relu_, prelu, relu, relu6, relu_, softshrink,
                              threshold, threshold_)
from ._ops.dropout import dropout, dropout1d, dropout2d
from ._ops.linear import bilinear, linear
from ._ops.normalization import batch_norm, layer_norm, normalize
from ._ops.padding import pad
from ._ops.conv import (conv1d, conv2d, conv_transpose1d, conv_transpose2d, fold,
                        unfold)
from ._ops.pooling import (adaptive_avg_pool2d, adaptive_max_pool2d, avg_pool1d, avg_pool2d,
                           max_pool1d, max_pool2d)
from ._ops.upsample import interpolate
from ._ops.smooth import (celu, celu_, elu, elu_, gelu, logsigmoid, mish, selu, selu_,
                          sigmoid, silu, softplus, softsign, tanh, tanhshrink)
from ._ops.softmax import glu, log_softmax, softmax, softmin
from ._ops.sparse import embedding, one_hot
from ._ops.embedding_bag import embedding_bag
from ._loss import (binary_cross_entropy, binary_cross_entropy_with_logits, huber_loss, kl_div,
                    l1_loss, mse_loss, smooth_l1_loss)
from ._nll import cross_entropy, nll_loss

__all__ = [
    "batch_norm", "bilinear", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "celu", "celu_", "cosine_similarity", "cross_entropy", "dropout", "dropout1d",
    "dropout2d", "elu", "elu_", "embedding", "gelu", "glu", "hardshrink", "hardsigmoid",
    "hardswish", "hardtanh", "hardtanh_", "huber_loss", "kl_div", "l1_loss", "layer_norm",
    "leaky_relu", "leaky_relu_", "linear", "log_softmax", "logsigmoid", "mish", "mse_loss",
    "nll_loss", "normalize", "one_hot", "pad", "pairwise_distance", "prelu", "relu", "relu6",
    "relu_", "selu", "selu_", "sigmoid", "silu", "smooth_l1_loss", "softmax", "softmin",
    "softplus", "softshrink", "softsign", "tanh", "tanhshrink", "threshold", "threshold_",
]
__all__ += ["embedding_bag"]
__all__ += ["adaptive_avg_pool2d", "adaptive_max_pool2d", "avg_pool1d", "avg_pool2d",
            "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "fold",
            "interpolate", "max_pool1d", "max_pool2d", "unfold"]


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """cos of the angle between x1 and x2 along ``dim``:
    x1 . x2 / sqrt(max(|x1|^2 |x2|^2, eps^2))."""
    dot = (x1 * x2).sum(dim)
    squares = (x1 * x1).sum(dim) * (x2 * x2).sum(dim)
    return dot / squares.clamp_min(eps * eps).sqrt()


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """The p-norm of ``x1 - x2 + eps`` along the last dimension."""
    return (x1 - x2 + eps).norm(p, -1, keepdim)
