"""Global autograd switches: no_grad, enable_grad, set_grad_enabled, inference_mode."""

from __future__ import annotations

import functools


class _State:
    grad_enabled = True
    inference = False


state = _State()


def is_grad_enabled() -> bool:
    return state.grad_enabled


def is_inference_mode_enabled() -> bool:
    return state.inference


class _GradMode:
    """A context manager setting grad mode; also a decorator (`@no_grad()` and `@no_grad`)."""

    enabled = True
    inference = None  # None: leave inference mode as it is

    def __new__(cls, *args, **kwargs):
        self = super().__new__(cls)
        if args and callable(args[0]) and not isinstance(args[0], bool):
            self.__init__()
            return self(args[0])
        return self

    def __init__(self, *args, **kwargs):
        pass

    def _fresh(self):
        return type(self)()

    def __enter__(self):
        self._prev = (state.grad_enabled, state.inference)
        state.grad_enabled = self.enabled
        if self.inference is not None:
            state.inference = self.inference

    def __exit__(self, *exc):
        state.grad_enabled, state.inference = self._prev
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._fresh():
                return fn(*args, **kwargs)
        return wrapper


class no_grad(_GradMode):
    """torch.no_grad: ops inside record no autograd graph."""

    enabled = False


class enable_grad(_GradMode):
    """torch.enable_grad."""

    enabled = True


class inference_mode(_GradMode):
    """torch.inference_mode(mode=True): like no_grad (jtorch has no separate inference tensors)."""

    def __init__(self, mode=True, *args, **kwargs):
        self.mode = bool(mode)
        self.enabled = not self.mode if self.mode else state.grad_enabled
        self.inference = self.mode

    def _fresh(self):
        return inference_mode(self.mode)


class set_grad_enabled(_GradMode):
    """torch.set_grad_enabled(mode): takes effect at once; a context manager restores on exit."""

    def __init__(self, mode=True, *args, **kwargs):
        self.enabled = bool(mode)
        self._prev = (state.grad_enabled, state.inference)
        state.grad_enabled = self.enabled

    def __enter__(self):
        pass

    def _fresh(self):
        return set_grad_enabled(self.enabled)

    def __call__(self, fn):
        # Constructing set_grad_enabled already switched the mode; as a decorator it must not.
        state.grad_enabled, state.inference = self._prev
        return super().__call__(fn)
