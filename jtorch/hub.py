"""torch.hub: pretrained weights and models from URLs, GitHub repositories and local dirs.

- `get_dir()` / `set_dir(d)`: the hub directory, `$TORCH_HOME/hub` (TORCH_HOME defaulting to
  `$XDG_CACHE_HOME/torch`, i.e. `~/.cache/torch`), as torch.
- `download_url_to_file(url, dst, hash_prefix, progress)`: streams into a uniquely named
  `<dst>.<uuid>.partial` file beside `dst` and moves it into place only when complete and its
  SHA-256 starts with `hash_prefix`, so an interrupted or corrupt download never leaves a file
  at `dst`. A tqdm bar shows progress on stderr.
- `load_state_dict_from_url(url, model_dir, map_location, progress, check_hash, file_name,
  weights_only)`: downloads once into `<hub>/checkpoints/<file name>` and loads it with
  `jtorch.load` (torch's checkpoint format, so torchvision's weight files load unchanged);
  a file already in the cache is used without touching the network. With check_hash the
  file name's `-<hex>.` part is the expected hash prefix (torchvision's convention).
- `list` / `help` / `load` for a repo's `hubconf.py`: `source='local'` reads a directory;
  `source='github'` downloads `owner/repo[:ref]` into `<hub>/<owner>_<repo>_<ref>` (or uses
  that cache) and fails with a clear RuntimeError when offline and not cached.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import importlib.util
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
import warnings
import zipfile
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlparse
from urllib.request import Request, urlopen

try:
    from tqdm import tqdm
except ImportError:  # tqdm is a dependency of jtorch; keep working without it, as torch does
    tqdm = None

__all__ = ["download_url_to_file", "get_dir", "help", "list", "load",
           "load_state_dict_from_url", "set_dir"]

HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
_TRUSTED_REPO_OWNERS = ("facebookresearch", "facebookincubator", "pytorch", "fairinternal")
ENV_GITHUB_TOKEN = "GITHUB_TOKEN"
ENV_TORCH_HOME = "TORCH_HOME"
ENV_XDG_CACHE_HOME = "XDG_CACHE_HOME"
DEFAULT_CACHE_DIR = "~/.cache"
VAR_DEPENDENCY = "dependencies"
MODULE_HUBCONF = "hubconf.py"
READ_DATA_CHUNK = 128 * 1024
_PATH_SEP_PATTERN = re.compile(r"[/\\]")

_hub_dir = None


# ---- directories ------------------------------------------------------------------------

def _get_torch_home():
    return os.path.expanduser(os.getenv(ENV_TORCH_HOME, os.path.join(
        os.getenv(ENV_XDG_CACHE_HOME, DEFAULT_CACHE_DIR), "torch")))


def get_dir() -> str:
    """The hub directory: set_dir's value, else `$TORCH_HOME/hub` (`~/.cache/torch/hub`)."""
    if os.getenv("TORCH_HUB"):
        warnings.warn("TORCH_HUB is deprecated, please use env TORCH_HOME instead", stacklevel=2)
    if _hub_dir is not None:
        return _hub_dir
    return os.path.join(_get_torch_home(), "hub")


