"""scaled_dot_product_attention, MultiheadAttention and the Transformer modules against torch,
with weights copied from torch: outputs, attention weights, gradients of inputs and every
parameter (eval mode, dropout off), masks, reprs, state_dict layout, init, errors; train-mode
dropout by shapes and statistics."""

import inspect
import warnings

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

E, HEADS, FF = 8, 2, 16  # model width, heads, feed-forward width
L, S, N = 4, 5, 3  # target length, source length, batch
RTOL, ATOL = 1e-5, 1e-5

# bool padding masks next to float attention masks: torch and jtorch both warn
pytestmark = [pytest.mark.filterwarnings("ignore:Support for mismatched"),
              pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")]


def _array(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _pair(values, requires_grad=True):
    if values is None:
        return None, None
    grad = requires_grad and values.dtype.kind == "f"
    return (torch.tensor(values, requires_grad=grad), jtorch.tensor(values, requires_grad=grad))


def _close(jt, t, rtol=RTOL, atol=ATOL):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _copy_parameters(t_module, j_module):
    t_params, j_params = dict(t_module.named_parameters()), dict(j_module.named_parameters())
    assert list(t_params) == list(j_params)
    for name, p in t_params.items():
        j_params[name].data.copy_(jtorch.tensor(p.detach().numpy()))


def _make(factory):
    """The module `factory(lib)` builds, from torch and from jtorch, with torch's weights."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_module, j_module = factory(torch), factory(jtorch)
    _copy_parameters(t_module, j_module)
    assert repr(j_module) == repr(t_module)
    return t_module, j_module


def _backward_weighted(outputs, lib, seed=9):
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


def _check_param_grads(t_module, j_module, rtol=1e-4, atol=1e-5):
    for (name, tp), (_, jp) in zip(t_module.named_parameters(), j_module.named_parameters()):
        assert (jp.grad is None) == (tp.grad is None), name
        if tp.grad is not None:
            _close(jp.grad, tp.grad, rtol, atol)


# ---- scaled_dot_product_attention -----------------------------------------------------------

def _row_masked_bool():
    mask = np.random.default_rng(3).random((L, S)) > 0.3
    mask[1] = False  # a fully masked row: torch gives zeros there
    return mask


SDPA_CASES = {
    "plain": dict(),
    "bool_mask": dict(attn_mask=_row_masked_bool()),
    "float_mask": dict(attn_mask=_array((N, 1, L, S), 4)),
    "causal_scale": dict(is_causal=True, scale=0.3),
    "gqa": dict(enable_gqa=True, kv_heads=1),
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case):
    kwargs = dict(SDPA_CASES[case])
    kv_heads = kwargs.pop("kv_heads", HEADS)
    tq, jq = _pair(_array((N, HEADS, L, E), 1))
    tk, jk = _pair(_array((N, kv_heads, S, E), 2))
    tv, jv = _pair(_array((N, kv_heads, S, 6), 3))
    t_mask, j_mask = _pair(kwargs.pop("attn_mask", None), requires_grad=False)
    t_out = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=t_mask, **kwargs)
    j_out = JF.scaled_dot_product_attention(jq, jk, jv, attn_mask=j_mask, **kwargs)
    _close(j_out, t_out)
    assert j_out.grad_fn.name() == t_out.grad_fn.name()
    _backward_weighted([t_out], torch)
    _backward_weighted([j_out], jtorch)
    for t_in, j_in in ((tq, jq), (tk, jk), (tv, jv)):
        _close(j_in.grad, t_in.grad)


def test_sdpa_unbatched_and_dropout():
    tq, jq = _pair(_array((L, E), 5), requires_grad=False)
    _close(JF.scaled_dot_product_attention(jq, jq, jq),
           TF.scaled_dot_product_attention(tq, tq, tq))
    ones = jtorch.ones(N, HEADS, 64, 1)
    q = jtorch.zeros(N, HEADS, 64, E)  # uniform attention over 64 keys
    kept = JF.scaled_dot_product_attention(q, q, ones, dropout_p=0.5).numpy()
    assert abs(kept.mean() - 1.0) < 0.05  # inverted dropout keeps the expectation
    again = JF.scaled_dot_product_attention(q, q, ones, dropout_p=0.5).numpy()
    assert not np.allclose(kept, again)
    zeros = JF.scaled_dot_product_attention(q, q, ones, dropout_p=1.0)
    np.testing.assert_array_equal(zeros.numpy(), 0.0)


@pytest.mark.parametrize("call", [
    lambda L_, F: F.scaled_dot_product_attention(L_.zeros(2, 3, 4), L_.zeros(2, 3, 4),
                                                 L_.zeros(2, 3, 4),
                                                 attn_mask=L_.zeros(3, 3), is_causal=True),
    lambda L_, F: F.scaled_dot_product_attention(L_.zeros(2, 3, 4), L_.zeros(2, 3, 4,
                                                                          dtype=L_.float64),
                                                 L_.zeros(2, 3, 4)),
    lambda L_, F: F.scaled_dot_product_attention(L_.zeros(4), L_.zeros(4), L_.zeros(4)),
    lambda L_, F: F.scaled_dot_product_attention(L_.zeros(2, 3, 4), L_.zeros(2, 3, 5),
                                                 L_.zeros(2, 3, 5)),
    lambda L_, F: F.scaled_dot_product_attention(L_.zeros(2, 3, 4), L_.zeros(2, 3, 4),
                                                 L_.zeros(2, 3, 4),
                                                 attn_mask=L_.zeros(3, 3, dtype=L_.int64)),
])
def test_sdpa_errors(call):
    with pytest.raises(RuntimeError) as t_err:
        call(torch, TF)
    with pytest.raises(RuntimeError) as j_err:
        call(jtorch, JF)
    assert str(j_err.value) == str(t_err.value)


# ---- MultiheadAttention ---------------------------------------------------------------------

def _padding_mask():
    mask = np.zeros((N, S), bool)
    mask[0, 3:] = True
    mask[2, 4:] = True
    return mask


MHA_CASES = {
    "weights_padding": (dict(), dict(key_padding_mask=_padding_mask())),
    "batch_first_no_weights": (dict(batch_first=True),
                               dict(attn_mask=_array((N * HEADS, L, S), 7), need_weights=False,
                                    key_padding_mask=_padding_mask())),
    "kdim_vdim_bias_kv_zero_attn": (dict(kdim=3, vdim=5, add_bias_kv=True, add_zero_attn=True),
                                    dict(key_padding_mask=_padding_mask(),
                                         attn_mask=_array((L, S), 8))),
    "no_bias_per_head_weights": (dict(bias=False),
                                 dict(attn_mask=_array((L, S), 10) > 1.0,
                                      average_attn_weights=False)),
}


@pytest.mark.parametrize("case", list(MHA_CASES))
def test_multihead_attention_matches_torch(case):
    ctor, call = MHA_CASES[case]
    t_mha, j_mha = _make(lambda lib: lib.nn.MultiheadAttention(E, HEADS, **ctor))
    t_mha.eval()
    j_mha.eval()
    batch_first = ctor.get("batch_first", False)
    layout = (lambda seq, feat: (N, seq, feat)) if batch_first else (lambda seq, feat: (seq, N,
                                                                                       feat))
    tq, jq = _pair(_array(layout(L, E), 11))
    tk, jk = _pair(_array(layout(S, ctor.get("kdim", E)), 12))
    tv, jv = _pair(_array(layout(S, ctor.get("vdim", E)), 13))
    t_extra, j_extra = {}, {}
    for name, value in call.items():
        t_extra[name], j_extra[name] = _pair(value, False) if isinstance(value, np.ndarray) \
            else (value, value)
    t_out, t_weights = t_mha(tq, tk, tv, **t_extra)
    j_out, j_weights = j_mha(jq, jk, jv, **j_extra)
    _close(j_out, t_out)
    assert j_out.grad_fn.name() == t_out.grad_fn.name()
    assert (j_weights is None) == (t_weights is None)
    outputs = [(t_out, j_out)] + ([(t_weights, j_weights)] if t_weights is not None else [])
    if t_weights is not None:
        _close(j_weights, t_weights)
    _backward_weighted([t for t, _ in outputs], torch)
    _backward_weighted([j for _, j in outputs], jtorch)
    for t_in, j_in in ((tq, jq), (tk, jk), (tv, jv)):
        _close(j_in.grad, t_in.grad, 1e-4, 1e-5)
    _check_param_grads(t_mha, j_mha)


def test_multihead_attention_unbatched_and_causal():
    t_mha, j_mha = _make(lambda lib: lib.nn.MultiheadAttention(E, HEADS))
    tx, jx = _pair(_array((L, E), 14))
    t_out, t_w = t_mha(tx, tx, tx)
    j_out, j_w = j_mha(jx, jx, jx)
    _close(j_out, t_out)
    _close(j_w, t_w)
    t_mask = tnn.Transformer.generate_square_subsequent_mask(L)
    j_mask = jnn.Transformer.generate_square_subsequent_mask(L)
    _close(j_mask, t_mask)
    t_x3, j_x3 = _pair(_array((L, N, E), 15), requires_grad=False)
    t_out = t_mha(t_x3, t_x3, t_x3, attn_mask=t_mask, is_causal=True, need_weights=False)[0]
    j_out = j_mha(j_x3, j_x3, j_x3, attn_mask=j_mask, is_causal=True, need_weights=False)[0]
    _close(j_out, t_out)


def test_multi_head_attention_forward_static_kv():
    """The functional form with static_k / static_v and separate projection weights."""
    rng = np.random.default_rng(16)
    arrays = {name: rng.normal(size=shape).astype(np.float32) for name, shape in {
        "query": (L, N, E), "key": (S, N, E), "value": (S, N, E), "in_proj_bias": (3 * E,),
        "out_proj_weight": (E, E), "out_proj_bias": (E,), "q_proj_weight": (E, E),
        "k_proj_weight": (E, E), "v_proj_weight": (E, E),
        "static_k": (N * HEADS, S, E // HEADS), "static_v": (N * HEADS, S, E // HEADS)}.items()}
    results = []
    for lib, F in ((torch, TF), (jtorch, JF)):
        kw = {name: lib.tensor(a) for name, a in arrays.items()}
        results.append(F.multi_head_attention_forward(
            kw.pop("query"), kw.pop("key"), kw.pop("value"), E, HEADS, None,
            kw.pop("in_proj_bias"), None, None, False, 0.0, kw.pop("out_proj_weight"),
            kw.pop("out_proj_bias"), training=False, use_separate_proj_weight=True, **kw))
    (t_out, t_w), (j_out, j_w) = results
    _close(j_out, t_out)
    _close(j_w, t_w)


def test_multihead_attention_structure_and_init():
    for kwargs in (dict(), dict(kdim=3, vdim=5, add_bias_kv=True), dict(bias=False)):
        t_mha = tnn.MultiheadAttention(E, HEADS, **kwargs)
        j_mha = jnn.MultiheadAttention(E, HEADS, **kwargs)
        assert repr(j_mha) == repr(t_mha)
        assert type(j_mha.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
        assert isinstance(j_mha.out_proj, jnn.Linear)
        t_sd, j_sd = t_mha.state_dict(), j_mha.state_dict()
        assert [(k, tuple(v.shape)) for k, v in j_sd.items()] == \
               [(k, tuple(v.shape)) for k, v in t_sd.items()]
    modules = [jnn.MultiheadAttention(E, HEADS) for _ in range(10)]
    w = np.stack([m.in_proj_weight.detach().numpy() for m in modules])
    bound = np.sqrt(6.0 / (E + 3 * E))  # xavier_uniform_ on the (3E, E) matrix
    assert np.abs(w).max() <= bound
    np.testing.assert_allclose(w.std(), bound / np.sqrt(3), rtol=0.1)
    mha = modules[0]
    assert not mha.in_proj_bias.detach().numpy().any()
    assert not mha.out_proj.bias.detach().numpy().any()
    assert mha.head_dim == E // HEADS and mha._qkv_same_embed_dim and mha.batch_first is False
    padding, attn = _array((N, L), 17), _array((L, L), 18)
    t_merged, t_type = tnn.MultiheadAttention(E, HEADS).merge_masks(
        torch.tensor(attn), torch.tensor(padding), torch.zeros(N, L, E))
    j_merged, j_type = jnn.MultiheadAttention(E, HEADS).merge_masks(
        jtorch.tensor(attn), jtorch.tensor(padding), jtorch.zeros(N, L, E))
    _close(j_merged, t_merged)
    assert j_type == t_type == 2


@pytest.mark.parametrize("call,kind", [
    (lambda lib: lib.nn.MultiheadAttention(E, 3), AssertionError),
    (lambda lib: lib.nn.MultiheadAttention(0, 2), ValueError),
    (lambda lib: lib.nn.MultiheadAttention(E, HEADS)(lib.zeros(L, N, E), lib.zeros(S, N, E),
                                                     lib.zeros(S, N, E),
                                                     key_padding_mask=lib.zeros(N, L,
                                                                                dtype=lib.bool)),
     AssertionError),
    (lambda lib: lib.nn.MultiheadAttention(E, HEADS)(lib.zeros(L, N, E), lib.zeros(S, N, E),
                                                     lib.zeros(S, N, E),
                                                     attn_mask=lib.zeros(L, L)), RuntimeError),
    (lambda lib: lib.nn.MultiheadAttention(E, HEADS)(lib.zeros(L, N, E), lib.zeros(S, N, E),
                                                     lib.zeros(S, N, E), is_causal=True),
     RuntimeError),
    (lambda lib: lib.nn.MultiheadAttention(E, HEADS)(lib.zeros(L, N, E), lib.zeros(S, N),
                                                     lib.zeros(S, N, E)), AssertionError),
])
def test_multihead_attention_errors(call, kind):
    with pytest.raises(kind) as t_err:
        call(torch)
    with pytest.raises(kind) as j_err:
        call(jtorch)
    assert str(j_err.value) == str(t_err.value)


# ---- transformer layers (eval: dropout off, exact) ------------------------------------------

def _layer_inputs(batch_first, seed):
    def shape(seq):
        return (N, seq, E) if batch_first else (seq, N, E)
    return _pair(_array(shape(L), seed)), _pair(_array(shape(S), seed + 1))


# post-norm layers with relu run in test_transformer_matches_torch; these add the rest
@pytest.mark.parametrize("kwargs", [
    dict(norm_first=True, activation="gelu", batch_first=True),
    pytest.param(dict(), marks=pytest.mark.slow),
])
def test_encoder_layer_matches_torch(kwargs):
    t_layer, j_layer = _make(lambda lib: lib.nn.TransformerEncoderLayer(E, HEADS, FF, **kwargs))
    t_layer.eval()
    j_layer.eval()
    _, (t_src, j_src) = _layer_inputs(kwargs.get("batch_first", False), 20)
    mask = _array((S, S), 22)
    t_out = t_layer(t_src, src_mask=torch.tensor(mask),
                    src_key_padding_mask=torch.tensor(_padding_mask()))
    j_out = j_layer(j_src, src_mask=jtorch.tensor(mask),
                    src_key_padding_mask=jtorch.tensor(_padding_mask()))
    _close(j_out, t_out, 1e-4, 1e-5)
    _backward_weighted([t_out], torch)
    _backward_weighted([j_out], jtorch)
    _close(j_src.grad, t_src.grad, 1e-4, 1e-5)
    _check_param_grads(t_layer, j_layer)
    assert j_layer.activation_relu_or_gelu == t_layer.activation_relu_or_gelu


@pytest.mark.parametrize("kwargs", [
    dict(norm_first=True, batch_first=True),
    pytest.param(dict(), marks=pytest.mark.slow),
])
def test_decoder_layer_matches_torch(kwargs):
    custom = "norm_first" in kwargs  # a callable activation in the second case
    t_layer, j_layer = _make(lambda lib: lib.nn.TransformerDecoderLayer(
        E, HEADS, FF, activation=(lib.nn.functional.silu if custom else "relu"), **kwargs))
    t_layer.eval()
    j_layer.eval()
    (t_tgt, j_tgt), (t_mem, j_mem) = _layer_inputs(kwargs.get("batch_first", False), 30)
    t_mask = tnn.Transformer.generate_square_subsequent_mask(L)
    j_mask = jnn.Transformer.generate_square_subsequent_mask(L)
    t_out = t_layer(t_tgt, t_mem, tgt_mask=t_mask, tgt_is_causal=True,
                    memory_key_padding_mask=torch.tensor(_padding_mask()))
    j_out = j_layer(j_tgt, j_mem, tgt_mask=j_mask, tgt_is_causal=True,
                    memory_key_padding_mask=jtorch.tensor(_padding_mask()))
    _close(j_out, t_out, 1e-4, 1e-5)
    _backward_weighted([t_out], torch)
    _backward_weighted([j_out], jtorch)
    _close(j_tgt.grad, t_tgt.grad, 1e-4, 1e-5)
    _close(j_mem.grad, t_mem.grad, 1e-4, 1e-5)
    _check_param_grads(t_layer, j_layer)


def test_transformer_matches_torch():
    """The whole model (2 encoder + 1 decoder layers), eval mode, all masks; every gradient."""
    t_model, j_model = _make(lambda lib: lib.nn.Transformer(E, HEADS, 2, 1, FF))
    t_model.eval()
    j_model.eval()
    (t_tgt, j_tgt), (t_src, j_src) = _layer_inputs(False, 40)
    t_mask = t_model.generate_square_subsequent_mask(L)
    j_mask = j_model.generate_square_subsequent_mask(L)
    padding = _padding_mask()
    t_out = t_model(t_src, t_tgt, tgt_mask=t_mask, src_key_padding_mask=torch.tensor(padding),
                    memory_key_padding_mask=torch.tensor(padding))
    j_out = j_model(j_src, j_tgt, tgt_mask=j_mask, src_key_padding_mask=jtorch.tensor(padding),
                    memory_key_padding_mask=jtorch.tensor(padding))
    _close(j_out, t_out, 1e-4, 1e-5)
    _backward_weighted([t_out], torch)
    _backward_weighted([j_out], jtorch)
    _close(j_src.grad, t_src.grad, 1e-4, 1e-5)
    _close(j_tgt.grad, t_tgt.grad, 1e-4, 1e-5)
    _check_param_grads(t_model, j_model)
    t_sd, j_sd = t_model.state_dict(), j_model.state_dict()
    assert [(k, tuple(v.shape)) for k, v in j_sd.items()] == \
           [(k, tuple(v.shape)) for k, v in t_sd.items()]


def _parameters(fn):
    """(name, default) of each parameter; callables by name (F.relu is not torch's F.relu)."""
    return [(p.name, p.default.__name__ if callable(p.default) else p.default)
            for p in inspect.signature(fn).parameters.values()]


def test_transformer_signatures_match_torch():
    for name in ("Transformer", "TransformerEncoder", "TransformerDecoder",
                 "TransformerEncoderLayer", "TransformerDecoderLayer", "MultiheadAttention"):
        for method in ("__init__", "forward"):
            assert _parameters(getattr(getattr(jnn, name), method)) == \
                _parameters(getattr(getattr(tnn, name), method)), (name, method)
    assert _parameters(JF.multi_head_attention_forward) == \
        _parameters(TF.multi_head_attention_forward)


def test_encoder_padding_outputs_like_nested_tensors():
    """torch's eval/no-grad encoder runs padded batches as nested tensors, so padded
    positions come back as zeros (before the final norm); with grad they are computed."""
    t_enc, j_enc = _make(lambda lib: lib.nn.TransformerEncoder(
        lib.nn.TransformerEncoderLayer(E, HEADS, FF, batch_first=True), 2))
    t_enc.eval()
    j_enc.eval()
    src, padding = _array((N, S, E), 50), _padding_mask()
    with torch.no_grad():
        t_out = t_enc(torch.tensor(src), src_key_padding_mask=torch.tensor(padding))
    with jtorch.no_grad():
        j_out = j_enc(jtorch.tensor(src), src_key_padding_mask=jtorch.tensor(padding))
    _close(j_out, t_out, 1e-4, 1e-5)
    assert not t_out.numpy()[padding].any()
    t_out = t_enc(torch.tensor(src), src_key_padding_mask=torch.tensor(padding))
    j_out = j_enc(jtorch.tensor(src), src_key_padding_mask=jtorch.tensor(padding))
    _close(j_out, t_out, 1e-4, 1e-5)
    assert t_out.detach().numpy()[padding].any()


def test_encoder_clones_and_nested_tensor_warning():
    layer = jnn.TransformerEncoderLayer(E, HEADS, FF)
    with pytest.warns(UserWarning, match="enable_nested_tensor is True, but "
                                         "self.use_nested_tensor is False because encoder_layer"
                                         ".self_attn.batch_first was not True"):
        encoder = jnn.TransformerEncoder(layer, 3)
    assert encoder.use_nested_tensor is False
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second and first is not layer.linear1.weight
    np.testing.assert_array_equal(first.detach().numpy(), second.detach().numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jnn.TransformerEncoder(layer, 1, enable_nested_tensor=False)


def test_train_mode_dropout_statistics():
    layer = jnn.TransformerEncoderLayer(E, HEADS, FF, dropout=0.5)
    src = jtorch.tensor(_array((S, N, E), 60))
    first, second = layer(src).detach().numpy(), layer(src).detach().numpy()
    assert first.shape == (S, N, E)
    assert not np.allclose(first, second)  # fresh dropout masks
    # post-norm: every position is layer-normalised (weight 1, bias 0)
    np.testing.assert_allclose(first.mean(-1), 0.0, atol=1e-5)
    np.testing.assert_allclose(first.std(-1), 1.0, atol=1e-3)
    layer.eval()
    np.testing.assert_array_equal(layer(src).detach().numpy(), layer(src).detach().numpy())


@pytest.mark.parametrize("call", [
    lambda lib: lib.nn.Transformer(E, HEADS, 1, 1, FF)(lib.zeros(S, N, E),
                                                        lib.zeros(L, N + 1, E)),
    lambda lib: lib.nn.Transformer(E, HEADS, 1, 1, FF)(lib.zeros(S, N, E), lib.zeros(L, N, 6)),
    lambda lib: lib.nn.TransformerEncoderLayer(E, HEADS, FF, activation="tanh"),
])
def test_transformer_errors(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(RuntimeError) as t_err:
            call(torch)
        with pytest.raises(RuntimeError) as j_err:
            call(jtorch)
    assert str(j_err.value) == str(t_err.value)
