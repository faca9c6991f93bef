"""The nn.Module system against torch: registration, traversal names (prefix, remove_duplicate),
state_dict/load_state_dict (strict=False result, _IncompatibleKeys repr, size-mismatch
message, assign=), dtype/device conversions of parameters and buffers, get_parameter/get_buffer
errors, forward pre/post hooks with and without kwargs, full backward (pre) hooks, and the
extra_repr of every layer built with non-default arguments."""

import collections
import warnings

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")


def _values(shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _copy_state(t_module, j_module):
    j_module.load_state_dict({k: jtorch.tensor(v.detach().numpy())
                              for k, v in t_module.state_dict().items()})


def _close(j, t, atol=1e-5):
    assert tuple(j.shape) == tuple(t.shape)
    assert str(j.dtype) == str(t.dtype)
    np.testing.assert_allclose(j.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=atol)


def _net(lib):
    """Linear + BatchNorm + a tied Linear + a non-persistent buffer + a None parameter."""
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.bn = nn.BatchNorm1d(4)
            self.tied = self.fc
            self.head = nn.Sequential(nn.ReLU(), nn.Linear(4, 2, bias=False))
            self.register_buffer("steps", lib.zeros(2))
            self.register_buffer("scratch", lib.ones(1), persistent=False)
            self.register_parameter("unused", None)
            self.scale = nn.Parameter(lib.ones(1))

        def forward(self, x):
            return self.head(self.bn(self.tied(x))) * self.scale

    return Net()


def _pair_of_nets():
    torch.manual_seed(0)
    t, j = _net(torch), _net(jtorch)
    _copy_state(t, j)
    return t, j


# ---- traversal, names and state_dict --------------------------------------------------------

@pytest.mark.parametrize("kwargs", [{}, {"prefix": "model"}, {"remove_duplicate": False},
                                    {"recurse": False}, {"prefix": "m", "recurse": False}])
def test_named_members_match_torch(kwargs):
    t, j = _pair_of_nets()
    for method in ("named_parameters", "named_buffers"):
        t_names = [n for n, _ in getattr(t, method)(**kwargs)]
        j_names = [n for n, _ in getattr(j, method)(**kwargs)]
        assert j_names == t_names, method
    if "recurse" not in kwargs:
        module_kwargs = {k: v for k, v in kwargs.items()}
        assert ([n for n, _ in j.named_modules(**module_kwargs)]
                == [n for n, _ in t.named_modules(**module_kwargs)])
    assert [n for n, _ in j.named_children()] == [n for n, _ in t.named_children()]
    assert len(list(j.parameters())) == len(list(t.parameters()))
    assert len(list(j.modules())) == len(list(t.modules()))


def test_state_dict_keys_shapes_dtypes_and_keep_vars():
    t, j = _pair_of_nets()
    for kwargs in ({}, {"prefix": "p."}, {"keep_vars": True}):
        t_state, j_state = t.state_dict(**kwargs), j.state_dict(**kwargs)
        assert isinstance(j_state, collections.OrderedDict)
        assert list(j_state) == list(t_state)
        for key in t_state:
            assert tuple(j_state[key].shape) == tuple(t_state[key].shape)
            assert str(j_state[key].dtype) == str(t_state[key].dtype)
            assert j_state[key].requires_grad == t_state[key].requires_grad
    assert list(j.state_dict()._metadata) == list(t.state_dict()._metadata)
    assert j.state_dict()._metadata["bn"] == t.state_dict()._metadata["bn"]


def test_load_state_dict_strict_false_result_and_repr():
    t, j = _pair_of_nets()
    t_sd = {"fc.weight": torch.zeros(4, 3), "extra": torch.zeros(1), "bn.foo": torch.ones(1)}
    j_sd = {k: jtorch.tensor(v.numpy()) for k, v in t_sd.items()}
    t_res, j_res = t.load_state_dict(t_sd, strict=False), j.load_state_dict(j_sd, strict=False)
    assert repr(j_res) == repr(t_res)
    assert str(j_res) == str(t_res)
    assert j_res.missing_keys == t_res.missing_keys
    assert j_res.unexpected_keys == t_res.unexpected_keys
    assert list(j_sd) == list(t_sd)  # the caller's dict is not edited (no num_batches_tracked)
    assert repr(j.load_state_dict(j.state_dict())) == "<All keys matched successfully>"
    assert (j.fc.weight.detach().numpy() == 0).all()


@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_errors_identical_to_torch(strict):
    t, j = _pair_of_nets()
    bad = {"fc.weight": np.zeros((2, 3), np.float32), "fc.bias": np.zeros((4, 1), np.float32),
           "surplus": np.zeros(1, np.float32)}
    messages = []
    for lib, module in ((torch, t), (jtorch, j)):
        with pytest.raises(RuntimeError) as info:
            module.load_state_dict({k: lib.tensor(v) for k, v in bad.items()}, strict=strict)
        messages.append(str(info.value))
    assert messages[1] == messages[0]
    with pytest.raises(TypeError):
        j.load_state_dict([1, 2])


def test_load_state_dict_assign_and_zero_dim_compat():
    j = jtorch.nn.Linear(2, 3)
    new_weight = jtorch.ones(3, 2)
    j.load_state_dict({"weight": new_weight, "bias": jtorch.zeros(3)}, assign=True)
    t = torch.nn.Linear(2, 3)
    t.load_state_dict({"weight": torch.ones(3, 2), "bias": torch.zeros(3)}, assign=True)
    assert type(j.weight).__name__ == type(t.weight).__name__ == "Parameter"
    assert j.weight.requires_grad and t.weight.requires_grad
    assert (j.weight.detach().numpy() == 1).all()
    bn_t, bn_j = torch.nn.BatchNorm1d(2), jtorch.nn.BatchNorm1d(2)
    bn_t.load_state_dict({**bn_t.state_dict(), "num_batches_tracked": torch.tensor([3])})
    bn_j.load_state_dict({**bn_j.state_dict(), "num_batches_tracked": jtorch.tensor([3])})
    assert int(bn_j.num_batches_tracked) == int(bn_t.num_batches_tracked) == 3


def test_load_state_dict_post_hook_sees_incompatible_keys():
    seen = {}
    for lib in (torch, jtorch):
        m = lib.nn.Linear(2, 2)

        def hook(module, keys, lib=lib):
            seen[lib.__name__] = (list(keys.missing_keys), list(keys.unexpected_keys))
            keys.missing_keys.clear()

        m.register_load_state_dict_post_hook(hook)
        result = m.load_state_dict({"weight": lib.zeros(2, 2), "x": lib.zeros(1)}, strict=False)
        assert result.missing_keys == []
    assert seen["jtorch"] == seen["torch"]


def test_to_dtype_half_double_convert_float_buffers_only():
    t, j = _pair_of_nets()
    for method, args in (("to", (torch.float64,)), ("half", ()), ("double", ()), ("float", ()),
                         ("bfloat16", ())):
        j_args = tuple(getattr(jtorch, str(a).split(".")[1]) for a in args)
        getattr(t, method)(*args)
        getattr(j, method)(*j_args)
        t_state, j_state = t.state_dict(keep_vars=True), j.state_dict(keep_vars=True)
        for key in t_state:
            assert str(j_state[key].dtype) == str(t_state[key].dtype), (method, key)
        assert str(j.scratch.dtype) == str(t.scratch.dtype)
        assert isinstance(j.fc.weight, jtorch.nn.Parameter)
    weight = j.fc.weight
    j.to(jtorch.float32)
    assert j.fc.weight is weight  # the same Parameter object, as in torch
    with pytest.raises(TypeError):
        j.to(jtorch.int64)
    with pytest.raises(TypeError):
        t.to(torch.int64)


def test_to_empty_and_skip_init():
    j = jtorch.nn.utils.skip_init(jtorch.nn.Linear, 5, 3)
    t = torch.nn.utils.skip_init(torch.nn.Linear, 5, 3)
    assert repr(j) == repr(t)
    assert tuple(j.weight.shape) == (3, 5) and isinstance(j.weight, jtorch.nn.Parameter)
    with pytest.raises(RuntimeError):
        jtorch.nn.utils.skip_init(int)
    with pytest.raises(RuntimeError):
        torch.nn.utils.skip_init(int)
    with pytest.raises(RuntimeError):
        jtorch.nn.utils.skip_init(jtorch.nn.ReLU)
    with pytest.raises(RuntimeError):
        torch.nn.utils.skip_init(torch.nn.ReLU)
    m = jtorch.nn.BatchNorm1d(3).to_empty(device="cpu")
    assert [tuple(b.shape) for b in m.buffers()] == [(3,), (3,), ()]


def _registration_outcome(lib):
    m = lib.nn.Module()
    m.register_module("child", lib.nn.Linear(2, 2))
    m.register_buffer("buf", lib.zeros(1))
    m.register_parameter("p", lib.nn.Parameter(lib.ones(1)))
    errors = []
    for call in (lambda: m.register_module("a.b", lib.nn.ReLU()),
                 lambda: m.register_module("", lib.nn.ReLU()),
                 lambda: m.register_module("x", 3),
                 lambda: m.register_buffer("buf2", 3),
                 lambda: m.register_buffer("child", lib.zeros(1)),
                 lambda: m.register_buffer("a.b", lib.zeros(1)),
                 lambda: m.register_parameter("q", lib.zeros(1)),
                 lambda: m.register_parameter(3, None),
                 lambda: setattr(m, "p", lib.zeros(1)),
                 lambda: setattr(m, "child", 5),
                 lambda: m.get_submodule("child.nope"),
                 lambda: m.get_submodule("buf"),
                 lambda: m.get_parameter("child.nope"),
                 lambda: m.get_parameter("buf"),
                 lambda: m.get_parameter("child"),
                 lambda: m.get_buffer("child.weight"),
                 lambda: m.get_buffer("nope"),
                 lambda: m.nope):
        try:
            call()
            errors.append(None)
        except Exception as e:  # noqa: BLE001 - the type and message are what is compared
            errors.append((type(e).__name__, str(e)))
    return (list(m.state_dict()), errors, m.get_parameter("child.weight").shape,
            tuple(m.get_buffer("buf").shape), repr(m))


def test_register_module_parameter_buffer_and_errors():
    assert _registration_outcome(jtorch) == _registration_outcome(torch)


def test_train_eval_zero_grad_requires_grad_apply():
    t, j = _pair_of_nets()
    for m in (t, j):
        m.eval()
        assert not m.head[1].training
        m.train()
        assert m.bn.training
    x = _values((5, 3))
    t(torch.tensor(x)).sum().backward()
    j(jtorch.tensor(x)).sum().backward()
    for tp, jp in zip(t.parameters(), j.parameters()):
        _close(jp.grad, tp.grad)
    j.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.detach().numpy().any() for p in j.parameters())
    j.zero_grad()
    assert all(p.grad is None for p in j.parameters())
    j.requires_grad_(False)
    assert not any(p.requires_grad for p in j.parameters())
    names = []
    j.apply(lambda m: names.append(type(m).__name__))
    t_names = []
    t.apply(lambda m: t_names.append(type(m).__name__))
    assert names == t_names
    with pytest.raises(ValueError):
        j.train("yes")


