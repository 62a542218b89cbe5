"""``chainrule.save`` / ``chainrule.load`` against ``torch.save`` / ``torch.load``.

Files cross both ways: what chainrule writes, PyTorch 2.13 loads with
``weights_only=True``, and what PyTorch writes, chainrule loads. Each check looks at
values, dtypes, shapes, strides, storage offsets, ``requires_grad``, Parameters and
shared storage. Then the refusals: files that would run code, truncated and
corrupted files, and devices chainrule does not have.
"""
import collections
import io
import os
import pickle
import zipfile

import numpy as np
import pytest
import torch

import chainrule

LIBS = (torch, chainrule)
DTYPES = ["float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool"]


def saved(lib, obj):
    buffer = io.BytesIO()
    lib.save(obj, buffer)
    return buffer.getvalue()


def loaded(lib, data, **kwargs):
    return lib.load(io.BytesIO(data), **kwargs)


def describe(obj):
    """Plain values, tensors as (type, dtype, shape, stride, offset, requires_grad, values)."""
    if isinstance(obj, (torch.Tensor, chainrule.Tensor)):
        is_param = isinstance(obj, (torch.nn.Parameter, chainrule.nn.Parameter))
        offset = (obj.storage_offset() if isinstance(obj, torch.Tensor)
                  else _chainrule_offset(obj))
        # (The strides of an empty tensor step over nothing; NumPy reports them as 0.)
        stride = tuple(obj.stride()) if obj.numel() else None
        return ("Parameter" if is_param else "Tensor", str(obj.dtype), tuple(obj.shape),
                stride, offset, obj.requires_grad, obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, [(k, describe(v)) for k, v in obj.items()],
                describe(getattr(obj, "_metadata", None)))
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [describe(v) for v in obj])
    if isinstance(obj, (torch.dtype, chainrule.dtype, torch.device, chainrule.device)):
        return repr(obj)
    return obj


def _chainrule_offset(t):
    """Elements from the start of the tensor's memory block (its storage) to its first one."""
    arr = t._data
    root = arr
    while isinstance(root.base, np.ndarray):
        root = root.base
    start = arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]
    return start // arr.itemsize


def shares_memory(lib, a, b):
    if lib is torch:
        return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr()
    return np.shares_memory(a._data, b._data)


def sample(lib):
    """Tensors of every dtype and layout, views of one storage, and plain values."""
    w = lib.arange(24.0).reshape(4, 6)
    state = collections.OrderedDict()
    state["w"] = w
    state["row"] = w[2]                       # offset 12
    state["col"] = w[:, 1]                    # stride 6, offset 1
    state["wt"] = w.t()                       # transposed: strides (1, 6)
    state["block"] = w[1:3, 2:5]
    state["scalar"] = lib.tensor(2.5, dtype=lib.float64)
    state["empty"] = lib.zeros(0, 3)
    state["expanded"] = lib.zeros(3, 1).expand(3, 4)     # stride 0
    state["leaf"] = lib.ones(3, requires_grad=True)
    for name in DTYPES:
        values = [[0, 1, 5], [2, 3, 1]] if name != "bool" else [[True, False, True]] * 2
        state[name] = lib.tensor(values, dtype=getattr(lib, name))
    state["weight"] = lib.nn.Parameter(lib.full((2, 2), 0.5))
    state["frozen"] = lib.nn.Parameter(lib.ones(2), requires_grad=False)
    return {"model": state, "step": 7, "lr": 0.01, "betas": (0.9, 0.999), "name": "mlp",
            "flags": [True, False, None], "blob": b"\x00\xffbytes", "dtype": lib.float16,
            "size": lib.Size([2, 3]), "big": 2**70, "nested": {"a": [1, {"b": -3}]}}


# ============================================================ files crossing over

def test_chainrule_files_load_in_pytorch():
    result = loaded(torch, saved(chainrule, sample(chainrule)), weights_only=True)
    assert describe(result) == describe(sample(torch))
    model = result["model"]
    for view in ("row", "col", "wt", "block"):
        assert shares_memory(torch, model[view], model["w"])


def test_pytorch_files_load_in_chainrule():
    result = loaded(chainrule, saved(torch, sample(torch)))
    assert describe(result) == describe(sample(torch))
    model = result["model"]
    for view in ("row", "col", "wt", "block"):
        assert shares_memory(chainrule, model[view], model["w"])
    model["w"][2, 1] = -1.0                   # a write through the base shows in the views
    assert model["row"][1].item() == -1.0 and model["col"][2].item() == -1.0


def test_round_trip_in_chainrule_keeps_everything():
    original = sample(chainrule)
    assert describe(loaded(chainrule, saved(chainrule, original))) == describe(original)


