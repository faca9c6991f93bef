"""torch.save / torch.load in PyTorch's own formats, so checkpoints move both ways.

Writes torch's zip format (`<name>/data.pkl` pickled with protocol 2, one stored record per
storage under `<name>/data/<key>` aligned to 64 bytes, `byteorder`, `version`,
`.data/serialization_id`), naming torch's globals (`torch._utils._rebuild_tensor_v2`,
`torch.FloatStorage`, `torch.nn.modules.linear.Linear`, ...) so real torch loads jtorch's files;
reads that format and the legacy non-zip one. Tensors sharing storage are written once and
load as views of one storage again. `load` defaults to `weights_only=True`: an allowlist
unpickler that refuses any other global, as torch >= 2.6 does.
"""

from __future__ import annotations

import _compat_pickle
import collections
import contextlib
import io
import os
import pickle
import random
import struct
import sys
import tempfile
import zipfile

import jax.numpy as jnp
import numpy as np

from jtorch import _device, _dtypes
from jtorch._api.views import VIEW
from jtorch._dispatch import ViewOp, make_view
from jtorch._tensor import Size, Tensor, from_array

DEFAULT_PROTOCOL = 2
MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_ALIGNMENT = 64

_STORAGE_NAMES = {d: d._legacy_name.replace("Tensor", "Storage") for d in _dtypes.ALL_DTYPES}
_STORAGE_DTYPES = {name: d for d, name in _STORAGE_NAMES.items()}
_STORAGE_DTYPES["UntypedStorage"] = _dtypes.uint8


# ---- names: jtorch modules are written as torch's, and read back -------------------------

def _torch_module_name(module):
    if module == "jtorch.vision" or module.startswith("jtorch.vision."):
        return "torchvision" + module[len("jtorch.vision"):]
    return "torch" + module[len("jtorch"):]


def _jtorch_module_name(module):
    if module == "torchvision" or module.startswith("torchvision."):
        return "jtorch.vision" + module[len("torchvision"):]
    return "jtorch" + module[len("torch"):]


