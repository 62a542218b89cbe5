"""Making tensors (tensor, as_tensor, from_numpy, zeros, arange, ...), compared with PyTorch.

Each case is a function of the library (``lib`` is ``torch`` or ``chainrule``); both
runs must give the same dtype, shape and values, or the same error and message.
"""
import re
import warnings

import numpy as np
import pytest
import torch

import chainrule


# ---- comparing the two libraries ---------------------------------------------------
def outcome(fn, lib):
    """What ``fn(lib)`` does: ("ok", value) or ("error", type, message), and its warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = ("ok", fn(lib))
        except Exception as e:                     # the error is part of what we compare
            result = ("error", type(e), str(e))
    # PyTorch appends where in its C++ sources a warning came from; chainrule has none.
    said = [(w.category, re.sub(r" \(Triggered internally at .*\)$", "", str(w.message)))
            for w in caught]
    return result, said


def assert_same(actual, expected, rtol=0.0):
    """chainrule's ``actual`` matches torch's ``expected`` (tensors, tuples, scalars)."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, chainrule.Tensor), actual
        assert repr(actual.dtype) == repr(expected.dtype)
        assert tuple(actual.shape) == tuple(expected.shape)
        assert actual.requires_grad == expected.requires_grad
        fn, t_fn = actual.grad_fn, expected.grad_fn
        assert (fn and fn.name()) == (t_fn and t_fn.name())
        np.testing.assert_allclose(actual.detach().numpy(), expected.detach().numpy(),
                                   rtol=rtol, atol=0)
    elif isinstance(expected, (tuple, list)) and not isinstance(expected, torch.Size):
        assert type(actual).__name__ == type(expected).__name__
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e, rtol)
    elif isinstance(expected, (torch.dtype, torch.Size, torch.device)):
        assert repr(actual) == repr(expected)
    else:
        assert type(actual) is type(expected) and actual == expected, (actual, expected)


def same(fn, rtol=0.0):
    """``fn(lib)`` has the same result, error and warnings with torch and chainrule."""
    (expected, t_warned), (actual, c_warned) = outcome(fn, torch), outcome(fn, chainrule)
    assert actual[0] == expected[0], f"\ntorch:     {expected}\nchainrule: {actual}"
    if expected[0] == "error":
        assert actual[1:] == expected[1:]
    else:
        assert_same(actual[1], expected[1], rtol)
    assert c_warned == t_warned


# ---- torch.tensor: dtype inference --------------------------------------------------
@pytest.mark.parametrize("data", [
    1, 2.5, True, -7, float("nan"), float("inf"), 1e40,
    [1, 2, 3], [1.0, 2.0], [True, False], [1, 2.5, True], [True, 1], [[True], [2]],
    [[1, 2], [3, 4.0]], [], [[]], [[], []], ((1, 2), (3, 4)), [[[1.5]]],
    [[1, 2], [3]], "abc", ["a"], [None], None, 2 ** 70, [2 ** 70],
])
def test_tensor_from_python_data(data):
    same(lambda lib: lib.tensor(data))


@pytest.mark.parametrize("build", [
    lambda lib: [lib.tensor(1.5), lib.tensor(2.0)],
    lambda lib: [lib.tensor(1), lib.tensor(2.0)],
    lambda lib: [lib.tensor(1, dtype=lib.int32), lib.tensor(2, dtype=lib.int32)],
    lambda lib: [lib.tensor(1.5, dtype=lib.float64), 2],
    lambda lib: [lib.tensor([1.0]), lib.tensor([2.0])],
    lambda lib: [lib.tensor([1.0, 2.0]), lib.tensor([3.0, 4.0])],
    lambda lib: [[lib.tensor(1.0)], [lib.tensor(2.0)]],
    lambda lib: [lib.tensor(1.0, requires_grad=True) * 2, lib.tensor(3.0)],
])
def test_tensor_from_list_of_tensors(build):
    same(lambda lib: lib.tensor(build(lib)))


@pytest.mark.parametrize("array", [
    np.array([1.5, 2.5]), np.array([1.5], np.float32), np.array([1, 2], np.int32),
    np.array([1, 2]), np.array([1], np.uint8), np.array([True]), np.array(2.5),
    np.float64(1.5), np.float32(1.5), np.int32(3), np.array([1, 2], np.int16),
    np.array([1], object), np.array(["a"]), [np.float32(1.5), 2], [np.int32(1)],
    np.array([[1.0, 2.0]]).T,
])
def test_tensor_from_numpy_data(array):
    same(lambda lib: lib.tensor(array))


