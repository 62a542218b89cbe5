"""``save`` and ``load``: checkpoints in PyTorch's own file format.

A file from ``chainrule.save`` loads in PyTorch with ``torch.load``, and a file
from ``torch.save`` loads here. Since PyTorch 1.6 that file is a zip archive
(stored, not compressed) whose records sit under one folder:

=============================  ==============================================
record                         holds
=============================  ==============================================
``archive/data.pkl``           the object, pickled (protocol 2); tensors in it
                               refer to storages by key
``archive/data/0``, ``1``, ..  each storage's raw bytes (little-endian)
``archive/byteorder``          ``little``
``archive/version``            the format version, ``3``
=============================  ==============================================

A tensor is pickled as the call ``torch._utils._rebuild_tensor_v2(storage,
storage_offset, size, stride, requires_grad, backward_hooks)``. The storage is
a *persistent id* ``('storage', torch.FloatStorage, '0', 'cpu', numel)`` naming
a record of the zip; two tensors that view one block of memory name the same
record, so they share memory again after loading. (This is also why saving a
small slice of a big tensor saves the whole big storage, exactly as in PyTorch.)

>>> import io, collections, chainrule as torch
>>> buffer = io.BytesIO()
>>> w = torch.arange(6.0).reshape(2, 3)
>>> torch.save(collections.OrderedDict(weight=w, row=w[1]), buffer)
>>> _ = buffer.seek(0)
>>> state = torch.load(buffer)
>>> state["row"]
tensor([3., 4., 5.])
>>> state["row"][0] = 100.0            # the row still views the weight's storage
>>> state["weight"]
tensor([[  0.,   1.,   2.],
        [100.,   4.,   5.]])

Loading is safe by default (``weights_only=True``, PyTorch's default since 2.6).
A pickle is a program, and Python's own unpickler will import and call whatever
it names. Here it runs on chainrule's small pickle machine
(``utils/_pickle.py``), and every name it uses passes the :class:`Gatekeeper`
below: only tensors, storages, dtypes, ``OrderedDict`` and the like. A file that
would import or call anything else is refused with
``pickle.UnpicklingError("Weights only load failed...")``; a truncated or
damaged file gives a ``RuntimeError``. Only the zip format is read: PyTorch's
legacy (pre-1.6) format is not supported.

How tensors become storages and back is in ``utils/_checkpoint.py``.
"""
import codecs
import collections
import importlib
import io
import os
import pickle
import zipfile

from ._dtype import ALL_DTYPES
from ._size import Size, device
from ._tensor import Tensor
from .utils import _checkpoint
from .utils._checkpoint import (FOREIGN_STORAGES, STORAGE_NAMES, StorageType, TensorRebuilder,
                                archive_prefix, parameter_class, read_record,
                                set_state)
from .utils._pickle import PickleMachine, PickleWriter

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals"]

_ALIGNMENT = 64                 # data records start at multiples of 64 bytes, as in PyTorch
_BLOCKED_MODULES = ("sys", "os", "posix", "nt")   # never loadable, even when allowlisted
_USER_SAFE_GLOBALS = set()      # what add_safe_globals allowed
_FORMAT_VERSION = "3\n"


# ========================================================================== save

