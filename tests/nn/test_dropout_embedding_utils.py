"""Dropout (statistics: jtorch's masks differ from torch's by design), embeddings, one_hot,
distances and nn.utils (clipping, vectors, weight/spectral norm, parametrize) against torch."""

import warnings

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF
from jtorch.nn import utils as jutils

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional


def _close(jt, t, rtol=1e-5, atol=1e-6):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().numpy(), t.detach().numpy(), rtol=rtol, atol=atol)


def _normal(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _pair(values, requires_grad=True):
    return (torch.tensor(values, requires_grad=requires_grad),
            jtorch.tensor(values, requires_grad=requires_grad))


def _copy_state(t_module, j_module):
    j_module.load_state_dict({k: jtorch.tensor(v.detach().numpy())
                              for k, v in t_module.state_dict().items()})


def _backward_weighted(t_out, j_out, seed=1):
    w = _normal(tuple(t_out.shape), seed)
    (t_out * torch.tensor(w)).sum().backward()
    (j_out * jtorch.tensor(w)).sum().backward()


# ---- dropout ---------------------------------------------------------------------------------

ONES = np.ones((200, 400), np.float32)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_dropout_zeroes_fraction_p_and_scales_the_rest(p):
    x = jtorch.tensor(ONES, requires_grad=True)
    y = JF.dropout(x, p)
    assert y.grad_fn.name() == "MulBackward0"
    values = y.detach().numpy()
    dropped = values == 0
    assert abs(dropped.mean() - p) < 0.01
    np.testing.assert_allclose(values[~dropped], 1 / (1 - p), rtol=1e-6)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), values)  # d(x * mask / (1-p))/dx


def test_dropout_masks_change_between_calls_and_follow_manual_seed():
    x = jtorch.tensor(ONES)
    jtorch.manual_seed(7)
    first, second = JF.dropout(x), JF.dropout(x)
    jtorch.manual_seed(7)
    again = JF.dropout(x)
    assert not np.array_equal(first.numpy(), second.numpy())
    np.testing.assert_array_equal(first.numpy(), again.numpy())


def test_dropout_identity_cases_return_the_input():
    x = jtorch.ones(3, 4)
    assert JF.dropout(x, 0.5, training=False) is x
    assert JF.dropout(x, 0.0) is x
    assert JF.alpha_dropout(x, 0.5) is x  # training defaults to False, as in torch
    assert JF.dropout2d(jtorch.ones(2, 3, 4, 4), 0.5, training=False).shape == (2, 3, 4, 4)
    m = jnn.Dropout(0.5).eval()
    assert m(x) is x
    zeros = JF.dropout(jtorch.ones(3, 4, requires_grad=True), 1.0)
    assert zeros.grad_fn.name() == "MulBackward0"
    np.testing.assert_array_equal(zeros.detach().numpy(), 0)


def test_dropout_probability_is_validated():
    message = "dropout probability has to be between 0 and 1, but got 1.5"
    for F, nn, lib in ((TF, tnn, torch), (JF, jnn, jtorch)):
        for fn in (F.dropout, F.dropout1d, F.dropout2d, F.dropout3d, F.alpha_dropout,
                   F.feature_alpha_dropout):
            with pytest.raises(ValueError, match=message):
                fn(lib.ones(2, 3, 4), 1.5)
        for cls in (nn.Dropout, nn.Dropout2d, nn.AlphaDropout):
            with pytest.raises(ValueError, match=message):
                cls(1.5)
        with pytest.raises(ValueError, match="but got -0.1"):
            nn.Dropout(-0.1)


def test_dropout_inplace():
    leaf = jtorch.tensor(ONES, requires_grad=True)
    x = leaf * 1
    y = JF.dropout(x, 0.5, inplace=True)
    assert y is x and x._version == 1 and y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), y.detach().numpy())
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        JF.dropout(leaf, 0.5, inplace=True)
    plain = jtorch.ones(4, 4)
    assert jnn.Dropout(0.5, inplace=True)(plain) is plain


def _channel_states(values, channel_axes):
    """Per channel: all zero, or all equal to the kept value (asserted); the zero mask."""
    flat = values.reshape(values.shape[:channel_axes] + (-1,))
    zero = np.all(flat == 0, axis=-1)
    assert np.all(zero | np.all(flat != 0, axis=-1)), "a channel was partly dropped"
    return zero


