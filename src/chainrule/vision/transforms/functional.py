"""The image operations behind the transforms, on Tensors, PIL images and NumPy arrays.

Three kinds of image come in, and each goes out as the kind it came in as:

* a chainrule Tensor ``(..., C, H, W)`` (what ``ToTensor`` makes);
* a PIL image (what the datasets give when Pillow is installed);
* a NumPy array ``(H, W)`` or ``(H, W, C)`` (what they give without Pillow).

Only the axes differ: height and width are the last two axes of a Tensor and the
first two of the others. Every operation below is plain NumPy slicing or a
weighted sum on those two axes.

>>> import numpy as np
>>> import chainrule as torch
>>> img = torch.arange(6.0).reshape(1, 2, 3)
>>> hflip(img)
tensor([[[2., 1., 0.],
         [5., 4., 3.]]])
>>> crop(np.arange(6).reshape(2, 3), 0, 1, 2, 2)
array([[1, 2],
       [4, 5]])
"""
import numbers
import sys
from enum import Enum

import numpy as np

from ... import _dtype, _factories
from ..._tensor import TensorBase


class InterpolationMode(Enum):
    """How ``resize`` computes new pixels (torchvision's names and values)."""
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


# ------------------------------------------------------------ kinds of image

def _is_pil_image(img):
    pil = sys.modules.get("PIL.Image")      # a PIL image implies PIL is imported
    return pil is not None and isinstance(img, pil.Image)


def _unpack(img, name="img"):
    """``(array, kind)`` with H, W on axes (-2, -1) for tensors and (0, 1) otherwise."""
    if isinstance(img, TensorBase):
        if img.dim() < 2:
            raise TypeError(f"Tensor is not a torch image: it has {img.dim()} dimensions")
        return img._data, "tensor"
    if _is_pil_image(img):
        return np.asarray(img), "pil"
    if isinstance(img, np.ndarray) and img.ndim in (2, 3):
        return img, "numpy"
    raise TypeError(f"{name} should be PIL Image or Tensor. Got {type(img)}")


def _pack(array, kind):
    """The array back as the kind of image it came from."""
    if kind == "tensor":
        return _factories.from_numpy(np.ascontiguousarray(array))
    if kind == "pil":
        from PIL import Image
        return Image.fromarray(np.ascontiguousarray(array))
    return array


def _hw_axes(kind):
    return (-2, -1) if kind == "tensor" else (0, 1)


def get_dimensions(img):
    """``[channels, height, width]`` of an image of any kind."""
    array, kind = _unpack(img)
    h_axis, w_axis = _hw_axes(kind)
    if kind == "tensor":
        channels = 1 if array.ndim == 2 else array.shape[-3]
    else:
        channels = 1 if array.ndim == 2 else array.shape[2]
    return [channels, array.shape[h_axis], array.shape[w_axis]]


# ---------------------------------------------------------------- conversion

def to_tensor(pic):
    """A PIL image or HxW[xC] NumPy array as a CxHxW Tensor; uint8 becomes float in [0, 1].

    uint8 values are divided by 255 in the default float dtype; other dtypes are
    kept as they are (as torchvision does).
    """
    if _is_pil_image(pic):
        kinds = {"I": np.int32, "I;16": np.int16, "F": np.float32}
        array = np.array(pic, kinds.get(pic.mode, np.uint8), copy=True)
        if pic.mode == "1":
            array = 255 * array
        array = array.reshape(pic.size[1], pic.size[0], len(pic.getbands()))
    elif isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    chw = np.ascontiguousarray(array.transpose(2, 0, 1))
    if chw.dtype == np.uint8:
        float_dtype = _dtype.get_default_dtype().numpy
        chw = chw.astype(float_dtype) / float_dtype.type(255)
    return _factories.from_numpy(chw)


