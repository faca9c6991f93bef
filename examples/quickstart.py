"""The PyTorch quickstart (seeds/000): FashionMNIST, a 3-layer MLP, 5 epochs of SGD.

Plain PyTorch. Run it on jtorch with `python -m jtorch examples/quickstart.py`, or on torch
with `python examples/quickstart.py`.

Flags (the seed's program is otherwise unchanged):
  --data DIR           dataset root holding FashionMNIST/raw (default ./data, downloaded
                       there if missing)
  --epochs N           epochs to train (default 5, as the seed)
  --limit-batches N    use only the first N batches of the train and test sets (quick runs)
  --compile            run each training step as one compiled program (torch.compile)
  --seed N             torch.manual_seed before building the model (default: unseeded)
  --init-weights PATH  start from this state_dict (e.g. one saved by --save-init)
  --save-init PATH     save the freshly initialised state_dict there before training
"""

import argparse

import torch
from torch import nn
from torch.utils.data import DataLoader, Subset
from torchvision import datasets
from torchvision.transforms import ToTensor

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="data")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit-batches", type=int, default=None)
parser.add_argument("--compile", action="store_true")
parser.add_argument("--seed", type=int, default=None)
parser.add_argument("--init-weights", default=None)
parser.add_argument("--save-init", default=None)
args = parser.parse_args()
if args.seed is not None:
    torch.manual_seed(args.seed)

## working with data
# Download training data from open datasets.
training_data = datasets.FashionMNIST(
    root=args.data,
    train=True,
    download=True,
    transform=ToTensor(),
)

# Download test data from open datasets.
test_data = datasets.FashionMNIST(
    root=args.data,
    train=False,
    download=True,
    transform=ToTensor(),
)

batch_size = 64

if args.limit_batches is not None:
    training_data = Subset(training_data, range(min(len(training_data),
                                                    args.limit_batches * batch_size)))
    test_data = Subset(test_data, range(min(len(test_data), args.limit_batches * batch_size)))

# Create data loaders.
train_dataloader = DataLoader(training_data, batch_size=batch_size)
test_dataloader = DataLoader(test_data, batch_size=batch_size)

for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    break

## creating models
# Get cpu or gpu device for training.
device = "cuda" if torch.cuda.is_available() else "cpu"
print(f"Using {device} device")


# Define model
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


model = NeuralNetwork()
if args.save_init:
    torch.save(model.state_dict(), args.save_init)
if args.init_weights:
    model.load_state_dict(torch.load(args.init_weights))
model = model.to(device)
print(model)

##optimizing model parameters
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)


def train_step(X, y):
    # Compute prediction error
    pred = model(X)
    loss = loss_fn(pred, y)

    # Backpropagation
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss


if args.compile:
    train_step = torch.compile(train_step)


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        loss = train_step(X, y)

        if batch % 100 == 0:
            loss, current = loss.item(), batch * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100*correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")


epochs = args.epochs
for t in range(epochs):
    print(f"Epoch {t+1}\n-------------------------------")
    train(train_dataloader, model, loss_fn, optimizer)
    test(test_dataloader, model, loss_fn)
print("Done!")

##saving the trained models
torch.save(model.state_dict(), "model.pth")
print("Saved PyTorch Model State to model.pth")

## loading and reuse the trained models
model = NeuralNetwork()
model.load_state_dict(torch.load("model.pth"))

classes = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]

model.eval()
x, y = test_data[0][0], test_data[0][1]
with torch.no_grad():
    pred = model(x)
    predicted, actual = classes[pred[0].argmax(0)], classes[y]
    print(f'Predicted: "{predicted}", Actual: "{actual}"')
