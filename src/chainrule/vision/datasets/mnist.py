"""MNIST and Fashion-MNIST, read from the idx files that torchvision reads.

The files live in ``root/<ClassName>/raw`` (``root/MNIST/raw``,
``root/FashionMNIST/raw``), named as the originals, gzipped or not::

    train-images-idx3-ubyte[.gz]   train-labels-idx1-ubyte[.gz]
    t10k-images-idx3-ubyte[.gz]    t10k-labels-idx1-ubyte[.gz]

The idx format is tiny: a 4-byte big-endian magic number whose third byte is the
element type (0x08 = uint8) and whose fourth is the number of dimensions, then
each dimension as a big-endian int32, then the elements in C order.

``download=True`` fetches the gzipped originals from the mirrors torchvision
uses, checks their md5 checksums and un-gzips them; offline, it says so.

>>> import tempfile
>>> from chainrule.vision import datasets
>>> datasets.MNIST(tempfile.mkdtemp())
Traceback (most recent call last):
    ...
RuntimeError: Dataset not found. You can use download=True to download it
"""
import gzip
import os

import numpy as np

from ... import _factories
from .vision import URLError, VisionDataset, download_and_extract_archive, to_image

# The element types of the idx format, by the magic number's third byte.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    """The array stored in an idx file (gzipped when the name ends in ``.gz``)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise RuntimeError(f"{path} is not an idx file (bad magic number)")
    dtype, ndim = np.dtype(_IDX_TYPES[raw[2]]), raw[3]
    shape = tuple(int(n) for n in np.frombuffer(raw, ">i4", count=ndim, offset=4))
    count = int(np.prod(shape))
    body = 4 + 4 * ndim
    if len(raw) != body + count * dtype.itemsize:
        raise RuntimeError(f"{path} holds {len(raw) - body} bytes of data but its header "
                           f"says shape {shape} of {dtype.name}")
    return np.frombuffer(raw, dtype, count=count, offset=body).reshape(shape).astype(
        dtype.newbyteorder("="))


def read_image_file(path):
    """An idx3 file of uint8 images as an (N, H, W) uint8 array."""
    x = read_idx(path)
    if x.dtype != np.uint8 or x.ndim != 3:
        raise RuntimeError(f"{path}: expected uint8 images of 3 dimensions, got {x.dtype} "
                           f"of {x.ndim}")
    return x


def read_label_file(path):
    """An idx1 file of uint8 labels as an (N,) int64 array."""
    x = read_idx(path)
    if x.dtype != np.uint8 or x.ndim != 1:
        raise RuntimeError(f"{path}: expected uint8 labels of 1 dimension, got {x.dtype} "
                           f"of {x.ndim}")
    return x.astype(np.int64)


class MNIST(VisionDataset):
    """The MNIST handwritten digits: 28x28 grey images and their labels 0-9.

    Args:
        root: the folder that holds ``MNIST/raw``.
        train: the 60,000 training images (True) or the 10,000 test images.
        transform: applied to each image (a PIL image, or a NumPy array without Pillow).
        target_transform: applied to each label (an int).
        download: fetch the files first if they are not in ``root``.

    ``data`` is the (N, 28, 28) uint8 tensor and ``targets`` the (N,) int64 tensor,
    as in torchvision.
    """
    mirrors = [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "http://yann.lecun.com/exdb/mnist/",
    ]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five",
               "6 - six", "7 - seven", "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError("Dataset not found. You can use download=True to download it")
        images, labels = self._load_data()
        if len(images) != len(labels):
            raise RuntimeError(f"{self.raw_folder} holds {len(images)} images but "
                               f"{len(labels)} labels")
        self.data = _factories.from_numpy(images)
        self.targets = _factories.from_numpy(labels)

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def class_to_idx(self):
        return {name: i for i, name in enumerate(self.classes)}

    def _file(self, name):
        """The path of ``name`` in the raw folder, or of ``name.gz``; None if neither."""
        for candidate in (name, name + ".gz"):
            path = os.path.join(self.raw_folder, candidate)
            if os.path.isfile(path):
                return path
        return None

    def _split_files(self):
        prefix = "train" if self.train else "t10k"
        return f"{prefix}-images-idx3-ubyte", f"{prefix}-labels-idx1-ubyte"

    def _check_exists(self):
        return all(self._file(name) is not None for name in self._split_files())

    def _load_data(self):
        image_file, label_file = self._split_files()
        return read_image_file(self._file(image_file)), read_label_file(self._file(label_file))

    def download(self):
        """Fetch the four gzipped files, check their md5 and un-gzip them into ``raw``."""
        names = [os.path.splitext(filename)[0] for filename, _ in self.resources]
        if all(self._file(name) is not None for name in names):
            return                      # already here (downloaded, or made by hand)
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    print(f"Downloading {url}")
                    download_and_extract_archive(url, self.raw_folder, filename, md5)
                except (URLError, OSError) as error:     # offline, refused, timed out
                    print(f"Failed to download (trying next):\n{error}")
                    continue
                finally:
                    print()
                break
            else:
                raise RuntimeError(
                    f"Error downloading {filename}: no mirror could be reached. Without a "
                    f"network, copy the MNIST files into {self.raw_folder}")

    def __getitem__(self, index):
        img, target = self.data._data[index], int(self.targets._data[index])
        img = to_image(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data._data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"


class FashionMNIST(MNIST):
    """Zalando's Fashion-MNIST: 28x28 grey images of 10 kinds of clothing.

    The same files and arguments as :class:`MNIST`, in ``root/FashionMNIST/raw``.
    """
    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"]
