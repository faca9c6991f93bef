"""Every model defined in the seed notes (../shared/seeds/000-004), built from the seed's own code
once with torch and once with jtorch, torch's parameters and buffers copied into jtorch through
state_dict: repr, state_dict keys/shapes/dtypes, parameter names, outputs, input gradients and
parameter gradients in train and eval mode (BatchNorm's running statistics too)."""

# The seed models are kept as the seeds wrote them (super(Cls, self), `for i, l in ...`):
# ruff: noqa: UP008, E741, B007

import collections

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")

RTOL, ATOL = 2e-5, 2e-5


# ---- the seed models, written once against a `torch`-like namespace --------------------------
# Each builder takes the library (real torch or jtorch) and returns the seed's model, its code
# kept as the seed wrote it (class names, layer order, forward) so that repr and keys are those
# the seed prints.

def quickstart_mlp(torch):
    """000 (and 003 ch.3): the quickstart `NeuralNetwork`, nn.Flatten + Sequential."""
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28*28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10)
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    return NeuralNetwork()


def quickstart_mlp_final_relu(torch):
    """003: the quickstart network with a ReLU after the last Linear."""
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super(NeuralNetwork, self).__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28*28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.ReLU(),
                nn.Linear(512, 10),
                nn.ReLU()
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    return NeuralNetwork()


def layer_by_layer_mlp(torch):
    """003: the same network with one attribute per layer."""
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super(NeuralNetwork, self).__init__()
            self.flatten = nn.Flatten()
            self.linear1 = nn.Linear(28*28, 512)
            self.linear2 = nn.Linear(512, 512)
            self.linear3 = nn.Linear(512, 10)
            self.relu1 = nn.ReLU()
            self.relu2 = nn.ReLU()
            self.relu3 = nn.ReLU()

        def forward(self, x):
            x = self.flatten(x)
            x = self.linear1(x)
            x = self.relu1(x)
            x = self.linear2(x)
            x = self.relu2(x)
            x = self.linear3(x)
            x = self.relu3(x)
            return x

    return NeuralNetwork()


def sequential_positional(torch):
    """003 method 1."""
    nn = torch.nn
    return nn.Sequential(
        nn.Linear(28*28, 512),
        nn.ReLU(),
        nn.Linear(512, 512),
        nn.ReLU(),
        nn.Linear(512, 10),
        nn.ReLU()
    )


def sequential_ordereddict(torch):
    """003 method 2."""
    nn = torch.nn
    layer2 = collections.OrderedDict([
        ('linear1', nn.Linear(28*28, 512)),
        ('relu1', nn.ReLU()),
        ('linear2', nn.Linear(512, 512)),
        ('relu2', nn.ReLU()),
        ('linear3', nn.Linear(512, 10)),
        ('relu3', nn.ReLU())
    ])
    return nn.Sequential(layer2)


def sequential_add_module(torch):
    """003 method 3."""
    nn = torch.nn
    model3 = nn.Sequential()
    model3.add_module('linear1', nn.Linear(28*28, 512))
    model3.add_module('relu1', nn.ReLU())
    model3.add_module('linear2', nn.Linear(512, 512))
    model3.add_module('relu2', nn.ReLU())
    model3.add_module('linear3', nn.Linear(512, 10))
    model3.add_module('relu3', nn.ReLU())
    return model3


def dropout_mlp(torch, p=0.5):
    """003 ch.4: the quickstart network with nn.Dropout(p) after the hidden Linears."""
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self, p):
            super(NeuralNetwork, self).__init__()
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
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    return NeuralNetwork(p)


def batchnorm_mlp(torch):
    """003 ch.4: nn.BatchNorm1d(512) added after the Linear(512, 512)."""
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self):
            super(NeuralNetwork, self).__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(
                nn.Linear(28*28, 512),
                nn.ReLU(),
                nn.Linear(512, 512),
                nn.BatchNorm1d(512),
                nn.ReLU(),
                nn.Linear(512, 10),
                nn.ReLU()
            )

        def forward(self, x):
            x = self.flatten(x)
            logits = self.linear_relu_stack(x)
            return logits

    return NeuralNetwork()


