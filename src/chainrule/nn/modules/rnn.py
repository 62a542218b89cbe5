"""Recurrent layers: ``RNN``, ``LSTM`` and ``GRU``, run over whole sequences.

A layer applies its cell (see ``rnn_cell.py``) at every time step, feeding each
step's hidden state into the next:

    h_t = cell(x_t, h_{t-1}),    output = (h_1, ..., h_T),    h_n = h_T

``num_layers=2`` stacks two such layers, the second reading the first's outputs
(with ``dropout`` between them while training). ``bidirectional=True`` runs a
second copy from t = T down to 1 and concatenates both outputs feature-wise.

Shapes (D = 2 if bidirectional else 1, L = num_layers):
    input  (T, N, input_size), or (N, T, input_size) with ``batch_first``, or a
           ``PackedSequence``; (T, input_size) for one unbatched sequence
    h_0    (D*L, N, hidden_size), zeros if omitted (LSTM: a tuple (h_0, c_0))
    output (T, N, D*hidden_size) (batch first if ``batch_first``)
    h_n    (D*L, N, hidden_size), rows ordered layer 0 forward, layer 0 reverse, ...

Parameters are named as in PyTorch, so state_dicts interchange: ``weight_ih_l0``,
``weight_hh_l0``, ``bias_ih_l0``, ``bias_hh_l0``, then ``..._l0_reverse``, ``..._l1``.
Init: every parameter ~ U(-k, k), k = 1/sqrt(hidden_size), in that order.

Backpropagation through time is plain autograd: the loop below records each step.

>>> import chainrule as torch
>>> lstm = torch.nn.LSTM(10, 20, num_layers=2)
>>> output, (h_n, c_n) = lstm(torch.randn(5, 3, 10))
>>> output.shape, h_n.shape
(torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
"""
import math
import numbers
import warnings

from ... import _factories
from ..._ops.joining import cat, stack
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence
from .module import Module
# the cells are re-exported so that ``nn.modules.rnn.LSTMCell`` works as in PyTorch
from .rnn_cell import GRUCell, LSTMCell, RNNCell, RNNCellBase, gru_step, lstm_step, rnn_step

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


class RNNBase(Module):
    """The parameters, checks and time loop shared by ``RNN``, ``LSTM`` and ``GRU``."""

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        _check_arguments(mode, input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, proj_size)
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        num_directions = 2 if bidirectional else 1
        self._flat_weights_names = []
        self._all_weights = []      # one list of names per (layer, direction)
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_input_size)),
                          ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                names = []
                for kind, shape in shapes:
                    self.register_parameter(kind + suffix,
                                            Parameter(_factories.empty(shape, dtype=dtype)))
                    names.append(kind + suffix)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op: PyTorch packs the weights into one buffer for cuDNN; NumPy needs nothing."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- checks -----------------------------------------------------------
    def check_input(self, input, batch_sizes):
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got "
                               f"{input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError("input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes, size=None):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        if size is None:
            size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != expected_hidden_size:
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    # ---- the time loop ----------------------------------------------------
    def _step(self, gi, state, weights):
        """One time step of this layer kind; ``weights`` = (w_ih, w_hh, b_ih, b_hh, w_hr)."""
        w_hh, b_hh, w_hr = weights[1], weights[3], weights[4]
        if self.mode == "LSTM":
            return lstm_step(gi, state, w_hh, b_hh, w_hr)
        if self.mode == "GRU":
            return gru_step(gi, state, w_hh, b_hh)
        return rnn_step(gi, state, w_hh, b_hh, "tanh" if self.mode == "RNN_TANH" else "relu")

    def _weights(self, names):
        """This (layer, direction)'s parameters as (w_ih, w_hh, b_ih, b_hh, w_hr), None
        where absent; looked up by name on every call, so reassigned weights are used."""
        # "weight_ih_l1_reverse" -> "weight_ih"
        named = {name.split("_l")[0]: getattr(self, name) for name in names}
        return tuple(named.get(kind) for kind in
                     ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"))

    def _run(self, x, state0, batch_sizes):
        """All layers and directions. ``x``: (T, N, F), or packed data (sum of lengths, F)
        when ``batch_sizes`` is given. ``state0``: tuple of (D*L, N, H) tensors.
        Returns the last layer's output and the tuple of final states."""
        num_directions = 2 if self.bidirectional else 1
        finals = []
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                weights = self._weights(self._all_weights[k])
                # the input part of every gate for every step at once: one matrix product
                gi = F.linear(x, weights[0], weights[2])
                out, final = _run_direction(self._step, weights, _steps(gi, batch_sizes),
                                            tuple(s[k] for s in state0), batch_sizes,
                                            reverse=direction == 1)
                outputs.append(cat(out) if batch_sizes is not None else stack(out))
                finals.append(final)
            x = outputs[0] if num_directions == 1 else cat(outputs, -1)
            if self.dropout and self.training and layer < self.num_layers - 1:
                x = F.dropout(x, self.dropout, True)
        return x, tuple(stack([f[i] for f in finals]) for i in range(len(state0)))

    def _forward(self, input, hx, name):
        """The shared forward: unpack or transpose, check, loop, and restore the layout.

        ``hx`` is a tuple of states (h,) or (h, c); returns (output, tuple of states)."""
        num_directions = 2 if self.bidirectional else 1
        packed = isinstance(input, PackedSequence)
        # the feature sizes of the states: h (projected when proj_size > 0), and c for LSTM
        sizes = [self.proj_size if self.proj_size > 0 else self.hidden_size]
        if self.mode == "LSTM":
            sizes.append(self.hidden_size)
        if packed:
            input, batch_sizes, sorted_indices, unsorted_indices = input
            batch_list = [int(b) for b in batch_sizes._data]
            if hx is not None:      # hidden rows follow the user's order: sort them too
                hx = tuple(h.index_select(1, sorted_indices) if sorted_indices is not None
                           else h for h in hx)
            rows = batch_list[0]
        else:
            batch_sizes = batch_list = None
            if input.dim() not in (2, 3):
                raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                                 + ("tensor instead" if name == "RNN" else "instead"))
            is_batched = input.dim() == 3
            batch_dim = 0 if self.batch_first else 1
            if hx is not None:
                _check_hx_dims(hx, is_batched, name)
            if not is_batched:
                input = input.unsqueeze(batch_dim)
                hx = None if hx is None else tuple(h.unsqueeze(1) for h in hx)
            rows = input.size(batch_dim)
        if hx is None:
            hx = tuple(_factories.zeros(self.num_layers * num_directions, rows, size,
                                        dtype=input.dtype) for size in sizes)
        self.check_input(input, batch_sizes)
        labels = ["Expected hidden size {}, got {}"] if len(hx) == 1 else \
            ["Expected hidden[0] size {}, got {}", "Expected hidden[1] size {}, got {}"]
        for h, size, msg in zip(hx, sizes, labels):
            self.check_hidden_size(h, self.get_expected_hidden_size(input, batch_list, size),
                                   msg)
        if packed:
            output, hidden = self._run(input, hx, batch_list)
            if unsorted_indices is not None:
                hidden = tuple(h.index_select(1, unsorted_indices) for h in hidden)
            return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), hidden
        x = input.transpose(0, 1) if self.batch_first else input
        output, hidden = self._run(x, hx, None)
        if self.batch_first:
            output = output.transpose(0, 1)
        if not is_batched:
            output = output.squeeze(batch_dim)
            hidden = tuple(h.squeeze(1) for h in hidden)
        return output, hidden


