"""Random sampling: randint, randperm, normal, bernoulli, multinomial, poisson, the `*_like`
samplers and the in-place samplers (uniform_, normal_, random_, bernoulli_, exponential_,
geometric_, log_normal_, cauchy_).

Every sampler draws one fresh key from its generator (`generator=`, or the global one that
`manual_seed` seeds), so a seed reproduces jtorch's numbers; they are not torch's numbers.
Torch's checks on the distribution parameters are made when the values are concrete (eagerly),
not on tracers under `jit`. Samples are not differentiable in torch (their gradients are
zero); the ops taking tensor parameters record torch's backward node names with zero
gradients (`stop_gradient`).
"""

from __future__ import annotations

import jax
import numpy as np

from jtorch import _dtypes
from jtorch._api._register import register
from jtorch._api.creation import (
    SCALED_NORMAL,
    UNIFORM,
    _dtype_or_default,
    _factory_out,
    _place,
    as_generator,
    not_implemented,
    parse_size,
    sample,
)
from jtorch._dispatch import Op, commit_inplace, dispatch
from jtorch._ops import creation as ops
from jtorch._ops.promote import broadcast_shapes
from jtorch._tensor import Tensor

RANDINT = Op(ops.randint, "", differentiable=False)
RANDOM_BITS = Op(ops.random_bits, "", differentiable=False)
RANDPERM = Op(ops.randperm, "", differentiable=False)
BERNOULLI = Op(ops.bernoulli, "", differentiable=False)
EXPONENTIAL = Op(ops.exponential, "", differentiable=False)
GEOMETRIC = Op(ops.geometric, "", differentiable=False)
LOG_NORMAL = Op(ops.log_normal, "", differentiable=False)
CAUCHY = Op(ops.cauchy, "", differentiable=False)
MULTINOMIAL = Op(ops.multinomial, "", differentiable=False)


def _no_gradient(fn):
    """`fn` with zero gradients: torch's samplers' derivative formulas are zeros."""
    def sampler(key, *params, **static):
        return fn(key, *(jax.lax.stop_gradient(p) for p in params), **static)
    sampler.__name__ = fn.__name__
    return sampler


# torch's backward node names: Tensor mean / Tensor std / both
NORMAL_OPS = {(True, False): Op(_no_gradient(ops.normal_tensors), "NormalBackward1"),
              (False, True): Op(_no_gradient(ops.normal_tensors), "NormalBackward2"),
              (True, True): Op(_no_gradient(ops.normal_tensors), "NormalBackward3")}
BERNOULLI_TENSOR = Op(_no_gradient(ops.bernoulli), "BernoulliBackward0")
POISSON = Op(_no_gradient(ops.poisson), "PoissonBackward0")

# torch's C++ type names in random_'s bound errors
_CPP_NAMES = {"uint8": "unsigned char", "int8": "signed char", "int16": "short", "int32": "int",
              "int64": "long int", "bool": "bool", "float16": "c10::Half",
              "bfloat16": "c10::BFloat16", "float32": "float", "float64": "double"}


def _num(value):
    """A number as torch's messages print it (C++ stream formatting: 2, 1.5, 1e+10)."""
    return f"{value:g}" if isinstance(value, float) else str(value)


def _concrete(t):
    """The values of a tensor as numpy, or None under tracing (checks are skipped there)."""
    array = t._array
    if isinstance(array, jax.core.Tracer):
        return None
    return np.asarray(array)


def _is_float(dtype):
    return dtype.is_floating_point


# ---- integers ------------------------------------------------------------------------------

def _int_range(dtype):
    """The [min, max] of integers a dtype represents exactly (floats: +-2**mantissa)."""
    if dtype is _dtypes.bool_:
        return 0, 1
    if dtype.is_floating_point:
        digits = {"float16": 11, "bfloat16": 8, "float32": 24, "float64": 53}[dtype.name]
        return -2 ** digits, 2 ** digits
    info = np.iinfo(dtype.np)
    return int(info.min), int(info.max)


def _check_random_range(low, high, dtype):
    """torch's random_ bound checks: from < to, both within the dtype."""
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={_num(low)} >= to={_num(high)}")
    lo, hi = _int_range(dtype)
    if not dtype.is_floating_point:
        if not lo <= low <= hi:
            raise RuntimeError(f"from is out of bounds for {_CPP_NAMES[dtype.name]}")
        if not lo <= high - 1 <= hi:
            raise RuntimeError(f"to - 1 is out of bounds for {_CPP_NAMES[dtype.name]}")