class _Global:
    """A global written into the pickle by name (torch's names; nothing imported to write it)."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce insists on a callable
        raise TypeError(f"{self.module}.{self.name} is only a name for the pickle")


# ---- saving -------------------------------------------------------------------------------

class _StorageRef:
    def __init__(self, root):
        self.root = root


class _Pickler(pickle._Pickler):
    """Pure-Python pickler (so globals can be written under torch's module names)."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id(root) -> (key, root)

    def _write_global(self, module, name, obj=None):
        self.write(pickle.GLOBAL + f"{module}\n{name}\n".encode())
        if obj is not None:
            self.memoize(obj)

    def save_global(self, obj, name=None):
        module = getattr(obj, "__module__", None) or ""
        if module == "jtorch" or module.startswith("jtorch."):
            self._write_global(_torch_module_name(module), name or obj.__qualname__, obj)
        else:
            super().save_global(obj, name)

    def persistent_id(self, obj):
        if not isinstance(obj, _StorageRef):
            return None
        root = obj.root
        key, _ = self.storages.setdefault(id(root), (str(len(self.storages)), root))
        device = root.device
        location = "cpu" if device.type == "cpu" else f"cuda:{device.index or 0}"
        return ("storage", _Global("torch", _STORAGE_NAMES[root.dtype]), key, location,
                root.numel())

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return _reduce_tensor(obj)
        if isinstance(obj, _device.device):
            return (_Global("torch", "device"), (str(obj),))
        if isinstance(obj, Size):
            return (_Global("torch", "Size"), (tuple(obj),))
        return NotImplemented


def _save_global_object(pickler, obj):
    pickler._write_global(obj.module, obj.name)


def _save_dtype(pickler, obj):
    pickler._write_global("torch", obj.name, obj)


_Pickler.dispatch[_Global] = _save_global_object
_Pickler.dispatch[_dtypes.dtype] = _save_dtype


def _reduce_tensor(t):
    from jtorch.nn.parameter import Parameter
    if isinstance(t, Parameter):
        return (_Global("torch._utils", "_rebuild_parameter"),
                (t.detach(), t.requires_grad, collections.OrderedDict()))
    if t.grad_fn is not None:
        raise RuntimeError("Cannot save a tensor that requires grad and is not a leaf; call "
                           ".detach() first (torch.save pickles leaves only)")
    root = t._base if t._base is not None else t
    return (_Global("torch._utils", "_rebuild_tensor_v2"),
            (_StorageRef(root), t.storage_offset(), tuple(t.shape), tuple(t.stride()),
             t.requires_grad, collections.OrderedDict()))


def _storage_bytes(root):
    values = np.asarray(root._array)
    return np.ascontiguousarray(values).tobytes()


def _aligned_record(zf, name, data):
    """Write an uncompressed record whose data starts on a 64-byte boundary (as torch does,
    which lets loaders mmap storages)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header_end = zf.fp.tell() + 30 + len(name.encode("utf-8"))
    padding = (-(header_end + 4)) % _ALIGNMENT
    info.extra = struct.pack("<HH", 0x4246, padding) + b"Z" * padding  # 'FB' field, as torch
    zf.writestr(info, data)


def _write_zip(obj, f, pickle_protocol, archive):
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, pickle_protocol)
    pickler.dump(obj)
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED) as zf:
        _aligned_record(zf, f"{archive}/data.pkl", buffer.getvalue())
        _aligned_record(zf, f"{archive}/.format_version", b"1")
        _aligned_record(zf, f"{archive}/.storage_alignment", b"64")
        _aligned_record(zf, f"{archive}/byteorder", sys.byteorder.encode())
        for key, root in pickler.storages.values():
            _aligned_record(zf, f"{archive}/data/{key}", _storage_bytes(root))
        _aligned_record(zf, f"{archive}/version", b"3\n")
        serialization_id = "".join(random.choice("0123456789") for _ in range(40))
        _aligned_record(zf, f"{archive}/.data/serialization_id", serialization_id.encode())


def _write_legacy(obj, f, pickle_protocol):
    pickle.dump(MAGIC_NUMBER, f, protocol=pickle_protocol)
    pickle.dump(PROTOCOL_VERSION, f, protocol=pickle_protocol)
    sys_info = {"protocol_version": PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
                "type_sizes": {"short": 2, "int": 4, "long": 4}}
    pickle.dump(sys_info, f, protocol=pickle_protocol)

    class LegacyPickler(_Pickler):
        def persistent_id(self, obj):
            pid = super().persistent_id(obj)
            return None if pid is None else pid + (None,)

    pickler = LegacyPickler(f, pickle_protocol)
    pickler.dump(obj)
    keys = [key for key, _ in pickler.storages.values()]
    pickle.dump(keys, f, protocol=pickle_protocol)
    for _, root in pickler.storages.values():
        f.write(struct.pack("<q", root.numel()))
        f.write(_storage_bytes(root))


def save(obj, f, pickle_module=pickle, pickle_protocol=DEFAULT_PROTOCOL,
         _use_new_zipfile_serialization=True, _disable_byteorder_record=False):
    """torch.save: PyTorch's zip format (or the legacy one), to a path or a binary file.

    A path is written to a temporary file in the same folder and renamed over the target only
    when complete, so an interrupted save never leaves a half-written checkpoint in its place.
    """
    def write(stream, archive):
        if _use_new_zipfile_serialization:
            _write_zip(obj, stream, pickle_protocol, archive)
        else:
            _write_legacy(obj, stream, pickle_protocol)

    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        folder = os.path.dirname(os.path.abspath(path))
        archive = os.path.splitext(os.path.basename(path))[0] or "archive"
        fd, tmp = tempfile.mkstemp(prefix=".jtorch-save-", dir=folder)
        try:
            with os.fdopen(fd, "wb") as stream:
                write(stream, archive)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    else:
        write(f, "archive")


# ---- loading ------------------------------------------------------------------------------

class _StorageType:
    """What `torch.FloatStorage` & co. resolve to while loading: carries the dtype."""

    def __init__(self, dtype):
        self.dtype = dtype


class _LoadedStorage:
    """A storage read from the file: a flat root tensor and the tensors built on it."""

    def __init__(self, array, location):
        self.root = from_array(array)
        self.location = location
        self.users = []

    @property
    def device(self):
        return self.root.device

    def cpu(self):
        return self

    def cuda(self, device=None):
        self.root = self.root.to("cuda" if device is None else f"cuda:{device}")
        return self


def _as_strided_fn(x, *, size, stride, offset):
    flat = x.reshape(-1)
    index = np.full(size, offset, dtype=np.int64)
    for dim, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[dim] = n
        index = index + (np.arange(n) * s).reshape(shape)
    return flat[jnp.asarray(index)]


def _as_strided_rule(shape, strides, offset, out_shape, *, size, stride, offset_):
    return tuple(stride), offset_


AS_STRIDED = ViewOp(lambda x, *, size, stride, offset_: _as_strided_fn(
    x, size=size, stride=stride, offset=offset_), "AsStridedBackward0", _as_strided_rule)


_PLACEHOLDER = object()  # a storage not read yet (legacy format, first pass)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False,
                       backward_hooks=None, metadata=None):
    if storage is _PLACEHOLDER:
        return None
    size, stride = tuple(size), tuple(stride)
    root = storage.root
    numel = int(np.prod(size)) if size else 1
    extent = storage_offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1
    if len(size) != len(stride) or storage_offset < 0 or any(s < 0 for s in stride) or (
            numel and extent > root.numel()):
        raise RuntimeError(f"a tensor of size {list(size)}, stride {list(stride)} and offset "
                           f"{storage_offset} does not fit its storage of {root.numel()} "
                           "elements; the checkpoint is inconsistent")
    if storage_offset == 0 and stride == tuple(_contiguous(size)) and numel == root.numel():
        t = from_array(root._array.reshape(size))
        make_view(t, root, VIEW, (("shape_", size),))
    else:
        t = from_array(_as_strided_fn(root._array, size=size, stride=stride,
                                      offset=storage_offset))
        make_view(t, root, AS_STRIDED, (("size", size), ("stride", stride),
                                        ("offset_", storage_offset)))
    storage.users.append(t)
    if requires_grad:
        t._requires_grad = True
    return t


def _contiguous(size):
    from jtorch._strides import contiguous_strides
    return contiguous_strides(size)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild_tensor_v2(storage, storage_offset, size, stride)


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from jtorch.nn.parameter import Parameter
    return None if data is None else Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad)
    param.__dict__.update(state or {})
    return param


def _rebuild_from_type_v2(func, new_type, args, state):
    return func(*args)


def _get_layout(name):
    return name


def _torch_globals():
    """The torch globals jtorch understands, by torch's (module, name)."""
    import jtorch
    names = {
        ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
        ("torch._utils", "_rebuild_tensor"): _rebuild_tensor,
        ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
        ("torch._utils", "_rebuild_parameter_with_state"): _rebuild_parameter_with_state,
        ("torch._tensor", "_rebuild_from_type_v2"): _rebuild_from_type_v2,
        ("torch.serialization", "_get_layout"): _get_layout,
        ("torch", "Size"): Size,
        ("torch", "device"): _device.device,
        ("torch", "strided"): "torch.strided",
        ("torch", "Tensor"): Tensor,
        ("torch.nn.parameter", "Parameter"): jtorch.nn.Parameter,
    }
    for d in _dtypes.ALL_DTYPES:
        names[("torch", d.name)] = d
    for name, d in _STORAGE_DTYPES.items():
        names[("torch", name)] = _StorageType(d)
    return names


_SAFE_BUILTINS = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("collections", "defaultdict"): collections.defaultdict,
    ("collections", "Counter"): collections.Counter,
    ("builtins", "set"): set, ("builtins", "frozenset"): frozenset,
    ("builtins", "complex"): complex, ("builtins", "slice"): slice,
    ("builtins", "bytearray"): bytearray, ("builtins", "range"): range,
    ("_codecs", "encode"): __import__("codecs").encode,
}

