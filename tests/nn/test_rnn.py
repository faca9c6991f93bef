"""RNN, LSTM, GRU, their cells and nn.utils.rnn against torch, with weights copied from torch:
outputs, final states, gradients of inputs, initial states and every parameter; packed
sequences; reprs, state_dict layout, init bounds, argument errors."""

import itertools
import math
import warnings

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
from jtorch.nn.utils import rnn as jrnn

torch = pytest.importorskip("torch")
tnn = torch.nn
trnn = torch.nn.utils.rnn

T, B, F_IN, H = 5, 3, 4, 6  # one shape for (almost) everything: each config compiles once
RTOL, ATOL = 1e-5, 1e-5

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported")


def _rng(seed):
    return np.random.default_rng(seed)


def _array(shape, seed=0):
    return _rng(seed).normal(size=shape).astype(np.float32)


def _pair(values, requires_grad=True):
    return (torch.tensor(values, requires_grad=requires_grad),
            jtorch.tensor(values, requires_grad=requires_grad))


def _close(jt, t, rtol=RTOL, atol=ATOL):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _copy_parameters(t_module, j_module):
    """Give the jtorch module torch's parameter values (names must agree)."""
    t_params = dict(t_module.named_parameters())
    j_params = dict(j_module.named_parameters())
    assert list(t_params) == list(j_params)
    for name, p in t_params.items():
        j_params[name].data.copy_(jtorch.tensor(p.detach().numpy()))


def _make(cls_name, *args, **kwargs):
    t_module = getattr(tnn, cls_name)(*args, **kwargs)
    j_module = getattr(jnn, cls_name)(*args, **kwargs)
    _copy_parameters(t_module, j_module)
    return t_module, j_module


def _backward_weighted(outputs, lib, seed=7):
    """Backward of sum_k <outputs[k], w_k> for fixed random w_k, from one scalar root
    (see test_backward_of_several_outputs_of_one_node)."""
    weights = [lib.tensor(_array(tuple(out.shape), seed + k)) for k, out in enumerate(outputs)]
    if len(outputs) == 1:
        outputs[0].backward(weights[0])
        return
    total = 0
    for out, w in zip(outputs, weights):
        total = total + (out * w).sum()
    total.backward()


def _check_grads(t_module, j_module, pairs, rtol=RTOL, atol=ATOL):
    for t_in, j_in in pairs:
        _close(j_in.grad, t_in.grad, rtol, atol)
    for (name, tp), (_, jp) in zip(t_module.named_parameters(), j_module.named_parameters()):
        assert jp.grad is not None, name
        _close(jp.grad, tp.grad, rtol, atol)


def _flat_states(hidden):
    return list(hidden) if isinstance(hidden, tuple) else [hidden]


# ---- the full matrix: mode x layers x directions x layout -----------------------------------

# every combination runs under -m slow; the default run keeps a subset that still covers
# each mode, layer count, direction and layout (each configuration costs a scan compile)
FAST_CONFIGS = {("RNN", 2, True, True), ("GRU", 1, False, True), ("LSTM", 2, True, False)}
MATRIX = [pytest.param(*config, marks=() if config in FAST_CONFIGS else pytest.mark.slow)
          for config in itertools.product(["RNN", "LSTM", "GRU"], [1, 2], [False, True],
                                          [False, True])]


@pytest.mark.parametrize("cls_name,num_layers,bidirectional,batch_first", MATRIX)
def test_module_matches_torch(cls_name, num_layers, bidirectional, batch_first):
    """Output, h_n (c_n), grad_fn name and gradients of input, initial state and weights."""
    t_mod, j_mod = _make(cls_name, F_IN, H, num_layers=num_layers,
                         bidirectional=bidirectional, batch_first=batch_first)
    shape = (B, T, F_IN) if batch_first else (T, B, F_IN)
    tx, jx = _pair(_array(shape, 1))
    state_shape = (num_layers * (2 if bidirectional else 1), B, H)
    th, jh = _pair(_array(state_shape, 2))
    if cls_name == "LSTM":
        tc, jc = _pair(_array(state_shape, 3))
        t_out, t_hidden = t_mod(tx, (th, tc))
        j_out, j_hidden = j_mod(jx, (jh, jc))
        inputs = [(tx, jx), (th, jh), (tc, jc)]
    else:
        t_out, t_hidden = t_mod(tx, th)
        j_out, j_hidden = j_mod(jx, jh)
        inputs = [(tx, jx), (th, jh)]
    _close(j_out, t_out)
    for j_state, t_state in zip(_flat_states(j_hidden), _flat_states(t_hidden)):
        _close(j_state, t_state)
    assert j_out.grad_fn.name() == t_out.grad_fn.name()
    _backward_weighted([t_out, *_flat_states(t_hidden)], torch)
    _backward_weighted([j_out, *_flat_states(j_hidden)], jtorch)
    _check_grads(t_mod, j_mod, inputs)


