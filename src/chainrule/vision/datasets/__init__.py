"""Datasets read from the files torchvision reads (see each class)."""
from .vision import VisionDataset, StandardTransform
from .mnist import MNIST, FashionMNIST
from .cifar import CIFAR10
from .folder import DatasetFolder, ImageFolder
