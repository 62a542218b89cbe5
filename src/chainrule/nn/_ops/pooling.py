"""Pooling: ``max_pool1d/2d``, ``avg_pool1d/2d``, ``adaptive_avg_pool2d``, ``adaptive_max_pool2d``.

A pooling layer slides a window over each channel and keeps one number per window:

    max:  y = max of the window       dL/dx = dL/dy at the position that won, 0 elsewhere
    avg:  y = (sum of the window) / D  dL/dx = dL/dy / D at every position of the window

Ties in max: the gradient goes to the *first* largest value of the window (row by
row), as in PyTorch; a NaN in a window wins (the last NaN, as PyTorch's loop finds
it). The windows are NumPy views (``sliding_window_view``), and the loops run over
kernel offsets (adaptive pooling: over output cells), never over input pixels.

The 1-D poolings run the 2-D ones on an (N, C, 1, L) view, as PyTorch does, so
their ``grad_fn`` is ``SqueezeBackward1`` like PyTorch's.

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> F.max_pool2d(torch.tensor([[[[1.0, 2.0], [4.0, 3.0]]]]), 2)
tensor([[[[4.]]]])
"""
import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...autograd.graph import Node
from ..._tensor import TensorBase

_make = TensorBase._make


# ---- geometry ------------------------------------------------------------------------

def _pair(value):
    if isinstance(value, (tuple, list)):
        return tuple(int(v) for v in value) if len(value) == 2 else (int(value[0]),) * 2
    return (int(value), int(value))


def _out_size(size, k, s, p, d, ceil_mode):
    """floor (or ceil) of (size + 2p - d(k-1) - 1)/s + 1; a last window must start inside."""
    span = d * (k - 1) + 1
    out = (size + 2 * p - span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _windows(x, kernel, stride, pads, dilation, out, fill):
    """Windows (N, C, *out, *kernel) over x padded with ``fill`` (a view of the padded copy)."""
    widths = [(0, 0), (0, 0)]
    for size, k, s, p, d, m in zip(x.shape[2:], kernel, stride, pads, dilation, out):
        widths.append((p, max((m - 1) * s + d * (k - 1) + 1 - size - p, 0)))
    xp = np.pad(x, widths, constant_values=fill) if any(b or a for b, a in widths) else x
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    win = sliding_window_view(xp, span, axis=(2, 3))
    pick = tuple(slice(0, m * s, s) for m, s in zip(out, stride))
    return win[(slice(None), slice(None)) + pick + tuple(slice(None, None, d) for d in dilation)]


def _check_pool(kernel, stride, pads, dilation):
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kernel[0]} "
                           f"kW: {kernel[1]}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: "
                           f"{dilation[0]} dilationW: {dilation[1]}")
    for k, p, d in zip(kernel, pads, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got "
                               f"pad={p}, kernel_size={k} and dilation={d}")


def _check_output(shape, out):
    if any(m < 1 for m in out):
        raise RuntimeError(f"Given input size: ({shape[-3]}x{shape[-2]}x{shape[-1]}). "
                           f"Calculated output size: ({shape[-3]}x{out[0]}x{out[1]}). "
                           f"Output size is too small")


# ---- max pooling -----------------------------------------------------------------------

class MaxPool2DWithIndices(Node):
    """y = max of each window, and where it was (a flat index h*W + w into the channel).

    dL/dx: each dL/dy goes to its window's winner; windows that overlap add up there.
    """
    torch_name = "MaxPool2DWithIndicesBackward0"
    num_outputs = 2
    non_differentiable = (1,)

    def forward(self, input, kernel, stride, pads, dilation, out):
        x = input._data
        self.shape = x.shape
        x = x.reshape((-1,) + x.shape[-3:])         # (C, H, W) -> (1, C, H, W)
        w = x.shape[-1]
        win = _windows(x, kernel, stride, pads, dilation, out, -np.inf)
        # Each kernel offset (i, j) is one step in a flat index: i*d*W + j*d.
        steps = [i * dilation[0] * w + j * dilation[1]
                 for i, j in itertools.product(range(kernel[0]), range(kernel[1]))]
        values, best = _running_max(win, steps)
        if np.isnan(values).any():
            values, best = _running_max(win, steps, nan_wins=True)
        # where each window starts, as a flat index into its channel
        rows = np.arange(out[0])[:, None] * stride[0] - pads[0]
        cols = np.arange(out[1]) * stride[1] - pads[1]
        indices = best + (rows * w + cols)
        self.indices = indices.reshape(self.shape[:-2] + out)
        # windows that cannot share a pixel cannot share a winner (see ScatterToWinners)
        spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation)]
        self.disjoint = all(span <= s for span, s in zip(spans, stride))
        return values.reshape(self.indices.shape), self.indices

    def backward(self, grad, _indices_grad=None):
        return (ScatterToWinners.apply(grad, indices=self.indices, shape=self.shape,
                                       disjoint=self.disjoint),)


