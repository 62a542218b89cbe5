"""Running unmodified PyTorch scripts: ``import torch`` resolves to chainrule.

``install()`` puts a finder at the front of ``sys.meta_path``. When a script
imports ``torch`` or ``torch.X.Y`` (or ``torchvision``), the finder imports
``chainrule`` / ``chainrule.X.Y`` and registers it under the torch name, so the
script's ``torch.nn.Linear`` *is* ``chainrule.nn.Linear``. A module chainrule does
not have gives a plain error naming it:
``ModuleNotFoundError: torch.fft is not provided by chainrule``.
"""
import importlib
import importlib.abc
import importlib.util
import sys

ALIASES = {"torch": "chainrule", "torchvision": "chainrule.vision"}


class TorchAliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds ``torch.*`` modules and loads the chainrule module of the same path."""

    def find_spec(self, fullname, path=None, target=None):
        root = fullname.split(".", 1)[0]
        if root not in ALIASES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        name = spec.name
        root, _, rest = name.partition(".")
        target = ALIASES[root] + ("." + rest if rest else "")
        try:
            module = importlib.import_module(target)
        except ModuleNotFoundError as e:
            if e.name and (e.name == target or target.startswith(e.name + ".")):
                # No ``name=``: Python would then silently turn ``from torch import fft``
                # into a vague "cannot import name"; this message says what is missing.
                raise ModuleNotFoundError(f"{name} is not provided by chainrule") from None
            raise
        sys.modules[name] = module
        return module

    def exec_module(self, module):
        """The chainrule module is already initialised."""


def install():
    """Make ``import torch`` give chainrule in this process."""
    if not any(isinstance(f, TorchAliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, TorchAliasFinder())
    for name in [n for n in sys.modules if n.split(".", 1)[0] in ALIASES]:
        if not sys.modules[name].__name__.startswith("chainrule"):
            del sys.modules[name]