_user_safe_globals = []


def add_safe_globals(safe_globals):
    """torch.serialization.add_safe_globals: allow these globals under weights_only=True."""
    _user_safe_globals.extend(safe_globals)


def clear_safe_globals():
    _user_safe_globals.clear()


def get_safe_globals():
    return list(_user_safe_globals)


@contextlib.contextmanager
def safe_globals(globals_):
    """torch.serialization.safe_globals: a context manager form of add_safe_globals."""
    before = len(_user_safe_globals)
    _user_safe_globals.extend(globals_)
    try:
        yield
    finally:
        del _user_safe_globals[before:]


def _qualified(obj):
    if isinstance(obj, tuple):  # (obj, "module.name") form
        obj = obj[0]
    module = getattr(obj, "__module__", "")
    if module == "jtorch" or module.startswith("jtorch."):
        module = _torch_module_name(module)
    return module, getattr(obj, "__qualname__", getattr(obj, "__name__", ""))


_WEIGHTS_ONLY_MESSAGE = (
    "Weights only load failed. This file can still be loaded, to do so you have two options, "
    "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In "
    "PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` "
    "from `False` to `True`. Re-running `torch.load` with `weights_only` set to `False` will "
    "likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
    "file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please "
    "check the recommended steps in the following error message.\n\tWeightsUnpickler error: "
    "Unsupported global: GLOBAL {name} was not an allowed global by default. Please use "
    "`torch.serialization.add_safe_globals([{name}])` or the "
    "`torch.serialization.safe_globals([{name}])` context manager to allowlist this global if "
    "you trust this class/function.\n\nCheck the documentation of torch.load to learn more about "
    "types accepted by default with weights_only "
    "https://pytorch.org/docs/stable/generated/torch.load.html.")


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, weights_only, read_storage, **kwargs):
        super().__init__(file, **kwargs)
        self.weights_only = weights_only
        self.read_storage = read_storage
        self.torch_globals = _torch_globals()

    def find_class(self, module, name):
        # protocol-2 pickles name Python 3 builtins by their Python 2 modules
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        key = (module, name)
        if key in self.torch_globals:
            return self.torch_globals[key]
        if key in _SAFE_BUILTINS:
            return _SAFE_BUILTINS[key]
        if self.weights_only:
            for obj in _user_safe_globals:
                if _qualified(obj) == key:
                    return obj[0] if isinstance(obj, tuple) else obj
            raise pickle.UnpicklingError(_WEIGHTS_ONLY_MESSAGE.format(name=f"{module}.{name}"))
        if module == "torch" or module.startswith(("torch.", "torchvision")):
            return super().find_class(_jtorch_module_name(module), name)
        return super().find_class(module, name)

    def persistent_load(self, pid):
        kind = pid[0].decode("ascii") if isinstance(pid[0], bytes) else pid[0]
        if kind == "module":  # legacy format: (module class, source file, source)
            return pid[1]
        if kind != "storage":
            raise RuntimeError(f"Unknown saved id type: {pid[0]}")
        storage_type, key, location, numel = pid[1:5]
        location = location.decode("ascii") if isinstance(location, bytes) else location
        return self.read_storage(str(key), storage_type.dtype, location, numel)