def _steps(gi, batch_sizes):
    """Split a layer's precomputed input gates into one tensor per time step."""
    if batch_sizes is None:
        return [gi[t] for t in range(gi.shape[0])]
    steps, start = [], 0
    for b in batch_sizes:
        steps.append(gi[start:start + b])
        start += b
    return steps


def _run_direction(step, weights, gi_steps, state, batch_sizes, reverse):
    """Run one layer in one direction; returns (output per step, final state tuple).

    With packed input the batch shrinks over time (sequences are sorted longest
    first): when it does, the rows of the sequences that just ended are set aside
    as their final state. Running in reverse, the batch grows instead, and each
    sequence joining it starts from its own rows of the initial state.
    """
    steps = len(gi_steps)
    outputs = [None] * steps
    if not reverse:
        ended = []
        for t in range(steps):
            b = gi_steps[t].shape[0]
            if b < state[0].shape[0]:
                ended.append(tuple(s[b:] for s in state))
                state = tuple(s[:b] for s in state)
            state = step(gi_steps[t], state, weights)
            outputs[t] = state[0]
        if ended:   # the last rows ended first: put the pieces back in row order
            pieces = [state] + ended[::-1]
            state = tuple(cat([p[i] for p in pieces]) for i in range(len(state)))
        return outputs, state
    initial = state
    last = gi_steps[-1].shape[0] if steps else 0
    if last < initial[0].shape[0]:
        state = tuple(s[:last] for s in initial)
    for t in reversed(range(steps)):
        b, rows = gi_steps[t].shape[0], state[0].shape[0]
        if b > rows:
            state = tuple(cat([s, s0[rows:b]]) for s, s0 in zip(state, initial))
        state = step(gi_steps[t], state, weights)
        outputs[t] = state[0]
    return outputs, state


def _check_hx_dims(hx, is_batched, name):
    """Batched input needs 3-D hidden states, one unbatched sequence 2-D ones."""
    want, kind = (3, "batched 3-D") if is_batched else (2, "unbatched 2-D")
    if name == "LSTM":
        if hx[0].dim() != want or hx[1].dim() != want:
            raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                               f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
    elif hx[0].dim() != want:
        raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got "
                           f"{hx[0].dim()}-D tensor")


def _check_arguments(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                     proj_size):
    """PyTorch's checks on the constructor's arguments, with its messages."""
    if (not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1
            or isinstance(dropout, bool)):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=4)
    if not isinstance(bias, bool):
        raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
    if not isinstance(batch_first, bool):
        raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
    if not isinstance(input_size, int):
        raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
    if input_size <= 0:
        raise ValueError("input_size must be greater than zero")
    if not isinstance(hidden_size, int):
        raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
    if hidden_size <= 0:
        raise ValueError("hidden_size must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
    if mode not in _GATES:
        raise ValueError("Unrecognized RNN mode: " + mode)


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (or relu).

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False)``; returns (output, h_n).
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        # PyTorch's positional order puts nonlinearity fourth, before bias
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), "RNN")
        return output, h_n


class LSTM(RNNBase):
    """Long short-term memory: each step as ``LSTMCell`` (gate order i, f, g, o).

    Returns (output, (h_n, c_n)); ``hx`` is the tuple (h_0, c_0). With ``proj_size``
    > 0 the hidden state is projected: h_t = W_hr (o * tanh(c_t)).
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        output, (h_n, c_n) = self._forward(input, hx, "LSTM")
        return output, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit: each step as ``GRUCell`` (gate order r, z, n).

    Returns (output, h_n).
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), "GRU")
        return output, h_n