def normalize(tensor, mean, std, inplace=False):
    """``(tensor - mean) / std`` per channel of a float ``(..., C, H, W)`` tensor."""
    if not isinstance(tensor, TensorBase):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.is_floating_point():
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.dim() < 3:
        raise ValueError("Expected tensor to be a tensor image of size (..., C, H, W). Got "
                         f"tensor.size() = {tensor.size()}")
    dtype = tensor._data.dtype
    mean = np.asarray(mean, dtype=dtype).reshape(-1, 1, 1)
    std = np.asarray(std, dtype=dtype).reshape(-1, 1, 1)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading "
                         "to division by zero.")
    channels = tensor.shape[-3]
    if mean.shape[0] not in (1, channels) or std.shape[0] not in (1, channels):
        raise RuntimeError(f"mean has {mean.shape[0]} and std {std.shape[0]} values, but the "
                           f"image has {channels} channels")
    result = (tensor._data - mean) / std
    if inplace:
        tensor._data[...] = result
        return tensor
    return _factories.from_numpy(result)


# ---------------------------------------------------------------- geometry

def hflip(img):
    """The image mirrored left to right."""
    array, kind = _unpack(img)
    return _pack(np.flip(array, axis=_hw_axes(kind)[1]), kind)


def _padding_ltrb(padding):
    """``padding`` (one int, 2 or 4 ints) as ``[left, top, right, bottom]``."""
    if isinstance(padding, numbers.Number):
        padding = [padding]
    padding = list(padding)
    if len(padding) not in (1, 2, 4) or not all(isinstance(p, int) for p in padding):
        raise ValueError("Padding must be an int or a 1, 2, or 4 element tuple, not a "
                         f"{len(padding)} element tuple")
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return padding * 2
    return padding


def pad(img, padding, fill=0, padding_mode="constant"):
    """Pad the borders: ``padding`` is all sides, (left/right, top/bottom) or (l, t, r, b).

    ``padding_mode`` is "constant" (with ``fill``), "edge", "reflect" (no repeat of
    the edge pixel) or "symmetric" (repeats it): NumPy's ``np.pad`` modes.
    """
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _padding_ltrb(padding)
    array, kind = _unpack(img)
    widths = [(0, 0)] * array.ndim
    h_axis, w_axis = _hw_axes(kind)
    widths[h_axis], widths[w_axis] = (top, bottom), (left, right)
    if padding_mode == "constant":
        out = np.pad(array, widths, mode="constant", constant_values=fill)
    else:
        out = np.pad(array, widths, mode=padding_mode)
    return _pack(out, kind)


def crop(img, top, left, height, width):
    """The ``height`` x ``width`` region whose top-left pixel is (``top``, ``left``).

    Parts of the region outside the image are filled with zeros.
    """
    array, kind = _unpack(img)
    h_axis, w_axis = _hw_axes(kind)
    h, w = array.shape[h_axis], array.shape[w_axis]
    outside = [max(0, -left), max(0, -top), max(0, left + width - w),
               max(0, top + height - h)]
    if any(outside):
        array = _unpack(pad(_pack(array, kind), outside))[0]
        top, left = top + outside[1], left + outside[0]
    index = [slice(None)] * array.ndim
    index[h_axis], index[w_axis] = slice(top, top + height), slice(left, left + width)
    return _pack(array[tuple(index)], kind)