@pytest.mark.parametrize("fn,shape,channel_axes", [
    ("dropout1d", (40, 50, 6), 2), ("dropout1d", (2000, 6), 1),
    ("dropout2d", (40, 50, 3, 3), 2), ("dropout3d", (40, 50, 2, 2, 2), 2),
    ("dropout3d", (2000, 2, 2, 2), 1)])
def test_feature_dropout_zeroes_whole_channels(fn, shape, channel_axes):
    p = 0.3
    x = jtorch.ones(*shape)
    y = getattr(JF, fn)(x, p).numpy()
    zero = _channel_states(y, channel_axes)
    assert abs(zero.mean() - p) < 0.05  # 2000 channels: 5 standard deviations
    np.testing.assert_allclose(y[y != 0], 1 / (1 - p), rtol=1e-6)


def test_feature_dropout_modules_and_warnings():
    for name in ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout",
                 "FeatureAlphaDropout"):
        assert repr(getattr(jnn, name)()) == repr(getattr(tnn, name)())
        assert repr(getattr(jnn, name)(0.2, True)) == repr(getattr(tnn, name)(0.2, True))
    for F, lib in ((TF, torch), (JF, jtorch)):
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            F.dropout2d(lib.ones(2, 3, 4))
        with pytest.warns(UserWarning, match="Received a 2-D input to dropout3d"):
            F.dropout3d(lib.ones(2, 3))
        with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but "
                                               "received a 4D input"):
            F.dropout1d(lib.ones(2, 3, 4, 5))
        with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 "
                                               "dimensions in the input"):
            F.feature_alpha_dropout(lib.ones(5), 0.5, True)


def test_alpha_dropout_keeps_mean_and_variance():
    x = jtorch.tensor(_normal((200, 400)), requires_grad=True)
    y = JF.alpha_dropout(x, 0.2, training=True)
    assert y.grad_fn.name() == "AddBackward0"
    values = y.detach().numpy()
    assert abs(values.mean()) < 0.02 and abs(values.std() - 1) < 0.02
    alpha, p = 1.7580993408473766, 0.2
    a = 1 / np.sqrt((alpha ** 2 * p + 1) * (1 - p))
    dropped_value = -alpha * a + alpha * a * p
    dropped = np.isclose(values, dropped_value, atol=1e-6)
    assert abs(dropped.mean() - p) < 0.01
    y.sum().backward()
    np.testing.assert_allclose(np.unique(x.grad.numpy()), [0.0, a], rtol=1e-6)
    channels = JF.feature_alpha_dropout(jtorch.ones(40, 50, 3), 0.5, True).numpy()
    assert np.all(channels.min(axis=-1) == channels.max(axis=-1))


def test_dropout_module_train_and_eval():
    t_m, j_m = tnn.Dropout(0.25), jnn.Dropout(0.25)
    x = jtorch.tensor(ONES)
    assert abs((j_m(x).numpy() == 0).mean() - 0.25) < 0.01
    j_m.eval(), t_m.eval()
    _close(j_m(x), t_m(torch.tensor(ONES)))


def _seed_003_network(nn, p, flatten=True):
    """../shared/seeds/003's NeuralNetwork(p), with nn.Flatten optional."""

    class NeuralNetwork(nn.Module):
        def __init__(self, p):
            super().__init__()
            if flatten:
                self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28*28, 512),
                nn.Dropout(p),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.Dropout(p),
                nn.ReLU(),
                nn.Linear(512, 10),
                nn.ReLU()
            )

        def forward(self, x):
            if flatten:
                x = self.flatten(x)
            return self.linear_relu_stack(x)

    return NeuralNetwork(p)


@pytest.mark.parametrize("flatten", [
    False, pytest.param(True, marks=pytest.mark.skipif(not hasattr(jnn, "Flatten"),
                                                       reason="needs nn.Flatten"))])
def test_seed_003_dropout_network(flatten):
    t_model, j_model = _seed_003_network(tnn, 0.5, flatten), _seed_003_network(jnn, 0.5, flatten)
    assert repr(j_model) == repr(t_model)
    _copy_state(t_model, j_model)
    values = _normal((8, 1, 28, 28) if flatten else (8, 784))
    y = j_model(jtorch.tensor(values))  # training: dropout active
    assert y.shape == (8, 10)
    hidden = j_model.linear_relu_stack[1](j_model.linear_relu_stack[0](
        jtorch.tensor(values.reshape(8, -1))))
    assert 0.4 < (hidden.detach().numpy() == 0).mean() < 0.6
    t_model.eval(), j_model.eval()
    tx, jx = _pair(values)
    ty, jy = t_model(tx), j_model(jx)
    _close(jy, ty, rtol=1e-4, atol=1e-5)
    _backward_weighted(ty, jy)
    _close(jx.grad, tx.grad, rtol=1e-4, atol=1e-5)
    assert _seed_003_network(jnn, 0, flatten).linear_relu_stack[1].p == 0


