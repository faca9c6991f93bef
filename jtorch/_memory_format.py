"""torch.memory_format and its constants. XLA chooses physical layouts itself, so a memory
format is accepted wherever torch takes one and changes no values; `is_contiguous` and
`stride()` keep describing torch's default (contiguous) layout."""

from __future__ import annotations


class memory_format:  # noqa: N801  (torch's name)
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")
