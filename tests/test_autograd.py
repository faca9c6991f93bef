"""Differential tests of autograd against torch: flags, grad modes, backward, autograd.grad,
custom Functions, hooks, graph structure (grad_fn names, next_functions) and in-place checks.

Each test is one program run on torch and on jtorch (see `_oracle.run_both`); gradients are
compared with rtol 1e-5, atol 1e-6 (float32), errors by type and, for the key ones, by text.
"""

import warnings

import numpy as np
import pytest
from _oracle import run_both

import jtorch


def vec(lib, values=(1.0, -2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def graph_tree(fn, leaves):
    """grad_fn's structure: (name(), type name, output_nr, children), leaves by position."""
    if fn is None:
        return None
    variable = getattr(fn, "variable", None)
    if variable is not None:
        return ("leaf", [i for i, t in enumerate(leaves) if t is variable])
    return (fn.name(), type(fn).__name__,
            tuple((graph_tree(child, leaves), nr) for child, nr in fn.next_functions))


# ---- flags -------------------------------------------------------------------------------

def test_requires_grad_and_is_leaf():
    def program(lib, rec):
        x = lib.tensor([1.0, 2.0])
        rec.fact("plain", requires_grad=x.requires_grad, is_leaf=x.is_leaf)
        rec.fact("requires_grad_", same=x.requires_grad_() is x, requires_grad=x.requires_grad)
        y = x * 2
        rec.fact("result", requires_grad=y.requires_grad, is_leaf=y.is_leaf,
                 grad_fn=y.grad_fn.name())
        rec.error("non-leaf requires_grad_(False)", lambda: y.requires_grad_(False))
        x.requires_grad = False
        z = x * 2
        rec.fact("after setter", x=x.requires_grad, z=z.requires_grad, z_leaf=z.is_leaf,
                 z_grad_fn=z.grad_fn is None)
        o = lib.ones(2, 2, requires_grad=True)
        rec.fact("factory", requires_grad=o.requires_grad, is_leaf=o.is_leaf, grad=o.grad is None)
    run_both(program)


def test_requires_grad_on_int_tensor_raises():
    def program(lib, rec):
        i = lib.tensor([1, 2])
        rec.error("requires_grad_", lambda: i.requires_grad_(), message=True)
        rec.error("setter", lambda: setattr(i, "requires_grad", True), message=True)
        rec.error("factory", lambda: lib.tensor([1, 2], requires_grad=True))
        rec.error("zeros", lambda: lib.zeros(2, dtype=lib.int64, requires_grad=True))
        i.requires_grad_(False)
        rec.fact("False is fine", requires_grad=i.requires_grad)
    run_both(program)


# ---- backward ----------------------------------------------------------------------------

def test_grad_accumulates_across_backward_calls():
    def program(lib, rec):
        x = vec(lib)
        (x * x).sum().backward()
        rec.values("first", grad=x.grad)
        (x * x).sum().backward()
        rec.values("second", grad=x.grad)
        (x.exp()).sum().backward()
        rec.values("third", grad=x.grad)
    run_both(program)


def test_backward_with_gradient():
    def program(lib, rec):
        x = vec(lib)
        y = x * x
        y.backward(gradient=lib.tensor([1.0, 0.5, -1.0]))
        rec.values("gradient=", grad=x.grad)
        m = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        lib.autograd.backward(m.sigmoid(), grad_tensors=lib.ones(2, 2) * 2)
        rec.values("autograd.backward", grad=m.grad)
        rec.error("shape mismatch", lambda: (m * 1).backward(lib.ones(3)))
    run_both(program)


def test_backward_non_scalar_without_gradient_raises():
    def program(lib, rec):
        x = vec(lib)
        rec.error("non-scalar", lambda: (x * 2).backward(), message=True)
        rec.error("no grad_fn", lambda: lib.ones(2).sum().backward(), message=True)
        rec.fact("untouched", grad=x.grad is None)
    run_both(program)


def test_backward_twice_needs_retain_graph():
    def program(lib, rec):
        x = vec(lib)
        z = x.exp().sum()
        z.backward()
        rec.error("second backward", z.backward, message=True)
        rec.values("after error", grad=x.grad)
        w = vec(lib)
        z = (w.tanh() * w).sum()
        z.backward(retain_graph=True)
        rec.values("retained once", grad=w.grad)
        z.backward(retain_graph=True)
        rec.values("retained twice", grad=w.grad)
        z.backward()
        rec.values("last", grad=w.grad)
        rec.error("freed", z.backward, message=True)
    run_both(program)


def test_backward_twice_without_saved_tensors_is_fine():
    def program(lib, rec):
        x = vec(lib)
        z = (x + 1).sum()
        z.backward()
        z.backward()
        rec.values("twice", grad=x.grad)
    run_both(program)


# ---- grad modes --------------------------------------------------------------------------

def test_no_grad_context_and_decorators():
    def program(lib, rec):
        x = vec(lib)
        with lib.no_grad():
            y = x * 2
            rec.fact("inside", enabled=lib.is_grad_enabled())
        rec.fact("context", requires_grad=y.requires_grad, grad_fn=y.grad_fn is None,
                 enabled=lib.is_grad_enabled())

        @lib.no_grad()
        def called(t):
            return t * 2, lib.is_grad_enabled()

        @lib.no_grad
        def bare(t):
            return t * 2, lib.is_grad_enabled()

        for name, fn in (("no_grad()", called), ("no_grad", bare)):
            out, enabled = fn(x)
            rec.fact(name, requires_grad=out.requires_grad, enabled=enabled,
                     after=lib.is_grad_enabled(), name=fn.__name__)
    run_both(program)


def test_enable_grad_inside_no_grad():
    def program(lib, rec):
        x = vec(lib)
        with lib.no_grad():
            with lib.enable_grad():
                y = x * 2
                rec.fact("inner", enabled=lib.is_grad_enabled())
            z = x * 2
            rec.fact("outer", enabled=lib.is_grad_enabled())

            @lib.enable_grad()
            def doubled(t):
                return t * 2

            d = doubled(x)
        rec.fact("flags", y=y.requires_grad, z=z.requires_grad, d=d.requires_grad)
        y.sum().backward()
        rec.values("grad", grad=x.grad)
    run_both(program)


def test_set_grad_enabled_call_and_context():
    def program(lib, rec):
        x = vec(lib)
        try:
            lib.set_grad_enabled(False)
            rec.fact("call", enabled=lib.is_grad_enabled(), requires_grad=(x * 2).requires_grad)
        finally:
            lib.set_grad_enabled(True)
        rec.fact("restored", enabled=lib.is_grad_enabled())
        with lib.set_grad_enabled(False):
            rec.fact("context False", enabled=lib.is_grad_enabled(),
                     requires_grad=(x * 2).requires_grad)
        with lib.no_grad(), lib.set_grad_enabled(True):
            rec.fact("context True", enabled=lib.is_grad_enabled(),
                     requires_grad=(x * 2).requires_grad)
        rec.fact("after", enabled=lib.is_grad_enabled())
    run_both(program)


def test_inference_mode():
    def program(lib, rec):
        x = vec(lib)
        with lib.inference_mode():
            y = x * 2
            rec.fact("inside", enabled=lib.is_grad_enabled(),
                     inference=lib.is_inference_mode_enabled())
            with lib.inference_mode(False):
                rec.fact("nested False", inference=lib.is_inference_mode_enabled())
        rec.fact("outside", requires_grad=y.requires_grad, grad_fn=y.grad_fn is None,
                 enabled=lib.is_grad_enabled(), inference=lib.is_inference_mode_enabled())
        rec.values("value", y=y)

        @lib.inference_mode()
        def run(t):
            return t * 3

        rec.fact("decorator", requires_grad=run(x).requires_grad)
    run_both(program)


def test_detach():
    def program(lib, rec):
        x = vec(lib)
        y = x * x
        d = y.detach()
        rec.fact("detached", requires_grad=d.requires_grad, is_leaf=d.is_leaf,
                 grad_fn=d.grad_fn is None)
        (d * x).sum().backward()
        rec.values("grad through one side", grad=x.grad, d=d)
    run_both(program)


# ---- autograd.grad -----------------------------------------------------------------------

def test_autograd_grad_first_and_second_order():
    def program(lib, rec):
        x = vec(lib)
        (g,) = lib.autograd.grad((x ** 3).sum(), x)
        rec.values("first", g=g)
        rec.fact("first", requires_grad=g.requires_grad, x_grad=x.grad is None)
        (g,) = lib.autograd.grad((x ** 3).sum(), x, create_graph=True)
        rec.fact("create_graph", requires_grad=g.requires_grad, has_fn=g.grad_fn is not None)
        (g2,) = lib.autograd.grad(g.sum(), x)
        rec.values("second", g=g, g2=g2)
        y = x.sin() * x
        (gy,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        gy.sum().backward()
        rec.values("backward of grad", gy=gy, x_grad=x.grad)
    run_both(program)


def test_autograd_grad_allow_unused_and_outputs():
    def program(lib, rec):
        x, w = vec(lib), vec(lib, (0.5, 0.5, 0.5))
        y = (x * 2).sum()
        rec.error("unused", lambda: lib.autograd.grad(y, [x, w], retain_graph=True),
                  message=True)
        gx, gw = lib.autograd.grad(y, [x, w], allow_unused=True, retain_graph=True)
        rec.values("allow_unused", gx=gx, gw=gw)
        gx, gw = lib.autograd.grad(y, [x, w], materialize_grads=True)
        rec.values("materialize", gx=gx, gw=gw)
        z = x * w
        gx, gw = lib.autograd.grad(z, (x, w), grad_outputs=lib.tensor([1.0, 2.0, 3.0]))
        rec.values("grad_outputs", gx=gx, gw=gw)
        rec.error("no grad", lambda: lib.autograd.grad((x * 2).sum(), lib.ones(3)))
        rec.fact("not accumulated", x=x.grad is None, w=w.grad is None)
    run_both(program)


def test_autograd_grad_of_non_leaf_input():
    def program(lib, rec):
        x = vec(lib)
        h = x * 2
        y = (h * h).sum() + h.exp().sum()
        (gh,) = lib.autograd.grad(y, h, retain_graph=True)
        rec.values("wrt non-leaf", gh=gh)
        gh, gx = lib.autograd.grad(y, (h, x))
        rec.values("both", gh=gh, gx=gx)
        rec.fact("not accumulated", x=x.grad is None)
    run_both(program)


# ---- custom Functions --------------------------------------------------------------------

def make_functions(lib, seen):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, i):
            result = i.exp()
            ctx.save_for_backward(result)
            return result

        @staticmethod
        def backward(ctx, grad_output):
            (result,) = ctx.saved_tensors
            return grad_output * result

    class Linear(lib.autograd.Function):
        @staticmethod
        def forward(ctx, input, weight, bias=None):
            ctx.save_for_backward(input, weight, bias)
            output = input.mm(weight.t())
            if bias is not None:
                output += bias.unsqueeze(0).expand_as(output)
            return output

        @staticmethod
        def backward(ctx, grad_output):
            input, weight, bias = ctx.saved_tensors
            seen.append(tuple(ctx.needs_input_grad))
            grad_input = grad_weight = grad_bias = None
            if ctx.needs_input_grad[0]:
                grad_input = grad_output.mm(weight)
            if ctx.needs_input_grad[1]:
                grad_weight = grad_output.t().mm(input)
            if bias is not None and ctx.needs_input_grad[2]:
                grad_bias = grad_output.sum(0)
            return grad_input, grad_weight, grad_bias

    return Exp, Linear


def test_custom_exp_function():
    def program(lib, rec):
        Exp, _ = make_functions(lib, [])
        x = vec(lib)
        y = Exp.apply(x)
        rec.fact("node", name=y.grad_fn.name(), type=type(y.grad_fn).__name__,
                 tree=graph_tree(y.grad_fn, [x]), requires_grad=y.requires_grad)
        (y * y).sum().backward()
        rec.values("grad", y=y, grad=x.grad)
        with lib.no_grad():
            z = Exp.apply(x)
        rec.fact("no_grad", requires_grad=z.requires_grad, grad_fn=z.grad_fn is None)
    run_both(program)


def test_custom_linear_function_needs_input_grad():
    def program(lib, rec):
        seen = []
        _, Linear = make_functions(lib, seen)
        inp = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 2.0]])
        weight = lib.tensor([[0.1, 0.2, 0.3], [-0.3, 0.2, 0.1]], requires_grad=True)
        bias = lib.tensor([0.5, -0.5], requires_grad=True)
        out = Linear.apply(inp, weight, bias)
        rec.fact("node", name=out.grad_fn.name(), tree=graph_tree(out.grad_fn, [weight, bias]))
        out.pow(2).sum().backward()
        rec.values("grads", out=out, weight=weight.grad, bias=bias.grad)
        inp.requires_grad_()
        Linear.apply(inp, weight).sum().backward()
        rec.values("input grad", inp=inp.grad, weight=weight.grad)
        rec.fact("needs_input_grad", seen=seen)
    run_both(program)


