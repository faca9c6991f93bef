"""jtorch.vision.models against torchvision 0.28.

For every architecture of issue 10: the module tree (repr) and state_dict layout (keys, shapes)
equal torchvision's; torchvision's randomly initialised weights, torch-saved into a temporary
hub cache under the weights' file name, load offline through `get_model(name, weights=...)`
and give torchvision's eval-mode outputs (the heavy architectures run under `-m slow`). Also:
weights enums (DEFAULT, url, meta, transforms presets), the registry functions, the deprecated
`pretrained=` interface and its warnings, and seed programs 002 (VGG16 modification) and 004
(resnet50 with weights, preset and predicted category).
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

import jtorch
import jtorch.vision.models as jm
from jtorch import nn
from jtorch.vision.models import _api

torch = pytest.importorskip("torch")

# (name, input height/width for the parity run, slow): the smallest input each architecture
# accepts comfortably (its weights' min_size or more); ViT's weights fix the image size.
ARCHITECTURES = [
    ("alexnet", 64, False),
    ("vgg11", 32, True),
    ("vgg11_bn", 32, True),
    ("vgg13", 32, True),
    ("vgg13_bn", 32, True),
    ("vgg16", 32, True),
    ("vgg16_bn", 32, True),
    ("vgg19", 32, True),
    ("vgg19_bn", 32, True),
    ("resnet18", 64, False),
    ("resnet34", 64, True),
    ("resnet50", 64, True),
    ("resnet101", 64, True),
    ("resnet152", 64, True),
    ("resnext50_32x4d", 64, True),
    ("wide_resnet50_2", 64, True),
    ("mobilenet_v2", 64, False),
    ("mobilenet_v3_small", 64, True),
    ("mobilenet_v3_large", 64, True),
    ("squeezenet1_0", 64, True),
    ("squeezenet1_1", 64, False),
    ("densenet121", 64, True),
    ("googlenet", 64, True),
    ("inception_v3", 75, True),
    ("shufflenet_v2_x1_0", 64, True),
    ("efficientnet_b0", 64, True),
    ("regnet_y_400mf", 64, True),
    ("vit_b_16", 224, True),
    ("convnext_tiny", 64, True),
]
NAMES = [name for name, _, _ in ARCHITECTURES]


@pytest.fixture(scope="module")
def tvm(tv):
    return tv.models


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """A fresh $TORCH_HOME whose hub/checkpoints folder the weights are read from."""
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    checkpoints = tmp_path / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    return checkpoints


def _weights_file(checkpoints, weights):
    return checkpoints / weights.url.rsplit("/", 1)[-1]


def _randomise_state(model, seed=0):
    """Give every tensor torchvision initialises to a constant (biases, BN affine and
    running statistics, zero-initialised heads, layer scales) random values, so that loading
    and the use of each tensor are actually checked."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, t in model.state_dict().items():
            if not t.is_floating_point():
                continue
            if name.endswith("running_var"):
                t.copy_(torch.rand(t.shape, generator=gen) + 0.5)
            elif t.numel() == 1 or bool((t == t.flatten()[0]).all()):
                t.add_(torch.randn(t.shape, generator=gen) * 0.1)
    return model


def _cache_torchvision_weights(tvm, name, checkpoints):
    """torchvision's model `name`, randomly initialised, saved as its DEFAULT weights file."""
    reference = _randomise_state(tvm.get_model(name))
    weights = tvm.get_model_weights(name).DEFAULT
    torch.save(reference.state_dict(), _weights_file(checkpoints, weights))
    return weights


def _assert_close(j_out, t_out, rtol=1e-4):
    j, t = j_out.detach().numpy(), t_out.detach().numpy()
    assert j.shape == t.shape
    scale = max(float(np.abs(t).max()), 1.0)
    np.testing.assert_allclose(j, t, rtol=rtol, atol=rtol * scale)


# ---- structure -------------------------------------------------------------------------


