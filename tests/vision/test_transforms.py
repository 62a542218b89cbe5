"""chainrule.vision.transforms against torch ops and torchvision's documented formulas.

torchvision is not installed here, so each expected value is computed with torch
(``interpolate`` for Resize, ``pad`` for padding, ``randint``/``rand`` for the
random draws) or written out from torchvision's definition.
"""
import numpy as np
import pytest
import torch
from PIL import Image

import chainrule
from chainrule.vision import transforms as T
from chainrule.vision.transforms import functional as F


def image(*shape, dtype=np.float32, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == np.uint8:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    return rng.random(shape).astype(dtype)


# ------------------------------------------------------------------ ToTensor

@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 3)])
def test_to_tensor_uint8_array_is_chw_in_unit_interval(shape):
    pic = image(*shape, dtype=np.uint8)
    hwc = torch.from_numpy(pic.reshape(5, 7, -1))
    expected = hwc.permute(2, 0, 1).to(torch.float32).div(255)
    got = T.ToTensor()(pic)
    assert got.dtype == chainrule.float32
    np.testing.assert_array_equal(got._data, expected.numpy())


@pytest.mark.parametrize("mode, channels", [("L", 1), ("RGB", 3)])
def test_to_tensor_pil_image(mode, channels):
    pic = image(4, 6, channels, dtype=np.uint8)
    pil = Image.fromarray(pic[:, :, 0] if channels == 1 else pic, mode=None)
    expected = torch.from_numpy(pic).permute(2, 0, 1).float().div(255)
    np.testing.assert_array_equal(T.ToTensor()(pil)._data, expected.numpy())


def test_to_tensor_keeps_non_uint8_arrays_and_follows_default_dtype():
    floats = image(3, 4)
    np.testing.assert_array_equal(T.ToTensor()(floats)._data, floats[None])
    chainrule.set_default_dtype(chainrule.float64)
    assert T.ToTensor()(image(3, 4, dtype=np.uint8)).dtype == chainrule.float64


def test_to_tensor_errors():
    with pytest.raises(TypeError, match="pic should be PIL Image or ndarray. Got <class 'list'>"):
        T.ToTensor()([[1, 2]])
    with pytest.raises(ValueError, match="pic should be 2/3 dimensional. Got 4 dimensions."):
        T.ToTensor()(np.zeros((1, 2, 3, 4), np.uint8))


# ------------------------------------------------------------------ Normalize

def test_normalize_matches_torch_per_channel():
    x = image(2, 3, 4, 5)
    mean, std = (0.1, 0.2, 0.3), (0.5, 0.25, 2.0)
    tx = torch.from_numpy(x)
    expected = (tx - torch.tensor(mean).view(-1, 1, 1)) / torch.tensor(std).view(-1, 1, 1)
    got = T.Normalize(mean, std)(chainrule.from_numpy(x.copy()))
    np.testing.assert_array_equal(got._data, expected.numpy())


def test_normalize_inplace_and_not():
    x = chainrule.ones(1, 2, 2)
    T.Normalize((0.5,), (0.5,))(x)
    assert x._data.tolist() == [[[1.0, 1.0], [1.0, 1.0]]]
    T.Normalize((0.5,), (0.5,), inplace=True)(x)
    assert x._data.tolist() == [[[1.0, 1.0], [1.0, 1.0]]]
    y = T.Normalize((0.0,), (0.5,), inplace=True)(x)
    assert y is x and x._data[0, 0, 0] == 2.0


def test_normalize_errors():
    with pytest.raises(TypeError, match="img should be Tensor Image"):
        T.Normalize((0.5,), (0.5,))(np.zeros((1, 2, 2)))
    with pytest.raises(TypeError, match="Input tensor should be a float tensor. Got torch.int64"):
        T.Normalize((0.5,), (0.5,))(chainrule.zeros(1, 2, 2, dtype=chainrule.int64))
    with pytest.raises(ValueError, match=r"Expected tensor to be a tensor image of size "
                                         r"\(..., C, H, W\). Got tensor.size\(\) = "
                                         r"torch.Size\(\[2, 2\]\)"):
        T.Normalize((0.5,), (0.5,))(chainrule.zeros(2, 2))
    with pytest.raises(ValueError, match="std evaluated to zero after conversion to "
                                         "torch.float32, leading to division by zero."):
        T.Normalize((0.5,), (0.0,))(chainrule.zeros(1, 2, 2))