def sigmoid_regression(torch):
    """003 ch.6: NeuralNetwork(input) = sigmoid(Linear(input, 1))."""
    nn = torch.nn

    class NeuralNetwork(nn.Module):
        def __init__(self, input):
            super(NeuralNetwork, self).__init__()
            self.linear = nn.Linear(input, 1)

        def forward(self, x):
            y = torch.sigmoid(self.linear(x))
            return y

    return NeuralNetwork(6)


def module_dict(torch):
    """003 / 004: MyModuleDict with Conv2d/MaxPool2d choices and LeakyReLU/PReLU activations."""
    nn = torch.nn

    class MyModuleDict(nn.Module):
        def __init__(self):
            super(MyModuleDict, self).__init__()
            self.choices = nn.ModuleDict({
                'conv': nn.Conv2d(10, 10, 3),
                'pool': nn.MaxPool2d(3)
            })
            self.activations = nn.ModuleDict([
                ['lrelu', nn.LeakyReLU()],
                ['prelu', nn.PReLU()]
            ])

        def forward(self, x, choice, act):
            x = self.choices[choice](x)
            x = self.activations[act](x)
            return x

    return MyModuleDict()


def module_list(torch):
    """003: MyModuleList, ten chained Linear(10, 10)."""
    nn = torch.nn

    class MyModuleList(nn.Module):
        def __init__(self):
            super(MyModuleList, self).__init__()
            self.linears = nn.ModuleList([nn.Linear(10, 10) for i in range(10)])

        def forward(self, x):
            for i, linear in enumerate(self.linears):
                x = linear(x)
            return x

    return MyModuleList()


