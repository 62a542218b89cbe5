"""Flatten all parameters into one vector and back (handy for second-order methods
and for looking at a model as a single point in weight space).

>>> import chainrule as torch
>>> layer = torch.nn.Linear(2, 1)
>>> v = torch.nn.utils.parameters_to_vector(layer.parameters())
>>> v.shape
torch.Size([3])
>>> torch.nn.utils.vector_to_parameters(torch.zeros(3), layer.parameters())
>>> layer.bias
Parameter containing:
tensor([0.], requires_grad=True)
"""
from ..._ops.joining import cat
from ..._tensor import TensorBase
from ..modules.module import typename


def parameters_to_vector(parameters):
    """All parameters, flattened and joined in order, as one 1-D tensor."""
    return cat([p.view(-1) for p in parameters])


def vector_to_parameters(vec, parameters):
    """Cut ``vec`` into pieces shaped like ``parameters`` and make them their data."""
    if not isinstance(vec, TensorBase):
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    pointer = 0
    for param in parameters:
        n = param.numel()
        param.data = vec[pointer:pointer + n].view_as(param).data
        pointer += n
