"""torchvision.datasets.utils: md5 checks, downloads and archive extraction.

Downloads go to `<file>.part` and are renamed into place only once complete and (when an md5
is given) verified, so an interrupted download never leaves a file that looks finished. A
progress bar (tqdm) shows on stderr. Without network, the error names the URL and the folder
where the file can be put by hand.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import lzma
import os
import pathlib
import tarfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterable

USER_AGENT = "pytorch/vision"

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url",
           "download_and_extract_archive", "extract_archive", "list_dir", "list_files",
           "verify_str_arg", "iterable_to_str"]


def calculate_md5(fpath, chunk_size: int = 1024 * 1024) -> str:
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        while chunk := f.read(chunk_size):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5: str, **kwargs) -> bool:
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5: str | None = None) -> bool:
    """True if `fpath` is a file and, when `md5` is given, has that md5."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def _urlretrieve(url: str, filename: str, chunk_size: int = 1024 * 32) -> None:
    from tqdm import tqdm
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=30) as response:
        with open(filename, "wb") as fh, tqdm(total=response.length, unit="B", unit_scale=True,
                                              desc=os.path.basename(filename)) as pbar:
            while chunk := response.read(chunk_size):
                fh.write(chunk)
                pbar.update(len(chunk))


def download_url(url: str, root, filename=None, md5: str | None = None,
                 max_redirect_hops: int = 3) -> None:
    """Download `url` to `root/filename` unless a file with the right md5 is already there.

    Raises RuntimeError naming the URL and the target path when the download fails (no
    network) or the downloaded file's md5 is wrong.
    """
    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(url)
    fpath = os.fspath(os.path.join(root, filename))
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return
    partial = fpath + ".part"
    print(f"Downloading {url} to {fpath}")
    try:
        _urlretrieve(url, partial)
    except (urllib.error.URLError, OSError) as e:
        _remove_quietly(partial)
        raise RuntimeError(
            f"Could not download {url} ({getattr(e, 'reason', e)}). Without network access, "
            f"get the file elsewhere and place it at {fpath}"
            f"{f' (md5 {md5})' if md5 else ''}.") from e
    if not check_integrity(partial, md5):
        _remove_quietly(partial)
        raise RuntimeError(f"File not found or corrupted: the download of {url} does not have "
                           f"md5 {md5}.")
    os.replace(partial, fpath)


def _remove_quietly(path):
    try:
        os.remove(path)
    except OSError:
        pass


def list_dir(root, prefix: bool = False) -> list[str]:
    root = os.path.expanduser(root)
    directories = [p for p in os.listdir(root) if os.path.isdir(os.path.join(root, p))]
    return [os.path.join(root, d) for d in directories] if prefix else directories


def list_files(root, suffix: str, prefix: bool = False) -> list[str]:
    root = os.path.expanduser(root)
    files = [p for p in os.listdir(root)
             if os.path.isfile(os.path.join(root, p)) and p.endswith(suffix)]
    return [os.path.join(root, d) for d in files] if prefix else files


_ARCHIVE_EXTRACTORS = {".tar": "tar", ".zip": "zip"}
_COMPRESSED_FILE_OPENERS = {".bz2": bz2.open, ".gz": gzip.open, ".xz": lzma.open}
_FILE_TYPE_ALIASES = {".tbz": (".tar", ".bz2"), ".tbz2": (".tar", ".bz2"),
                      ".tgz": (".tar", ".gz")}


def _detect_file_type(file):
    """(suffix, archive type, compression) of a file name, as torchvision detects them."""
    suffixes = pathlib.Path(file).suffixes
    if not suffixes:
        raise RuntimeError(f"File '{file}' has no suffixes that could be used to detect the "
                           "archive type and compression.")
    suffix = suffixes[-1]
    if suffix in _FILE_TYPE_ALIASES:
        return (suffix, *_FILE_TYPE_ALIASES[suffix])
    if suffix in _ARCHIVE_EXTRACTORS:
        return suffix, suffix, None
    if suffix in _COMPRESSED_FILE_OPENERS:
        if len(suffixes) > 1 and suffixes[-2] in _ARCHIVE_EXTRACTORS:
            return suffixes[-2] + suffix, suffixes[-2], suffix
        return suffix, None, suffix
    valid = sorted(set(_FILE_TYPE_ALIASES) | set(_ARCHIVE_EXTRACTORS)
                   | set(_COMPRESSED_FILE_OPENERS))
    raise RuntimeError(f"Unknown compression or archive type: '{suffix}'.\n"
                       f"Known suffixes are: '{valid}'.")


def extract_archive(from_path, to_path=None, remove_finished: bool = False):
    """Extract a tar/zip archive, or decompress a .gz/.bz2/.xz file, into `to_path`."""
    if to_path is None:
        to_path = os.path.dirname(from_path)
    suffix, archive_type, compression = _detect_file_type(from_path)
    if not archive_type:
        target = os.path.join(to_path, os.path.basename(from_path).replace(suffix, ""))
        with _COMPRESSED_FILE_OPENERS[compression](from_path, "rb") as rfh, \
                open(target, "wb") as wfh:
            wfh.write(rfh.read())
        result = pathlib.Path(target)
    else:
        if archive_type == ".tar":
            mode = f"r:{compression[1:]}" if compression else "r"
            # the "data" filter (no absolute paths, links out of the folder) where Python has it
            safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            with tarfile.open(from_path, mode) as tar:
                tar.extractall(to_path, **safe)
        else:
            with zipfile.ZipFile(from_path, "r") as archive:
                archive.extractall(to_path)
        result = pathlib.Path(to_path)
    if remove_finished:
        os.remove(from_path)
    return os.fspath(result) if isinstance(from_path, str) else result


def download_and_extract_archive(url: str, download_root, extract_root=None, filename=None,
                                 md5: str | None = None, remove_finished: bool = False) -> None:
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(url)
    download_url(url, download_root, filename, md5)
    extract_archive(os.path.join(download_root, filename), extract_root, remove_finished)


def iterable_to_str(iterable: Iterable) -> str:
    return "'" + "', '".join([str(item) for item in iterable]) + "'"


def verify_str_arg(value, arg: str | None = None, valid_values: Iterable | None = None,
                   custom_msg: str | None = None):
    """torchvision's check that a string argument is one of `valid_values`."""
    if not isinstance(value, str):
        msg = ("Expected type str, but got type {type}." if arg is None else
               "Expected type str for argument {arg}, but got type {type}.")
        raise ValueError(msg.format(type=type(value), arg=arg))
    if valid_values is None:
        return value
    if value not in valid_values:
        if custom_msg is not None:
            msg = custom_msg
        else:
            msg = ("Unknown value '{value}' for argument {arg}. "
                   "Valid values are {{{valid_values}}}.")
            msg = msg.format(value=value, arg=arg, valid_values=iterable_to_str(valid_values))
        raise ValueError(msg)
    return value
