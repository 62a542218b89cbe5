"""Image transforms, as ``torchvision.transforms``: see ``transforms.py`` and ``functional.py``."""
from . import functional
from .functional import InterpolationMode
from .transforms import (CenterCrop, Compose, Lambda, Normalize, RandomCrop,
                         RandomHorizontalFlip, Resize, ToTensor)
