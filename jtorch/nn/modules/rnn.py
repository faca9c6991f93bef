"""RNN, LSTM, GRU and their one-step cells RNNCell, LSTMCell, GRUCell.

Each module call is one funnel op (`_ops/nn_rnn.py`): all layers and directions run inside
one jitted program with a `lax.scan` per direction, and autograd comes from `jax.vjp`
through it. Parameter names, shapes, init and the forward argument checks are torch's.
"""

from __future__ import annotations

import math
import numbers
import warnings

from jtorch import _dtypes
from jtorch._api.creation import default_generator, empty
from jtorch._dispatch import Op, dispatch
from jtorch._ops import nn_rnn
from jtorch.nn import init
from jtorch.nn.modules.module import Module
from jtorch.nn.parameter import Parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_MODES = ("RNN_TANH", "RNN_RELU", "LSTM", "GRU")
_RNN_OPS = {}


def _rnn_op(name):
    """The module op, named like the grad_fn torch gives the output in that layout."""
    op = _RNN_OPS.get(name)
    if op is None:
        op = _RNN_OPS[name] = Op(nn_rnn.rnn, name)
    return op


def _packed_sequence_type():
    # imported on use: jtorch.nn.utils imports modules that import this package
    from jtorch.nn.utils.rnn import PackedSequence
    return PackedSequence


def _max_batch(batch_sizes):
    """batch_sizes[0], read on the host (no indexing op to compile per sequence length)."""
    return int(batch_sizes.tolist()[0])


def _output_node_name(mode, packed, batched, batch_first, bidirectional):
    if packed:
        return "CatBackward0"
    if not batched:
        return "SqueezeBackward1"
    if batch_first:
        return "TransposeBackward0" if mode == "LSTM" else "TransposeBackward1"
    if bidirectional:
        return "CatBackward0"
    return "MkldnnRnnLayerBackward0" if mode == "LSTM" else "StackBackward0"


def _check_constructor_args(mode, input_size, hidden_size, num_layers, bias, batch_first,
                            dropout, proj_size):
    if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool)
            or not 0 <= dropout <= 1):
        raise ValueError("dropout should be a number in range [0, 1] representing the "
                         "probability of an element being zeroed")
    if dropout > 0 and num_layers == 1:
        warnings.warn("dropout option adds dropout after all but last recurrent layer, so "
                      "non-zero dropout expects num_layers greater than 1, but got "
                      f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
    for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                              ("input_size", input_size, int),
                              ("hidden_size", hidden_size, int)):
        if not isinstance(value, kind):
            raise TypeError(f"{name} should be of type {kind.__name__}, got: "
                            f"{type(value).__name__}")
        if kind is int and value <= 0:
            raise ValueError(f"{name} must be greater than zero")
    if num_layers <= 0:
        raise ValueError("num_layers must be greater than zero")
    if proj_size < 0:
        raise ValueError("proj_size should be a positive integer or zero to disable projections")
    if proj_size >= hidden_size:
        raise ValueError("proj_size has to be smaller than hidden_size")
    if mode not in _MODES:
        raise ValueError("Unrecognized RNN mode: " + mode)


