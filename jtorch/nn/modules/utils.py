"""torch.nn.modules.utils: argument expansion helpers and consume_prefix_in_state_dict_if_present.

torch's _ntuple turns a str into a tuple of characters; jtorch's (shared with the functionals)
repeats it instead, so padding='same' passes through. Nothing else differs.
"""

from __future__ import annotations

from jtorch.nn.functional._conv import _ntuple, _pair, _reverse_repeat_tuple, _single, _triple

__all__ = ["consume_prefix_in_state_dict_if_present"]

_quadruple = _ntuple(4, "_quadruple")
_EXPORTED = (_single, _pair, _triple, _reverse_repeat_tuple)


def _list_with_default(out_size, defaults):
    """Fill the None entries of an output size (adaptive pooling) from the input's sizes."""
    if isinstance(out_size, int):
        return out_size
    if len(defaults) <= len(out_size):
        raise ValueError(f"Input dimension should be at least {len(out_size) + 1}")
    return [v if v is not None else d for v, d in zip(out_size, defaults[-len(out_size):])]


def consume_prefix_in_state_dict_if_present(state_dict, prefix):
    """Strip `prefix` from the keys (and _metadata keys) of state_dict in place, e.g. "module."
    from a DataParallel model's state_dict."""
    for key in list(state_dict.keys()):
        if key.startswith(prefix):
            state_dict[key[len(prefix):]] = state_dict.pop(key)
    metadata = getattr(state_dict, "_metadata", None)
    if metadata is not None:
        for key in list(metadata.keys()):
            if len(key) == 0:
                continue
            if key == prefix.replace(".", "") or key.startswith(prefix):
                metadata[key[len(prefix):]] = metadata.pop(key)
