"""``chainrule.load`` fed damaged and hostile files: a clear error, never anything worse.

``test_serialization.py`` checks the ordinary refusals (a pickled ``os.system``, a few
truncations, random byte changes). Here Hypothesis cuts a file at every kind of
offset and flips single bits anywhere, and hand-made files attack the loader: pickles
that reach ``os.system`` through each pickle opcode that can call or build, a zip bomb,
a tensor record declaring a huge size, a wrong magic or version. Each must end in
``RuntimeError`` or ``pickle.UnpicklingError`` (the errors PyTorch raises) and must
not run code, hang, crash or hand back part of an object.
"""
import io
import pickle
import zipfile
import zlib

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule

CLEAR = (RuntimeError, pickle.UnpicklingError)


def saved(lib, obj):
    buffer = io.BytesIO()
    lib.save(obj, buffer)
    return buffer.getvalue()


def load(data):
    return chainrule.load(io.BytesIO(data))


def same_values(a, b):
    return (a.keys() == b.keys() and all(torch.equal(torch.tensor(a[k].tolist()), b[k])
                                         for k in a))


REFERENCE = {"w": torch.arange(6.0).reshape(2, 3), "b": torch.ones(3, dtype=torch.float64)}
FILE = saved(torch, REFERENCE)


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(st.integers(0, len(FILE) - 1))
def test_every_truncation_is_a_clear_error(cut):
    with pytest.raises(CLEAR):
        load(FILE[:cut])


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.integers(0, len(FILE) - 1), st.integers(0, 7))
def test_a_flipped_bit_is_a_clear_error_or_changes_nothing(at, bit):
    damaged = bytearray(FILE)
    damaged[at] ^= 1 << bit
    try:
        result = load(bytes(damaged))
    except CLEAR:
        return
    assert same_values(result, REFERENCE)             # the flip hit nothing that matters


# ---- hostile pickles ----------------------------------------------------------------
def archive(pickle_bytes, records=(), version=b"3\n"):
    """A checkpoint archive laid out as torch.save lays it out, with our own data.pkl."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("archive/data.pkl", pickle_bytes)
        z.writestr("archive/byteorder", b"little")
        for name, data in records:
            z.writestr(f"archive/{name}", data)
        z.writestr("archive/version", version)
    return out.getvalue()


def calls_system(marker):
    """Pickles that would run ``touch marker`` through each opcode that calls or builds."""
    command = f"touch {marker}".encode()
    arg = b"\x8c" + bytes([len(command)]) + command        # SHORT_BINUNICODE
    return {
        "GLOBAL+REDUCE": b"\x80\x02cposix\nsystem\n" + arg + b"\x85R.",
        "os.system": b"\x80\x02cos\nsystem\n" + arg + b"\x85R.",
        "STACK_GLOBAL": b"\x80\x04\x8c\x05posix\x8c\x06system\x93" + arg + b"\x85R.",
        "INST": b"(" + b"S'" + command + b"'\n" + b"iposix\nsystem\n.",
        "OBJ": b"\x80\x02(cposix\nsystem\n" + arg + b"o.",
        "NEWOBJ": b"\x80\x02csubprocess\nPopen\n(]" + arg + b"a\x85)\x81.",
        "BUILD setstate": b"\x80\x02cbuiltins\nexec\n" + arg + b"\x85R}b.",
        "builtins.eval": b"\x80\x02cbuiltins\neval\n\x8c\x0f__import__('os')\x85R.",
        "getattr chain": b"\x80\x02cbuiltins\ngetattr\ncos\npath\n\x8c\x04join\x86R.",
        "EXT1": b"\x80\x02\x82\x01.",
    }


@pytest.mark.parametrize("name", list(calls_system("x")))
def test_pickles_that_would_run_code_are_refused(tmp_path, name):
    marker = tmp_path / "ran"
    with pytest.raises(CLEAR):
        load(archive(calls_system(marker)[name]))
    assert not marker.exists()


@pytest.mark.filterwarnings("ignore:Detected pickle protocol 4")
def test_torch_refuses_the_same_pickles(tmp_path):
    """The hostile files are valid archives: PyTorch too refuses them, it does not choke."""
    marker = tmp_path / "ran"
    for data in calls_system(marker).values():
        with pytest.raises(CLEAR):
            torch.load(io.BytesIO(archive(data)))
    assert not marker.exists()


def tensor_pickle(numel, size, dtype="FloatStorage"):
    """A pickle of one tensor of ``size`` on a storage of ``numel`` elements, record 0."""
    from chainrule.utils._pickle import Global, PersistentId, PickleWriter, Reduce
    import collections
    storage = PersistentId(("storage", Global("torch", dtype), "0", "cpu", numel))
    stride = tuple(int(torch.tensor(size[i + 1:]).prod()) for i in range(len(size)))
    return PickleWriter().dump(Reduce(Global("torch._utils", "_rebuild_tensor_v2"),
                                      (storage, 0, tuple(size), stride, False,
                                       collections.OrderedDict())))


@pytest.mark.parametrize("numel, size", [(10**12, (10**12,)), (2**62, (2**31, 2**31)),
                                         (4, (10**6,)), (-1, (4,))])
def test_huge_declared_sizes_are_refused_without_allocating(numel, size):
    data = archive(tensor_pickle(numel, size), [("data/0", b"\0" * 16)])
    with pytest.raises(CLEAR):
        load(data)


def test_a_zip_bomb_is_refused():
    """A record that inflates to 64 MiB where the pickle declares 4 floats."""
    bomb = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = bomb.compress(b"\0" * (64 << 20)) + bomb.flush()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("archive/data.pkl", tensor_pickle(4, (4,)))
        z.writestr("archive/byteorder", b"little")
        z.writestr("archive/version", b"3\n")
        info = zipfile.ZipInfo("archive/data/0")
        info.compress_type = zipfile.ZIP_DEFLATED
        z.writestr(info, b"\0" * (64 << 20), compresslevel=9)
    assert len(body) < len(out.getvalue())            # (the file itself is small)
    with pytest.raises(CLEAR):
        load(out.getvalue())


@pytest.mark.parametrize("data", [
    b"PK\x03\x04" + b"\0" * 60,                         # zip magic, then nothing
    b"PK\x05\x06" + b"\0" * 18,                         # an empty zip
    b"\x80\x02}q\x00.",                                 # a bare pickle (legacy format)
    b"\x93NUMPY\x01\x00",                               # a NumPy file
    FILE[:4] + b"\xff" * (len(FILE) - 4),
], ids=["zip-magic-only", "empty-zip", "bare-pickle", "numpy-file", "garbage-after-magic"])
def test_wrong_magic_is_a_clear_error(data):
    with pytest.raises(CLEAR):
        load(data)


@pytest.mark.parametrize("version", [b"", b"99\n", b"-1\n", b"abc", b"\xff\xfe"])
def test_a_wrong_version_is_refused(version):
    with pytest.raises(CLEAR):
        load(archive(pickle.dumps({"a": 1}, protocol=2), version=version))
