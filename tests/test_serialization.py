"""save/load in PyTorch's formats, both ways, against real torch 2.13."""

import collections
import io
import os
import pathlib
import pickle

import numpy as np
import pytest

import jtorch
from jtorch import nn

torch = pytest.importorskip("torch")

DTYPES = ["float16", "bfloat16", "float32", "float64", "complex64", "uint8", "int8", "int16",
          "int32", "int64", "bool"]


def _values(name, shape=(2, 3)):
    values = np.arange(int(np.prod(shape))).reshape(shape) % 3
    return values.astype(bool) if name == "bool" else values


def _tensors(m, name, shape=(2, 3)):
    return m.tensor(_values(name, shape), dtype=getattr(m, name))


def _np(t):
    t = t.detach()
    if str(t.dtype) == "torch.bfloat16":
        t = t.float()
    return t.numpy()


@pytest.mark.parametrize("name", DTYPES)
def test_every_dtype_round_trips_jtorch_to_torch_and_back(tmp_path, name):
    path = tmp_path / "t.pth"
    jtorch.save({"x": _tensors(jtorch, name), "empty": jtorch.zeros(0, 2),
                 "scalar": jtorch.tensor(2.5)}, path)
    loaded = torch.load(path)
    assert str(loaded["x"].dtype) == f"torch.{name}"
    np.testing.assert_array_equal(_np(loaded["x"]), _values(name))
    assert loaded["empty"].shape == (0, 2) and loaded["scalar"].item() == 2.5
    torch.save(loaded, path)
    back = jtorch.load(path)
    assert repr(back["x"]) == repr(loaded["x"])


def test_state_dicts_move_both_ways(tmp_path):
    jm = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    jtorch.save(jm.state_dict(), tmp_path / "j.pth")
    tm.load_state_dict(torch.load(tmp_path / "j.pth"))
    for (jk, jv), (tk, tv) in zip(jm.state_dict().items(), tm.state_dict().items()):
        assert jk == tk
        np.testing.assert_array_equal(_np(jv), _np(tv))
    tm[0].weight.data.mul_(2)
    torch.save(tm.state_dict(), tmp_path / "t.pth")
    loaded = jtorch.load(tmp_path / "t.pth")
    assert isinstance(loaded, collections.OrderedDict)
    jm.load_state_dict(loaded)
    np.testing.assert_array_equal(_np(jm[0].weight), _np(tm[0].weight))


def test_checkpoint_dict_with_numbers_strings_and_nesting(tmp_path):
    checkpoint = {"epoch": 3, "loss": 0.25, "name": "net", "flags": [True, None],
                  "shape": jtorch.Size([2, 3]), "dtype": jtorch.float64,
                  "device": jtorch.device("cpu"), "nested": {"w": jtorch.ones(2)},
                  "pair": (1, 2.0)}
    jtorch.save(checkpoint, tmp_path / "c.pth")
    loaded = torch.load(tmp_path / "c.pth")
    assert loaded["epoch"] == 3 and loaded["loss"] == 0.25 and loaded["name"] == "net"
    assert loaded["shape"] == torch.Size([2, 3]) and loaded["dtype"] is torch.float64
    assert loaded["device"] == torch.device("cpu") and loaded["pair"] == (1, 2.0)
    torch.save(loaded, tmp_path / "c2.pth")
    again = jtorch.load(tmp_path / "c2.pth")
    assert again["dtype"] is jtorch.float64 and again["shape"] == jtorch.Size([2, 3])
    assert again["nested"]["w"].tolist() == [1.0, 1.0] and again["flags"] == [True, None]


def test_shared_storage_is_saved_once_and_loads_shared(tmp_path):
    x = jtorch.arange(6.0).view(2, 3)
    jtorch.save({"x": x, "xt": x.t(), "row": x[1]}, tmp_path / "s.pth")
    loaded = torch.load(tmp_path / "s.pth")
    assert loaded["x"].data_ptr() == loaded["xt"].data_ptr()
    assert loaded["xt"].stride() == (1, 3) and loaded["row"].storage_offset() == 3
    loaded["x"][1, 0] = 100.0
    assert loaded["row"][0].item() == 100.0
    torch.save(loaded, tmp_path / "t.pth")
    back = jtorch.load(tmp_path / "t.pth")
    back["x"][0, 1] = -1.0
    assert back["xt"][1, 0].item() == -1.0 and back["row"][0].item() == 100.0
    assert back["xt"].stride() == (1, 3) and back["row"].storage_offset() == 3


