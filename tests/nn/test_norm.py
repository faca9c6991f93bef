"""Normalization layers against torch: values, input/weight/bias gradients, running statistics
over several training steps then eval, state_dict, reprs, grad_fn names and errors."""

import warnings

import numpy as np
import pytest

import jtorch
import jtorch.nn as jnn
import jtorch.nn.functional as JF

torch = pytest.importorskip("torch")
tnn = torch.nn
TF = torch.nn.functional

RTOL, ATOL = 1e-5, 1e-5


def _values(shape, seed=0, scale=2.0, shift=0.5):
    return (np.random.default_rng(seed).normal(size=shape) * scale + shift).astype(np.float32)


def _pair(values, requires_grad=True):
    return (torch.tensor(values, requires_grad=requires_grad),
            jtorch.tensor(values, requires_grad=requires_grad))


def _close(jt, t, rtol=RTOL, atol=ATOL):
    assert tuple(jt.shape) == tuple(t.shape)
    assert str(jt.dtype) == str(t.dtype)
    np.testing.assert_allclose(jt.detach().float().numpy(), t.detach().float().numpy(),
                               rtol=rtol, atol=atol)


def _copy_state(jmod, tmod):
    """Give the jtorch module torch's parameters and buffers (random affine parameters first,
    so the gradients of weight and bias are not those of ones and zeros)."""
    with torch.no_grad():
        for name, p in tmod.named_parameters():
            p.copy_(torch.tensor(_values(tuple(p.shape), seed=hash(name) % 100)))
    state = {k: jtorch.tensor(v.detach().numpy()) for k, v in tmod.state_dict().items()}
    jmod.load_state_dict(state)


def _step(jmod, tmod, values, seed):
    """One forward and backward of a weighted sum; compares output, grad_fn name and the
    gradients of the input and of every parameter."""
    tx, jx = _pair(values)
    ty, jy = tmod(tx), jmod(jx)
    _close(jy, ty)
    assert jy.grad_fn.name() == ty.grad_fn.name()
    w = _values(tuple(ty.shape), seed=seed + 100)
    ty.backward(torch.tensor(w))
    jy.backward(jtorch.tensor(w))
    _close(jx.grad, tx.grad, atol=1e-4)
    for (name, tp), (jname, jp) in zip(tmod.named_parameters(), jmod.named_parameters()):
        assert name == jname
        _close(jp.grad, tp.grad, atol=1e-4)
        tp.grad, jp.grad = None, None


def _check_buffers(jmod, tmod):
    tbuf, jbuf = dict(tmod.named_buffers()), dict(jmod.named_buffers())
    assert list(tbuf) == list(jbuf)
    for name, t in tbuf.items():
        _close(jbuf[name], t)


SLOW = pytest.mark.slow  # extra variants of paths the default run already covers


def _case(name, *values, slow=False):
    return pytest.param(*values, id=name, marks=SLOW if slow else ())


BATCH_NORMS = [
    _case("1d", "BatchNorm1d", (8, 4), {}),
    _case("1d-3d-cumulative", "BatchNorm1d", (6, 4, 5), {"momentum": None}),
    _case("1d-no-affine", "BatchNorm1d", (8, 4), {"affine": False}, slow=True),
    _case("1d-no-bias", "BatchNorm1d", (8, 4), {"bias": False, "eps": 1e-3, "momentum": 0.3},
          slow=True),
    _case("2d", "BatchNorm2d", (4, 3, 5, 5), {}),
    _case("2d-untracked", "BatchNorm2d", (4, 3, 5, 5), {"track_running_stats": False}),
    _case("3d-cumulative", "BatchNorm3d", (2, 3, 3, 4, 4), {"momentum": None}, slow=True),
    _case("sync", "SyncBatchNorm", (4, 3, 5, 5), {}),
]


