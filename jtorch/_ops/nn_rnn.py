"""Pure recurrent-layer math: torch's RNN (tanh/relu), LSTM (with projections) and GRU.

One call runs every layer and direction of a module: each direction is one `lax.scan` over
time (never an unrolled Python loop; unrolling the scan made a training step slower on
XLA:CPU), so an eager module call is one jitted XLA program and its gradient is `jax.vjp`
through the scans.

Gate layouts are torch's: LSTM rows are (i, f, g, o), GRU rows (r, z, n) with the reset gate
applied to (W_hn h + b_hn). Packed sequences arrive as torch's packed `data` plus
`batch_sizes`; they are unpacked to a time-major padded block with a validity mask, and a
masked step keeps a sequence's state once it has ended, which also makes the reverse
direction start at each sequence's own last element.
"""

from __future__ import annotations

import jax
import jax.numpy as jnp

from jtorch._ops.nn_attention import inverted_dropout

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


# ---- one step of each cell, given the input projection gi = x W_ih^T + b_ih -------------

def _hidden_projection(h, w_hh, b_hh):
    gh = h @ w_hh.T
    return gh if b_hh is None else gh + b_hh


def _rnn_step(mode, gi, state, w_hh, b_hh, w_hr):
    """New (h,) or (h, c) and the step output, for one time step of `mode`."""
    if mode == "LSTM":
        h, c = state
        gates = gi + _hidden_projection(h, w_hh, b_hh)
        i, f, g, o = jnp.split(gates, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        if w_hr is not None:
            h = h @ w_hr.T
        return (h, c), h
    (h,) = state
    gh = _hidden_projection(h, w_hh, b_hh)
    if mode == "GRU":
        i_r, i_z, i_n = jnp.split(gi, 3, axis=-1)
        h_r, h_z, h_n = jnp.split(gh, 3, axis=-1)
        r = jax.nn.sigmoid(i_r + h_r)
        z = jax.nn.sigmoid(i_z + h_z)
        n = jnp.tanh(i_n + r * h_n)
        h = (1 - z) * n + z * h
    elif mode == "RNN_TANH":
        h = jnp.tanh(gi + gh)
    else:
        h = jax.nn.relu(gi + gh)
    return (h,), h


def _input_projection(x, w_ih, b_ih):
    gi = x @ w_ih.T
    return gi if b_ih is None else gi + b_ih


# ---- one direction of one layer over the whole sequence -----------------------------------

def _scan_direction(mode, x, state, weights, mask, reverse):
    """Run one direction over time-major `x` (T, B, F); returns (outputs (T, B, H), state)."""
    w_ih, w_hh, b_ih, b_hh, w_hr = weights

    def step(carry, inputs):
        # the input projection inside the loop: on XLA:CPU about 10% faster for a training step
        # than one (T*B, F) matmul before it, whose (T, B, G*H) result is written and re-read
        x_t, valid_t = inputs
        gi_t = _input_projection(x_t, w_ih, b_ih)
        new_carry, out = _rnn_step(mode, gi_t, carry, w_hh, b_hh, w_hr)
        if valid_t is not None:  # packed input: ended sequences keep their state
            keep = valid_t[:, None]
            new_carry = tuple(jnp.where(keep, n, o) for n, o in zip(new_carry, carry))
            out = jnp.where(keep, out, jnp.zeros_like(out))
        return new_carry, out

    state, outputs = jax.lax.scan(step, state, (x, mask), reverse=reverse)
    return outputs, state


def _run_layer(mode, seq, states, weights, mask):
    """Every direction of one layer; returns (outputs (T, B, D*H), final states)."""
    outs, finals = [], []
    for direction, (state, w) in enumerate(zip(states, weights)):
        out, state = _scan_direction(mode, seq, state, w, mask, reverse=direction == 1)
        outs.append(out)
        finals.append(state)
    return (outs[0] if len(outs) == 1 else jnp.concatenate(outs, axis=-1)), finals


def _split_weights(weights, num_layers, num_directions, has_bias, has_proj):
    """torch's flat weight list as (w_ih, w_hh, b_ih, b_hh, w_hr) per layer and direction."""
    per = 2 + (2 if has_bias else 0) + (1 if has_proj else 0)
    groups = []
    for k in range(num_layers * num_directions):
        w = list(weights[k * per:(k + 1) * per])
        w_ih, w_hh = w[0], w[1]
        b_ih, b_hh = (w[2], w[3]) if has_bias else (None, None)
        w_hr = w[-1] if has_proj else None
        groups.append((w_ih, w_hh, b_ih, b_hh, w_hr))
    return groups


# ---- packed <-> padded ------------------------------------------------------------------

def _packed_positions(batch_sizes, max_batch):
    """(positions, mask): for each time step and sorted batch slot, its row in packed data."""
    offsets = jnp.cumsum(batch_sizes) - batch_sizes
    slots = jnp.arange(max_batch)
    mask = slots[None, :] < batch_sizes[:, None]
    return jnp.where(mask, offsets[:, None] + slots[None, :], 0), mask


def _unpack(data, positions, mask):
    padded = data[positions]
    return jnp.where(mask[..., None], padded, jnp.zeros_like(padded))


def _pack(padded, positions, mask, rows):
    flat = jnp.where(mask, positions, rows).reshape(-1)  # padding goes out of bounds: dropped
    out = jnp.zeros((rows, padded.shape[-1]), padded.dtype)
    return out.at[flat].set(padded.reshape(-1, padded.shape[-1]), mode="drop")


# ---- the whole module ---------------------------------------------------------------------

def _time_major_input(x, batch_sizes, max_batch, batched, batch_first):
    """(seq (T, B, F), validity mask or None, packed row positions or None)."""
    if batch_sizes is not None:
        positions, mask = _packed_positions(batch_sizes, max_batch)
        return _unpack(x, positions, mask), mask, positions
    if not batched:
        return x[:, None], None, None
    return (jnp.swapaxes(x, 0, 1) if batch_first else x), None, None


def _initial_states(mode, hx, cx, seq, layers, out_size, hidden_size, batched,
                    sorted_indices):
    """h_0 (and c_0) as (layers, B, size): zeros when not given, in sorted batch order."""
    batch, dtype = seq.shape[1], seq.dtype
    if not batched:
        hx = None if hx is None else hx[:, None]
        cx = None if cx is None else cx[:, None]
    if hx is None:
        hx = jnp.zeros((layers, batch, out_size), dtype)
    if mode == "LSTM" and cx is None:
        cx = jnp.zeros((layers, batch, hidden_size), dtype)
    if sorted_indices is not None:
        hx = hx[:, sorted_indices]
        cx = None if cx is None else cx[:, sorted_indices]
    return hx, cx


def _run_layers(mode, seq, hx, cx, groups, mask, num_layers, directions, dropout_p, key):
    """Every layer in turn, with dropout between layers; returns (seq, h_n, c_n or None)."""
    keys = jax.random.split(key, num_layers - 1) if dropout_p > 0 else None
    h_n, c_n = [], []
    for layer in range(num_layers):
        ks = [layer * directions + d for d in range(directions)]
        states = [(hx[k], cx[k]) if mode == "LSTM" else (hx[k],) for k in ks]
        seq, states = _run_layer(mode, seq, states, [groups[k] for k in ks], mask)
        h_n += [state[0] for state in states]
        c_n += [state[1] for state in states if mode == "LSTM"]
        if keys is not None and layer < num_layers - 1:
            seq = inverted_dropout(seq, keys[layer], dropout_p)
    return seq, jnp.stack(h_n), (jnp.stack(c_n) if c_n else None)


def rnn(x, hx, cx, batch_sizes, sorted_indices, unsorted_indices, dropout_key, *weights, mode,
        num_layers, bidirectional, batch_first, has_bias, proj_size, hidden_size, dropout_p,
        batched, max_batch):
    """torch's _VF.rnn_tanh / rnn_relu / lstm / gru on padded or packed input.

    Returns (output, h_n) or, for LSTM, (output, h_n, c_n), in the input's layout: packed
    data for packed input, (T, B, D*H) or (B, T, D*H) when batched, (T, D*H) unbatched.
    `dropout_p` > 0 (training only) needs `dropout_key`.
    """
    directions = 2 if bidirectional else 1
    seq, mask, positions = _time_major_input(x, batch_sizes, max_batch, batched, batch_first)
    hx, cx = _initial_states(mode, hx, cx, seq, num_layers * directions,
                             proj_size or hidden_size, hidden_size, batched, sorted_indices)
    groups = _split_weights(weights, num_layers, directions, has_bias, proj_size > 0)
    seq, h_n, c_n = _run_layers(mode, seq, hx, cx, groups, mask, num_layers, directions,
                                dropout_p if num_layers > 1 else 0.0, dropout_key)
    states = (h_n,) if c_n is None else (h_n, c_n)
    if unsorted_indices is not None:
        states = tuple(s[:, unsorted_indices] for s in states)
    if batch_sizes is not None:
        output = _pack(seq, positions, mask, x.shape[0])
    elif not batched:
        output, states = seq[:, 0], tuple(s[:, 0] for s in states)
    else:
        output = jnp.swapaxes(seq, 0, 1) if batch_first else seq
    return (output, *states)


def rnn_cell(x, hx, cx, w_ih, w_hh, b_ih, b_hh, *, mode, hidden_size, batched):
    """torch's _VF.rnn_tanh_cell / rnn_relu_cell / lstm_cell / gru_cell: one step.

    Returns h' (or (h', c') for LSTM); 1-D (unbatched) inputs give 1-D results.
    """
    if not batched:
        x = x[None]
        hx = None if hx is None else hx[None]
        cx = None if cx is None else cx[None]
    zeros = jnp.zeros((x.shape[0], hidden_size), x.dtype)
    hx = zeros if hx is None else hx
    state = (hx, zeros if cx is None else cx) if mode == "LSTM" else (hx,)
    state, _ = _rnn_step(mode, _input_projection(x, w_ih, b_ih), state, w_hh, b_hh, None)
    if not batched:
        state = tuple(s[0] for s in state)
    return state if mode == "LSTM" else state[0]


# ---- nn.utils.rnn: packing and padding (row indices are computed on the host) -------------

def gather_rows(x, rows):
    """pack_padded_sequence: the rows `rows` of `x` with its first two dims flattened."""
    return x.reshape((-1,) + x.shape[2:])[rows]


def scatter_rows(data, rows, *, shape, padding_value):
    """pad_packed_sequence: a `shape` block of `padding_value` with `data` at flat rows `rows`."""
    out = jnp.full((shape[0] * shape[1],) + tuple(shape[2:]), padding_value, data.dtype)
    return out.at[rows].set(data).reshape(shape)


def pad_sequences(*sequences, batch_first, padding_value, padding_side):
    """pad_sequence: stack (L_i, *) sequences padded to the longest, on the right or left."""
    longest = max(s.shape[0] for s in sequences)
    trailing = sequences[0].shape[1:]
    padded = []
    for s in sequences:
        s = jnp.broadcast_to(s, (s.shape[0],) + trailing)
        extra = longest - s.shape[0]
        before, after = (extra, 0) if padding_side == "left" else (0, extra)
        widths = ((before, after),) + ((0, 0),) * (s.ndim - 1)
        padded.append(jnp.pad(s, widths, constant_values=padding_value))
    return jnp.stack(padded, axis=0 if batch_first else 1)


def unpad_sequences(padded, *, lengths, batch_first):
    """unpad_sequence: the first lengths[b] steps of each batch entry b."""
    if not batch_first:
        padded = jnp.swapaxes(padded, 0, 1)
    return tuple(padded[b, :n] for b, n in enumerate(lengths))