def module_list_pairs(torch):
    """004: MyModule whose ModuleList layers are reused, linears[i // 2](x) + l(x)."""
    nn = torch.nn

    class MyModule(nn.Module):
        def __init__(self):
            super().__init__()
            self.linears = nn.ModuleList([nn.Linear(10, 10) for i in range(10)])

        def forward(self, x):
            for i, l in enumerate(self.linears):
                x = self.linears[i // 2](x) + l(x)
            return x

    return MyModule()


def conv_sequential_positional(torch):
    """000 / 004: Sequential(Conv2d(1,20,5), ReLU, Conv2d(20,64,5), ReLU)."""
    nn = torch.nn
    return nn.Sequential(
        nn.Conv2d(1, 20, 5),
        nn.ReLU(),
        nn.Conv2d(20, 64, 5),
        nn.ReLU()
    )


def conv_sequential_ordereddict(torch):
    """000 / 004: the same with an OrderedDict."""
    nn = torch.nn
    return nn.Sequential(collections.OrderedDict([
        ('conv1', nn.Conv2d(1, 20, 5)),
        ('relu1', nn.ReLU()),
        ('conv2', nn.Conv2d(20, 64, 5)),
        ('relu2', nn.ReLU())
    ]))


def lenet(torch):
    """001: the 60-minute-blitz LeNet `Net` (F.max_pool2d, x.view(-1, num_flat_features))."""
    nn = torch.nn
    F = torch.nn.functional

    class Net(nn.Module):

        def __init__(self):
            super(Net, self).__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
            x = F.max_pool2d(F.relu(self.conv2(x)), 2)
            x = x.view(-1, self.num_flat_features(x))
            x = F.relu(self.fc1(x))
            x = F.relu(self.fc2(x))
            x = self.fc3(x)
            return x

        def num_flat_features(self, x):
            size = x.size()[1:]
            num_features = 1
            for s in size:
                num_features *= s
            return num_features

    return Net()


def mnist_cnn(torch):
    """001: the CNN whose `conv1 = nn.Sequential(Conv2d(...), ReLU(), MaxPool2d(kernel_size=2))`
    the seed shows (completed with the conv2/out layers of the tutorial it quotes)."""
    nn = torch.nn

    class CNN(nn.Module):
        def __init__(self):
            super(CNN, self).__init__()
            self.conv1 = nn.Sequential(
                nn.Conv2d(
                    in_channels=1,
                    out_channels=16,
                    kernel_size=5,
                    stride=1,
                    padding=2,
                ),
                nn.ReLU(),
                nn.MaxPool2d(kernel_size=2),
            )
            self.conv2 = nn.Sequential(nn.Conv2d(16, 32, 5, 1, 2), nn.ReLU(), nn.MaxPool2d(2))
            self.out = nn.Linear(32 * 7 * 7, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = self.conv2(x)
            x = x.view(x.size(0), -1)
            return self.out(x)

    return CNN()


def lstm_classifier(torch):
    """001: the RNN classifier, nn.LSTM(INPUT_SIZE, 64, num_layers=1, batch_first=True), the
    last time step into Linear(64, 10)."""
    nn = torch.nn
    INPUT_SIZE = 28

    class RNN(nn.Module):
        def __init__(self):
            super(RNN, self).__init__()
            self.rnn = nn.LSTM(
                input_size=INPUT_SIZE,
                hidden_size=64,
                num_layers=1,
                batch_first=True,
            )
            self.out = nn.Linear(64, 10)

        def forward(self, x):
            r_out, (h_n, h_c) = self.rnn(x, None)
            out = self.out(r_out[:, -1, :])
            return out

    return RNN()


def small_regressor(torch):
    """002: MyModel = Sequential(Linear(10,32), Sigmoid(), Linear(32,1))."""
    nn = torch.nn

    class MyModel(nn.Module):
        def __init__(self):
            super(MyModel, self).__init__()
            self.net = nn.Sequential(
                nn.Linear(10, 32),
                nn.Sigmoid(),
                nn.Linear(32, 1)
            )

        def forward(self, x):
            return self.net(x)

    return MyModel()


def two_conv_template(torch):
    """002: the nn.Module template, relu(conv2(relu(conv1(x))))."""
    nn = torch.nn
    F = torch.nn.functional

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 20, 5)
            self.conv2 = nn.Conv2d(20, 20, 5)

        def forward(self, x):
            x = F.relu(self.conv1(x))
            return F.relu(self.conv2(x))

    return Model()


def ceil_maxpool(torch):
    """002: MyNetwork with MaxPool2d(kernel_size=3, ceil_mode=True)."""
    nn = torch.nn

    class MyNetwork(nn.Module):
        def __init__(self):
            super(MyNetwork, self).__init__()
            self.maxpool1 = nn.MaxPool2d(kernel_size=3, ceil_mode=True)

        def forward(self, input):
            output = self.maxpool1(input)
            return output

    return MyNetwork()


def relu_model(torch):
    """002: MyModel with one ReLU."""
    nn = torch.nn

    class MyModel(nn.Module):
        def __init__(self):
            super(MyModel, self).__init__()
            self.relu1 = nn.ReLU()

        def forward(self, input):
            output = self.relu1(input)
            return output

    return MyModel()


def sigmoid_model(torch):
    """002: MyModel with one Sigmoid."""
    nn = torch.nn

    class MyModel(nn.Module):
        def __init__(self):
            super(MyModel, self).__init__()
            self.sigmoid1 = nn.Sigmoid()

        def forward(self, input):
            output = self.sigmoid1(input)
            return output

    return MyModel()


def cifar_layers(torch):
    """002: the CIFAR10 quick model without Sequential (conv1 ... linear2)."""
    nn = torch.nn
    Conv2d, MaxPool2d, Flatten, Linear = nn.Conv2d, nn.MaxPool2d, nn.Flatten, nn.Linear

    class MyModel(nn.Module):
        def __init__(self):
            super(MyModel, self).__init__()
            self.conv1 = Conv2d(3, 32, 5, padding=2)
            self.maxpool1 = MaxPool2d(2)
            self.conv2 = Conv2d(32, 32, 5, padding=2)
            self.maxpool2 = MaxPool2d(2)
            self.conv3 = Conv2d(32, 64, 5, padding=2)
            self.maxpool3 = MaxPool2d(2)
            self.flatten = Flatten()
            self.linear1 = Linear(1024, 64)
            self.linear2 = Linear(64, 10)

        def forward(self, x):
            x = self.conv1(x)
            x = self.maxpool1(x)
            x = self.conv2(x)
            x = self.maxpool2(x)
            x = self.conv3(x)
            x = self.maxpool3(x)
            x = self.flatten(x)
            x = self.linear1(x)
            x = self.linear2(x)
            return x

    return MyModel()


def cifar_sequential(torch):
    """002: the CIFAR10 quick model as `model1 = Sequential(...)`."""
    nn = torch.nn
    Sequential, Conv2d, MaxPool2d, Flatten, Linear = (nn.Sequential, nn.Conv2d, nn.MaxPool2d,
                                                      nn.Flatten, nn.Linear)

    class MyModel(nn.Module):
        def __init__(self):
            super(MyModel, self).__init__()
            self.model1 = Sequential(
                Conv2d(3, 32, 5, padding=2),
                MaxPool2d(2),
                Conv2d(32, 32, 5, padding=2),
                MaxPool2d(2),
                Conv2d(32, 64, 5, padding=2),
                MaxPool2d(2),
                Flatten(),
                Linear(1024, 64),
                Linear(64, 10)
            )

        def forward(self, x):
            x = self.model1(x)
            return x

    return MyModel()


def tudui(torch):
    """002: the CIFAR10 "Tudui" model (Conv2d(3, 32, 5, 1, 2) ... Linear(64*4*4, 64))."""
    nn = torch.nn

    class Tudui(nn.Module):
        def __init__(self):
            super(Tudui, self).__init__()
            self.model = nn.Sequential(
                nn.Conv2d(3, 32, 5, 1, 2),
                nn.MaxPool2d(2),
                nn.Conv2d(32, 32, 5, 1, 2),
                nn.MaxPool2d(2),
                nn.Conv2d(32, 64, 5, 1, 2),
                nn.MaxPool2d(2),
                nn.Flatten(),
                nn.Linear(64*4*4, 64),
                nn.Linear(64, 10)
            )

        def forward(self, x):
            x = self.model(x)
            return x

    return Tudui()


def shared_layer_net(torch):
    """002: Sequential holding the same Linear(8, 8) twice (parameter tying)."""
    nn = torch.nn
    shared = nn.Linear(8, 8)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(),
                         nn.Linear(8, 1))


