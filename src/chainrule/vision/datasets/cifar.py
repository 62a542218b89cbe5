"""CIFAR-10, read from the pickled batches that torchvision reads.

The files live in ``root/cifar-10-batches-py``: ``data_batch_1`` ... ``data_batch_5``
(training), ``test_batch`` and ``batches.meta``. Each batch is a pickled dict
whose ``"data"`` is an (N, 3072) uint8 array (1024 red, then 1024 green, then
1024 blue values per image, rows top to bottom) and whose ``"labels"`` is a list
of N ints; ``batches.meta`` holds the ``"label_names"``.

The batches are Python pickles, so only open folders you trust (as with torchvision).

>>> import tempfile
>>> from chainrule.vision import datasets
>>> datasets.CIFAR10(tempfile.mkdtemp())
Traceback (most recent call last):
    ...
RuntimeError: Dataset not found or corrupted. You can use download=True to download it
"""
import os
import pickle

import numpy as np

from .vision import (URLError, VisionDataset, check_integrity,
                     download_and_extract_archive, to_image)


class CIFAR10(VisionDataset):
    """CIFAR-10: 32x32 colour images of 10 classes (airplane ... truck).

    Args:
        root: the folder that holds ``cifar-10-batches-py``.
        train: the five training batches (True) or the test batch.
        transform, target_transform, download: as for :class:`MNIST`.

    ``data`` is an (N, 32, 32, 3) uint8 NumPy array and ``targets`` a list of ints,
    as in torchvision.
    """
    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [["test_batch", "40351d587109b95175f43aff81a1287e"]]
    meta = {"filename": "batches.meta", "key": "label_names",
            "md5": "5ff9c542aee3614f3951f8cda6e48888"}

    def __init__(self, root, train=True, transform=None, target_transform=None,
                 download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError("Dataset not found or corrupted. You can use download=True "
                               "to download it")
        images, self.targets = [], []
        for file_name, _ in (self.train_list if train else self.test_list):
            entry = self._unpickle(file_name)
            images.append(np.asarray(entry["data"], dtype=np.uint8).reshape(-1, 3072))
            self.targets.extend(int(t) for t in entry.get("labels", entry.get("fine_labels")))
        self.data = np.vstack(images).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # HWC
        self._load_meta()

    def _unpickle(self, file_name):
        path = os.path.join(self.root, self.base_folder, file_name)
        with open(path, "rb") as f:
            entry = pickle.load(f, encoding="latin1")
        if not isinstance(entry, dict):
            raise RuntimeError(f"{path} is not a CIFAR batch (a pickled dict)")
        return entry

    def _load_meta(self):
        self.classes = list(self._unpickle(self.meta["filename"])[self.meta["key"]])
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def _check_integrity(self):
        # Only that the files exist: the md5 checks run when downloading, so that
        # small CIFAR-format folders made by hand load too.
        files = self.train_list + self.test_list + [[self.meta["filename"], None]]
        folder = os.path.join(self.root, self.base_folder)
        return all(check_integrity(os.path.join(folder, name)) for name, _ in files)

    def download(self):
        """Fetch the archive (md5-checked) and unpack it into ``root``."""
        folder = os.path.join(self.root, self.base_folder)
        if all(check_integrity(os.path.join(folder, name), md5)
               for name, md5 in self.train_list + self.test_list):
            print("Files already downloaded and verified")
            return
        try:
            download_and_extract_archive(self.url, self.root, self.filename, self.tgz_md5)
        except (URLError, OSError) as error:
            raise RuntimeError(f"Error downloading {self.filename} from {self.url}: {error}. "
                               f"Without a network, unpack the archive into {self.root}"
                               ) from None

    def __getitem__(self, index):
        img, target = to_image(self.data[index]), self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def extra_repr(self):
        return f"Split: {'Train' if self.train is True else 'Test'}"