# ------------------------------------------------------------------ Resize

@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("size", [(14, 14), (10, 13), (20, 15), (5, 31)])
def test_resize_tensor_matches_torch_bilinear(size, antialias):
    x = image(2, 3, 28, 24)
    expected = torch.nn.functional.interpolate(torch.from_numpy(x), size=size, mode="bilinear",
                                               align_corners=False, antialias=antialias)
    got = T.Resize(size, antialias=antialias)(chainrule.from_numpy(x))
    np.testing.assert_allclose(got._data, expected.numpy(), rtol=0, atol=3e-6)


def test_resize_nearest_matches_torch():
    x = image(1, 9, 13)
    expected = torch.nn.functional.interpolate(torch.from_numpy(x)[None], size=(4, 20),
                                               mode="nearest")[0]
    got = T.Resize((4, 20), interpolation=T.InterpolationMode.NEAREST)(chainrule.from_numpy(x))
    np.testing.assert_array_equal(got._data, expected.numpy())


def test_resize_int_matches_the_shorter_edge_and_max_size_caps_the_longer():
    x = chainrule.zeros(1, 30, 40)
    assert T.Resize(15)(x).shape == (1, 15, 20)
    assert T.Resize([15])(chainrule.zeros(1, 40, 30)).shape == (1, 20, 15)
    assert T.Resize(15, max_size=16)(x).shape == (1, 12, 16)
    assert T.Resize(30)(x) is x                            # already the size: unchanged
    with pytest.raises(ValueError, match="max_size = 10 must be strictly greater"):
        T.Resize(15, max_size=10)(x)


def test_resize_pil_uses_pillow_and_uint8_arrays_round_back():
    pic = image(28, 28, dtype=np.uint8)
    out = T.Resize(14)(Image.fromarray(pic))
    assert isinstance(out, Image.Image) and out.size == (14, 14)
    np.testing.assert_array_equal(np.asarray(out),
                                  np.asarray(Image.fromarray(pic).resize((14, 14),
                                                                         Image.BILINEAR)))
    small = T.Resize(14)(pic)
    expected = F.resize(chainrule.from_numpy(pic[None].astype(np.float32)), 14)._data[0]
    assert small.dtype == np.uint8
    np.testing.assert_array_equal(small, np.clip(np.round(expected), 0, 255))


def test_resize_errors():
    with pytest.raises(TypeError, match="Size should be int or sequence. Got <class 'float'>"):
        T.Resize(2.5)
    with pytest.raises(ValueError, match="If size is a sequence, it should have 1 or 2 values"):
        T.Resize((1, 2, 3))


# ------------------------------------------------------------------ crops, pad, flip

def test_center_crop_is_the_middle_rounding_half_to_even():
    x = np.arange(2 * 5 * 6, dtype=np.float32).reshape(2, 5, 6)
    got = T.CenterCrop((2, 3))(chainrule.from_numpy(x))
    top, left = int(round((5 - 2) / 2)), int(round((6 - 3) / 2))     # torchvision's formula
    np.testing.assert_array_equal(got._data, x[:, top:top + 2, left:left + 3])


def test_center_crop_pads_with_zeros_when_the_image_is_smaller():
    x = torch.arange(1.0, 7.0).reshape(1, 2, 3)
    # torchvision pads (crop - size) // 2 before and the rest after, then crops.
    expected = torch.nn.functional.pad(x, (1, 2, 1, 1))                # l, r, t, b
    got = T.CenterCrop((4, 6))(chainrule.from_numpy(x.numpy()))
    np.testing.assert_array_equal(got._data, expected.numpy())


@pytest.mark.parametrize("mode, torch_mode", [("constant", "constant"), ("edge", "replicate"),
                                              ("reflect", "reflect")])
def test_pad_modes_match_torch(mode, torch_mode):
    x = image(2, 5, 6)
    got = F.pad(chainrule.from_numpy(x), [1, 2, 3, 4], padding_mode=mode)
    expected = torch.nn.functional.pad(torch.from_numpy(x)[None], (1, 3, 2, 4),
                                       mode=torch_mode)[0]
    np.testing.assert_array_equal(got._data, expected.numpy())


