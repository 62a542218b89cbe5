"""Running the same code with PyTorch and with chainrule, for the semantics tests."""
import re
import warnings


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
