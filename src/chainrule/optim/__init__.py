"""``chainrule.optim``: optimizers and learning-rate schedulers, as ``torch.optim``.

Each optimizer is one file, its update rule written out in the docstring and
computed with NumPy in PyTorch's order of float32 operations.
"""
from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .asgd import ASGD
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "Optimizer",
           "RMSprop", "Rprop", "SGD", "lr_scheduler"]
