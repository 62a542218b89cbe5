"""``pad``: add (or, with negative sizes, remove) values around a tensor's edges.

``pad`` lists sizes from the *last* dimension backwards:
``(left, right)`` pads the last dimension, ``(left, right, top, bottom)`` the last
two. The gradient of padding is cropping, and the gradient of cropping is
padding with zeros, so ``ConstantPadNd``'s backward is itself with the sizes
negated.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> F.pad(torch.tensor([[1.0, 2.0]]), (1, 2))
tensor([[0., 1., 2., 0., 0.]])

Modes ``'reflect'``, ``'replicate'`` and ``'circular'`` copy values from the
tensor itself; they are built from ``index_select``, so their ``grad_fn`` is
``IndexSelectBackward0`` where PyTorch shows ``ReflectionPad1DBackward0`` etc.
"""
import numpy as np

from ...autograd.graph import Node
from ..._tensor import TensorBase

_make = TensorBase._make


def _pairs(pad, ndim):
    """[(dim, before, after)] from PyTorch's last-dimension-first list."""
    return [(ndim - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


class ConstantPadNd(Node):
    """y = x surrounded by ``value``;   dL/dx = dL/dy with the border cut off."""
    torch_name = "ConstantPadNdBackward0"

    def forward(self, a, pad, value):
        self.pad = pad
        x = a._data
        crop = [slice(None)] * x.ndim
        widths = [(0, 0)] * x.ndim
        for dim, before, after in _pairs(pad, x.ndim):
            # negative sizes crop, the left side first (as narrow() does in PyTorch)
            left = x.shape[dim] + min(before, 0)
            if left < 0 or left + min(after, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            crop[dim] = slice(max(-before, 0), x.shape[dim] - max(-after, 0))
            widths[dim] = (max(before, 0), max(after, 0))
        return np.pad(x[tuple(crop)], widths, constant_values=value)

    def backward(self, grad):
        return ConstantPadNd.apply(grad, pad=tuple(-p for p in self.pad), value=0)


def _source_index(n, before, after, mode):
    """For each output position along a dimension of size n, the input position it copies."""
    out = np.arange(-before, n + after)
    if mode == "replicate":
        return np.clip(out, 0, n - 1)
    if mode == "circular":
        return out % n
    period = 2 * (n - 1)                                 # reflect: ... 2 1 [0 1 2] 1 0 ...
    out = np.abs(out) % period if period else np.zeros_like(out)
    return np.where(out >= n, period - out, out)


def _check_non_constant(input, pad, mode):
    k = len(pad) // 2
    if not (k == 1 and input.dim() in (2, 3) or k == 2 and input.dim() in (3, 4)
            or k == 3 and input.dim() in (4, 5)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")
    if mode == "reflect":
        for dim, before, after in _pairs(pad, input.dim()):
            if before >= input.shape[dim] or after >= input.shape[dim]:
                raise RuntimeError(
                    f"Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({before}, {after}) at dimension {dim} of "
                    f"input {list(input.shape)}")


def pad(input, pad, mode="constant", value=None):
    """Pad ``input`` by the sizes in ``pad`` (last dimension first)."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError(f"Padding length should be less than or equal to two times the "
                           f"input dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.dim()}")
    if mode == "constant":
        return ConstantPadNd.apply(input, pad=pad, value=0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    _check_non_constant(input, pad, mode)
    out = input
    for dim, before, after in _pairs(pad, input.dim()):
        index = _source_index(input.shape[dim], before, after, mode)
        out = out.index_select(dim, _make(index))
    return out
