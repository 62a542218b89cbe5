"""The Tensor's properties, conversions and Python protocols, compared with PyTorch.

Each case is a function of the library (``lib`` is ``torch`` or ``chainrule``); both
runs must give the same values, dtypes, flags, errors and warnings.
"""
import copy
import math
import pickle
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

import chainrule
from _sides import outcome


# ---- comparing the two libraries ---------------------------------------------------
def assert_same(actual, expected):
    """chainrule's ``actual`` matches torch's ``expected`` (tensors, tuples, scalars)."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(actual, chainrule.Tensor), actual
        assert repr(actual.dtype) == repr(expected.dtype)
        assert tuple(actual.shape) == tuple(expected.shape)
        assert actual.requires_grad == expected.requires_grad
        assert actual.is_leaf == expected.is_leaf
        fn, t_fn = actual.grad_fn, expected.grad_fn
        assert (fn and fn.name()) == (t_fn and t_fn.name())
        np.testing.assert_array_equal(actual.detach().numpy(), expected.detach().numpy())
    elif isinstance(expected, (tuple, list)) and not isinstance(expected, torch.Size):
        assert type(actual).__name__ == type(expected).__name__
        assert len(actual) == len(expected)
        for a, e in zip(actual, expected):
            assert_same(a, e)
    elif isinstance(expected, np.ndarray):
        assert isinstance(actual, np.ndarray) and actual.dtype == expected.dtype
        np.testing.assert_array_equal(actual, expected)
    elif isinstance(expected, (torch.dtype, torch.Size, torch.device)):
        assert repr(actual) == repr(expected)
    else:
        assert type(actual) is type(expected) and actual == expected, (actual, expected)


def same(fn):
    """``fn(lib)`` has the same result, error and warnings with torch and chainrule."""
    (expected, t_warned), (actual, c_warned) = outcome(fn, torch), outcome(fn, chainrule)
    assert actual[0] == expected[0], f"\ntorch:     {expected}\nchainrule: {actual}"
    if expected[0] == "error":
        assert actual[1:] == expected[1:]
    else:
        assert_same(actual[1], expected[1])
    assert c_warned == t_warned


def leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


# ---- properties --------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4), (0, 2)])
def test_shape_properties(shape):
    def props(lib):
        t = lib.zeros(shape)
        return (t.shape, t.size(), t.dim(), t.ndim, t.numel(), t.dtype, t.device, t.is_cuda,
                t.element_size(), t.nelement(), t.ndimension(), t.is_floating_point())
    same(props)
    for dim in (0, -1, 1, 3, "a"):
        same(lambda lib: lib.zeros(shape).size(dim))


def test_size_is_a_tuple():
    same(lambda lib: lib.zeros(2, 3).shape[1:])
    same(lambda lib: lib.zeros(2, 3).shape + (4,))
    same(lambda lib: lib.zeros(2, 3).shape == (2, 3))
    same(lambda lib: lib.zeros(2, 3).shape.numel())
    same(lambda lib: lib.Size([2, 3]))
    same(lambda lib: str(lib.zeros(2, 3).shape))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4)])
def test_transposes(shape):
    same(lambda lib: lib.arange(float(math.prod(shape))).reshape(shape).mT)
    same(lambda lib: leaf(lib, range(math.prod(shape))).reshape(shape).mT)
    if len(shape) == 2:                    # other shapes warn once: see test_warn_once
        same(lambda lib: lib.arange(6.0).reshape(shape).T)
        same(lambda lib: leaf(lib, range(6)).reshape(shape).T)


def test_device():
    same(lambda lib: lib.device("cpu"))
    same(lambda lib: lib.device("cuda:1"))
    same(lambda lib: lib.device("cpu", 0))
    same(lambda lib: lib.device("gpu"))
    same(lambda lib: str(lib.device("cpu")))
    same(lambda lib: lib.zeros(2).device == lib.device("cpu"))
    same(lambda lib: lib.device("cpu") == "cpu")
    same(lambda lib: lib.cuda.is_available())
    same(lambda lib: lib.zeros(2, device="cpu"))
    same(lambda lib: lib.zeros(2, device=lib.device("cpu")))
    same(lambda lib: lib.zeros(2, device="cuda"))


def test_device_moves_are_no_ops_on_the_cpu():
    def moves(lib):
        x = leaf(lib)
        return (x.to("cpu") is x, x.to(lib.device("cpu")) is x, x.cpu() is x,
                x.to(x.device) is x, x.to("cpu", lib.float64), x.to(device="cpu"))
    same(moves)
    same(lambda lib: leaf(lib).to("cuda"))
    same(lambda lib: leaf(lib).cuda())


# ---- conversions -----------------------------------------------------------------------
@pytest.mark.parametrize("method", ["float", "double", "long", "int", "bool", "half", "byte"])
@pytest.mark.parametrize("source", [[1.5, -2.5, 0.0], [1, 0, 3], [True, False, True]])
def test_dtype_methods(method, source):
    same(lambda lib: getattr(lib.tensor(source), method)())
    same(lambda lib: getattr(lib.tensor(source), method)().dtype)


def test_conversions_of_a_tensor_that_requires_grad():
    same(lambda lib: leaf(lib).double())
    same(lambda lib: leaf(lib).long())
    same(lambda lib: leaf(lib).float() is leaf(lib))

    def no_copy(lib):
        x = leaf(lib)
        return x.float() is x, x.to(lib.float32) is x, x.to(lib.float32, copy=True) is x
    same(no_copy)


def test_to_and_type():
    same(lambda lib: leaf(lib).to(lib.tensor([1, 2])))
    same(lambda lib: leaf(lib).to(dtype=lib.float64))
    same(lambda lib: leaf(lib).type())
    same(lambda lib: lib.tensor([1, 2]).type())
    same(lambda lib: lib.tensor([True]).type())
    same(lambda lib: leaf(lib).type(lib.float64))
    same(lambda lib: leaf(lib).type("torch.DoubleTensor"))
    same(lambda lib: leaf(lib).type(lib.DoubleTensor))
    same(lambda lib: lib.tensor([1.7]).type(lib.LongTensor))
    same(lambda lib: leaf(lib).type("float"))
    same(lambda lib: leaf(lib).type_as(lib.tensor([1])))


def test_item_and_tolist():
    same(lambda lib: lib.tensor(2.5).item())
    same(lambda lib: lib.tensor([[5]]).item())
    same(lambda lib: lib.tensor(True).item())
    same(lambda lib: lib.tensor(7, dtype=lib.uint8).item())
    same(lambda lib: leaf(lib).sum().item())
    same(lambda lib: lib.tensor([]).item())
    same(lambda lib: lib.tensor([1, 2]).item())
    same(lambda lib: leaf(lib).tolist())
    same(lambda lib: lib.tensor([[1, 2], [3, 4]]).tolist())
    same(lambda lib: lib.tensor(1.5).tolist())
    same(lambda lib: lib.tensor([True]).tolist())


def test_numpy():
    same(lambda lib: lib.tensor([1, 2]).numpy())
    same(lambda lib: lib.tensor([1.5], dtype=lib.float64).numpy())
    same(lambda lib: leaf(lib).numpy())
    same(lambda lib: (leaf(lib) * 2).numpy())
    same(lambda lib: leaf(lib).detach().numpy())
    same(lambda lib: np.asarray(leaf(lib)))
    same(lambda lib: np.asarray(lib.tensor([1, 2])))
    same(lambda lib: leaf(lib).numpy(force=True))

    def shares(lib):
        t = lib.zeros(3)
        t.numpy()[0] = 5.0
        return t
    same(shares)


# ---- Python protocols ----------------------------------------------------------------
@pytest.mark.parametrize("spec", ["", ".2f", ".3e", "10.4f", "+", "d"])
@pytest.mark.parametrize("value", [2.5, 3, True])
def test_format_of_a_0_dim_tensor(spec, value):
    same(lambda lib: format(lib.tensor(value), spec))
    same(lambda lib: f"loss: {lib.tensor(value)}")


def test_format():
    same(lambda lib: f"{leaf(lib).sum():.2f}")
    same(lambda lib: format(lib.tensor([1.0, 2.0]), ""))
    same(lambda lib: format(lib.tensor([1.0, 2.0]), ".2f"))
    same(lambda lib: "%.3f" % lib.tensor(1.25))
    same(lambda lib: "{:.1f}".format(lib.tensor(0.25, dtype=lib.float64)))


@pytest.mark.parametrize("values", [[], [2.7], [[2.7]], [1.0, 2.0], 2.7, [0], -3, True, [False]])
def test_scalar_conversions(values):
    same(lambda lib: bool(lib.tensor(values)))
    same(lambda lib: float(lib.tensor(values)))
    same(lambda lib: int(lib.tensor(values)))
    same(lambda lib: complex(lib.tensor(values)))
    same(lambda lib: lib.tensor(values).__index__())
    same(lambda lib: lib.tensor(values, dtype=lib.int64).__index__())
    same(lambda lib: [10, 20, 30][lib.tensor(values, dtype=lib.int64)])


def test_len_and_iteration():
    same(lambda lib: len(lib.zeros(3, 2)))
    same(lambda lib: len(lib.tensor(2.0)))
    same(lambda lib: len(lib.zeros(0)))
    same(lambda lib: list(lib.tensor([[1, 2], [3, 4]])))
    same(lambda lib: list(leaf(lib)))
    same(lambda lib: iter(lib.tensor(2.0)))
    same(lambda lib: [float(v) for v in lib.tensor([1.5, 2.5])])
    same(lambda lib: list(zip(lib.tensor([1, 2]), lib.tensor([3.0, 4.0]))))
    same(lambda lib: 2.0 in lib.tensor([1.0, 2.0]))
    same(lambda lib: 5 in lib.tensor([1.0, 2.0]))
    same(lambda lib: list(reversed(lib.tensor([1, 2, 3]))))


def test_hash_is_identity():
    def hashes(lib):
        a, b = lib.tensor([1.0]), lib.tensor([1.0])
        return hash(a) == id(a), len({a, b}), {a: 1}[a]
    same(hashes)


# Warnings PyTorch gives once per process: each library runs all sections in one fresh
# interpreter, each section printing its results and a marker to both streams.
WARN_ONCE_SECTIONS = {
    "scalar": "x = torch.tensor(1.5, requires_grad=True)\n"
              "print(float(x), float(x * 2), int(x), x.item(), f'{x:.1f}', complex(x))",
    "T": "print(torch.tensor([[1.0, 2.0]]).T, torch.ones(2, 3, 4).T.shape)\n"
         "print(torch.tensor([1.0, 2.0]).T, torch.ones(2, 3, 4).T.shape)",
    "T of 0-dim": "print(torch.tensor(2.0).T, torch.tensor(3.0).T)",
    "list of arrays": "import numpy as np\n"
                      "print(torch.tensor([np.array([1, 2]), np.array([3, 4])]))\n"
                      "print(torch.tensor([np.array([1.5]), np.array([3.5])]))",
}


@pytest.fixture(scope="module")
def warn_once_runs():
    lines = ["import sys, warnings", "warnings.simplefilter('always')", "import LIB as torch"]
    for name, code in WARN_ONCE_SECTIONS.items():
        lines += [f"print('@@ {name}'); print('@@ {name}', file=sys.stderr)", code]
    script = "\n".join(lines) + "\n"
    processes = [subprocess.Popen([sys.executable, "-c", script.replace("LIB", lib)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for lib in ("torch", "chainrule")]
    runs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        sections = {}
        for stream in (out, err):
            for part in stream.split("@@ ")[1:]:
                name, _, text = part.partition("\n")
                warned = re.findall(r"UserWarning: (.*?)(?: \(Triggered internally.*)?$",
                                    text, re.M)
                sections.setdefault(name, []).append(warned if stream is err else text)
        runs.append(sections)
    return runs


@pytest.mark.parametrize("section", WARN_ONCE_SECTIONS)
def test_warn_once(warn_once_runs, section):
    with_torch, with_chainrule = warn_once_runs
    assert with_chainrule[section] == with_torch[section]


# ---- copying and pickling --------------------------------------------------------------
def test_clone_and_contiguous():
    same(lambda lib: leaf(lib).clone())
    same(lambda lib: (leaf(lib) * 2).clone())
    same(lambda lib: lib.tensor([1, 2]).clone())

    def own_memory(lib):
        x = lib.tensor([1.0, 2.0])
        c = x.clone()
        c[0] = 9.0
        return x, c
    same(own_memory)

    def contiguity(lib):
        t = lib.ones(2, 3).T
        return (t.is_contiguous(), t.contiguous().is_contiguous(),
                lib.ones(2).contiguous().is_contiguous(), t.contiguous())
    same(contiguity)

    def same_object(lib):
        x = lib.ones(2)
        return x.contiguous() is x
    same(same_object)


def test_deepcopy():
    def copies(lib):
        x = leaf(lib)
        x.grad = lib.ones(3)
        y = copy.deepcopy(x)
        y.data[0] = 7.0
        return x, y, y.grad, y.grad is x.grad, y.is_leaf
    same(copies)
    same(lambda lib: copy.deepcopy(leaf(lib) * 2))
    same(lambda lib: copy.deepcopy([lib.tensor([1, 2])] * 2))

    def memo(lib):
        x = leaf(lib)
        a, b = copy.deepcopy([x, x])
        return a is b
    same(memo)
    same(lambda lib: copy.copy(leaf(lib)))


def test_pickle():
    same(lambda lib: pickle.loads(pickle.dumps(leaf(lib))))
    same(lambda lib: pickle.loads(pickle.dumps(leaf(lib) * 2)))
    same(lambda lib: pickle.loads(pickle.dumps(lib.tensor([[1, 2]], dtype=lib.uint8))))
    same(lambda lib: pickle.loads(pickle.dumps(lib.ones(2, 3).T)))
    same(lambda lib: pickle.loads(pickle.dumps((lib.float64, lib.Size([2]), lib.device("cpu")))))


# ---- autograd attributes ---------------------------------------------------------------
def test_requires_grad_flag():
    def set_flag(lib, t, flag):
        t.requires_grad = flag
        return t
    same(lambda lib: set_flag(lib, lib.tensor([1.0]), True))
    same(lambda lib: set_flag(lib, leaf(lib), False))
    same(lambda lib: set_flag(lib, lib.tensor([1, 2]), True))
    same(lambda lib: set_flag(lib, lib.tensor([1, 2]), False))
    same(lambda lib: set_flag(lib, lib.tensor([True]), True))
    same(lambda lib: set_flag(lib, leaf(lib) * 2, False))
    same(lambda lib: set_flag(lib, leaf(lib) * 2, True))
    same(lambda lib: lib.tensor([1.0]).requires_grad_())
    same(lambda lib: lib.tensor([1.0]).requires_grad_(False))
    same(lambda lib: leaf(lib).requires_grad_(False))
    same(lambda lib: lib.tensor([1, 2]).requires_grad_())
    same(lambda lib: lib.tensor([1, 2]).requires_grad_(False))
    same(lambda lib: (leaf(lib) * 2).requires_grad_(False))
    same(lambda lib: (leaf(lib) * 2).requires_grad_())
    same(lambda lib: lib.tensor([1.5]).requires_grad_(1))

    def returns_self(lib):
        x = lib.tensor([1.0])
        return x.requires_grad_() is x
    same(returns_self)


def test_is_leaf_and_grad_fn():
    def flags(lib):
        x = leaf(lib)
        y = x * 2
        with lib.no_grad():
            z = x * 2
        c = lib.tensor([1.0]) * 2
        return [(t.is_leaf, t.requires_grad, t.grad_fn is None) for t in (x, y, z, c)]
    same(flags)
    same(lambda lib: (leaf(lib) * 2).grad_fn.name())
    same(lambda lib: leaf(lib).detach().is_leaf)
    same(lambda lib: (leaf(lib) * 2).detach())


def test_grad_assignment():
    def assign(lib, make_target, make_grad):
        t = make_target(lib)
        t.grad = make_grad(lib)
        return t.grad
    cases = [
        (leaf, lambda lib: lib.ones(3)),
        (leaf, lambda lib: lib.ones(2)),
        (leaf, lambda lib: lib.ones(1, 3)),
        (leaf, lambda lib: lib.tensor(1.0)),
        (leaf, lambda lib: lib.ones(3, dtype=lib.float64)),
        (leaf, lambda lib: lib.ones(3, dtype=lib.int64)),
        (leaf, lambda lib: [1.0, 2.0, 3.0]),
        (leaf, lambda lib: np.ones(3)),
        (leaf, lambda lib: None),
        (leaf, lambda lib: lib.ones(3, requires_grad=True)),
        (lambda lib: lib.tensor([1, 2]), lambda lib: lib.ones(2, dtype=lib.int64)),
        (lambda lib: lib.tensor([1.0]), lambda lib: lib.ones(1)),
    ]
    for make_target, make_grad in cases:
        same(lambda lib: assign(lib, make_target, make_grad))

    def delete(lib):
        x = leaf(lib)
        x.grad = lib.ones(3)
        del x.grad
        return x.grad
    same(delete)


def test_non_leaf_grad_warns():
    def non_leaf_grad(lib):
        x = leaf(lib)
        y = x * 2
        y.sum().backward()
        return y.grad
    same(non_leaf_grad)

    def retained(lib):
        x = leaf(lib)
        y = x * 2
        y.retain_grad()
        (y * y).sum().backward()
        return y.grad, y.retains_grad, x.retains_grad
    same(retained)


def test_retain_grad():
    same(lambda lib: leaf(lib).retain_grad())
    same(lambda lib: lib.tensor([1.0]).retain_grad())

    def twice(lib):
        x = leaf(lib)
        y = x * 2
        y.retain_grad()
        y.retain_grad()
        y.sum().backward(retain_graph=True)
        y.sum().backward()
        return y.grad
    same(twice)


def test_data():
    def shares(lib):
        x = leaf(lib)
        d = x.data
        d[0] = 10.0                             # not an error: .data is outside the graph
        return x, d, d.requires_grad, d.is_leaf
    same(shares)

    def untracked(lib):
        x = leaf(lib)
        y = x.data * 2
        return y
    same(untracked)

    def assign(lib, value):
        x = leaf(lib)
        x.data = value(lib)
        return x
    same(lambda lib: assign(lib, lambda lib: lib.ones(2)))
    same(lambda lib: assign(lib, lambda lib: lib.ones(2, dtype=lib.float64)))
    same(lambda lib: assign(lib, lambda lib: [1.0]))
    same(lambda lib: assign(lib, lambda lib: lib.tensor([1, 2])))

    def not_tracked_by_version(lib):
        x = leaf(lib)
        y = x ** 2
        x.data.mul_(2)                          # .data changes escape the version check
        y.sum().backward()
        return x.grad
    same(not_tracked_by_version)


def test_detach():
    def shares(lib):
        x = leaf(lib)
        d = x.detach()
        d[1] = 20.0
        return x, d
    same(shares)

    def shares_version(lib):
        x = leaf(lib)
        y = x.sigmoid()
        y.detach().zero_()                      # detach() shares the version counter
        y.sum().backward()
        return x.grad
    same(shares_version)

    def detach_in_place(lib):
        x = leaf(lib)
        y = x * 2
        y.detach_()
        return y
    same(detach_in_place)


# ---- in-place methods ----------------------------------------------------------------
@pytest.mark.parametrize("op", [
    lambda t, lib: t.zero_(),
    lambda t, lib: t.fill_(2.5),
    lambda t, lib: t.fill_(lib.tensor(4.0)),
    lambda t, lib: t.copy_(lib.tensor([7, 8, 9])),
    lambda t, lib: t.copy_(lib.tensor(5.0)),
    lambda t, lib: t.copy_(lib.tensor([1.0, 2.0])),
    lambda t, lib: t.copy_(np.array([1.0, 2.0, 3.0])),
])
def test_in_place_methods(op):
    def run(lib, make):
        t = make(lib)
        out = op(t, lib)
        return out, out is t, t
    same(lambda lib: run(lib, lambda lib: lib.tensor([1.0, 2.0, 3.0])))
    same(lambda lib: run(lib, lambda lib: lib.tensor([1, 2, 3])))
    same(lambda lib: run(lib, leaf))

    def under_no_grad(lib):
        x = leaf(lib)
        with lib.no_grad():
            op(x, lib)
        return x
    same(under_no_grad)

    def on_non_leaf(lib):
        x = leaf(lib)
        y = x * 1
        op(y, lib)
        (y * x).sum().backward()
        return y, x.grad
    same(on_non_leaf)