def test_pickle_inside_is_byte_for_byte_pytorchs():
    def data_pkl(lib):
        state = collections.OrderedDict(w=lib.arange(6.0).reshape(2, 3))
        state["b"] = state["w"][1]
        obj = {"state": state, "groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0]}]}
        with zipfile.ZipFile(io.BytesIO(saved(lib, obj))) as archive:
            return archive.read("archive/data.pkl")
    assert data_pkl(chainrule) == data_pkl(torch)


def test_zip_layout_matches_pytorch():
    data = saved(chainrule, {"w": chainrule.ones(3), "b": chainrule.zeros(2)})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        assert archive.read("archive/version") == b"3\n"
        assert archive.read("archive/byteorder") == b"little"
        assert archive.read("archive/data/0") == np.ones(3, np.float32).tobytes()
        for info in infos.values():
            assert info.compress_type == zipfile.ZIP_STORED
            extra = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
            start = info.header_offset + 30 + len(info.filename) + extra
            assert start % 64 == 0, info.filename          # data aligned as PyTorch aligns it
    with zipfile.ZipFile(io.BytesIO(saved(torch, {"w": torch.ones(3)}))) as reference:
        expected = [n for n in reference.namelist() if "serialization_id" not in n]
    assert [n for n in infos if "/data/" not in n] == [n for n in expected if "/data/" not in n]


def test_same_tensor_twice_is_one_tensor_after_loading():
    t = chainrule.ones(2)
    result = loaded(torch, saved(chainrule, {"a": t, "b": t}))
    assert result["a"] is result["b"]
    u = torch.ones(2)
    again = loaded(chainrule, saved(torch, {"a": u, "b": u}))
    assert again["a"] is again["b"]


def test_paths_and_file_objects(tmp_path):
    state = {"w": chainrule.arange(4.0)}
    chainrule.save(state, tmp_path / "ckpt.pt")                  # pathlib.Path
    chainrule.save(state, str(tmp_path / "other.pth"))           # str
    assert describe(torch.load(tmp_path / "ckpt.pt")) == describe({"w": torch.arange(4.0)})
    with zipfile.ZipFile(tmp_path / "ckpt.pt") as archive:       # folder named as PyTorch does
        assert archive.namelist()[0] == "ckpt/data.pkl"
    torch.save({"w": torch.arange(4.0)}, tmp_path / "theirs.pt")
    with open(tmp_path / "theirs.pt", "rb") as f:
        assert describe(chainrule.load(f)) == describe(chainrule.load(str(tmp_path / "other.pth")))


def test_pytorch_module_and_optimizer_state_dicts():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.01)
    model(torch.randn(5, 3)).sum().backward()
    optimizer.step()
    checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict()}
    result = loaded(chainrule, saved(torch, checkpoint))
    assert describe(result) == describe(checkpoint)
    back = loaded(torch, saved(chainrule, result))              # and back again
    assert describe(back) == describe(checkpoint)


def test_chainrule_checkpoints_resume_training_in_pytorch():
    chainrule.manual_seed(0)
    nn = chainrule.nn
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    optimizer = chainrule.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(chainrule.ones(5, 3)).sum().backward()
    optimizer.step()
    checkpoint = loaded(torch, saved(chainrule, {"model": model.state_dict(),
                                                 "optimizer": optimizer.state_dict()}))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    theirs.load_state_dict(checkpoint["model"])
    their_optimizer = torch.optim.SGD(theirs.parameters(), lr=0.5)
    their_optimizer.load_state_dict(checkpoint["optimizer"])
    assert describe(theirs.state_dict()) == describe(model.state_dict())
    assert describe(their_optimizer.state_dict()) == describe(optimizer.state_dict())


def test_map_location_variants():
    data = saved(torch, {"w": torch.ones(2)})
    for where in ["cpu", chainrule.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage]:
        assert loaded(chainrule, data, map_location=where)["w"].tolist() == [1.0, 1.0]


# ==================================================================== refusals