def _restore_location(storage, location, map_location):
    if map_location is None:
        target = location
    elif isinstance(map_location, dict):
        target = map_location.get(location, location)
    elif isinstance(map_location, (str, _device.device)):
        target = str(map_location)
    else:
        result = map_location(storage, location)
        if result is not None and result is not storage:
            if isinstance(result, _LoadedStorage):
                return result
        target = "cpu" if result is storage else location
    target = str(target)
    if target.startswith("cuda") and not _device.accelerator_devices():
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU.")
    if target != "cpu":
        storage.root = storage.root.to(target)
    return storage


def _finish_sharing(storages):
    """A storage used by a single tensor needs no view: make that tensor its own root."""
    for storage in storages:
        if len(storage.users) == 1:
            t = storage.users[0]
            t._raw = t._array
            t._base, t._view_chain, t._gen, t._stride, t._offset = None, (), 0, None, 0


def _load_zip(zf, map_location, weights_only, mmap_path, pickle_load_args):
    names = zf.namelist()
    pkl = next((n for n in names if n.endswith("data.pkl")), None)
    if pkl is None:
        raise RuntimeError("PytorchStreamReader failed locating file data.pkl: file not found")
    prefix = pkl[: -len("data.pkl")]
    storages = {}

    def read_storage(key, dtype, location, numel):
        if key not in storages:
            record = f"{prefix}data/{key}"
            if mmap_path is not None:
                info = zf.getinfo(record)
                offset = _data_offset(zf, info)
                values = np.memmap(mmap_path, dtype=dtype.np, mode="r", offset=offset,
                                   shape=(numel,))
            else:
                data = zf.read(record)
                if len(data) != numel * dtype.itemsize:
                    raise RuntimeError(f"storage {key} holds {len(data)} bytes but the pickle "
                                       f"declares {numel} elements of {dtype}")
                values = np.frombuffer(data, dtype=dtype.np, count=numel)
            storage = _LoadedStorage(jnp.asarray(values), location)
            storages[key] = _restore_location(storage, location, map_location)
        return storages[key]

    unpickler = _Unpickler(io.BytesIO(zf.read(pkl)), weights_only, read_storage,
                           **pickle_load_args)
    result = unpickler.load()
    _finish_sharing(storages.values())
    return result