def plus_one(torch):
    """002: MyNetwork.forward(x) = x + 1, no parameters."""
    nn = torch.nn

    class MyNetwork(nn.Module):
        def __init__(self):
            super(MyNetwork, self).__init__()

        def forward(self, x):
            result = x + 1
            return result

    return MyNetwork()


# name -> (builder, input shapes, extra forward args); `cross_entropy` marks the classifiers the
# seeds train with nn.CrossEntropyLoss (their loss is compared too)
MODELS = {
    "000 quickstart NeuralNetwork": (quickstart_mlp, [(4, 1, 28, 28)], (), True),
    "000 Sequential conv positional": (conv_sequential_positional, [(2, 1, 14, 14)], (), False),
    "000 Sequential conv OrderedDict": (conv_sequential_ordereddict, [(2, 1, 14, 14)], (),
                                        False),
    "001 LeNet Net": (lenet, [(2, 1, 32, 32)], (), True),
    "001 CNN conv1 Sequential": (mnist_cnn, [(2, 1, 28, 28)], (), True),
    "001 LSTM batch_first classifier": (lstm_classifier, [(3, 28, 28)], (), True),
    "002 MyModel Linear-Sigmoid-Linear": (small_regressor, [(5, 10)], (), False),
    "002 Module template conv1/conv2": (two_conv_template, [(2, 1, 16, 16)], (), False),
    "002 MaxPool2d ceil_mode": (ceil_maxpool, [(1, 1, 5, 5)], (), False),
    "002 ReLU MyModel": (relu_model, [(2, 3, 4)], (), False),
    "002 Sigmoid MyModel": (sigmoid_model, [(2, 3, 4)], (), False),
    "002 CIFAR10 layers": (cifar_layers, [(2, 3, 32, 32)], (), True),
    "002 CIFAR10 Sequential": (cifar_sequential, [(2, 3, 32, 32)], (), True),
    "002 CIFAR10 Tudui": (tudui, [(2, 3, 32, 32)], (), True),
    "002 shared layers": (shared_layer_net, [(2, 4)], (), False),
    "002 MyNetwork x + 1": (plus_one, [(3,)], (), False),
    "003 NeuralNetwork final ReLU": (quickstart_mlp_final_relu, [(3, 1, 28, 28)], (), True),
    "003 NeuralNetwork layer by layer": (layer_by_layer_mlp, [(3, 1, 28, 28)], (), True),
    "003 Sequential positional": (sequential_positional, [(1, 784)], (), False),
    "003 Sequential OrderedDict": (sequential_ordereddict, [(1, 784)], (), False),
    "003 Sequential add_module": (sequential_add_module, [(1, 784)], (), False),
    "003 Dropout NeuralNetwork": (dropout_mlp, [(4, 1, 28, 28)], (), True),
    "003 BatchNorm1d NeuralNetwork": (batchnorm_mlp, [(6, 1, 28, 28)], (), True),
    "003 NeuralNetwork sigmoid(Linear(6, 1))": (sigmoid_regression, [(4, 6)], (), False),
    "003 ModuleDict conv lrelu": (module_dict, [(1, 10, 32, 32)], ("conv", "lrelu"), False),
    "003 ModuleDict pool prelu": (module_dict, [(1, 10, 32, 32)], ("pool", "prelu"), False),
    "003 ModuleList": (module_list, [(1, 10)], (), False),
    "004 ModuleList reused layers": (module_list_pairs, [(2, 10)], (), False),
}


