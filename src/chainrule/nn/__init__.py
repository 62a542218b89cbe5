"""``chainrule.nn``: modules, layers, losses and ``nn.functional``, as ``torch.nn``.

A network is a ``Module`` built from other modules; its learnable tensors are
``Parameter`` objects, found by ``model.parameters()``:

>>> import chainrule as torch
>>> import chainrule.nn as nn
>>> model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
>>> sum(p.numel() for p in model.parameters())
21
"""
from .parameter import Buffer, Parameter
from .modules import *  # noqa: F401,F403
from .modules import (CELU, ELU, GELU, GLU, BatchNorm1d, BatchNorm2d, BatchNorm3d, Bilinear,
                      Dropout, Dropout1d, Dropout2d, Embedding, Flatten, Hardshrink,
                      Hardsigmoid, Hardswish, Hardtanh, Identity, LayerNorm, LeakyReLU, Linear,
                      LogSigmoid, LogSoftmax, Mish, Module, ModuleDict, ModuleList, ParameterDict,
                      ParameterList, PReLU, ReLU, ReLU6, SELU, Sequential, SiLU, Sigmoid, Softmax,
                      Softmin, Softplus, Softshrink, Softsign, Tanh, Tanhshrink, Threshold,
                      Unflatten)
from .modules import EmbeddingBag
from .modules import GRU, LSTM, RNN, RNNBase, GRUCell, LSTMCell, RNNCell, RNNCellBase
from .modules import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, Conv1d,
                      Conv2d, ConvTranspose1d, ConvTranspose2d, MaxPool1d, MaxPool2d, Upsample)
from . import functional, init, modules, parameter, utils
from . import _malloc

# Training reallocates the same large temporaries every step: keep them in the
# process instead of returning them to the OS (glibc only; see nn/_malloc.py).
_malloc.keep_freed_memory()