@pytest.mark.parametrize("cls,shape,kwargs", BATCH_NORMS)
def test_batch_norm_training_steps_then_eval(cls, shape, kwargs):
    tmod = getattr(tnn, cls)(shape[1], **kwargs)
    jmod = getattr(jnn, cls)(shape[1], **kwargs)
    _copy_state(jmod, tmod)
    buffers_before = {name: b for name, b in jmod.named_buffers()}
    for step in range(3):
        _step(jmod, tmod, _values(shape, seed=step), step)
        _check_buffers(jmod, tmod)
    # the running statistics were updated in place: the same tensor objects hold them
    for name, b in jmod.named_buffers():
        assert b is buffers_before[name]
    tmod.eval()
    jmod.eval()
    _step(jmod, tmod, _values(shape, seed=9), 9)
    _check_buffers(jmod, tmod)
    tstate, jstate = tmod.state_dict(), jmod.state_dict()
    assert list(jstate) == list(tstate)
    for key, t in tstate.items():
        _close(jstate[key], t)


def test_batch_norm_buffers_and_state_dict_layout():
    tmod, jmod = tnn.BatchNorm2d(16), jnn.BatchNorm2d(16)
    assert repr(jmod) == repr(tmod)
    for key, t in tmod.state_dict().items():
        j = jmod.state_dict()[key]
        assert (str(j.dtype), tuple(j.shape)) == (str(t.dtype), tuple(t.shape))
        _close(j, t)
    assert jmod.num_batches_tracked.dtype == jtorch.int64
    assert jmod.state_dict()._metadata[""] == {"version": 2}


def test_batch_norm_old_checkpoint_without_num_batches_tracked():
    jmod = jnn.BatchNorm1d(3)
    state = jmod.state_dict()
    del state["num_batches_tracked"]
    state._metadata[""] = {"version": 1}
    assert repr(jmod.load_state_dict(state)) == "<All keys matched successfully>"


def test_functional_batch_norm_updates_given_buffers_in_place():
    values = _values((5, 3, 4))
    trm, tv = torch.zeros(3), torch.ones(3)
    jrm, jv = jtorch.zeros(3), jtorch.ones(3)
    for momentum in (0.1, 0.5):
        ty = TF.batch_norm(torch.tensor(values), trm, tv, training=True, momentum=momentum)
        jy = JF.batch_norm(jtorch.tensor(values), jrm, jv, training=True, momentum=momentum)
        _close(jy, ty)
        _close(jrm, trm)
        _close(jv, tv)
    assert jrm._version == 2  # torch's kernel writes without a version bump (see the report)
    _close(JF.batch_norm(jtorch.tensor(values), jrm, jv),
           TF.batch_norm(torch.tensor(values), trm, tv))


def test_seed_003_batchnorm1d_in_sequential():
    """The seed's model (../shared/seeds/003): Linear(512, 512) followed by BatchNorm1d(512),
    trained a few SGD steps with CrossEntropyLoss, then evaluated."""
    def build(nn):
        return nn.Sequential(nn.Linear(512, 512), nn.BatchNorm1d(512), nn.ReLU(),
                             nn.Linear(512, 10))
    tmodel, jmodel = build(tnn), build(jnn)
    jmodel.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in tmodel.state_dict().items()})
    assert repr(jmodel) == repr(tmodel)
    rng = np.random.default_rng(3)
    for _ in range(3):
        x = rng.normal(size=(16, 512)).astype(np.float32)
        y = rng.integers(0, 10, 16)
        tloss = tnn.CrossEntropyLoss()(tmodel(torch.tensor(x)), torch.tensor(y))
        jloss = jnn.CrossEntropyLoss()(jmodel(jtorch.tensor(x)), jtorch.tensor(y))
        _close(jloss, tloss)
        tloss.backward()
        jloss.backward()
        with torch.no_grad():
            for p in tmodel.parameters():
                p -= 0.1 * p.grad
                p.grad = None
        with jtorch.no_grad():
            for p in jmodel.parameters():
                p -= 0.1 * p.grad
                p.grad = None
    for key, t in tmodel.state_dict().items():
        _close(jmodel.state_dict()[key], t, atol=1e-4)
    tmodel.eval()
    jmodel.eval()
    x = rng.normal(size=(4, 512)).astype(np.float32)
    _close(jmodel(jtorch.tensor(x)), tmodel(torch.tensor(x)), atol=1e-4)


