"""Resizing: ``interpolate`` (``nn.Upsample``), modes ``'nearest'``, ``'linear'``, ``'bilinear'``.

Each output pixel (i, j) reads the input at a *source* position (h, w) found
separately along each axis. With ``scale`` = input size / output size (or
1 / ``scale_factor`` when one is given):

    nearest:                      h = min(floor(i * scale), H - 1)
    bilinear, align_corners=False: h = max((i + 0.5) * scale - 0.5, 0)
    bilinear, align_corners=True:  h = i * (H - 1) / (Ho - 1)   (corners meet corners)

Bilinear mixes the two rows around h with weights (1 - t, t), t = h - floor(h), and
the same for columns:

    y = (1-t_h) * ((1-t_w) x[h0, w0] + t_w x[h0, w1]) + t_h * ((1-t_w) x[h1, w0] + t_w x[h1, w1])

Both modes are linear in x, so the gradient sends each dL/dy back to the pixels it
read, with the same weights (several outputs reading one pixel add up). These
positions are computed in float32, as PyTorch computes them, so that the
same pixels are chosen.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> F.interpolate(torch.tensor([[[[1.0, 2.0]]]]), scale_factor=2)
tensor([[[[1., 1., 2., 2.],
          [1., 1., 2., 2.]]]])
"""
import math

import numpy as np

from ...autograd.graph import Node

_MODES = ("nearest", "linear", "bilinear", "bicubic", "trilinear", "area", "nearest-exact")


def _scale(size, out, scale_factor):
    """PyTorch's float32 step between output pixels, in input pixels."""
    if scale_factor is not None and scale_factor > 0:
        return np.float32(1.0 / scale_factor)
    return np.float32(size) / np.float32(out)


def _nearest_source(size, out, scale_factor):
    """For each output index, the input index it copies."""
    if out == size:
        return np.arange(out)
    if out == 2 * size:
        return np.arange(out) // 2
    where = np.floor(np.arange(out, dtype=np.float32) * _scale(size, out, scale_factor))
    return np.minimum(where.astype(np.int64), size - 1)


def _linear_source(size, out, align_corners, scale_factor):
    """For each output index: the two input indices it mixes and their weights (float32)."""
    dst = np.arange(out, dtype=np.float32)
    if align_corners:
        step = np.float32(size - 1) / np.float32(out - 1) if out > 1 else np.float32(0)
        src = step * dst
    else:
        step = _scale(size, out, scale_factor)
        src = np.maximum(step * (dst + np.float32(0.5)) - np.float32(0.5), np.float32(0))
    low = src.astype(np.int64)                      # src >= 0, so this is floor(src)
    high = low + (low < size - 1)
    t = np.clip(src - low.astype(np.float32), 0, 1).astype(np.float32)
    return low, high, (np.float32(1) - t), t


_NAMES = {("nearest", 3): "UpsampleNearest1D", ("nearest", 4): "UpsampleNearest2D",
          ("linear", 3): "UpsampleLinear1D", ("bilinear", 4): "UpsampleBilinear2D"}


class Upsample2D(Node):
    """y = the resampled image (see the module docstring); dL/dx via ``UpsampleGrad2D``.

    A 1-D signal (N, C, L) is resampled as an image of one row (``rows`` is None).
    """

    def forward(self, input, rows, cols, mode):
        x = input._data
        self.torch_name = _NAMES[mode, x.ndim] + "Backward0"
        self.args = (rows, cols, mode)
        self.shape = x.shape
        if rows is None:
            return _resample(x[:, :, None], np.zeros(1, np.int64), cols, mode)[:, :, 0]
        return _resample(x, rows, cols, mode)

    def backward(self, grad):
        return (UpsampleGrad2D.apply(grad, *self.args, shape=self.shape),)