# ---- hooks ------------------------------------------------------------------------------------

def _hook_run(lib, with_kwargs):
    """Forward pre/post hooks (plain and with kwargs), each changing the values, on a module
    taking a keyword argument; returns the output and what the hooks saw."""
    nn = lib.nn

    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 2)

        def forward(self, x, scale=1.0):
            return self.fc(x) * scale

    torch.manual_seed(1)
    m = Scaled()
    if lib is jtorch:
        m.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in
                           _hook_run.torch_state.items()})
    else:
        _hook_run.torch_state = m.state_dict()
    seen = []

    def pre(module, args, kwargs=None):
        seen.append(("pre", len(args), sorted(kwargs) if kwargs is not None else None))
        if with_kwargs:
            return (args[0] + 1,), dict(kwargs, scale=2.0)
        return (args[0] + 1,)

    def post(module, args, *rest):
        output = rest[-1]
        seen.append(("post", len(args), sorted(rest[0]) if len(rest) == 2 else None,
                     tuple(output.shape)))
        return output * 3

    h1 = m.register_forward_pre_hook(pre, with_kwargs=with_kwargs)
    h2 = m.register_forward_hook(post, with_kwargs=with_kwargs)
    first = lib.nn.Identity()
    m.register_forward_pre_hook(lambda mod, a: seen.append("prepended") or None, prepend=True)
    x = lib.tensor(_values((4, 3)))
    out = m(x, scale=0.5)
    h1.remove()
    h2.remove()
    out_after = m(x, scale=0.5)
    del first
    return out, out_after, seen


