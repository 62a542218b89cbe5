"""Pickle, the format of ``data.pkl`` inside every ``.pt`` file, written and read by hand.

A pickle is a little program for a stack machine. Loading runs it: most
instructions push a value (``BININT1 5``, ``BINUNICODE 'w'``), build a container
from the values above a ``MARK``, or store to and fetch from a *memo* (so an
object met twice is one object again). Three instructions are what makes
unpickling dangerous:

* ``GLOBAL module name`` pushes *any* importable object (``os.system``...);
* ``REDUCE`` calls what is below the arguments: ``f(*args)``;
* ``BUILD`` sets the state (attributes) of the object on top.

``torch.save`` writes a tensor as ``GLOBAL torch._utils _rebuild_tensor_v2``
followed by its arguments and ``REDUCE``; the bytes themselves are not in the
pickle but referred to by a *persistent id* (``BINPERSID``), which the loader
resolves to a file of the zip archive.

Python's own ``pickle`` cannot write those torch names without importing
torch, and its unpickler will call whatever a file names. So both directions
are done here, in plain view:

* :class:`PickleWriter` emits the protocol-2 instructions ``torch.save`` emits;
* :class:`PickleMachine` runs a pickle with a *gatekeeper*: every ``GLOBAL`` is
  looked up in an allowlist, and only what it returned may be called or built.

>>> data = PickleWriter().dump({"lr": 0.1, "betas": (0.9, 0.999)})
>>> PickleMachine(data, find_class=None).load()
{'lr': 0.1, 'betas': (0.9, 0.999)}
"""
import io
import pickle
import pickletools
import struct
import types

__all__ = ["Global", "Reduce", "PersistentId", "PickleWriter", "PickleMachine"]

_BATCHSIZE = 1000       # pickle writes long lists and dicts in batches of this size


class Global:
    """A module-level name, written as ``GLOBAL module name``."""

    def __init__(self, module, name):
        self.module, self.name = module, name


class Reduce:
    """"Call ``func(*args)``", then optionally add ``items`` (dict) and ``BUILD`` ``state``."""

    def __init__(self, func, args, state=None, dict_items=None, new_object=False):
        self.func, self.args, self.state = func, args, state
        self.dict_items = dict_items
        self.new_object = new_object          # NEWOBJ (cls.__new__) instead of REDUCE


class PersistentId:
    """A value stored outside the pickle; the loader's ``persistent_load`` resolves it."""

    def __init__(self, pid):
        self.pid = pid


# ======================================================================== writing