# ---- embeddings ------------------------------------------------------------------------------

INDICES = np.array([[1, 2, 4, 5], [4, 3, 2, 9]], dtype=np.int64)


def _embedding_pair(*args, **kwargs):
    t_m = tnn.Embedding(*args, **kwargs)
    j_m = jnn.Embedding(*args, **kwargs)
    _copy_state(t_m, j_m)
    return t_m, j_m


@pytest.mark.parametrize("kwargs", [{}, {"padding_idx": 2}, {"padding_idx": -1},
                                    {"scale_grad_by_freq": True},
                                    {"max_norm": 1.0}, {"max_norm": 2.0, "norm_type": 1.0}])
def test_embedding_matches_torch(kwargs):
    t_m, j_m = _embedding_pair(10, 3, **kwargs)
    assert repr(j_m) == repr(t_m)
    t_idx, j_idx = torch.tensor(INDICES), jtorch.tensor(INDICES)
    versions = t_m.weight._version, j_m.weight._version
    ty, jy = t_m(t_idx), j_m(j_idx)
    assert jy.grad_fn.name() == ty.grad_fn.name() == "EmbeddingBackward0"
    _close(jy, ty)
    _close(j_m.weight, t_m.weight)  # max_norm renormalises the weight in place
    assert j_m.weight._version - versions[1] == t_m.weight._version - versions[0]
    _backward_weighted(ty, jy)
    _close(j_m.weight.grad, t_m.weight.grad)


def test_embedding_padding_row_is_zero_and_gets_no_gradient():
    m = jnn.Embedding(10, 3, padding_idx=0)
    np.testing.assert_array_equal(m.weight.detach().numpy()[0], 0)
    assert m.weight.requires_grad
    out = m(jtorch.tensor([[0, 2, 0, 5]]))
    np.testing.assert_array_equal(out.detach().numpy()[0, [0, 2]], 0)
    out.sum().backward()
    grad = m.weight.grad.numpy()
    np.testing.assert_array_equal(grad[0], 0)
    np.testing.assert_array_equal(grad[[2, 5]], 1)


def test_embedding_init_state_dict_and_from_pretrained():
    m = jnn.Embedding(1000, 20)
    values = m.weight.detach().numpy()
    assert abs(values.mean()) < 0.035 and abs(values.std() - 1) < 0.025  # N(0, 1), 5 sigma
    assert list(m.state_dict()) == ["weight"] and m.weight.shape == (1000, 20)
    pretrained = np.array([[1.0, 2.3, 3.0], [4.0, 5.1, 6.3]], np.float32)
    t_m = tnn.Embedding.from_pretrained(torch.tensor(pretrained))
    j_m = jnn.Embedding.from_pretrained(jtorch.tensor(pretrained))
    assert not j_m.weight.requires_grad and repr(j_m) == repr(t_m)
    _close(j_m(jtorch.tensor([1])), t_m(torch.tensor([1])))
    assert jnn.Embedding.from_pretrained(jtorch.tensor(pretrained), freeze=False
                                         ).weight.requires_grad
    assert jnn.Embedding(10, 3, dtype=jtorch.float64).weight.dtype is jtorch.float64


@pytest.mark.parametrize("call", [
    lambda F, lib: F.embedding(lib.tensor([1, 10]), lib.ones(10, 3)),
    lambda F, lib: F.embedding(lib.tensor([1, -1]), lib.ones(10, 3)),
    lambda F, lib: F.embedding(lib.tensor([1.0, 2.0]), lib.ones(10, 3)),
    lambda F, lib: F.embedding(lib.tensor([1, 2]), lib.ones(10)),
    lambda F, lib: F.embedding(lib.tensor([1, 2]), lib.ones(10, 3), padding_idx=10),
    lambda F, lib: lib.nn.Embedding(5, 2, padding_idx=-6),
    lambda F, lib: lib.nn.Embedding.from_pretrained(lib.ones(3)),
], ids=["too-large", "negative", "float-indices", "1d-weight", "padding", "module-padding",
        "pretrained-1d"])
def test_embedding_errors_match_torch(call):
    t_type, t_message = _error(call, TF, torch)
    j_type, j_message = _error(call, JF, jtorch)
    assert t_type is not None and j_type is t_type
    assert j_message == t_message


