"""An LSTM classifier on MNIST (seeds/001, "定义一个RNN"): each 28x28 image is read as 28 time
steps of 28 pixels, the LSTM's last output goes through a Linear layer to 10 classes.

Plain PyTorch: `python examples/lstm_mnist.py` on torch, `python -m jtorch
examples/lstm_mnist.py` on jtorch.

Flags:
  --data DIR           dataset root holding MNIST/raw (default ./data, downloaded if missing)
  --epochs N           epochs to train (default 1, as in the seed's tutorial)
  --limit-batches N    use only the first N batches of the train set (and N of the test set)
  --seed N             torch.manual_seed (default 1)
  --log-interval N     print the loss and test accuracy every N steps (default 50)
  --no-shuffle         keep the training order fixed (reproducible comparisons)
  --init-weights PATH  start from this state_dict (e.g. one saved by --save-init)
  --save-init PATH     save the freshly initialised state_dict there before training
"""

import argparse

import torch
import torch.utils.data as Data
import torchvision
from torch import nn

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="data")
parser.add_argument("--epochs", type=int, default=1)
parser.add_argument("--limit-batches", type=int, default=None)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--log-interval", type=int, default=50)
parser.add_argument("--no-shuffle", action="store_true")
parser.add_argument("--init-weights", default=None)
parser.add_argument("--save-init", default=None)
args = parser.parse_args()

torch.manual_seed(args.seed)    # reproducible

# Hyper Parameters
EPOCH = args.epochs
BATCH_SIZE = 64
TIME_STEP = 28          # rnn time step / image height
INPUT_SIZE = 28         # rnn input size / image width
LR = 0.01               # learning rate

train_data = torchvision.datasets.MNIST(
    root=args.data,
    train=True,                                     # this is training data
    transform=torchvision.transforms.ToTensor(),    # (C x H x W), values in [0.0, 1.0]
    download=True,
)
test_data = torchvision.datasets.MNIST(
    root=args.data, train=False, transform=torchvision.transforms.ToTensor(), download=True)
if args.limit_batches is not None:
    n = min(len(train_data), args.limit_batches * BATCH_SIZE)
    train_data = Data.Subset(train_data, range(n))
    test_data = Data.Subset(test_data, range(min(len(test_data), args.limit_batches * BATCH_SIZE)))

train_loader = Data.DataLoader(dataset=train_data, batch_size=BATCH_SIZE,
                               shuffle=not args.no_shuffle)
test_loader = Data.DataLoader(dataset=test_data, batch_size=BATCH_SIZE)


class RNN(nn.Module):
    def __init__(self):
        super().__init__()

        self.rnn = nn.LSTM(         # if use nn.RNN(), it hardly learns
            input_size=INPUT_SIZE,
            hidden_size=64,         # rnn hidden unit
            num_layers=1,           # number of rnn layer
            batch_first=True,       # input & output will has batch size as 1s dimension.
        )                           # e.g. (batch, time_step, input_size)

        self.out = nn.Linear(64, 10)

    def forward(self, x):
        # x shape (batch, time_step, input_size)
        # r_out shape (batch, time_step, output_size)
        # h_n shape (n_layers, batch, hidden_size)
        # h_c shape (n_layers, batch, hidden_size)
        r_out, (h_n, h_c) = self.rnn(x, None)   # None represents zero initial hidden state

        # choose r_out at the last time step
        out = self.out(r_out[:, -1, :])
        return out


rnn = RNN()
print(rnn)
if args.save_init:
    torch.save(rnn.state_dict(), args.save_init)
if args.init_weights:
    rnn.load_state_dict(torch.load(args.init_weights))

optimizer = torch.optim.Adam(rnn.parameters(), lr=LR)   # optimize all cnn parameters
loss_func = nn.CrossEntropyLoss()                       # the target label is not one-hotted


def test_accuracy():
    correct = total = 0
    rnn.eval()
    with torch.no_grad():
        for b_x, b_y in test_loader:
            pred_y = torch.max(rnn(b_x.view(-1, 28, 28)), 1)[1]
            correct += (pred_y == b_y).sum().item()
            total += b_y.size(0)
    rnn.train()
    return correct / total


# training and testing
for epoch in range(EPOCH):
    for step, (b_x, b_y) in enumerate(train_loader):    # gives batch data
        b_x = b_x.view(-1, 28, 28)                      # reshape x to (batch, time_step, input)

        output = rnn(b_x)                               # rnn output
        loss = loss_func(output, b_y)                   # cross entropy loss
        optimizer.zero_grad()                           # clear gradients for this training step
        loss.backward()                                 # backpropagation, compute gradients
        optimizer.step()                                # apply gradients

        if step % args.log_interval == 0:
            accuracy = test_accuracy()
            print(f"Epoch: {epoch} | step: {step} | train loss: {loss.item():.6f} "
                  f"| test accuracy: {accuracy:.4f}")

# print 10 predictions from test data
test_x, test_y = next(iter(test_loader))
rnn.eval()
with torch.no_grad():
    test_output = rnn(test_x.view(-1, 28, 28))
pred_y = torch.max(test_output, 1)[1][:10].numpy()
print(pred_y, "prediction number")
print(test_y[:10].tolist(), "real number")