class PickleWriter:
    """Writes a pickle with protocol 2's instructions, as ``torch.save`` does.

    ``translate(obj)`` is asked about every object that is not a plain
    ``None/bool/int/float/str/bytes/tuple/list/dict``; it returns a
    :class:`Global`, :class:`Reduce` or :class:`PersistentId` describing it.
    """

    def __init__(self, translate=None, protocol=2):
        self.translate = translate or reduce_by_protocol
        self.protocol = protocol
        self.out = io.BytesIO()
        self.memo = {}            # id(obj) -> (memo index, obj); obj kept alive
        self.globals = {}         # (module, name) -> memo index

    def dump(self, obj):
        self.out.write(pickle.PROTO + bytes([self.protocol]))
        self.save(obj)
        self.out.write(pickle.STOP)
        return self.out.getvalue()

    def save(self, obj):
        write = self.out.write
        if obj is None:
            return write(pickle.NONE)
        if obj is True or obj is False:
            return write(pickle.NEWTRUE if obj else pickle.NEWFALSE)
        kind = type(obj)
        if kind is int:
            return self.save_int(obj)
        if kind is float:
            return write(pickle.BINFLOAT + struct.pack(">d", obj))
        if kind is Global:
            return self.save_global(obj)
        if id(obj) in self.memo:                          # seen before: fetch it
            return self.get(self.memo[id(obj)][0])
        if kind is str:
            encoded = obj.encode("utf-8", "surrogatepass")
            write(pickle.BINUNICODE + struct.pack("<I", len(encoded)) + encoded)
            return self.memoize(obj)
        if kind is bytes:
            if self.protocol >= 3:
                write(pickle.BINBYTES + struct.pack("<I", len(obj)) + obj)
                return self.memoize(obj)
            # Protocol 2 predates bytes: they travel as a latin-1 str re-encoded on load.
            encode = Reduce(Global("_codecs", "encode"), (obj.decode("latin-1"), "latin1"))
            return self.save_translated(obj, encode)
        if kind is tuple:
            return self.save_tuple(obj)
        if kind is list:
            write(pickle.EMPTY_LIST)
            self.memoize(obj)
            return self.save_batches(obj, pickle.APPEND, pickle.APPENDS, self.save)
        if kind is dict:
            write(pickle.EMPTY_DICT)
            self.memoize(obj)
            return self.save_batches(list(obj.items()), pickle.SETITEM, pickle.SETITEMS,
                                     self.save_pair)
        if kind is Reduce or kind is PersistentId:        # already described
            return self.save_translated(obj, obj)
        return self.save_translated(obj, self.translate(obj))

    def save_int(self, n):
        if 0 <= n < 2**8:
            self.out.write(pickle.BININT1 + bytes([n]))
        elif 0 <= n < 2**16:
            self.out.write(pickle.BININT2 + struct.pack("<H", n))
        elif -2**31 <= n < 2**31:
            self.out.write(pickle.BININT + struct.pack("<i", n))
        else:                                   # a big int: little-endian two's complement
            encoded = pickle.encode_long(n)
            self.out.write(pickle.LONG1 + bytes([len(encoded)]) + encoded if len(encoded) < 256
                           else pickle.LONG4 + struct.pack("<i", len(encoded)) + encoded)

    def save_tuple(self, items):
        if not items:
            return self.out.write(pickle.EMPTY_TUPLE)
        if len(items) > 3:
            self.out.write(pickle.MARK)
        for item in items:
            self.save(item)
        short = {1: pickle.TUPLE1, 2: pickle.TUPLE2, 3: pickle.TUPLE3}
        self.out.write(short.get(len(items), pickle.TUPLE))
        self.memoize(items)

    def save_pair(self, pair):
        self.save(pair[0])
        self.save(pair[1])

    def save_batches(self, items, one, many, save_item):
        """``MARK item item ... APPENDS`` (or ``SETITEMS``) per 1000 items."""
        for start in range(0, len(items), _BATCHSIZE):
            batch = items[start:start + _BATCHSIZE]
            if len(batch) > 1:
                self.out.write(pickle.MARK)
            for item in batch:
                save_item(item)
            self.out.write(many if len(batch) > 1 else one)

    def save_translated(self, obj, how):
        if isinstance(how, PersistentId):
            self.save(how.pid)
            return self.out.write(pickle.BINPERSID)
        if isinstance(how, Global):
            return self.save_global(how)
        self.save(how.func)
        self.save_tuple(tuple(how.args))
        self.out.write(pickle.NEWOBJ if how.new_object else pickle.REDUCE)
        self.memoize(obj)
        if how.dict_items:
            self.save_batches(list(how.dict_items), pickle.SETITEM, pickle.SETITEMS,
                              self.save_pair)
        if how.state is not None:
            self.save(how.state)
            self.out.write(pickle.BUILD)

    def save_global(self, name):
        key = (name.module, name.name)
        if key in self.globals:
            return self.get(self.globals[key])
        self.out.write(pickle.GLOBAL + f"{name.module}\n{name.name}\n".encode("utf-8"))
        self.globals[key] = self.put(len(self.memo) + len(self.globals))

    def memoize(self, obj):
        self.memo[id(obj)] = (self.put(len(self.memo) + len(self.globals)), obj)

    def put(self, index):
        self.out.write(pickle.BINPUT + bytes([index]) if index < 256
                       else pickle.LONG_BINPUT + struct.pack("<I", index))
        return index

    def get(self, index):
        self.out.write(pickle.BINGET + bytes([index]) if index < 256
                       else pickle.LONG_BINGET + struct.pack("<I", index))


