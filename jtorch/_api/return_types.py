"""torch.return_types: the named tuples that ops such as max(dim), sort, topk and svd return."""

from __future__ import annotations

import sys


class _StructSeq(tuple):
    """A tuple with named fields, printed as torch prints `torch.return_types.<name>`."""

    _fields: tuple = ()

    def __new__(cls, *values):
        if len(values) == 1 and len(cls._fields) != 1:
            values = tuple(values[0])
        if len(values) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__} takes a {len(cls._fields)}-"
                            f"sequence ({len(values)}-sequence given)")
        return super().__new__(cls, values)

    def __repr__(self):
        fields = ",\n".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{fields})"

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _field(i):
    return property(lambda self: self[i])


def structseq(name, fields):
    """Define `torch.return_types.<name>` with the given field names (once per name)."""
    existing = getattr(sys.modules[__name__], name, None)
    if existing is not None:
        return existing
    namespace = {"_fields": tuple(fields), "__module__": "jtorch.return_types", "__slots__": ()}
    namespace.update({f: _field(i) for i, f in enumerate(fields)})
    cls = type(name, (_StructSeq,), namespace)
    setattr(sys.modules[__name__], name, cls)
    return cls


sys.modules.setdefault("jtorch.return_types", sys.modules[__name__])  # importable, picklable
max = structseq("max", ("values", "indices"))  # noqa: A001
min = structseq("min", ("values", "indices"))  # noqa: A001
sort = structseq("sort", ("values", "indices"))
topk = structseq("topk", ("values", "indices"))
kthvalue = structseq("kthvalue", ("values", "indices"))
median = structseq("median", ("values", "indices"))
nanmedian = structseq("nanmedian", ("values", "indices"))
mode = structseq("mode", ("values", "indices"))
cummax = structseq("cummax", ("values", "indices"))
cummin = structseq("cummin", ("values", "indices"))
aminmax = structseq("aminmax", ("min", "max"))
