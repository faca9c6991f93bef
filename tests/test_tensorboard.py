"""jtorch.utils.tensorboard against torch.utils.tensorboard: the same calls, the same logs.

Each test makes the same SummaryWriter calls with torch and with jtorch (on tensors made from
the same numpy data), reads both log directories back with TensorBoard's EventAccumulator and
compares tags, steps and values. The server test runs `tensorboard --logdir` on a log from a
seed-002-style training loop and fetches its scalars JSON over HTTP.
"""

from __future__ import annotations

import importlib
import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest

import jtorch

torch = pytest.importorskip("torch")
pytest.importorskip("tensorboard")

from tensorboard.backend.event_processing.event_accumulator import (  # noqa: E402
    EventAccumulator,
)
from torch.utils.tensorboard import SummaryWriter as TorchWriter  # noqa: E402

from jtorch.utils.tensorboard import SummaryWriter as JWriter  # noqa: E402

LIBS = {"torch": (torch, TorchWriter), "jtorch": (jtorch, JWriter)}


def accumulate(path):
    acc = EventAccumulator(str(path), size_guidance={k: 0 for k in (
        "scalars", "images", "histograms", "tensors", "compressedHistograms", "audio")})
    acc.Reload()
    return acc


def run_both(tmp_path, calls):
    """`calls(lib, writer)` with each library into its own log dir; returns the two dirs."""
    dirs = {}
    for name, (lib, writer_cls) in LIBS.items():
        dirs[name] = tmp_path / name
        with writer_cls(str(dirs[name])) as writer:
            calls(lib, writer)
    return dirs["torch"], dirs["jtorch"]


def png_pixels(encoded):
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(encoded)))


def assert_same_images(a, b, tag):
    ia, ib = a.Images(tag), b.Images(tag)
    assert [e.step for e in ia] == [e.step for e in ib]
    for ea, eb in zip(ia, ib):
        assert (ea.width, ea.height) == (eb.width, eb.height)
        np.testing.assert_array_equal(png_pixels(eb.encoded_image_string),
                                      png_pixels(ea.encoded_image_string))


def tensor_values(acc, tag):
    from tensorboard.util import tensor_util
    return [(e.step, tensor_util.make_ndarray(e.tensor_proto)) for e in acc.Tensors(tag)]


RNG = np.random.default_rng(0)


# ---- scalars ------------------------------------------------------------------------------

def test_scalars_from_floats_ints_and_tensors_match_torch(tmp_path):
    values = RNG.standard_normal(5).astype(np.float32)

    def calls(lib, w):
        for step, v in enumerate(values):
            w.add_scalar("loss", lib.tensor(v), step)  # a 0-d tensor, as loss.item()'s source
            w.add_scalar("y=x", step, step)  # seed 002's Python ints
            w.add_scalar("acc", float(v) / 3, global_step=lib.tensor(step))
        w.add_scalar("new_style", 0.25, 7, new_style=True)

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["scalars"] == ta.Tags()["scalars"] == ["loss", "y=x", "acc"]
    for tag in ("loss", "y=x", "acc"):
        t_events, j_events = ta.Scalars(tag), ja.Scalars(tag)
        assert [e.step for e in j_events] == [e.step for e in t_events] == list(range(5))
        np.testing.assert_array_equal([e.value for e in j_events], [e.value for e in t_events])
    assert tensor_values(ja, "new_style")[0][0] == 7
    assert tensor_values(ja, "new_style")[0][1] == tensor_values(ta, "new_style")[0][1] == 0.25