def reduce_by_protocol(obj):
    """Any other object, described by its own ``__reduce_ex__(2)`` (pickle's rule).

    Classes and functions are saved by name; instances say how to rebuild
    themselves (usually ``cls.__new__(cls)`` and then ``BUILD`` with ``__dict__``).
    """
    if isinstance(obj, (type, types.FunctionType, types.BuiltinFunctionType)):
        return Global(obj.__module__, obj.__qualname__)
    reduced = obj.__reduce_ex__(2)
    func, args = reduced[0], reduced[1]
    state = reduced[2] if len(reduced) > 2 else None
    dict_items = reduced[4] if len(reduced) > 4 else None
    if len(reduced) > 3 and reduced[3] is not None:
        raise pickle.PicklingError(f"cannot save {type(obj).__name__}: list items in "
                                   "__reduce__ are not supported")
    if getattr(func, "__name__", "") == "__newobj__":           # copyreg.__newobj__
        return Reduce(args[0], args[1:], state, dict_items, new_object=True)
    return Reduce(func, args, state, dict_items)


# ======================================================================== reading

class PickleMachine:
    """Runs a pickle, one instruction at a time, behind a gatekeeper.

    ``find_class(module, name)`` returns the object a ``GLOBAL`` may name, or
    raises ``pickle.UnpicklingError``; ``None`` means "no globals at all".
    ``callable_ok(f)`` says whether ``REDUCE``/``NEWOBJ`` may call ``f`` and
    ``build(obj, state)`` applies ``BUILD``. ``persistent_load(pid)`` resolves
    ``BINPERSID``. A malformed pickle raises ``RuntimeError``.
    """

    def __init__(self, data, find_class, persistent_load=None, callable_ok=None, build=None,
                 encoding="utf-8"):
        self.data = data
        self.find_class = find_class or _no_globals
        self.persistent_load = persistent_load or _no_persistent_ids
        self.callable_ok = callable_ok or (lambda f: False)
        self.build = build or _refuse_build
        self.encoding = encoding

    def load(self):
        try:
            instructions = list(pickletools.genops(self.data))
        except ValueError as error:
            raise RuntimeError(
                f"the pickle (data.pkl) is truncated or corrupted: {error}") from None
        self.stack, self.metastack, self.memo = [], [], {}
        for opcode, arg, _ in instructions:
            try:
                self.step(opcode.name, arg)
            except (IndexError, KeyError, TypeError, ValueError, AttributeError) as error:
                raise RuntimeError(f"the pickle (data.pkl) is corrupted: {opcode.name} failed "
                                   f"({type(error).__name__}: {error})") from None
        if len(self.stack) != 1 or self.metastack:
            raise RuntimeError("the pickle (data.pkl) is corrupted: it does not end with one value")
        return self.stack[0]

    def pop_mark(self):
        items, self.stack = self.stack, self.metastack.pop()
        return items

    def step(self, name, arg):
        stack, memo = self.stack, self.memo
        if name in _PUSH_ARGUMENT:                      # numbers and strings
            stack.append(arg.encode("latin-1").decode(self.encoding)
                         if name in _BYTE_STRINGS else arg)
        elif name in _PUSH_CONSTANT:
            stack.append(_PUSH_CONSTANT[name]())
        elif name in ("PROTO", "FRAME", "STOP"):
            pass
        elif name == "MARK":
            self.metastack.append(stack)
            self.stack = []
        elif name in ("PUT", "BINPUT", "LONG_BINPUT"):
            memo[arg] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in ("GET", "BINGET", "LONG_BINGET"):
            stack.append(memo[arg])
        elif name == "POP":
            stack.pop()
        elif name == "POP_MARK":
            self.pop_mark()
        elif name == "DUP":
            stack.append(stack[-1])
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            n = int(name[-1])
            stack[-n:] = [tuple(stack[-n:])]
        elif name in ("TUPLE", "LIST", "FROZENSET"):
            items = self.pop_mark()
            self.stack.append({"TUPLE": tuple, "LIST": list, "FROZENSET": frozenset}[name](items))
        elif name == "DICT":
            items = self.pop_mark()
            self.stack.append(dict(zip(items[0::2], items[1::2])))
        elif name in ("APPEND", "APPENDS", "SETITEM", "SETITEMS", "ADDITEMS"):
            self.fill(name)
        elif name in ("GLOBAL", "STACK_GLOBAL"):
            module, attr = arg.split(" ", 1) if name == "GLOBAL" else _pop_two(stack)
            stack.append(self.find_class(module, attr))
        elif name in ("REDUCE", "NEWOBJ"):
            args = stack.pop()
            func = stack.pop()
            if not self.callable_ok(func):
                raise pickle.UnpicklingError(f"Trying to call reduce for unrecognized function "
                                             f"{func}")
            stack.append(func(*args) if name == "REDUCE" else func.__new__(func, *args))
        elif name == "BUILD":
            state = stack.pop()
            self.build(stack[-1], state)
        elif name in ("BINPERSID", "PERSID"):
            stack.append(self.persistent_load(arg if name == "PERSID" else stack.pop()))
        else:                   # INST, OBJ, EXT1/2/4, NEWOBJ_EX, NEXT_BUFFER, ...
            raise pickle.UnpicklingError(f"Unsupported operand {name}")

    def fill(self, name):
        """Add items to the container below them (only to real lists, dicts, sets)."""
        if name in ("APPEND", "SETITEM"):
            items = [self.stack.pop()] if name == "APPEND" else _pop_two(self.stack)
        else:
            items = self.pop_mark()
        target = self.stack[-1]
        if name.startswith("APPEND") and type(target) is list:
            target.extend(items)
        elif name.startswith("SETITEM") and isinstance(target, dict):
            for key, value in zip(items[0::2], items[1::2]):
                target[key] = value
        elif name == "ADDITEMS" and type(target) is set:
            target.update(items)
        else:
            raise pickle.UnpicklingError(f"Can only {name} to a list, dict or set, but got "
                                         f"{type(target)}")