def _data_offset(zf, info):
    zf.fp.seek(info.header_offset)
    header = zf.fp.read(30)
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    return info.header_offset + 30 + name_len + extra_len


def _load_legacy(f, map_location, weights_only, pickle_load_args):
    try:
        magic = pickle.load(f)
    except Exception as exc:
        raise pickle.UnpicklingError(f"invalid load key: could not read a torch checkpoint "
                                     f"({exc})") from None
    if magic != MAGIC_NUMBER:
        raise RuntimeError("Invalid magic number; corrupt file?")
    protocol = pickle.load(f)
    if protocol != PROTOCOL_VERSION:
        raise RuntimeError(f"Invalid protocol version: {protocol}")
    pickle.load(f)  # sys_info
    # The storages follow the object pickle, and their element sizes are only named inside
    # it: a first pass over the pickle with placeholder storages learns each key's dtype,
    # then the storages are read, then the pickle is loaded for real from its real data.
    start = f.tell()
    dtypes = {}

    def note_storage(key, dtype, location, numel):
        dtypes[key] = (dtype, location, numel)
        return _PLACEHOLDER

    _Unpickler(f, weights_only, note_storage, **pickle_load_args).load()
    storages = {}
    for key in pickle.load(f):
        dtype, location, _ = dtypes[str(key)]
        (count,) = struct.unpack("<q", f.read(8))
        data = f.read(count * dtype.itemsize)
        if len(data) != count * dtype.itemsize:
            raise RuntimeError("unexpected EOF, expected more storage data; corrupt file?")
        values = jnp.asarray(np.frombuffer(data, dtype=dtype.np, count=count))
        storages[str(key)] = _restore_location(_LoadedStorage(values, location), location,
                                               map_location)
    f.seek(start)
    result = _Unpickler(f, weights_only, lambda key, *_: storages[key],
                        **pickle_load_args).load()
    _finish_sharing(storages.values())
    return result


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None,
         **pickle_load_args):
    """torch.load: read a file written by torch.save (real torch or jtorch).

    weights_only (default True, as torch >= 2.6) allows only tensors, containers, primitives,
    dtypes, devices, torch.Size and the globals added with add_safe_globals; anything else is
    refused with torch's UnpicklingError before any of it runs.
    """
    if weights_only is None:
        weights_only = os.environ.get("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "0") in ("0", "")
    pickle_load_args.pop("encoding", None)
    name = os.fspath(f) if isinstance(f, (str, os.PathLike)) else getattr(f, "name", "<stream>")
    try:
        return _load(f, map_location, weights_only, mmap, pickle_load_args)
    except (pickle.UnpicklingError, FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except RuntimeError as exc:
        raise RuntimeError(f"{exc} (while loading {name!r})") from exc
    except (EOFError, ValueError, KeyError, IndexError, TypeError, AttributeError,
            struct.error, zipfile.BadZipFile, zipfile.LargeZipFile, OverflowError,
            UnicodeDecodeError, MemoryError, OSError) as exc:
        raise pickle.UnpicklingError(f"could not load {name!r}: the file is corrupted or not a "
                                     f"torch checkpoint ({type(exc).__name__}: {exc})") from exc


def _load(f, map_location, weights_only, mmap, pickle_load_args):
    opened = None
    mmap_path = None
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        if not os.path.exists(path):
            raise FileNotFoundError(f"[Errno 2] No such file or directory: '{path}'")
        opened = f = open(path, "rb")
        mmap_path = path if mmap else None
    try:
        start = f.tell()
        if zipfile.is_zipfile(f):
            f.seek(start)
            try:
                with zipfile.ZipFile(f) as zf:
                    return _load_zip(zf, map_location, weights_only, mmap_path, pickle_load_args)
            except zipfile.BadZipFile as exc:
                raise RuntimeError(f"PytorchStreamReader failed reading zip archive: {exc}. "
                                   "The checkpoint file is likely corrupted or truncated.") \
                    from None
        f.seek(start)
        head = f.read(4)
        f.seek(start)
        if head[:2] == b"PK":
            raise RuntimeError(
                "PytorchStreamReader failed reading zip archive: failed finding central "
                "directory. This is an internal miniz error. If you are seeing this error, there "
                "is a high likelihood that your checkpoint file is corrupted. This can happen if "
                "the checkpoint was not saved properly, was transferred incorrectly, or the file "
                "was modified after saving.")
        return _load_legacy(f, map_location, weights_only, pickle_load_args)
    finally:
        if opened is not None:
            opened.close()