def _error(fn, *args):
    """The exception type raised by fn() and its message's first line (torch appends C++
    context on later lines)."""
    try:
        fn(*args)
    except Exception as e:  # noqa: BLE001  (the type and message are compared)
        return type(e), str(e).split("\n")[0]
    return None, ""


def test_embedding_word_embeddings_tutorial():
    """PyTorch's word-embeddings tutorial: a lookup, then an N-gram language model step."""
    word_to_ix = {"hello": 0, "world": 1}
    t_embeds, j_embeds = _embedding_pair(2, 5)
    lookup = [word_to_ix["hello"]]
    _close(j_embeds(jtorch.tensor(lookup, dtype=jtorch.long)),
           t_embeds(torch.tensor(lookup, dtype=torch.long)))

    def ngram_model(nn, F):
        class NGramLanguageModeler(nn.Module):
            def __init__(self, vocab_size, embedding_dim, context_size):
                super().__init__()
                self.embeddings = nn.Embedding(vocab_size, embedding_dim)
                self.linear1 = nn.Linear(context_size * embedding_dim, 4)
                self.linear2 = nn.Linear(4, vocab_size)

            def forward(self, inputs):
                embeds = self.embeddings(inputs).view((1, -1))
                out = F.relu(self.linear1(embeds))
                out = self.linear2(out)
                log_probs = F.log_softmax(out, dim=1)
                return log_probs

        return NGramLanguageModeler(10, 3, 2)

    t_model, j_model = ngram_model(tnn, TF), ngram_model(jnn, JF)
    _copy_state(t_model, j_model)
    context, target = [3, 7], 8
    t_loss = -t_model(torch.tensor(context, dtype=torch.long))[0, target]
    j_loss = -j_model(jtorch.tensor(context, dtype=jtorch.long))[0, target]
    _close(j_loss, t_loss)
    t_loss.backward()
    j_loss.backward()
    for t_p, j_p in zip(t_model.parameters(), j_model.parameters()):
        _close(j_p.grad, t_p.grad, rtol=1e-4, atol=1e-6)


BAG_INDICES = np.array([1, 2, 4, 5, 4, 3, 2, 9, 0, 0], dtype=np.int64)
BAG_OFFSETS = np.array([0, 4, 4, 7], dtype=np.int64)  # bag 1 is empty
BAG_CSR_OFFSETS = np.array([0, 4, 4, 7, 10], dtype=np.int64)  # for include_last_offset


@pytest.mark.parametrize("mode,kwargs", [
    ("sum", {}), ("mean", {}), ("max", {}), ("sum", {"padding_idx": 0}),
    ("mean", {"padding_idx": 0}), ("max", {"padding_idx": 0}),
    ("mean", {"include_last_offset": True}), ("max", {"include_last_offset": True}),
    ("sum", {"max_norm": 1.5})])
def test_embedding_bag_matches_torch(mode, kwargs):
    t_m = tnn.EmbeddingBag(10, 3, mode=mode, **kwargs)
    j_m = jnn.EmbeddingBag(10, 3, mode=mode, **kwargs)
    _copy_state(t_m, j_m)
    assert repr(j_m) == repr(t_m)
    offsets = BAG_CSR_OFFSETS if kwargs.get("include_last_offset") else BAG_OFFSETS
    ty = t_m(torch.tensor(BAG_INDICES), torch.tensor(offsets))
    jy = j_m(jtorch.tensor(BAG_INDICES), jtorch.tensor(offsets))
    assert jy.grad_fn.name() == ty.grad_fn.name()
    _close(jy, ty)
    _backward_weighted(ty, jy)
    _close(j_m.weight.grad, t_m.weight.grad)


def test_embedding_bag_2d_input_and_per_sample_weights():
    t_m = tnn.EmbeddingBag(10, 3, mode="sum")
    j_m = jnn.EmbeddingBag(10, 3, mode="sum")
    _copy_state(t_m, j_m)
    _close(j_m(jtorch.tensor(INDICES)), t_m(torch.tensor(INDICES)))
    weights = _normal(BAG_INDICES.shape)
    tw, jw = _pair(weights)
    ty = t_m(torch.tensor(BAG_INDICES), torch.tensor(BAG_OFFSETS), per_sample_weights=tw)
    jy = j_m(jtorch.tensor(BAG_INDICES), jtorch.tensor(BAG_OFFSETS), per_sample_weights=jw)
    _close(jy, ty, atol=1e-5)
    _backward_weighted(ty, jy)
    _close(jw.grad, tw.grad, atol=1e-5)
    _close(j_m.weight.grad, t_m.weight.grad, atol=1e-5)