def _pop_two(stack):
    second, first = stack.pop(), stack.pop()
    return first, second


# Instructions whose decoded argument is the value pushed (pickletools decodes it).
_PUSH_ARGUMENT = {"INT", "BININT", "BININT1", "BININT2", "LONG", "LONG1", "LONG4", "FLOAT",
                  "BINFLOAT", "UNICODE", "BINUNICODE", "SHORT_BINUNICODE", "BINUNICODE8",
                  "BINBYTES", "SHORT_BINBYTES", "BINBYTES8", "STRING", "BINSTRING",
                  "SHORT_BINSTRING"}
_BYTE_STRINGS = {"BINSTRING", "SHORT_BINSTRING"}           # Python 2 str: decode them
_PUSH_CONSTANT = {"NONE": lambda: None, "NEWTRUE": lambda: True, "NEWFALSE": lambda: False,
                  "EMPTY_TUPLE": tuple, "EMPTY_LIST": list, "EMPTY_DICT": dict,
                  "EMPTY_SET": set}


def _no_globals(module, name):
    raise pickle.UnpicklingError(f"Unsupported global: GLOBAL {module}.{name}")


def _no_persistent_ids(pid):
    raise pickle.UnpicklingError("unsupported persistent id encountered")


def _refuse_build(obj, state):
    raise pickle.UnpicklingError(f"Can only build OrderedDict here, but got {type(obj)}")
