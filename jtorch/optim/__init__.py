"""jtorch.optim: torch.optim's optimizers and learning-rate schedulers, on Optax."""

from jtorch.optim import lr_scheduler
from jtorch.optim.adadelta import Adadelta
from jtorch.optim.adagrad import Adagrad
from jtorch.optim.adam import Adam
from jtorch.optim.adamax import Adamax
from jtorch.optim.adamw import AdamW
from jtorch.optim.asgd import ASGD
from jtorch.optim.lbfgs import LBFGS
from jtorch.optim.nadam import NAdam
from jtorch.optim.optimizer import Optimizer
from jtorch.optim.radam import RAdam
from jtorch.optim.rmsprop import RMSprop
from jtorch.optim.rprop import Rprop
from jtorch.optim.sgd import SGD
from jtorch.optim.sparse_adam import SparseAdam

__all__ = ["ASGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "LBFGS", "NAdam",
           "Optimizer", "RAdam", "RMSprop", "Rprop", "SGD", "SparseAdam", "lr_scheduler"]