def _running_max(win, steps, nan_wins=False):
    """The max of each window and the step (flat offset) of its winner, offset by offset.

    Only a strictly larger value replaces the best so far, so ties go to the first
    maximum, as in PyTorch's loop. With ``nan_wins`` a NaN replaces it too, so the
    last NaN wins, as in PyTorch; that costs one more pass per offset, so it runs
    only when the result holds a NaN.
    """
    kw = win.shape[-1]
    values = win[..., 0, 0].copy()
    winner = np.zeros(values.shape, np.int32)          # which offset won, 0, 1, 2, ...
    for number in range(1, len(steps)):
        candidate = win[..., number // kw, number % kw]
        better = candidate > values
        if nan_wins:
            better |= np.isnan(candidate)
        np.maximum(values, candidate, out=values)       # a NaN on either side stays
        # winner = number where better: offsets come in increasing order, so a max
        # does it (a masked copy or np.where is ~10x slower on a random mask)
        np.maximum(winner, better * np.int32(number), out=winner)
    return values, np.asarray(steps, np.int64)[winner]


class ScatterToWinners(Node):
    """dL/dx[winner] += dL/dy: linear in dL/dy, so its own gradient gathers the winners.

    ``disjoint`` says no two windows share a pixel (stride >= kernel span, as in
    ``MaxPool2d(2)``): then no pixel wins twice and the gradients are simply put in
    place; otherwise the gradients of a pixel that won several windows are added.
    """
    torch_name = "MaxPool2DWithIndicesBackwardBackward0"

    def forward(self, grad, indices, shape, disjoint=False):
        self.out_shape = grad.shape
        channels, pixels = int(np.prod(shape[:-2])), shape[-2] * shape[-1]
        channel = np.arange(channels).reshape(shape[:-2] + (1, 1)) * pixels
        self.where = (channel + indices).ravel()
        if disjoint:
            out = np.zeros(channels * pixels, grad._data.dtype)
            out[self.where] = grad._data.ravel()
            return out.reshape(shape)
        summed = np.bincount(self.where, weights=grad._data.ravel(),
                             minlength=channels * pixels)
        return summed.astype(grad._data.dtype).reshape(shape)

    def backward(self, grad):
        return (grad.reshape(-1)[_make(self.where)].view(*self.out_shape),)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over kh x kw windows of (N, C, H, W) or (C, H, W); ``stride`` defaults to the kernel."""
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] else _pair(stride)
    pads, dilation = _pair(padding), _pair(dilation)
    if input.dim() not in (3, 4) or input.numel() == 0:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    _check_pool(kernel, stride, pads, dilation)
    out = tuple(_out_size(input.shape[i - 2], kernel[i], stride[i], pads[i], dilation[i],
                          ceil_mode) for i in range(2))
    _check_output(input.shape, out)
    values, indices = MaxPool2DWithIndices.apply(input, kernel=kernel, stride=stride,
                                                 pads=pads, dilation=dilation, out=out)
    return (values, indices) if return_indices else values


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Max over windows of length k of (N, C, L) or (C, L): ``max_pool2d`` on (.., 1, L)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 "
                           f"dim batch size for input, but got:{list(input.shape)}")
    k = _pair(kernel_size)[0]
    s = k if stride is None or stride == [] else _pair(stride)[0]
    p, d = _pair(padding)[0], _pair(dilation)[0]
    if input.shape[-1] and _out_size(input.shape[-1], k, s, p, d, ceil_mode) < 1 and k > 0 \
            and s > 0 and d > 0 and p <= (d * (k - 1) + 1) // 2:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: "
                           f"{_out_size(input.shape[-1], k, s, p, d, ceil_mode)}")
    result = max_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), ceil_mode, True)
    values, indices = result[0].squeeze(-2), result[1].squeeze(-2)
    return (values, indices) if return_indices else values


# ---- average pooling ---------------------------------------------------------------------

def _divisor(size, k, s, p, out, count_include_pad):
    """D per output position along one dimension (the 2-D divisor is a product of two)."""
    start = np.arange(out) * s - p
    end = np.minimum(start + k, size + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


class AvgPool2D(Node):
    """y = (sum of the window) / D;   dL/dx = dL/dy / D spread over every window it saw."""
    torch_name = "AvgPool2DBackward0"

    def forward(self, input, kernel, stride, pads, out, divisor):
        self.geometry = (kernel, stride, pads, out, divisor)
        x = input._data
        self.shape = x.shape
        win = _windows(x.reshape((-1,) + x.shape[-3:]), kernel, stride, pads, (1, 1), out, 0)
        y = win.sum(axis=(-2, -1)) / divisor.astype(x.dtype)
        return y.reshape(x.shape[:-2] + out)

    def backward(self, grad):
        return (SpreadOverWindows.apply(grad, *self.geometry, shape=self.shape),)


class SpreadOverWindows(Node):
    """The adjoint of ``AvgPool2D``: each dL/dy / D added to every input of its window."""
    torch_name = "AvgPool2DBackwardBackward0"

    def forward(self, grad, kernel, stride, pads, out, divisor, shape):
        self.geometry = (kernel, stride, pads, out, divisor)
        g = grad._data / divisor.astype(grad._data.dtype)
        h, w = shape[-2:]
        widths = [max((m - 1) * s + k - size - p, 0) for size, k, s, p, m
                  in zip((h, w), kernel, stride, pads, out)]
        result = np.zeros(shape[:-2] + (h + pads[0] + widths[0], w + pads[1] + widths[1]),
                          g.dtype)
        for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
            result[..., i:i + stride[0] * (out[0] - 1) + 1:stride[0],
                   j:j + stride[1] * (out[1] - 1) + 1:stride[1]] += g
        return result[..., pads[0]:pads[0] + h, pads[1]:pads[1] + w].copy()

    def backward(self, grad):
        return (AvgPool2D.apply(grad, *self.geometry),)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over kh x kw windows; ``count_include_pad=False`` leaves padding out of D."""
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or stride == [] else _pair(stride)
    pads = _pair(padding)
    if input.dim() not in (3, 4):
        raise IndexError(f"Dimension out of range (expected to be in range of "
                         f"[{-input.dim()}, {input.dim() - 1}], but got -3)")
    _check_pool(kernel, stride, pads, (1, 1))
    out = tuple(_out_size(input.shape[i - 2], kernel[i], stride[i], pads[i], 1, ceil_mode)
                for i in range(2))
    _check_output(input.shape, out)
    if divisor_override:
        divisor = np.full(out, float(divisor_override))
    else:
        dh, dw = (_divisor(input.shape[i - 2], kernel[i], stride[i], pads[i], out[i],
                           count_include_pad) for i in range(2))
        divisor = (dh[:, None] * dw).astype(np.float64)
    return AvgPool2D.apply(input, kernel=kernel, stride=stride, pads=pads, out=out,
                           divisor=divisor)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """Mean over windows of length k of (N, C, L) or (C, L): ``avg_pool2d`` on (.., 1, L)."""
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional "
                           f"tensor for argument #1 'self' (while checking arguments for "
                           f"avg_pool1d)")
    k = _pair(kernel_size)[0]
    s = k if stride is None or stride == [] else _pair(stride)[0]
    y = avg_pool2d(input.unsqueeze(-2), (1, k), (1, s), (0, _pair(padding)[0]), ceil_mode,
                   count_include_pad)
    return y.squeeze(-2)