def _randint_sample(generator, low, high, shape, dtype):
    low, high = int(low), int(high)
    _check_random_range(low, high, dtype)
    if high - 1 > 2 ** 63 - 1:
        raise RuntimeError(f"to - 1 is out of bounds for {_CPP_NAMES['int64']}")
    return sample(RANDINT, generator, (np.int64(low), np.int64(high)), shape, dtype)


def _split_randint_args(name, args, low, high, size):
    """randint(high, size), randint(low, high, size) and keyword forms."""
    args = list(args)
    if size is None and args and isinstance(args[-1], (tuple, list)):
        size = args.pop()
    if len(args) == 2:
        low, high = args
    elif len(args) == 1:
        if high is None:
            high = args[0]
        else:
            low = args[0]
    elif args:
        raise TypeError(f"{name}() received an invalid combination of arguments")
    if high is None:
        raise TypeError(f"{name}() missing required argument 'high'")
    return (0 if low is None else low), high, size


@register(method=False)
def randint(*args, size=None, low=None, high=None, generator=None, out=None, dtype=None,
            layout=None, device=None, requires_grad=False, pin_memory=False):
    """torch.randint(low=0, high, size): integers in [low, high), int64 unless dtype given."""
    low, high, size = _split_randint_args("randint", args, low, high, size)
    if size is None:
        raise TypeError("randint() missing required argument 'size'")
    if dtype is None:
        dtype = out.dtype if out is not None else _dtypes.int64
    dtype = _dtypes.as_dtype(dtype)
    t = _randint_sample(generator, low, high, parse_size("randint", (size,)), dtype)
    return _factory_out(_place(t, device, requires_grad), out)


@register(method=False)
def randint_like(input, *args, low=None, high=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None, generator=None):
    """torch.randint_like(input, low=0, high): input's shape, dtype and device unless given."""
    low, high, _ = _split_randint_args("randint_like", args, low, high, ())
    dtype = input.dtype if dtype is None else _dtypes.as_dtype(dtype)
    t = _randint_sample(generator, low, high, tuple(input.shape), dtype)
    return _place(t, input.device if device is None else device, requires_grad)


@register(method=False)
def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None,
             requires_grad=False, pin_memory=False):
    """torch.randperm: a random permutation of 0..n-1 (int64 unless dtype given)."""
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = _dtypes.int64 if dtype is None else _dtypes.as_dtype(dtype)
    key = as_generator(generator, "randperm").next_key()
    t = dispatch(RANDPERM, (key,), n=n, dtype=dtype)
    return _factory_out(_place(t, device, requires_grad), out)


# ---- continuous samplers --------------------------------------------------------------------

@register(method=False)
def rand_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None, generator=None):
    """torch.rand_like: U[0, 1) in input's shape, dtype and device unless given."""
    dtype = input.dtype if dtype is None else _dtypes.as_dtype(dtype)
    if not dtype.is_floating_point:
        raise not_implemented("check_uniform_bounds", dtype)
    t = sample(UNIFORM, generator, (0.0, 1.0), tuple(input.shape), dtype)
    return _place(t, input.device if device is None else device, requires_grad)


@register(method=False)
def randn_like(input, *, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None, generator=None):
    """torch.randn_like: N(0, 1) in input's shape, dtype and device unless given."""
    dtype = input.dtype if dtype is None else _dtypes.as_dtype(dtype)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise not_implemented("normal_kernel_cpu", dtype)
    t = sample(SCALED_NORMAL, generator, (0.0, 1.0), tuple(input.shape), dtype)
    return _place(t, input.device if device is None else device, requires_grad)


def _check_std(std):
    if isinstance(std, Tensor):
        values = _concrete(std)
        if values is not None and values.size and not (values >= 0).all():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_num(std)}")