def test_custom_function_saved_tensor_modified_raises():
    def program(lib, rec):
        Exp, _ = make_functions(lib, [])
        x = vec(lib)
        y = Exp.apply(x)
        y.mul_(2)
        rec.error("saved output modified", y.sum().backward)
    run_both(program)


# ---- hooks and retain_grad ---------------------------------------------------------------

def test_tensor_hooks_on_leaf_and_non_leaf():
    def program(lib, rec):
        x = vec(lib)
        seen = []
        handle = x.register_hook(lambda g: g * 2)
        h = x * 3
        h.register_hook(lambda g: seen.append(g.clone()))
        h_handle = h.register_hook(lambda g: g + 1)
        (h * h).sum().backward(retain_graph=True)
        rec.values("hooked", grad=x.grad, seen=seen[0])
        handle.remove()
        h_handle.remove()
        x.grad = None
        (h * h).sum().backward()
        rec.values("removed", grad=x.grad, seen=seen[1])
        rec.fact("calls", n=len(seen))
        rec.error("no grad", lambda: lib.ones(2).register_hook(lambda g: g))
    run_both(program)


def test_retain_grad():
    def program(lib, rec):
        x = vec(lib)
        h = x * 2
        h.retain_grad()
        k = h.exp()
        y = (k * h).sum()
        y.backward()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch warns on .grad of a non-leaf
            rec.values("grads", x=x.grad, h=h.grad, k=k.grad)
        rec.fact("flags", h=h.retains_grad, k=k.retains_grad, x=x.retains_grad)
        x.retain_grad()
        rec.fact("leaf retain_grad is a no-op", x=x.retains_grad)
    run_both(program)


