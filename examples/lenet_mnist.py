"""LeNet on MNIST (seeds/001, "构建神经网络"): the seed's `Net` trained with `optim.SGD`.

Plain PyTorch: `python examples/lenet_mnist.py` on torch, `python -m jtorch
examples/lenet_mnist.py` on jtorch. MNIST's 28x28 digits are padded to the 32x32 input the
seed's network expects (16 * 5 * 5 features after the second pooling).

Flags:
  --data DIR           dataset root holding MNIST/raw (default ./data, downloaded if missing)
  --epochs N           epochs to train (default 2)
  --limit-batches N    use only the first N batches of the train and test sets
  --seed N             torch.manual_seed (default 0)
  --log-interval N     print the running loss every N batches (default 200)
  --no-shuffle         keep the training order fixed (reproducible comparisons)
  --init-weights PATH  start from this state_dict (e.g. one saved by --save-init)
  --save-init PATH     save the freshly initialised state_dict there before training
"""

import argparse

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="data")
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--limit-batches", type=int, default=None)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--batch-size", type=int, default=64)
parser.add_argument("--lr", type=float, default=0.01)
parser.add_argument("--log-interval", type=int, default=200)
parser.add_argument("--no-shuffle", action="store_true")
parser.add_argument("--init-weights", default=None)
parser.add_argument("--save-init", default=None)
args = parser.parse_args()
torch.manual_seed(args.seed)


class Net(nn.Module):

    def __init__(self):
        super().__init__()
        # 1 input image channel, 6 output channels, 5x5 square convolution
        # kernel
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        # an affine operation: y = Wx + b
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        # Max pooling over a (2, 2) window
        x = F.max_pool2d(F.relu(self.conv1(x)), (2, 2))
        # If the size is a square you can only specify a single number
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = x.view(-1, self.num_flat_features(x))
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        x = self.fc3(x)
        return x

    def num_flat_features(self, x):
        size = x.size()[1:]  # all dimensions except the batch dimension
        num_features = 1
        for s in size:
            num_features *= s
        return num_features


transform = transforms.Compose([
    transforms.Pad(2),  # 28x28 -> 32x32
    transforms.ToTensor(),
    transforms.Normalize((0.1307,), (0.3081,)),
])
train_set = datasets.MNIST(args.data, train=True, download=True, transform=transform)
test_set = datasets.MNIST(args.data, train=False, download=True, transform=transform)
if args.limit_batches is not None:
    train_set = Subset(train_set, range(min(len(train_set), args.limit_batches * args.batch_size)))
    test_set = Subset(test_set, range(min(len(test_set), args.limit_batches * args.batch_size)))
train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=not args.no_shuffle)
test_loader = DataLoader(test_set, batch_size=args.batch_size)

device = torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
net = Net()
print(net)
params = list(net.parameters())
print(len(params), params[0].size())  # conv1's .weight

if args.save_init:
    torch.save(net.state_dict(), args.save_init)
if args.init_weights:
    net.load_state_dict(torch.load(args.init_weights))
net.to(device)

# a first forward pass on a random input, as in the seed
input = torch.randn(1, 1, 32, 32, device=device)
out = net(input)
print(out.shape)

criterion = nn.CrossEntropyLoss()
# create your optimizer
optimizer = optim.SGD(net.parameters(), lr=args.lr, momentum=0.9)

for epoch in range(args.epochs):
    net.train()
    running_loss = 0.0
    for i, (inputs, labels) in enumerate(train_loader):
        inputs, labels = inputs.to(device), labels.to(device)
        # in your training loop:
        optimizer.zero_grad()   # zero the gradient buffers
        output = net(inputs)
        loss = criterion(output, labels)
        loss.backward()
        optimizer.step()    # Does the update

        running_loss += loss.item()
        if (i + 1) % args.log_interval == 0:
            print(f"[{epoch + 1}, {i + 1:5d}] loss: {running_loss / args.log_interval:.6f}")
            running_loss = 0.0

    net.eval()
    correct = total = 0
    with torch.no_grad():
        for images, labels in test_loader:
            images, labels = images.to(device), labels.to(device)
            _, predicted = torch.max(net(images), 1)
            total += labels.size(0)
            correct += (predicted == labels).sum().item()
    print(f"Accuracy of the network on the {total} test images: {100 * correct / total:.2f} %")

print("Finished Training")
torch.save(net.state_dict(), "lenet.pth")
print("Saved the state_dict to lenet.pth")