@pytest.mark.parametrize("cls_name,kwargs", [
    ("LSTM", dict(proj_size=2, bidirectional=True)),
    ("RNN", dict(nonlinearity="relu", bias=False)),
    ("GRU", dict(bias=False, num_layers=2)),
])
def test_module_variants_without_initial_state(cls_name, kwargs):
    """proj_size, relu, bias=False; zero initial states when hx is None."""
    t_mod, j_mod = _make(cls_name, F_IN, H, **kwargs)
    tx, jx = _pair(_array((T, B, F_IN), 4))
    t_out, t_hidden = t_mod(tx)
    j_out, j_hidden = j_mod(jx)
    _close(j_out, t_out)
    for j_state, t_state in zip(_flat_states(j_hidden), _flat_states(t_hidden)):
        _close(j_state, t_state)
    _backward_weighted([t_out, *_flat_states(t_hidden)], torch)
    _backward_weighted([j_out, *_flat_states(j_hidden)], jtorch)
    _check_grads(t_mod, j_mod, [(tx, jx)])


@pytest.mark.parametrize("cls_name", ["RNN", "LSTM"])
def test_unbatched_input(cls_name):
    """2-D input (T, F) with a 2-D initial state gives 2-D outputs and states."""
    t_mod, j_mod = _make(cls_name, F_IN, H)
    tx, jx = _pair(_array((T, F_IN), 5))
    th, jh = _pair(_array((1, H), 6))
    if cls_name == "LSTM":
        tc, jc = _pair(_array((1, H), 8))
        (t_out, t_hidden), (j_out, j_hidden) = t_mod(tx, (th, tc)), j_mod(jx, (jh, jc))
    else:
        (t_out, t_hidden), (j_out, j_hidden) = t_mod(tx, th), j_mod(jx, jh)
    _close(j_out, t_out)
    for j_state, t_state in zip(_flat_states(j_hidden), _flat_states(t_hidden)):
        _close(j_state, t_state)
    _backward_weighted([t_out, *_flat_states(t_hidden)], torch)
    _backward_weighted([j_out, *_flat_states(j_hidden)], jtorch)
    _check_grads(t_mod, j_mod, [(tx, jx), (th, jh)])


def test_backward_of_several_outputs_of_one_node():
    t_mod, j_mod = _make("GRU", F_IN, H)
    tx, jx = _pair(_array((T, B, F_IN), 14))
    for lib, mod, x in ((torch, t_mod, tx), (jtorch, j_mod, jx)):
        out, h_n = mod(x)
        lib.autograd.backward([out, h_n], [lib.ones(out.shape), lib.ones(h_n.shape)])
    _check_grads(t_mod, j_mod, [(tx, jx)])


def test_dropout_between_layers():
    """Dropout applies to all but the last layer, in training only: p=1 makes it exact."""
    t_mod, j_mod = _make("GRU", F_IN, H, num_layers=2, dropout=1.0)
    tx, jx = _pair(_array((T, B, F_IN), 9), requires_grad=False)
    _close(j_mod(jx)[0], t_mod(tx)[0])  # layer 2 sees zeros
    t_mod.eval()
    j_mod.eval()
    _close(j_mod(jx)[0], t_mod(tx)[0])  # no dropout in eval
    half = jnn.GRU(F_IN, H, num_layers=2, dropout=0.5)
    first, second = half(jx)[0].detach(), half(jx)[0].detach()
    assert tuple(first.shape) == (T, B, H)
    assert not np.allclose(first.numpy(), second.numpy())  # fresh masks each call
    half.eval()
    np.testing.assert_array_equal(half(jx)[0].detach().numpy(), half(jx)[0].detach().numpy())