# ---- graph structure: grad_fn names and next_functions -----------------------------------

GRAD_FN_CASES = {
    "add": lambda lib, x, v, m: x + v,
    "add scalar": lambda lib, x, v, m: x + 1,
    "add alpha": lambda lib, x, v, m: lib.add(x, v, alpha=2),
    "sub": lambda lib, x, v, m: x - v,
    "rsub": lambda lib, x, v, m: 1 - x,
    "mul": lambda lib, x, v, m: x * v,
    "mul scalar": lambda lib, x, v, m: x * 2,
    "rmul scalar": lambda lib, x, v, m: 2 * x,
    "radd scalar": lambda lib, x, v, m: 1 + x,
    "div": lambda lib, x, v, m: x / v,
    "div scalar": lambda lib, x, v, m: x / 2,
    "neg": lambda lib, x, v, m: -x,
    "pow scalar": lambda lib, x, v, m: x ** 2,
    "pow tensor": lambda lib, x, v, m: v ** x,
    "pow base": lambda lib, x, v, m: 2 ** x,
    "matmul 1D": lambda lib, x, v, m: x @ v,
    "matmul 2D 1D": lambda lib, x, v, m: m @ v,
    "matmul 2D": lambda lib, x, v, m: m @ m.t(),
    "mm": lambda lib, x, v, m: lib.mm(m.t(), m),
    "sum": lambda lib, x, v, m: m.sum(),
    "sum dim": lambda lib, x, v, m: m.sum(1),
    "sum keepdim": lambda lib, x, v, m: m.sum(0, keepdim=True),
    "mean": lambda lib, x, v, m: m.mean(),
    "mean dim": lambda lib, x, v, m: m.mean(dim=0),
    "max": lambda lib, x, v, m: m.max(),
    "max dim": lambda lib, x, v, m: m.max(1)[0],
    "min dim values": lambda lib, x, v, m: m.min(dim=0).values,
    "relu": lambda lib, x, v, m: x.relu(),
    "sigmoid": lambda lib, x, v, m: lib.sigmoid(x),
    "tanh": lambda lib, x, v, m: x.tanh(),
    "exp": lambda lib, x, v, m: x.exp(),
    "softmax": lambda lib, x, v, m: m.softmax(1),
    "log_softmax": lambda lib, x, v, m: lib.log_softmax(m, dim=0),
    "cat": lambda lib, x, v, m: lib.cat([x, v, x]),
    "stack": lambda lib, x, v, m: lib.stack([x, v], dim=1),
    "select": lambda lib, x, v, m: m[1],
    "slice": lambda lib, x, v, m: m[:, 1:],
    "advanced index": lambda lib, x, v, m: x[[0, 2, 2]],
    "mask index": lambda lib, x, v, m: m[m > 0],
    "view": lambda lib, x, v, m: m.view(3, 2),
    "reshape view": lambda lib, x, v, m: m.reshape(-1),
    "reshape copy": lambda lib, x, v, m: m.t().reshape(-1),
    "t": lambda lib, x, v, m: m.t(),
    "transpose": lambda lib, x, v, m: m.transpose(0, 1),
    "permute": lambda lib, x, v, m: m.unsqueeze(0).permute(2, 0, 1),
    "expand": lambda lib, x, v, m: x.expand(2, 3),
    "squeeze": lambda lib, x, v, m: x.view(1, 3, 1).squeeze(),
    "squeeze dim": lambda lib, x, v, m: x.view(1, 3).squeeze(0),
    "unsqueeze": lambda lib, x, v, m: x.unsqueeze(1),
    "clamp": lambda lib, x, v, m: x.clamp(-1, 1),
    "clamp tensor": lambda lib, x, v, m: x.clamp(min=v),
    "where": lambda lib, x, v, m: lib.where(x > 0, x, v),
    "gather": lambda lib, x, v, m: m.gather(1, lib.tensor([[0, 2], [1, 1]])),
    "clone": lambda lib, x, v, m: x.clone(),
    "float cast": lambda lib, x, v, m: x.double().float(),
    "chain": lambda lib, x, v, m: ((m @ v).relu() * x[:2]).sum(),
}



