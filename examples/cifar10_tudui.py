"""CIFAR10 training with TensorBoard (seeds/002, "完整模型训练套路" and "完整验证套路"): the
"Tudui" network (3 x Conv2d/MaxPool2d, Flatten, 2 x Linear), SGD, the train loss and the
test loss/accuracy logged with SummaryWriter, the whole model saved each epoch and loaded
back to classify one test image.

Plain PyTorch: `python examples/cifar10_tudui.py` on torch, `python -m jtorch
examples/cifar10_tudui.py` on jtorch. CIFAR10 (170 MB) is read from `--data` as torchvision
lays it out (`DIR/cifar-10-batches-py/`), downloaded there if missing.

Flags:
  --data DIR           dataset root (default ./dataset, as in the seed)
  --epochs N           epochs to train (default 10, as in the seed)
  --limit-batches N    use only the first N batches of the train and test sets
  --seed N             torch.manual_seed (default 0)
  --log-interval N     print and log the train loss every N steps (default 100)
  --logdir DIR         SummaryWriter folder (default ./logs_train)
  --init-weights PATH  start from this state_dict (e.g. one saved by --save-init)
  --save-init PATH     save the freshly initialised state_dict there before training
"""

import argparse

import torch
import torch.optim
import torchvision
from torch import nn
from torch.utils.data import DataLoader, Subset
from torch.utils.tensorboard import SummaryWriter

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--data", default="./dataset")
parser.add_argument("--epochs", type=int, default=10)
parser.add_argument("--limit-batches", type=int, default=None)
parser.add_argument("--seed", type=int, default=0)
parser.add_argument("--log-interval", type=int, default=100)
parser.add_argument("--logdir", default="./logs_train")
parser.add_argument("--init-weights", default=None)
parser.add_argument("--save-init", default=None)
args = parser.parse_args()
torch.manual_seed(args.seed)


### 搭建神经网络
class Tudui(nn.Module):
    def __init__(self):
        super().__init__()
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


### 定义训练的设备
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

### 准备数据集
train_data = torchvision.datasets.CIFAR10(args.data, train=True,
                                          transform=torchvision.transforms.ToTensor(),
                                          download=True)

test_data = torchvision.datasets.CIFAR10(args.data, train=False,
                                         transform=torchvision.transforms.ToTensor(),
                                         download=True)
if args.limit_batches is not None:
    train_data = Subset(train_data, range(min(len(train_data), 64 * args.limit_batches)))
    test_data = Subset(test_data, range(min(len(test_data), 64 * args.limit_batches)))

### 数据集长度
train_data_size = len(train_data)
test_data_size = len(test_data)
print(f"训练数据集的长度为：{train_data_size}")
print(f"测试数据集的长度为：{test_data_size}")

### 利用Dataloader加载数据集
train_dataloader = DataLoader(train_data, batch_size=64)
test_dataloader = DataLoader(test_data, batch_size=64)

### 创建网络模型
model = Tudui()
if args.save_init:
    torch.save(model.state_dict(), args.save_init)
if args.init_weights:
    model.load_state_dict(torch.load(args.init_weights))
model = model.to(device)

### 损失函数
loss_fn = nn.CrossEntropyLoss()
loss_fn = loss_fn.to(device)

### 优化器
learning_rate = 1e-2
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)

### 设置训练网络的一些参数
total_train_step = 0 ### 记录训练的次数
total_test_step = 0 ### 记录测试的次数

n_epochs = args.epochs ### 训练的轮数

### 添加tensorboard 展示训练过程
writer = SummaryWriter(args.logdir)

for epoch in range(n_epochs):
    print("{}第{}轮训练开始{}".format('-'*5, epoch+1, '-'*5))

    ### 训练步骤开始
    model.train()

    for data in train_dataloader:
        imgs, targets = data
        imgs, targets = imgs.to(device), targets.to(device)
        outputs = model(imgs)
        loss = loss_fn(outputs, targets) ### Compute loss

        ### 优化器优化模型
        optimizer.zero_grad()           ### Clear gradients computed last time
        loss.backward()                 ### Compute gradient
        optimizer.step()

        total_train_step += 1
        if total_train_step % args.log_interval == 0:
            print(f"训练次数：{total_train_step}, Loss: {loss.item()}")
            writer.add_scalar("train_loss", loss.item(), total_train_step)

    ### 测试
    model.eval()
    total_test_loss = 0     ### 求整个测试数据集上的loss
    total_accuracy = 0      ### 整体正确率
    with torch.no_grad():  ### 测试过程中去除梯度，因为测试时不调优
        for data in test_dataloader:
            imgs, targets = data
            imgs, targets = imgs.to(device), targets.to(device)
            outputs = model(imgs)
            loss = loss_fn(outputs, targets)
            total_test_loss += loss.item()
            accuracy = (outputs.argmax(1) == targets).sum()
            total_accuracy += accuracy
    print(f"Total test loss:{total_test_loss}")
    print(f"Total accuracy: {total_accuracy/test_data_size}")
    writer.add_scalar("test_loss", total_test_loss, total_test_step)
    writer.add_scalar("total_accuracy", total_accuracy/test_data_size, total_test_step)
    total_test_step += 1

    torch.save(model, f"model_{epoch}.pth")
    print("模型已保存")

writer.close()

## 完整验证套路: load the last saved model and classify one test image
if n_epochs > 0:
    image, label = test_data[0]
    model = torch.load(f"model_{n_epochs - 1}.pth", map_location=torch.device('cpu'),
                       weights_only=False)  ## the whole model: not a weights-only file
    image = torch.reshape(image, (1, 3, 32, 32))
    model.eval()
    with torch.no_grad():
        output = model(image)
    print(output.argmax(1), "label:", label)
