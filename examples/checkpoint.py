"""Saving and loading models, and resuming from a checkpoint (seeds/003, "6. 模型保存与加载"):
the seed's one-layer `NeuralNetwork(6)` (Linear + sigmoid) trained as a binary classifier on a
CSV of 6 features and a 0/1 label; the whole model and its state_dict saved and loaded back;
a checkpoint dict (`epoch`, `model_state`, `optim_state`) written halfway; training resumed from
it in a fresh model and optimizer, and checked against the uninterrupted run.

Plain PyTorch: `python examples/checkpoint.py` on torch, `python -m jtorch
examples/checkpoint.py` on jtorch.

`--data DIR` holds `features.csv` (rows `f1,...,f6,label`); when it does not exist a
synthetic, linearly separable-ish set is written there first (from --seed).

Flags:
  --data DIR              folder holding features.csv (default ./data)
  --epochs N              epochs to train (default 20)
  --limit-batches N       use only the first N batches per epoch
  --seed N                seeds torch and the synthetic data (default 0)
  --checkpoint-epoch N    epoch after which checkpoint.pth is written (default epochs // 2)
  --no-shuffle            keep the training order fixed (reproducible comparisons)
  --init-weights PATH     start from this state_dict (e.g. one saved by --save-init)
  --save-init PATH        save the freshly initialised state_dict there before training
"""

import argparse
import csv
import os
import random

import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="data")
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--limit-batches", type=int, default=None)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--checkpoint-epoch", type=int, default=None)
parser.add_argument("--no-shuffle", action="store_true")
parser.add_argument("--init-weights", default=None)
parser.add_argument("--save-init", default=None)
args = parser.parse_args()
checkpoint_epoch = args.epochs // 2 if args.checkpoint_epoch is None else args.checkpoint_epoch
torch.manual_seed(args.seed)


class NeuralNetwork(nn.Module):
    def __init__(self, input):
        super().__init__()
        self.linear = nn.Linear(input, 1)

    def forward(self, x):
        y = torch.sigmoid(self.linear(x))
        return y


def write_synthetic_csv(path, n=256, seed=0):
    rng = random.Random(seed)
    w = [rng.uniform(-1, 1) for _ in range(6)]
    with open(path, "w", newline="") as f:
        out = csv.writer(f)
        for _ in range(n):
            x = [round(rng.gauss(0, 1), 4) for _ in range(6)]
            label = int(sum(a * b for a, b in zip(w, x)) + rng.gauss(0, 0.3) > 0)
            out.writerow(x + [label])


csv_path = os.path.join(args.data, "features.csv")
if not os.path.exists(csv_path):
    os.makedirs(args.data, exist_ok=True)
    print(f"writing a synthetic 6-feature data set to {csv_path}")
    write_synthetic_csv(csv_path, seed=args.seed)
with open(csv_path, newline="") as f:
    rows = [[float(v) for v in row] for row in csv.reader(f) if row]
features = torch.tensor([row[:6] for row in rows])
labels = torch.tensor([[row[6]] for row in rows])
dataset = TensorDataset(features, labels)
loader = DataLoader(dataset, batch_size=32, shuffle=not args.no_shuffle)

model = NeuralNetwork(6)
if args.save_init:
    torch.save(model.state_dict(), args.save_init)
if args.init_weights:
    model.load_state_dict(torch.load(args.init_weights))

# 查看初始化参数
for param in model.parameters():
    print(param)

loss_fn = nn.BCELoss()


def train_epochs(model, optimizer, first, last):
    for epoch in range(first, last):
        total, batches = 0.0, 0
        for batch, (x, y) in enumerate(loader):
            if args.limit_batches is not None and batch >= args.limit_batches:
                break
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total, batches = total + loss.item(), batches + 1
        print(f"epoch {epoch + 1}: loss {total / max(batches, 1):.6f}")
        if epoch + 1 == checkpoint_epoch:
            checkpoint = {
                "epoch": epoch + 1,
                "model_state": model.state_dict(),
                "optim_state": optimizer.state_dict()
            }
            torch.save(checkpoint, "checkpoint.pth")
            print(f"saved checkpoint.pth at epoch {epoch + 1}")


# 1. train, writing a checkpoint halfway
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
train_epochs(model, optimizer, 0, args.epochs)

# 2. the whole model: saved and loaded back (a full pickle, so not weights_only)
file = 'model.pth'
torch.save(model, file)
model_load = torch.load(file, weights_only=False)
model_load.eval()
print("whole model reloaded, same parameters:",
      all(torch.equal(a, b) for a, b in zip(model.parameters(), model_load.parameters())))

# 3. only the state_dict (the recommended way)
torch.save(model.state_dict(), file)
model_load = NeuralNetwork(6)
model_load.load_state_dict(torch.load(file))
model_load.eval()
print("state_dict reloaded, same parameters:",
      all(torch.equal(a, b) for a, b in zip(model.parameters(), model_load.parameters())))

# 4. resume from the checkpoint in a fresh model and optimizer, train to the end again
if 0 < checkpoint_epoch <= args.epochs:
    model_resume = NeuralNetwork(6)
    optimizer_resume = torch.optim.SGD(model_resume.parameters(), lr=0)

    load_checkpoint = torch.load("checkpoint.pth")
    epoch = load_checkpoint['epoch']
    model_resume.load_state_dict(load_checkpoint['model_state'])
    optimizer_resume.load_state_dict(load_checkpoint['optim_state'])
    print(f"resuming at epoch {epoch}, lr {optimizer_resume.param_groups[0]['lr']}")
    train_epochs(model_resume, optimizer_resume, epoch, args.epochs)
    if args.no_shuffle:  # same batches in the same order: the same parameters at the end
        same = all(torch.allclose(a, b, atol=1e-6)
                   for a, b in zip(model.parameters(), model_resume.parameters()))
        print("resumed run matches the uninterrupted one:", same)