# The initialisers the layers and the model constructors call. Tests that check structure, or
# whose every value then comes from a weights file, replace them by no-ops: drawing ~1.5e9
# random numbers (and, in eager jtorch, compiling a fill per tensor shape) would dominate the
# run. The constructors' real initialisation is checked against torchvision's statistics in
# test_default_initialisation_matches_torchvisions_statistics (slow).
_INITIALISERS = ["uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_",
                 "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


@pytest.fixture
def without_init(monkeypatch):
    for name in _INITIALISERS:
        monkeypatch.setattr(jtorch.nn.init, name, lambda tensor, *args, **kwargs: tensor)


def _torchvision_layout_model(tvm, name):
    """torchvision's model on the meta device (no memory, no init), except RegNet, whose
    constructor reads tensor values."""
    with torch.device("cpu" if name.startswith("regnet") else "meta"):
        return tvm.get_model(name)


def _layout(model):
    return [(k, tuple(v.shape)) for k, v in model.state_dict().items()]


@pytest.mark.parametrize("name", NAMES)
def test_repr_and_state_dict_layout_match_torchvision(tvm, without_init, name):
    reference = _torchvision_layout_model(tvm, name)
    model = jm.get_model(name)
    assert repr(model) == repr(reference)
    assert _layout(model) == _layout(reference)
    assert sum(p.numel() for p in model.parameters()) == sum(
        p.numel() for p in reference.parameters())


def test_regnet_block_params_match_torchvision(tvm, monkeypatch):
    """RegNet derives its stage widths in float32 tensor arithmetic in torchvision, in numpy
    float32 in jtorch: the resulting BlockParams of every variant are equal."""
    from jtorch.vision.models import regnet

    def capture(block_params, *args, **kwargs):
        return block_params

    monkeypatch.setattr(tvm.regnet, "_regnet", capture)
    monkeypatch.setattr(regnet, "_regnet", capture)
    names = jm.list_models(include="regnet*")
    assert len(names) == 15
    for name in names:
        expected, got = tvm.get_model(name), jm.get_model(name)
        assert vars(got) == vars(expected), name


# ---- weights: offline loading and outputs ----------------------------------------------


@pytest.mark.parametrize("name,size", [
    pytest.param(name, size, marks=[pytest.mark.slow] if slow else [])
    for name, size, slow in ARCHITECTURES])
def test_weights_load_from_cache_and_outputs_match(tvm, torch_home, without_init, name, size):
    """(jtorch's random initialisation is skipped: every value comes from the file.)"""
    weights = _cache_torchvision_weights(tvm, name, torch_home)
    reference = tvm.get_model(name, weights=weights).eval()
    model = jm.get_model(name, weights=str(weights)).eval()
    assert repr(model) == repr(reference)
    assert sum(p.numel() for p in model.parameters()) == weights.meta["num_params"]
    x = torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = reference(x)
    with jtorch.no_grad():
        out = model(jtorch.tensor(x.numpy()))
    _assert_close(out, expected)


# one architecture per family: their constructors' own initialisation loops
INIT_FAMILIES = ["alexnet", "vgg11_bn", "resnet18", "mobilenet_v2", "mobilenet_v3_small",
                 "squeezenet1_1", "densenet121", "googlenet", "inception_v3",
                 "shufflenet_v2_x1_0", "efficientnet_b0", "regnet_y_400mf", "vit_b_16",
                 "convnext_tiny"]


@pytest.mark.slow
@pytest.mark.parametrize("name", INIT_FAMILIES)
def test_default_initialisation_matches_torchvisions_statistics(tvm, name):
    """Random initialisation (values differ from torch's: another generator) draws every
    tensor from torchvision's distribution: constants equal, mean and std close."""
    reference, model = tvm.get_model(name).state_dict(), jm.get_model(name).state_dict()
    for key, value in model.items():
        got, expected = value.numpy().astype(np.float64), reference[key].numpy()
        if np.ptp(expected) == 0:
            np.testing.assert_array_equal(got, expected, err_msg=key)
            continue
        if expected.size < 64:
            continue
        # both are samples: allow six standard errors on top of a 10% spread in std
        scale, n = expected.std(), expected.size
        assert abs(got.std() - scale) < 0.1 * scale + 6 * scale / np.sqrt(2 * n), key
        assert abs(got.mean() - expected.mean()) < 6 * scale / np.sqrt(n), key


def test_whole_model_pickles_load_both_ways(tvm, tmp_path):
    """torch.save(model) of a torchvision model loads in jtorch as the jtorch class, and back
    (class paths torchvision.models.* <-> jtorch.vision.models.*)."""
    reference = _randomise_state(tvm.squeezenet1_1()).eval()
    torch.save(reference, tmp_path / "torch.pth")
    model = jtorch.load(tmp_path / "torch.pth", weights_only=False)
    assert type(model) is jm.SqueezeNet and repr(model) == repr(reference)
    x = torch.randn(2, 3, 64, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        expected = reference(x)
    with jtorch.no_grad():
        _assert_close(model(jtorch.tensor(x.numpy())), expected)
    jtorch.save(model, tmp_path / "jtorch.pth")
    back = torch.load(tmp_path / "jtorch.pth", weights_only=False)
    assert type(back) is tvm.SqueezeNet
    with torch.no_grad():
        np.testing.assert_allclose(back(x).numpy(), expected.numpy(), rtol=1e-5, atol=1e-5)


def test_missing_weights_file_names_url_and_cache_path(torch_home):
    weights = jm.ResNet18_Weights.DEFAULT
    with pytest.raises(RuntimeError) as info:
        _api._load_cached_state_dict(weights.url)
    assert weights.url in str(info.value)
    assert str(_weights_file(torch_home, weights)) in str(info.value)


def test_state_dict_with_legacy_densenet_keys_loads(tvm, torch_home, without_init):
    """DenseNet checkpoints from before torch 0.4 name `norm.1` what is now `norm1` and have
    no num_batches_tracked: renamed and completed on load, as torchvision does."""
    weights = jm.DenseNet121_Weights.DEFAULT
    reference = _randomise_state(tvm.densenet121())
    legacy = {}
    for key, value in reference.state_dict().items():
        if key.endswith("num_batches_tracked"):
            continue
        if "denselayer" in key:
            for new, old in [(".norm1.", ".norm.1."), (".conv1.", ".conv.1."),
                             (".norm2.", ".norm.2."), (".conv2.", ".conv.2.")]:
                key = key.replace(new, old)
        legacy[key] = value
    torch.save(legacy, _weights_file(torch_home, weights))
    expected = tvm.densenet121(weights=weights).state_dict()
    model = jm.densenet121(weights=weights)
    assert list(model.state_dict()) == list(expected)
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.numpy(), expected[key].numpy())


# ---- weights enums, registry -----------------------------------------------------------


def _weights_enums(module):
    return {name: obj for name, obj in vars(module).items()
            if isinstance(obj, type) and issubclass(obj, _api.WeightsEnum)
            and obj is not _api.WeightsEnum}


def _keywords(preset):
    """A preset partial's arguments, InterpolationMode members by value (jtorch and
    torchvision each have their own enum)."""
    return {k: getattr(v, "value", v) for k, v in preset.keywords.items()}


def test_weights_enums_match_torchvision(tvm):
    enums = _weights_enums(jm)
    assert len(enums) >= len(NAMES)
    for enum_name, enum in enums.items():
        expected = getattr(tvm, enum_name)
        assert list(enum.__members__) == list(expected.__members__), enum_name
        assert enum.DEFAULT.name == expected.DEFAULT.name
        for member in enum:
            reference = expected[member.name]
            assert repr(member) == repr(reference)
            assert member.url == reference.url
            assert repr(member.meta) == repr(reference.meta), member  # nan metrics: by repr
            assert _keywords(member.transforms) == _keywords(reference.transforms)


def test_every_architecture_has_default_weights_with_metadata():
    for name in NAMES:
        weights = jm.get_model_weights(name).DEFAULT
        assert weights.url.startswith("https://download.pytorch.org/models/")
        assert len(weights.meta["categories"]) == 1000
        assert weights.meta["categories"][0] == "tench"
        assert weights.meta["num_params"] > 0


def test_list_models_matches_torchvision_classification_models(tvm):
    # torchvision's mnasnet, swin and maxvit families are not ported
    unported = ["mnasnet*", "swin*", "maxvit*"]
    assert jm.list_models() == tvm.list_models(module=tvm, exclude=unported)
    assert set(NAMES) <= set(jm.list_models())
    assert jm.list_models(include="resnet*") == tvm.list_models(include="resnet*")
    assert jm.list_models(module=jm, include=["vgg*", "alex*"], exclude="*_bn") == [
        "alexnet", "vgg11", "vgg13", "vgg16", "vgg19"]


def test_get_model_weights_and_get_weight():
    assert jm.get_model_weights("resnet50") is jm.ResNet50_Weights
    assert jm.get_model_weights(jm.resnet50) is jm.ResNet50_Weights
    assert jm.get_model_weights("ViT_B_16".lower()) is jm.ViT_B_16_Weights
    assert jm.get_weight("ResNet50_Weights.IMAGENET1K_V2") is jm.ResNet50_Weights.IMAGENET1K_V2
    assert jm.ResNet50_Weights.DEFAULT is jm.ResNet50_Weights.IMAGENET1K_V2
    assert jm.ResNet50_Weights.verify("IMAGENET1K_V1") is jm.ResNet50_Weights.IMAGENET1K_V1
    assert jm.ResNet50_Weights.verify("ResNet50_Weights.DEFAULT") is jm.ResNet50_Weights.DEFAULT
    with pytest.raises(ValueError, match="Unknown model foo"):
        jm.get_model("foo")
    with pytest.raises(ValueError, match="Invalid weight name provided: 'foo'."):
        jm.get_weight("foo")
    with pytest.raises(TypeError, match="expected ResNet50_Weights but received "
                                        "ResNet18_Weights"):
        jm.resnet50(weights=jm.ResNet18_Weights.DEFAULT)


def test_builder_rejects_num_classes_that_contradicts_weights():
    with pytest.raises(ValueError, match="The parameter 'num_classes' expected value 1000 but "
                                         "got 10 instead."):
        jm.squeezenet1_1(weights="DEFAULT", num_classes=10)


# ---- transforms presets ----------------------------------------------------------------

_yy, _xx = np.mgrid[0:300, 0:347]
SAMPLE = Image.fromarray(np.stack([(_xx * 3) % 256, (_yy * 5) % 256, (_xx + 2 * _yy) % 256],
                                  -1).astype(np.uint8), "RGB")


def test_weights_transforms_give_torchvision_tensors(tvm):
    seen = set()
    for enum_name, enum in _weights_enums(jm).items():
        for member in enum:
            config = tuple(sorted(_keywords(member.transforms).items()))
            if config in seen:
                continue
            seen.add(config)
            preset = member.transforms()
            reference = getattr(tvm, enum_name)[member.name].transforms()
            assert repr(preset) == repr(reference)
            assert preset.describe() == reference.describe()
            expected = reference(SAMPLE)
            out = preset(SAMPLE)
            assert str(out.dtype) == str(expected.dtype)
            np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=0, atol=1e-6)
    assert len(seen) >= 5


