"""The ``chainrule`` command.

    chainrule run SCRIPT [ARGS...]   run a PyTorch script with chainrule as torch
    chainrule explain SCRIPT [--html OUT.html] [--lang zh] [ARGS...]
                                     the same, explaining its first backward()
    chainrule --version

``run`` behaves like ``python SCRIPT ARGS...`` with ``import torch`` resolving to
chainrule: the script sees ``sys.argv == [SCRIPT, ARGS...]`` and
``__name__ == "__main__"``, its folder is first on ``sys.path``, and the exit
status is the script's. An uncaught error prints the traceback of the user's
own code, as PyTorch's would: chainrule's internal frames are left out (set
``CHAINRULE_FULL_TRACEBACK=1`` to see them).
"""
import argparse
import os
import runpy
import sys
import traceback

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def run_script(path, args):
    """Run ``path`` as ``__main__`` with ``import torch`` resolving to chainrule."""
    from . import _compat
    _compat.install()
    sys.argv = [path] + list(args)
    sys.path[0] = os.path.dirname(os.path.abspath(path))     # as ``python SCRIPT`` does
    try:
        runpy.run_path(path, run_name="__main__")
    except (SystemExit, KeyboardInterrupt):
        raise
    except BaseException as error:
        print_user_traceback(error)
        return 1
    return 0


def print_user_traceback(error, file=None):
    """Print ``error`` as Python would, without the frames of chainrule and runpy,
    with chainrule's hint for it (unless hints are off: ``CHAINRULE_HINTS=0``)."""
    from .hints import attach
    attach(error)
    report = traceback.TracebackException(type(error), error, error.__traceback__)
    if not os.environ.get("CHAINRULE_FULL_TRACEBACK"):
        _drop_internal_frames(report)
    print("".join(report.format()), end="", file=file or sys.stderr)


def _drop_internal_frames(report, seen=None):
    """Remove internal frames from ``report`` and the exceptions chained to it."""
    seen = set() if seen is None else seen
    if report is None or id(report) in seen:
        return
    seen.add(id(report))
    frames = [f for f in report.stack if not _is_internal(f.filename)]
    report.stack = traceback.StackSummary.from_list(frames)
    _drop_internal_frames(report.__cause__, seen)
    _drop_internal_frames(report.__context__, seen)


def _is_internal(filename):
    return filename.startswith(_PACKAGE_DIR + os.sep) or filename == "<frozen runpy>"


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="chainrule: PyTorch's API on NumPy, for learning backpropagation.")
    parser.add_argument("--version", action="store_true", help="print the version")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run an unmodified PyTorch script with chainrule")
    run.add_argument("script", help="the Python script to run")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    explain = sub.add_parser("explain", help="run a script; print the graph and the "
                             "chain rule of its first backward()")
    explain.add_argument("--html", help="also write the clickable graph page to this file")
    explain.add_argument("--lang", default="en", choices=["en", "zh"])
    explain.add_argument("script", help="the Python script to run")
    explain.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    ns = parser.parse_args(argv)
    if ns.version:
        from . import __version__
        print(f"chainrule {__version__}")
        return 0
    if ns.command == "run":
        if not os.path.isfile(ns.script):
            print(f"chainrule: can't open file {os.path.abspath(ns.script)!r}: [Errno 2] No "
                  "such file or directory", file=sys.stderr)
            return 2
        return run_script(ns.script, ns.args)
    if ns.command == "explain":                     # chainrule.explain, outside the core
        if not os.path.isfile(ns.script):
            print(f"chainrule: can't open file {os.path.abspath(ns.script)!r}: [Errno 2] No "
                  "such file or directory", file=sys.stderr)
            return 2
        from .explain.cli import explain_script, split_options
        html, lang, args = split_options(ns.args, ns.html, ns.lang)
        return explain_script(ns.script, args, html=html, lang=lang)
    parser.print_help()
    return 0