def _grad_fn_case(case):
    def program(lib, rec):
        x = vec(lib)
        v = vec(lib, (0.5, 2.0, -1.5))
        m = lib.tensor([[1.0, -2.0, 3.0], [0.25, 4.0, -1.0]], requires_grad=True)
        out = GRAD_FN_CASES[case](lib, x, v, m)
        rec.fact("node", name=out.grad_fn.name(), type=type(out.grad_fn).__name__,
                 tree=graph_tree(out.grad_fn, [x, v, m]))
        weights = lib.arange(out.numel(), dtype=lib.float32).reshape(out.shape) / 4 - 0.5
        (out * weights).sum().backward()
        rec.values("forward", out=out)
        rec.values("grads", x=x.grad, v=v.grad, m=m.grad)
    return program


@pytest.mark.parametrize("case", GRAD_FN_CASES)
def test_grad_fn_names_and_next_functions(case):
    run_both(_grad_fn_case(case))


def test_grad_fn_reflected_div():
    def program(lib, rec):
        x = vec(lib)
        out = 2 / x
        rec.fact("node", name=out.grad_fn.name(), tree=graph_tree(out.grad_fn, [x]))
    run_both(program)


def test_grad_fn_clamp_one_sided():
    def program(lib, rec):
        x = vec(lib)
        for out in (x.clamp(min=0), x.clamp(max=0)):
            rec.fact("node", name=out.grad_fn.name(), tree=graph_tree(out.grad_fn, [x]))
            out.sum().backward()
        rec.values("grad", grad=x.grad)
    run_both(program)


