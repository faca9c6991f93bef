"""jtorch.hub, fully offline: file:// URLs, pre-placed cache files, local hubconf repos.

Any attempt to reach the network is refused by the `offline` fixture, so a test that passes
shows the code path needs none.
"""

from __future__ import annotations

import hashlib
import io
import os
import sys
import textwrap
import urllib.error
import zipfile
from pathlib import Path

import numpy as np
import pytest

import jtorch
import jtorch.hub as hub

torch = pytest.importorskip("torch")


@pytest.fixture
def torch_home(tmp_path, monkeypatch):
    """A fresh $TORCH_HOME, no set_dir override."""
    home = tmp_path / "torch_home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    monkeypatch.setattr(hub, "_hub_dir", None)
    return home


@pytest.fixture
def offline(monkeypatch):
    """Make every http(s) request fail as it does without a network; file:// still works."""
    real_urlopen = hub.urlopen
    attempts = []

    def urlopen(url, *args, **kwargs):
        full = url.full_url if hasattr(url, "full_url") else url
        if not full.startswith("file:"):
            attempts.append(full)
            raise urllib.error.URLError(OSError(101, "Network is unreachable"))
        return real_urlopen(url, *args, **kwargs)

    monkeypatch.setattr(hub, "urlopen", urlopen)
    return attempts


def _file_url(path):
    return Path(path).resolve().as_uri()


def _sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _torch_linear_checkpoint(path):
    torch.manual_seed(0)
    state = torch.nn.Linear(3, 2).state_dict()
    torch.save(state, path)
    return {k: v.numpy() for k, v in state.items()}


def _assert_state_equal(loaded, expected):
    assert list(loaded) == list(expected)
    for k, v in expected.items():
        assert isinstance(loaded[k], jtorch.Tensor)
        np.testing.assert_array_equal(loaded[k].numpy(), v)


# ---- directories -------------------------------------------------------------------------

def test_get_dir_follows_torch_home_xdg_and_set_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(hub, "_hub_dir", None)
    monkeypatch.delenv("TORCH_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub.get_dir() == str(tmp_path / "xdg" / "torch" / "hub") == torch.hub.get_dir()
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "home"))
    assert hub.get_dir() == str(tmp_path / "home" / "hub") == torch.hub.get_dir()
    monkeypatch.setenv("TORCH_HOME", "~/th")
    assert hub.get_dir() == os.path.expanduser("~/th/hub")
    hub.set_dir(tmp_path / "explicit")
    assert hub.get_dir() == str(tmp_path / "explicit")


# ---- download_url_to_file ----------------------------------------------------------------

def test_download_copies_the_file_and_checks_the_hash_prefix(tmp_path, offline):
    src = tmp_path / "src.bin"
    src.write_bytes(os.urandom(300_000))  # more than one read chunk
    digest = _sha256(src)
    dst = tmp_path / "out" / "dst.bin"
    dst.parent.mkdir()
    hub.download_url_to_file(_file_url(src), str(dst), hash_prefix=digest[:10],
                             progress=False)
    assert dst.read_bytes() == src.read_bytes()

    bad = tmp_path / "out" / "bad.bin"
    with pytest.raises(RuntimeError, match=f'invalid hash value \\(expected "0000", got '
                                           f'"{digest}"\\)'):
        hub.download_url_to_file(_file_url(src), str(bad), hash_prefix="0000",
                                 progress=False)
    assert not bad.exists()
    assert sorted(p.name for p in dst.parent.iterdir()) == ["dst.bin"]  # no .partial left
    assert not offline


def test_download_progress_bar_goes_to_stderr(tmp_path, capsys):
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 5000)
    hub.download_url_to_file(_file_url(src), str(tmp_path / "a"), progress=True)
    assert "100%" in capsys.readouterr().err
    hub.download_url_to_file(_file_url(src), str(tmp_path / "b"), progress=False)
    assert capsys.readouterr().err == ""