def test_add_scalars_writes_one_subrun_per_key_like_torch(tmp_path):
    def calls(lib, w):
        for step in range(3):
            w.add_scalars("run_14h", {"xsinx": step * np.sin(step / 5),
                                      "xcosx": lib.tensor(step * np.cos(step / 5))}, step)
        w.add_scalars("a/b", {"c": 1.0}, 0)  # '/' in the main tag becomes '_' in the run

    t_dir, j_dir = run_both(tmp_path, calls)
    subruns = sorted(p.name for p in j_dir.iterdir() if p.is_dir())
    assert subruns == sorted(p.name for p in t_dir.iterdir() if p.is_dir())
    assert subruns == ["a_b_c", "run_14h_xcosx", "run_14h_xsinx"]
    for run in subruns:
        ta, ja = accumulate(t_dir / run), accumulate(j_dir / run)
        tag = ta.Tags()["scalars"][0]
        assert ja.Tags()["scalars"] == [tag]
        assert [(e.step, e.value) for e in ja.Scalars(tag)] == \
            [(e.step, e.value) for e in ta.Scalars(tag)]


# ---- images -------------------------------------------------------------------------------

def test_image_chw_hwc_hw_and_uint8_match_torch(tmp_path):
    chw = RNG.random((3, 10, 12)).astype(np.float32)
    gray = RNG.random((1, 10, 12)).astype(np.float32)
    hw = RNG.random((9, 7)).astype(np.float32)
    u8 = (RNG.random((10, 12, 3)) * 255).astype(np.uint8)

    def calls(lib, w):
        w.add_image("chw", lib.from_numpy(chw), 0)
        w.add_image("chw", lib.from_numpy(chw * 0.5), 1)
        w.add_image("gray", lib.from_numpy(gray), 0)
        w.add_image("hwc", lib.from_numpy(chw.transpose(1, 2, 0).copy()), 0, dataformats="HWC")
        w.add_image("hw", lib.from_numpy(hw), 0, dataformats="HW")
        w.add_image("uint8_hwc", u8, 2, dataformats="HWC")  # seed 002 passes numpy arrays
        w.add_image("uint8_tensor", lib.from_numpy(u8), 3, dataformats="HWC")

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["images"] == ta.Tags()["images"]
    for tag in ta.Tags()["images"]:
        assert_same_images(ta, ja, tag)
    assert (ja.Images("hw")[0].height, ja.Images("hw")[0].width) == (9, 7)
    np.testing.assert_array_equal(png_pixels(ja.Images("uint8_hwc")[0].encoded_image_string),
                                  u8)


def test_images_nchw_nhwc_batches_match_torch(tmp_path):
    batch = RNG.random((11, 3, 8, 6)).astype(np.float32)  # 11 images: a grid of 8 + 3
    gray = RNG.random((4, 1, 5, 5)).astype(np.float32)

    def calls(lib, w):
        w.add_images("test_data", lib.from_numpy(batch), 0)
        w.add_images("nhwc", lib.from_numpy(batch.transpose(0, 2, 3, 1).copy()), 1,
                     dataformats="NHWC")
        w.add_images("gray", lib.from_numpy(gray), global_step=2)

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["images"] == ta.Tags()["images"] == ["test_data", "nhwc", "gray"]
    for tag in ta.Tags()["images"]:
        assert_same_images(ta, ja, tag)
    first = ja.Images("test_data")[0]
    assert (first.height, first.width) == (16, 48)  # 2 rows, 8 columns of 8x6 images


def test_image_errors_match_torch(tmp_path):
    with JWriter(str(tmp_path)) as w:
        with pytest.raises(AssertionError, match="size of input tensor and input format"):
            w.add_image("bad", jtorch.zeros(3, 4, 4), dataformats="HW")
        with pytest.raises(AssertionError, match="same dimension shorthand twice"):
            w.add_image("bad", jtorch.zeros(3, 4, 4), dataformats="CHH")


