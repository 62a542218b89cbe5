"""Dropout: during training, zero each element with probability p and scale the
survivors by 1/(1 - p), so that the expected value is unchanged.

    y = x * m / (1 - p),   m_i ~ Bernoulli(1 - p)        dL/dx = dL/dy * m / (1 - p)

The mask comes from the random-number generator exactly as PyTorch draws it
(``_random_ops.dropout_mask``), so after the same ``manual_seed`` the same
elements are dropped. In evaluation mode (``training=False``) dropout is the
identity and draws nothing.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> _ = torch.manual_seed(0)
>>> F.dropout(torch.ones(6), p=0.5)
tensor([0., 0., 2., 0., 0., 0.])
"""
import warnings

import numpy as np

from ..._tensor import TensorBase


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise(like, p):
    """The scaled Bernoulli mask PyTorch multiplies by: 0 or 1/(1 - p), shaped like ``like``."""
    from ..._random_ops import dropout_mask
    return dropout_mask(like, p)


def _apply_noise(input, noise, inplace):
    return input.mul_(noise) if inplace else input * noise


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero elements with probability ``p`` (training only); scale the rest by 1/(1 - p)."""
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    if p == 1:
        zero = TensorBase._make(np.zeros((), input._data.dtype))
        return _apply_noise(input, zero, inplace)
    return _apply_noise(input, _noise(input, p), inplace)


def _feature_dropout(input, p, training, inplace):
    """Drop whole channels: one mask value per (sample, channel), shared by the rest."""
    _check_p(p)
    if p == 0 or not training or input.numel() == 0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
    if p == 1:
        noise = TensorBase._make(np.zeros(shape, input._data.dtype))
    else:
        noise = _noise(TensorBase._make(np.empty(shape, input._data.dtype)), p)
    return _apply_noise(input, noise, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout for (N, C, L) or (C, L) inputs."""
    if input.dim() not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {input.dim()}D input. Note "
            "that dropout1d exists to provide channel-wise dropout on inputs with 1 spatial "
            "dimension, a channel dimension, and an optional batch dimension (i.e. 2D or 3D "
            "inputs).")
    if input.dim() == 2:
        out = _feature_dropout(input.unsqueeze(0), p, training, inplace)
        return out.squeeze(0)
    return _feature_dropout(input, p, training, inplace)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Channel-wise dropout for (N, C, H, W) inputs."""
    if input.dim() not in (3, 4):
        warnings.warn(f"dropout2d: Received a {input.dim()}-D input to dropout2d, which is "
                      "deprecated and will result in an error in a future release. To retain "
                      "the behavior and silence this warning, please use dropout instead. Note "
                      "that dropout2d exists to provide channel-wise dropout on inputs with 2 "
                      "spatial dimensions, a channel dimension, and an optional batch dimension "
                      "(i.e. 3D or 4D inputs).", stacklevel=2)
    if input.dim() == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that "
                      "channel-wise 1D dropout behavior is desired - input is interpreted as "
                      "shape (N, C, L), where C is the channel dim. This behavior will change "
                      "in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout "
                      "behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _feature_dropout(input, p, training, inplace)
