"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``.

``Conv2d(in_channels, out_channels, kernel_size)`` holds a weight
(out_channels, in_channels/groups, kh, kw) and a bias (out_channels), and computes
``F.conv2d`` (see ``chainrule/nn/_ops/conv.py`` for the maths). Its starting
values are drawn as PyTorch draws them: the weight with ``kaiming_uniform_(a=sqrt(5))``,
i.e. U(-k, k) with k = 1/sqrt(fan_in), fan_in = in_channels/groups * kh * kw, then the
bias from the same range; after the same ``manual_seed`` they match bit for bit.

>>> import chainrule as torch
>>> conv = torch.nn.Conv2d(1, 8, 3)
>>> conv
Conv2d(1, 8, kernel_size=(3, 3), stride=(1, 1))
>>> conv(torch.zeros(64, 1, 28, 28)).shape
torch.Size([64, 8, 26, 26])
"""
import math

from ... import _factories
from .. import functional as F
from .. import init
from .._ops import conv as ops
from ..parameter import Parameter
from .module import Module

_PADDING_MODES = {"zeros", "reflect", "replicate", "circular"}     # same order as PyTorch's


class _ConvNd(Module):
    """What every convolution layer shares: checks, parameters, init and repr."""

    _dims = 2

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 transposed, output_padding, groups, bias, padding_mode, dtype=None):
        super().__init__()
        nd = self._dims
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            # a set, printed in the set's own order, as PyTorch prints it
            strings = {"same", "valid"}
            if padding not in strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of "
                                 f"{strings}")
            if padding == "same" and any(s != 1 for s in ops._tuple(stride, nd)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_PADDING_MODES}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = ops._tuple(kernel_size, nd)
        self.stride = ops._tuple(stride, nd)
        self.padding = padding if isinstance(padding, str) else ops._tuple(padding, nd)
        self.dilation = ops._tuple(dilation, nd)
        self.transposed = transposed
        self.output_padding = ops._tuple(output_padding, nd)
        self.groups = groups
        self.padding_mode = padding_mode
        # F.pad's order (last dimension first, each side twice) for the non-zero modes
        pairs = ops._pads(padding, self.kernel_size, self.dilation, self.stride, nd)
        self._reversed_padding_repeated_twice = [p for pair in reversed(pairs) for p in pair]
        if transposed:
            shape = (in_channels, out_channels // groups) + self.kernel_size
        else:
            shape = (out_channels, in_channels // groups) + self.kernel_size
        self.weight = Parameter(_factories.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(_factories.empty(out_channels, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # weight first, then bias: the order of the random draws is part of the result
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * len(self.kernel_size):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s

    def _conv_forward(self, input, weight, bias):
        conv = F.conv1d if self._dims == 1 else F.conv2d
        if self.padding_mode != "zeros":
            # reflect/replicate/circular: pad first, then convolve without padding
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return conv(padded, weight, bias, self.stride, 0, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) -> (N, C_out, L_out).

    L_out = floor((L + 2*padding - dilation*(k - 1) - 1) / stride + 1).
    """

    _dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, dtype)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out).

    H_out = floor((H + 2*padding - dilation*(kh - 1) - 1) / stride + 1), W_out alike.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 dilation=1, groups=1, bias=True, padding_mode="zeros", device=None,
                 dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, dtype)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class _ConvTransposeNd(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding,
                 output_padding, groups, bias, dilation, padding_mode, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for '
                             f'{self.__class__.__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, dtype)

    def _output_padding(self, input, output_size):
        """The output_padding that makes the result ``output_size`` (PyTorch's rule)."""
        if output_size is None:
            return self.output_padding
        nd = self._dims
        wanted = list(output_size)[-nd:]
        extra = []
        for i in range(nd):
            smallest = ((input.shape[-nd + i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if not smallest <= wanted[i] < smallest + self.stride[i]:
                raise ValueError(f"requested an output size of {wanted}, but valid sizes "
                                 f"range from {smallest} to {smallest + self.stride[i] - 1} "
                                 f"(for an input of {list(input.shape[-nd:])})")
            extra.append(wanted[i] - smallest)
        return tuple(extra)

    def forward(self, input, output_size=None):
        transpose = F.conv_transpose1d if self._dims == 1 else F.conv_transpose2d
        return transpose(input, self.weight, self.bias, self.stride, self.padding,
                         self._output_padding(input, output_size), self.groups,
                         self.dilation)


class ConvTranspose1d(_ConvTransposeNd):
    """Transposed 1-D convolution: L_out = (L - 1)*stride - 2*padding
    + dilation*(k - 1) + output_padding + 1. Weight: (C_in, C_out/groups, k)."""

    _dims = 1

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, dtype)


class ConvTranspose2d(_ConvTransposeNd):
    """Transposed 2-D convolution ("deconvolution"), the gradient of ``Conv2d`` as a layer.

    H_out = (H - 1)*stride - 2*padding + dilation*(kh - 1) + output_padding + 1.
    Weight: (C_in, C_out/groups, kh, kw); fan_in for the init is C_out/groups * kh * kw.
    """

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, dtype)