class RNNBase(Module):
    """Base class of RNN, LSTM and GRU (torch.nn.RNNBase).

    Parameters per layer k and direction (suffix "_reverse" for the backward one):
    weight_ih_l{k} (G*H, in), weight_hh_l{k} (G*H, H_out), bias_ih_l{k}, bias_hh_l{k} (G*H),
    and for LSTM with proj_size > 0 weight_hr_l{k} (proj_size, H); G is 1 (RNN), 3 (GRU) or
    4 (LSTM). All start from U(-1/sqrt(H), 1/sqrt(H)).
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, proj_size=0,
                 device=None, dtype=None):
        super().__init__()
        _check_constructor_args(mode, input_size, hidden_size, num_layers, bias, batch_first,
                                dropout, proj_size)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        gate_size = nn_rnn.GATES[mode] * hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        directions = 2 if bidirectional else 1
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else real_hidden_size * directions
            for direction in range(directions):
                shapes = [("weight_ih_l{}{}", (gate_size, layer_input_size)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for pattern, shape in shapes:
                    name = pattern.format(layer, suffix)
                    setattr(self, name, Parameter(empty(*shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op, as torch's on CPU: XLA owns the weight layout."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ---- argument checks (torch's messages), on shapes only: no ops run ---------------
    def _check_input_shape(self, dtype, shape, batch_sizes):
        weight_dtype = self.weight_ih_l0.dtype
        if dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({dtype}) does not match weight dtype "
                             f"({weight_dtype}). Convert input: input.to({weight_dtype}), or "
                             f"convert model: model.to({dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if len(shape) != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got "
                               f"{len(shape)}")
        if self.input_size != shape[-1]:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected "
                               f"{self.input_size}, got {shape[-1]}")

    def _expected_state_size(self, shape, batch_sizes, size):
        if batch_sizes is not None:
            mini_batch = _max_batch(batch_sizes)
        else:
            mini_batch = shape[0] if self.batch_first else shape[1]
        return (self.num_layers * (2 if self.bidirectional else 1), mini_batch, size)

    def _batched_shape(self, input, batched):
        """The input's shape with the batch dim of size 1 torch adds to unbatched input."""
        shape = tuple(input.shape)
        if batched:
            return shape
        return (1,) + shape if self.batch_first else shape[:1] + (1,) + shape[1:]

    @staticmethod
    def _check_state_shape(state, batched, expected, msg):
        shape = tuple(state.shape) if batched else (state.shape[0], 1) + tuple(state.shape[1:])
        if shape != expected:
            raise RuntimeError(msg.format(expected, list(shape)))

    def check_input(self, input, batch_sizes):
        self._check_input_shape(input.dtype, tuple(input.shape), batch_sizes)

    def get_expected_hidden_size(self, input, batch_sizes):
        return self._expected_state_size(tuple(input.shape), batch_sizes, self._state_size())

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        self._check_state_shape(hx, True, expected_hidden_size, msg)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def _state_size(self):
        return self.proj_size if self.proj_size > 0 else self.hidden_size

    # ---- running ------------------------------------------------------------------------
    def _unpack_input(self, input):
        """(tensor, batch_sizes, sorted, unsorted, batched) for a tensor or PackedSequence."""
        if isinstance(input, _packed_sequence_type()):
            data, batch_sizes, sorted_indices, unsorted_indices = input
            return data, batch_sizes, sorted_indices, unsorted_indices, True
        if input.dim() not in (2, 3):
            name = "RNN" if self.mode.startswith("RNN") else self.mode
            tensor = " tensor" if self.mode != "LSTM" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D"
                             f"{tensor} instead")
        return input, None, None, None, input.dim() == 3

    def _run(self, input, hx, cx, batch_sizes, sorted_indices, unsorted_indices, batched):
        """One funnel op for the whole module: (output, h_n[, c_n])."""
        dropping = self.training and self.dropout > 0 and self.num_layers > 1
        key = default_generator.next_key() if dropping else None
        packed = batch_sizes is not None
        max_batch = _max_batch(batch_sizes) if packed else 0
        op = _rnn_op(_output_node_name(self.mode, packed, batched, self.batch_first,
                                       self.bidirectional))
        return dispatch(op, (input, hx, cx, batch_sizes, sorted_indices, unsorted_indices, key,
                             *self._flat_weights),
                        mode=self.mode, num_layers=self.num_layers,
                        bidirectional=self.bidirectional, batch_first=self.batch_first,
                        has_bias=self.bias, proj_size=self.proj_size,
                        hidden_size=self.hidden_size,
                        dropout_p=self.dropout if dropping else 0.0, batched=batched,
                        max_batch=max_batch)

    def _forward_hidden(self, input, hx):
        """RNN and GRU: forward with one hidden state tensor."""
        input, batch_sizes, sorted_indices, unsorted_indices, batched = self._unpack_input(input)
        if hx is not None:
            if not batched and hx.dim() != 2:
                raise RuntimeError("For unbatched 2-D input, hx should also be 2-D but got "
                                   f"{hx.dim()}-D tensor")
            if batched and batch_sizes is None and hx.dim() != 3:
                raise RuntimeError("For batched 3-D input, hx should also be 3-D but got "
                                   f"{hx.dim()}-D tensor")
        self._check_args(input, hx, batch_sizes, batched)
        output, h_n = self._run(input, hx, None, batch_sizes, sorted_indices, unsorted_indices,
                                batched)
        if batch_sizes is not None:
            packed = _packed_sequence_type()(output, batch_sizes, sorted_indices,
                                             unsorted_indices)
            return packed, h_n
        return output, h_n

    def _check_args(self, input, hx, batch_sizes, batched):
        shape = self._batched_shape(input, batched)
        self._check_input_shape(input.dtype, shape, batch_sizes)
        if hx is not None:
            expected = self._expected_state_size(shape, batch_sizes, self._state_size())
            self._check_state_shape(hx, batched, expected, "Expected hidden size {}, got {}")


