"""The seeds' training loops with torch's weights copied in give torch's losses: 001's
SGD / Momentum / RMSprop / Adam comparison, the quickstart's SGD loop, 003's L1/L2
regularisation and its checkpoint resume with optimizer state (through jtorch.save/load and
torch's own files, both ways)."""

import io

import numpy as np
import pytest

import jtorch
import jtorch.optim  # noqa: F401  (until jtorch/__init__.py imports it)

torch = pytest.importorskip("torch")


def _copy_weights(t_model, j_model):
    j_model.load_state_dict({k: jtorch.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})


# ---- 001: the four optimizers on a tiny regression net --------------------------------------
LR, BATCH_SIZE = 0.01, 32
_rng = np.random.default_rng(0)
X001 = np.linspace(-1, 1, 160, dtype=np.float32)[:, None]
Y001 = (X001 ** 2 + 0.1 * _rng.standard_normal(X001.shape)).astype(np.float32)
ORDER001 = [_rng.permutation(len(X001)) for _ in range(3)]  # 3 epochs of shuffled batches


def _net001(lib):
    class Net(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = lib.nn.Linear(1, 20)
            self.predict = lib.nn.Linear(20, 1)

        def forward(self, x):
            return self.predict(lib.relu(self.hidden(x)))

    return Net()


def _optimizers001(lib, nets):
    net_sgd, net_momentum, net_rmsprop, net_adam = nets
    return [lib.optim.SGD(net_sgd.parameters(), lr=LR),
            lib.optim.SGD(net_momentum.parameters(), lr=LR, momentum=0.8),
            lib.optim.RMSprop(net_rmsprop.parameters(), lr=LR, alpha=0.9),
            lib.optim.Adam(net_adam.parameters(), lr=LR, betas=(0.9, 0.99))]


def _train001(lib, nets):
    optimizers = _optimizers001(lib, nets)
    loss_func = lib.nn.MSELoss()
    losses_his = [[], [], [], []]
    for order in ORDER001:
        for start in range(0, len(order), BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            b_x, b_y = lib.tensor(X001[idx]), lib.tensor(Y001[idx])
            for net, opt, l_his in zip(nets, optimizers, losses_his):
                output = net(b_x)
                loss = loss_func(output, b_y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                l_his.append(loss.item())
    return losses_his


def test_001_optimizer_comparison_gives_torch_losses():
    torch.manual_seed(1)
    t_nets = [_net001(torch) for _ in range(4)]
    j_nets = [_net001(jtorch) for _ in range(4)]
    for t_net, j_net in zip(t_nets, j_nets):
        _copy_weights(t_net, j_net)
    expected = _train001(torch, t_nets)
    actual = _train001(jtorch, j_nets)
    for name, a, e in zip(["SGD", "Momentum", "RMSprop", "Adam"], actual, expected):
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-6, err_msg=name)
        assert e[-1] < e[0], name
    for t_net, j_net in zip(t_nets, j_nets):
        for (name, t_p), j_p in zip(t_net.named_parameters(), j_net.parameters()):
            np.testing.assert_allclose(j_p.detach().numpy(), t_p.detach().numpy(), rtol=1e-4,
                                       atol=1e-5, err_msg=name)


# ---- quickstart: the MLP, CrossEntropyLoss and SGD(lr=1e-3) ---------------------------------
def _quickstart_model(lib):
    nn = lib.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28 * 28, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                nn.Linear(512, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    return NeuralNetwork()


def _quickstart_batches(n=4, batch_size=64):
    rng = np.random.default_rng(2)
    return [(rng.random((batch_size, 1, 28, 28), dtype=np.float32),
             rng.integers(0, 10, batch_size)) for _ in range(n)]


def _train(lib, model, optimizer, batches, loss_fn):
    model.train()
    losses = []
    for X, y in batches:
        pred = model(lib.tensor(X))
        loss = loss_fn(pred, lib.tensor(y))
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def test_quickstart_sgd_loop_gives_torch_losses():
    torch.manual_seed(0)
    t_model, j_model = _quickstart_model(torch), _quickstart_model(jtorch)
    _copy_weights(t_model, j_model)
    batches = _quickstart_batches()
    runs = [_train(lib, model, lib.optim.SGD(model.parameters(), lr=1e-3), batches,
                   lib.nn.CrossEntropyLoss())
            for lib, model in ((torch, t_model), (jtorch, j_model))]
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-5)
    for (name, t_p), j_p in zip(t_model.named_parameters(), j_model.parameters()):
        np.testing.assert_allclose(j_p.detach().numpy(), t_p.detach().numpy(), rtol=1e-4,
                                   atol=1e-6, err_msg=name)


# ---- 003: L1/L2 regularisation and the checkpoint resume ------------------------------------
def _model003(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(12, 16), nn.ReLU(), nn.Linear(16, 3))


def _batches003(n=6):
    rng = np.random.default_rng(3)
    return [(rng.standard_normal((16, 12)).astype(np.float32), rng.integers(0, 3, 16))
            for _ in range(n)]


def _train003(lib, model, optimizer, batches, re=None, re_lambda=0.001):
    loss_fn = lib.nn.CrossEntropyLoss()
    losses = []
    for X, y in batches:
        pred = model(lib.tensor(X))
        loss = loss_fn(pred, lib.tensor(y))
        if re == "l2":
            loss = loss + re_lambda * sum(p.pow(2.0).sum() for p in model.parameters())
        elif re == "l1":
            loss = loss + re_lambda * sum(abs(p).sum() for p in model.parameters())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("re,weight_decay", [("l2", 0), ("l1", 0), (None, 1e-2)],
                         ids=["l2 penalty", "l1 penalty", "SGD weight_decay"])
def test_003_regularisation_gives_torch_losses(re, weight_decay):
    torch.manual_seed(3)
    t_model, j_model = _model003(torch), _model003(jtorch)
    _copy_weights(t_model, j_model)
    batches = _batches003()
    runs = [_train003(lib, model,
                      lib.optim.SGD(model.parameters(), lr=0.1, weight_decay=weight_decay),
                      batches, re)
            for lib, model in ((torch, t_model), (jtorch, j_model))]
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-5)
    for t_p, j_p in zip(t_model.parameters(), j_model.parameters()):
        np.testing.assert_allclose(j_p.detach().numpy(), t_p.detach().numpy(), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("save_lib,load_lib", [("jtorch", "jtorch"), ("torch", "jtorch"),
                                               ("jtorch", "torch")])
@pytest.mark.parametrize("momentum", [0, 0.9])
def test_003_checkpoint_resume_continues_torchs_run(save_lib, load_lib, momentum):
    """`torch.save({'epoch', 'model_state', 'optim_state'})`, a fresh model and
    `SGD(..., lr=0)`, `load_state_dict` of both: training goes on as if never stopped."""
    libs = {"torch": torch, "jtorch": jtorch}
    batches = _batches003(8)
    torch.manual_seed(4)
    reference = _model003(torch)
    start = {k: v.detach().numpy().copy() for k, v in reference.state_dict().items()}
    expected = _train003(torch, reference, torch.optim.SGD(reference.parameters(), lr=0.01,
                                                           momentum=momentum), batches)

    lib = libs[save_lib]
    model = _model003(lib)
    model.load_state_dict({k: lib.tensor(v) for k, v in start.items()})
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=momentum)
    first = _train003(lib, model, optimizer, batches[:4])
    buffer = io.BytesIO()
    lib.save({"epoch": 50, "model_state": model.state_dict(),
              "optim_state": optimizer.state_dict()}, buffer)

    lib = libs[load_lib]
    model_resume = _model003(lib)
    optimizer_resume = lib.optim.SGD(model_resume.parameters(), lr=0)
    buffer.seek(0)
    load_checkpoint = lib.load(buffer)
    assert load_checkpoint["epoch"] == 50
    model_resume.load_state_dict(load_checkpoint["model_state"])
    optimizer_resume.load_state_dict(load_checkpoint["optim_state"])
    assert optimizer_resume.param_groups[0]["lr"] == 0.01
    second = _train003(lib, model_resume, optimizer_resume, batches[4:])
    np.testing.assert_allclose(first + second, expected, rtol=1e-5)


# ---- optimizer.step() inside jtorch.compile --------------------------------------------------
def _mlp_step(lib, name, kwargs):
    torch.manual_seed(5)
    model = _model003(torch)
    if lib is jtorch:
        j_model = _model003(jtorch)
        _copy_weights(model, j_model)
        model = j_model
    optimizer = getattr(lib.optim, name)(model.parameters(), **kwargs)
    scheduler = lib.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    loss_fn = lib.nn.CrossEntropyLoss()

    def train_step(x, y):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    return train_step, scheduler


@pytest.mark.parametrize("name,kwargs", [("SGD", {"lr": 0.1, "momentum": 0.9}),
                                         ("Adam", {"lr": 0.01}),
                                         ("RMSprop", {"lr": 0.01, "centered": True})])
def test_compiled_train_step_with_optimizer_and_scheduler_gives_torch_losses(name, kwargs):
    """The step traces into one program (one trace: the scheduler's lr is an input). The
    first step runs eagerly so the optimizer's lazily created state exists before
    jtorch.compile discovers the state it lifts."""
    batches = _batches003(8)
    losses = []
    for lib in (torch, jtorch):
        train_step, scheduler = _mlp_step(lib, name, kwargs)
        run = []
        for i, (X, y) in enumerate(batches):
            run.append(train_step(lib.tensor(X), lib.tensor(y)).item())
            scheduler.step()
            if lib is jtorch and i == 0:
                train_step = jtorch.compile(train_step)
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
    assert train_step.stats.traces == 1
