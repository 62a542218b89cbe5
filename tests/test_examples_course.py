"""The course examples in ``examples/`` run unchanged under ``python -m chainrule run``.

Each MNIST example trains briefly on a small generated dataset (from
``examples/make_fake_mnist.py``) and must print a falling loss and a rising
test accuracy. ``rnn_hello.py`` uses no dataset, so it is also run by real
PyTorch and the two outputs must be identical.
"""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule.vision import datasets

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_maker():
    spec = importlib.util.spec_from_file_location("make_fake_mnist",
                                                  EXAMPLES / "make_fake_mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fake_mnist(tmp_path_factory):
    root = tmp_path_factory.mktemp("fake_mnist")
    load_maker().write_fake_mnist(str(root), train=512, test=200, seed=0)
    return root


@pytest.fixture(scope="module")
def small_mnist(tmp_path_factory):
    """Fewer images, for the ResNet (about 0.5 s of NumPy per batch of 32)."""
    root = tmp_path_factory.mktemp("small_mnist")
    load_maker().write_fake_mnist(str(root), train=320, test=60, seed=0)
    return root


def run(script, *args, with_chainrule=True, env=None):
    command = [sys.executable] + (["-m", "chainrule", "run"] if with_chainrule else [])
    proc = subprocess.run(command + [str(EXAMPLES / script), *map(str, args)],
                          capture_output=True, text=True, timeout=240, cwd=EXAMPLES,
                          env=dict(os.environ, PYTHONIOENCODING="utf-8", **(env or {})))
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def losses_and_accuracies(output):
    losses = [float(x) for x in re.findall(r"Loss: (\d+\.\d+)", output)]
    accuracies = [int(x) for x in re.findall(r"Accuracy: (\d+)/", output)]
    return losses, accuracies


def assert_learns(output):
    losses, accuracies = losses_and_accuracies(output)
    assert len(losses) >= 4 and len(accuracies) >= 2, output
    assert np.mean(losses[-2:]) < np.mean(losses[:2]), output
    assert accuracies[-1] > accuracies[0], output


def test_make_fake_mnist_writes_balanced_idx_files(tmp_path):
    maker = load_maker()
    maker.main([str(tmp_path), "--train", "50", "--test", "20", "--gzip"])
    raw = tmp_path / "MNIST" / "raw"
    assert sorted(os.listdir(raw)) == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
                                       "train-images-idx3-ubyte.gz",
                                       "train-labels-idx1-ubyte.gz"]
    data = datasets.MNIST(tmp_path)
    assert len(data) == 50 and len(datasets.MNIST(tmp_path, train=False)) == 20
    assert np.bincount(data.targets._data).tolist() == [5] * 10
    images = data.data._data
    assert images.max() == 255 and 0.05 < (images > 128).mean() < 0.4    # ink on black


def test_mnist_softmax_learns(fake_mnist):
    # The data folder comes from MNIST_ROOT here (the other examples get --data).
    output = run("mnist_softmax.py", "--epochs", "2", "--log-interval", "2",
                 env={"MNIST_ROOT": str(fake_mnist)})
    assert_learns(output)
    assert losses_and_accuracies(output)[1][-1] >= 80     # of 200: far above chance


def test_mnist_cnn_learns(fake_mnist):
    assert_learns(run("mnist_cnn.py", "--data", fake_mnist, "--epochs", "1",
                      "--batch-size", "32", "--log-interval", "2"))


def test_mnist_resnet_learns(small_mnist):
    assert_learns(run("mnist_resnet.py", "--data", small_mnist, "--epochs", "1",
                      "--batch-size", "32", "--log-interval", "1"))


def test_rnn_hello_learns_and_prints_what_pytorch_prints():
    ours = run("rnn_hello.py", "30")
    losses = [float(x) for x in re.findall(r"loss (\d+\.\d+)", ours)]
    assert len(losses) == 30 and losses[-1] < losses[0] / 2
    assert ours.rstrip().endswith("predicted string: ihello")
    assert ours == run("rnn_hello.py", "30", with_chainrule=False)
