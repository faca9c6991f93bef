"""Model containers and regularisation on FashionMNIST (seeds/003, "4.2 定义网络模型容器" and
"4.4 正则化"): the three ways to build an `nn.Sequential` (they give the same outputs from
the same seed), `nn.ModuleDict` and `nn.ModuleList`, then the quickstart network with
Dropout (and optionally BatchNorm1d or an L1/L2 penalty) trained with the seed's
train()/test() functions, printing loss and accuracy per epoch.

Plain PyTorch: `python examples/sequential_models.py` on torch, `python -m jtorch
examples/sequential_models.py` on jtorch.

Flags:
  --data DIR           dataset root holding FashionMNIST/raw (default ./data, downloaded)
  --epochs N           epochs to train (default 5)
  --limit-batches N    use only the first N batches of the train and test sets
  --seed N             torch.manual_seed for the training model (default 0)
  --dropout P          dropout probability (default 0.5; 0 disables it)
  --batchnorm          add BatchNorm1d after the hidden Linear layers
  --reg {none,l1,l2}   add an L1 or L2 weight penalty (lambda 0.001) to the loss
  --no-shuffle         keep the training order fixed (reproducible comparisons)
  --init-weights PATH  start from this state_dict (e.g. one saved by --save-init)
  --save-init PATH     save the freshly initialised state_dict there before training
"""

import argparse
from collections import OrderedDict

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset
from torchvision import datasets
from torchvision.transforms import ToTensor

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="data")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit-batches", type=int, default=None)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--dropout", type=float, default=0.5)
parser.add_argument("--batchnorm", action="store_true")
parser.add_argument("--reg", choices=("none", "l1", "l2"), default="none")
parser.add_argument("--no-shuffle", action="store_true")
parser.add_argument("--init-weights", default=None)
parser.add_argument("--save-init", default=None)
args = parser.parse_args()

## 4.2 nn.Sequential, three ways
# 方法1
torch.manual_seed(42)
model1 = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
            nn.ReLU()
        )

# 方法2
torch.manual_seed(42)
layer2 = OrderedDict([
    ('linear1', nn.Linear(28*28, 512)),
    ('relu1', nn.ReLU()),
    ('linear2', nn.Linear(512, 512)),
    ('relu2', nn.ReLU()),
    ('linear3', nn.Linear(512, 10)),
    ('relu3', nn.ReLU())
])
model2 = nn.Sequential(layer2)

# 方法3
torch.manual_seed(42)
model3 = nn.Sequential()
model3.add_module('linear1', nn.Linear(28*28, 512))
model3.add_module('relu1', nn.ReLU())
model3.add_module('linear2', nn.Linear(512, 512))
model3.add_module('relu2', nn.ReLU())
model3.add_module('linear3', nn.Linear(512, 10))
model3.add_module('relu3', nn.ReLU())

print(model2)
X = torch.randn((1, 784))
out1, out2, out3 = model1(X), model2(X), model3(X)
print("the three Sequential models agree:", torch.equal(out1, out2) and torch.equal(out1, out3))
print("model2.linear1 is model2[0]:", model2.linear1 is model2[0])


class MyModuleDict(nn.Module):
    def __init__(self):
        super().__init__()
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


X = torch.randn((1, 10, 32, 32))
model_dict4 = MyModuleDict()
print("ModuleDict conv+lrelu:", tuple(model_dict4(X, 'conv', 'lrelu').shape),
      "pool+prelu:", tuple(model_dict4(X, 'pool', 'prelu').shape))


class MyModuleList(nn.Module):
    def __init__(self):
        super().__init__()
        self.linears = nn.ModuleList([nn.Linear(10, 10) for i in range(10)])

    def forward(self, x):
        for linear in self.linears:
            x = linear(x)
        return x


model5 = MyModuleList()
print("ModuleList:", tuple(model5(torch.randn((1, 10))).shape), "with",
      len(list(model5.parameters())), "parameters")

## 4.4 正则化: dropout, BatchNorm1d, L1/L2
training_data = datasets.FashionMNIST(root=args.data, train=True, download=True,
                                      transform=ToTensor())
test_data = datasets.FashionMNIST(root=args.data, train=False, download=True,
                                  transform=ToTensor())
batch_size = 64
if args.limit_batches is not None:
    training_data = Subset(training_data, range(min(len(training_data),
                                                    args.limit_batches * batch_size)))
    test_data = Subset(test_data, range(min(len(test_data), args.limit_batches * batch_size)))
train_dataloader = DataLoader(training_data, batch_size=batch_size,
                              shuffle=not args.no_shuffle)
test_dataloader = DataLoader(test_data, batch_size=batch_size)

device = "cuda" if torch.cuda.is_available() else "cpu"


class NeuralNetwork(nn.Module):
    def __init__(self, p, batchnorm=False):
        super().__init__()
        self.flatten = nn.Flatten()
        norm = (lambda: nn.BatchNorm1d(512)) if batchnorm else nn.Identity
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            norm(),
            nn.Dropout(p),
            nn.ReLU(),
            nn.Linear(512, 512),
            norm(),
            nn.Dropout(p),
            nn.ReLU(),
            nn.Linear(512, 10),
            nn.ReLU()
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


torch.manual_seed(args.seed)
model = NeuralNetwork(args.dropout, args.batchnorm)
if args.save_init:
    torch.save(model.state_dict(), args.save_init)
if args.init_weights:
    model.load_state_dict(torch.load(args.init_weights))
model = model.to(device)
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-2)


def train(dataloader, model, loss_fn, optimizer, re="none"):
    size = len(dataloader.dataset)
    model.train()
    train_loss = 0
    correct = 0
    for X, y in dataloader:
        X, y = X.to(device), y.to(device)

        # Compute prediction error
        pred = model(X)
        loss = loss_fn(pred, y)
        re_lambda = 0.001
        if re == 'l2':
            loss = loss + re_lambda * sum(p.pow(2.0).sum() for p in model.parameters())
        elif re == 'l1':
            loss = loss + re_lambda * sum(abs(p).sum() for p in model.parameters())

        # Backpropagation
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        train_loss += loss.item()
        correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    train_loss = train_loss/len(dataloader)
    correct /= size
    return train_loss, correct


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    model.eval()
    test_loss = 0
    correct = 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss = test_loss/len(dataloader)
    correct /= size
    return test_loss, correct


for i in range(args.epochs):
    train_loss, train_acc = train(train_dataloader, model, loss_fn, optimizer, args.reg)
    test_loss, test_acc = test(test_dataloader, model, loss_fn)
    print(f"epoch {i + 1}: train loss {train_loss:.6f}, train acc {train_acc:.4f}, "
          f"test loss {test_loss:.6f}, test acc {test_acc:.4f}")