@pytest.mark.parametrize("data, dtype", [
    ([1, 2], "float32"), ([1.5, -2.5], "int64"), ([-1], "uint8"), (3.7, "int32"),
    ([1, 0, 2], "bool"), ([1.5], "float64"), (np.array([1, 2]), "float32"),
    ([True, False], "float32"), ([0.5], "bool"),
])
def test_tensor_with_dtype(data, dtype):
    same(lambda lib: lib.tensor(data, dtype=getattr(lib, dtype)))


def test_tensor_bad_arguments():
    same(lambda lib: lib.tensor([1, 2], dtype="float32"))
    same(lambda lib: lib.tensor([1, 2], requires_grad=True))
    same(lambda lib: lib.tensor([1.0], requires_grad=True))
    same(lambda lib: lib.tensor([1.0], device="cpu"))
    same(lambda lib: lib.tensor([1.0], device=lib.device("cpu")))
    same(lambda lib: lib.tensor([1.0], device="cuda"))


def test_tensor_of_a_tensor_copies_and_warns():
    def build(lib):
        source = lib.tensor([1.0, 2.0], requires_grad=True)
        copy = lib.tensor(source)
        with lib.no_grad():
            source.add_(1)
        return copy, source
    same(build)


# ---- as_tensor and from_numpy: shared memory ------------------------------------
def test_from_numpy_shares_memory():
    def build(lib):
        array = np.array([1.0, 2.0, 3.0])
        t = lib.from_numpy(array)
        array[0] = 10.0                         # seen by the tensor
        t[1] = 20.0                             # seen by the array
        return t, array.tolist(), t.dtype
    same(build)


@pytest.mark.parametrize("value", [[1.0], np.array([1, 2], object), np.array(["a"]),
                                   np.array([1, 2], np.int32), np.array(True)])
def test_from_numpy_types(value):
    same(lambda lib: lib.from_numpy(value))


def test_as_tensor():
    def shares(lib, dtype=None):
        array = np.array([1.0, 2.0])
        t = lib.as_tensor(array, dtype=dtype)
        array[0] = 5.0
        return t
    same(shares)
    same(lambda lib: shares(lib, lib.float64))
    same(lambda lib: shares(lib, lib.float32))           # a conversion copies
    same(lambda lib: lib.as_tensor([1, 2], dtype=lib.float32))
    same(lambda lib: lib.as_tensor(3))
    same(lambda lib: lib.as_tensor([[1.5], [2]]))

    def same_object(lib):
        t = lib.tensor([1.0])
        return lib.as_tensor(t) is t, lib.as_tensor(t, dtype=lib.float32) is t
    same(same_object)
    same(lambda lib: lib.as_tensor(lib.tensor([1.5]), dtype=lib.int64))


# ---- filled tensors -----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["zeros", "ones"])
@pytest.mark.parametrize("args", [
    (2, 3), ((2, 3),), ([2, 3],), (0,), ((),), ([],), (2.5,), (-1,), ((2, -1),), (2, "a"),
    ([2, 3.0],), (True,), ((2,), (3,)), (np.int64(2),),
])
def test_zeros_ones_sizes(name, args):
    same(lambda lib: getattr(lib, name)(*args))
    same(lambda lib: getattr(lib, name)(lib.Size([2, 1])))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool"])
def test_filled_dtypes(dtype):
    same(lambda lib: lib.zeros(2, dtype=getattr(lib, dtype)))
    same(lambda lib: lib.ones(2, 1, dtype=getattr(lib, dtype)))
    same(lambda lib: lib.full((2,), 3, dtype=getattr(lib, dtype)))
    same(lambda lib: lib.eye(2, 3, dtype=getattr(lib, dtype)))
    same(lambda lib: lib.empty(2, 3, dtype=getattr(lib, dtype)).shape)
    same(lambda lib: lib.ones(2, dtype=getattr(lib, dtype), requires_grad=True))


@pytest.mark.parametrize("args", [
    ((2,), 1), ((2,), True), ((2, 2), 1.5), ([], 1.0), (2, 1.0), ((2,), "a"),
])
def test_full(args):
    same(lambda lib: lib.full(*args))
    same(lambda lib: lib.full((2,), lib.tensor(2.5)))
    same(lambda lib: lib.full((2, 2), 1.5, dtype=lib.int64))


def test_empty():
    same(lambda lib: (lib.empty(2, 3).shape, lib.empty(2, 3).dtype))
    same(lambda lib: lib.empty(0).shape)
    same(lambda lib: lib.empty(-1))


