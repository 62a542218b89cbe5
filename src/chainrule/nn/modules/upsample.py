"""``Upsample``: resize images by a factor or to a size (``F.interpolate`` as a layer).

>>> import chainrule as torch
>>> up = torch.nn.Upsample(scale_factor=2, mode="nearest")
>>> up
Upsample(scale_factor=2.0, mode='nearest')
>>> up(torch.zeros(1, 3, 4, 4)).shape
torch.Size([1, 3, 8, 8])
"""
from .. import functional as F
from .module import Module


class Upsample(Module):
    """Resize (N, C, H, W) or (N, C, L) to ``size`` or by ``scale_factor``.

    Modes 'nearest', 'linear' (3-D input) and 'bilinear' (4-D input, with
    ``align_corners``); see ``F.interpolate``.
    """

    def __init__(self, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None):
        super().__init__()
        self.name = type(self).__name__
        self.size = size
        if isinstance(scale_factor, tuple):
            self.scale_factor = tuple(float(factor) for factor in scale_factor)
        else:
            self.scale_factor = float(scale_factor) if scale_factor else None
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input):
        return F.interpolate(input, self.size, self.scale_factor, self.mode, self.align_corners,
                             recompute_scale_factor=self.recompute_scale_factor)

    def extra_repr(self):
        if self.scale_factor is not None:
            info = "scale_factor=" + repr(self.scale_factor)
        else:
            info = "size=" + repr(self.size)
        return info + ", mode=" + repr(self.mode)
