"""Linear regression trained with jtorch autograd, written exactly as in PyTorch.

Run: python examples/linear_regression.py [--steps 200] [--lr 0.1]
(Unchanged torch code: `python -m jtorch` will run it with `import torch` once that lands.)
"""

import argparse

import jtorch as torch


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--lr", type=float, default=0.1)
    args = parser.parse_args()

    torch.manual_seed(0)
    true_w = torch.tensor([[2.0], [-3.4]])
    true_b = 4.2
    x = torch.randn(1000, 2)
    y = x @ true_w + true_b + 0.01 * torch.randn(1000, 1)

    w = torch.zeros(2, 1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    for step in range(1, args.steps + 1):
        loss = ((x @ w + b - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= args.lr * w.grad
            b -= args.lr * b.grad
            w.grad.zero_()
            b.grad.zero_()
        if step % 20 == 0 or step == 1:
            print(f"step {step:4d}  loss {loss.item():.6f}")
    print(f"learned w = {w.detach().view(-1).tolist()}, b = {b.item():.4f} "
          f"(true w = [2.0, -3.4], b = 4.2)")


if __name__ == "__main__":
    main()