def center_crop(img, output_size):
    """The central ``output_size`` region (padded with zeros if the image is smaller)."""
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    crop_h, crop_w = output_size
    _, h, w = get_dimensions(img)
    if crop_w > w or crop_h > h:          # too small: pad with zeros, the odd pixel last
        extra_w, extra_h = max(crop_w - w, 0), max(crop_h - h, 0)
        img = pad(img, [extra_w // 2, extra_h // 2, (extra_w + 1) // 2, (extra_h + 1) // 2])
        _, h, w = get_dimensions(img)
    top = int(round((h - crop_h) / 2.0))          # round half to even, as torchvision
    left = int(round((w - crop_w) / 2.0))
    return crop(img, top, left, crop_h, crop_w)


# ---------------------------------------------------------------- resizing

def _resized_output_size(h, w, size, max_size=None):
    """(new_h, new_w): ``size`` as (h, w), or one int that the shorter edge is matched to."""
    if isinstance(size, numbers.Number):
        size = [size]
    if len(size) == 2:
        return list(size)
    short, long = (w, h) if w <= h else (h, w)
    new_short, new_long = size[0], int(size[0] * long / short)
    if max_size is not None:
        if max_size <= size[0]:
            raise ValueError(f"max_size = {max_size} must be strictly greater than the "
                             f"requested size for the smaller edge size = {size}")
        if new_long > max_size:
            new_short, new_long = int(max_size * new_short / new_long), max_size
    return [new_long, new_short] if w <= h else [new_short, new_long]


def _bilinear_weights(in_size, out_size, antialias):
    """The (out_size, in_size) matrix whose row i mixes the input pixels into output i.

    Output pixel i is centred at ``c = (i + 0.5) * scale`` in input coordinates,
    with ``scale = in_size / out_size``. Each input pixel j (centre ``j + 0.5``)
    gets the triangle weight ``max(0, 1 - |j + 0.5 - c| / support_scale)``, and
    each row is normalised to sum to 1. Shrinking with ``antialias`` widens the
    triangle to ``scale`` pixels so every input pixel counts (no aliasing); without
    it (or when enlarging) this is ordinary bilinear interpolation. PyTorch's and
    Pillow's antialiased resize compute these same weights.
    """
    scale = in_size / out_size
    stretch = scale if (antialias and scale > 1.0) else 1.0
    centres = (np.arange(out_size) + 0.5) * scale
    if stretch == 1.0:                  # the two neighbours of the source point
        source = np.clip(centres - 0.5, 0.0, in_size - 1)
        centres = source + 0.5
    distance = np.arange(in_size)[None, :] + 0.5 - centres[:, None]
    weights = np.clip(1.0 - np.abs(distance) / stretch, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def _nearest_index(in_size, out_size):
    """Input pixel used for each output pixel by "nearest": floor(i * in / out)."""
    return np.minimum(np.floor(np.arange(out_size) * (in_size / out_size)).astype(np.int64),
                      in_size - 1)


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None,
           antialias=True):
    """The image resized to ``size``: (h, w), or an int the shorter edge becomes.

    PIL images are resized by Pillow itself, as torchvision does. Tensors and NumPy
    arrays support "bilinear" (antialiased when shrinking, unless ``antialias=False``)
    and "nearest"; uint8 images are computed in float and rounded back to uint8.
    """
    if isinstance(interpolation, str):
        interpolation = InterpolationMode(interpolation)
    array, kind = _unpack(img)
    h_axis, w_axis = _hw_axes(kind)
    h, w = array.shape[h_axis], array.shape[w_axis]
    new_h, new_w = _resized_output_size(h, w, size, max_size)
    if (new_h, new_w) == (h, w):
        return img
    if kind == "pil":
        from PIL import Image
        return img.resize((new_w, new_h), getattr(Image.Resampling, interpolation.name))
    if interpolation == InterpolationMode.NEAREST:
        out = np.take(np.take(array, _nearest_index(h, new_h), axis=h_axis),
                      _nearest_index(w, new_w), axis=w_axis)
        return _pack(out, kind)
    if interpolation != InterpolationMode.BILINEAR:
        raise ValueError(f"chainrule resizes tensors with bilinear or nearest interpolation "
                         f"only, not {interpolation.value}")
    rows = _bilinear_weights(h, new_h, antialias)
    cols = _bilinear_weights(w, new_w, antialias)
    work = array.astype(np.float64 if array.dtype == np.float64 else np.float32)
    if kind != "tensor":                        # H, W first: move them to the end
        work = np.moveaxis(work, (0, 1), (-2, -1))
    out = rows.astype(work.dtype) @ work @ cols.T.astype(work.dtype)
    if kind != "tensor":
        out = np.moveaxis(out, (-2, -1), (0, 1))
    if array.dtype == np.uint8:
        out = np.clip(np.round(out), 0, 255).astype(np.uint8)
    return _pack(out.astype(array.dtype, copy=False), kind)