def test_parameters_keep_their_class_and_requires_grad(tmp_path):
    jtorch.save({"p": nn.Parameter(jtorch.ones(2)), "q": jtorch.ones(2, requires_grad=True)},
                tmp_path / "p.pth")
    loaded = torch.load(tmp_path / "p.pth")
    assert isinstance(loaded["p"], torch.nn.Parameter) and loaded["q"].requires_grad
    torch.save(loaded, tmp_path / "p2.pth")
    back = jtorch.load(tmp_path / "p2.pth")
    assert isinstance(back["p"], nn.Parameter) and back["q"].requires_grad


def test_whole_models_need_weights_only_false(tmp_path):
    jm = nn.Sequential(nn.Linear(3, 2))
    jtorch.save(jm, tmp_path / "m.pth")
    tm = torch.load(tmp_path / "m.pth", weights_only=False)
    assert isinstance(tm, torch.nn.Sequential)
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(tm(torch.tensor(x)).detach().numpy(),
                               jm(jtorch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-6)
    torch.save(tm, tmp_path / "t.pth")
    back = jtorch.load(tmp_path / "t.pth", weights_only=False)
    assert isinstance(back, nn.Sequential) and repr(back) == repr(tm)
    with pytest.raises(pickle.UnpicklingError) as jt_err:
        jtorch.load(tmp_path / "t.pth")
    with pytest.raises(pickle.UnpicklingError) as t_err:
        torch.load(tmp_path / "t.pth")
    assert str(jt_err.value) == str(t_err.value)


def test_safe_globals_allow_a_class(tmp_path):
    jtorch.save(jtorch.nn.Sequential(), tmp_path / "m.pth")
    with jtorch.serialization.safe_globals([jtorch.nn.Sequential]):
        assert isinstance(jtorch.load(tmp_path / "m.pth"), jtorch.nn.Sequential)
    with pytest.raises(pickle.UnpicklingError):
        jtorch.load(tmp_path / "m.pth")


class _Exploit:
    def __reduce__(self):
        return (os.system, ("echo pwned > " + str(pathlib.Path(__file__).parent / "PWNED"),))


def test_weights_only_refuses_to_run_code(tmp_path):
    marker = pathlib.Path(__file__).parent / "PWNED"
    torch.save({"x": torch.ones(1), "evil": _Exploit()}, tmp_path / "evil.pth")
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        jtorch.load(tmp_path / "evil.pth")
    assert not marker.exists()


@pytest.mark.parametrize("direction", ["torch_to_jtorch", "jtorch_to_torch"])
def test_legacy_format(tmp_path, direction):
    path = tmp_path / "legacy.pth"
    src, dst = (torch, jtorch) if direction == "torch_to_jtorch" else (jtorch, torch)
    x = src.arange(6.0).view(2, 3)
    src.save({"x": x, "xt": x.t(), "n": src.tensor([1, 2])}, path,
             _use_new_zipfile_serialization=False)
    loaded = dst.load(path)
    np.testing.assert_array_equal(_np(loaded["xt"]), np.arange(6.0).reshape(2, 3).T)
    assert str(loaded["n"].dtype) == "torch.int64"
    loaded["x"][0, 1] = 9.0
    assert loaded["xt"][1, 0].item() == 9.0


def test_legacy_whole_model_from_torch(tmp_path):
    tm = torch.nn.Sequential(torch.nn.Linear(3, 2))
    torch.save(tm, tmp_path / "m.pth", _use_new_zipfile_serialization=False)
    jm = jtorch.load(tmp_path / "m.pth", weights_only=False)
    np.testing.assert_array_equal(_np(jm[0].weight), _np(tm[0].weight))


def test_file_objects_pathlike_and_mmap(tmp_path):
    buffer = io.BytesIO()
    jtorch.save({"a": jtorch.ones(3)}, buffer)
    buffer.seek(0)
    assert torch.load(buffer)["a"].tolist() == [1.0, 1.0, 1.0]
    buffer = io.BytesIO()
    torch.save({"a": torch.arange(4)}, buffer)
    buffer.seek(0)
    assert jtorch.load(buffer)["a"].tolist() == [0, 1, 2, 3]
    jtorch.save(jtorch.arange(5), tmp_path / "m.pth")
    assert jtorch.load(str(tmp_path / "m.pth"), mmap=True).tolist() == [0, 1, 2, 3, 4]
    assert torch.load(tmp_path / "m.pth", mmap=True).tolist() == [0, 1, 2, 3, 4]


def test_map_location_forms(tmp_path):
    jtorch.save({"a": jtorch.ones(2)}, tmp_path / "a.pth")
    for location in ("cpu", jtorch.device("cpu"), {"cpu": "cpu"},
                     lambda storage, loc: storage):
        assert jtorch.load(tmp_path / "a.pth", map_location=location)["a"].device.type == "cpu"
    if not jtorch.cuda.is_available():
        with pytest.raises(RuntimeError, match="CUDA device but torch.cuda.is_available"):
            jtorch.load(tmp_path / "a.pth", map_location="cuda:0")


def test_truncated_and_corrupted_files_fail_clearly(tmp_path):
    jtorch.save({"a": jtorch.ones(100)}, tmp_path / "good.pth")
    data = (tmp_path / "good.pth").read_bytes()
    (tmp_path / "trunc.pth").write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match="PytorchStreamReader failed reading zip archive"):
        jtorch.load(tmp_path / "trunc.pth")
    with pytest.raises(RuntimeError):
        torch.load(tmp_path / "trunc.pth")
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint at all")
    with pytest.raises(pickle.UnpicklingError):
        jtorch.load(tmp_path / "junk.pth")
    with pytest.raises(FileNotFoundError):
        jtorch.load(tmp_path / "missing.pth")


