"""jtorch.vision.datasets: torchvision.datasets' image datasets."""

from jtorch.vision.datasets.cifar import CIFAR10, CIFAR100
from jtorch.vision.datasets.fakedata import FakeData
from jtorch.vision.datasets.folder import DatasetFolder, ImageFolder
from jtorch.vision.datasets.mnist import EMNIST, KMNIST, MNIST, QMNIST, FashionMNIST
from jtorch.vision.datasets.svhn import SVHN
from jtorch.vision.datasets.vision import VisionDataset

__all__ = ("CIFAR10", "CIFAR100", "DatasetFolder", "EMNIST", "FakeData", "FashionMNIST",
           "ImageFolder", "KMNIST", "MNIST", "QMNIST", "SVHN", "VisionDataset")