@pytest.mark.parametrize("cls,shape", [("BatchNorm1d", (2, 3, 4, 4)), ("BatchNorm1d", (3,)),
                                       ("BatchNorm2d", (2, 3)), ("BatchNorm3d", (2, 3, 4)),
                                       ("SyncBatchNorm", (3,)), ("InstanceNorm1d", (2, 3, 4, 4)),
                                       ("InstanceNorm2d", (3, 4)),
                                       ("InstanceNorm3d", (2, 3, 4))])
def test_norm_module_input_dim_errors(cls, shape):
    with pytest.raises(ValueError) as t_err:
        getattr(tnn, cls)(3)(torch.zeros(shape))
    with pytest.raises(ValueError) as j_err:
        getattr(jnn, cls)(3)(jtorch.zeros(shape))
    assert str(j_err.value) == str(t_err.value)


def _same_error(t_fn, j_fn):
    with pytest.raises(Exception) as t_err:
        t_fn()
    with pytest.raises(Exception) as j_err:
        j_fn()
    assert type(j_err.value) is type(t_err.value)
    assert str(j_err.value) == str(t_err.value)


NORM_ERRORS = {
    "bn batch of one": lambda F, lib: F.batch_norm(lib.zeros(1, 3), None, None, training=True),
    "bn eval without stats": lambda F, lib: F.batch_norm(lib.zeros(4, 3), None, None),
    "bn stats size": lambda F, lib: F.batch_norm(lib.zeros(4, 3), lib.zeros(4), lib.ones(4),
                                                 training=True),
    "bn weight size": lambda F, lib: F.batch_norm(lib.zeros(4, 3), lib.zeros(3), lib.ones(3),
                                                  lib.ones(4), training=True),
    "bn one stat": lambda F, lib: F.batch_norm(lib.zeros(4, 3), lib.zeros(3), None,
                                               training=True),
    "bn eps": lambda F, lib: F.batch_norm(lib.zeros(4, 3), None, None, training=True, eps=0.0),
    "bn 1d input": lambda F, lib: F.batch_norm(lib.zeros(3), None, None, training=True),
    "bn integer input": lambda F, lib: F.batch_norm(lib.ones(4, 3, dtype=lib.int64),
                                                    lib.zeros(3), lib.ones(3), training=True),
    "bn mixed dtype": lambda F, lib: F.batch_norm(lib.zeros(4, 3, dtype=lib.float64),
                                                  lib.zeros(3), lib.ones(3), training=True),
    "ln shape": lambda F, lib: F.layer_norm(lib.zeros(4, 3), (5,)),
    "ln shape 2d": lambda F, lib: F.layer_norm(lib.zeros(4, 3), (1, 4, 3)),
    "ln weight": lambda F, lib: F.layer_norm(lib.zeros(4, 3), (3,), lib.ones(4)),
    "ln int shape": lambda F, lib: F.layer_norm(lib.zeros(4, 3), 3),
    "gn divisible": lambda F, lib: F.group_norm(lib.zeros(2, 5, 3), 2),
    "gn dims": lambda F, lib: F.group_norm(lib.zeros(5), 1),
    "gn weight": lambda F, lib: F.group_norm(lib.zeros(2, 4, 3), 2, lib.ones(3)),
    "gn one value": lambda F, lib: F.group_norm(lib.zeros(1, 4), 4),
    "in one element": lambda F, lib: F.instance_norm(lib.zeros(2, 4)),
    "in eval without stats": lambda F, lib: F.instance_norm(lib.zeros(2, 3, 5),
                                                            use_input_stats=False),
    "lrn 2d": lambda F, lib: F.local_response_norm(lib.zeros(4, 3), 2),
    "rms shape": lambda F, lib: F.rms_norm(lib.zeros(4, 3), (5,)),
    "rms weight": lambda F, lib: F.rms_norm(lib.zeros(4, 3), (3,), lib.ones(4)),
    "rms int shape": lambda F, lib: F.rms_norm(lib.zeros(4, 3), 3),
}


@pytest.mark.parametrize("name", list(NORM_ERRORS))
def test_functional_norm_errors(name):
    make = NORM_ERRORS[name]
    _same_error(lambda: make(TF, torch), lambda: make(JF, jtorch))