@register(method=False)
def normal(mean=None, std=None, size=None, *, generator=None, out=None, dtype=None,
           layout=None, device=None, requires_grad=False, pin_memory=False):
    """torch.normal: N(mean, std^2) samples. Tensor mean and/or std broadcast against each
    other (float std defaults to 1); float mean and std need `size`."""
    mean_t, std_t = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not (mean_t or std_t):
        if size is None or mean is None or std is None:
            raise TypeError(f"normal() received an invalid combination of arguments - got "
                            f"({type(mean).__name__}, {type(std).__name__}), but expected one "
                            "of: (Tensor mean, Tensor std), (Tensor mean, float std = 1), "
                            "(float mean, Tensor std), (float mean, float std, tuple of ints "
                            "size)")
        _check_std(std)
        if dtype is None and out is not None:
            dtype = out.dtype
        dtype = _dtype_or_default(dtype)
        if not (dtype.is_floating_point or dtype.is_complex):
            raise not_implemented("normal_kernel_cpu", dtype)
        t = sample(SCALED_NORMAL, generator, (float(mean), float(std)),
                   parse_size("normal", (size,)), dtype)
        return _factory_out(_place(t, device, requires_grad), out)
    if std is None:
        std = 1.0
    tensors = [x for x in (mean, std) if isinstance(x, Tensor)]
    dtype = tensors[0].dtype if len(tensors) == 1 else \
        _dtypes.promote_types(tensors[0].dtype, tensors[1].dtype)
    for t in tensors:
        if not _is_float(t.dtype):
            raise not_implemented("normal_kernel_cpu", t.dtype)
    _check_std(std)
    if mean_t and std_t:
        broadcast_shapes(tuple(mean.shape), tuple(std.shape))
    key = as_generator(generator, "normal").next_key()
    t = dispatch(NORMAL_OPS[mean_t, std_t], (key, mean, std), dtype=dtype)
    return _factory_out(t, out)