@pytest.mark.parametrize("call", [
    lambda F, lib: F.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3), lib.tensor([1])),
    lambda F, lib: F.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3), lib.tensor([0]),
                                   mode="median"),
    lambda F, lib: F.embedding_bag(lib.tensor([[1, 2]]), lib.ones(10, 3), lib.tensor([0])),
    lambda F, lib: F.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3)),
    lambda F, lib: F.embedding_bag(lib.tensor([[[1]]]), lib.ones(10, 3)),
    lambda F, lib: F.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3), lib.tensor([0, 5])),
    lambda F, lib: F.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3), lib.tensor([0]),
                                   mode="mean", per_sample_weights=lib.ones(2)),
    lambda F, lib: F.embedding_bag(lib.tensor([1, 2]), lib.ones(10, 3), lib.tensor([0]),
                                   padding_idx=10),
], ids=["offset0", "mode", "2d-offsets", "no-offsets", "3d", "offsets-past-end",
        "weights-mean", "padding"])
def test_embedding_bag_errors_match_torch(call):
    t_type, t_message = _error(call, TF, torch)
    j_type, j_message = _error(call, JF, jtorch)
    assert t_type is not None and j_type is t_type
    assert j_message == t_message


def test_one_hot():
    labels = np.array([[0, 3], [1, 2]], dtype=np.int64)
    for args in ((), (5,)):
        ty, jy = TF.one_hot(torch.tensor(labels), *args), JF.one_hot(jtorch.tensor(labels), *args)
        assert jy.dtype is jtorch.int64
        np.testing.assert_array_equal(jy.numpy(), ty.numpy())
    assert JF.one_hot(jtorch.tensor([], dtype=jtorch.long), 3).shape == (0, 3)
    for call in (lambda F, lib: F.one_hot(lib.tensor([1.0, 2.0])),
                 lambda F, lib: F.one_hot(lib.tensor([1, 2], dtype=lib.int32)),
                 lambda F, lib: F.one_hot(lib.tensor([-1, 2])),
                 lambda F, lib: F.one_hot(lib.tensor([1, 5]), 3),
                 lambda F, lib: F.one_hot(lib.tensor([], dtype=lib.long))):
        t_type, t_message = _error(call, TF, torch)
        j_type, j_message = _error(call, JF, jtorch)
        assert t_type is RuntimeError and j_type is t_type and j_message == t_message


# ---- distances ---------------------------------------------------------------------------------

X1 = _normal((4, 6), 2)
X2 = _normal((4, 6), 3)
X1_WITH_ZERO = X1.copy()
X1_WITH_ZERO[1] = 0


@pytest.mark.parametrize("name,call", [
    ("cosine", lambda F, a, b: F.cosine_similarity(a, b)),
    ("cosine-dim0", lambda F, a, b: F.cosine_similarity(a, b, dim=0, eps=1e-3)),
    ("cosine-broadcast", lambda F, a, b: F.cosine_similarity(a[:1], b)),
    ("pairwise", lambda F, a, b: F.pairwise_distance(a, b)),
    ("pairwise-p1-keepdim", lambda F, a, b: F.pairwise_distance(a, b, 1.0, keepdim=True)),
    ("pairwise-inf", lambda F, a, b: F.pairwise_distance(a, b, float("inf"))),
    ("pairwise-p3", lambda F, a, b: F.pairwise_distance(a, b, 3.0)),
    ("pdist", lambda F, a, b: F.pdist(a)),
    ("pdist-p1", lambda F, a, b: F.pdist(a, 1)),
    ("normalize-zero-row", lambda F, a, b: F.normalize(a, dim=1)),
])
@pytest.mark.parametrize("x1", [X1, X1_WITH_ZERO], ids=["random", "zero-row"])
def test_distances_match_torch(name, call, x1):
    (t1, j1), (t2, j2) = _pair(x1), _pair(X2)
    ty, jy = call(TF, t1, t2), call(JF, j1, j2)
    assert jy.grad_fn.name() == ty.grad_fn.name()
    _close(jy, ty, atol=1e-5)
    _backward_weighted(ty, jy)
    _close(j1.grad, t1.grad, rtol=1e-4, atol=1e-5)
    assert not np.isnan(j1.grad.numpy()).any()


