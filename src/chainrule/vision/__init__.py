"""``chainrule.vision``: the parts of torchvision a course uses, on NumPy.

Under ``python -m chainrule run`` a script's ``import torchvision`` gives this
package, so ``from torchvision import datasets, transforms`` works unchanged:

* :mod:`~chainrule.vision.datasets`: MNIST, FashionMNIST, CIFAR10 and ImageFolder,
  read from the files torchvision reads;
* :mod:`~chainrule.vision.transforms`: Compose, ToTensor, Normalize, Resize,
  CenterCrop, RandomCrop, RandomHorizontalFlip and Lambda.

Pillow is optional. With it, datasets hand transforms PIL images, as
torchvision does; without it they hand over NumPy arrays (height x width
[x channels], uint8), which ``ToTensor`` and the other transforms accept too.

>>> from chainrule.vision import transforms
>>> transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))])
Compose(
    ToTensor()
    Normalize(mean=(0.5,), std=(0.5,))
)
"""
from . import datasets, transforms

__version__ = "0.1.0"
