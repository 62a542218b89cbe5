"""The base class of the datasets, and the downloading helpers they share.

A dataset holds its images as a NumPy uint8 array and, per item, hands
``transform`` an image and ``target_transform`` the label: exactly the order of
work torchvision's ``VisionDataset`` does, with the same printed form::

    Dataset MNIST
        Number of datapoints: 60000
        Root location: data
        Split: Train
        StandardTransform
    Transform: ToTensor()
"""
import gzip
import hashlib
import os
import shutil
import tarfile
import urllib.error
import urllib.request

import numpy as np


def pil_available():
    """True when Pillow can be imported (it is an optional extra)."""
    try:
        import PIL.Image  # noqa: F401
    except ImportError:
        return False
    return True


def to_image(array):
    """A uint8 HxW or HxWxC array as a PIL image when Pillow is installed, else the array.

    torchvision always hands transforms a PIL image; chainrule does too when it can,
    and otherwise the NumPy array, which every chainrule transform accepts.
    """
    if pil_available():
        from PIL import Image
        return Image.fromarray(np.ascontiguousarray(array))
    return array


class StandardTransform:
    """Applies ``transform`` to the input and ``target_transform`` to the target."""

    def __init__(self, transform=None, target_transform=None):
        self.transform = transform
        self.target_transform = target_transform

    def __call__(self, input, target):
        if self.transform is not None:
            input = self.transform(input)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return input, target

    def _format_transform_repr(self, transform, head):
        lines = repr(transform).splitlines()
        return [f"{head}{lines[0]}"] + [" " * len(head) + line for line in lines[1:]]

    def __repr__(self):
        body = [self.__class__.__name__]
        if self.transform is not None:
            body += self._format_transform_repr(self.transform, "Transform: ")
        if self.target_transform is not None:
            body += self._format_transform_repr(self.target_transform, "Target transform: ")
        return "\n".join(body)


class VisionDataset:
    """Base class of the image datasets: a root folder and optional transforms.

    Subclasses define ``__getitem__`` and ``__len__`` (and ``extra_repr`` for the
    lines their printed form adds).
    """
    _repr_indent = 4

    def __init__(self, root=None, transforms=None, transform=None, target_transform=None):
        if isinstance(root, (str, bytes, os.PathLike)):
            root = os.path.expanduser(root)
        self.root = root
        has_separate = transform is not None or target_transform is not None
        if transforms is not None and has_separate:
            raise ValueError("Only transforms or transform/target_transform can be passed as "
                             "argument")
        self.transform = transform
        self.target_transform = target_transform
        if has_separate:
            transforms = StandardTransform(transform, target_transform)
        self.transforms = transforms

    def __getitem__(self, index):
        raise NotImplementedError

    def __len__(self):
        raise NotImplementedError

    def extra_repr(self):
        return ""

    def __repr__(self):
        head = "Dataset " + self.__class__.__name__
        body = [f"Number of datapoints: {self.__len__()}"]
        if self.root is not None:
            body.append(f"Root location: {self.root}")
        body += self.extra_repr().splitlines()
        if self.transforms is not None:
            body += [repr(self.transforms)]
        return "\n".join([head] + [" " * self._repr_indent + line for line in body])


# ---------------------------------------------------------------- downloading

def calculate_md5(path, chunk_size=1024 * 1024):
    """The md5 hex digest of a file, read in chunks."""
    md5 = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_integrity(path, md5=None):
    """True when ``path`` is a file and, if ``md5`` is given, has that checksum."""
    if not os.path.isfile(path):
        return False
    return md5 is None or calculate_md5(path) == md5


def download_url(url, root, filename=None, md5=None):
    """Download ``url`` into ``root/filename`` and check its md5.

    Network errors propagate as ``urllib.error.URLError`` (callers try the next
    mirror); a file whose checksum is wrong is deleted and gives a RuntimeError.
    """
    filename = filename or os.path.basename(url)
    path = os.path.join(root, filename)
    if check_integrity(path, md5):
        print(f"Using downloaded and verified file: {path}")
        return path
    os.makedirs(root, exist_ok=True)
    request = urllib.request.Request(url, headers={"User-Agent": "chainrule"})
    with urllib.request.urlopen(request, timeout=60) as response, open(path, "wb") as out:
        shutil.copyfileobj(response, out)
    if not check_integrity(path, md5):
        os.remove(path)
        raise RuntimeError(f"The MD5 checksum of {filename} downloaded from {url} does not "
                           f"match the expected {md5}; the file was removed.")
    return path


def extract_archive(path, to):
    """Unpack a ``.tar.gz``/``.tgz``/``.tar`` archive, or un-gzip a ``.gz`` file, into ``to``."""
    if path.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(path) as archive:
            if hasattr(tarfile, "data_filter"):        # refuses paths outside ``to``
                archive.extractall(to, filter="data")
            else:
                archive.extractall(to)
    elif path.endswith(".gz"):
        target = os.path.join(to, os.path.basename(path)[:-3])
        with gzip.open(path, "rb") as src, open(target, "wb") as out:
            shutil.copyfileobj(src, out)
    else:
        raise RuntimeError(f"Extraction of {path} not supported")


def download_and_extract_archive(url, download_root, filename=None, md5=None):
    """``download_url`` followed by ``extract_archive`` into the same folder."""
    path = download_url(url, download_root, filename, md5)
    print(f"Extracting {path} to {download_root}")
    extract_archive(path, download_root)


URLError = urllib.error.URLError