def test_figure_matches_torch(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    def figure():
        fig = plt.figure(figsize=(2, 1.5), dpi=50)
        plt.plot([0, 1, 2], [1, 0, 2])
        return fig

    def calls(lib, w):
        w.add_figure("fig", figure(), 0)
        w.add_figure("figs", [figure(), figure()], 1)

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["images"] == ["fig", "figs"]
    for tag in ("fig", "figs"):
        assert_same_images(ta, ja, tag)
    assert not plt.get_fignums()  # close=True closed them


# ---- histograms, text, PR curves, hparams -------------------------------------------------

def test_histograms_match_torch(tmp_path):
    values = RNG.standard_normal(1000).astype(np.float32)

    def calls(lib, w):
        param = lib.nn.Parameter(lib.from_numpy(values.reshape(10, 100)))
        for i in range(3):
            w.add_histogram("distribution centers", lib.from_numpy(values + i), i)
        w.add_histogram("param", param, 0)  # requires grad: detached first
        w.add_histogram("auto_bins", values, 0, bins="auto")
        w.add_histogram("max_bins", lib.from_numpy(values), 0, bins=50, max_bins=10)
        w.add_histogram("ints", lib.arange(10), 0, bins="fd")

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["histograms"] == ta.Tags()["histograms"]
    assert len(ja.Tags()["histograms"]) == 5
    for tag in ta.Tags()["histograms"]:
        t_events, j_events = ta.Histograms(tag), ja.Histograms(tag)
        assert [e.step for e in j_events] == [e.step for e in t_events]
        for te, je in zip(t_events, j_events):
            th, jh = te.histogram_value, je.histogram_value
            assert (jh.min, jh.max, jh.num) == (th.min, th.max, th.num)
            np.testing.assert_allclose([jh.sum, jh.sum_squares], [th.sum, th.sum_squares],
                                       rtol=1e-6)
            np.testing.assert_allclose(jh.bucket_limit, th.bucket_limit, rtol=1e-12)
            assert list(jh.bucket) == list(th.bucket)


def test_bfloat16_values_and_unsupported_types(tmp_path):
    values = RNG.standard_normal(64).astype(np.float32)

    def calls(lib, w):
        w.add_histogram("bf16", lib.from_numpy(values).to(lib.bfloat16), 0)
        w.add_scalar("bf16_scalar", lib.tensor(1.25, dtype=lib.bfloat16), 0)

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Histograms("bf16")[0].histogram_value == ta.Histograms("bf16")[0].histogram_value
    assert ja.Scalars("bf16_scalar")[0].value == ta.Scalars("bf16_scalar")[0].value == 1.25
    with JWriter(str(tmp_path / "err")) as w, pytest.raises(NotImplementedError,
                                                            match="numpy array or torch"):
        w.add_scalar("list", [1.0], 0)


def test_histogram_raw_and_empty_input(tmp_path):
    def calls(lib, w):
        w.add_histogram_raw("raw", min=0.0, max=3.0, num=6, sum=9.0, sum_squares=17.0,
                            bucket_limits=[1.0, 2.0, 3.0], bucket_counts=[1, 2, 3],
                            global_step=4)

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Histograms("raw")[0].histogram_value == ta.Histograms("raw")[0].histogram_value
    with JWriter(str(tmp_path / "err")) as w:
        with pytest.raises(ValueError, match="no element"):
            w.add_histogram("empty", jtorch.zeros(0), 0)
        with pytest.raises(ValueError, match="bucket_limits"):
            w.add_histogram_raw("raw", 0, 1, 1, 1, 1, [1.0], [1, 2])


def test_text_matches_torch(tmp_path):
    def calls(lib, w):
        w.add_text("lstm", "This is an lstm", 0)
        w.add_text("rnn", "**markdown** 中文", 10)

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["tensors"] == ta.Tags()["tensors"] == \
        ["lstm/text_summary", "rnn/text_summary"]
    for tag in ta.Tags()["tensors"]:
        assert [(s, v.tolist()) for s, v in tensor_values(ja, tag)] == \
            [(s, v.tolist()) for s, v in tensor_values(ta, tag)]
        assert ja.SummaryMetadata(tag) == ta.SummaryMetadata(tag)
    assert tensor_values(ja, "rnn/text_summary")[0][1].tolist() == \
        ["**markdown** 中文".encode()]


def test_pr_curve_matches_torch(tmp_path):
    labels = RNG.integers(0, 2, 100)
    predictions = RNG.random(100).astype(np.float32)
    counts = np.arange(5, dtype=np.float32)

    def calls(lib, w):
        w.add_pr_curve("pr_curve", lib.from_numpy(labels), lib.from_numpy(predictions), 0)
        w.add_pr_curve("pr_numpy", labels, predictions, 1, num_thresholds=10)
        w.add_pr_curve_raw("pr_raw", counts, counts, counts, counts, counts / 5, counts / 5,
                           global_step=2, num_thresholds=5)

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["tensors"] == ta.Tags()["tensors"] == ["pr_curve", "pr_numpy", "pr_raw"]
    for tag in ta.Tags()["tensors"]:
        (ts, tv), = tensor_values(ta, tag)
        (js, jv), = tensor_values(ja, tag)
        assert js == ts and jv.shape == tv.shape
        np.testing.assert_allclose(jv, tv, rtol=1e-6)
        assert ja.SummaryMetadata(tag) == ta.SummaryMetadata(tag)
    assert tensor_values(ja, "pr_curve")[0][1].shape == (6, 127)


def test_hparams_match_torch(tmp_path):
    from tensorboard.plugins.hparams import plugin_data_pb2

    def calls(lib, w):
        w.add_hparams({"lr": 0.1, "bsize": 16, "optim": "sgd", "nesterov": True,
                       "skip": None},
                      {"hparam/accuracy": 0.9, "hparam/loss": lib.tensor(0.25)},
                      hparam_domain_discrete={"optim": ["sgd", "adam"]},
                      run_name="exp0", global_step=3)

    t_dir, j_dir = run_both(tmp_path, calls)
    assert (j_dir / "exp0").is_dir()
    ta, ja = accumulate(t_dir / "exp0"), accumulate(j_dir / "exp0")
    assert ja.Tags()["scalars"] == ta.Tags()["scalars"] == ["hparam/accuracy", "hparam/loss"]
    for tag in ta.Tags()["scalars"]:
        assert [(e.step, e.value) for e in ja.Scalars(tag)] == \
            [(e.step, e.value) for e in ta.Scalars(tag)]
    parse = plugin_data_pb2.HParamsPluginData.FromString
    t_content, j_content = ta.PluginTagToContent("hparams"), ja.PluginTagToContent("hparams")
    assert sorted(j_content) == sorted(t_content) == [
        "_hparams_/experiment", "_hparams_/session_end_info", "_hparams_/session_start_info"]
    for tag, content in t_content.items():
        assert parse(j_content[tag]) == parse(content)
    start = parse(j_content["_hparams_/session_start_info"]).session_start_info
    assert start.hparams["optim"].string_value == "sgd" and "skip" not in start.hparams
    with JWriter(str(tmp_path / "err")) as w:
        with pytest.raises(TypeError, match="dictionary"):
            w.add_hparams([("lr", 0.1)], {})
        with pytest.raises(TypeError, match=r"hparam_domain_discrete\[lr\] should be a list"):
            w.add_hparams({"lr": 0.1}, {}, hparam_domain_discrete={"lr": ["a"]})
        with pytest.raises(ValueError, match="value should be one of"):
            w.add_hparams({"layers": [1, 2]}, {})


def test_tensor_and_custom_scalars_match_torch(tmp_path):
    data = RNG.standard_normal((2, 3)).astype(np.float32)

    def calls(lib, w):
        w.add_tensor("t", lib.from_numpy(data), 0)
        w.add_tensor("i", lib.arange(4), 1)
        w.add_custom_scalars_multilinechart(["loss", "acc"], title="both")
        w.add_custom_scalars({"USA": {"dow": ["Margin", ["a", "b", "c"]]}})

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["tensors"] == ta.Tags()["tensors"]
    for tag in ("t", "i"):
        (ts, tv), = tensor_values(ta, tag)
        (js, jv), = tensor_values(ja, tag)
        assert js == ts and jv.dtype == tv.dtype
        np.testing.assert_array_equal(jv, tv)
    assert [v.tolist() for _, v in tensor_values(ja, "custom_scalars__config__")] == \
        [v.tolist() for _, v in tensor_values(ta, "custom_scalars__config__")]


def test_audio_mesh_and_boxes_match_torch(tmp_path):
    sound = np.sin(np.linspace(0, 40, 800)).astype(np.float32)[None]
    vertices = RNG.standard_normal((1, 4, 3)).astype(np.float32)
    faces = np.array([[[0, 2, 3], [0, 3, 1], [0, 1, 2], [1, 3, 2]]], np.int32)
    img = RNG.random((3, 20, 20)).astype(np.float32)
    boxes = np.array([[2, 2, 10, 12], [5, 1, 18, 9]], np.float32)

    def calls(lib, w):
        w.add_audio("snd", lib.from_numpy(sound), 0, sample_rate=8000)
        w.add_mesh("mesh", vertices=lib.from_numpy(vertices), faces=lib.from_numpy(faces),
                   config_dict={"camera": {"fov": 75}}, global_step=1)
        w.add_image_with_boxes("boxes", lib.from_numpy(img), lib.from_numpy(boxes), 2,
                               labels=["a", "b"])

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["audio"] == ["snd"]
    (t_snd,), (j_snd,) = ta.Audio("snd"), ja.Audio("snd")
    assert j_snd.encoded_audio_string == t_snd.encoded_audio_string
    assert (j_snd.sample_rate, j_snd.length_frames) == (8000, 800)
    assert ja.Tags()["tensors"] == ta.Tags()["tensors"]
    for tag in ta.Tags()["tensors"]:
        (ts, tv), = tensor_values(ta, tag)
        (js, jv), = tensor_values(ja, tag)
        assert js == ts == 1
        np.testing.assert_array_equal(jv, tv)
        assert ja.SummaryMetadata(tag) == ta.SummaryMetadata(tag)
    assert_same_images(ta, ja, "boxes")


# ---- graph ------------------------------------------------------------------------------

def _seed_net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3)
            self.fc = nn.Sequential(nn.Flatten(), nn.Linear(2 * 6 * 6, 10), nn.ReLU())

        def forward(self, x):
            return self.fc(self.conv(x)) + 1

    return Net()


