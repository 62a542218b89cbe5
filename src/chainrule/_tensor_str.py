"""How a tensor prints: PyTorch's layout, character for character.

Printing happens in three steps, the same three PyTorch takes:

1. **Choose one style for every element** (``_Formatter``). All the elements that
   will be shown are looked at together to pick integer style (``10.``), fixed
   point (``9.6000``) or scientific notation (``1.0000e+08``) and one common width,
   so the columns line up.
2. **Lay the elements out** (``_array_str``): nested brackets, one row per line,
   blank lines between blocks of a 3-d tensor, long rows wrapped at ``linewidth``,
   and ``...`` in place of the middle when the tensor has more than ``threshold``
   elements.
3. **Add the suffixes** (``tensor_repr``): ``size=``, ``dtype=``, then
   ``grad_fn=<...>`` or ``requires_grad=True``, moved onto a new line when they
   would run past ``linewidth``.

>>> import chainrule as torch
>>> torch.tensor([100.0, 20.0])
tensor([100.,  20.])
>>> torch.tensor([[1.5, -2.0], [3.0, 4.25]], dtype=torch.float64)
tensor([[ 1.5000, -2.0000],
        [ 3.0000,  4.2500]], dtype=torch.float64)
>>> torch.tensor([1e-5, 1.0])
tensor([1.0000e-05, 1.0000e+00])

Every element is turned into a Python number (``ndarray.tolist``) and formatted with
Python's own ``format``, exactly as PyTorch does, so rounding agrees to the last digit.
"""
import contextlib
import math

from ._dtype import bool_, get_default_dtype, int64


class _PrintOptions:
    """The current print options; change them with ``set_printoptions``."""

    precision = 4         # digits after the decimal point
    threshold = 1000      # more elements than this are summarised with "..."
    edgeitems = 3         # elements kept at each end of a summarised dimension
    linewidth = 80        # characters per line before a row wraps
    sci_mode = None       # None: decide per tensor; True/False: always/never


PRINT_OPTS = _PrintOptions()

# The profiles of ``set_printoptions(profile=...)``; any other name is ignored,
# as in PyTorch.
_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None,
                     profile=None, sci_mode=None):
    """Set how tensors print (the options are NumPy's).

    Args:
        precision: digits after the decimal point (default 4).
        threshold: tensors with more elements are summarised (default 1000).
        edgeitems: elements shown at each end of a summarised dimension (default 3).
        linewidth: characters per line before rows wrap (default 80).
        profile: ``'default'``, ``'short'`` or ``'full'``; the other arguments
            then override it.
        sci_mode: ``True``/``False`` forces scientific notation on/off; ``None``
            (the default) lets each tensor decide. Unlike the other options it is
            reset to ``None`` whenever it is not given.

    >>> import chainrule as torch
    >>> torch.set_printoptions(precision=2)
    >>> torch.tensor([1.12345])
    tensor([1.12])
    >>> torch.set_printoptions(threshold=5)
    >>> torch.arange(10)
    tensor([0, 1, 2,  ..., 7, 8, 9])
    >>> torch.set_printoptions(profile='default')
    >>> torch.tensor([1.12345])
    tensor([1.1235])
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """The current print options, as keyword arguments for ``set_printoptions``.

    >>> import chainrule as torch
    >>> torch.get_printoptions()
    {'precision': 4, 'threshold': 1000, 'edgeitems': 3, 'linewidth': 80, 'sci_mode': None}
    """
    return {
        "precision": PRINT_OPTS.precision,
        "threshold": PRINT_OPTS.threshold,
        "edgeitems": PRINT_OPTS.edgeitems,
        "linewidth": PRINT_OPTS.linewidth,
        "sci_mode": PRINT_OPTS.sci_mode,
    }


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a ``with`` block only.

    >>> import chainrule as torch
    >>> with torch._tensor_str.printoptions(precision=1):      # where PyTorch has it too
    ...     print(torch.tensor([3.14159]))
    tensor([3.1])
    >>> torch.tensor([3.14159])
    tensor([3.1416])
    """
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


# ---------------------------------------------------------------------------
# Step 1: one style and one width for all the elements shown
# ---------------------------------------------------------------------------

class _Formatter:
    """Formats single elements so that all of a tensor's elements line up.

    ``values`` is a list of the Python numbers that will be shown. For floating
    tensors only the finite, non-zero values decide the style:

    * integer mode when every one is a whole number: ``10.`` (the dot says "float");
    * scientific mode when they span more than a factor 1000, or any is above
      1e8 or below 1e-4 (unless ``sci_mode`` forces it on or off);
    * fixed point with ``precision`` digits otherwise.

    Zeros, infinities and NaN never make a column wider; they are only padded.
    """

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        if not floating:
            self.max_width = max([1] + [len(str(v)) for v in values])
            return

        shown = [v for v in values if v != 0 and math.isfinite(v)]
        if not shown:           # only zeros, inf and nan: defaults above
            return
        magnitudes = [abs(v) for v in shown]
        largest, smallest = max(magnitudes), min(magnitudes)
        self.int_mode = all(v.is_integer() for v in shown)
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        precision = PRINT_OPTS.precision
        if self.sci_mode:
            widths = [len(f"{v:.{precision}e}") for v in shown]
        elif self.int_mode:
            widths = [len(f"{v:.0f}") + 1 for v in shown]    # + 1 for the dot
        else:
            widths = [len(f"{v:.{precision}f}") for v in shown]
        self.max_width = max(widths)

    def format(self, value):
        """``value`` as text, right-aligned to the common width."""
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):    # "10." but "inf", "nan"
                text += "."
        else:
            text = f"{value:.{PRINT_OPTS.precision}f}"
        return text.rjust(self.max_width)