def test_pdist_of_identical_rows_has_zero_gradient():
    rows = np.repeat(X1[:1], 3, axis=0)
    tx, jx = _pair(rows)
    TF.pdist(tx).sum().backward()
    JF.pdist(jx).sum().backward()
    _close(jx.grad, tx.grad)


def test_distance_modules_and_errors():
    for args in ((), (1.0, 1e-3, True)):
        assert repr(jnn.PairwiseDistance(*args)) == repr(tnn.PairwiseDistance(*args))
        t_m, j_m = tnn.PairwiseDistance(*args), jnn.PairwiseDistance(*args)
        _close(j_m(jtorch.tensor(X1), jtorch.tensor(X2)), t_m(torch.tensor(X1), torch.tensor(X2)))
    for args in ((), (0, 1e-3)):
        t_m, j_m = tnn.CosineSimilarity(*args), jnn.CosineSimilarity(*args)
        assert repr(j_m) == repr(t_m)
        _close(j_m(jtorch.tensor(X1), jtorch.tensor(X2)), t_m(torch.tensor(X1), torch.tensor(X2)))
    for call in (lambda F, lib: F.cosine_similarity(lib.ones(2, 3), lib.ones(2, 4)),
                 lambda F, lib: F.pairwise_distance(lib.ones(2, 3), lib.ones(2, 4)),
                 lambda F, lib: F.pdist(lib.ones(2, 3, 4)),
                 lambda F, lib: F.pdist(lib.ones(2, 3), -1),
                 lambda F, lib: F.normalize(lib.tensor([1, 2]))):
        t_type, t_message = _error(call, TF, torch)
        j_type, j_message = _error(call, JF, jtorch)
        assert t_type is RuntimeError and j_type is t_type and j_message == t_message


# ---- nn.utils: clipping and vectors ----------------------------------------------------------

def _model_pair():
    t_m = tnn.Sequential(tnn.Linear(6, 4), tnn.ReLU(), tnn.Linear(4, 10))
    j_m = jnn.Sequential(jnn.Linear(6, 4), jnn.ReLU(), jnn.Linear(4, 10))
    _copy_state(t_m, j_m)
    values = _normal((8, 6), 4) * 10
    t_m(torch.tensor(values)).pow(2).sum().backward()
    j_m(jtorch.tensor(values)).pow(2).sum().backward()
    return t_m, j_m


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), "inf", 3.0])
def test_clip_grad_norm_matches_torch(norm_type):
    t_m, j_m = _model_pair()
    grads_before = [p.grad for p in j_m.parameters()]
    t_total = tnn.utils.clip_grad_norm_(t_m.parameters(), 0.5, norm_type)
    j_total = jutils.clip_grad_norm_(j_m.parameters(), 0.5, norm_type)
    _close(j_total, t_total, rtol=1e-5)
    assert j_total.grad_fn is None
    for t_p, j_p, before in zip(t_m.parameters(), j_m.parameters(), grads_before):
        assert j_p.grad is before  # clipped in place
        _close(j_p.grad, t_p.grad, rtol=1e-5)


def test_clip_grad_norm_options():
    t_m, j_m = _model_pair()
    _close(jutils.clip_grad_norm_(list(j_m.parameters())[0], 1e6, foreach=True),
           tnn.utils.clip_grad_norm_(list(t_m.parameters())[0], 1e6, foreach=True))
    _close(jutils.get_total_norm([p.grad for p in j_m.parameters()]),
           tnn.utils.get_total_norm([p.grad for p in t_m.parameters()]))
    with pytest.warns(UserWarning, match="empty generator"):
        total = jutils.clip_grad_norm_((p for p in []), 1.0)
    assert total.item() == 0.0 and total.dtype is jtorch.float32
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        jutils.clip_grad_norm(j_m.parameters(), 1.0)
    p = jnn.Parameter(jtorch.ones(3))
    p.grad = jtorch.tensor([1.0, float("inf"), 0.0])
    with pytest.raises(RuntimeError, match="The total norm of order 2.0 for gradients from "
                                           "`parameters` is non-finite"):
        jutils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    no_grad_param = jnn.Parameter(jtorch.ones(2))
    assert jutils.clip_grad_norm_([no_grad_param], 1.0).item() == 0.0


def test_clip_grad_value_matches_torch():
    t_m, j_m = _model_pair()
    assert jutils.clip_grad_value_(j_m.parameters(), 0.7, foreach=None) is None
    tnn.utils.clip_grad_value_(t_m.parameters(), 0.7)
    for t_p, j_p in zip(t_m.parameters(), j_m.parameters()):
        _close(j_p.grad, t_p.grad, rtol=1e-4)
        assert np.abs(j_p.grad.numpy()).max() <= 0.7


