"""Convolution: ``conv1d``, ``conv2d``, ``conv_transpose1d/2d``, ``unfold`` and ``fold``.

A convolution slides a small weight W (O x C x kh x kw) over the input X (N x C x H x W)
and takes a dot product at every position (i, j):

    Y[n, o, i, j] = b[o] + sum_{c, p, q} W[o, c, p, q] * X[n, c, s*i + d*p, s*j + d*q]

(s = stride, d = dilation, X zero-padded first). Written with the *columns* of X,
the matrix whose column (n, i, j) holds the C*kh*kw numbers under the window at (i, j)
("im2col"), the whole layer is one matrix product, which BLAS does fast:

    Y = W @ columns(X)           dL/dW = dL/dY @ columns(X)^T
    dL/dcolumns = W^T @ dL/dY    dL/dX = the columns added back where they came from

Adding the columns back ("col2im") is the *transposed* convolution, which is also
the layer ``ConvTranspose2d`` computes. With ``groups=g`` the channels are split
into g independent convolutions: one batched matrix product with g matrices.

Each gradient is itself a convolution of the same geometry, so ``backward`` calls
the ops below again and second derivatives (``create_graph=True``) work:

    Convolution(X, W)      backward: dX = Convolution(dY, W, transposed),
                                     dW = ConvolutionWeightGrad(X, dY)
    ConvolutionWeightGrad  backward: Convolution again (it is linear in each input)

>>> import chainrule as torch
>>> import chainrule.nn.functional as F
>>> x = torch.arange(9.0).reshape(1, 1, 3, 3)
>>> F.conv2d(x, torch.ones(1, 1, 2, 2))
tensor([[[[ 8., 12.],
          [20., 24.]]]])
"""
import itertools

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ...autograd.graph import Node

_SCALAR = {"float64": "Double", "float32": "Float", "float16": "Half", "int64": "Long"}


# ---- the NumPy kernels: im2col, its matrix products, col2im -------------------------------

def _columns(x, kernel, stride, pads, dilation, groups):
    """im2col: (N, C, *size) -> columns (N, g, C/g*K, L) and the output size (L positions).

    Row (c, p, q) of sample n's matrix holds X[n, c, s*i + d*p, s*j + d*q] for every
    window position (i, j). Each sample keeps its own matrix, so W @ columns is
    already laid out as the output (N, O, L): no transpose afterwards.
    """
    n, c, nd = x.shape[0], x.shape[1], len(kernel)
    if any(b or a for b, a in pads):
        x = np.pad(x, [(0, 0), (0, 0)] + list(pads))
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation))
    win = sliding_window_view(x, span, axis=tuple(range(2, 2 + nd)))
    # every s-th window position, every d-th element inside a window
    pick = tuple(slice(None, None, s) for s in stride) + tuple(slice(None, None, d)
                                                                for d in dilation)
    win = win[(slice(None), slice(None)) + pick]           # (N, C, *out, *k): still a view
    out = win.shape[2:2 + nd]
    # (N, C, *out, *k) -> (N, C, *k, *out): the one copy im2col makes; the positions
    # stay innermost, so the copy reads the image row by row
    order = (0, 1) + tuple(range(2 + nd, 2 + 2 * nd)) + tuple(range(2, 2 + nd))
    cols = np.ascontiguousarray(win.transpose(order))
    return cols.reshape(n, groups, -1, int(np.prod(out))), out