def test_module_constructor_and_shape_errors():
    _same_error(lambda: tnn.GroupNorm(2, 5), lambda: jnn.GroupNorm(2, 5))
    _same_error(lambda: tnn.InstanceNorm1d(3, affine=True)(torch.zeros(2, 4, 5)),
                lambda: jnn.InstanceNorm1d(3, affine=True)(jtorch.zeros(2, 4, 5)))
    with pytest.warns(UserWarning, match="does not match num_features"):
        jnn.InstanceNorm1d(3)(jtorch.zeros(2, 4, 5))


REPRS = [
    lambda nn: nn.BatchNorm2d(16),
    lambda nn: nn.BatchNorm1d(3, affine=False, momentum=None),
    lambda nn: nn.BatchNorm3d(3, eps=1e-3, bias=False, track_running_stats=False),
    lambda nn: nn.SyncBatchNorm(4),
    lambda nn: nn.LayerNorm(5),
    lambda nn: nn.LayerNorm((3, 4), elementwise_affine=False, bias=False),
    lambda nn: nn.LayerNorm([4], bias=False),
    lambda nn: nn.GroupNorm(2, 4),
    lambda nn: nn.GroupNorm(1, 3, affine=False),
    lambda nn: nn.InstanceNorm1d(3),
    lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
    lambda nn: nn.InstanceNorm3d(2, momentum=0.2),
    lambda nn: nn.LocalResponseNorm(2),
    lambda nn: nn.RMSNorm(4),
    lambda nn: nn.RMSNorm([3, 4], eps=1e-3, elementwise_affine=False),
]


@pytest.mark.parametrize("index", range(len(REPRS)))
def test_repr_and_state_dict_keys(index):
    tmod, jmod = REPRS[index](tnn), REPRS[index](jnn)
    assert repr(jmod) == repr(tmod)
    tstate, jstate = tmod.state_dict(), jmod.state_dict()
    assert list(jstate) == list(tstate)
    for key, t in tstate.items():
        assert (str(jstate[key].dtype), tuple(jstate[key].shape)) == (str(t.dtype),
                                                                      tuple(t.shape))
        _close(jstate[key], t)


MODULES = [
    _case("LayerNorm", (4, 3, 5), lambda nn: nn.LayerNorm(5)),
    _case("LayerNorm-2d", (4, 3, 5), lambda nn: nn.LayerNorm((3, 5), eps=1e-3)),
    _case("LayerNorm-nobias", (4, 5), lambda nn: nn.LayerNorm(5, bias=False), slow=True),
    _case("LayerNorm-noaffine", (4, 5), lambda nn: nn.LayerNorm(5, elementwise_affine=False),
          slow=True),
    _case("GroupNorm", (3, 6, 4, 2), lambda nn: nn.GroupNorm(3, 6)),
    _case("GroupNorm-1group", (3, 6, 4), lambda nn: nn.GroupNorm(1, 6, affine=False),
          slow=True),
    _case("GroupNorm-2d", (3, 6), lambda nn: nn.GroupNorm(2, 6)),
    _case("InstanceNorm1d", (3, 4, 6), lambda nn: nn.InstanceNorm1d(4)),
    _case("InstanceNorm1d-nobatch", (4, 6), lambda nn: nn.InstanceNorm1d(4, affine=True)),
    _case("InstanceNorm2d-affine", (2, 3, 4, 4), lambda nn: nn.InstanceNorm2d(3, affine=True)),
    _case("InstanceNorm3d", (2, 2, 3, 3, 3), lambda nn: nn.InstanceNorm3d(2), slow=True),
    _case("LocalResponseNorm-3d", (2, 6, 5), lambda nn: nn.LocalResponseNorm(3)),
    _case("LocalResponseNorm-4d", (2, 6, 3, 3),
          lambda nn: nn.LocalResponseNorm(2, 1e-2, 0.5, 2.0)),
    _case("LocalResponseNorm-5d", (2, 5, 2, 2, 2), lambda nn: nn.LocalResponseNorm(4),
          slow=True),
    _case("RMSNorm", (4, 3, 5), lambda nn: nn.RMSNorm(5)),
    _case("RMSNorm-eps", (4, 3, 5), lambda nn: nn.RMSNorm((3, 5), eps=1e-3)),
    _case("RMSNorm-noaffine", (4, 5), lambda nn: nn.RMSNorm(5, elementwise_affine=False),
          slow=True),
]