@pytest.mark.parametrize("with_kwargs", [False, True])
def test_forward_hooks_match_torch(with_kwargs):
    t_out, t_after, t_seen = _hook_run(torch, with_kwargs)
    j_out, j_after, j_seen = _hook_run(jtorch, with_kwargs)
    _close(j_out, t_out)
    _close(j_after, t_after)
    assert j_seen == t_seen


def test_forward_hook_always_call_runs_when_forward_raises():
    for lib in (torch, jtorch):
        calls = []
        m = lib.nn.Linear(2, 2)
        m.register_forward_hook(lambda *a, seen=calls: seen.append("always"), always_call=True)
        m.register_forward_hook(lambda *a, seen=calls: seen.append("normal"))
        with pytest.raises(RuntimeError):
            m(lib.zeros(3, 5))
        assert calls == ["always"], lib.__name__


def _backward_hook_run(lib, prepend_pre):
    nn = lib.nn
    torch.manual_seed(2)
    m = nn.Linear(3, 2)
    if lib is jtorch:
        m.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in
                           _backward_hook_run.state.items()})
    else:
        _backward_hook_run.state = m.state_dict()
    seen = []

    def pre_hook(module, grad_output):
        seen.append(("pre", [tuple(g.shape) for g in grad_output]))
        return (grad_output[0] * 2,)

    def hook(module, grad_input, grad_output):
        seen.append(("full", [None if g is None else tuple(g.shape) for g in grad_input],
                     [tuple(g.shape) for g in grad_output],
                     [None if g is None else g.detach().numpy().round(5).tolist()
                      for g in grad_output]))
        return tuple(None if g is None else g * 10 for g in grad_input)

    m.register_full_backward_pre_hook(pre_hook, prepend=prepend_pre)
    handle = m.register_full_backward_hook(hook)
    x = lib.tensor(_values((4, 3)), requires_grad=True)
    m(x).pow(2).sum().backward()
    grad_hooked = x.grad.detach().clone()
    handle.remove()
    x.grad = None
    m(x).sum().backward()
    # inputs that do not require grad: grad_input holds None (torch warns)
    m.register_full_backward_hook(hook)
    with pytest.warns(UserWarning, match="Full backward hook is firing"):
        m(lib.tensor(_values((4, 3)))).sum().backward()

    class Product(nn.Module):
        def forward(self, a, b, c=None):
            return a * b

    # one input requiring grad: grad_input has an entry for every positional tensor
    product = Product()
    product.register_full_backward_hook(hook)
    a = lib.tensor(_values((2,)), requires_grad=True)
    product(a, lib.tensor(_values((2,), 1)), c=lib.ones(1)).sum().backward()
    return grad_hooked, x.grad, m.weight.grad, seen


