"""``chainrule.nn.modules``: the ``Module`` base class and every layer, one family per file."""
from .module import Module
from .container import ModuleDict, ModuleList, Sequential
from .container_params import ParameterDict, ParameterList
from .linear import Bilinear, Identity, Linear
from .flatten import Flatten, Unflatten
from .dropout import Dropout, Dropout1d, Dropout2d
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d
from .normalization import LayerNorm
from .sparse import Embedding, EmbeddingBag
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .pooling import (AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d, AvgPool2d, MaxPool1d,
                      MaxPool2d)
from .upsample import Upsample
from .rnn import GRU, LSTM, RNN, RNNBase, GRUCell, LSTMCell, RNNCell, RNNCellBase
from .activation import (CELU, ELU, GELU, GLU, Hardshrink, Hardsigmoid, Hardswish, Hardtanh,
                         LeakyReLU, LogSigmoid, LogSoftmax, Mish, PReLU, ReLU, ReLU6, SELU,
                         SiLU, Sigmoid, Softmax, Softmin, Softplus, Softshrink, Softsign, Tanh,
                         Tanhshrink, Threshold)
from .loss import *  # noqa: F401,F403  (the loss classes, listed in loss.__all__)
from . import loss