def _op_scopes(graph_def):
    return {n.name.rsplit("/", 1)[0] for n in graph_def.node if n.op.startswith("aten::")}


def _shapes(node):
    return [[d.size for d in s.dim] for s in node.attr["_output_shapes"].list.shape]


@pytest.mark.filterwarnings("ignore:`torch.jit.trace")
def test_graph_has_torchs_module_scopes_and_io_nodes(tmp_path):
    x = RNG.standard_normal((2, 1, 8, 8)).astype(np.float32)

    def calls(lib, w):
        model = _seed_net(lib)
        model.train()
        w.add_graph(model, lib.from_numpy(x))
        assert model.training  # traced in eval mode, then restored

    ta, ja = (accumulate(d) for d in run_both(tmp_path, calls))
    assert ja.Tags()["graph"] and ja.Tags()["run_metadata"] == ["step1"]
    tg, jg = ta.Graph(), ja.Graph()
    assert _op_scopes(jg) == _op_scopes(tg) == {
        "Net", "Net/Conv2d[conv]", "Net/Sequential[fc]/Flatten[0]",
        "Net/Sequential[fc]/Linear[1]", "Net/Sequential[fc]/ReLU[2]"}
    t_io = {n.name: _shapes(n) for n in tg.node if n.op == "IO Node"}
    j_io = {n.name: _shapes(n) for n in jg.node if n.op == "IO Node"}
    assert j_io == t_io == {"input/x": [[2, 1, 8, 8]], "output/output.1": [[2, 10]]}
    by_name = {n.name: n for n in jg.node}
    # every edge points at a node of the graph, and the data flows input -> output
    assert all(i.split(":")[0] in by_name for n in jg.node for i in n.input)
    conv = next(n for n in jg.node if n.name.startswith("Net/Conv2d[conv]/") and
                n.op.startswith("aten::"))
    assert "input/x" in conv.input and _shapes(conv) == [[2, 2, 6, 6]]
    assert {"Net/Conv2d[conv]/weight", "Net/Conv2d[conv]/bias"} <= set(conv.input)
    assert by_name["Net/Conv2d[conv]/weight"].op == "prim::GetAttr"
    assert jg.versions.producer == tg.versions.producer == 22