def test_seed_lstm_classifier():
    """The seed program's model: LSTM(28, 64, batch_first) + Linear(64, 10) on the last step,
    forward, backward and one SGD step, against torch."""

    def build(lib):
        class Net(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = lib.nn.LSTM(input_size=28, hidden_size=64, num_layers=1,
                                       batch_first=True)
                self.out = lib.nn.Linear(64, 10)

            def forward(self, x):
                r_out, (h_n, h_c) = self.rnn(x, None)
                return self.out(r_out[:, -1, :])

        return Net()

    t_net, j_net = build(torch), build(jtorch)
    _copy_parameters(t_net, j_net)
    assert repr(j_net.rnn) == "LSTM(28, 64, batch_first=True)" == repr(t_net.rnn)
    images = _array((4, 28, 28), 10)
    labels = np.array([3, 1, 4, 1])
    tx, jx = _pair(images, requires_grad=False)
    t_loss = torch.nn.functional.cross_entropy(t_net(tx), torch.tensor(labels))
    one_hot = jtorch.tensor(np.eye(10, dtype=np.float32)[labels])
    j_loss = -(j_net(jx).log_softmax(1) * one_hot).sum() / 4
    _close(j_loss, t_loss)
    t_loss.backward()
    j_loss.backward()
    _check_grads(t_net, j_net, [], rtol=1e-4, atol=1e-5)
    with torch.no_grad():
        for p in t_net.parameters():
            p.sub_(0.1 * p.grad)
    for p in j_net.parameters():
        p.data.sub_(0.1 * p.grad)
    _close(j_net(jx), t_net(tx))  # the updated weights give the same predictions


# ---- packed sequences ---------------------------------------------------------------------

@pytest.mark.parametrize("cls_name,enforce_sorted,lengths", [
    ("LSTM", False, [2, 5, 4]),
    pytest.param("GRU", True, [5, 4, 2], marks=pytest.mark.slow),
    pytest.param("LSTM", True, [5, 4, 2], marks=pytest.mark.slow),
    pytest.param("GRU", False, [2, 5, 4], marks=pytest.mark.slow),
])
def test_packed_sequence_through_module(cls_name, enforce_sorted, lengths):
    """pack_padded_sequence -> bidirectional 2-layer RNN -> pad_packed_sequence, with an
    initial state in the caller's batch order; values and all gradients."""
    t_mod, j_mod = _make(cls_name, F_IN, H, num_layers=2, bidirectional=True)
    tx, jx = _pair(_array((T, B, F_IN), 11))
    tp = trnn.pack_padded_sequence(tx, lengths, enforce_sorted=enforce_sorted)
    jp = jrnn.pack_padded_sequence(jx, lengths, enforce_sorted=enforce_sorted)
    _close(jp.data, tp.data)
    assert jp.batch_sizes.tolist() == tp.batch_sizes.tolist()
    assert jp.batch_sizes.dtype == jtorch.int64
    for name in ("sorted_indices", "unsorted_indices"):
        t_idx, j_idx = getattr(tp, name), getattr(jp, name)
        assert (j_idx is None) == (t_idx is None)
        if t_idx is not None:
            assert j_idx.tolist() == t_idx.tolist()
    th, jh = _pair(_array((4, B, H), 12))
    if cls_name == "LSTM":
        tc, jc = _pair(_array((4, B, H), 13))
        (t_out, t_hidden), (j_out, j_hidden) = t_mod(tp, (th, tc)), j_mod(jp, (jh, jc))
    else:
        (t_out, t_hidden), (j_out, j_hidden) = t_mod(tp, th), j_mod(jp, jh)
    assert isinstance(j_out, jrnn.PackedSequence)
    _close(j_out.data, t_out.data)
    for j_state, t_state in zip(_flat_states(j_hidden), _flat_states(t_hidden)):
        _close(j_state, t_state)
    t_pad, t_len = trnn.pad_packed_sequence(t_out, batch_first=True, padding_value=-2.0,
                                            total_length=T + 1)
    j_pad, j_len = jrnn.pad_packed_sequence(j_out, batch_first=True, padding_value=-2.0,
                                            total_length=T + 1)
    _close(j_pad, t_pad)
    assert j_len.tolist() == t_len.tolist() == lengths
    assert j_len.dtype == jtorch.int64
    _backward_weighted([t_pad, *_flat_states(t_hidden)], torch)
    _backward_weighted([j_pad, *_flat_states(j_hidden)], jtorch)
    _check_grads(t_mod, j_mod, [(tx, jx), (th, jh)])


def test_pack_pad_utilities():
    """pad_sequence (sides, layouts), pack_sequence, unpack_sequence, unpad_sequence."""
    lengths = [3, 5, 1]
    arrays = [_array((n, 2), 20 + n) for n in lengths]
    t_seqs = [torch.tensor(a, requires_grad=True) for a in arrays]
    j_seqs = [jtorch.tensor(a, requires_grad=True) for a in arrays]
    for kwargs in (dict(), dict(batch_first=True, padding_value=9.0),
                   dict(padding_side="left", batch_first=True)):
        _close(jrnn.pad_sequence(j_seqs, **kwargs), trnn.pad_sequence(t_seqs, **kwargs))
    broadcast = [np.ones((2, 3), np.float32), np.full((1, 1), 2.0, np.float32)]
    _close(jrnn.pad_sequence([jtorch.tensor(a) for a in broadcast]),
           trnn.pad_sequence([torch.tensor(a) for a in broadcast]))
    t_packed = trnn.pack_sequence(t_seqs, enforce_sorted=False)
    j_packed = jrnn.pack_sequence(j_seqs, enforce_sorted=False)
    _close(j_packed.data, t_packed.data)
    assert j_packed.sorted_indices.tolist() == t_packed.sorted_indices.tolist()
    t_back, j_back = trnn.unpack_sequence(t_packed), jrnn.unpack_sequence(j_packed)
    for j_seq, t_seq in zip(j_back, t_back):
        _close(j_seq, t_seq)
    _backward_weighted(t_back, torch)
    _backward_weighted(j_back, jtorch)
    for t_seq, j_seq in zip(t_seqs, j_seqs):
        _close(j_seq.grad, t_seq.grad)
    padded = _array((5, 3, 2), 30)
    t_unpad = trnn.unpad_sequence(torch.tensor(padded), torch.tensor(lengths))
    j_unpad = jrnn.unpad_sequence(jtorch.tensor(padded), jtorch.tensor(lengths))
    for j_seq, t_seq in zip(j_unpad, t_unpad):
        _close(j_seq, t_seq)
    perm = trnn.invert_permutation(torch.tensor([2, 0, 1]))
    assert jrnn.invert_permutation(jtorch.tensor([2, 0, 1])).tolist() == perm.tolist()
    assert jrnn.invert_permutation(None) is None


def test_packed_sequence_namedtuple():
    packed = jrnn.pack_sequence([jtorch.ones(2, 1), jtorch.ones(1, 1)])
    data, batch_sizes, sorted_indices, unsorted_indices = packed
    assert batch_sizes.tolist() == [2, 1] and sorted_indices is None
    assert packed._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert packed.double().data.dtype == jtorch.float64
    assert packed.to(jtorch.float32) is packed
    assert repr(packed).startswith("PackedSequence(data=tensor(")
    assert not packed.is_cuda


@pytest.mark.parametrize("call,kind", [
    (lambda m, L: m.pack_padded_sequence(L.zeros(4, 2, 1), [4]), RuntimeError),
    (lambda m, L: m.pack_padded_sequence(L.zeros(4, 2, 1), [2, 3]), RuntimeError),
    (lambda m, L: m.pack_padded_sequence(L.zeros(4, 2, 1), [2, 0]), RuntimeError),
    (lambda m, L: m.pack_padded_sequence(L.zeros(4, 2, 1), [[2, 1]]), RuntimeError),
    (lambda m, L: m.pad_packed_sequence(m.pack_sequence([L.ones(3, 1)]), total_length=2),
     ValueError),
    (lambda m, L: m.pad_sequence([]), RuntimeError),
    (lambda m, L: m.pad_sequence([L.ones(2, 1)], padding_side="middle"), RuntimeError),
    (lambda m, L: m.pad_sequence([L.ones(2, 1), L.ones(2, 3)]), RuntimeError),
    (lambda m, L: m.pad_sequence([L.ones(2, 3), L.ones(2, 2)]), RuntimeError),
    (lambda m, L: m.pad_sequence([L.ones(2, 3), L.ones(2)]), RuntimeError),
])
def test_packing_errors(call, kind):
    with pytest.raises(kind) as t_err:
        call(trnn, torch)
    with pytest.raises(kind) as j_err:
        call(jrnn, jtorch)
    assert str(j_err.value) == str(t_err.value)


# ---- cells --------------------------------------------------------------------------------

@pytest.mark.parametrize("cls_name,kwargs", [
    ("RNNCell", {}), ("RNNCell", dict(nonlinearity="relu", bias=False)), ("LSTMCell", {}),
    ("GRUCell", {}),
])
def test_cell_matches_torch(cls_name, kwargs):
    """Batched with a given state, unbatched without one; values, grad_fn, gradients."""
    t_cell, j_cell = _make(cls_name, F_IN, H, **kwargs)
    tx, jx = _pair(_array((B, F_IN), 40))
    th, jh = _pair(_array((B, H), 41))
    if cls_name == "LSTMCell":
        tc, jc = _pair(_array((B, H), 42))
        t_out, j_out = list(t_cell(tx, (th, tc))), list(j_cell(jx, (jh, jc)))
        inputs = [(tx, jx), (th, jh), (tc, jc)]
    else:
        t_out, j_out = [t_cell(tx, th)], [j_cell(jx, jh)]
        inputs = [(tx, jx), (th, jh)]
    tv, jv = _pair(_array((F_IN,), 43))
    t_single, j_single = t_cell(tv), j_cell(jv)
    t_out += _flat_states(t_single)
    j_out += _flat_states(j_single)
    for j_o, t_o in zip(j_out, t_out):
        _close(j_o, t_o)
    assert j_out[0].grad_fn.name() == t_out[0].grad_fn.name()
    _backward_weighted(t_out, torch)
    _backward_weighted(j_out, jtorch)
    _check_grads(t_cell, j_cell, inputs + [(tv, jv)])


@pytest.mark.parametrize("cls_name,args", [
    ("RNNCell", lambda L: (L.zeros(2, 5),)),
    ("RNNCell", lambda L: (L.zeros(2, 4), L.zeros(3, 6))),
    ("RNNCell", lambda L: (L.zeros(2, 4), L.zeros(2, 5))),
    ("GRUCell", lambda L: (L.zeros(2, 3, 4),)),
    ("GRUCell", lambda L: (L.zeros(2, 4), L.zeros(1, 2, 6))),
    ("LSTMCell", lambda L: (L.zeros(2, 4), (L.zeros(2, 6), L.zeros(2, 5)))),
    ("LSTMCell", lambda L: (L.zeros(2, 4), (L.zeros(2, 6), L.zeros(1, 2, 6)))),
])
def test_cell_errors(cls_name, args):
    t_cell, j_cell = getattr(tnn, cls_name)(4, 6), getattr(jnn, cls_name)(4, 6)
    with pytest.raises((RuntimeError, ValueError)) as t_err:
        t_cell(*args(torch))
    with pytest.raises(t_err.type) as j_err:
        j_cell(*args(jtorch))
    assert str(j_err.value) == str(t_err.value)


# ---- module structure, init, errors -------------------------------------------------------

@pytest.mark.parametrize("cls_name,args,kwargs", [
    ("LSTM", (F_IN, H), dict(batch_first=True)),
    ("LSTM", (F_IN, H), dict(proj_size=2, num_layers=2, bias=False, dropout=0.5,
                             bidirectional=True)),
    ("RNN", (F_IN, H, 2, "relu"), {}),
    ("GRU", (F_IN, H), dict(num_layers=2, batch_first=True)),
    ("RNNCell", (F_IN, H), dict(nonlinearity="relu", bias=False)),
    ("LSTMCell", (F_IN, H), {}),
    ("GRUCell", (F_IN, H), dict(bias=False)),
])
def test_repr_and_state_dict(cls_name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_mod = getattr(tnn, cls_name)(*args, **kwargs)
        j_mod = getattr(jnn, cls_name)(*args, **kwargs)
    assert repr(j_mod) == repr(t_mod)
    t_sd, j_sd = t_mod.state_dict(), j_mod.state_dict()
    assert list(j_sd) == list(t_sd)
    for name in t_sd:
        assert tuple(j_sd[name].shape) == tuple(t_sd[name].shape)
        assert str(j_sd[name].dtype) == str(t_sd[name].dtype)
    if hasattr(t_mod, "_flat_weights_names"):
        assert j_mod._flat_weights_names == t_mod._flat_weights_names
        assert j_mod._all_weights == t_mod._all_weights
        assert [[tuple(w.shape) for w in ws] for ws in j_mod.all_weights] == \
               [[tuple(w.shape) for w in ws] for ws in t_mod.all_weights]


def test_load_state_dict_from_torch():
    t_mod = tnn.LSTM(F_IN, H, num_layers=2, bidirectional=True)
    j_mod = jnn.LSTM(F_IN, H, num_layers=2, bidirectional=True)
    j_mod.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in t_mod.state_dict().items()})
    tx, jx = _pair(_array((T, B, F_IN), 50), requires_grad=False)
    _close(j_mod(jx)[0], t_mod(tx)[0])


