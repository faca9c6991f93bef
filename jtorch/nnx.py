"""Flax NNX interop, both ways.

- `to_nnx(module)`: a jtorch `nn.Module` as a Flax NNX module. Its parameters become
  `nnx.Param`s and its buffers `nnx.BatchStat`s, so it trains inside NNX code (`nnx.jit`,
  `nnx.grad`, `nnx.Optimizer` with Optax); calling it runs the jtorch forward as a pure
  function of those variables (jax arrays in, jax arrays out).
- `from_nnx(module)`: a Flax NNX module as a jtorch `nn.Module`. Its `nnx.Param`s become jtorch
  Parameters (so `loss.backward()` and `jtorch.optim` train it); the forward is one funnel op
  whose backward is jax.vjp of the NNX call; its other state (batch statistics, RNG counters)
  lives in buffers updated after each call.
"""

from __future__ import annotations

import jax
from flax import nnx

from jtorch._dispatch import Op, dispatch
from jtorch._state import swapped_arrays
from jtorch._tensor import Tensor, from_array
from jtorch.nn.modules.module import Module
from jtorch.nn.parameter import Parameter

__all__ = ["to_nnx", "from_nnx", "TorchModule", "NNXModule"]


def _key(name):
    return name.replace(".", "__")


class _Static:
    """Holds the jtorch module as static (hashable by identity) NNX graph data."""

    def __init__(self, module):
        self.module = module


class TorchModule(nnx.Module):
    """A jtorch module inside NNX: parameters as nnx.Param, buffers as nnx.BatchStat."""

    def __init__(self, module):
        self.torch = _Static(module)
        self.params = nnx.Dict({_key(n): nnx.Param(p._array)
                                for n, p in module.named_parameters()})
        self.buffers = nnx.Dict({_key(n): nnx.BatchStat(b._array)
                                 for n, b in module.named_buffers()})

    def __call__(self, *args, **kwargs):
        """Run the jtorch forward on jax arrays (or jtorch Tensors); returns jax arrays."""
        module = self.torch.module
        params = [p for _, p in module.named_parameters()]
        buffers = [b for _, b in module.named_buffers()]
        arrays = [self.params[_key(n)].get_value() for n, _ in module.named_parameters()]
        arrays += [self.buffers[_key(n)].get_value() for n, _ in module.named_buffers()]
        wrap = lambda x: from_array(x) if isinstance(x, jax.Array) else x  # noqa: E731
        args, kwargs = jax.tree_util.tree_map(wrap, (args, kwargs))
        with swapped_arrays(params + buffers, arrays, grad_enabled=False):
            out = module(*args, **kwargs)
            for (name, _), b in zip(module.named_buffers(), buffers):
                self.buffers[_key(name)].set_value(b._raw)
        return jax.tree_util.tree_map(lambda x: x._array, out,
                                      is_leaf=lambda x: isinstance(x, Tensor))

    def sync_to_torch(self):
        """Write the NNX variables' current values back into the jtorch module's tensors."""
        module = self.torch.module
        for name, p in module.named_parameters():
            p.data = from_array(self.params[_key(name)].get_value())
        for name, b in module.named_buffers():
            b.data = from_array(self.buffers[_key(name)].get_value())
        return module


def to_nnx(module: Module) -> TorchModule:
    """Wrap a jtorch module for use from Flax NNX code."""
    return TorchModule(module)


class NNXModule(Module):
    """A Flax NNX module as a jtorch module: nnx.Params are jtorch Parameters."""

    def __init__(self, nnx_module):
        super().__init__()
        graphdef, params, rest = nnx.split(nnx_module, nnx.Param, ...)
        self.__dict__["_graphdef"] = graphdef
        self.__dict__["_param_paths"] = [path for path, _ in nnx.to_flat_state(params)]
        self.__dict__["_rest_paths"] = [path for path, _ in nnx.to_flat_state(rest)]
        self.__dict__["_rest_kinds"] = [type(v) for _, v in nnx.to_flat_state(rest)]
        for path, variable in nnx.to_flat_state(params):
            self.register_parameter(_path_name(path), Parameter(from_array(variable.get_value())))
        for path, variable in nnx.to_flat_state(rest):
            self.register_buffer(_path_name(path), from_array(variable.get_value()))
        self.__dict__["_op"] = Op(self._pure, "NNXModuleBackward",
                                  saves=tuple(range(len(self._param_paths))))

    def _pure(self, *arrays):
        n_params, n_rest = len(self._param_paths), len(self._rest_paths)
        params = nnx.from_flat_state([(p, nnx.Param(a))
                                      for p, a in zip(self._param_paths, arrays[:n_params])])
        rest = nnx.from_flat_state([(p, kind(a)) for p, kind, a in zip(
            self._rest_paths, self._rest_kinds, arrays[n_params:n_params + n_rest])])
        model = nnx.merge(self._graphdef, params, rest)
        out = model(*arrays[n_params + n_rest:])
        _, _, new_rest = nnx.split(model, nnx.Param, ...)
        return (out, *(v.get_value() for _, v in nnx.to_flat_state(new_rest)))

    def forward(self, *inputs):
        params = [self._parameters[_path_name(p)] for p in self._param_paths]
        buffers = [self._buffers[_path_name(p)] for p in self._rest_paths]
        out, *new_rest = dispatch(self._op, (*params, *buffers, *inputs))
        for b, new in zip(buffers, new_rest):
            b._raw, b._gen = new._raw, b._gen + 1
        return out


def from_nnx(module) -> NNXModule:
    """Wrap a Flax NNX module as a jtorch nn.Module."""
    return NNXModule(module)


def _path_name(path):
    return "__".join(str(p) for p in path)