@pytest.mark.parametrize("name, args", [
    ("zeros_like", ()), ("ones_like", ()), ("full_like", (2.7,)), ("full_like", (True,)),
    ("empty_like", ()),
])
@pytest.mark.parametrize("source", [[1, 2], [1.5, 2.5], [True], [[1.0], [2.0]]])
def test_like(name, args, source):
    def build(lib, **kwargs):
        t = getattr(lib, name)(lib.tensor(source), *args, **kwargs)
        return t if name != "empty_like" else (t.shape, t.dtype)
    same(build)
    same(lambda lib: build(lib, dtype=lib.float64))
    same(lambda lib: build(lib, requires_grad=True))


def test_like_of_a_tensor_that_requires_grad():
    same(lambda lib: lib.ones_like(lib.tensor([1.0], requires_grad=True)))
    same(lambda lib: lib.zeros_like([1, 2]))


# ---- ranges ---------------------------------------------------------------------
@pytest.mark.parametrize("args", [
    (5,), (0.5,), (2, 7), (5, 0, -1), (0, 1, 0.1), (-1.0, 1.0, 0.3), (3.0, 0, -0.7),
    (0.1, 0.2, 0.03), (1, 10, 3), (5, 0, 1), (5, 0, 0), (0, 10 ** 10, 10 ** 9),
    (float("inf"),), (1, True), (10, -10, -3), (0, 1, 1 / 3),
])
def test_arange(args):
    same(lambda lib: lib.arange(*args))
    same(lambda lib: lib.arange(*args, dtype=lib.float64))


def test_arange_dtypes():
    same(lambda lib: lib.arange(1, 10, 3, dtype=lib.float32))
    same(lambda lib: lib.arange(1, 2.5, 0.5, dtype=lib.int64))
    same(lambda lib: lib.arange(lib.tensor(3)))
    same(lambda lib: lib.arange(3, requires_grad=True))
    same(lambda lib: lib.arange(3.0, requires_grad=True))


@pytest.mark.parametrize("args", [
    (0, 1, 7), (-1, 1, 1), (-1, 1, 0), (3, -2, 6), (0, 1, -1), (0, 10, 11), (-3.5, 2.25, 100),
])
def test_linspace(args):
    same(lambda lib: lib.linspace(*args))
    same(lambda lib: lib.linspace(*args, dtype=lib.float64))


def test_linspace_int_dtype():
    same(lambda lib: lib.linspace(0, 10, 5, dtype=lib.int64))


@pytest.mark.parametrize("args", [(3,), (2, 3), (2, 0), (0,), (-1,), (2.0,)])
def test_eye(args):
    same(lambda lib: lib.eye(*args))


# ---- the legacy constructors -----------------------------------------------------
@pytest.mark.parametrize("args", [
    ([1, 2],), ([[1.5], [2]],), (np.array([1, 2]),), ((2, 3),), ([],), (3.5,), (2, 3.0),
])
def test_legacy_tensor(args):
    same(lambda lib: lib.Tensor(*args))


def test_legacy_tensor_sizes_and_sources():
    # uninitialised memory: only the shape and dtype are defined
    same(lambda lib: (lib.Tensor(2, 3).shape, lib.Tensor(2, 3).dtype))
    same(lambda lib: lib.Tensor(lib.Size([2, 3])).shape)
    same(lambda lib: lib.Tensor())
    same(lambda lib: lib.Tensor(lib.tensor([1.0, 2.0])))
    same(lambda lib: lib.Tensor(lib.tensor([1, 2])))
    same(lambda lib: lib.Tensor([1.0], device="cpu"))
    same(lambda lib: lib.Tensor([1.0], device="cuda"))
    same(lambda lib: lib.FloatTensor([1.0], device="cuda"))
    same(lambda lib: lib.Tensor(2, -1))
    same(lambda lib: lib.Tensor([None]))
    same(lambda lib: lib.Tensor([[1], [2, 3]]))
    same(lambda lib: lib.Tensor(None))
    same(lambda lib: lib.Tensor("a"))

    def shares(lib):
        source = lib.tensor([1.0, 2.0])
        t = lib.Tensor(source)
        source[0] = 9.0
        return t
    same(shares)


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "ByteTensor", "BoolTensor"])
@pytest.mark.parametrize("data", [[1.7, -1.7], [[0, 2]], [True], []])
def test_typed_legacy_constructors(name, data):
    if name == "ByteTensor" and data == [1.7, -1.7]:
        data = [1.7, 200.2]
    same(lambda lib: getattr(lib, name)(data))
    same(lambda lib: getattr(lib, name)(2).shape)
    same(lambda lib: getattr(lib, name)(2, 3).shape)


def test_typed_constructor_of_another_dtype():
    same(lambda lib: lib.FloatTensor(lib.tensor([1, 2])))
    same(lambda lib: lib.LongTensor(lib.tensor([1, 2])))