def test_weights_transforms_on_a_tensor_image(tvm):
    """The preset on a uint8 (C, H, W) tensor: the tensor resize path."""
    tensor_image = torch.from_numpy(np.asarray(SAMPLE).copy()).permute(2, 0, 1)
    expected = tvm.ResNet50_Weights.DEFAULT.transforms()(tensor_image)
    out = jm.ResNet50_Weights.DEFAULT.transforms()(jtorch.tensor(tensor_image.numpy()))
    assert tuple(out.shape) == (3, 224, 224) and str(out.dtype) == "torch.float32"
    np.testing.assert_allclose(out.numpy(), expected.numpy(), rtol=0, atol=2e-2)


# ---- deprecated interface --------------------------------------------------------------


def _warning_messages(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    return result, [(w.category, str(w.message)) for w in caught]


def test_pretrained_true_loads_default_weights_with_torchvision_warnings(tvm, torch_home,
                                                                         without_init):
    _cache_torchvision_weights(tvm, "squeezenet1_1", torch_home)
    reference, expected = _warning_messages(lambda: tvm.squeezenet1_1(pretrained=True))
    model, messages = _warning_messages(lambda: jm.squeezenet1_1(pretrained=True))
    assert messages == expected and len(messages) == 2
    assert "SqueezeNet1_1_Weights.DEFAULT" in messages[1][1]
    for key, value in reference.state_dict().items():
        np.testing.assert_array_equal(model.state_dict()[key].numpy(), value.numpy())
    # positional `pretrained`, the pre-0.13 signature
    _, expected = _warning_messages(lambda: tvm.squeezenet1_1(True))
    _, messages = _warning_messages(lambda: jm.squeezenet1_1(True))
    assert messages == expected


def test_pretrained_false_warns_like_torchvision(tvm, without_init):
    _, expected = _warning_messages(lambda: tvm.squeezenet1_1(pretrained=False))
    _, messages = _warning_messages(lambda: jm.squeezenet1_1(pretrained=False))
    assert messages == expected and len(messages) == 2


def test_positional_keyword_only_arguments_warn_like_torchvision(tvm, without_init):
    _, expected = _warning_messages(lambda: tvm.squeezenet1_1(None, False))
    _, messages = _warning_messages(lambda: jm.squeezenet1_1(None, False))
    assert messages == expected and len(messages) == 1


# ---- ops -------------------------------------------------------------------------------


OPS_BLOCKS = {
    "conv_bn_relu": lambda ops, nn: ops.Conv2dNormActivation(3, 8, 3, stride=2),
    "conv_hardswish": lambda ops, nn: ops.Conv2dNormActivation(
        3, 8, (3, 5), norm_layer=None, activation_layer=nn.Hardswish),
    "squeeze_excitation": lambda ops, nn: ops.SqueezeExcitation(8, 2),
    "mlp": lambda ops, nn: ops.MLP(8, [16, 4], dropout=0.1),
    "permute": lambda ops, nn: ops.Permute([0, 2, 3, 1]),
    "stochastic_depth": lambda ops, nn: ops.StochasticDepth(0.2, "row"),
    "frozen_bn": lambda ops, nn: ops.FrozenBatchNorm2d(8),
}


@pytest.mark.parametrize("block", list(OPS_BLOCKS))
def test_ops_blocks_match_torchvision(tv, block):
    from jtorch.vision import ops

    reference = OPS_BLOCKS[block](tv.ops, torch.nn).eval()
    module = OPS_BLOCKS[block](ops, nn).eval()
    assert repr(module) == repr(reference)
    state = _randomise_state(reference).state_dict()
    assert [(k, tuple(v.shape)) for k, v in module.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in state.items()]
    module.load_state_dict({k: jtorch.tensor(v.numpy()) for k, v in state.items()})
    x = torch.randn(2, 8, 5, 5, generator=torch.Generator().manual_seed(2))
    if block.startswith("conv"):
        x = x[:, :3]
    elif block == "mlp":
        x = x.permute(0, 2, 3, 1)
    with torch.no_grad():
        expected = reference(x)
    _assert_close(module(jtorch.tensor(x.numpy())), expected)


def test_ops_importable_as_torchvision_paths():
    from jtorch.vision import ops
    from jtorch.vision.ops.misc import Conv2dNormActivation
    from jtorch.vision.ops.stochastic_depth import StochasticDepth

    assert Conv2dNormActivation is ops.Conv2dNormActivation
    assert StochasticDepth is ops.StochasticDepth


def test_stochastic_depth_in_training_drops_rows():
    from jtorch.vision.ops import stochastic_depth

    x = jtorch.ones(2000, 3)
    out = stochastic_depth(x, 0.25, "row", training=True).numpy()
    kept = out[:, 0] != 0
    assert np.all(out[kept] == pytest.approx(1 / 0.75))
    assert np.all(out[~kept] == 0)
    assert 0.70 < kept.mean() < 0.80
    assert stochastic_depth(x, 0.25, "row", training=False) is x
    with pytest.raises(ValueError, match="drop probability has to be between 0 and 1"):
        stochastic_depth(x, 1.5, "row")


# ---- seed programs ---------------------------------------------------------------------


def _modify_like_seed_002(vgg16, nn):
    """../shared/seeds/002: add a Linear(1000, 10) after the model, then inside its
    classifier; replace classifier[6] by Linear(4096, 10); the repr after each step."""
    reprs = [repr(vgg16)]
    vgg16.add_module("add_linear", nn.Linear(1000, 10))
    reprs.append(repr(vgg16))
    vgg16.classifier.add_module("add_linear", nn.Linear(1000, 10))
    reprs.append(repr(vgg16))
    vgg16.classifier[6] = nn.Linear(4096, 10)
    reprs.append(repr(vgg16))
    return reprs, _layout(vgg16)


def test_seed_002_vgg16_modification(tvm, without_init):
    expected = _modify_like_seed_002(_torchvision_layout_model(tvm, "vgg16"), torch.nn)
    assert _modify_like_seed_002(jm.vgg16(), nn) == expected


@pytest.mark.slow
def test_seed_002_vgg16_pretrained_true_then_modified(tvm, torch_home):
    """The seed as written: vgg16(pretrained=False) and vgg16(pretrained=True) (weights from
    the cache), with real initialisation, then modified."""
    _cache_torchvision_weights(tvm, "vgg16", torch_home)
    for pretrained in [False, True]:
        reference, expected_warnings = _warning_messages(
            lambda pretrained=pretrained: tvm.vgg16(pretrained=pretrained))
        model, messages = _warning_messages(
            lambda pretrained=pretrained: jm.vgg16(pretrained=pretrained))
        assert messages == expected_warnings
        if pretrained:
            expected_state = reference.state_dict()
            for key, value in model.state_dict().items():
                np.testing.assert_array_equal(value.numpy(), expected_state[key].numpy())
        assert _modify_like_seed_002(model, nn) == _modify_like_seed_002(reference, torch.nn)


def _predict(models, weights, image, lib):
    """Seed 004's flow: model with weights, eval, the weights' preset, top category."""
    model = models.resnet50(weights=weights.DEFAULT)
    model.eval()
    preprocess = weights.DEFAULT.transforms()
    batch = preprocess(image).unsqueeze(0)
    with lib.no_grad():
        prediction = model(batch).squeeze(0).softmax(0)
    class_id = prediction.argmax().item()
    score = prediction[class_id].item()
    category_name = weights.DEFAULT.meta["categories"][class_id]
    return category_name, score, prediction.numpy()


@pytest.mark.slow
def test_seed_004_resnet50_with_weights_predicts_torchvisions_category(tvm, torch_home,
                                                                          capsys):
    _cache_torchvision_weights(tvm, "resnet50", torch_home)
    expected = _predict(tvm, tvm.ResNet50_Weights, SAMPLE, torch)
    category, score, prediction = _predict(jm, jm.ResNet50_Weights, SAMPLE, jtorch)
    print(f"{category}: {100 * score:.1f}%")
    assert category == expected[0]
    assert score == pytest.approx(expected[1], rel=1e-4)
    np.testing.assert_allclose(prediction, expected[2], rtol=1e-3, atol=1e-6)
    assert capsys.readouterr().out == f"{expected[0]}: {100 * expected[1]:.1f}%\n"


SEED_004_SCRIPT = """
import sys

from PIL import Image
import torch
from torchvision import models, transforms

# 加载模型
model = models.resnet50(weights=models.ResNet50_Weights.DEFAULT)
model.eval()

# 图像预处理
norm_mean = [0.485, 0.456, 0.406]
norm_std = [0.229, 0.224, 0.225]

preprocess = transforms.Compose([
    transforms.Resize(256),
    transforms.CenterCrop(224),
    transforms.ToTensor(),
    transforms.Normalize(norm_mean, norm_std),
])

img = Image.open(sys.argv[1])
img_tensor = preprocess(img)
img_input = img_tensor.unsqueeze(0)

# 获取标签
labels = models.ResNet50_Weights.DEFAULT.meta["categories"]
output = model(img_input)
predicted_index = torch.max(output, 1)[1]
predicted_label = labels[predicted_index.item()]
print(predicted_label)
"""


@pytest.mark.slow
def test_seed_004_script_runs_unchanged_under_python_m_jtorch(tv, tvm, torch_home, tmp_path):
    """The seed's snippet as a script (its own Compose preset), `python -m jtorch`, weights
    from the hub cache: prints the category torchvision predicts."""
    _cache_torchvision_weights(tvm, "resnet50", torch_home)
    image_path, script = tmp_path / "sample.png", tmp_path / "seed_004.py"
    SAMPLE.save(image_path)
    script.write_text(SEED_004_SCRIPT, encoding="utf-8")
    reference = tvm.resnet50(weights=tvm.ResNet50_Weights.DEFAULT).eval()
    T = tv.transforms
    preprocess = T.Compose([T.Resize(256), T.CenterCrop(224), T.ToTensor(),
                            T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    with torch.no_grad():
        index = torch.max(reference(preprocess(SAMPLE).unsqueeze(0)), 1)[1].item()
    run = subprocess.run([sys.executable, "-m", "jtorch", str(script), str(image_path)],
                         capture_output=True, text=True, env=dict(os.environ), timeout=600)
    assert run.returncode == 0, run.stderr
    assert run.stdout == tvm.ResNet50_Weights.DEFAULT.meta["categories"][index] + "\n"