def test_default_init_is_uniform_in_one_over_sqrt_hidden():
    hidden = 64  # the seed model's shapes: no new compilations
    mod = jnn.LSTM(28, hidden, batch_first=True)
    bound = 1 / math.sqrt(hidden)
    values = np.concatenate([p.detach().numpy().ravel() for p in mod.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert abs(values.mean()) < 0.02 * bound
    np.testing.assert_allclose(values.std(), bound / math.sqrt(3), rtol=0.02)


@pytest.mark.parametrize("call", [
    lambda L: L.nn.LSTM(4, 6)(L.zeros(5, 2, 3)),
    lambda L: L.nn.LSTM(4, 6)(L.zeros(5, 2, 4, 1)),
    lambda L: L.nn.LSTM(4, 6)(L.zeros(5, 2, 4), (L.zeros(1, 3, 6), L.zeros(1, 2, 6))),
    lambda L: L.nn.LSTM(4, 6)(L.zeros(5, 2, 4), (L.zeros(1, 2, 6), L.zeros(1, 2, 5))),
    lambda L: L.nn.LSTM(4, 6)(L.zeros(5, 2, 4), (L.zeros(2, 6), L.zeros(1, 2, 6))),
    lambda L: L.nn.LSTM(4, 6)(L.zeros(5, 2, 4, dtype=L.float64)),
    lambda L: L.nn.GRU(4, 6)(L.zeros(5, 2, 4), L.zeros(1, 3, 6)),
    lambda L: L.nn.GRU(4, 6)(L.zeros(5, 2, 4), L.zeros(2, 6)),
    lambda L: L.nn.RNN(4, 6)(L.zeros(5, 4), L.zeros(1, 1, 6)),
    lambda L: L.nn.RNN(4, 6)(L.zeros(5)),
    lambda L: L.nn.GRU(4, 6, proj_size=2),
    lambda L: L.nn.LSTM(4, 6, proj_size=6),
    lambda L: L.nn.LSTM(4, 6, dropout=1.5),
    lambda L: L.nn.RNN(4, 6, nonlinearity="sigmoid"),
    lambda L: L.nn.LSTM(4, 6, num_layers=0),
    lambda L: L.nn.LSTM(4.0, 6),
    lambda L: L.nn.LSTM(4, 6, batch_first=1),
])
def test_module_errors(call):
    with pytest.raises((RuntimeError, ValueError, TypeError)) as t_err:
        call(torch)
    with pytest.raises(t_err.type) as j_err:
        call(jtorch)
    assert str(j_err.value) == str(t_err.value)


def test_dropout_warning_with_one_layer():
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        jnn.LSTM(4, 6, dropout=0.3)
