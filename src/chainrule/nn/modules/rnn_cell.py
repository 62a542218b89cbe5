"""One step of a recurrent network: ``RNNCell``, ``LSTMCell`` and ``GRUCell``.

A recurrent cell reads one input x_t and the previous hidden state h_{t-1}
and returns the new state. The three cells differ only in how they mix them:

    RNN:   h' = tanh(W_ih x + b_ih + W_hh h + b_hh)            (or relu)

    LSTM:  i, f, g, o = chunks of (W_ih x + b_ih + W_hh h + b_hh)   (gate order i, f, g, o)
           c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
           h' = sigmoid(o) * tanh(c')

    GRU:   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          (gate order r, z, n)
           z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)
           n = tanh(W_in x + b_in + r * (W_hn h + b_hn))
           h' = (1 - z) * n + z * h

The step functions below take ``gi = W_ih x + b_ih`` already computed: a whole
layer computes it for every time step in one matrix product (see ``rnn.py``),
as PyTorch does on the CPU. They are built from ordinary tensor operations, so
backpropagation through time needs no code of its own: autograd unrolls it.

Init: every parameter ~ U(-k, k), k = 1/sqrt(hidden_size), drawn in the order
weight_ih, weight_hh, bias_ih, bias_hh (bit-exact with PyTorch after ``manual_seed``).

>>> import chainrule as torch
>>> cell = torch.nn.GRUCell(4, 3)
>>> h = cell(torch.ones(2, 4))
>>> h.shape
torch.Size([2, 3])
"""
import math

from ... import _factories
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module


def rnn_step(gi, state, w_hh, b_hh, nonlinearity="tanh"):
    """Elman RNN: h' = tanh(gi + W_hh h + b_hh); ``state`` is the tuple (h,)."""
    (h,) = state
    pre = F.linear(h, w_hh, b_hh) + gi
    return (pre.tanh() if nonlinearity == "tanh" else pre.relu(),)


def lstm_step(gi, state, w_hh, b_hh, w_hr=None):
    """LSTM: ``state`` is (h, c); returns (h', c'). ``w_hr`` projects h' (``proj_size``)."""
    h, c = state
    gates = F.linear(h, w_hh, b_hh) + gi
    i, f, g, o = gates.chunk(4, -1)
    # the cell c is a running sum: f decides how much to keep, i how much of g to add
    c = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h = o.sigmoid() * c.tanh()
    if w_hr is not None:
        h = F.linear(h, w_hr)
    return h, c


def gru_step(gi, state, w_hh, b_hh):
    """GRU: ``state`` is (h,); returns (h',)."""
    (h,) = state
    gh = F.linear(h, w_hh, b_hh)
    i_r, i_z, i_n = gi.chunk(3, -1)
    h_r, h_z, h_n = gh.chunk(3, -1)
    r = (i_r + h_r).sigmoid()
    z = (i_z + h_z).sigmoid()
    # r gates the hidden part only, *including* its bias b_hn: why both biases are kept
    n = (i_n + r * h_n).tanh()
    # n + z * (h - n) is (1 - z) * n + z * h, written as PyTorch computes it
    return (n + z * (h - n),)


def check_cell_sizes(input, hx, input_size, hidden_size, label):
    """PyTorch's size checks for a cell: input (N, input_size), hx (N, hidden_size)."""
    if input.size(1) != input_size:
        raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} "
                           f"expected {input_size}")
    if input.size(0) != hx.size(0):
        raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{label} "
                           f"batch size {hx.size(0)}")
    if hx.size(1) != hidden_size:
        raise RuntimeError(f"hidden{label} has inconsistent hidden_size: got {hx.size(1)}, "
                           f"expected {hidden_size}")


class RNNCellBase(Module):
    """Holds ``weight_ih`` (chunks*hidden, input), ``weight_hh`` (chunks*hidden, hidden)
    and, with ``bias=True``, ``bias_ih`` and ``bias_hh`` (chunks*hidden)."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        gates = num_chunks * hidden_size
        self.weight_ih = Parameter(_factories.empty((gates, input_size), dtype=dtype))
        self.weight_hh = Parameter(_factories.empty((gates, hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(_factories.empty(gates, dtype=dtype))
            self.bias_hh = Parameter(_factories.empty(gates, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _batched(self, input, hx, name):
        """Add a batch dimension to 1-D input and hidden state; check dimensions."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if hx is None:
            hx = _factories.zeros(input.size(0), self.hidden_size, dtype=input.dtype)
        elif not is_batched:
            hx = hx.unsqueeze(0)
        return input, hx, is_batched


class RNNCell(RNNCellBase):
    """h' = tanh(W_ih x + b_ih + W_hh h + b_hh) (``nonlinearity="relu"``: relu).

    Shape: input (N, input_size) or (input_size); hx (N, hidden_size), zeros if omitted.
    Returns h' with hx's shape.
    """

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh",
                 device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if hx is not None and hx.dim() not in (1, 2) and input.dim() in (1, 2):
            raise ValueError(f"RNNCell: Expected hidden to be 1D or 2D, got {hx.dim()}D "
                             "instead")
        input, hx, is_batched = self._batched(input, hx, "RNNCell")
        check_cell_sizes(input, hx, self.input_size, self.hidden_size, "0")
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        (h,) = rnn_step(gi, (hx,), self.weight_hh, self.bias_hh, self.nonlinearity)
        return h if is_batched else h.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: (h', c') from x and (h, c); see the module docstring.

    Shape: input (N, input_size) or (input_size); hx = (h, c), each (N, hidden_size),
    zeros if omitted. Parameters hold the four gates stacked in the order i, f, g, o.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"LSTMCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        if hx is not None:
            for idx, value in enumerate(hx):
                if value.dim() not in (1, 2):
                    raise ValueError(f"LSTMCell: Expected hx[{idx}] to be 1D or 2D, got "
                                     f"{value.dim()}D instead")
        h, c = (None, None) if hx is None else hx
        input, h, is_batched = self._batched(input, h, "LSTMCell")
        if c is None:                   # no state given: the memory starts empty too
            c = _factories.zeros(h.shape, dtype=h.dtype)
        elif not is_batched:
            c = c.unsqueeze(0)
        check_cell_sizes(input, h, self.input_size, self.hidden_size, "0")
        check_cell_sizes(input, c, self.input_size, self.hidden_size, "1")
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        h, c = lstm_step(gi, (h, c), self.weight_hh, self.bias_hh)
        return (h, c) if is_batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step: h' = (1 - z) * n + z * h; see the module docstring.

    Shape: input (N, input_size) or (input_size); hx (N, hidden_size), zeros if omitted.
    Parameters hold the three gates stacked in the order r, z, n.
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, dtype=dtype)

    def forward(self, input, hx=None):
        if hx is not None and hx.dim() not in (1, 2) and input.dim() in (1, 2):
            raise ValueError(f"GRUCell: Expected hidden to be 1D or 2D, got {hx.dim()}D "
                             "instead")
        input, hx, is_batched = self._batched(input, hx, "GRUCell")
        check_cell_sizes(input, hx, self.input_size, self.hidden_size, "0")
        gi = F.linear(input, self.weight_ih, self.bias_ih)
        (h,) = gru_step(gi, (hx,), self.weight_hh, self.bias_hh)
        return h if is_batched else h.squeeze(0)
