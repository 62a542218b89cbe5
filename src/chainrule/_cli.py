"""The ``chainrule`` command.

    chainrule run SCRIPT [ARGS...]   run a PyTorch script with chainrule as torch
    chainrule --version
"""
import argparse
import os
import runpy
import sys


def run_script(path, args):
    """Run ``path`` as ``__main__`` with ``import torch`` resolving to chainrule."""
    from . import _compat
    _compat.install()
    sys.argv = [path] + list(args)
    script_dir = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, script_dir)
    runpy.run_path(path, run_name="__main__")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="chainrule: PyTorch's API on NumPy, for learning backpropagation.")
    parser.add_argument("--version", action="store_true", help="print the version")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run an unmodified PyTorch script with chainrule")
    run.add_argument("script", help="the Python script to run")
    run.add_argument("args", nargs=argparse.REMAINDER, help="arguments for the script")
    ns = parser.parse_args(argv)
    if ns.version:
        from . import __version__
        print(f"chainrule {__version__}")
        return 0
    if ns.command == "run":
        if not os.path.exists(ns.script):
            print(f"chainrule: can't open file '{ns.script}': No such file", file=sys.stderr)
            return 2
        return run_script(ns.script, ns.args)
    parser.print_help()
    return 0
