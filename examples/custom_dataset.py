"""A custom Dataset over a CSV of image names and labels (seeds/003, "3.2 自定义数据集"): the
seed's `CatsAndDogsDataset`, `random_split` into train and test, DataLoaders, a look at one
test image with `ToPILImage`, and a small classifier trained on it.

Plain PyTorch: `python examples/custom_dataset.py` on torch, `python -m jtorch
examples/custom_dataset.py` on jtorch. The seed reads `label.csv` with pandas and the images
with skimage; this version uses the csv module and Pillow (torchvision's image library), so
it needs nothing beyond torch and torchvision.

`--data DIR` holds `cat_dog/label.csv` (rows `file name,label`, 0 = cat, 1 = dog) and the
images. When `DIR/cat_dog/label.csv` does not exist, a small synthetic set is written there
first (warm-toned "cats", cool-toned "dogs", from --seed), so the program runs anywhere.

Flags:
  --data DIR           folder holding cat_dog/ (default ./data)
  --epochs N           epochs to train (default 5)
  --limit-batches N    use only the first N batches of the training split per epoch
  --seed N             seeds torch, the split and the synthetic images (default 0)
  --num-images N       size of the synthetic set when one is written (default 48)
  --no-shuffle         fixed split (first 3/4 train) and order (reproducible comparisons)
  --init-weights PATH  start from this state_dict (e.g. one saved by --save-init)
  --save-init PATH     save the freshly initialised state_dict there before training
"""

import argparse
import csv
import os
import random

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader, Dataset, Subset
from torchvision import transforms

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="data")
parser.add_argument("--epochs", type=int, default=5)
parser.add_argument("--limit-batches", type=int, default=None)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--num-images", type=int, default=48)
parser.add_argument("--no-shuffle", action="store_true")
parser.add_argument("--init-weights", default=None)
parser.add_argument("--save-init", default=None)
args = parser.parse_args()
torch.manual_seed(args.seed)


def write_synthetic_cats_and_dogs(root_dir, n, seed, size=32):
    """`n` RGB PNGs and label.csv: label 0 images lean red, label 1 images lean blue."""
    rng = random.Random(seed)
    os.makedirs(root_dir, exist_ok=True)
    rows = []
    for i in range(n):
        label = i % 2
        base = (180, 120, 60) if label == 0 else (60, 120, 180)
        pixels = bytes(max(0, min(255, c + rng.randint(-60, 60)))
                       for _ in range(size * size) for c in base)
        name = f"{'cat' if label == 0 else 'dog'}.{i}.png"
        Image.frombytes("RGB", (size, size), pixels).save(os.path.join(root_dir, name))
        rows.append((name, label))
    with open(os.path.join(root_dir, "label.csv"), "w", newline="") as f:
        csv.writer(f).writerows(rows)


class CatsAndDogsDataset(Dataset):
    def __init__(self, csv_file, root_dir, transform=None):
        # 读取标签文件
        with open(os.path.join(root_dir, csv_file), newline="") as f:
            self.annotations = [row for row in csv.reader(f) if row]
        # 定义文件目录
        self.root_dir = root_dir
        # 定义transform
        self.transform = transform

    # 返回数据集长度
    def __len__(self):
        return len(self.annotations)

    # 获取数据的方法，会和Dataloader连用
    def __getitem__(self, index):
        # 获取图片路径，0表示csv文件的第一列
        img_path = os.path.join(self.root_dir, self.annotations[index][0])
        # 读取图片 (an H x W x C uint8 array, as skimage.io.imread gives)
        image = np.asarray(Image.open(img_path).convert("RGB"))
        # 获取图片对应的标签，1表示csv文件的第二列
        y_label = torch.tensor(int(self.annotations[index][1]))

        # 如果使用时附加了transform参数，则对图片应用转换
        if self.transform:
            image = self.transform(image)

        # 返回一个图片和标签的元组
        return (image, y_label)


root_dir = os.path.join(args.data, "cat_dog")
if not os.path.exists(os.path.join(root_dir, "label.csv")):
    print(f"writing a synthetic cats-and-dogs set of {args.num_images} images to {root_dir}")
    write_synthetic_cats_and_dogs(root_dir, args.num_images, args.seed)

# 实例化，输入文件名称，路径和需要的数据转换
dataset = CatsAndDogsDataset(csv_file="label.csv", root_dir=root_dir,
                             transform=transforms.ToTensor())
# 划分训练集和测试集: 3/4 for training, 1/4 for testing
n_train = len(dataset) * 3 // 4
if args.no_shuffle:
    training_data = Subset(dataset, range(n_train))
    test_data = Subset(dataset, range(n_train, len(dataset)))
else:
    training_data, test_data = torch.utils.data.random_split(
        dataset, [n_train, len(dataset) - n_train],
        generator=torch.Generator().manual_seed(args.seed))
print(f"{len(training_data)} training images, {len(test_data)} test images")

# 这一步开始和使用自带数据集的代码完全一致
batch_size = 4
train_dataloader = DataLoader(training_data, batch_size=batch_size,
                              shuffle=not args.no_shuffle)
test_dataloader = DataLoader(test_data, batch_size=batch_size, shuffle=not args.no_shuffle)

for X, y in test_dataloader:
    print("Shape of X [N, C, H, W]: ", X.shape)
    print("Shape of y: ", y.shape, y.dtype)
    break

# 以图片的形式查看 (saved rather than shown, so the program runs without a display)
to_pil_image = transforms.ToPILImage()
img = to_pil_image(X[0])
img.save("custom_dataset_sample.png")
print(f"saved one test image ({img.mode} {img.size[0]}x{img.size[1]}) to "
      "custom_dataset_sample.png")

model = nn.Sequential(
    nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(4),
    nn.Flatten(), nn.Linear(8 * 8 * 8, 2),
)
if args.save_init:
    torch.save(model.state_dict(), args.save_init)
if args.init_weights:
    model.load_state_dict(torch.load(args.init_weights))
loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

for epoch in range(args.epochs):
    model.train()
    total_loss, batches = 0.0, 0
    for batch, (X, y) in enumerate(train_dataloader):
        if args.limit_batches is not None and batch >= args.limit_batches:
            break
        loss = loss_fn(model(X), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total_loss, batches = total_loss + loss.item(), batches + 1
    model.eval()
    correct = 0
    with torch.no_grad():
        for X, y in test_dataloader:
            correct += (model(X).argmax(1) == y).sum().item()
    print(f"epoch {epoch + 1}: train loss {total_loss / max(batches, 1):.6f}, "
          f"test accuracy {correct}/{len(test_data)}")