@pytest.mark.parametrize("padding", [None, 4, (2, 3)])
def test_random_crop_draws_the_place_as_torchvision(padding):
    x = image(1, 10, 12)
    torch.manual_seed(3)
    padded = torch.from_numpy(x)
    if padding is not None:
        lr, tb = (padding, padding) if isinstance(padding, int) else padding
        padded = torch.nn.functional.pad(padded, (lr, lr, tb, tb))
    i = torch.randint(0, padded.shape[1] - 8 + 1, size=(1,)).item()
    j = torch.randint(0, padded.shape[2] - 8 + 1, size=(1,)).item()
    chainrule.manual_seed(3)
    got = T.RandomCrop(8, padding=padding)(chainrule.from_numpy(x))
    np.testing.assert_array_equal(got._data, padded[:, i:i + 8, j:j + 8].numpy())


def test_random_crop_pad_if_needed_and_errors():
    x = chainrule.ones(1, 3, 3)
    assert T.RandomCrop(5, pad_if_needed=True)(x).shape == (1, 5, 5)
    with pytest.raises(ValueError, match=r"Required crop size \(5, 5\) is larger than input "
                                         r"image size \(3, 3\)"):
        T.RandomCrop(5)(x)


def test_random_horizontal_flip_draws_torch_rand_each_call():
    x = chainrule.from_numpy(np.arange(6, dtype=np.float32).reshape(1, 2, 3))
    torch.manual_seed(0)
    expected = [bool(torch.rand(1) < 0.3) for _ in range(20)]
    chainrule.manual_seed(0)
    flip = T.RandomHorizontalFlip(p=0.3)
    flipped = [flip(x)._data[0, 0, 0] == 2.0 for _ in range(20)]
    assert flipped == expected and any(expected) and not all(expected)


def test_geometry_on_pil_images_and_arrays_keeps_their_kind():
    pic = image(6, 8, 3, dtype=np.uint8)
    out = F.hflip(Image.fromarray(pic))
    assert isinstance(out, Image.Image)
    np.testing.assert_array_equal(np.asarray(out), pic[:, ::-1])
    out = T.CenterCrop(4)(Image.fromarray(pic))
    np.testing.assert_array_equal(np.asarray(out), pic[1:5, 2:6])
    np.testing.assert_array_equal(F.crop(pic, 1, 2, 3, 4), pic[1:4, 2:6])
    assert F.pad(pic, 1).shape == (8, 10, 3)


def test_geometry_rejects_other_inputs():
    with pytest.raises(TypeError, match="img should be PIL Image or Tensor. Got <class 'list'>"):
        F.hflip([[1]])


# ------------------------------------------------------------------ Compose, Lambda, reprs

def test_compose_applies_in_order_and_lambda_wraps_a_function():
    t = T.Compose([T.ToTensor(), T.Lambda(lambda x: x * 2), T.Normalize((1.0,), (1.0,))])
    out = t(np.full((2, 2), 255, np.uint8))
    np.testing.assert_array_equal(out._data, np.ones((1, 2, 2), np.float32))
    with pytest.raises(TypeError, match="Argument lambd should be callable, got 'int'"):
        T.Lambda(3)


def test_reprs_are_torchvisions():
    t = T.Compose([
        T.Resize(32), T.CenterCrop(28), T.RandomCrop(28, padding=4),
        T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize((0.5, 0.5), [0.2, 0.2]),
        T.Lambda(abs),
    ])
    assert repr(t) == """Compose(
    Resize(size=32, interpolation=bilinear, max_size=None, antialias=True)
    CenterCrop(size=(28, 28))
    RandomCrop(size=(28, 28), padding=4)
    RandomHorizontalFlip(p=0.5)
    ToTensor()
    Normalize(mean=(0.5, 0.5), std=[0.2, 0.2])
    Lambda()
)"""


@pytest.mark.parametrize("module", ["chainrule.vision", "chainrule.vision.transforms.functional",
                                    "chainrule.vision.transforms.transforms"])
def test_docstring_examples_run(module):
    import doctest
    import importlib
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