def test_full_backward_hooks_match_torch():
    t_grad, t_after, t_wgrad, t_seen = _backward_hook_run(torch, False)
    j_grad, j_after, j_wgrad, j_seen = _backward_hook_run(jtorch, False)
    _close(j_grad, t_grad)
    _close(j_after, t_after)
    _close(j_wgrad, t_wgrad, atol=1e-4)
    assert j_seen == t_seen


# ---- extra_repr of every layer ---------------------------------------------------------------

LAYERS = [
    ("Linear", (3, 4), {"bias": False}),
    ("Bilinear", (2, 3, 4), {"bias": False}),
    ("LazyLinear", (4,), {"bias": False}),
    ("Identity", (3,), {"x": 1}),
    ("Flatten", (), {"start_dim": 2, "end_dim": -2}),
    ("Unflatten", (1, (2, 3)), {}),
    ("Conv1d", (2, 4, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2, "bias": False,
                           "padding_mode": "reflect"}),
    ("Conv2d", (2, 4, (3, 2)), {"padding": "same", "padding_mode": "circular"}),
    ("Conv3d", (2, 4, 3), {"stride": (1, 2, 1), "padding": "valid"}),
    ("ConvTranspose1d", (2, 4, 3), {"stride": 2, "output_padding": 1, "groups": 2,
                                    "dilation": 2}),
    ("ConvTranspose2d", (2, 4, 3), {"padding": (1, 0), "bias": False}),
    ("ConvTranspose3d", (2, 4, 3), {"stride": 2, "output_padding": (1, 0, 1)}),
    ("LazyConv2d", (4, 3), {"stride": 2, "groups": 2}),
    ("LazyConvTranspose1d", (4, 3), {"output_padding": 0, "bias": False}),
    ("Fold", ((4, 5), 2), {"dilation": 1, "padding": 1, "stride": 1}),
    ("Unfold", (2,), {"dilation": 2, "stride": 2}),
    ("MaxPool1d", (3,), {"stride": 2, "padding": 1, "dilation": 2, "return_indices": True,
                         "ceil_mode": True}),
    ("MaxPool2d", ((3, 2),), {"ceil_mode": True}),
    ("MaxPool3d", (2,), {"padding": 1}),
    ("AvgPool1d", (3,), {"stride": 1, "padding": 1, "ceil_mode": True,
                         "count_include_pad": False}),
    ("AvgPool2d", (3,), {"divisor_override": 2}),
    ("AvgPool3d", ((1, 2, 3),), {"ceil_mode": True}),
    ("AdaptiveAvgPool1d", (3,), {}),
    ("AdaptiveAvgPool2d", ((None, 4),), {}),
    ("AdaptiveAvgPool3d", (2,), {}),
    ("AdaptiveMaxPool1d", (3,), {"return_indices": True}),
    ("AdaptiveMaxPool2d", ((2, 3),), {}),
    ("AdaptiveMaxPool3d", (2,), {}),
    ("LPPool1d", (2, 3), {"stride": 2, "ceil_mode": True}),
    ("LPPool2d", (1.5, (2, 3)), {}),
    ("MaxUnpool1d", (2,), {"stride": 3}),
    ("MaxUnpool2d", (2,), {"padding": 1}),
    ("MaxUnpool3d", (2,), {}),
    ("FractionalMaxPool2d", (2,), {"output_size": 3, "return_indices": True}),
    ("FractionalMaxPool3d", (2,), {"output_ratio": 0.5}),
    ("ZeroPad2d", ((1, 2, 0, 3),), {}),
    ("ConstantPad1d", (2, 3.5), {}),
    ("ConstantPad2d", ((1, 0, 2, 1), -1.0), {}),
    ("ConstantPad3d", (1, 0.0), {}),
    ("ReflectionPad1d", ((1, 2),), {}),
    ("ReflectionPad2d", (2,), {}),
    ("ReplicationPad1d", (1,), {}),
    ("ReplicationPad2d", ((1, 0, 0, 2),), {}),
    ("ReLU", (), {"inplace": True}),
    ("ReLU6", (), {"inplace": True}),
    ("LeakyReLU", (0.2,), {"inplace": True}),
    ("PReLU", (3,), {"init": 0.1}),
    ("ELU", (0.5,), {"inplace": True}),
    ("SELU", (), {"inplace": True}),
    ("CELU", (2.0,), {}),
    ("GELU", (), {"approximate": "tanh"}),
    ("SiLU", (), {"inplace": True}),
    ("Mish", (), {"inplace": True}),
    ("Sigmoid", (), {}),
    ("Tanh", (), {}),
    ("Hardtanh", (-2.0, 3.0), {"inplace": True}),
    ("Hardsigmoid", (), {"inplace": True}),
    ("Hardswish", (), {"inplace": True}),
    ("Softplus", (2, 10), {}),
    ("Softsign", (), {}),
    ("Softmax", (), {"dim": 1}),
    ("Softmax2d", (), {}),
    ("LogSoftmax", (), {"dim": -1}),
    ("Softmin", (), {"dim": 0}),
    ("Threshold", (0.1, 20.0), {"inplace": True}),
    ("LogSigmoid", (), {}),
    ("Tanhshrink", (), {}),
    ("Softshrink", (0.3,), {}),
    ("Hardshrink", (0.3,), {}),
    ("GLU", (0,), {}),
    ("RReLU", (0.1, 0.2), {"inplace": True}),
    ("BatchNorm1d", (3,), {"eps": 1e-3, "momentum": None, "affine": False,
                           "track_running_stats": False}),
    ("BatchNorm2d", (3,), {"momentum": 0.2, "bias": False}),
    ("BatchNorm3d", (3,), {}),
    ("LazyBatchNorm2d", (), {"eps": 0.1, "affine": False}),
    ("SyncBatchNorm", (3,), {"momentum": 0.3}),
    ("GroupNorm", (2, 4), {"eps": 1e-3, "affine": False}),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}),
    ("InstanceNorm2d", (3,), {"eps": 0.01}),
    ("InstanceNorm3d", (3,), {"momentum": 0.5}),
    ("LazyInstanceNorm1d", (), {"affine": False}),
    ("LayerNorm", ((3, 4),), {"eps": 1e-3, "elementwise_affine": False}),
    ("LayerNorm", (4,), {"bias": False}),
    ("LocalResponseNorm", (3,), {"alpha": 1e-3, "beta": 0.5, "k": 2.0}),
    ("CrossMapLRN2d", (3,), {"alpha": 1e-3, "beta": 0.5, "k": 2}),
    ("RMSNorm", ((3, 4),), {"eps": 1e-3, "elementwise_affine": False}),
    ("RMSNorm", (4,), {}),
    ("Dropout", (0.3,), {"inplace": True}),
    ("Dropout1d", (0.2,), {}),
    ("Dropout2d", (0.1,), {}),
    ("Dropout3d", (), {}),
    ("AlphaDropout", (0.2,), {}),
    ("FeatureAlphaDropout", (0.2,), {}),
    ("Embedding", (10, 3), {"padding_idx": 0, "max_norm": 1.0, "norm_type": 1.0,
                            "scale_grad_by_freq": True, "sparse": True}),
    ("EmbeddingBag", (10, 3), {"mode": "max", "padding_idx": 1, "max_norm": 2.0}),
    ("RNN", (3, 4), {"num_layers": 2, "nonlinearity": "relu", "bias": False,
                     "batch_first": True, "dropout": 0.5, "bidirectional": True}),
    ("LSTM", (3, 4), {"proj_size": 2, "batch_first": True}),
    ("GRU", (3, 4), {"num_layers": 3}),
    ("RNNCell", (3, 4), {"bias": False, "nonlinearity": "relu"}),
    ("LSTMCell", (3, 4), {}),
    ("GRUCell", (3, 4), {"bias": False}),
    ("MultiheadAttention", (8, 2), {"dropout": 0.1, "bias": False, "kdim": 4, "vdim": 6}),
    ("TransformerEncoderLayer", (8, 2), {"dim_feedforward": 16, "norm_first": True,
                                         "activation": "gelu", "batch_first": True}),
    ("TransformerDecoderLayer", (8, 2), {"dim_feedforward": 16, "dropout": 0.0}),
    ("PixelShuffle", (2,), {}),
    ("PixelUnshuffle", (3,), {}),
    ("ChannelShuffle", (3,), {}),
    ("Upsample", (), {"scale_factor": 2.0, "mode": "bilinear", "align_corners": True}),
    ("Upsample", ((4, 5),), {}),
    ("UpsamplingNearest2d", (), {"scale_factor": 2}),
    ("UpsamplingBilinear2d", ((3, 3),), {}),
    ("CosineSimilarity", (0, 1e-6), {}),
    ("PairwiseDistance", (1.0, 1e-3, True), {}),
    ("L1Loss", (), {"reduction": "sum"}),
    ("MSELoss", (), {"reduction": "none"}),
    ("CrossEntropyLoss", (), {"ignore_index": 2, "label_smoothing": 0.1}),
    ("NLLLoss", (), {"reduction": "sum"}),
    ("BCELoss", (), {}),
    ("BCEWithLogitsLoss", (), {"reduction": "sum"}),
    ("SmoothL1Loss", (), {"beta": 0.5}),
    ("HuberLoss", (), {"delta": 2.0}),
    ("KLDivLoss", (), {"reduction": "batchmean", "log_target": True}),
    ("CTCLoss", (), {"blank": 1, "zero_infinity": True}),
    ("MarginRankingLoss", (), {"margin": 0.5}),
    ("HingeEmbeddingLoss", (), {"margin": 2.0}),
    ("CosineEmbeddingLoss", (), {"margin": 0.1}),
    ("MultiLabelMarginLoss", (), {}),
    ("MultiLabelSoftMarginLoss", (), {}),
    ("MultiMarginLoss", (), {"p": 2, "margin": 0.5}),
    ("SoftMarginLoss", (), {}),
    ("TripletMarginLoss", (), {"margin": 2.0, "p": 1.0, "swap": True}),
    ("TripletMarginWithDistanceLoss", (), {"margin": 2.0, "swap": True}),
    ("PoissonNLLLoss", (), {"log_input": False, "full": True}),
    ("GaussianNLLLoss", (), {"full": True, "eps": 1e-3}),
]


