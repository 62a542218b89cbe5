"""chainrule.vision.datasets on small MNIST-, CIFAR- and folder-format files built here.

Nothing is downloaded: the download tests replace ``urllib.request.urlopen``.
"""
import gzip
import hashlib
import io
import os
import pickle
import urllib.error
import urllib.request

import numpy as np
import pytest
from PIL import Image

import chainrule
from chainrule.utils.data import DataLoader
from chainrule.vision import datasets, transforms
from chainrule.vision.datasets import folder as folder_module
from chainrule.vision.datasets import vision as vision_module


def idx_bytes(array):
    """``array`` (uint8) in the idx format: 0, 0, type 0x08, ndim, sizes, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + np.array(array.shape, ">i4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write_mnist(root, name="MNIST", n_train=12, n_test=5, compress=False):
    rng = np.random.default_rng(0)
    raw = root / name / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, (n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, n).astype(np.uint8)
        arrays[prefix] = images, labels
        for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
            data = idx_bytes(array)
            path = raw / f"{prefix}-{kind}-ubyte"
            if compress:
                path, data = path.with_name(path.name + ".gz"), gzip.compress(data)
            path.write_bytes(data)
    return arrays


# ------------------------------------------------------------------ MNIST

@pytest.mark.parametrize("compress", [False, True])
def test_mnist_reads_idx_files_gzipped_or_not(tmp_path, compress):
    arrays = write_mnist(tmp_path, compress=compress)
    train = datasets.MNIST(str(tmp_path))
    test = datasets.MNIST(tmp_path, train=False)
    assert len(train) == 12 and len(test) == 5
    assert train.data.dtype == chainrule.uint8 and train.data.shape == (12, 28, 28)
    assert train.targets.dtype == chainrule.int64
    np.testing.assert_array_equal(train.data._data, arrays["train"][0])
    np.testing.assert_array_equal(test.targets._data, arrays["t10k"][1])
    img, target = train[3]
    assert isinstance(img, Image.Image) and img.mode == "L"
    np.testing.assert_array_equal(np.asarray(img), arrays["train"][0][3])
    assert target == int(arrays["train"][1][3]) and type(target) is int


def test_mnist_transforms_and_dataloader_batches(tmp_path):
    arrays = write_mnist(tmp_path)
    data = datasets.MNIST(tmp_path, transform=transforms.ToTensor(),
                          target_transform=lambda t: t + 100)
    img, target = data[0]
    np.testing.assert_array_equal(img._data, arrays["train"][0][:1].astype(np.float32) / 255)
    assert target == arrays["train"][1][0] + 100
    images, targets = next(iter(DataLoader(datasets.MNIST(tmp_path, transform=transforms
                                                          .ToTensor()), batch_size=4)))
    assert images.shape == (4, 1, 28, 28) and images.dtype == chainrule.float32
    assert targets.dtype == chainrule.int64


def test_mnist_without_pillow_gives_arrays_that_transforms_accept(tmp_path, monkeypatch):
    arrays = write_mnist(tmp_path)
    monkeypatch.setattr(vision_module, "pil_available", lambda: False)
    data = datasets.MNIST(tmp_path)
    img, _ = data[2]
    assert isinstance(img, np.ndarray) and img.dtype == np.uint8
    pipeline = transforms.Compose([transforms.RandomCrop(28, padding=2), transforms.ToTensor()])
    assert pipeline(img).shape == (1, 28, 28)
    np.testing.assert_array_equal(img, arrays["train"][0][2])


def test_mnist_repr_and_classes(tmp_path):
    write_mnist(tmp_path)
    data = datasets.MNIST(str(tmp_path), train=False, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))]))
    assert repr(data) == f"""Dataset MNIST
    Number of datapoints: 5
    Root location: {tmp_path}
    Split: Test
    StandardTransform