class _Unpicklable:
    def __reduce__(self):
        raise RuntimeError("cannot pickle this")


def test_failed_save_leaves_the_old_file_intact(tmp_path):
    path = tmp_path / "ckpt.pth"
    jtorch.save({"a": jtorch.ones(2)}, path)
    before = path.read_bytes()
    with pytest.raises(RuntimeError, match="cannot pickle this"):
        jtorch.save({"a": jtorch.zeros(2), "b": _Unpicklable()}, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt.pth"]


def test_non_leaf_tensors_cannot_be_saved():
    x = jtorch.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match="detach"):
        jtorch.save(x, io.BytesIO())


def test_every_truncation_and_random_byte_flips_give_clear_errors(tmp_path):
    path = tmp_path / "good.pth"
    jtorch.save({"w": jtorch.arange(40.0).view(5, 8), "n": 3}, path)
    data = path.read_bytes()
    bad = tmp_path / "bad.pth"
    for cut in range(0, len(data), 7):
        bad.write_bytes(data[:cut])
        with pytest.raises((RuntimeError, pickle.UnpicklingError)):
            jtorch.load(bad)
    rng = np.random.default_rng(0)
    for _ in range(60):
        flipped = bytearray(data)
        for position in rng.integers(0, len(data), size=3):
            flipped[position] ^= 0xFF
        bad.write_bytes(bytes(flipped))
        try:
            loaded = jtorch.load(bad)
        except (RuntimeError, pickle.UnpicklingError) as exc:
            assert "bad.pth" in str(exc) or "Weights only" in str(exc)
        else:  # a flip may land in zip padding: then the content must still be right
            assert loaded["w"].tolist() == np.arange(40.0).reshape(5, 8).tolist()


def test_inconsistent_storage_size_is_refused(tmp_path):
    torch.save({"w": torch.arange(4.0)}, tmp_path / "w.pth")
    import zipfile
    with zipfile.ZipFile(tmp_path / "w.pth") as zf:
        records = {n: zf.read(n) for n in zf.namelist()}
    with zipfile.ZipFile(tmp_path / "short.pth", "w") as zf:
        for n, d in records.items():
            zf.writestr(n, d[:8] if n.endswith("data/0") else d)
    with pytest.raises(RuntimeError, match="declares 4 elements"):
        jtorch.load(tmp_path / "short.pth")


class _Eval:
    def __reduce__(self):
        return (eval, ("__import__('pathlib').Path('PWNED_EVAL').touch()",))