def test_parameters_to_vector_and_back():
    t_m, j_m = _model_pair()
    t_vec = tnn.utils.parameters_to_vector(t_m.parameters())
    j_vec = jutils.parameters_to_vector(j_m.parameters())
    _close(j_vec, t_vec)
    assert j_vec.grad_fn.name() == t_vec.grad_fn.name() == "CatBackward0"
    new = np.arange(t_vec.numel(), dtype=np.float32)
    tnn.utils.vector_to_parameters(torch.tensor(new), t_m.parameters())
    jutils.vector_to_parameters(jtorch.tensor(new), j_m.parameters())
    for t_p, j_p in zip(t_m.parameters(), j_m.parameters()):
        _close(j_p, t_p)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        jutils.vector_to_parameters([1.0], j_m.parameters())


# ---- nn.utils: weight norm, spectral norm, parametrize ----------------------------------------

def _forward_backward_same(t_m, j_m, in_features=6, rtol=1e-5):
    values = _normal((3, in_features), 5)
    ty, jy = t_m(torch.tensor(values)), j_m(jtorch.tensor(values))
    _close(jy, ty, rtol, 1e-5)
    _backward_weighted(ty, jy)
    for (name, t_p), (j_name, j_p) in zip(t_m.named_parameters(), j_m.named_parameters()):
        assert name == j_name
        _close(j_p.grad, t_p.grad, rtol, 1e-5)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_hook_weight_norm_matches_torch(dim):
    with pytest.warns(FutureWarning):
        t_m = tnn.utils.weight_norm(tnn.Linear(6, 4), dim=dim)
    with pytest.warns(FutureWarning, match="parametrizations.weight_norm"):
        j_m = jutils.weight_norm(jnn.Linear(6, 4), dim=dim)
    assert list(j_m.state_dict()) == list(t_m.state_dict())
    for key, value in t_m.state_dict().items():
        assert tuple(j_m.state_dict()[key].shape) == tuple(value.shape)
    _copy_state(t_m, j_m)
    assert j_m.weight.grad_fn.name() == t_m.weight.grad_fn.name()
    _forward_backward_same(t_m, j_m)
    tnn.utils.remove_weight_norm(t_m)
    jutils.remove_weight_norm(j_m)
    assert list(j_m.state_dict()) == list(t_m.state_dict()) == ["bias", "weight"]
    _close(j_m.weight, t_m.weight)
    with pytest.raises(ValueError, match="weight_norm of 'weight' not found in"):
        jutils.remove_weight_norm(j_m)