# ---- the harness --------------------------------------------------------------------------------

def _random(shape, seed):
    return np.random.default_rng(seed).normal(size=shape).astype(np.float32)


def _build(builder, **kwargs):
    torch.manual_seed(0)
    t_model = builder(torch, **kwargs)
    j_model = builder(jtorch, **kwargs)
    j_model.load_state_dict({k: jtorch.tensor(v.detach().numpy())
                             for k, v in t_model.state_dict().items()})
    return t_model, j_model


def _close(j, t):
    """Same shape, dtype and values; the absolute tolerance scales with the largest value
    (gradients of large convolutions sum thousands of float32 terms)."""
    assert tuple(j.shape) == tuple(t.shape)
    assert str(j.dtype) == str(t.dtype)
    expected = t.detach().numpy()
    scale = max(1.0, float(np.abs(expected).max())) if expected.size else 1.0
    np.testing.assert_allclose(j.detach().numpy(), expected, rtol=RTOL, atol=ATOL * scale)


def _step(t_model, j_model, shapes, extra, cross_entropy, seed):
    """One forward/backward on both models; compares outputs, loss, input and parameter
    gradients, and the buffers (running statistics) after the step."""
    arrays = [_random(s, seed + i) for i, s in enumerate(shapes)]
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    j_in = [jtorch.tensor(a, requires_grad=True) for a in arrays]
    t_out, j_out = t_model(*t_in, *extra), j_model(*j_in, *extra)
    _close(j_out, t_out)
    if cross_entropy:
        target = np.random.default_rng(seed).integers(0, t_out.shape[1], t_out.shape[0])
        t_loss = torch.nn.CrossEntropyLoss()(t_out, torch.tensor(target))
        j_loss = jtorch.nn.CrossEntropyLoss()(j_out, jtorch.tensor(target))
    else:
        weights = _random(tuple(t_out.shape), seed + 100)
        t_loss = (t_out * torch.tensor(weights)).sum()
        j_loss = (j_out * jtorch.tensor(weights)).sum()
    _close(j_loss, t_loss)
    t_model.zero_grad()
    j_model.zero_grad()
    t_loss.backward()
    j_loss.backward()
    for t, j in zip(t_in, j_in):
        _close(j.grad, t.grad)
    t_params = dict(t_model.named_parameters())
    j_params = dict(j_model.named_parameters())
    assert list(j_params) == list(t_params)
    for name, t_param in t_params.items():
        if t_param.grad is None:  # not on the path taken (a ModuleDict choice left out)
            assert j_params[name].grad is None, name
        else:
            _close(j_params[name].grad, t_param.grad)
    for (t_name, t_buf), (j_name, j_buf) in zip(t_model.named_buffers(),
                                                  j_model.named_buffers()):
        assert j_name == t_name
        _close(j_buf, t_buf)


@pytest.mark.parametrize("name", list(MODELS))
def test_seed_model_matches_torch(name):
    builder, shapes, extra, cross_entropy = MODELS[name]
    t_model, j_model = _build(builder)
    assert repr(j_model) == repr(t_model)
    t_state, j_state = t_model.state_dict(), j_model.state_dict()
    assert isinstance(j_state, collections.OrderedDict)
    assert list(j_state) == list(t_state)
    for key, t_value in t_state.items():
        assert tuple(j_state[key].shape) == tuple(t_value.shape), key
        assert str(j_state[key].dtype) == str(t_value.dtype), key
    assert ([n for n, _ in j_model.named_modules()] == [n for n, _ in t_model.named_modules()])
    assert j_model.training and t_model.training
    if builder is not dropout_mlp:  # random masks differ by design: see the p=0 test below
        _step(t_model, j_model, shapes, extra, cross_entropy, seed=1)
        _step(t_model, j_model, shapes, extra, cross_entropy, seed=2)  # buffers moved already
    t_model.eval()
    j_model.eval()
    assert not any(m.training for m in j_model.modules())
    _step(t_model, j_model, shapes, extra, cross_entropy, seed=3)
    with torch.no_grad(), jtorch.no_grad():
        x = _random(shapes[0], 4)
        t_out, j_out = t_model(torch.tensor(x), *extra), j_model(jtorch.tensor(x), *extra)
        assert not j_out.requires_grad
        _close(j_out, t_out)