class _Exec:
    def __reduce__(self):
        import builtins
        return (builtins.exec, ("open('PWNED_EXEC', 'w').close()",))


class _ImportModule:
    def __reduce__(self):
        import importlib
        return (importlib.import_module, ("antigravity",))


@pytest.mark.parametrize("payload", [_Eval, _Exec, _ImportModule])
def test_eval_exec_and_imports_are_refused(tmp_path, monkeypatch, payload):
    monkeypatch.chdir(tmp_path)
    torch.save({"x": torch.ones(1), "evil": payload()}, tmp_path / "evil.pth")
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        jtorch.load(tmp_path / "evil.pth")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.pth"]


def _seed_models(nn_):
    lenet = nn_.Sequential(nn_.Conv2d(1, 6, 5), nn_.ReLU(), nn_.MaxPool2d(2), nn_.Conv2d(6, 16, 5),
                           nn_.ReLU(), nn_.MaxPool2d(2), nn_.Flatten(), nn_.Linear(16 * 5 * 5, 120),
                           nn_.Linear(120, 84), nn_.Linear(84, 10))
    tudui = nn_.Sequential(nn_.Conv2d(3, 32, 5, padding=2), nn_.MaxPool2d(2),
                           nn_.Conv2d(32, 32, 5, padding=2), nn_.MaxPool2d(2),
                           nn_.Conv2d(32, 64, 5, padding=2), nn_.MaxPool2d(2), nn_.Flatten(),
                           nn_.Linear(1024, 64), nn_.Linear(64, 10))
    quickstart = nn_.Sequential(nn_.Flatten(), nn_.Linear(784, 512), nn_.ReLU(),
                                nn_.Linear(512, 512), nn_.ReLU(), nn_.Linear(512, 10))
    with_bn = nn_.Sequential(nn_.Linear(8, 8), nn_.BatchNorm1d(8), nn_.Dropout(0.5))
    lstm = nn_.LSTM(input_size=28, hidden_size=64, num_layers=1, batch_first=True)
    return {"lenet": lenet, "tudui": tudui, "quickstart": quickstart, "with_bn": with_bn,
            "lstm": lstm}


@pytest.mark.parametrize("name", ["lenet", "tudui", "quickstart", "with_bn", "lstm"])
def test_seed_model_state_dicts_move_both_ways(tmp_path, name):
    t_model = _seed_models(torch.nn)[name]
    j_model = _seed_models(jtorch.nn)[name]
    torch.save(t_model.state_dict(), tmp_path / "t.pth")
    j_model.load_state_dict(jtorch.load(tmp_path / "t.pth"))
    jtorch.save(j_model.state_dict(), tmp_path / "j.pth")
    back = torch.load(tmp_path / "j.pth")
    original = t_model.state_dict()
    assert list(back) == list(original)
    for key, value in original.items():
        assert back[key].dtype == value.dtype and back[key].shape == value.shape, key
        np.testing.assert_array_equal(back[key].numpy(), value.numpy())


def test_optimizer_state_dicts_move_both_ways(tmp_path):
    rng = np.random.default_rng(0)
    weights = rng.standard_normal((3, 2)).astype(np.float32)
    for name, kwargs in (("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.01})):
        tp = torch.tensor(weights, requires_grad=True)
        t_opt = getattr(torch.optim, name)([tp], **kwargs)
        tp.grad = torch.ones(3, 2)
        t_opt.step()
        torch.save({"epoch": 1, "optimizer_state_dict": t_opt.state_dict(), "loss": 0.5},
                   tmp_path / "opt.pth")
        checkpoint = jtorch.load(tmp_path / "opt.pth")
        jp = jtorch.tensor(weights, requires_grad=True)
        j_opt = getattr(jtorch.optim, name)([jp], **kwargs)
        j_opt.load_state_dict(checkpoint["optimizer_state_dict"])
        jtorch.save({"optimizer_state_dict": j_opt.state_dict()}, tmp_path / "j.pth")
        back = torch.load(tmp_path / "j.pth")["optimizer_state_dict"]
        assert back["param_groups"] == t_opt.state_dict()["param_groups"]
        for key, value in t_opt.state_dict()["state"][0].items():
            np.testing.assert_allclose(np.asarray(back["state"][0][key]), np.asarray(value))
