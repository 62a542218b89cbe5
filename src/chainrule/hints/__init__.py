"""Errors that teach: a hint under each error chainrule raises.

The message of the exception (``str(error)``) stays byte-identical to
PyTorch's, so it can be searched for. The hint goes *below* it, as an
exception note (``BaseException.add_note``, which every traceback prints):

    RuntimeError: Trying to backward through the graph a second time (...)
    Hint: backward() frees the graph it walked through ...
      your line: File "train.py", line 12, in <module>: loss.backward()
      fix:       loss.backward(retain_graph=True)

and with ``CHAINRULE_LANG=zh``:

    RuntimeError: Trying to backward through the graph a second time (...)
    提示：backward() 会释放它走过的计算图；对同一个结果再调用一次就没有图可走了。...
      你的代码：File "train.py"，第 12 行，<module>: loss.backward()
      改成：    loss.backward(retain_graph=True)

Design: hints are attached in one place, where an error *leaves* chainrule
and reaches the learner, never on the hot path:

* ``chainrule run`` attaches the hint in its own error handler (``_cli.py``);
* ``import chainrule`` wraps ``sys.excepthook`` (only when it is still
  Python's default) and, inside IPython/Jupyter, registers a custom exception
  handler, so an uncaught error in a plain script or a notebook gets its hint;
* ``hint_for(error)`` / ``attach(error)`` do the same for an error you caught.

Nothing runs while the program works: no ``try`` in ``Node.apply``, no check
per op. The catalogue (``_catalogue.py`` in English, ``_zh.py`` in Chinese)
is plain data: a pattern for PyTorch's message, what happened, and a fix that
rewrites the learner's own line where it can.

>>> import chainrule as torch
>>> from chainrule import hints
>>> try:
...     torch.ones(2, requires_grad=True).numpy()
... except RuntimeError as e:
...     error = e
>>> str(error)      # PyTorch's message, unchanged
"Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead."
>>> print(hints.hint_for(error).splitlines()[0])
Hint: this tensor is part of the autograd graph (it requires grad); NumPy cannot follow the graph.

Languages: ``chainrule.set_language("zh")`` or ``CHAINRULE_LANG=zh``; turn
hints off with ``chainrule.set_hints(False)`` (or ``CHAINRULE_HINTS=0``).
"""
import linecache
import os
import re
import sys

from ._catalogue import CATALOGUE
from ._zh import ZH

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_SETTINGS = {"language": "zh" if os.environ.get("CHAINRULE_LANG", "").lower().startswith("zh")
             else "en",
             "enabled": os.environ.get("CHAINRULE_HINTS", "1") != "0"}
_LABELS = {"en": ("Hint: ", "  your line: ", "  fix:       ", 'File "{0}", line {1}, in {2}'),
           "zh": ("提示：", "  你的代码：", "  改成：    ", 'File "{0}"，第 {1} 行，{2}')}
_ATTACHED = "_chainrule_hint"


def set_language(language):
    """Choose the language of hints: ``"en"`` (the default) or ``"zh"`` (Chinese)."""
    if language not in _LABELS:
        raise ValueError(f"language must be one of {sorted(_LABELS)}, got {language!r}")
    _SETTINGS["language"] = language


def get_language():
    return _SETTINGS["language"]


def set_hints(enabled):
    """Turn hints on or off; off, every message is exactly PyTorch's and nothing is added."""
    _SETTINGS["enabled"] = bool(enabled)


def hints_enabled():
    return _SETTINGS["enabled"]


def learner_frame(tb):
    """The learner's line in a traceback: the innermost frame outside chainrule.

    Returns ``(filename, lineno, function, source)`` or None.
    """
    found = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if not _is_internal(code.co_filename):
            found = (code.co_filename, tb.tb_lineno, code.co_name,
                     linecache.getline(code.co_filename, tb.tb_lineno).strip())
        tb = tb.tb_next
    return found


def _is_internal(filename):
    return (filename.startswith(_PACKAGE_DIR + os.sep) or filename.startswith("<frozen")
            or os.sep + "runpy.py" in filename)


def find_entry(error, source=None):
    """The catalogue entry whose exception type and pattern match ``error``, or None.

    ``source`` is the learner's line, needed by entries that also match on it.
    """
    text = str(error)
    for entry in CATALOGUE:
        if isinstance(error, entry["type"]) and re.search(entry["pattern"], text, re.S):
            if entry["line"] is None or re.search(entry["line"], source or ""):
                return entry
    return None


def hint_for(error, language=None, frame=None):
    """The hint for ``error`` (a caught exception) as text, or None if none applies."""
    frame = frame or learner_frame(error.__traceback__)
    entry = find_entry(error, frame[3] if frame else None)
    if entry is None:
        return None
    language = language or _SETTINGS["language"]
    what, example = (entry["what"], entry["example"]) if language == "en" else ZH[entry["key"]]
    hint, mine, fix, where = _LABELS[language]
    lines = [hint + what]
    fixed = None
    if frame is not None:
        filename, lineno, function, source = frame
        lines.append(mine + where.format(filename, lineno, function)
                     + (": " + source if source else ""))
        fixed = _rewrite(entry.get("fix"), source)
    lines.append(fix + (fixed if fixed else example))
    return "\n".join(lines)


def _rewrite(fix, source):
    """Apply the entry's ``(pattern, replacement)`` to the learner's line, if it matches."""
    if not fix or not source:
        return None
    pattern, replacement = fix
    fixed = re.sub(pattern, replacement, source, count=1)
    return fixed if fixed != source else None


def attach(error):
    """Add the hint to ``error`` as a note (once); returns ``error``.

    Python 3.11+ prints notes under the message. On 3.10 the hint is appended to
    the message itself, only while hints are on.
    """
    if not _SETTINGS["enabled"] or getattr(error, _ATTACHED, False):
        return error
    text = hint_for(error)
    if text is None:
        return error
    try:
        setattr(error, _ATTACHED, True)
    except (AttributeError, TypeError):
        return error
    if hasattr(error, "add_note"):
        error.add_note(text)
    elif error.args and isinstance(error.args[0], str):              # Python 3.10
        error.args = (error.args[0] + "\n" + text,) + error.args[1:]
    return error


def _excepthook(kind, error, tb):
    attach(error)
    _PREVIOUS_HOOK[0](kind, error, tb)


_PREVIOUS_HOOK = [None]


def install():
    """Show hints for uncaught errors: wrap ``sys.excepthook`` and IPython's handler.

    Called by ``import chainrule``. A hook the program set itself is left alone.
    """
    if sys.excepthook is sys.__excepthook__:
        _PREVIOUS_HOOK[0] = sys.excepthook
        sys.excepthook = _excepthook
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(
        ipython, "get_ipython") else None
    if shell is not None and hasattr(shell, "set_custom_exc"):
        def _ipython_handler(self, kind, error, tb, tb_offset=None):
            attach(error)
            self.showtraceback((kind, error, tb), tb_offset=tb_offset)
        shell.set_custom_exc((Exception,), _ipython_handler)