def test_dropout_model_in_training_with_p0_matches_torch():
    """The dropout network in train mode: with p=0 both must be exact; with p=0.5 jtorch's masks
    are its own, so only the zero pattern's statistics and the 1/(1-p) scaling are checked."""
    t_model, j_model = _build(dropout_mlp, p=0.0)
    assert repr(j_model) == repr(t_model)
    _step(t_model, j_model, [(4, 1, 28, 28)], (), True, seed=5)

    _, j_model = _build(dropout_mlp, p=0.5)
    dropout = j_model.linear_relu_stack[1]
    x = jtorch.ones(200, 512)
    y = dropout(x)
    values = set(np.unique(y.numpy()).tolist())
    assert values <= {0.0, 2.0}
    assert 0.4 < float((y == 0).float().mean()) < 0.6
    j_model.eval()
    assert (dropout(x).numpy() == 1).all()


def test_shared_layer_is_one_parameter_set():
    """002's tied layers: one set of parameters in parameters()/state_dict() keeps both keys,
    and a write through net[2] is seen by net[4]."""
    t_model, j_model = _build(shared_layer_net)
    assert len(list(j_model.parameters())) == len(list(t_model.parameters())) == 6
    assert list(j_model.state_dict()) == list(t_model.state_dict())
    assert ([n for n, _ in j_model.named_parameters(remove_duplicate=False)]
            == [n for n, _ in t_model.named_parameters(remove_duplicate=False)])
    j_model[2].weight.data[0, 0] = 100
    assert float(j_model[4].weight[0, 0]) == 100.0


def test_sequential_three_ways_agree():
    """003: the three Sequential constructions print their own keys but compute the same."""
    torch.manual_seed(42)
    t_models = [b(torch) for b in (sequential_positional, sequential_ordereddict,
                                   sequential_add_module)]
    j_models = [b(jtorch) for b in (sequential_positional, sequential_ordereddict,
                                    sequential_add_module)]
    state = t_models[0].state_dict()
    for t_model, j_model in zip(t_models, j_models):
        t_model.load_state_dict(dict(zip(t_model.state_dict(), state.values())))
        j_model.load_state_dict({k: jtorch.tensor(v.numpy())
                                 for k, v in zip(j_model.state_dict(), state.values())})
        assert repr(j_model) == repr(t_model)
    x = _random((1, 784), 7)
    outs = [m(jtorch.tensor(x)).detach() for m in j_models]
    assert (outs[0].numpy() == outs[1].numpy()).all() and (outs[0].numpy() == outs[2].numpy()).all()
    _close(outs[0], t_models[0](torch.tensor(x)))
    assert isinstance(j_models[1].linear1, jtorch.nn.Linear)
    assert j_models[2][0] is j_models[2].linear1


def test_seed_conv2d_functional_example():
    """002: F.conv2d on the 5x5 integer input with the 3x3 integer kernel prints torch's
    numbers (int64 in, int64 out), with stride 1, 2 and padding 1."""
    inp = [[1, 2, 0, 3, 1], [0, 1, 2, 3, 1], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]]
    kernel = [[1, 2, 1], [0, 1, 0], [2, 1, 0]]
    for kwargs in ({"stride": 1}, {"stride": 2}, {"stride": 1, "padding": 1}):
        outs = []
        for lib in (torch, jtorch):
            x = lib.reshape(lib.tensor(inp), (1, 1, 5, 5))
            k = lib.reshape(lib.tensor(kernel), (1, 1, 3, 3))
            outs.append(lib.nn.functional.conv2d(x, k, **kwargs))
        assert str(outs[1]) == str(outs[0])
