"""``torch.backends``: settings that only matter for PyTorch's native kernels.

chainrule accepts them so course code (``torch.backends.cudnn.deterministic =
True``) runs unchanged.
"""
from . import cudnn, mps