def test_parametrizations_weight_norm_matches_torch():
    t_m = tnn.utils.parametrizations.weight_norm(tnn.Linear(6, 4))
    j_m = jutils.parametrizations.weight_norm(jnn.Linear(6, 4))
    assert repr(j_m) == repr(t_m)
    assert type(j_m).__name__ == "ParametrizedLinear"
    assert list(j_m.state_dict()) == list(t_m.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    _copy_state(t_m, j_m)
    _close(j_m.weight, t_m.weight)
    _forward_backward_same(t_m, j_m)
    tnn.utils.parametrize.remove_parametrizations(t_m, "weight")
    jutils.parametrize.remove_parametrizations(j_m, "weight")
    assert type(j_m) is jnn.Linear and list(j_m.state_dict()) == ["bias", "weight"]
    _close(j_m.weight, t_m.weight)


def _spectral_pair(parametrized):
    torch_fn = (tnn.utils.parametrizations.spectral_norm if parametrized
                else tnn.utils.spectral_norm)
    jtorch_fn = (jutils.parametrizations.spectral_norm if parametrized
                 else jutils.spectral_norm)
    t_m, j_m = torch_fn(tnn.Linear(6, 4)), jtorch_fn(jnn.Linear(6, 4))
    _copy_state(t_m, j_m)  # weight, bias and the power method's u, v
    return t_m, j_m


@pytest.mark.parametrize("parametrized", [False, True], ids=["hook", "parametrization"])
def test_spectral_norm_matches_torch(parametrized):
    t_m, j_m = _spectral_pair(parametrized)
    assert list(j_m.state_dict()) == list(t_m.state_dict())
    assert repr(j_m) == repr(t_m)
    for _ in range(2):  # training: a power-method step per forward
        _forward_backward_same(t_m, j_m, rtol=1e-4)
        for key, value in t_m.state_dict().items():
            _close(j_m.state_dict()[key], value, rtol=1e-4, atol=1e-5)
    t_m.eval(), j_m.eval()
    with torch.no_grad():
        ty = t_m(torch.tensor(X1))
    _close(j_m(jtorch.tensor(X1)), ty, rtol=1e-4, atol=1e-5)


def test_spectral_norm_normalises_the_largest_singular_value():
    m = jutils.parametrizations.spectral_norm(jnn.Linear(6, 4))
    for _ in range(30):
        weight = m.weight
    singular_values = np.linalg.svd(weight.detach().numpy(), compute_uv=False)
    assert abs(singular_values[0] - 1) < 1e-2
    hook = jutils.spectral_norm(jnn.Linear(6, 4))
    hook(jtorch.ones(1, 6))
    jutils.remove_spectral_norm(hook)
    assert list(hook.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError, match="Expected n_power_iterations to be positive"):
        jutils.spectral_norm(jnn.Linear(6, 4), n_power_iterations=0)


class _Symmetric:
    """The parametrize tutorial's Symmetric (built on either library)."""

    @staticmethod
    def build(nn):
        class Symmetric(nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).transpose(-1, -2)

        return Symmetric()


class _Scale:
    """A parametrization with a right_inverse, built on either library."""

    @staticmethod
    def build(nn):
        class Scale(nn.Module):
            def forward(self, x):
                return x * 2

            def right_inverse(self, x):
                return x / 2

        return Scale()


def test_register_parametrization_with_right_inverse():
    values = _normal((4, 6), 6)
    modules = {}
    for lib, nn, parametrize in ((torch, tnn, tnn.utils.parametrize),
                                 (jtorch, jnn, jutils.parametrize)):
        m = nn.Linear(6, 4)
        with lib.no_grad():
            m.weight.copy_(lib.tensor(values))
            m.bias.zero_()
        assert not parametrize.is_parametrized(m)
        parametrize.register_parametrization(m, "weight", _Scale.build(nn))
        assert parametrize.is_parametrized(m) and parametrize.is_parametrized(m, "weight")
        assert not parametrize.is_parametrized(m, "bias")
        assert parametrize.type_before_parametrizations(m) is nn.Linear
        modules[lib] = m
    t_m, j_m = modules[torch], modules[jtorch]
    assert repr(j_m) == repr(t_m)
    assert list(j_m.state_dict()) == list(t_m.state_dict())
    _close(j_m.parametrizations.weight.original, t_m.parametrizations.weight.original)
    _close(j_m.weight, t_m.weight)
    _forward_backward_same(t_m, j_m, in_features=6)
    new = _normal((4, 6), 7)
    t_m.weight = torch.tensor(new)
    j_m.weight = jtorch.tensor(new)  # assignment goes through right_inverse
    _close(j_m.parametrizations.weight.original, t_m.parametrizations.weight.original)
    with jutils.parametrize.cached():
        assert j_m.weight is j_m.weight
    assert j_m.weight is not j_m.weight
    tnn.utils.parametrize.remove_parametrizations(t_m, "weight", leave_parametrized=False)
    jutils.parametrize.remove_parametrizations(j_m, "weight", leave_parametrized=False)
    _close(j_m.weight, t_m.weight)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        jutils.parametrize.remove_parametrizations(j_m, "weight")


@pytest.mark.skipif(not hasattr(jtorch.Tensor, "triu"), reason="needs Tensor.triu")
def test_parametrize_tutorial_symmetric():
    t_m, j_m = tnn.Linear(3, 3), jnn.Linear(3, 3)
    _copy_state(t_m, j_m)
    tnn.utils.parametrize.register_parametrization(t_m, "weight", _Symmetric.build(tnn))
    jutils.parametrize.register_parametrization(j_m, "weight", _Symmetric.build(jnn))
    _close(j_m.weight, t_m.weight)
    _forward_backward_same(t_m, j_m, in_features=3)


def test_register_parametrization_errors():
    m = jnn.Linear(6, 4)
    with pytest.raises(ValueError, match="does not have a parameter, a buffer, or a "
                                         "parametrized element with name 'nope'"):
        jutils.parametrize.register_parametrization(m, "nope", _Scale.build(jnn))

    class Shrink(jnn.Module):
        def forward(self, x):
            return x[:2]

    with pytest.raises(ValueError, match="may not change the shape"):
        jutils.parametrize.register_parametrization(m, "weight", Shrink())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jutils.parametrize.register_parametrization(m, "weight", Shrink(), unsafe=True)
    assert m.weight.shape == (2, 6)