def _per_group(y, groups):
    """(N, O, *out) as (N, g, O/g, L): each group's rows, one column per position."""
    n, o = y.shape[:2]
    return y.reshape(n, groups, o // groups, -1)


def _conv(x, w, stride, pads, dilation, groups):
    """Y = W @ columns(X), per sample and group; returns (N, O, *out) and the columns."""
    cols, out = _columns(x, w.shape[2:], stride, pads, dilation, groups)
    o, n = w.shape[0], x.shape[0]
    y = np.matmul(w.reshape(groups, o // groups, -1), cols)     # (N, g, O/g, L)
    return y.reshape((n, o) + out), cols


def _conv_transpose(grad, w, size, stride, pads, dilation, groups):
    """col2im(W^T @ dL/dY): the gradient of a convolution for an input of spatial ``size``,
    which is also the transposed convolution of ``grad``. Returns (N, C, *size)."""
    wm = w.reshape(groups, w.shape[0] // groups, -1)
    cols = np.matmul(wm.transpose(0, 2, 1), _per_group(grad, groups))   # (N, g, C/g*K, L)
    return _col2im(cols, size, w.shape[2:], grad.shape[2:], stride, pads, dilation)


def _col2im(cols, size, kernel, out, stride, pads, dilation):
    """Add columns (N, g, C/g*K, L) back to the pixels they were read from: (N, C, *size)."""
    n, nd = cols.shape[0], len(size)
    cols = cols.reshape((n, -1) + tuple(kernel) + tuple(out))     # (N, C, *k, *out)
    padded = tuple(s + b + a for s, (b, a) in zip(size, pads))
    result = np.zeros((n, cols.shape[1]) + padded, dtype=cols.dtype)
    # each kernel offset adds one strided slab: a loop over kh*kw offsets, not pixels
    for offset in itertools.product(*(range(k) for k in kernel)):
        where = tuple(slice(p * d, p * d + s * (m - 1) + 1, s)
                      for p, d, s, m in zip(offset, dilation, stride, out))
        result[(slice(None), slice(None)) + where] += cols[(slice(None), slice(None)) + offset]
    crop = tuple(slice(b, b + s) for s, (b, a) in zip(size, pads))
    return np.ascontiguousarray(result[(slice(None), slice(None)) + crop])


def _conv_weight(x, grad, kernel, stride, pads, dilation, groups, cols=None):
    """dL/dW = sum over samples of dL/dY @ columns(X)^T, per group; returns (O, C/g, *kernel)."""
    if cols is None:
        cols, _ = _columns(x, kernel, stride, pads, dilation, groups)
    per_sample = np.matmul(_per_group(grad, groups), cols.transpose(0, 1, 3, 2))
    gw = per_sample.sum(axis=0)                                  # (g, O/g, C/g*K)
    return gw.reshape((grad.shape[1], x.shape[1] // groups) + tuple(kernel))


# ---- the graph nodes -----------------------------------------------------------------------

class Convolution(Node):
    """Y = conv(X, W) + b, or with ``transposed=True`` Y = conv^T(X, W) + b.

    dL/dX = conv^T(dL/dY, W)  (conv(dL/dY, W) when transposed)
    dL/dW = ConvolutionWeightGrad(X, dL/dY)  (arguments swapped when transposed)
    dL/db = dL/dY summed over the batch and every position.
    ``size`` is the spatial size of a transposed convolution's result.
    """
    torch_name = "ConvolutionBackward0"

    def forward(self, input, weight, bias, stride, pads, dilation, groups, transposed,
                size=None, name=None):
        if name is not None:            # a gradient computed with create_graph=True
            self.torch_name = name
        self.save_for_backward(input, weight)
        self.geometry = (stride, pads, dilation, groups)
        self.transposed = transposed
        if transposed:
            out = _conv_transpose(input._data, weight._data, size, *self.geometry)
        else:
            # the columns are kept for dL/dW: backward need not build them again
            out, self.columns = _conv(input._data, weight._data, *self.geometry)
        if bias is not None:
            out = out + bias._data.astype(out.dtype).reshape((-1,) + (1,) * (out.ndim - 2))
        return out

    def backward(self, grad):
        x, w = self.saved_tensors
        geometry, transposed = self.geometry, self.transposed
        grad_x = grad_w = grad_b = None
        if self.needs_input_grad(0):
            grad_x = Convolution.apply(grad, w, None, *geometry, not transposed,
                                       size=tuple(x.shape[2:]),
                                       name="ConvolutionBackwardBackward0")
        if self.needs_input_grad(1):
            data, dy = (grad, x) if transposed else (x, grad)
            grad_w = ConvolutionWeightGrad.apply(data, dy, *geometry,
                                                 kernel=tuple(w.shape[2:]),
                                                 columns=self.columns)
        if self.needs_input_grad(2):
            grad_b = grad.sum([0] + list(range(2, grad.dim())))
        return grad_x, grad_w, grad_b

    columns = None

    def release(self):
        super().release()
        self.columns = None


class ConvolutionWeightGrad(Node):
    """dW = sum over positions of dL/dY * window(X): linear in X and in dL/dY, so

    <H, dW(X, G)> = <conv(X, H), G>   gives   dX = conv^T(G, H),  dG = conv(X, H).
    """
    torch_name = "ConvolutionBackwardBackward0"

    def forward(self, input, grad_output, stride, pads, dilation, groups, kernel,
                columns=None):
        self.save_for_backward(input, grad_output)
        self.geometry = (stride, pads, dilation, groups)
        return _conv_weight(input._data, grad_output._data, kernel, *self.geometry, columns)

    def backward(self, grad):
        x, dy = self.saved_tensors
        grad_x = grad_dy = None
        if self.needs_input_grad(0):
            grad_x = Convolution.apply(dy, grad, None, *self.geometry, True,
                                       size=tuple(x.shape[2:]))
        if self.needs_input_grad(1):
            grad_dy = Convolution.apply(x, grad, None, *self.geometry, False)
        return grad_x, grad_dy


# ---- checks and the public functions ---------------------------------------------------

def _tuple(value, nd):
    return tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value),) * nd


def _pads(padding, kernel, dilation, stride, nd):
    """PyTorch's padding argument as (before, after) pairs per spatial dimension."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        # an odd total cannot be split evenly: the extra zero goes after, as in PyTorch
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in _tuple(padding, nd))


def _check(name, input, weight, bias, stride, pads, dilation, groups, transposed, nd):
    """PyTorch's errors for a convolution, in the order PyTorch checks."""
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to "
                           f"{name}, but got input of size: {list(input.shape)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(b < 0 or a < 0 for b, a in pads):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if input._data.dtype != weight._data.dtype:
        raise RuntimeError(f"expected scalar type {_SCALAR.get(input._data.dtype.name)} but "
                           f"found {_SCALAR.get(weight._data.dtype.name)}")
    if bias is not None and not transposed and bias._data.dtype != input._data.dtype:
        raise RuntimeError(f"Input type ({_SCALAR.get(input._data.dtype.name, '').lower()}) "
                           f"and bias type ({_SCALAR.get(bias._data.dtype.name, '').lower()}) "
                           f"should be the same")
    shape = list(input.shape) if input.dim() == nd + 2 else [1] + list(input.shape)
    wshape = list(weight.shape)
    expected = wshape[0] if transposed else wshape[1] * groups
    if shape[1] != expected:
        if transposed:
            raise RuntimeError(f"Given transposed=1, weight of size {wshape}, expected input"
                               f"{shape} to have {expected} channels, but got {shape[1]} "
                               f"channels instead")
        raise RuntimeError(f"Given groups={groups}, weight of size {wshape}, expected input"
                           f"{shape} to have {expected} channels, but got {shape[1]} "
                           f"channels instead")
    out_channels = wshape[1] * groups if transposed else wshape[0]
    if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_channels):
        raise RuntimeError(f"Given weight of size {wshape}, expected bias to be 1-dimensional "
                           f"with {out_channels} elements, but got bias of size "
                           f"{list(bias.shape)} instead")
    if not transposed:
        padded = [s + b + a for s, (b, a) in zip(shape[2:], pads)]
        span = [d * (k - 1) + 1 for k, d in zip(wshape[2:], dilation)]
        if any(p < k for p, k in zip(padded, span)):
            raise RuntimeError(f"Calculated padded input size per channel: "
                               f"({' x '.join(map(str, padded))}). Kernel size: "
                               f"({' x '.join(map(str, span))}). Kernel size can't be greater "
                               f"than actual input size")


def _convolution(name, nd, input, weight, bias, stride, padding, dilation, groups,
                 transposed=False, output_padding=0):
    stride, dilation = _tuple(stride, nd), _tuple(dilation, nd)
    groups = int(groups)
    kernel = tuple(weight.shape[2:])
    pads = _pads(padding, kernel, dilation, stride, nd)
    _check(name, input, weight, bias, stride, pads, dilation, groups, transposed, nd)
    batched = input.dim() == nd + 2
    x = input if batched else input.unsqueeze(0)
    size = None
    if transposed:
        extra = _tuple(output_padding, nd)
        if any(e >= max(s, d) for e, s, d in zip(extra, stride, dilation)):
            raise RuntimeError("output padding must be smaller than either stride or dilation,"
                               f" but got output_padding_height: {extra[0]} output_padding_"
                               f"width: {extra[-1]} stride_height: {stride[0]} stride_width: "
                               f"{stride[-1]} dilation_height: {dilation[0]} dilation_width: "
                               f"{dilation[-1]}")
        size = tuple((m - 1) * s - b - a + d * (k - 1) + e + 1 for m, s, (b, a), d, k, e
                     in zip(x.shape[2:], stride, pads, dilation, kernel, extra))
    out = Convolution.apply(x, weight, bias, stride, pads, dilation, groups, transposed,
                            size=size)
    return out if batched else out.squeeze(0)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of (N, C, L) by a weight (O, C/groups, k); see the module docstring."""
    return _convolution("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution of (N, C, H, W) by a weight (O, C/groups, kh, kw).

    ``padding`` is a number, a pair, ``'valid'`` (none) or ``'same'`` (output as large
    as the input; stride 1 only).
    """
    return _convolution("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """The transposed 1-D convolution (the gradient of ``conv1d`` with respect to its input)."""
    return _convolution("conv_transpose1d", 1, input, weight, bias, stride, padding,
                        dilation, groups, True, output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0,
                     groups=1, dilation=1):
    """The transposed 2-D convolution: each input pixel spreads a weighted copy of the kernel.

    weight is (C_in, C_out/groups, kh, kw); the output side is
    (H - 1)*stride - 2*padding + dilation*(kh - 1) + output_padding + 1.
    """
    return _convolution("conv_transpose2d", 2, input, weight, bias, stride, padding,
                        dilation, groups, True, output_padding)


# ---- unfold and fold: im2col and col2im as functions of their own ---------------------------

class Im2Col(Node):
    """(N, C, H, W) -> (N, C*kh*kw, L): column l holds the window at position l.

    Each output number is a copy of one input pixel, so dL/dX adds the columns back
    (``Col2Im``), and the gradient of that is ``Im2Col`` again.
    """
    torch_name = "Im2ColBackward0"

    def forward(self, input, kernel, dilation, pads, stride):
        self.args = (kernel, dilation, pads, stride)
        self.size = input._data.shape[2:]
        cols, _ = _columns(input._data, kernel, stride, pads, dilation, 1)
        return cols.reshape(cols.shape[0], cols.shape[2], cols.shape[3])   # (N, C*K, L)

    def backward(self, grad):
        return (Col2Im.apply(grad, self.size, *self.args),)


class Col2Im(Node):
    """(N, C*kh*kw, L) -> (N, C, H, W): each column added back onto its window."""
    torch_name = "Col2ImBackward0"

    def forward(self, input, size, kernel, dilation, pads, stride):
        self.args = (kernel, dilation, pads, stride)
        x = input._data
        out = tuple((s + b + a - d * (k - 1) - 1) // t + 1
                    for s, (b, a), d, k, t in zip(size, pads, dilation, kernel, stride))
        cols = x.reshape(x.shape[0], 1, x.shape[1], x.shape[2])        # (N, g=1, C*K, L)
        return _col2im(cols, size, kernel, out, stride, pads, dilation)

    def backward(self, grad):
        return (Im2Col.apply(grad, *self.args),)


def _fold_args(kernel_size, dilation, padding, stride):
    pads = tuple((p, p) for p in _tuple(padding, 2))
    return _tuple(kernel_size, 2), _tuple(dilation, 2), pads, _tuple(stride, 2)


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: the sliding kh x kw blocks of (N, C, H, W) as columns, (N, C*kh*kw, L)."""
    if input.dim() not in (3, 4):
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor for input with possibly "
                           f"0 batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    kernel, dilation, pads, stride = _fold_args(kernel_size, dilation, padding, stride)
    x = input if input.dim() == 4 else input.unsqueeze(0)
    out = Im2Col.apply(x, kernel, dilation, pads, stride)
    return out if input.dim() == 4 else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: add the columns of (N, C*kh*kw, L) back into (N, C, *output_size)."""
    kernel, dilation, pads, stride = _fold_args(kernel_size, dilation, padding, stride)
    size = _tuple(output_size, 2)
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly "
                           f"0 batch size and non-zero dimensions for input, but got: "
                           f"{list(input.shape)}")
    x = input if input.dim() == 3 else input.unsqueeze(0)
    k = kernel[0] * kernel[1]
    if x.shape[1] % k:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the "
                           f"product of kernel_size, but got input.size(1)={x.shape[1]} and "
                           f"kernel_size={kernel}.")
    blocks = [(s + b + a - d * (kk - 1) - 1) // t + 1
              for s, (b, a), d, kk, t in zip(size, pads, dilation, kernel, stride)]
    if x.shape[2] != blocks[0] * blocks[1]:
        raise RuntimeError(f"Given output_size={size}, kernel_size={kernel}, dilation="
                           f"{dilation}, padding={tuple(p for p, _ in pads)}, stride={stride}, "
                           f"expected size of input's dimension 2 to match the calculated "
                           f"number of sliding blocks {blocks[0]} * {blocks[1]} = "
                           f"{blocks[0] * blocks[1]}, but got input.size(2)={x.shape[2]}.")
    out = Col2Im.apply(x, size, kernel, dilation, pads, stride)
    return out if input.dim() == 3 else out.squeeze(0)