def set_dir(d) -> None:
    """Use `d` as the hub directory from now on (overrides $TORCH_HOME)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


# ---- downloads --------------------------------------------------------------------------

class _Progress:
    """tqdm's bar when tqdm is importable; torch's plain percentage otherwise."""

    def __init__(self, total, disable):
        self.bar = None if disable or tqdm is None else tqdm(
            total=total, unit="B", unit_scale=True, unit_divisor=1024)
        self.total, self.disable, self.n = total, disable, 0

    def update(self, n):
        if self.bar is not None:
            self.bar.update(n)
        elif not self.disable:
            self.n += n
            shown = (f"{self.n:.1f} bytes" if self.total is None
                     else f"{100 * self.n / float(self.total):.1f}%")
            sys.stderr.write("\r" + shown)
            sys.stderr.flush()

    def close(self):
        if self.bar is not None:
            self.bar.close()
        elif not self.disable:
            sys.stderr.write("\n")


def _open_partial(dst):
    """A new, exclusively created temporary file beside `dst` (same file system, so the final
    move is an atomic rename)."""
    for _ in range(tempfile.TMP_MAX):
        tmp_dst = dst + "." + uuid.uuid4().hex + ".partial"
        try:
            return open(tmp_dst, "x+b")  # closed by the caller
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "No usable temporary file name found")


def download_url_to_file(url, dst, hash_prefix=None, progress=True) -> None:
    """Download `url` to `dst`, atomically: `dst` appears only once the whole file is there
    and (when given) its SHA-256 hex digest starts with `hash_prefix`.

    Raises RuntimeError on a hash mismatch (the partial file is removed), and urllib's
    URLError / HTTPError when the URL cannot be read.
    """
    dst = os.path.expanduser(os.fspath(dst))
    f = _open_partial(dst)
    try:
        req = Request(url, headers={"User-Agent": "torch.hub"})
        with urlopen(req) as u:
            content_length = u.info().get_all("Content-Length")
            file_size = int(content_length[0]) if content_length else None
            sha256 = hashlib.sha256() if hash_prefix is not None else None
            bar = _Progress(file_size, disable=not progress)
            try:
                while True:
                    buffer = u.read(READ_DATA_CHUNK)
                    if not buffer:
                        break
                    f.write(buffer)
                    if sha256 is not None:
                        sha256.update(buffer)
                    bar.update(len(buffer))
            finally:
                bar.close()
        f.close()
        if sha256 is not None:
            digest = sha256.hexdigest()
            if digest[:len(hash_prefix)] != hash_prefix:
                raise RuntimeError(f'invalid hash value (expected "{hash_prefix}", got '
                                   f'"{digest}")')
        shutil.move(f.name, dst)
    finally:
        f.close()
        if os.path.exists(f.name):
            os.remove(f.name)


def _safe_extract_zip(zip_file, extract_to):
    """Extract, refusing entries with absolute paths or `..` that would escape the target."""
    extract_to = Path(extract_to).resolve(strict=False)
    for member in zip_file.infolist():
        filename = os.path.normpath(member.filename)
        if filename.startswith(("/", "\\")) or (
                len(filename) >= 2 and filename[1] == ":" and filename[0].isalpha()):
            raise ValueError(f"Archive entry has absolute path: {member.filename}")
        if ".." in re.split(_PATH_SEP_PATTERN, filename):
            raise ValueError(f"Archive entry contains directory traversal: {member.filename}")
        out = (extract_to / filename).resolve(strict=False)
        if not out.is_relative_to(extract_to):
            raise ValueError(f"Archive entry escapes target directory: {member.filename}")
        zip_file.extract(member, extract_to)


def _is_legacy_zip_format(filename):
    """A zip holding exactly one file: the pre-1.6 way of publishing a checkpoint."""
    if zipfile.is_zipfile(filename):
        with zipfile.ZipFile(filename) as zf:
            infolist = zf.infolist()
        return len(infolist) == 1 and not infolist[0].is_dir()
    return False


def _legacy_zip_load(filename, model_dir, map_location, weights_only):
    import jtorch

    warnings.warn("Falling back to the old format < 1.6. This support will be deprecated in "
                  "favor of default zipfile format introduced in 1.6. Please redo torch.save() "
                  "to save it in the new zipfile format.", FutureWarning, stacklevel=3)
    with zipfile.ZipFile(filename) as f:
        members = f.infolist()
        if len(members) != 1:
            raise RuntimeError("Only one file(not dir) is allowed in the zipfile")
        _safe_extract_zip(f, model_dir)
        extracted_file = os.path.join(model_dir, members[0].filename)
    return jtorch.load(extracted_file, map_location=map_location, weights_only=weights_only)


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True,
                             check_hash=False, file_name=None, weights_only=False):
    """The object serialized at `url`, cached in `<hub>/checkpoints/` (or `model_dir`).

    A cached file is loaded without any network access. `weights_only` defaults to False as
    in torch.hub (torch.load's own default is True).
    """
    import jtorch

    if os.getenv("TORCH_MODEL_ZOO"):
        warnings.warn("TORCH_MODEL_ZOO is deprecated, please use env TORCH_HOME instead",
                      stacklevel=2)
    if model_dir is None:
        model_dir = os.path.join(get_dir(), "checkpoints")
    os.makedirs(model_dir, exist_ok=True)
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    cached_file = os.path.join(model_dir, filename)
    if not os.path.exists(cached_file):
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        hash_prefix = None
        if check_hash:
            r = HASH_REGEX.search(filename)
            hash_prefix = r.group(1) if r else None
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    if _is_legacy_zip_format(cached_file):
        return _legacy_zip_load(cached_file, model_dir, map_location, weights_only)
    return jtorch.load(cached_file, map_location=map_location, weights_only=weights_only)


# ---- hubconf repositories ---------------------------------------------------------------

@contextlib.contextmanager
def _add_to_sys_path(path):
    sys.path.insert(0, path)
    try:
        yield
    finally:
        sys.path.remove(path)


def _import_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise AssertionError(f"failed to load spec from {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _import_hubconf(repo_dir):
    hubconf_path = os.path.join(repo_dir, MODULE_HUBCONF)
    if not os.path.isfile(hubconf_path):
        raise FileNotFoundError(errno.ENOENT, f"no {MODULE_HUBCONF} in the hub repo",
                                hubconf_path)
    with _add_to_sys_path(repo_dir):
        return _import_module(MODULE_HUBCONF, hubconf_path)


def _check_dependencies(m):
    dependencies = getattr(m, VAR_DEPENDENCY, None)
    if dependencies is not None:
        missing = [pkg for pkg in dependencies if importlib.util.find_spec(pkg) is None]
        if missing:
            raise RuntimeError(f"Missing dependencies: {', '.join(missing)}")


def _load_entry_from_hubconf(m, model):
    if not isinstance(model, str):
        raise ValueError("Invalid input: model should be a string of function name")
    _check_dependencies(m)
    func = getattr(m, model, None) if model in dir(m) else None
    if func is None or not callable(func):
        raise RuntimeError(f"Cannot find callable {model} in hubconf")
    return func


def _git_archive_link(repo_owner, repo_name, ref):
    return f"https://github.com/{repo_owner}/{repo_name}/zipball/{ref}"


def _offline_error(github, hub_dir):
    return RuntimeError(
        f"It looks like there is no internet connection and the repo could not be found in "
        f"the cache ({hub_dir}): cannot fetch {github!r} from GitHub. Put a copy of the repo "
        f"in {hub_dir}/<owner>_<repo>_<ref>, or load a local checkout with "
        f"torch.hub.load(path, model, source='local').")


def _parse_repo_info(github):
    """(owner, name, ref); without a ref, 'main' if GitHub has it, else 'master' (or the
    cached one when offline)."""
    repo_info, _, ref = github.partition(":")
    if "/" not in repo_info or repo_info.count("/") != 1:
        raise ValueError(f'Invalid GitHub repo "{github}": expected "repo_owner/repo_name'
                         f'[:ref]"')
    repo_owner, repo_name = repo_info.split("/")
    if ref:
        return repo_owner, repo_name, ref
    try:
        with urlopen(f"https://github.com/{repo_owner}/{repo_name}/tree/main/"):
            return repo_owner, repo_name, "main"
    except HTTPError as e:
        if e.code == 404:
            return repo_owner, repo_name, "master"
        raise
    except (URLError, OSError) as e:
        for possible_ref in ("main", "master"):
            if os.path.exists(f"{get_dir()}/{repo_owner}_{repo_name}_{possible_ref}"):
                return repo_owner, repo_name, possible_ref
        raise _offline_error(github, get_dir()) from e


def _read_url(url):
    with urlopen(url) as r:
        return r.read().decode(r.headers.get_content_charset("utf-8"))


def _validate_not_a_forked_repo(repo_owner, repo_name, ref):
    headers = {"Accept": "application/vnd.github.v3+json"}
    token = os.environ.get(ENV_GITHUB_TOKEN)
    if token is not None:
        headers["Authorization"] = f"token {token}"
    for url_prefix in (f"https://api.github.com/repos/{repo_owner}/{repo_name}/branches",
                       f"https://api.github.com/repos/{repo_owner}/{repo_name}/tags"):
        page = 0
        while True:
            page += 1
            url = f"{url_prefix}?per_page=100&page={page}"
            response = json.loads(_read_url(Request(url, headers=headers)))
            if not response:
                break
            for br in response:
                if br["name"] == ref or br["commit"]["sha"].startswith(ref):
                    return
    raise ValueError(f"Cannot find {ref} in https://github.com/{repo_owner}/{repo_name}. If "
                     "it's a commit from a forked repo, please call hub.load() with forked "
                     "repo directly.")


def _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo):
    hub_dir = get_dir()
    filepath = os.path.join(hub_dir, "trusted_list")
    Path(filepath).touch()
    with open(filepath) as file:
        trusted_repos = tuple(line.strip() for line in file)
    trusted_repos_legacy = next(os.walk(hub_dir))[1]
    owner_name = "_".join([repo_owner, repo_name])
    is_trusted = (owner_name in trusted_repos or owner_name_branch in trusted_repos_legacy
                  or repo_owner in _TRUSTED_REPO_OWNERS)
    if trust_repo is False or (trust_repo == "check" and not is_trusted):
        response = input(
            f"The repository {owner_name} does not belong to the list of trusted repositories "
            "and as such cannot be downloaded. Do you trust this repository and wish to add "
            "it to the trusted list of repositories (y/N)?")
        if response.lower() in ("y", "yes"):
            if is_trusted:
                print("The repository is already trusted.")
        elif response.lower() in ("n", "no", ""):
            raise Exception("Untrusted repository.")  # torch's exception type
        else:
            raise ValueError(f"Unrecognized response {response}.")
    if not is_trusted:
        with open(filepath, "a") as file:
            file.write(owner_name + "\n")


def _get_cache_or_reload(github, force_reload, trust_repo, verbose=True,
                         skip_validation=False):
    """The local directory of GitHub repo `github` (`owner/name[:ref]`), downloading it into
    the hub directory unless it is cached there already."""
    hub_dir = get_dir()
    os.makedirs(hub_dir, exist_ok=True)
    repo_owner, repo_name, ref = _parse_repo_info(github)
    normalized_br = ref.replace("/", "_")
    owner_name_branch = "_".join([repo_owner, repo_name, normalized_br])
    repo_dir = os.path.join(hub_dir, owner_name_branch)
    _check_repo_is_trusted(repo_owner, repo_name, owner_name_branch, trust_repo=trust_repo)
    if not force_reload and os.path.exists(repo_dir):
        if verbose:
            sys.stderr.write(f"Using cache found in {repo_dir}\n")
        return repo_dir
    cached_file = os.path.join(hub_dir, normalized_br + ".zip")
    try:
        if not skip_validation:
            _validate_not_a_forked_repo(repo_owner, repo_name, ref)
        if os.path.exists(cached_file):
            os.remove(cached_file)
        url = _git_archive_link(repo_owner, repo_name, ref)
        sys.stdout.write(f'Downloading: "{url}" to {cached_file}\n')
        download_url_to_file(url, cached_file, progress=False)
    except HTTPError:
        raise
    except (URLError, OSError) as e:
        raise _offline_error(github, hub_dir) from e
    with zipfile.ZipFile(cached_file) as cached_zipfile:
        extracted_repo = os.path.join(hub_dir, cached_zipfile.infolist()[0].filename)
        shutil.rmtree(extracted_repo, ignore_errors=True)
        _safe_extract_zip(cached_zipfile, hub_dir)
    os.remove(cached_file)
    shutil.rmtree(repo_dir, ignore_errors=True)
    shutil.move(extracted_repo, repo_dir)
    return repo_dir


def _repo_dir(repo_or_dir, source, force_reload, trust_repo, verbose, skip_validation):
    source = source.lower()
    if source not in ("github", "local"):
        raise ValueError(f'Unknown source: "{source}". Allowed values: "github" | "local".')
    if source == "local":
        return os.fspath(repo_or_dir)
    return _get_cache_or_reload(repo_or_dir, force_reload, trust_repo, verbose=verbose,
                                skip_validation=skip_validation)


def list(github, force_reload=False, skip_validation=False, trust_repo="check",
         verbose=True, *, source="github"):
    """The public callables (entry points) of the repo's hubconf.py.

    `source='local'` (a jtorch extension of torch's signature) lists a local directory.
    """
    repo_dir = _repo_dir(github, source, force_reload, trust_repo, verbose, skip_validation)
    hub_module = _import_hubconf(repo_dir)
    return [f for f in dir(hub_module)
            if callable(getattr(hub_module, f)) and not f.startswith("_")]


def help(github, model, force_reload=False, skip_validation=False,
         trust_repo="check", *, source="github"):
    """The docstring of entry point `model` of the repo's hubconf.py."""
    repo_dir = _repo_dir(github, source, force_reload, trust_repo, True, skip_validation)
    return _load_entry_from_hubconf(_import_hubconf(repo_dir), model).__doc__


def load(repo_or_dir, model, *args, source="github", trust_repo="check", force_reload=False,
         verbose=True, skip_validation=False, **kwargs):
    """Call entry point `model` of `repo_or_dir`'s hubconf.py with `*args, **kwargs`.

    source='github': `repo_or_dir` is `owner/name[:ref]`, fetched into the hub directory
    (cached); source='local': a directory holding hubconf.py.
    """
    repo_dir = _repo_dir(repo_or_dir, source, force_reload, trust_repo, verbose,
                         skip_validation)
    return _load_local(repo_dir, model, *args, **kwargs)


def _load_local(hubconf_dir, model, *args, **kwargs):
    with _add_to_sys_path(hubconf_dir):
        hub_module = _import_module(MODULE_HUBCONF, os.path.join(hubconf_dir, MODULE_HUBCONF))
        entry = _load_entry_from_hubconf(hub_module, model)
        return entry(*args, **kwargs)