class RunsCode:
    """Unpickling this calls ``Path.touch``: code a checkpoint must never run."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        import pathlib
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


class Custom:
    def __init__(self, w):
        self.w = w


def same_error(data, **kwargs):
    raised = []
    for lib in LIBS:
        with pytest.raises(Exception) as info:
            loaded(lib, data, **kwargs)
        raised.append((type(info.value), str(info.value)))
    assert raised[1] == raised[0]
    return raised[0]


def test_a_file_that_would_run_code_is_refused(tmp_path):
    marker = tmp_path / "ran"
    data = saved(torch, {"w": torch.ones(2), "evil": RunsCode(marker)})
    kind, message = same_error(data)
    assert kind is pickle.UnpicklingError and message.startswith("Weights only load failed.")
    assert not marker.exists()
    data = saved(chainrule, {"evil": RunsCode(marker)})           # chainrule writes it too
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        loaded(chainrule, data)
    assert not marker.exists()


@pytest.mark.parametrize("payload", [os.system, eval, Custom])
def test_refusal_messages_match_pytorch(payload):
    same_error(saved(torch, {"x": payload}))


def test_weights_only_false_loads_what_you_trust():
    obj = Custom(chainrule.arange(3.0))
    result = loaded(chainrule, saved(chainrule, obj), weights_only=False)
    assert isinstance(result, Custom) and result.w.tolist() == [0.0, 1.0, 2.0]
    with chainrule.serialization.safe_globals([Custom]):
        assert loaded(chainrule, saved(chainrule, obj)).w.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(pickle.UnpicklingError, match="add_safe_globals"):
        loaded(chainrule, saved(chainrule, obj))


def test_explicit_pickle_module_with_weights_only():
    same_error(saved(torch, {"w": torch.ones(1)}), pickle_module=pickle, weights_only=True)


def truncations(data):
    return sorted({1, 10, 30, 64, len(data) // 3, len(data) // 2, len(data) - 100, len(data) - 22,
                   len(data) - 1})


@pytest.mark.parametrize("writer", LIBS, ids=["torch-file", "chainrule-file"])
def test_truncated_files_give_a_clear_error(writer):
    data = saved(writer, sample(writer))
    for cut in truncations(data):
        with pytest.raises(RuntimeError, match="PytorchStreamReader|corrupted"):
            loaded(chainrule, data[:cut])


def test_random_corruption_never_gives_a_wrong_answer():
    """Bytes flipped anywhere: a clear error, or (where nothing that matters was hit)
    exactly the saved values. Never another exception, never a partial object."""
    reference = sample(torch)
    data = saved(torch, reference)
    rng = np.random.default_rng(0)
    for _ in range(200):
        damaged = bytearray(data)
        for at in rng.integers(0, len(data), size=rng.integers(1, 4)):
            damaged[at] = rng.integers(0, 256)
        try:
            result = loaded(chainrule, bytes(damaged))
        except (RuntimeError, pickle.UnpicklingError):
            continue
        assert describe(result) == describe(reference)


def test_not_a_checkpoint_at_all():
    for data in [b"", b"hello world", pickle.dumps({"a": 1})]:
        with pytest.raises(RuntimeError, match="not a ZIP archive"):
            loaded(chainrule, data)


def test_corrupted_storage_bytes_are_detected():
    data = bytearray(saved(torch, {"w": torch.ones(4)}))
    at = data.find(np.ones(4, np.float32).tobytes())
    data[at + 3] ^= 0x40                          # 1.0 becomes 4.0 (PyTorch would not notice)
    with pytest.raises(RuntimeError, match="data/0"):
        loaded(chainrule, bytes(data))


def rezip(data, change):
    """The archive with ``change(name, bytes) -> bytes or None`` applied to each record."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = change(info.filename, src.read(info))
            if content is not None:
                dst.writestr(info.filename, content)
    return out.getvalue()


def test_missing_record_matches_pytorchs_error():
    data = rezip(saved(torch, {"w": torch.ones(2)}),
                 lambda name, content: None if name.endswith("data/0") else content)
    same_error(data)


@pytest.mark.parametrize("size, stride, offset", [((5,), (1,), 0), ((2,), (1,), 3),
                                                  ((2, 2), (2, 2), 0), ((2,), (-1,), 1)])
def test_out_of_bounds_tensor_records_are_refused(size, stride, offset):
    """A record claiming more of its 4-element storage than exists never reaches NumPy."""
    from chainrule.utils._pickle import Global, PersistentId, PickleWriter, Reduce
    storage = PersistentId(("storage", Global("torch", "FloatStorage"), "0", "cpu", 4))
    call = Reduce(Global("torch._utils", "_rebuild_tensor_v2"),
                  (storage, offset, size, stride, False, collections.OrderedDict()))
    good = saved(chainrule, {"w": chainrule.ones(4)})
    bad = rezip(good, lambda name, content: PickleWriter().dump(call)
                if name.endswith("data.pkl") else content)
    with pytest.raises(RuntimeError, match="corrupted tensor record"):
        loaded(chainrule, bad)


def test_corrupted_pickle_gives_a_clear_error():
    good = saved(torch, {"w": torch.ones(2), "n": 3})
    for mangle in [lambda p: p[:-1], lambda p: p[:len(p) // 2], lambda p: p.replace(b"X", b"\xfe")]:
        bad = rezip(good, lambda name, c: mangle(c) if name.endswith("data.pkl") else c)
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            loaded(chainrule, bad)


def test_tensors_saved_on_a_gpu_need_a_map_location():
    def to_cuda(name, content):
        if name.endswith("data.pkl"):
            return content.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
        return content
    data = rezip(saved(chainrule, {"w": chainrule.ones(2)}), to_cuda)
    same_error(data)
    for lib in LIBS:
        assert loaded(lib, data, map_location="cpu")["w"].tolist() == [1.0, 1.0]


def test_dtypes_chainrule_lacks_are_refused_clearly():
    for t in [torch.ones(2, dtype=torch.bfloat16), torch.ones(2, dtype=torch.complex64)]:
        with pytest.raises(RuntimeError, match="chainrule has no such dtype"):
            loaded(chainrule, saved(torch, {"w": t}))


def test_save_into_a_missing_folder(tmp_path):
    raised = []
    for lib in LIBS:
        with pytest.raises(RuntimeError) as info:
            lib.save({"w": lib.ones(1)}, str(tmp_path / "missing" / "x.pt"))
        raised.append(str(info.value))
    assert raised[1] == raised[0]
