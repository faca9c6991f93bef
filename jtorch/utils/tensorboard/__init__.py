"""torch.utils.tensorboard: log scalars, images, histograms, text, graphs, hyper-parameters,
PR curves and embeddings for TensorBoard.

Event files are written with the `tensorboard` package's own protos and `EventFileWriter`, the
same path torch takes, so they read back in TensorBoard exactly as torch's do. `tensorboard` is
an optional dependency (`pip install tensorboard`, or the `tensorboard` extra of jtorch).
"""

try:
    import tensorboard
except ImportError:
    raise ImportError(
        "jtorch.utils.tensorboard (torch.utils.tensorboard) needs the `tensorboard` package, "
        "which is not installed: pip install tensorboard") from None

if tuple(int(p) for p in getattr(tensorboard, "__version__", "0").split(".")[:2]
         if p.isdigit()) < (1, 15):
    raise ImportError("TensorBoard logging requires TensorBoard version 1.15 or above: "
                      "pip install --upgrade tensorboard")

del tensorboard

from tensorboard.summary.writer.record_writer import RecordWriter  # noqa: E402

from jtorch.utils.tensorboard.writer import FileWriter, SummaryWriter  # noqa: E402

__all__ = ["FileWriter", "RecordWriter", "SummaryWriter"]