def test_next_functions_of_non_grad_inputs_and_writes_through_views():
    def program(lib, rec):
        x = vec(lib)
        c = lib.tensor([1.0, 1.0, 1.0])
        out = x * c + c
        rec.fact("constants", tree=graph_tree(out.grad_fn, [x]))
        y = x * 2
        y[1:].mul_(3)
        rec.fact("through view", name=y.grad_fn.name(), type=type(y.grad_fn).__name__)
        y.sum().backward()
        rec.values("grad", grad=x.grad)
        acc = (x * 1).grad_fn.next_functions[0][0]
        rec.fact("AccumulateGrad", name=acc.name(), type=type(acc).__name__,
                 variable=acc.variable is x)
    run_both(program)


# ---- in-place checks ---------------------------------------------------------------------

def test_inplace_on_leaf_requiring_grad_raises():
    def program(lib, rec):
        x = vec(lib)
        rec.error("add_", lambda: x.add_(1), message=True)
        rec.error("setitem", lambda: x.__setitem__(0, 5.0))
        rec.error("zero_", x.zero_, message=True)
        rec.error("+=", lambda: x.__iadd__(1), message=True)
        rec.tensors("unchanged", x=x)
        with lib.no_grad():
            x.add_(1)
            x[0] = 5.0
        rec.tensors("under no_grad", x=x)
        x.data.mul_(2)
        rec.tensors("through data", x=x)
    run_both(program)