class RNN(RNNBase):
    """torch.nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True,
    batch_first=False, dropout=0.0, bidirectional=False): h_t = act(W_ih x_t + b_ih +
    W_hh h_(t-1) + b_hh). forward(input, hx=None) -> (output, h_n)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.__dict__["nonlinearity"] = args[3]
            args = args[:3] + args[4:]
        else:
            self.__dict__["nonlinearity"] = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' "
                             "or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_hidden(input, hx)


class GRU(RNNBase):
    """torch.nn.GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False): gates (r, z, n) with n = tanh(W_in x + b_in +
    r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h. forward(input, hx=None) -> (output, h_n)."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._forward_hidden(input, hx)


class LSTM(RNNBase):
    """torch.nn.LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, proj_size=0): gates (i, f, g, o),
    c' = f * c + i * g, h' = o * tanh(c') (then W_hr h' with proj_size > 0).
    forward(input, (h_0, c_0)=None) -> (output, (h_n, c_n))."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        return self._expected_state_size(tuple(input.shape), batch_sizes, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def _check_args(self, input, hx, batch_sizes, batched):
        shape = self._batched_shape(input, batched)
        self._check_input_shape(input.dtype, shape, batch_sizes)
        if hx is None:
            return
        if batch_sizes is None:
            want = 3 if batched else 2
            if hx[0].dim() != want or hx[1].dim() != want:
                kind = "batched 3-D" if batched else "unbatched 2-D"
                raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                   f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
        for k, size in enumerate((self._state_size(), self.hidden_size)):
            self._check_state_shape(hx[k], batched,
                                    self._expected_state_size(shape, batch_sizes, size),
                                    f"Expected hidden[{k}] size {{}}, got {{}}")

    def forward(self, input, hx=None):
        input, batch_sizes, sorted_indices, unsorted_indices, batched = self._unpack_input(input)
        self._check_args(input, hx, batch_sizes, batched)
        h0, c0 = (None, None) if hx is None else hx
        output, h_n, c_n = self._run(input, h0, c0, batch_sizes, sorted_indices,
                                     unsorted_indices, batched)
        if batch_sizes is not None:
            output = _packed_sequence_type()(output, batch_sizes, sorted_indices,
                                             unsorted_indices)
        return output, (h_n, c_n)


# ---- cells --------------------------------------------------------------------------------

_CELL_OPS = {"RNN_TANH": Op(nn_rnn.rnn_cell, "TanhBackward0"),
             "RNN_RELU": Op(nn_rnn.rnn_cell, "ReluBackward0"),
             "LSTM": Op(nn_rnn.rnn_cell, "MulBackward0"),
             "GRU": Op(nn_rnn.rnn_cell, "AddBackward0")}


class RNNCellBase(Module):
    """Base of the cells: weight_ih (G*H, in), weight_hh (G*H, H), bias_ih, bias_hh (G*H),
    all from U(-1/sqrt(H), 1/sqrt(H))."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        rows = num_chunks * hidden_size
        self.weight_ih = Parameter(empty(rows, input_size, device=device, dtype=dtype))
        self.weight_hh = Parameter(empty(rows, hidden_size, device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(rows, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(rows, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _check_cell(self, input, states):
        if input.size(-1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(-1)} "
                               f"expected {self.input_size}")
        for k, state in enumerate(states):
            if state is None:
                continue
            if input.dim() == 2 and state.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{k} "
                                   f"batch size {state.size(0)}")
            if state.size(-1) != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got "
                                   f"{state.size(-1)}, expected {self.hidden_size}")
        if input.dtype != self.weight_ih.dtype:
            names = {_dtypes.float64: "Double", _dtypes.float32: "Float",
                     _dtypes.float16: "Half", _dtypes.bfloat16: "BFloat16"}
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got "
                               f"{names.get(input.dtype, input.dtype)} and "
                               f"{names.get(self.weight_ih.dtype, self.weight_ih.dtype)}")

    def _step(self, mode, input, hx, cx):
        self._check_cell(input, (hx, cx))
        return dispatch(_CELL_OPS[mode], (input, hx, cx, self.weight_ih, self.weight_hh,
                                          self.bias_ih, self.bias_hh),
                        mode=mode, hidden_size=self.hidden_size, batched=input.dim() == 2)

    def _check_hidden_dim(self, hx):
        if hx is not None and hx.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected hidden to be 1D or 2D, got "
                             f"{hx.dim()}D instead")


class RNNCell(RNNCellBase):
    """torch.nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh'):
    h' = act(W_ih x + b_ih + W_hh h + b_hh)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None,
                 dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device,
                         dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"RNNCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        self._check_hidden_dim(hx)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        mode = "RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU"
        return self._step(mode, input, hx, None)


class LSTMCell(RNNCellBase):
    """torch.nn.LSTMCell(input_size, hidden_size, bias=True): forward(input, (h, c)=None)
    -> (h', c') with torch's gate order (i, f, g, o)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device,
                         dtype=dtype)

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
        return self._step("LSTM", input, h, c)


class GRUCell(RNNCellBase):
    """torch.nn.GRUCell(input_size, hidden_size, bias=True): one GRU step, gates (r, z, n)."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device,
                         dtype=dtype)

    def forward(self, input, hx=None):
        if input.dim() not in (1, 2):
            raise ValueError(f"GRUCell: Expected input to be 1D or 2D, got {input.dim()}D "
                             "instead")
        self._check_hidden_dim(hx)
        return self._step("GRU", input, hx, None)
