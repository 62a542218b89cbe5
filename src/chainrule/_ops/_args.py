"""PyTorch's argument-parser errors, for arguments of the wrong type.

>>> import chainrule as torch
>>> torch.exp([1.0, 2.0])
Traceback (most recent call last):
TypeError: exp(): argument 'input' (position 1) must be Tensor, not list

chainrule does not check types before an op runs: that would cost every call, and
almost every call is right. An op given a list fails on its own (``'list' object has
no attribute '_data'``); the public function catches that failure and asks ``expect``
which argument was at fault, so the check costs nothing until something goes wrong::

    def exp(input):
        try:
            return Exp.apply(input)
        except AttributeError:
            expect("exp", ("input", "Tensor", input))   # raises PyTorch's TypeError
            raise                                      # the arguments were fine: a real error

Positions count from 1 over the arguments listed: a function lists ``input`` first, a
Tensor method does not (``x.index_select(0, [1])`` blames 'index' at position 2).
"""
import numpy as np

from .._tensor import TensorBase


def type_name(x):
    """The name PyTorch prints for ``x``'s type: ``list``, ``NoneType``, ``numpy.ndarray``."""
    if isinstance(x, TensorBase):
        return type(x).__name__
    module = type(x).__module__
    if module == "numpy":
        return f"numpy.{type(x).__name__}"
    return type(x).__name__


def fits(kind, value):
    """Whether PyTorch's parser accepts ``value`` for a parameter of this kind."""
    if kind == "Tensor":
        return isinstance(value, TensorBase)
    if kind == "int":
        return isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if kind == "Number":
        return isinstance(value, (int, float, np.number, bool))
    if kind == "tuple of ints":
        items = value if isinstance(value, (tuple, list)) else (value,)
        return all(fits("int", i) for i in items)
    if kind == "torch.dtype":
        from .._dtype import dtype
        return isinstance(value, dtype)
    if kind == "tuple of Tensors":
        return isinstance(value, (tuple, list))        # (its items are checked later)
    raise ValueError(f"unknown kind {kind!r}")


def expect(name, *params):
    """Raise PyTorch's TypeError for the first argument that does not fit its parameter.

    ``params``: ``(parameter name, kind, value)`` for each positional parameter, in order.
    Returns quietly when every argument fits (the failure was something else).
    """
    for position, (param, kind, value) in enumerate(params, 1):
        if not fits(kind, value):
            raise TypeError(f"{name}(): argument '{param}' (position {position}) must be "
                            f"{kind}, not {type_name(value)}") from None


# What a tensor op takes as its other operand (anything else is the wrong type)
OPERANDS = (TensorBase, int, float, np.number, np.ndarray)


def not_an_operand(other):
    """For an operator (``x + other``) that failed: ``NotImplemented`` where ``other`` is no
    operand of a tensor op, so that Python raises "unsupported operand type(s) for +:
    'Tensor' and 'str'" as it does for PyTorch; otherwise the failure is re-raised."""
    if isinstance(other, OPERANDS):
        raise                                   # (the exception being handled)
    return NotImplemented


def invalid_combination(name, args, options, kwargs=None):
    """PyTorch's error for an overloaded function whose arguments fit none of its forms.

    ``options``: each form as PyTorch prints it, ``"(Tensor input, Number other)"``. A form
    with as many parameters as arguments given (``*`` counts as one; a trailing ``out``
    does not) also shows which arguments did not fit, between ``!``.
    """
    kwargs = kwargs or {}
    given = [type_name(a) for a in args] + [f"{k}={type_name(v)}" for k, v in kwargs.items()]
    # PyTorch writes "name, " for each and trims the last ", " only after a positional one
    got = "".join(g + ", " for g in given)
    got = got[:-2] if args else got
    lines = [f"{name}() received an invalid combination of arguments - got ({got}), but "
             "expected one of:"]
    for option in options:
        lines.append(f" * {option}")
        params = option[1:-1].split(", ") if option != "()" else []
        count = len(params) - any(p.startswith("Tensor out") for p in params)
        if count == len(args) + len(kwargs) and not kwargs:
            marked = [_marked(p, a) for p, a in zip(params, args)]
            lines.append("      didn't match because some of the arguments have invalid "
                         f"types: ({', '.join(marked)})")
    return TypeError("\n".join(lines) + "\n")


def _marked(param, value):
    """An argument's type as PyTorch describes it, between ``!`` where it does not fit."""
    kind = param.split(" = ")[0].rsplit(" ", 1)[0]        # "Tensor min = None": Tensor
    text = type_name(value)
    if isinstance(value, list):
        text = f"list of [{', '.join(type_name(v) for v in value)}]"
    elif isinstance(value, tuple):
        text = f"tuple of ({', '.join(type_name(v) for v in value)}{',' * (len(value) == 1)})"
    # (PyTorch's error marks every argument of a Number parameter, even one that fits)
    return text if kind != "Number" and fits(kind, value) else f"!{text}!"