def test_setitem_on_leaf_requiring_grad_message():
    def program(lib, rec):
        x = vec(lib)
        rec.error("setitem", lambda: x.__setitem__(0, 5.0), message=True)
        rec.error("slice setitem", lambda: x.__setitem__(slice(1, None), 5.0), message=True)
    run_both(program)


def test_inplace_on_view_of_leaf_raises():
    def program(lib, rec):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        rec.error("row add_", lambda: x[0].add_(1), message=True)
        rec.error("view mul_", lambda: x.view(-1).mul_(2), message=True)
        rec.error("t setitem", lambda: x.t().__setitem__((0, 1), 0.0), message=True)
        d = x.detach()
        d[0].add_(1)
        rec.tensors("detached view is fine", x=x, d=d)
    run_both(program)


def test_inplace_on_multi_output_views_raises():
    def program(lib, rec):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * 1
        a, b = y.unbind(0)
        rec.error("unbind piece", lambda: a.mul_(2), message=True)
        rec.error("view of a piece", lambda: a[0].mul_(2), message=True)
        a.detach().mul_(2)
        rec.values("through detach", y=y, a=a)
        rec.error("chunk", lambda: y.chunk(2)[1].add_(1), message=True)
        rec.error("split sizes", lambda: y.split([1, 1])[1].add_(1), message=True)
        pieces = y.split(2)
        y.add_(1)
        rec.error("stale piece", lambda: pieces[0].add_(1), message=True)
        with lib.no_grad():
            a, b = y.unbind(0)
            a.mul_(2)
        rec.values("under no_grad", y=y, a=a)
        rec.error("made under no_grad", lambda: b.add_(1), message=True)
        z = lib.ones(2, 2)
        p, q = z.unbind(0)
        p.mul_(2)
        rec.values("nothing requires grad", z=z)
        rec.error("with a requires-grad operand", lambda: q.mul_(x[0]), message=True)
    run_both(program)