def save(obj, f, pickle_module=pickle, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` (tensors, state dicts, containers of them) to ``f``.

    ``f`` is a path (``str`` or ``os.PathLike``) or a binary file object. The
    file is PyTorch's zip format, loadable by ``torch.load`` (see the module
    docstring). Objects other than tensors and plain containers are pickled
    by their own ``__reduce__``, as ``pickle`` does; such a file then needs
    ``load(..., weights_only=False)``.

    >>> import io, chainrule as torch
    >>> buffer = io.BytesIO()
    >>> torch.save({"step": 3, "w": torch.ones(2)}, buffer)
    >>> _ = buffer.seek(0)
    >>> torch.load(buffer)
    {'step': 3, 'w': tensor([1., 1.])}
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("chainrule.save writes only the zip file format "
                                  "(_use_new_zipfile_serialization=True)")
    storages = _checkpoint.StorageTable()
    data_pkl = PickleWriter(storages.translate, protocol=pickle_protocol).dump(obj)

    # Build the whole archive in memory first, so a failure never leaves half a file.
    name = _archive_name(f)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        _write_record(archive, buffer, f"{name}/data.pkl", data_pkl)
        _write_record(archive, buffer, f"{name}/.format_version", b"1")
        _write_record(archive, buffer, f"{name}/.storage_alignment", str(_ALIGNMENT).encode())
        if not _disable_byteorder_record:
            _write_record(archive, buffer, f"{name}/byteorder", b"little")
        for key, raw in storages.records():
            _write_record(archive, buffer, f"{name}/data/{key}", raw)
        _write_record(archive, buffer, f"{name}/version", _FORMAT_VERSION.encode())

    if isinstance(f, (str, os.PathLike)):
        parent = os.path.dirname(os.fspath(f))
        if parent and not os.path.isdir(parent):
            raise RuntimeError(f"Parent directory {parent} does not exist.")
        with open(f, "wb") as out:
            out.write(buffer.getvalue())
    else:
        f.write(buffer.getvalue())


def _archive_name(f):
    """The folder inside the zip: the file's stem for a path, ``archive`` otherwise."""
    if isinstance(f, (str, os.PathLike)):
        stem = os.path.splitext(os.path.basename(os.fspath(f)))[0]
        return stem or "archive"
    return "archive"


def _write_record(archive, buffer, name, data):
    """Add one stored record whose data starts at a multiple of 64 bytes.

    A local zip header is 30 bytes plus the name plus an "extra" field; PyTorch
    pads the extra field (id ``FB``, filled with ``Z``) to align the data.
    """
    start = buffer.tell() + 30 + len(name.encode("utf-8")) + 4
    padding = -start % _ALIGNMENT
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    info.extra = b"FB" + padding.to_bytes(2, "little") + b"Z" * padding
    archive.writestr(info, data)


# ========================================================================== load

def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """Load an object saved by ``chainrule.save`` or ``torch.save``.

    ``map_location`` (``None``, ``'cpu'``, a device, a dict or a function of
    ``(storage, location)``) says where tensors go; chainrule has only the CPU,
    so tensors saved on a GPU need a ``map_location`` that maps them to it.
    ``weights_only=True`` (the default) refuses files that would run code;
    ``weights_only=False`` unpickles anything, for files you trust. ``mmap`` is
    accepted and ignored (the file is read into memory).

    >>> import io, chainrule as torch
    >>> buffer = io.BytesIO()
    >>> torch.save([torch.tensor([1, 2]), "note"], buffer)
    >>> _ = buffer.seek(0)
    >>> torch.load(buffer, map_location="cpu")
    [tensor([1, 2]), 'note']
    """
    if weights_only is None:
        weights_only = pickle_module is None
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is "
                           "specified")
    archive = _open_archive(f)
    prefix = archive_prefix(archive)
    _check_version(archive, prefix)
    byteorder = "little"
    if f"{prefix}byteorder" in archive.NameToInfo:
        byteorder = read_record(archive, prefix, "byteorder").decode("ascii").strip()

    rebuilder = TensorRebuilder(archive, prefix, byteorder, map_location)
    gate = Gatekeeper(weights_only, rebuilder)
    machine = PickleMachine(read_record(archive, prefix, "data.pkl"), gate.find_class,
                            rebuilder.persistent_load, gate.callable_ok, gate.build,
                            encoding=pickle_load_args.get("encoding", "utf-8"))
    try:
        return machine.load()
    except pickle.UnpicklingError as error:
        if weights_only:
            raise pickle.UnpicklingError(weights_only_message(str(error))) from None
        raise


def _open_archive(f):
    """The zip archive in ``f``, or PyTorch's error for a file that is not one."""
    if isinstance(f, (str, os.PathLike)):
        with open(f, "rb") as file:
            data = file.read()
    else:
        data = f.read()
    if not data.startswith(b"PK\x03\x04"):
        raise RuntimeError("PytorchStreamReader failed reading zip archive: not a ZIP archive. "
                           "chainrule.load reads the zip file format that torch.save has "
                           "written since PyTorch 1.6; this file is not in it (it may be "
                           "empty, in PyTorch's legacy format, or not a PyTorch file).")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except Exception as error:      # BadZipFile, or a garbled name that is not even text
        raise RuntimeError("PytorchStreamReader failed reading zip archive: failed finding "
                           f"central directory ({error}). {_checkpoint.CORRUPTED}") from None


def _check_version(archive, prefix):
    version = read_record(archive, prefix, "version").decode("ascii", "replace").strip()
    if not version.isdigit() or not 1 <= int(version) <= 10:
        raise RuntimeError(f"Attempted to read a PyTorch file with version {version}, but the "
                           "maximum supported version for reading is 10.")


# ==================================================================== gatekeeper

class Gatekeeper:
    """Which globals a pickle may name, call and build (see the module docstring)."""

    def __init__(self, weights_only, rebuilder):
        self.weights_only = weights_only
        self.allowed = allowed_globals(rebuilder)
        self.allowed_ids = {id(v) for v in self.allowed.values()}

    def find_class(self, module, name):
        module, name = _python3_name(module, name)
        full = f"{module}.{name}"
        if full in self.allowed:
            return self.allowed[full]
        if module == "torch._utils" and name.startswith("_rebuild"):
            raise RuntimeError(f"chainrule cannot load tensors rebuilt by {full} (sparse, "
                               "quantized, nested or other special tensors)")
        if not self.weights_only:
            return _import_name(module, name)
        if module in _BLOCKED_MODULES:
            raise pickle.UnpicklingError(f"Trying to load unsupported GLOBAL {full} whose "
                                         f"module {module} is blocked.")
        for obj in _USER_SAFE_GLOBALS:
            if f"{obj.__module__}.{obj.__qualname__}" == full:
                return obj
        shown = name if module == "builtins" else full
        raise pickle.UnpicklingError(
            f"Unsupported global: GLOBAL {shown} was not an allowed global by default. "
            f"Please use `torch.serialization.add_safe_globals([{shown}])` or the "
            f"`torch.serialization.safe_globals([{shown}])` context manager to allowlist this "
            "global if you trust this class/function.")

    def callable_ok(self, func):
        if not callable(func):
            return False
        if not self.weights_only:
            return True
        return id(func) in self.allowed_ids or func in _USER_SAFE_GLOBALS

    def build(self, obj, state):
        if self.weights_only and not (type(obj) is collections.OrderedDict
                                      or type(obj) in _USER_SAFE_GLOBALS):
            raise pickle.UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types "
                                         f"allowlisted via `add_safe_globals`, but got {type(obj)}")
        setstate = getattr(obj, "__setstate__", None)
        if setstate is not None and type(obj) is not collections.OrderedDict:
            setstate(state)
        else:
            set_state(obj, state)


def allowed_globals(rebuilder):
    """PyTorch's weights-only allowlist, as chainrule objects."""
    allowed = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "torch.Size": Size,
        "torch.device": device,
        "torch.Tensor": Tensor,
        "_codecs.encode": codecs.encode,
        "builtins.set": set,
        "builtins.frozenset": frozenset,
        "builtins.bytearray": bytearray,
        "builtins.complex": complex,
        "torch._utils._rebuild_tensor": rebuilder.rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": rebuilder.rebuild_tensor_v2,
        "torch._utils._rebuild_parameter": rebuilder.rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": rebuilder.rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": rebuilder.rebuild_from_type_v2,
    }
    parameter = parameter_class()
    if parameter is not None:
        allowed["torch.nn.parameter.Parameter"] = parameter
    for dt in ALL_DTYPES:
        allowed[f"torch.{dt.name}"] = dt
        allowed[f"torch.{STORAGE_NAMES[dt.name]}"] = StorageType(STORAGE_NAMES[dt.name],
                                                                 dt.numpy)
    for name in FOREIGN_STORAGES:
        allowed[f"torch.{name}"] = StorageType(name, None)
    return allowed


def _python3_name(module, name):
    """Protocol 2 writes Python 2 names (``__builtin__ set``): read them as Python 3's."""
    from _compat_pickle import IMPORT_MAPPING, NAME_MAPPING
    if (module, name) in NAME_MAPPING:
        return NAME_MAPPING[(module, name)]
    return IMPORT_MAPPING.get(module, module), name


def _import_name(module, name):
    """``weights_only=False``: any importable name; ``torch.*`` is looked up in chainrule."""
    if module == "torch" or module.startswith("torch."):
        module = "chainrule" + module[len("torch"):]
    obj = importlib.import_module(module)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def weights_only_message(message):
    """PyTorch's wording around a refusal of ``weights_only=True``."""
    unsafe = ("In PyTorch 2.6, we changed the default value of the `weights_only` argument in "
              "`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` "
              "set to `False` will likely succeed, but it can result in arbitrary code "
              "execution. Do it only if you got the file from a trusted source.")
    docs = ("\n\nCheck the documentation of torch.load to learn more about types accepted by "
            "default with weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")
    if "was not an allowed global by default." in message:
        return ("Weights only load failed. This file can still be loaded, to do so you have two "
                "options, \033[1mdo those steps only if you trust the source of the checkpoint"
                f"\033[0m. \n\t(1) {unsafe}\n\t(2) Alternatively, to load with `weights_only=True` "
                "please check the recommended steps in the following error message.\n\t"
                "WeightsUnpickler error: " + message + docs)
    text = f"Weights only load failed. {unsafe}\n"
    if "is blocked" not in message:
        text += ("Please file an issue with the following so that we can make `weights_only=True` "
                 "compatible with your use case: WeightsUnpickler error: ")
    return text + "\n\n" + message + docs


# =========================================================== allowlisting globals

def add_safe_globals(safe_globals):
    """Allow ``weights_only`` loads to use these classes or functions too."""
    _USER_SAFE_GLOBALS.update(safe_globals)


def get_safe_globals():
    return list(_USER_SAFE_GLOBALS)


def clear_safe_globals():
    _USER_SAFE_GLOBALS.clear()


class safe_globals:
    """Context manager: ``add_safe_globals`` for the ``with`` block only."""

    def __init__(self, safe_globals):
        self.safe_globals = list(safe_globals)

    def __enter__(self):
        self.saved = set(_USER_SAFE_GLOBALS)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _USER_SAFE_GLOBALS.clear()
        _USER_SAFE_GLOBALS.update(self.saved)