@pytest.mark.parametrize("shape,build", MODULES)
def test_module_values_and_gradients(shape, build):
    tmod, jmod = build(tnn), build(jnn)
    _copy_state(jmod, tmod)
    x = _values(shape)
    _step(jmod, tmod, x, 0)
    tmod.eval()
    jmod.eval()
    _step(jmod, tmod, x, 1)


@pytest.mark.parametrize("kwargs", [{"track_running_stats": True},
                                    {"track_running_stats": True, "momentum": None,
                                     "affine": True}])
def test_instance_norm_running_stats(kwargs):
    tmod, jmod = tnn.InstanceNorm1d(3, **kwargs), jnn.InstanceNorm1d(3, **kwargs)
    _copy_state(jmod, tmod)
    for step in range(3):
        _step(jmod, tmod, _values((4, 3, 6), seed=step), step)
        _check_buffers(jmod, tmod)
    tmod.eval()
    jmod.eval()
    _step(jmod, tmod, _values((4, 3, 6), seed=7), 7)


def test_functional_forms_match_torch():
    x = _values((4, 6, 5))
    w, b = _values((6,), seed=1), _values((6,), seed=2)
    cases = [
        lambda F, lib: F.layer_norm(lib.tensor(x), [5]),
        lambda F, lib: F.layer_norm(lib.tensor(x), lib.Size([6, 5])),
        lambda F, lib: F.group_norm(lib.tensor(x), 2, lib.tensor(w), lib.tensor(b)),
        lambda F, lib: F.instance_norm(lib.tensor(x), weight=lib.tensor(w)),
        lambda F, lib: F.rms_norm(lib.tensor(x), (5,), eps=1e-2),
        lambda F, lib: F.local_response_norm(lib.tensor(x), 3, k=2.0),
        lambda F, lib: F.batch_norm(lib.tensor(x), None, None, lib.tensor(w), lib.tensor(b),
                                    training=True),
    ]
    for case in cases:
        _close(case(JF, jtorch), case(TF, torch))


@pytest.mark.parametrize("dtype", ["float64", "bfloat16"])
def test_dtypes(dtype):
    x = _values((4, 3, 5))
    tx = torch.tensor(x).to(getattr(torch, dtype))
    jx = jtorch.tensor(x).to(getattr(jtorch, dtype))
    tol = 1e-2 if dtype == "bfloat16" else 1e-7
    _close(JF.layer_norm(jx, (5,)), TF.layer_norm(tx, (5,)), rtol=tol, atol=tol)
    _close(JF.rms_norm(jx, (5,)), TF.rms_norm(tx, (5,)), rtol=tol, atol=tol)
    tmod = tnn.BatchNorm1d(3).to(getattr(torch, dtype))
    jmod = jnn.BatchNorm1d(3).to(getattr(jtorch, dtype))
    _close(jmod(jx), tmod(tx), rtol=tol, atol=tol)
    _close(jmod.running_var, tmod.running_var, rtol=tol, atol=tol)


def test_empty_and_no_grad_paths():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = jtorch.zeros(0, 3, 4)
        assert JF.local_response_norm(x, 2) is x
    jmod, tmod = jnn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    with jtorch.no_grad(), torch.no_grad():
        values = _values((4, 3))
        _close(jmod(jtorch.tensor(values)), tmod(torch.tensor(values)))
    _check_buffers(jmod, tmod)


def test_sync_batch_norm_convert():
    model = jnn.Sequential(jnn.Linear(3, 4), jnn.BatchNorm1d(4))
    converted = jnn.SyncBatchNorm.convert_sync_batchnorm(model)
    assert isinstance(converted[1], jnn.SyncBatchNorm)
    assert converted[1].weight is model[1].weight
    assert converted[1].running_mean is model[1].running_mean
    t_converted = tnn.SyncBatchNorm.convert_sync_batchnorm(
        tnn.Sequential(tnn.Linear(3, 4), tnn.BatchNorm1d(4)))
    assert repr(converted) == repr(t_converted)