def test_inplace_on_views_made_under_no_grad_raises():
    def program(lib, rec):
        x = vec(lib)
        y = x * 2
        z = lib.zeros(3)
        with lib.no_grad():
            vx, vy, vz = x[1:], y[:2], z[::2]
        rec.error("of a leaf", lambda: vx.add_(1), message=True)
        rec.error("of a non-leaf", lambda: vy.add_(1), message=True)
        vz.add_(1)
        rec.values("nothing requires grad", z=z)
        rec.error("with a requires-grad operand", lambda: vz.add_(x[:2]), message=True)
        with lib.no_grad():
            vy.mul_(10)
            vx.mul_(10)
        rec.values("inside no_grad", x=x, y=y)
    run_both(program)


SAVED_CASES = {
    "sigmoid output": lambda lib, x: (lambda y: (y, y))(x.sigmoid()),
    "exp output": lambda lib, x: (lambda y: (y, y))(x.exp()),
    "tanh output": lambda lib, x: (lambda y: (y, y))(x.tanh()),
    "mul input": lambda lib, x: (lambda a: (a * x, a))(x.clone()),
    "pow input": lambda lib, x: (lambda a: (a ** 2, a))(x * 1),
}


@pytest.mark.parametrize("case", list(SAVED_CASES))
def test_modified_saved_tensor_raises_on_backward(case):
    def program(lib, rec):
        x = vec(lib)
        out, saved = SAVED_CASES[case](lib, x)
        saved.add_(1)
        rec.tensors("modified", saved=saved)
        rec.error("backward", out.sum().backward, message=True)
    run_both(program)


def test_modified_saved_leaf_raises_on_backward():
    def program(lib, rec):
        x, w = vec(lib), vec(lib, (2.0, 2.0, 2.0))
        out = x * w
        with lib.no_grad():
            w.add_(1)
        rec.error("backward", out.sum().backward, message=True)
    run_both(program)


def test_modified_input_of_add_is_fine():
    def program(lib, rec):
        x, w = vec(lib), vec(lib, (2.0, 2.0, 2.0))
        a = x.clone()
        out = a + w
        a.add_(1)
        out.sum().backward()
        rec.values("grads", x=x.grad, w=w.grad, a=a)
    run_both(program)


def test_inplace_on_non_leaf_gives_correct_gradients():
    def program(lib, rec):
        x = vec(lib)
        y = x * 2
        y.add_(1)
        rec.fact("add_", name=y.grad_fn.name(), version=y._version)
        y[0] = 0
        y.sum().backward()
        rec.values("x * 2; add_; y[0] = 0", y=y, grad=x.grad)

        x.grad = None
        y = x.clone()
        y[1:] *= 3
        (y * y).sum().backward()
        rec.values("clone; y[1:] *= 3", y=y, grad=x.grad)

        x.grad = None
        y = x * 1
        y.sigmoid_()
        (y * x).sum().backward()
        rec.values("sigmoid_; then used", y=y, grad=x.grad)

        x.grad, w = None, vec(lib, (0.5, 1.5, 2.5))
        m = x.unsqueeze(0) * lib.ones(2, 1)
        m[:, 1].mul_(w[:2])
        m.t()[2].add_(w[1:])
        (m * m).sum().backward()
        rec.values("writes through views", m=m, x=x.grad, w=w.grad)
    run_both(program)


