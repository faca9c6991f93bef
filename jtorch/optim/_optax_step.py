"""How jtorch's optimizers step: an Optax update rule over a whole param group, as ONE funnel Op.

A `TransformOptimizer` subclass states, per param group:
- `_hyperparameters(group)`: the numeric options (lr, betas, eps, ...). They stay Python numbers
  in `param_groups`, as in torch, and enter the Op as traced scalars, so a scheduler changing
  `lr` reuses the compiled program;
- `_options(group)`: the structural choices torch branches on in Python (`nesterov`,
  `amsgrad`, `weight_decay != 0`, ...), static for the trace;
- `_init_state(param, group)`: torch's lazy state initialization (its `_init_group`);
- `_transform(hp, state, **options)`: the Optax GradientTransformation of one parameter whose
  update is torch's rule, and `_state_fields`: which Optax state field holds each torch state
  entry (`exp_avg` <-> `mu`; None for a torch step counter Optax has no field for).

`step()` runs `_GROUP_STEP` on the flat lists (hyper-parameters, params, grads, state arrays):
per parameter it builds the Optax state from torch's tensors (`optax.tree_utils.tree_set`),
runs `update`, applies the updates and reads the new state back (`tree_get`). The parameters
and state tensors are then written in place (`commit_inplace`), so every holder of a Parameter,
its views, and anyone holding `optimizer.state[p]['exp_avg']` see the new values.

torch's `foreach`, `fused` and `capturable` flags are kept in the groups and have no effect
(every step is already one fused program); `differentiable=True` raises NotImplementedError.

The chain is built inside the traced function from the traced hyper-parameters, which is what
`optax.inject_hyperparams` does; we don't call `inject_hyperparams` itself because it casts
float hyper-parameters to the parameters' dtype, and torch forms `1 - beta2` etc. in double
precision before the cast: a float32 beta2 = 0.999 would shift (1 - beta2) by 1.3e-5.
The per-parameter loop runs at trace time only: a step is one cached XLA call per group.
XLA compiles that program once per group structure (parameter shapes, which state exists,
the static options): on a CPU about 0.1 s per parameter tensor for Adam, paid at the first
step (SGD with momentum compiles twice: its first step has no momentum buffers yet).
"""

from __future__ import annotations

import optax
from optax import tree_utils as otu

from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._grad_mode import no_grad
from jtorch.optim.optimizer import Optimizer, run_closure


def _apply_transform(tx, fields, param, grad, state):
    """One parameter: torch state -> Optax state, `tx.update`, new param and torch state."""
    opt_state = tx.init(param)
    loaded = {}
    for key, field in fields:
        value = state[key]
        if field is not None and value is not None:
            loaded[field] = value.astype(otu.tree_get(opt_state, field).dtype)
    if loaded:
        opt_state = otu.tree_set(opt_state, **loaded)
    updates, opt_state = tx.update(grad, opt_state, param)
    new_state = []
    for key, field in fields:
        old = state[key]
        new = old + 1 if field is None else otu.tree_get(opt_state, field)
        new_state.append(new.astype(param.dtype if old is None else old.dtype))
    return optax.apply_updates(param, updates), new_state


def _group_step(*arrays, transform, fields, names, n, options):
    """The pure function of `_GROUP_STEP`: arrays are (hyper-parameters named `names`, n params,
    n grads, n x len(fields) torch state arrays or None); returns new params, then new state."""
    hp = dict(zip(names, arrays[:len(names)]))
    arrays = arrays[len(names):]
    params, grads, flat_state = arrays[:n], arrays[n:2 * n], arrays[2 * n:]
    k = len(fields)
    options = dict(options)
    new_params, new_state = [], []
    for i, (param, grad) in enumerate(zip(params, grads)):
        state = {key: flat_state[i * k + j] for j, (key, _) in enumerate(fields)}
        tx = transform(hp, state, **options)
        new_param, state_out = _apply_transform(tx, fields, param, grad, state)
        new_params.append(new_param)
        new_state.extend(state_out)
    return (*new_params, *new_state)


_GROUP_STEP = Op(_group_step, "OptimizerStep", differentiable=False)


def _traced_scalar(value):
    """A hyper-parameter as the Op receives it: Python numbers as floats (ints and floats then
    share one trace), tensors and arrays (a tensor lr; jtorch.compile's lifted lr) as they are."""
    return float(value) if isinstance(value, (int, float)) else value


class TransformOptimizer(Optimizer):
    """An Optimizer whose step is an Optax transformation run as one funnel Op per group."""

    _state_fields = {}
    _tensor_step = True

    def _state_keys(self, group):
        return tuple(self._state_fields)

    def _hyperparameters(self, group):
        raise NotImplementedError

    def _options(self, group):
        return {}

    def _init_state(self, param, group):
        return {}

    @staticmethod
    def _transform(hp, state, **options):
        raise NotImplementedError

    def _lazy_state(self, param, group):
        state = self.state[param]
        if len(state) == 0:
            state.update(self._init_state(param, group))
        return state

    def step(self, closure=None):
        """Perform a single optimization step; `closure` re-evaluates the loss."""
        loss = run_closure(closure)
        with no_grad():
            for group in self.param_groups:
                self._step_group(group)
        return loss

    def _step_group(self, group):
        if group.get("differentiable"):
            raise NotImplementedError(f"{type(self).__name__}(differentiable=True): autograd "
                                      "through optimizer.step() is not supported by jtorch")
        params = [p for p in group["params"] if p.grad is not None]
        if not params:
            return
        keys = self._state_keys(group)
        # torch leaves `state` untouched when there is none (SGD without momentum)
        states = [self._lazy_state(p, group) for p in params] if keys else []
        hp = self._hyperparameters(group)
        args = (*(_traced_scalar(v) for v in hp.values()), *params, *(p.grad for p in params),
                *(state.get(key) for state in states for key in keys))
        out = dispatch(_GROUP_STEP, args, transform=type(self)._transform,
                       fields=tuple((key, self._state_fields[key]) for key in keys),
                       names=tuple(hp), n=len(params),
                       options=tuple(sorted(self._options(group).items())))
        for p, new in zip(params, out):
            commit_inplace(p, new)
        new_state = iter(out[len(params):])
        for state in states:
            for key in keys:
                new = next(new_state)
                if state.get(key) is None:
                    state[key] = new
                else:
                    commit_inplace(state[key], new)