def _summarized(array):
    """The part of ``array`` a summarised print shows: each dimension longer than
    ``2 * edgeitems`` is cut down to its first and last ``edgeitems`` entries.

    >>> import numpy as np
    >>> _summarized(np.arange(10)).tolist()          # with edgeitems=3
    [0, 1, 2, 7, 8, 9]
    """
    edge = PRINT_OPTS.edgeitems
    if array.ndim == 0:
        return array
    if not edge:                # only "..." is printed: no element is shown
        return array.reshape(-1)[:0]
    for axis, size in enumerate(array.shape):
        if size > 2 * edge:
            kept = list(range(edge)) + list(range(size - edge, size))
            array = array.take(kept, axis=axis)
    return array


# ---------------------------------------------------------------------------
# Step 2: brackets, rows, wrapping and "..."
# ---------------------------------------------------------------------------

def _vector_str(row, indent, summarize, formatter):
    """A 1-d row, wrapped so that no line passes ``linewidth``.

    ``indent`` is the column where the opening bracket sits; continuation lines
    start one column to its right.
    """
    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(row) > 2 * edge:
        items = ([formatter.format(v) for v in row[:edge].tolist()]
                 + [" ..."]
                 + [formatter.format(v) for v in row[-edge:].tolist()])
    else:
        items = [formatter.format(v) for v in row.tolist()]

    item_width = formatter.max_width + 2                 # the element and ", "
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / item_width))
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(array, indent, summarize, formatter):
    """An n-d array as nested brackets; sub-arrays are separated by ``ndim - 1``
    line breaks, so the blocks of a 3-d tensor have a blank line between them."""
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)

    edge = PRINT_OPTS.edgeitems
    n = array.shape[0]
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        rows = list(range(n))
    parts = ["..." if i is None else _array_str(array[i], indent + 1, summarize, formatter)
             for i in rows]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _tensor_str(array, indent, floating):
    """The bracketed values of a non-empty array, the first line starting at ``indent``."""
    summarize = array.size > PRINT_OPTS.threshold
    shown = _summarized(array) if summarize else array
    formatter = _Formatter(shown.reshape(-1).tolist(), floating)
    return _array_str(array, indent, summarize, formatter)


# ---------------------------------------------------------------------------
# Step 3: the suffixes, and the public entry points
# ---------------------------------------------------------------------------

def _add_suffixes(text, suffixes, indent):
    """Append ``, suffix`` for each suffix, starting a new line (indented to line
    up under the values) when one would pass ``linewidth``."""
    # PyTorch counts the last line 2 characters longer than it is; kept so that
    # suffixes wrap at exactly the same place.
    last_line_len = len(text) - text.rfind("\n") + 1
    pieces = [text]
    for suffix in suffixes:
        if last_line_len + len(suffix) + 2 > PRINT_OPTS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            last_line_len = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            last_line_len += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def tensor_repr(t):
    """``repr(t)`` (and ``str(t)``) of a tensor, exactly as PyTorch prints it.

    Suffixes, in PyTorch's order:

    * ``size=(...)`` for empty tensors that are not 1-d, and whenever ``edgeitems`` is 0;
    * ``dtype=...`` unless the dtype can be told from the values: the default float
      dtype, int64 and bool (an empty tensor shows every dtype but the default float);
    * ``grad_fn=<Name>`` for the result of a recorded op, otherwise
      ``requires_grad=True`` for a leaf that requires grad.

    >>> import chainrule as torch
    >>> x = torch.tensor([10.0, 20.0], requires_grad=True)
    >>> x
    tensor([10., 20.], requires_grad=True)
    >>> x[0] - 0.4
    tensor(9.6000, grad_fn=<SubBackward0>)
    >>> torch.zeros(0, 3, dtype=torch.int32)
    tensor([], size=(0, 3), dtype=torch.int32)
    """
    array = t._data
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    if array.size == 0:
        if array.ndim != 1:
            suffixes.append(f"size={tuple(array.shape)}")
        if t.dtype != get_default_dtype():
            suffixes.append(f"dtype={t.dtype!r}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(array.shape)}")
        if t.dtype not in (get_default_dtype(), int64, bool_):
            suffixes.append(f"dtype={t.dtype!r}")
        body = _tensor_str(array, indent, t.dtype.is_floating_point)

    try:
        grad_fn = t.grad_fn
    except RuntimeError:        # a view whose rebuilt grad_fn PyTorch refuses (views.py)
        suffixes.append("grad_fn=<Invalid>")
        return _add_suffixes(prefix + body, suffixes, indent)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn.torch_name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)


def tensor_format(t, format_spec):
    """``format(t, spec)`` and f-strings: a 0-dim tensor formats like its value,
    any other tensor like an object (an empty spec gives ``str(t)``).

    >>> import chainrule as torch
    >>> f"{torch.tensor(2.0) / 3:.3f}"
    '0.667'
    >>> f"{torch.tensor([1, 2])}"
    'tensor([1, 2])'
    """
    if t._data.ndim == 0:
        return t._data.item().__format__(format_spec)
    return object.__format__(t, format_spec)