def test_download_progress_without_tqdm_prints_percentages(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(hub, "tqdm", None)
    src = tmp_path / "src.bin"
    src.write_bytes(b"x" * 5000)
    hub.download_url_to_file(_file_url(src), str(tmp_path / "a"))
    assert capsys.readouterr().err.endswith("100.0%\n")


class _InterruptedResponse(io.BytesIO):
    """A response that delivers one chunk, then checks the destination, then fails."""

    def __init__(self, dst, seen):
        super().__init__(b"new data" * 20_000)
        self.dst, self.seen, self.reads = dst, seen, 0

    def info(self):
        import email.message
        msg = email.message.Message()
        msg["Content-Length"] = str(160_000)
        return msg

    def read(self, n=-1):
        self.reads += 1
        if self.reads == 2:
            self.seen["dst_content"] = Path(self.dst).read_bytes()
            self.seen["partials"] = [p.name for p in Path(self.dst).parent.iterdir()
                                     if p.name.endswith(".partial")]
            raise ConnectionResetError("connection reset mid-download")
        return super().read(n)


def test_download_is_atomic_when_interrupted(tmp_path, monkeypatch):
    dst = tmp_path / "weights.pth"
    dst.write_bytes(b"old complete file")
    seen = {}
    monkeypatch.setattr(hub, "urlopen", lambda req: _InterruptedResponse(dst, seen))
    with pytest.raises(ConnectionResetError):
        hub.download_url_to_file("https://example.invalid/weights.pth", str(dst),
                                 progress=False)
    # mid-download the data went to a .partial file beside dst, never into dst itself
    assert seen["dst_content"] == b"old complete file"
    assert len(seen["partials"]) == 1 and seen["partials"][0].startswith("weights.pth.")
    assert dst.read_bytes() == b"old complete file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weights.pth"]


def test_download_of_a_missing_file_raises_urlerror(tmp_path):
    with pytest.raises(urllib.error.URLError):
        hub.download_url_to_file(_file_url(tmp_path / "nope.pth"), str(tmp_path / "x"),
                                 progress=False)
    assert not (tmp_path / "x").exists()


# ---- load_state_dict_from_url ------------------------------------------------------------

def test_load_state_dict_from_url_downloads_once_into_hub_checkpoints(tmp_path, torch_home,
                                                                      offline, capsys):
    src = tmp_path / "served" / "linear-0123.pth"
    src.parent.mkdir()
    expected = _torch_linear_checkpoint(src)
    url = _file_url(src)
    state = hub.load_state_dict_from_url(url, progress=False)
    _assert_state_equal(state, expected)
    cached = torch_home / "hub" / "checkpoints" / "linear-0123.pth"
    assert cached.read_bytes() == src.read_bytes()
    assert f'Downloading: "{url}" to {cached}' in capsys.readouterr().out

    src.unlink()  # the second call uses the cache: no source needed
    _assert_state_equal(hub.load_state_dict_from_url(url, progress=False), expected)
    assert "Downloading" not in capsys.readouterr().out
    model = jtorch.nn.Linear(3, 2)
    model.load_state_dict(hub.load_state_dict_from_url(url))
    np.testing.assert_array_equal(model.weight.detach().numpy(), expected["weight"])
    assert not offline


def test_cached_weights_load_with_no_network(tmp_path, torch_home, offline):
    url = "https://download.pytorch.org/models/resnet18-f37072fd.pth"
    checkpoints = torch_home / "hub" / "checkpoints"
    checkpoints.mkdir(parents=True)
    expected = _torch_linear_checkpoint(checkpoints / "resnet18-f37072fd.pth")
    state = hub.load_state_dict_from_url(url, progress=False, check_hash=True,
                                         map_location="cpu")
    _assert_state_equal(state, expected)
    assert offline == []  # never tried the network

    # the same URL without the cached file: a clear network error, and nothing cached
    with pytest.raises(urllib.error.URLError, match="Network is unreachable"):
        hub.load_state_dict_from_url(url.replace("resnet18", "resnet34"), progress=False)
    assert sorted(p.name for p in checkpoints.iterdir()) == ["resnet18-f37072fd.pth"]


def test_check_hash_uses_the_file_name_prefix(tmp_path, torch_home, offline):
    plain = tmp_path / "plain.pth"
    expected = _torch_linear_checkpoint(plain)
    digest = _sha256(plain)
    good = tmp_path / f"model-{digest[:8]}.pth"
    bad = tmp_path / "model-deadbeef.pth"
    for p in (good, bad):
        p.write_bytes(plain.read_bytes())
    _assert_state_equal(hub.load_state_dict_from_url(_file_url(good), check_hash=True,
                                                     progress=False), expected)
    with pytest.raises(RuntimeError, match='invalid hash value \\(expected "deadbeef"'):
        hub.load_state_dict_from_url(_file_url(bad), check_hash=True, progress=False)
    assert not (torch_home / "hub" / "checkpoints" / bad.name).exists()
    # without check_hash the name is not checked, as in torch
    _assert_state_equal(hub.load_state_dict_from_url(_file_url(bad), progress=False),
                        expected)


