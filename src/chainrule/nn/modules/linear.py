"""Affine layers: ``Identity``, ``Linear`` and ``Bilinear``.

``Linear(in_features, out_features)`` holds W (out x in) and b (out) and
computes y = x W^T + b. Its starting weights are drawn as PyTorch draws them:
first W ~ U(-1/sqrt(in), 1/sqrt(in)) (``kaiming_uniform_`` with a = sqrt(5)), then
b from the same range, so after the same ``manual_seed`` they match bit for bit.

>>> import chainrule as torch
>>> _ = torch.manual_seed(0)
>>> layer = torch.nn.Linear(2, 1)
>>> layer
Linear(in_features=2, out_features=1, bias=True)
>>> layer.weight
Parameter containing:
tensor([[-0.0053,  0.3793]], requires_grad=True)
>>> layer(torch.tensor([[1.0, 1.0]])).shape
torch.Size([1, 1])
"""
import math

from ... import _factories
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


class Identity(Module):
    """Returns its input unchanged (arguments are accepted and ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x W^T + b.

    Shape: input (*, in_features) -> output (*, out_features).
    Parameters: ``weight`` (out_features, in_features), ``bias`` (out_features)
    unless ``bias=False``. Init: U(-k, k), k = 1/sqrt(in_features), for both.
    """

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(_factories.empty((out_features, in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(_factories.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # weight first, then bias: the order of the random draws is part of the result
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class Bilinear(Module):
    """y = x1^T A x2 + b, one matrix A per output feature.

    Shape: (*, in1_features) and (*, in2_features) -> (*, out_features).
    Init: U(-k, k) with k = 1/sqrt(in1_features), weight then bias.
    """

    def __init__(self, in1_features, in2_features, out_features, bias=True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features = in1_features
        self.in2_features = in2_features
        self.out_features = out_features
        self.weight = Parameter(_factories.empty((out_features, in1_features, in2_features),
                                                 dtype=dtype))
        if bias:
            self.bias = Parameter(_factories.empty(out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        bound = 1 / math.sqrt(self.weight.size(1))
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self):
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
