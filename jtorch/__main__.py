"""`python -m jtorch script.py [args]`: run an unchanged PyTorch program on jtorch.

`import torch` / `import torchvision` (and their submodules) resolve to jtorch (see
`_aliasing.py`); the script then runs as `python script.py [args]` would run it: `sys.argv`
is `[script.py, args...]`, `__name__ == "__main__"`, `sys.path[0]` is the script's folder,
and an uncaught exception prints a traceback that starts in the user's script, exiting with
status 1. `python -m jtorch -m module [args]` and `python -m jtorch -c code [args]` work as
with `python`.
"""

from __future__ import annotations

import os
import runpy
import sys

USAGE = """usage: python -m jtorch script.py [args ...]
       python -m jtorch -m module [args ...]
       python -m jtorch -c command [args ...]

Runs a PyTorch program with `import torch` and `import torchvision` resolving to jtorch."""


def _print_from(exc, first_user_file):
    """Print `exc` as the interpreter would, its traceback starting at the user's code."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != first_user_file:
        tb = tb.tb_next
    if tb is not None:
        exc = exc.with_traceback(tb)
    sys.excepthook(type(exc), exc, exc.__traceback__)


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(USAGE, file=sys.stderr if not argv else sys.stdout)
        return 2 if not argv else 0

    if argv[0] == "-m":
        if len(argv) < 2:
            print("Argument expected for the -m option", file=sys.stderr)
            return 2
        sys.argv = [argv[1]] + argv[2:]  # runpy puts the module's file in sys.argv[0]
        sys.path[0] = os.getcwd()
        runner, target, user_file = runpy.run_module, argv[1], _module_file(argv[1])
        kwargs = {"run_name": "__main__", "alter_sys": True}
    elif argv[0] == "-c":
        if len(argv) < 2:
            print("Argument expected for the -c option", file=sys.stderr)
            return 2
        sys.argv = ["-c"] + argv[2:]
        sys.path[0] = ""
        code = compile(argv[1], "<string>", "exec")
        runner, target, user_file = _exec_main, code, "<string>"
        kwargs = {}
    else:
        path = argv[0]
        if not os.path.exists(path):
            print(f"{sys.executable}: can't open file {os.path.abspath(path)!r}: [Errno 2] No "
                  "such file or directory", file=sys.stderr)
            return 2
        sys.argv = argv
        sys.path[0] = os.path.dirname(os.path.abspath(path))
        runner, target, user_file = runpy.run_path, path, path
        kwargs = {"run_name": "__main__"}

    from jtorch._aliasing import install_as_torch
    install_as_torch()
    try:
        runner(target, **kwargs)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - reported like the interpreter does
        _print_from(exc, user_file)
        return 1
    return 0


def _module_file(name):
    """The file `-m name` will run (None if it cannot be found before aliasing is on)."""
    import importlib.util
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    return getattr(spec, "origin", None)


def _exec_main(code):
    import types
    module = types.ModuleType("__main__")
    module.__builtins__ = __builtins__
    saved = sys.modules["__main__"]
    sys.modules["__main__"] = module
    try:
        exec(code, module.__dict__)
    finally:
        sys.modules["__main__"] = saved


if __name__ == "__main__":
    sys.exit(main())