def test_model_dir_and_file_name(tmp_path, torch_home):
    src = tmp_path / "weights.pth"
    expected = _torch_linear_checkpoint(src)
    state = hub.load_state_dict_from_url(_file_url(src), model_dir=str(tmp_path / "md"),
                                         file_name="renamed.pth", progress=False,
                                         weights_only=True)
    _assert_state_equal(state, expected)
    assert (tmp_path / "md" / "renamed.pth").exists()
    assert not (torch_home / "hub").exists()


def test_legacy_single_file_zip_loads_with_torchs_warning(tmp_path, torch_home):
    inner = tmp_path / "inner.pth"
    torch.manual_seed(0)
    state = torch.nn.Linear(2, 2).state_dict()
    torch.save(state, inner, _use_new_zipfile_serialization=False)
    archive = tmp_path / "legacy.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(inner, "inner.pth")
    with pytest.warns(FutureWarning, match="old format < 1.6"):
        loaded = hub.load_state_dict_from_url(_file_url(archive), progress=False)
    _assert_state_equal(loaded, {k: v.numpy() for k, v in state.items()})


# ---- hubconf repositories ----------------------------------------------------------------

HUBCONF = '''
dependencies = ["numpy"]

import helpers  # the repo directory is on sys.path while hubconf runs
import jtorch


def tiny(pretrained=False, out_features=2):
    """A tiny Linear model. pretrained: fill the weight with ones."""
    model = jtorch.nn.Linear(helpers.width(), out_features)
    if pretrained:
        with jtorch.no_grad():
            model.weight.fill_(1.0)
    return model


def needs_missing():
    return None


def _private():
    return None

constant = 3
'''


@pytest.fixture
def repo(tmp_path):
    path = tmp_path / "repo"
    path.mkdir()
    (path / "hubconf.py").write_text(textwrap.dedent(HUBCONF))
    (path / "helpers.py").write_text("def width():\n    return 4\n")
    yield path
    sys.modules.pop("helpers", None)  # imported by the hubconf from the repo directory


def test_local_repo_list_help_load(repo):
    assert hub.list(str(repo), source="local") == ["needs_missing", "tiny"]
    assert hub.help(str(repo), "tiny", source="local") == \
        "A tiny Linear model. pretrained: fill the weight with ones."
    model = hub.load(str(repo), "tiny", source="local", pretrained=True, out_features=3)
    assert isinstance(model, jtorch.nn.Linear)
    assert (model.in_features, model.out_features) == (4, 3)
    assert float(model.weight.sum()) == 12.0
    positional = hub.load(repo, "tiny", True, 5, source="local")  # args go to the entry point
    assert positional.out_features == 5
    assert str(repo) not in sys.path  # sys.path restored


def test_local_repo_errors(repo, tmp_path):
    with pytest.raises(RuntimeError, match="Cannot find callable missing in hubconf"):
        hub.load(str(repo), "missing", source="local")
    with pytest.raises(RuntimeError, match="Cannot find callable constant in hubconf"):
        hub.load(str(repo), "constant", source="local")
    with pytest.raises(ValueError, match='Unknown source: "gitlab"'):
        hub.load(str(repo), "tiny", source="gitlab")
    with pytest.raises(ValueError, match="model should be a string"):
        hub.load(str(repo), hub, source="local")
    (repo / "hubconf.py").write_text("dependencies = ['numpy', 'no_such_pkg_jt']\n"
                                     "def m():\n    return 1\n")
    with pytest.raises(RuntimeError, match="Missing dependencies: no_such_pkg_jt"):
        hub.load(str(repo), "m", source="local")
    with pytest.raises(FileNotFoundError):
        hub.list(str(tmp_path), source="local")