Transform: Compose(
               ToTensor()
               Normalize(mean=(0.1307,), std=(0.3081,))
           )"""
    assert data.classes[3] == "3 - three" and data.class_to_idx["9 - nine"] == 9


def test_fashion_mnist_has_its_own_folder_and_classes(tmp_path):
    write_mnist(tmp_path, name="FashionMNIST")
    data = datasets.FashionMNIST(tmp_path)
    assert len(data) == 12 and data.classes[9] == "Ankle boot"
    with pytest.raises(RuntimeError, match="Dataset not found"):
        datasets.MNIST(tmp_path)


def test_mnist_bad_files_give_clear_errors(tmp_path):
    with pytest.raises(RuntimeError, match="^Dataset not found. You can use download=True to "
                                           "download it$"):
        datasets.MNIST(tmp_path)
    write_mnist(tmp_path)
    raw = tmp_path / "MNIST" / "raw"
    (raw / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(3, np.uint8)))
    with pytest.raises(RuntimeError, match="holds 12 images but 3 labels"):
        datasets.MNIST(tmp_path)
    (raw / "train-labels-idx1-ubyte").write_bytes(b"not an idx file")
    with pytest.raises(RuntimeError, match="is not an idx file"):
        datasets.MNIST(tmp_path)
    (raw / "train-labels-idx1-ubyte").write_bytes(idx_bytes(np.zeros(12, np.uint8))[:-2])
    with pytest.raises(RuntimeError, match="header says shape"):
        datasets.MNIST(tmp_path)


def test_mnist_download_offline_says_so(tmp_path, monkeypatch, capsys):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz: no "
                                           "mirror could be reached"):
        datasets.MNIST(tmp_path, download=True)
    out = capsys.readouterr().out
    assert "Downloading https://ossci-datasets.s3.amazonaws.com/mnist/train-images" in out
    assert "Failed to download (trying next)" in out


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_mnist_download_checks_md5_then_unzips(tmp_path, monkeypatch):
    served = {}
    for prefix, n in (("train", 4), ("t10k", 2)):
        served[f"{prefix}-images-idx3-ubyte.gz"] = gzip.compress(
            idx_bytes(np.full((n, 28, 28), 7, np.uint8)))
        served[f"{prefix}-labels-idx1-ubyte.gz"] = gzip.compress(idx_bytes(np.arange(n)))
    resources = [(name, hashlib.md5(data).hexdigest()) for name, data in served.items()]
    monkeypatch.setattr(datasets.MNIST, "resources", resources)
    monkeypatch.setattr(urllib.request, "urlopen",
                        lambda req, timeout=None: _Response(served[req.full_url.split("/")[-1]]))
    data = datasets.MNIST(tmp_path, download=True)
    assert len(data) == 4 and (tmp_path / "MNIST" / "raw" / "train-images-idx3-ubyte").exists()

    monkeypatch.setattr(datasets.MNIST, "resources", [(resources[0][0], "0" * 32)])
    with pytest.raises(RuntimeError, match="MD5 checksum of train-images-idx3-ubyte.gz"):
        datasets.MNIST(tmp_path / "other", download=True)


# ------------------------------------------------------------------ CIFAR10

def write_cifar(root, per_batch=3):
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(1)
    batches = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        entry = {"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                 "labels": [int(x) for x in rng.integers(0, 10, per_batch)]}
        batches[name] = entry
        (folder / name).write_bytes(pickle.dumps(entry, protocol=2))
    names = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
             "truck"]
    (folder / "batches.meta").write_bytes(pickle.dumps({"label_names": names}))
    return batches


def test_cifar10_reads_pickled_batches_as_hwc(tmp_path):
    batches = write_cifar(tmp_path)
    train, test = datasets.CIFAR10(tmp_path), datasets.CIFAR10(tmp_path, train=False)
    assert len(train) == 15 and len(test) == 3
    assert train.data.shape == (15, 32, 32, 3) and train.classes[3] == "cat"
    assert train.class_to_idx["truck"] == 9
    first = batches["data_batch_1"]["data"][0]
    expected_hwc = first.reshape(3, 32, 32).transpose(1, 2, 0)        # R plane, G, B
    img, target = train[0]
    assert isinstance(img, Image.Image) and img.mode == "RGB"
    np.testing.assert_array_equal(np.asarray(img), expected_hwc)
    assert target == batches["data_batch_1"]["labels"][0]
    tensor, _ = datasets.CIFAR10(tmp_path, transform=transforms.ToTensor())[0]
    np.testing.assert_array_equal(tensor._data, first.reshape(3, 32, 32) / np.float32(255))


def test_cifar10_missing_and_offline_errors(tmp_path, monkeypatch):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(tmp_path)

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")
    monkeypatch.setattr(urllib.request, "urlopen", offline)
    with pytest.raises(RuntimeError, match="Error downloading cifar-10-python.tar.gz"):
        datasets.CIFAR10(tmp_path, download=True)


# ------------------------------------------------------------------ ImageFolder

def write_folder(root):
    rng = np.random.default_rng(2)
    for name, files in (("dog", ["b.png", "a.jpg"]), ("cat", ["z.png", "notes.txt"])):
        (root / name).mkdir(parents=True)
        for f in files:
            if f.endswith(".txt"):
                (root / name / f).write_text("not an image")
            else:
                pic = rng.integers(0, 256, (5, 4, 3), dtype=np.uint8)
                Image.fromarray(pic).save(root / name / f)


def test_image_folder_lists_classes_and_loads_rgb(tmp_path):
    write_folder(tmp_path)
    data = datasets.ImageFolder(tmp_path, transform=transforms.ToTensor())
    assert data.classes == ["cat", "dog"] and data.class_to_idx == {"cat": 0, "dog": 1}
    names = [(os.path.relpath(p, tmp_path), t) for p, t in data.samples]
    assert names == [("cat/z.png", 0), ("dog/a.jpg", 1), ("dog/b.png", 1)]
    assert data.imgs == data.samples and data.targets == [0, 1, 1]
    img, target = data[2]
    assert img.shape == (3, 5, 4) and target == 1
    expected = np.asarray(Image.open(tmp_path / "dog" / "b.png"))
    np.testing.assert_allclose(img._data, expected.transpose(2, 0, 1) / 255, atol=1e-7)


def test_image_folder_errors(tmp_path, monkeypatch):
    write_folder(tmp_path)
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty"):
        datasets.ImageFolder(tmp_path)
    assert len(datasets.ImageFolder(tmp_path, allow_empty=True)) == 3
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder"):
        datasets.ImageFolder(tmp_path / "empty")
    monkeypatch.setattr(folder_module, "pil_available", lambda: False)
    data = datasets.ImageFolder(tmp_path, allow_empty=True)
    with pytest.raises(ImportError, match="needs Pillow, which is not installed"):
        data[0]


@pytest.mark.parametrize("module", ["chainrule.vision.datasets.mnist",
                                    "chainrule.vision.datasets.cifar"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