def _check_probabilities(p):
    values = _concrete(p)
    if values is not None and values.size and not ((values >= 0) & (values <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could "
                           "this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")


@register(method=False)
def bernoulli(input, p=None, *, generator=None, out=None):
    """torch.bernoulli: 1 with probability input (or the float p) per element, in input's
    dtype."""
    if p is not None and not isinstance(p, Tensor):
        return _factory_out(bernoulli_(input.detach().clone(), p, generator=generator), out)
    if not _is_float(input.dtype):
        raise not_implemented("bernoulli_tensor_cpu_p_", input.dtype)
    probs = input if p is None else p
    _check_probabilities(probs)
    key = as_generator(generator, "bernoulli").next_key()
    t = dispatch(BERNOULLI_TENSOR, (key, probs), shape=tuple(input.shape), dtype=input.dtype)
    return _factory_out(t, out)


@register(method=False)
def poisson(input, generator=None):
    """torch.poisson: Poisson(rate) samples per element of input, in input's dtype."""
    if not _is_float(input.dtype):
        raise not_implemented("poisson_cpu", input.dtype)
    values = _concrete(input)
    if values is not None and values.size and not (values >= 0).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    key = as_generator(generator, "poisson").next_key()
    return dispatch(POISSON, (key, input), dtype=input.dtype)


@register(method=False)
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """torch.multinomial: int64 category indices drawn from the rows of input (1-D or 2-D,
    unnormalised non-negative weights), with or without replacement."""
    if input.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not _is_float(input.dtype):
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: "
                           f"{_dtypes.title_name(input.dtype)}")
    num_samples = int(num_samples)
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = input.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    values = _concrete(input)
    if values is not None and values.size:
        values = values.astype(np.float64)
        if not (np.isfinite(values).all() and (values >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if not (values.sum(-1) > 0).all():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    shape = tuple(input.shape[:-1]) + (num_samples,)
    if input.numel() == 0:
        from jtorch._api.creation import zeros
        return _factory_out(zeros(shape, dtype=_dtypes.int64), out)
    key = as_generator(generator, "multinomial").next_key()
    t = dispatch(MULTINOMIAL, (key, input.detach()), num_samples=num_samples,
                 replacement=bool(replacement))
    return _factory_out(t, out)


# ---- in-place samplers ---------------------------------------------------------------------

def _replaced(self, values):
    return values


_INPLACE_NODES = {}


def _history(name):
    """The op giving an in-place sampler's result torch's backward node (zero gradient)."""
    op = _INPLACE_NODES.get(name)
    if op is None:
        op = _INPLACE_NODES[name] = Op(_replaced, name)
    return op


def _commit(self, values, node):
    if self.device.type != "cpu":
        values = values.to(self.device)
    if self.requires_grad and self.grad_fn is not None:
        values = dispatch(_history(node), (self, values))
    return commit_inplace(self, values)


def _fill(self, op, generator, params, node):
    """Overwrite self in place with samples of `op(key, *params)` in its shape; a non-leaf
    gets torch's backward node `node` (whose gradient is zero)."""
    values = sample(op, generator, params, tuple(self.shape), self.dtype)
    return _commit(self, values, node)


def _require_float(self, kernel):
    if not self.dtype.is_floating_point:
        raise not_implemented(kernel, self.dtype)


def _continuous_only(self, name, cpp_dtype_names=False):
    if not self.dtype.is_floating_point:
        spelled = _CPP_NAMES[self.dtype.name] if cpp_dtype_names else \
            _dtypes.title_name(self.dtype)
        raise RuntimeError(f"{name} distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {spelled}")


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    """Tensor.uniform_: fill with samples from U(from_, to)."""
    _require_float(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_num(from_)} > to={_num(to)}")
    return _fill(self, UNIFORM, generator, (float(from_), float(to)), "UniformBackward0")


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Tensor.normal_: fill with samples from N(mean, std^2)."""
    if not (self.dtype.is_floating_point or self.dtype.is_complex):
        raise not_implemented("normal_kernel_cpu", self.dtype)
    _check_std(std)
    return _fill(self, SCALED_NORMAL, generator, (float(mean), float(std)), "NormalBackward0")


def random_(self, *args, generator=None, **kwargs):
    """Tensor.random_(): integers in [0, 2**mantissa] (floats) or [0, max] (integers);
    random_(to): [0, to - 1]; random_(from, to): [from, to - 1]."""
    if "from" in kwargs:
        args = (kwargs.pop("from"),) + args
    if "to" in kwargs:
        args = (args[0] if args else 0, kwargs.pop("to"))
    if kwargs or len(args) > 2:
        raise TypeError("random_() received an invalid combination of arguments")
    if self.dtype.is_complex:
        raise not_implemented("random_", self.dtype)
    node = f"RandomBackward{2 - len(args)}"  # torch's three overloads
    low, high = (0, args[0]) if len(args) == 1 else (args + (0, None))[:2]
    if high is None:
        if self.dtype is _dtypes.int64 and low == 0:
            return _fill(self, RANDOM_BITS, generator, (), node)
        high = _int_range(self.dtype)[1] + 1
    _check_random_range(int(low), int(high), self.dtype)
    return _fill(self, RANDINT, generator, (np.int64(low), np.int64(min(high, 2 ** 63 - 1))),
                 node)


def bernoulli_(self, p=0.5, *, generator=None):
    """Tensor.bernoulli_: 1 with probability p (a float or a tensor broadcast to self)."""
    if isinstance(p, Tensor):
        _check_probabilities(p)
        probs = p.detach()
        if tuple(probs.shape) != tuple(self.shape):
            probs = probs.expand(self.shape)
        key = as_generator(generator, "bernoulli_").next_key()
        values = dispatch(BERNOULLI, (key, probs), shape=tuple(self.shape), dtype=self.dtype)
        return _commit(self, values, "BernoulliBackward1")
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_num(p)}")
    return _fill(self, BERNOULLI, generator, (float(p),), "BernoulliBackward2")


def exponential_(self, lambd=1.0, *, generator=None):
    """Tensor.exponential_: samples of Exp(lambd) (mean 1 / lambd)."""
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_num(lambd)}")
    _continuous_only(self, "Exponential")
    return _fill(self, EXPONENTIAL, generator, (float(lambd),), "ExponentialBackward0")


def geometric_(self, p, *, generator=None):
    """Tensor.geometric_: the number of Bernoulli(p) trials to the first success (1, 2, ...)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_num(p)}")
    return _fill(self, GEOMETRIC, generator, (float(p),), "GeometricBackward0")


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Tensor.log_normal_: exp of N(mean, std^2) samples."""
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_num(std)}")
    _require_float(self, "log_normal_cpu")
    return _fill(self, LOG_NORMAL, generator, (float(mean), float(std)), "LogNormalBackward0")


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Tensor.cauchy_: samples of the Cauchy distribution (median, sigma)."""
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_num(sigma)}")
    _continuous_only(self, "Cauchy", cpp_dtype_names=True)
    return _fill(self, CAUCHY, generator, (float(median), float(sigma)), "CauchyBackward0")


for _method in (uniform_, normal_, random_, bernoulli_, exponential_, geometric_, log_normal_,
                cauchy_):
    setattr(Tensor, _method.__name__, _method)

Tensor.bernoulli = bernoulli
Tensor.multinomial = multinomial