def test_inplace_op_saves_original_self_not_other_arguments():
    def program(lib, rec):
        x, w = vec(lib), vec(lib, (2.0, 3.0, 4.0))
        for name, update in (("mul_", lambda a: a.mul_(w)), ("pow_", lambda a: a.pow_(2)),
                             ("div_", lambda a: a.div_(w)), ("sin_", lambda a: a.sin_())):
            x.grad = w.grad = None
            a = x * 1
            update(a)
            a.add_(1)
            a.sum().backward()
            rec.values(f"{name} then add_", a=a, x=x.grad, w=w.grad)
        a = x * 1
        a.mul_(a)
        rec.error("mul_ by itself", a.sum().backward, message=True)
        a, b = x * 1, w * 1
        a.mul_(b)
        b.add_(1)
        rec.error("other argument modified", a.sum().backward, message=True)
    run_both(program)


def test_inplace_on_saved_output_of_inplace_op_raises():
    def program(lib, rec):
        x = vec(lib)
        y = x * 1
        y.exp_()
        y.mul_(2)
        rec.error("backward", y.sum().backward, message=True)
    run_both(program)


def test_numpy_on_requires_grad_raises():
    def program(lib, rec):
        x = vec(lib)
        rec.error("leaf", x.numpy, message=True)
        rec.error("non-leaf", (x * 2).numpy, message=True)
        rec.values("detach", d=x.detach())
        rec.fact("detach numpy", values=x.detach().numpy().tolist())
    run_both(program)


# ---- seed programs -----------------------------------------------------------------------

def test_seed_001_autograd_section():
    def program(lib, rec):
        x = lib.ones(2, 2, requires_grad=True)
        y = x + 2
        z = y * y * 3
        out = z.mean()
        rec.fact("grad_fns", y=y.grad_fn.name(), z=z.grad_fn.name(), out=out.grad_fn.name())
        out.backward()
        rec.values("x.grad", grad=x.grad, out=out)
        a = lib.randn(2, 2)
        a.requires_grad_(True)
        rec.fact("requires_grad_", a=a.requires_grad)
        x.grad.data.zero_()
        rec.values("zeroed", grad=x.grad)
    run_both(program)


def test_seed_002_gradient_calculation():
    def program(lib, rec):
        x = lib.tensor([[1.0, 0.0], [-1.0, 1.0]], requires_grad=True)
        z = x.pow(2).sum()
        z.backward()
        rec.values("x.grad", grad=x.grad, z=z)
    run_both(program)


def test_manual_sgd_loop_matches_torch():
    import torch

    gen = torch.Generator().manual_seed(0)
    init = {name: torch.randn(*shape, generator=gen).numpy()
            for name, shape in (("w1", (4, 8)), ("b1", (8,)), ("w2", (8, 2)), ("b2", (2,)),
                                ("x", (5, 4)), ("target", (5, 2)))}
    learning_rate = 0.1

    def program(lib, rec):
        params = [lib.tensor(init[n], requires_grad=True) for n in ("w1", "b1", "w2", "b2")]
        w1, b1, w2, b2 = params
        x, target = lib.tensor(init["x"]), lib.tensor(init["target"])
        for step in range(3):
            for f in params:  # net.zero_grad()
                if f.grad is not None:
                    f.grad.zero_()
            out = (x.matmul(w1) + b1).relu().matmul(w2) + b2
            loss = ((out - target) ** 2).mean()
            loss.backward()
            for f in params:
                f.data.sub_(f.grad.data * learning_rate)
            rec.values(f"step {step}", loss=loss, w1=w1, b1=b1, w2=w2, b2=b2,
                       g1=w1.grad, g2=w2.grad)
        rec.fact("leaves", flags=[(f.is_leaf, f.requires_grad, f._version) for f in params])
    run_both(program)


def test_jtorch_is_not_torch():
    """The harness compares two different libraries (a guard against a mis-wired oracle)."""
    import torch
    assert jtorch is not torch and not isinstance(jtorch.ones(1), torch.Tensor)
    assert np.allclose(jtorch.ones(2).numpy(), torch.ones(2).numpy())