def _resample(x, rows, cols, mode):
    if mode == "nearest":
        return x[:, :, rows[:, None], cols]
    if mode == "linear":
        w0, w1, b0, b1 = cols
        return (b0 * x[:, :, :, w0] + b1 * x[:, :, :, w1]).astype(x.dtype)
    (h0, h1, a0, a1), (w0, w1, b0, b1) = rows, cols
    a0, a1 = a0[:, None], a1[:, None]
    top = b0 * x[:, :, h0[:, None], w0] + b1 * x[:, :, h0[:, None], w1]
    bottom = b0 * x[:, :, h1[:, None], w0] + b1 * x[:, :, h1[:, None], w1]
    return (a0 * top + a1 * bottom).astype(x.dtype)


class UpsampleGrad2D(Node):
    """The adjoint of ``Upsample2D``: each dL/dy added, weighted, to the pixels it read.

    ``np.add.at`` adds repeated positions one after another (a plain ``+=`` would keep
    only the last one).
    """

    def forward(self, grad, rows, cols, mode, shape):
        self.torch_name = _NAMES[mode, len(shape)] + "BackwardBackward0"
        self.args = (rows, cols, mode)
        g = grad._data
        if rows is None:                    # a 1-D signal: an image of one row
            rows, shape, g = np.zeros(1, np.int64), shape[:2] + (1,) + shape[2:], g[:, :, None]
            if mode == "linear":
                rows = (rows, rows, np.ones(1, np.float32), np.zeros(1, np.float32))
        # work with the two image axes first, so add.at indexes them directly
        result = np.zeros(tuple(shape[2:]) + tuple(shape[:2]), g.dtype)
        g = np.moveaxis(g, (0, 1), (2, 3))
        if mode == "nearest":
            np.add.at(result, (rows[:, None], cols), g)
        else:
            (h0, h1, a0, a1), (w0, w1, b0, b1) = rows, cols
            for h, a in ((h0, a0), (h1, a1)):
                for w, b in ((w0, b0), (w1, b1)):
                    weight = (a[:, None] * b)[:, :, None, None]
                    np.add.at(result, (h[:, None], w), weight * g)
        result = np.ascontiguousarray(np.moveaxis(result, (2, 3), (0, 1)))
        return result[:, :, 0] if self.args[0] is None else result

    def backward(self, grad):
        return (Upsample2D.apply(grad, *self.args),)


def _output_size(input, size, scale_factor):
    if size is None and scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        return tuple(int(s) for s in size) if isinstance(size, (tuple, list)) \
            else (int(size),) * (input.dim() - 2), None
    factors = tuple(float(f) for f in scale_factor) \
        if isinstance(scale_factor, (tuple, list)) else (float(scale_factor),) * (input.dim() - 2)
    out = tuple(int(math.floor(float(s) * f)) for s, f in zip(input.shape[2:], factors))
    return out, factors


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, H, W) images or (N, C, L) signals to ``size`` or by ``scale_factor``.

    chainrule implements ``'nearest'`` (3-D and 4-D input), ``'linear'`` (3-D) and
    ``'bilinear'`` (4-D); other modes and ranks raise ``NotImplementedError``.
    """
    if mode not in _MODES:
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
            "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area "
            f"| nearest-exact (got {mode})")
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating "
                             "modes: linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    if mode == "bilinear" and input.dim() != 4:
        raise NotImplementedError(f"Got {input.dim()}D input, but bilinear mode needs 4D "
                                  "input")
    if mode == "linear" and input.dim() != 3:
        raise NotImplementedError(f"Got {input.dim()}D input, but linear mode needs 3D "
                                  "input")
    if (mode, input.dim()) not in _NAMES:
        raise NotImplementedError(f"chainrule's interpolate supports modes 'nearest' (3D and "
                                  f"4D input), 'linear' and 'bilinear' (got {input.dim()}D "
                                  f"input, mode {mode!r})")
    out, factors = _output_size(input, size, scale_factor)
    if recompute_scale_factor or factors is None:
        factors = (None,) * len(out)
    sizes = input.shape[2:]
    if mode == "nearest":
        sources = [_nearest_source(n, m, f) for n, m, f in zip(sizes, out, factors)]
    else:
        sources = [_linear_source(n, m, align_corners, f) for n, m, f in zip(sizes, out, factors)]
    rows, cols = sources if len(sources) == 2 else (None, sources[0])
    return Upsample2D.apply(input, rows=rows, cols=cols, mode=mode)