# ---- adaptive pooling: the windows are chosen to give the requested output size --------------

def _adaptive_ranges(size, out):
    """Window i covers [floor(i*size/out), ceil((i+1)*size/out))."""
    return [(i * size // out, -(-(i + 1) * size // out)) for i in range(out)]


def _adaptive_size(input, output_size, name, got=""):
    if input.dim() not in (3, 4):
        raise RuntimeError(f"{name}(): Expected 3D or 4D tensor, but got{got} "
                           f"{list(input.shape)}")
    size = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * 2
    return tuple(int(input.shape[-2 + i] if s is None else s) for i, s in enumerate(size))


class AdaptiveAvgPool2D(Node):
    """y = mean of each adaptive window;   dL/dx = dL/dy / area over its window."""
    torch_name = "AdaptiveAvgPool2DBackward0"

    def forward(self, input, out):
        x = input._data
        self.shape, self.out = x.shape, out
        rows, cols = _adaptive_ranges(x.shape[-2], out[0]), _adaptive_ranges(x.shape[-1], out[1])
        # sum the rows of each window, then its columns: Ho + Wo vectorised steps
        by_rows = np.stack([x[..., a:b, :].sum(-2) for a, b in rows], axis=-2)
        sums = np.stack([by_rows[..., a:b].sum(-1) for a, b in cols], axis=-1)
        area = np.array([b - a for a, b in rows])[:, None] * np.array([b - a for a, b in cols])
        self.area = area
        return (sums / area).astype(x.dtype)

    def backward(self, grad):
        return (AdaptiveSpread.apply(grad, shape=self.shape, area=self.area),)


class AdaptiveSpread(Node):
    """The adjoint of ``AdaptiveAvgPool2D``: dL/dy / area added over each window."""
    torch_name = "AdaptiveAvgPool2DBackwardBackward0"

    def forward(self, grad, shape, area):
        g = grad._data / area.astype(grad._data.dtype)
        self.out = g.shape[-2:]
        by_rows = np.zeros(g.shape[:-2] + (shape[-2], g.shape[-1]), g.dtype)
        for i, (a, b) in enumerate(_adaptive_ranges(shape[-2], self.out[0])):
            by_rows[..., a:b, :] += g[..., i:i + 1, :]
        result = np.zeros(shape, g.dtype)
        for j, (a, b) in enumerate(_adaptive_ranges(shape[-1], self.out[1])):
            result[..., a:b] += by_rows[..., j:j + 1]
        return result

    def backward(self, grad):
        return (AdaptiveAvgPool2D.apply(grad, out=self.out),)


def adaptive_avg_pool2d(input, output_size):
    """Average pooling with windows chosen so that the output is ``output_size``."""
    out = _adaptive_size(input, output_size, "adaptive_avg_pool2d")
    if out == (1, 1):
        return input.mean((-1, -2), keepdim=True)   # global average pooling, as PyTorch
    return AdaptiveAvgPool2D.apply(input, out=out)


class AdaptiveMaxPool2D(Node):
    """y = max of each adaptive window (first maximum wins), and its flat index."""
    torch_name = "AdaptiveMaxPool2DBackward0"
    num_outputs = 2
    non_differentiable = (1,)

    def forward(self, input, out):
        x = input._data
        self.shape = x.shape
        w = x.shape[-1]
        values = np.empty(x.shape[:-2] + out, x.dtype)
        indices = np.empty(x.shape[:-2] + out, np.int64)
        # one step per output cell (outputs are small: 1x1, 7x7, ...)
        for i, (a, b) in enumerate(_adaptive_ranges(x.shape[-2], out[0])):
            for j, (c, d) in enumerate(_adaptive_ranges(w, out[1])):
                window = x[..., a:b, c:d].reshape(x.shape[:-2] + (-1,))
                best = _last_nan_or_first_max(window)
                values[..., i, j] = np.take_along_axis(window, best[..., None], -1)[..., 0]
                indices[..., i, j] = (a + best // (d - c)) * w + c + best % (d - c)
        self.indices = indices
        return values, indices

    def backward(self, grad, _indices_grad=None):
        return (ScatterToWinners.apply(grad, indices=self.indices, shape=self.shape),)


def _last_nan_or_first_max(window):
    """Index of the winner along the last axis: the first maximum, or the last NaN."""
    best = np.argmax(window, axis=-1)
    nan = np.isnan(window)
    if nan.any():
        last_nan = window.shape[-1] - 1 - np.argmax(nan[..., ::-1], axis=-1)
        best = np.where(nan.any(-1), last_nan, best)
    return best


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling with windows chosen so that the output is ``output_size``."""
    out = _adaptive_size(input, output_size, "adaptive_max_pool2d", got=":")
    values, indices = AdaptiveMaxPool2D.apply(input, out=out)
    return (values, indices) if return_indices else values