@pytest.mark.parametrize("name,args,kwargs", LAYERS,
                         ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(LAYERS)])
def test_layer_repr_with_non_default_arguments(name, args, kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = getattr(torch.nn, name)(*args, **kwargs)
        j = getattr(jtorch.nn, name)(*args, **kwargs)
    assert repr(j) == repr(t)
    t_state, j_state = t.state_dict(), j.state_dict()
    assert list(j_state) == list(t_state)
    for key, value in t_state.items():
        if type(value).__name__.startswith("Uninitialized"):
            assert type(j_state[key]).__name__ == type(value).__name__
        else:
            assert tuple(j_state[key].shape) == tuple(value.shape), key
            assert str(j_state[key].dtype) == str(value.dtype), key


def test_every_nn_layer_class_has_a_repr_case():
    covered = {name for name, _, _ in LAYERS}
    skipped = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList",
               "ParameterDict", "Container", "Transformer", "TransformerEncoder",
               "TransformerDecoder", "DataParallel", "AdaptiveLogSoftmaxWithLoss",
               "LinearCrossEntropyLoss", "LazyConv1d", "LazyConv3d", "LazyConvTranspose2d",
               "LazyConvTranspose3d", "LazyBatchNorm1d", "LazyBatchNorm3d",
               "LazyInstanceNorm2d", "LazyInstanceNorm3d", "LPPool3d", "Parameter", "Buffer",
               "UninitializedParameter", "UninitializedBuffer", "ZeroPad1d", "ZeroPad3d",
               "ReflectionPad3d", "ReplicationPad3d", "CircularPad1d", "CircularPad2d",
               "CircularPad3d", "SyncBatchNorm", "NLLLoss2d", "Hardswish", "RNNBase",
               "RNNCellBase", "NonDynamicallyQuantizableLinear"}
    layer_names = {name for name in dir(jtorch.nn) if isinstance(getattr(jtorch.nn, name), type)
                   and issubclass(getattr(jtorch.nn, name), jtorch.nn.Module)}
    missing = sorted(layer_names - covered - skipped)
    assert not missing, missing