def test_graph_of_multi_input_model_with_inplace_ops(tmp_path):
    nn = jtorch.nn

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(4, 3), nn.Linear(5, 3)
            self.act = nn.ReLU(inplace=True)

        def forward(self, left, right):
            return self.act(self.a(left) + self.b(right)), left.sum()

    with JWriter(str(tmp_path)) as w:
        w.add_graph(Two(), (jtorch.randn(2, 4), jtorch.randn(2, 5)))
    g = accumulate(tmp_path).Graph()
    io = {n.name: list(n.input) for n in g.node if n.op == "IO Node"}
    assert set(io) == {"input/left", "input/right", "output/output.1", "output/output.2"}
    scopes = _op_scopes(g)
    assert {"Two/Linear[a]", "Two/Linear[b]", "Two/ReLU[act]", "Two"} <= scopes
    by_name = {n.name: n for n in g.node}
    assert by_name[io["output/output.1"][0]].name.startswith("Two/ReLU[act]/")


def test_graph_shows_integer_inputs_and_buffers_that_ops_read(tmp_path):
    nn = jtorch.nn

    class Tagger(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb, self.norm = nn.Embedding(10, 4), nn.BatchNorm1d(4)

        def forward(self, idx):
            return self.norm(self.emb(idx.view(-1)))

    with JWriter(str(tmp_path)) as w:
        w.add_graph(Tagger(), jtorch.tensor([[1, 2], [3, 4]]))
    g = accumulate(tmp_path).Graph()
    ops = {n.op: list(n.input) for n in g.node}
    assert "input/idx" in ops["aten::embedding"]  # no autograd edge: found from the funnel
    assert {"Tagger/BatchNorm1d[norm]/running_mean", "Tagger/BatchNorm1d[norm]/running_var"} \
        <= set(ops["aten::native_batch_norm"])
    assert {n.name: n.op for n in g.node}["Tagger/BatchNorm1d[norm]/running_var"] == \
        "prim::GetAttr"


def test_onnx_graph_matches_torch(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    relu = helper.make_node("Relu", ["x"], ["r"])
    softmax = helper.make_node("Softmax", ["r"], ["y"], axis=1)
    model = helper.make_model(helper.make_graph([relu, softmax], "g", [x], [y]))
    path = tmp_path / "model.onnx"
    onnx.save(model, str(path))

    ta, ja = (accumulate(d) for d in run_both(tmp_path, lambda lib, w:
                                                w.add_onnx_graph(str(path))))
    assert ja.Graph() == ta.Graph()
    assert [(n.name, n.op) for n in ja.Graph().node] == [
        ("x", "Variable"), ("y", "Variable"), ("r", "Relu"), ("y", "Softmax")]


def test_graph_errors_are_reported_and_raised(tmp_path, capsys):
    with JWriter(str(tmp_path)) as w, pytest.raises(RuntimeError):
        w.add_graph(jtorch.nn.Linear(3, 2), jtorch.randn(2, 4))
    assert "No graph saved" in capsys.readouterr().out


# ---- embeddings --------------------------------------------------------------------------

def test_embedding_projector_files_match_torch(tmp_path, capsys):
    mat = RNG.standard_normal((6, 4)).astype(np.float32)
    label_img = RNG.random((6, 3, 4, 5)).astype(np.float32)
    meta = [f"w{i}" for i in range(6)]

    def calls(lib, w):
        w.add_embedding(lib.from_numpy(mat), metadata=meta,
                        label_img=lib.from_numpy(label_img))
        w.add_embedding(lib.from_numpy(mat), metadata=[[m, i] for i, m in enumerate(meta)],
                        metadata_header=["word", "index"], global_step=3, tag="a/b")

    t_dir, j_dir = run_both(tmp_path, calls)
    files = sorted(str(p.relative_to(t_dir)) for p in t_dir.rglob("*") if p.is_file() and
                   "events" not in p.name)
    assert files == sorted(str(p.relative_to(j_dir)) for p in j_dir.rglob("*") if
                           p.is_file() and "events" not in p.name)
    assert "00000/default/sprite.png" in files and "00003/a%2fb/metadata.tsv" in files
    for f in files:
        if f.endswith(".png"):
            np.testing.assert_array_equal(png_pixels((j_dir / f).read_bytes()),
                                          png_pixels((t_dir / f).read_bytes()))
        else:
            assert (j_dir / f).read_text() == (t_dir / f).read_text(), f
    config = (j_dir / "projector_config.pbtxt").read_text()
    assert 'tensor_name: "default:00000"' in config and "single_image_dim: 5" in config
    with JWriter(str(j_dir)) as w:
        w.add_embedding(jtorch.from_numpy(mat))  # step 0 again: torch's warning, then rewrite
    assert "Embedding dir exists" in capsys.readouterr().out


# ---- writer lifetime ---------------------------------------------------------------------

def _event_files(path):
    return sorted(p for p in path.iterdir() if p.name.startswith("events.out.tfevents"))


def test_default_log_dir_comment_and_filename_suffix(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = JWriter(comment="LR_0.1_BATCH_16", filename_suffix=".jt")
    w.close()
    log_dir = w.get_logdir()
    assert log_dir.startswith("runs" + os.sep) and log_dir.endswith(
        "_" + socket.gethostname() + "LR_0.1_BATCH_16")
    (event_file,) = _event_files(tmp_path / log_dir)
    assert event_file.name.endswith(".jt")


def test_flush_close_reopen_and_context_manager(tmp_path):
    w = JWriter(str(tmp_path), flush_secs=3600)
    w.add_scalar("a", 1.0, 0)
    w.flush()  # written without waiting for flush_secs
    assert [e.value for e in accumulate(tmp_path).Scalars("a")] == [1.0]
    w.close()
    w.close()  # closing twice is fine
    w.add_scalar("a", 2.0, 1)  # reopens, in a new event file
    w.close()
    assert len(_event_files(tmp_path)) == 2
    with JWriter(str(tmp_path / "ctx")) as w2:
        w2.add_text("t", "x")
    assert w2.all_writers is None
    assert accumulate(tmp_path / "ctx").Tags()["tensors"] == ["t/text_summary"]


def test_purge_step_hides_later_events_like_torch(tmp_path):
    for name, (_, writer_cls) in LIBS.items():
        with writer_cls(str(tmp_path / name)) as w:
            for step in range(6):
                w.add_scalar("loss", float(step), step)
        time.sleep(1.01)  # event file names carry the second they were created
        with writer_cls(str(tmp_path / name), purge_step=3) as w:
            for step in range(3, 5):
                w.add_scalar("loss", 10.0 + step, step)
    t = [(e.step, e.value) for e in accumulate(tmp_path / "torch").Scalars("loss")]
    j = [(e.step, e.value) for e in accumulate(tmp_path / "jtorch").Scalars("loss")]
    assert j == t == [(0, 0.0), (1, 1.0), (2, 2.0), (3, 13.0), (4, 14.0)]


def test_missing_tensorboard_gives_a_clear_import_error(monkeypatch):
    for name in list(sys.modules):
        if name.startswith("jtorch.utils.tensorboard"):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "tensorboard", None)
    with pytest.raises(ImportError, match="pip install tensorboard"):
        importlib.import_module("jtorch.utils.tensorboard")


# ---- the TensorBoard server on a seed-002-style training log ------------------------------

def _seed_002_training_log(log_dir):
    """Seed 002's loop, shortened: a small model on random CIFAR-shaped batches, logging
    train_loss every step, test_loss / total_accuracy and the test images per epoch."""
    torch_ = jtorch
    nn = torch_.nn
    jtorch.manual_seed(0)
    rng = np.random.default_rng(0)
    # the data is random CIFAR-shaped batches (no dataset download in tests)
    batch = lambda n: (torch_.from_numpy(rng.random((n, 3, 32, 32), np.float32)),  # noqa: E731
                       torch_.from_numpy(rng.integers(0, 10, n)))
    model = nn.Sequential(nn.Flatten(), nn.Linear(3 * 32 * 32, 10))
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch_.optim.SGD(model.parameters(), lr=1e-2)
    writer = JWriter(str(log_dir))
    writer.add_graph(model, batch(4)[0])  # seed 003's tb.add_graph(network, images)
    total_train_step = 0
    for epoch in range(2):
        model.train()
        for _ in range(3):
            imgs, targets = batch(4)
            loss = loss_fn(model(imgs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total_train_step += 1
            writer.add_scalar("train_loss", loss.item(), total_train_step)
        model.eval()
        with torch_.no_grad():
            imgs, targets = batch(8)
            outputs = model(imgs)
            total_test_loss = loss_fn(outputs, targets).item()
            total_accuracy = (outputs.argmax(1) == targets).sum()
        writer.add_images("test_data", imgs, epoch)
        writer.add_scalar("test_loss", total_test_loss, epoch)
        writer.add_scalar("total_accuracy", total_accuracy / 8, epoch)
    writer.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url, deadline, parse=json.loads):
    last = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                data = parse(r.read().decode())
            if data:
                return data
        except (OSError, ValueError) as exc:
            last = exc
        time.sleep(0.25)
    pytest.skip(f"tensorboard server did not answer {url} in time ({last})")


def test_tensorboard_server_serves_the_training_scalars(tmp_path):
    log_dir = tmp_path / "logs_train"
    _seed_002_training_log(log_dir)
    expected = [(e.step, e.value) for e in accumulate(log_dir).Scalars("train_loss")]
    assert [s for s, _ in expected] == [1, 2, 3, 4, 5, 6]

    port = _free_port()
    command = [sys.executable, "-m", "tensorboard.main", "--logdir", str(log_dir),
               "--host", "127.0.0.1", "--port", str(port), "--load_fast", "false",
               "--reload_interval", "1"]
    try:
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    except OSError as exc:
        pytest.skip(f"cannot start tensorboard: {exc}")
    try:
        deadline = time.monotonic() + 25
        base = f"http://127.0.0.1:{port}/data/plugin/scalars"
        tags = _get_json(f"{base}/tags", deadline)
        if server.poll() is not None:
            pytest.skip(f"tensorboard exited: {server.stderr.read().decode()[-500:]}")
        assert set(tags["."]) == {"train_loss", "test_loss", "total_accuracy"}
        rows = _get_json(f"{base}/scalars?run=.&tag=train_loss", deadline)
        assert [(step, value) for _, step, value in rows] == expected
        images = _get_json(f"http://127.0.0.1:{port}/data/plugin/images/tags", deadline)
        assert "test_data" in images["."]
        # the graph tab's data: the GraphDef as the graphs plugin serves it to the page
        graphs = f"http://127.0.0.1:{port}/data/plugin/graphs"
        assert _get_json(f"{graphs}/info", deadline)["."]["run_graph"]
        pbtxt = _get_json(f"{graphs}/graph?run=.&conceptual=false", deadline, parse=str)
        assert 'name: "Sequential/Linear[1]/addmm"' in pbtxt
        assert 'input: "Sequential/Flatten[0]/view"' in pbtxt
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