def test_local_repo_matches_torch_hub(repo):
    # torch.hub runs the same entry point with the same arguments (the hubconf builds
    # jtorch modules either way)
    t_model = torch.hub.load(str(repo), "tiny", True, source="local", out_features=3)
    j_model = hub.load(str(repo), "tiny", True, source="local", out_features=3)
    assert repr(t_model) == repr(j_model) == "Linear(in_features=4, out_features=3, bias=True)"
    np.testing.assert_array_equal(t_model.weight.detach().numpy(),
                                  j_model.weight.detach().numpy())


def test_github_repo_offline_gives_a_clear_error(torch_home, offline):
    with pytest.raises(RuntimeError, match="no internet connection.*owner/project"):
        hub.load("owner/project", "tiny", trust_repo=True)
    with pytest.raises(RuntimeError, match="no internet connection"):
        hub.list("owner/project:v1.0", trust_repo=True)
    assert offline  # it did try the network
    with pytest.raises(ValueError, match="Invalid GitHub repo"):
        hub.load("not-a-repo", "tiny", trust_repo=True)


def test_github_repo_from_the_cache_offline(repo, torch_home, offline, capsys):
    hub_dir = torch_home / "hub"
    hub_dir.mkdir(parents=True)
    cached = hub_dir / "owner_project_main"
    cached.mkdir()
    for f in repo.iterdir():
        (cached / f.name).write_bytes(f.read_bytes())
    model = hub.load("owner/project", "tiny", trust_repo=True, out_features=6)
    assert model.out_features == 6
    assert f"Using cache found in {cached}" in capsys.readouterr().err
    assert hub.list("owner/project:main", trust_repo=True) == ["needs_missing", "tiny"]
    assert "tiny Linear model" in hub.help("owner/project:main", "tiny", trust_repo=True)
    # as in torch, a repo already in the cache counts as trusted: nothing added to the list
    assert (hub_dir / "trusted_list").read_text() == ""


def test_untrusted_github_repo_asks_first(repo, torch_home, offline, monkeypatch, capsys):
    cached = torch_home / "hub" / "owner_project_main"
    cached.mkdir(parents=True)
    for f in repo.iterdir():
        (cached / f.name).write_bytes(f.read_bytes())
    answers = iter(["n", "maybe", "y"])
    prompts = []
    monkeypatch.setattr("builtins.input", lambda prompt: prompts.append(prompt) or
                        next(answers))
    with pytest.raises(Exception, match="Untrusted repository"):
        hub.load("other/project:main", "tiny")
    with pytest.raises(ValueError, match="Unrecognized response maybe"):
        hub.load("other/project:main", "tiny")
    assert "other_project does not belong to the list of trusted repositories" in prompts[0]
    # trust_repo=False always asks; a repo already in the cache counts as trusted
    assert hub.load("owner/project:main", "tiny", trust_repo=False, verbose=False) \
        .in_features == 4
    assert "The repository is already trusted." in capsys.readouterr().out
    assert len(prompts) == 3


def test_github_repo_download_and_extract(repo, tmp_path, torch_home, monkeypatch):
    """GitHub's zipball (top folder `<owner>-<repo>-<sha>/`) served from a local file."""
    archive = tmp_path / "zipball.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("owner-project-abc123/", "")
        for f in repo.iterdir():
            zf.write(f, f"owner-project-abc123/{f.name}")
    requested = []
    real_urlopen = hub.urlopen

    def urlopen(req, *args, **kwargs):
        requested.append(req.full_url if hasattr(req, "full_url") else req)
        return real_urlopen(_file_url(archive))

    monkeypatch.setattr(hub, "urlopen", urlopen)
    model = hub.load("owner/project:v2", "tiny", trust_repo=True, skip_validation=True,
                     verbose=False)
    assert model.in_features == 4
    assert requested == ["https://github.com/owner/project/zipball/v2"]
    hub_dir = torch_home / "hub"
    assert sorted(p.name for p in hub_dir.iterdir()) == ["owner_project_v2", "trusted_list"]
    assert (hub_dir / "owner_project_v2" / "hubconf.py").exists()
    assert (hub_dir / "trusted_list").read_text().splitlines() == ["owner_project"]


def test_zip_entries_escaping_the_hub_dir_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../evil.txt", "x")
    with zipfile.ZipFile(archive) as zf, pytest.raises(ValueError, match="traversal"):
        hub._safe_extract_zip(zf, tmp_path / "out")
    assert not (tmp_path / "evil.txt").exists()
