"""The transform classes: small callables that a dataset applies to each image.

They are torchvision's, with the same arguments, defaults and printed forms.
``Compose`` chains them; the course's usual pipeline is

>>> from chainrule.vision import transforms
>>> t = transforms.Compose([
...     transforms.ToTensor(),
...     transforms.Normalize((0.1307,), (0.3081,)),
... ])
>>> import numpy as np
>>> t(np.full((2, 2), 255, dtype=np.uint8))
tensor([[[2.8215, 2.8215],
         [2.8215, 2.8215]]])

As in torchvision, the transforms with settings (Normalize, Resize, the crops,
the flip) are ``nn.Module`` subclasses; Compose, ToTensor and Lambda are plain
classes. The random ones draw from chainrule's generator, so
``torch.manual_seed`` makes them repeatable, and draw the same numbers PyTorch does.
"""
import numbers

from ... import _random_ops
from ...nn.modules.module import Module
from . import functional as F
from .functional import InterpolationMode


def _setup_size(size, error_msg):
    """``size`` as (h, w): one number means a square."""
    if isinstance(size, numbers.Number):
        return int(size), int(size)
    if isinstance(size, (list, tuple)) and len(size) == 1:
        return size[0], size[0]
    if not isinstance(size, (list, tuple)) or len(size) != 2:
        raise ValueError(error_msg)
    return size


class Compose:
    """Apply several transforms one after another.

    >>> Compose([ToTensor(), Lambda(lambda x: 2 * x)])
    Compose(
        ToTensor()
        Lambda()
    )
    """

    def __init__(self, transforms):
        self.transforms = transforms

    def __call__(self, img):
        for t in self.transforms:
            img = t(img)
        return img

    def __repr__(self):
        lines = [f"    {t}" for t in self.transforms]
        return "\n".join([self.__class__.__name__ + "("] + lines + [")"])


class ToTensor:
    """An HxWxC uint8 image (PIL or NumPy) as a CxHxW float tensor with values in [0, 1].

    >>> import numpy as np
    >>> ToTensor()(np.array([[0, 51], [102, 255]], dtype=np.uint8))
    tensor([[[0.0000, 0.2000],
             [0.4000, 1.0000]]])
    """

    def __call__(self, pic):
        return F.to_tensor(pic)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Lambda:
    """Apply a function you give as a transform.

    >>> Lambda(lambda x: x + 1)(1)
    2
    """

    def __init__(self, lambd):
        if not callable(lambd):
            raise TypeError(f"Argument lambd should be callable, got {type(lambd).__name__!r}")
        self.lambd = lambd

    def __call__(self, img):
        return self.lambd(img)

    def __repr__(self):
        return f"{self.__class__.__name__}()"


class Normalize(Module):
    """``output[c] = (input[c] - mean[c]) / std[c]`` for each channel c of a float tensor.

    With MNIST's mean 0.1307 and std 0.3081 the pixels come out with mean about 0
    and standard deviation about 1, which makes the first layers easier to train.

    >>> import chainrule as torch
    >>> Normalize((0.5,), (0.5,))(torch.tensor([[[0.0, 1.0]]]))
    tensor([[[-1.,  1.]]])
    """

    def __init__(self, mean, std, inplace=False):
        super().__init__()
        self.mean = mean
        self.std = std
        self.inplace = inplace

    def forward(self, tensor):
        return F.normalize(tensor, self.mean, self.std, self.inplace)

    def __repr__(self):
        return f"{self.__class__.__name__}(mean={self.mean}, std={self.std})"


class Resize(Module):
    """Resize to ``size``: (h, w), or an int that the shorter edge becomes (keeping shape).

    >>> import chainrule as torch
    >>> Resize(2)(torch.ones(1, 4, 6)).shape
    torch.Size([1, 2, 3])
    """

    def __init__(self, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
                 antialias=True):
        super().__init__()
        if not isinstance(size, (int, list, tuple)):
            raise TypeError(f"Size should be int or sequence. Got {type(size)}")
        if isinstance(size, (list, tuple)) and len(size) not in (1, 2):
            raise ValueError("If size is a sequence, it should have 1 or 2 values")
        self.size = size
        self.max_size = max_size
        self.interpolation = InterpolationMode(interpolation)
        self.antialias = antialias

    def forward(self, img):
        return F.resize(img, self.size, self.interpolation, self.max_size, self.antialias)

    def __repr__(self):
        return (f"{self.__class__.__name__}(size={self.size}, "
                f"interpolation={self.interpolation.value}, max_size={self.max_size}, "
                f"antialias={self.antialias})")


class CenterCrop(Module):
    """The central ``size`` region (padded with zeros where the image is smaller).

    >>> import chainrule as torch
    >>> CenterCrop(2)(torch.arange(16.0).reshape(1, 4, 4))
    tensor([[[ 5.,  6.],
             [ 9., 10.]]])
    """

    def __init__(self, size):
        super().__init__()
        self.size = _setup_size(size, "Please provide only two dimensions (h, w) for size.")

    def forward(self, img):
        return F.center_crop(img, self.size)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size})"


class RandomCrop(Module):
    """A ``size`` region at a random place, after optional ``padding`` of the borders.

    The place is drawn as torchvision draws it, ``torch.randint(0, h - th + 1,
    size=(1,))`` for the top then the same for the left, so after
    ``torch.manual_seed`` chainrule picks the crops PyTorch picks.
    """

    def __init__(self, size, padding=None, pad_if_needed=False, fill=0,
                 padding_mode="constant"):
        super().__init__()
        self.size = tuple(_setup_size(size, "Please provide only two dimensions (h, w) for "
                                            "size."))
        self.padding = padding
        self.pad_if_needed = pad_if_needed
        self.fill = fill
        self.padding_mode = padding_mode

    @staticmethod
    def get_params(img, output_size):
        """``(top, left, height, width)`` of a random crop of ``output_size``."""
        _, h, w = F.get_dimensions(img)
        th, tw = output_size
        if h < th or w < tw:
            raise ValueError(f"Required crop size {(th, tw)} is larger than input image size "
                             f"{(h, w)}")
        if w == tw and h == th:
            return 0, 0, h, w
        i = _random_ops.randint(0, h - th + 1, size=(1,)).item()
        j = _random_ops.randint(0, w - tw + 1, size=(1,)).item()
        return i, j, th, tw

    def forward(self, img):
        if self.padding is not None:
            img = F.pad(img, self.padding, self.fill, self.padding_mode)
        _, height, width = F.get_dimensions(img)
        if self.pad_if_needed and width < self.size[1]:
            img = F.pad(img, [self.size[1] - width, 0], self.fill, self.padding_mode)
        if self.pad_if_needed and height < self.size[0]:
            img = F.pad(img, [0, self.size[0] - height], self.fill, self.padding_mode)
        i, j, h, w = self.get_params(img, self.size)
        return F.crop(img, i, j, h, w)

    def __repr__(self):
        return f"{self.__class__.__name__}(size={self.size}, padding={self.padding})"


class RandomHorizontalFlip(Module):
    """Mirror the image left to right with probability ``p``.

    One number is drawn per image, ``torch.rand(1) < p``, exactly as torchvision
    does, so a seeded chainrule run flips the images a seeded PyTorch run flips.
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = p

    def forward(self, img):
        if _random_ops.rand(1).item() < self.p:
            return F.hflip(img)
        return img

    def __repr__(self):
        return f"{self.__class__.__name__}(p={self.p})"
