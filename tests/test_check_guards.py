"""The protections in course_utils.checks that every exercise test builds on.

Each test here plays a learner's mistake against one protection: an answer that changes
its input in place, returns the wrong type, calls a builtin the exercise forbids, leaks
global state, or is attempted but called "not attempted".
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import checks
from course_utils.checks import (
    Exercise,
    ForbiddenCall,
    Wrong,
    assert_tensor_close,
    call,
    expect_array,
    expect_defaults,
    expect_int,
    expect_number,
    expect_tensor,
    forbid,
    forward_backward,
    is_stub,
    random_shapes,
    randomize_module,
)


def _run(test, answer):
    """The verdict of an unregistered exercise whose test is ``test``."""
    return checks._run(Exercise("99.9", "a test exercise", "the general hint", test), answer)


# ---------------------------------------------------------------- stubs and verdicts


def stub_plain(x):
    # Your code here
    ...


def stub_docstring(x, y):
    """Return the sum."""
    pass


def stub_placeholders(x):
    y_hat = ...  # noqa: F841 (your code)
    return ...


def stub_not_implemented(x):
    raise NotImplementedError("write me")


def attempted_without_return(x):
    y = x * 2  # noqa: F841 (the learner forgot to return it)


def attempted_with_ellipsis_index(x):
    return x[..., 0]


def attempted_constant(x):
    return 3


class StubBlock(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(2, 2)

    def forward(self, x):
        # Your code here
        ...


class DoneBlock(StubBlock):
    def forward(self, x):
        return self.linear(x)


@pytest.mark.parametrize("answer", [
    None, ..., (..., ..., ...), [None, None], stub_plain, stub_docstring, stub_placeholders,
    stub_not_implemented, StubBlock, lambda x: None,
])
def test_untouched_stubs_are_recognised(answer):
    assert is_stub(answer)


@pytest.mark.parametrize("answer", [
    0.0, "b", (1.0, ..., ...), attempted_without_return, attempted_with_ellipsis_index,
    attempted_constant, DoneBlock, lambda x: x, lambda x: 3, np.zeros(3), torch.zeros(3),
])
def test_attempted_answers_are_not_stubs(answer):
    assert not is_stub(answer)


def test_a_stub_is_not_attempted_and_its_test_never_runs():
    ran = []
    result = _run(lambda answer: ran.append(answer), stub_plain)
    assert result.status == "not attempted" and not ran


def test_an_attempt_that_forgets_return_is_not_quite():
    def test(answer):
        call(answer, torch.ones(3))

    result = _run(test, attempted_without_return)
    assert result.status == "not quite"
    assert "returned None" in result.message and "return" in result.hint


def test_not_attempted_raised_by_a_test_becomes_not_quite_for_an_attempt():
    def test(answer):
        if answer(1) is None:
            raise checks.NotAttempted("Your function returns None.")

    assert _run(test, attempted_without_return).status == "not quite"


def test_not_implemented_left_in_an_attempt_is_not_quite():
    def half_done(x):
        y = x + 1
        if y > 0:
            raise NotImplementedError
        return y

    result = _run(lambda answer: answer(1), half_done)
    assert result.status == "not quite" and "NotImplementedError" in result.message


def test_errors_exits_and_unprintable_errors_become_verdicts():
    class Unprintable(Exception):
        def __str__(self):
            raise RuntimeError("no")

    def exits(x):
        raise SystemExit(3)

    def unprintable(x):
        raise Unprintable

    assert _run(lambda answer: answer(1), exits).status == "error"
    result = _run(lambda answer: answer(1), unprintable)
    assert result.status == "error" and "Unprintable" in result.message


def test_check_with_a_non_string_id_is_an_unknown_exercise(capsys):
    assert checks.check(["00.1"], stub_plain).status == "unknown exercise"
    assert checks.check(1.1, stub_plain).status == "unknown exercise"


# ---------------------------------------------------------------- global state


def test_tests_run_with_fixed_seeds_and_leave_the_notebook_state_alone():
    draws = []

    def noisy(x):
        torch.set_default_dtype(torch.float64)
        torch.set_grad_enabled(False)
        np.random.seed(99)  # noqa: NPY002 (a learner's code may use the legacy global RNG)
        return torch.rand(2)

    def test(answer):
        draws.append(answer(None))

    torch.manual_seed(1)
    state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()  # noqa: NPY002
    _run(test, noisy)
    assert torch.equal(torch.get_rng_state(), state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)  # noqa: NPY002
    assert torch.get_default_dtype() == torch.float32 and torch.is_grad_enabled()
    torch.manual_seed(12345)  # another notebook state: the verdict's random numbers do not change
    _run(test, noisy)
    assert torch.equal(draws[0], draws[1])


# ---------------------------------------------------------------- call: in-place changes, signature, None


def test_call_passes_the_real_inputs_and_catches_in_place_changes():
    def centre_in_place(x):
        x -= x.mean()
        return x

    with pytest.raises(Wrong, match=r"changed its input 'x' in place"):
        call(centre_in_place, torch.randn(4, 3))
    # The same mistake on a row of a dataset (a view) is caught too, and the base really changed.
    data = torch.randn(5, 3)
    original = data.clone()
    with pytest.raises(Wrong, match="in place"):
        call(centre_in_place, data[2])
    assert not torch.equal(data, original)
    assert torch.allclose(call(lambda x: x - x.mean(), torch.ones(3)), torch.zeros(3))


@pytest.mark.parametrize("mutate, value", [
    (lambda a: a.sort() or a, np.array([3.0, 1.0, 2.0])),            # NumPy in place
    (lambda a: a.append(4) or a, [1, 2, 3]),                          # a list
    (lambda d: d.update(k=2) or d, {"k": 1}),                         # a dict
    (lambda t: [t[0].zero_(), 1][1], (torch.ones(2), torch.ones(2))),  # inside a tuple
    (lambda m: [m.weight.data.zero_(), 1][1], nn.Linear(2, 2)),  # a module's weights
])
def test_call_catches_in_place_changes_of_every_container(mutate, value):
    with pytest.raises(Wrong, match="in place"):
        call(mutate, value)


def test_call_names_the_argument_and_checks_the_signature():
    def f(grad_output, z, slope=0.01):
        z[0] = 1.0
        return z

    with pytest.raises(Wrong, match="'z'"):
        call(f, torch.ones(2), torch.zeros(2))
    with pytest.raises(Wrong, match=r"calls g\(<tensor \(2,\)>, slope=0.2\).*g\(x\)") as info:
        call(lambda x: x, torch.ones(2), slope=0.2, name="g")
    assert "signature" in info.value.hint
    with pytest.raises(Wrong, match="returned None"):
        call(lambda x: None, 1)
    with pytest.raises(Wrong, match="placeholder"):
        call(lambda x: ..., 1)
    with pytest.raises(Wrong, match="Expected a function"):
        call(3, 1)


def test_call_names_a_modules_inputs_from_forward():
    class Scale(nn.Module):
        def forward(self, features):
            features.mul_(2)
            return features

    with pytest.raises(Wrong, match="'features'"):
        call(Scale(), torch.ones(3))
    with pytest.raises(Wrong, match=r"forward\(features\)|\(features\)"):
        call(Scale(), torch.ones(3), torch.ones(3), name="Scale")


def test_call_with_keyword_and_default_arguments():
    def f(x, scale=2.0):
        return x * scale

    assert call(f, 3.0) == 6.0 and call(f, 3.0, scale=3.0) == 9.0


# ---------------------------------------------------------------- types


def test_expect_tensor_rejects_arrays_numbers_and_wrong_shapes_or_dtypes():
    expect_tensor(torch.zeros(2, 3), "r", shape=(2, 3), floating=True)
    with pytest.raises(Wrong, match=r"got numpy.ndarray"):
        expect_tensor(np.zeros(3), "r")
    with pytest.raises(Wrong, match="got float"):
        expect_tensor(1.0, "r")
    with pytest.raises(Wrong, match=r"expected shape \(3,\), got \(3, 1\)"):
        expect_tensor(torch.zeros(3, 1), "r", shape=(3,))
    with pytest.raises(Wrong, match="floating-point"):
        expect_tensor(torch.zeros(3, dtype=torch.int64), "r", floating=True)
    with pytest.raises(Wrong, match="whole numbers"):
        expect_tensor(torch.zeros(3), "r", floating=False)
    with pytest.raises(Wrong, match=r"dtype torch.int64"):
        expect_tensor(torch.zeros(3), "r", dtype=torch.int64)


def test_expect_array_rejects_tensors_and_non_arrays():
    expect_array(np.zeros((2, 3)), "r", shape=(2, 3))
    with pytest.raises(Wrong, match="got a torch tensor"):
        expect_array(torch.zeros(3), "r")
    with pytest.raises(Wrong, match="got list"):
        expect_array([1.0, 2.0], "r")
    with pytest.raises(Wrong, match="expected shape"):
        expect_array(np.zeros((3, 2)), "r", shape=(2, 3))
    with pytest.raises(Wrong, match="dtype"):
        expect_array(np.array(["a"]), "r")


def test_expect_number_and_expect_int():
    assert expect_number(np.float64(2.5), "r") == 2.5 and expect_number(3, "r") == 3.0
    for bad, words in [(torch.tensor(2.5), r"\.item\(\)"), (np.array([2.5]), "array"), ("2.5", "str"),
                       (True, "bool"), (None, "NoneType")]:
        with pytest.raises(Wrong) as info:
            expect_number(bad, "r")
        assert any(w in (info.value.args[0] + (info.value.hint or "")) for w in (words, words.replace("\\", "")))
    assert expect_int(np.int64(7), "r") == 7
    for bad in (7.0, True, torch.tensor(7), "7"):
        with pytest.raises(Wrong):
            expect_int(bad, "r")


def test_expect_defaults():
    def good(g, z, slope=0.01):
        return g

    expect_defaults(good, slope=0.01)
    with pytest.raises(Wrong, match=r"slope=0.1 should be slope=0.01"):
        expect_defaults(lambda g, z, slope=0.1: g, slope=0.01)
    with pytest.raises(Wrong, match="no default"):
        expect_defaults(lambda g, z, slope: g, slope=0.01)
    with pytest.raises(Wrong, match="no parameter 'slope'"):
        expect_defaults(lambda g, z: g, slope=0.01)
    with pytest.raises(Wrong, match="should be"):
        expect_defaults(lambda x, dim="-1": x, dim=-1)


# ---------------------------------------------------------------- forbidden builtins


def test_forbid_blocks_functions_methods_and_directly_imported_names():
    z = torch.randn(3, 4)
    expected = torch.logsumexp(z, dim=-1)
    targets = ("torch.logsumexp", "torch.Tensor.logsumexp")
    for answer in (lambda x: torch.logsumexp(x, dim=-1), lambda x: x.logsumexp(-1)):
        with pytest.raises(ForbiddenCall, match=r"torch.*logsumexp"), forbid(*targets, answer=answer):
            answer(z)
    namespace: dict = {}
    exec("from torch import logsumexp\ndef f(x):\n    return logsumexp(x, dim=-1)\n", namespace)
    with pytest.raises(ForbiddenCall), forbid(*targets, answer=namespace["f"]):
        namespace["f"](z)
    # Everything is back as it was afterwards.
    assert torch.equal(torch.logsumexp(z, dim=-1), expected) and torch.equal(z.logsumexp(-1), expected)
    assert namespace["logsumexp"] is torch.logsumexp
    assert "logsumexp" not in vars(torch.Tensor)


def test_forbid_cannot_be_swallowed_and_reports_the_forbidden_call_first():
    def sneaky(x):
        try:
            return torch.logsumexp(x, dim=-1)
        except Exception:
            return (x.exp().sum(-1)).log()

    with pytest.raises(ForbiddenCall), forbid("torch.logsumexp", answer=sneaky):
        sneaky(torch.randn(2, 3))

    def crashes_after(x):
        try:
            torch.logsumexp(x, dim=-1)
        except Exception:
            pass
        return 1 / 0

    with pytest.raises(ForbiddenCall), forbid("torch.logsumexp", answer=crashes_after):
        crashes_after(torch.randn(2))


def test_forbid_reaches_library_code_that_calls_the_forbidden_function():
    logits, targets = torch.randn(4, 3), torch.tensor([0, 1, 2, 0])

    def with_module(x, t):
        return nn.CrossEntropyLoss()(x, t)

    with pytest.raises(ForbiddenCall, match="cross_entropy"), forbid(
            "torch.nn.functional.cross_entropy", answer=with_module, instead="Use log-softmax by hand."):
        with_module(logits, targets)
    assert F.cross_entropy(logits, targets).isfinite()


def test_forbid_autograd_in_a_by_hand_exercise():
    def with_autograd(x):
        x = torch.as_tensor(x).requires_grad_()
        (x**2).sum().backward()
        return x.grad.numpy()

    with pytest.raises(ForbiddenCall, match="backward"), forbid(
            "torch.Tensor.backward", "torch.autograd.grad", "torch.autograd.backward", answer=with_autograd):
        with_autograd(np.ones(3))
    x = torch.ones(2, requires_grad=True)
    (x * 3).sum().backward()
    assert torch.equal(x.grad, torch.full((2,), 3.0))


def test_forbid_inside_a_check_gives_a_not_quite_verdict():
    def test(answer):
        with forbid("torch.logsumexp", answer=answer):
            call(answer, torch.randn(2, 3))

    result = _run(test, lambda z: torch.logsumexp(z, -1))
    assert result.status == "not quite" and "asks you to write yourself" in result.message


def test_forbid_an_unknown_name_is_a_bug_in_the_exercise():
    with pytest.raises(ValueError, match="Cannot find"), forbid("torch.no_such_function_here"):
        pass


# ---------------------------------------------------------------- cases


def test_random_shapes_are_varied_non_square_and_avoid_sizes():
    shapes = random_shapes(0, ndims=(1, 2, 3, 2), low=2, high=9, avoid=(4, 6))
    assert [len(s) for s in shapes] == [1, 2, 3, 2]
    for shape in shapes:
        assert len(set(shape)) == len(shape) and not {4, 6} & set(shape)
        assert all(2 <= size <= 9 for size in shape)
    assert random_shapes(0) == random_shapes(0) and random_shapes(0) != random_shapes(1)
    with pytest.raises(ValueError):
        random_shapes(0, ndims=(5,), low=2, high=4)


def test_randomize_module_makes_fresh_layers_differ():
    block = nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(5, 2))
    randomize_module(block, seed=3)
    bn = block[1]
    assert not torch.allclose(bn.weight, torch.ones(4)) and not torch.allclose(bn.bias, torch.zeros(4))
    assert not torch.allclose(bn.running_mean, torch.zeros(4))
    assert ((bn.running_var >= 0.5) & (bn.running_var <= 2.0)).all()
    assert bn.num_batches_tracked.item() == 0
    assert abs(block[0].weight.std().item() - 1 / math.sqrt(27)) < 0.1
    other = randomize_module(nn.Sequential(nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.Linear(5, 2)), seed=3)
    assert all(torch.equal(a, b) for a, b in zip(block.state_dict().values(), other.state_dict().values(),
                                                  strict=True))


def test_forward_backward_returns_output_and_every_gradient():
    layer = randomize_module(nn.Linear(3, 2), seed=0)
    x = torch.randn(4, 3)
    result = forward_backward(layer, [x], module=layer, seed=5)
    upstream = torch.randn(4, 2, generator=torch.Generator().manual_seed(5))
    assert torch.allclose(result.output, layer(x).detach())
    assert torch.allclose(result.inputs[0], upstream @ layer.weight.detach())
    assert torch.allclose(result.parameters["weight"], upstream.T @ x)
    assert torch.allclose(result.parameters["bias"], upstream.sum(0))
    with pytest.raises(Wrong, match="no_grad"):
        forward_backward(lambda x: x.detach() * 2, [x])


def test_assert_tensor_close_names_shape_and_largest_difference():
    assert_tensor_close(torch.ones(2, 3), np.ones((2, 3)), "out")
    with pytest.raises(Wrong, match=r"expected shape \(2, 3\), got \(3, 2\)"):
        assert_tensor_close(torch.ones(3, 2), torch.ones(2, 3), "out")
    got = torch.ones(2, 3)
    got[1, 2] = 1.5
    with pytest.raises(Wrong, match=r"up to 0.5 at index \(1, 2\)"):
        assert_tensor_close(got, torch.ones(2, 3), "out")
    with pytest.raises(Wrong, match="inf or nan"):
        assert_tensor_close(torch.tensor([math.inf]), torch.tensor([1.0]), "out")


def test_numpy_only_blocks_autograd_and_tensor_conversions():
    def via_torch(a):
        return torch.tensor(a).sum().item()

    with pytest.raises(ForbiddenCall, match="NumPy only"), checks.numpy_only(answer=via_torch):
        via_torch(np.ones(3))
    with checks.numpy_only():
        assert np.sum(np.ones(3)) == 3.0
    assert torch.tensor([1.0]).item() == 1.0  # restored


def test_forbid_takes_a_custom_first_sentence():
    with pytest.raises(ForbiddenCall, match=r"^Do not use torch.cdist here\. Broadcast\.$") as info, forbid(
            "torch.cdist", message="Do not use {target} here.", instead="Broadcast.", hint="Think in shapes."):
        torch.cdist(torch.ones(2, 2), torch.ones(2, 2))
    assert info.value.hint == "Think in shapes."


def test_autograd_constant_catches_the_functional_api_too():
    def with_func(x):
        return torch.func.grad(lambda t: (t**2).sum())(x)

    with pytest.raises(ForbiddenCall), forbid(*checks.AUTOGRAD, answer=with_func):
        with_func(torch.ones(3))


def test_expect_array_dtype_and_floating():
    expect_array(np.zeros(2), "r", dtype=np.float64, floating=True)
    with pytest.raises(Wrong, match="expected dtype float64, got float32"):
        expect_array(np.zeros(2, dtype=np.float32), "r", dtype=np.float64)
    with pytest.raises(Wrong, match="floating-point"):
        expect_array(np.zeros(2, dtype=np.int64), "r", floating=True)


def loop_free(a, b):
    return (a[:, None] - b[None]).pow(2).sum(-1)


def with_for(a, b):
    return torch.stack([(a - row).pow(2).sum(-1) for row in b])


def with_while(a):
    while a.sum() > 1:
        a = a / 2
    return a


def test_expect_no_loops_names_the_loop():
    assert checks.python_loop_in(loop_free) is None
    assert checks.python_loop_in(with_for) == "a comprehension"
    assert checks.python_loop_in(with_while) == "a while loop"
    checks.expect_no_loops(loop_free)
    with pytest.raises(Wrong, match="uses a while loop"):
        checks.expect_no_loops(with_while)
    assert checks.python_loop_in(len) is None  # no source: nothing to judge


def test_matching_mistake_names_the_first_reproduced_mistake():
    x = torch.tensor([1.0, 2.0, 3.0])
    mistakes = [
        (lambda: 1 / 0, "never matches: it raises"),
        (x.sum(), "you summed instead of averaging"),
        (lambda: x.mean(), "the mean"),
        (np.array([2.0, 4.0, 6.0]), "you doubled"),
    ]
    assert checks.matching_mistake(torch.tensor(6.0), mistakes) == "you summed instead of averaging"
    assert checks.matching_mistake(2.0, mistakes) == "the mean"
    assert checks.matching_mistake(x * 2, mistakes) == "you doubled"
    assert checks.matching_mistake((x * 2)[None], mistakes) is None  # shapes must agree
    assert checks.matching_mistake("text", mistakes) is None


@pytest.mark.parametrize("mutate, layers", [
    (lambda layers: [layers.reverse(), 1][1], [(3, 1), (2, 2), (5, 2)]),              # pairs reordered
    (lambda layers: [layers.__setitem__(0, (9, 9)), 1][1], [(3, 1), (2, 2)]),          # a pair replaced
    (lambda layers: [layers.sort(), 1][1], [(3, 1), (2, 2), (5, 2)]),
    (lambda layers: [layers[1].append(5), 1][1], [(3, 1), [2, 2], (5, 2)]),           # a list in the list
    (lambda layers: [layers.pop(), 1][1], [(3, 1), (2, 2)]),
])
def test_call_catches_changes_inside_nested_lists(mutate, layers):
    with pytest.raises(Wrong, match="in place"):
        call(mutate, layers)
    assert call(lambda layers: sum(k for k, *_ in layers), [(3, 1), [2, 2], (5, 2)]) == 10


def test_call_catches_a_changed_module_inside_a_list():
    layers = [nn.Linear(2, 2), nn.ReLU()]
    with pytest.raises(Wrong, match="in place"):
        call(lambda modules: [modules[0].bias.data.add_(1), 1][1], layers)


def test_autograd_constant_catches_forward_mode_too():
    def with_jvp(x):
        return torch.func.jvp(torch.sin, (x,), (torch.ones_like(x),))[1]

    def with_dual(x):
        import torch.autograd.forward_ad as fwAD

        with fwAD.dual_level():
            return fwAD.unpack_dual(torch.sin(fwAD.make_dual(x, torch.ones_like(x)))).tangent

    for answer in (with_jvp, with_dual):
        with pytest.raises(ForbiddenCall), forbid(*checks.AUTOGRAD, answer=answer):
            answer(torch.ones(3))


# ---------------------------------------------------------------- endless loops and aliases


def test_a_check_stops_an_endless_loop_with_a_verdict():
    import time

    def forever(x):
        while True:
            x = x + 1

    start = time.perf_counter()
    result = checks._run(Exercise("99.9", "t", "h", lambda answer: answer(0), time_limit=0.5), forever)
    assert result.status == "not quite" and "stopped your code after 0.5 s" in result.message
    assert time.perf_counter() - start < 5
    # A quick answer is not disturbed, and no interrupt arrives later.
    assert checks._run(Exercise("99.9", "t", "h", lambda answer: answer(0), time_limit=0.5), lambda x: x)
    time.sleep(0.7)


def test_a_real_keyboard_interrupt_is_not_swallowed():
    def pressed_stop(x):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        checks._run(Exercise("99.9", "t", "h", lambda answer: answer(0)), pressed_stop)


def test_call_stops_a_runaway_loop_after_its_line_budget():
    def no_increment(x):
        steps = 0
        while steps < 10:
            x = x * 1.0
        return x

    with pytest.raises(Wrong, match=r"ran more than 1,000 lines.*never stops\. It cannot end here\.") as info:
        call(no_increment, 1.0, max_lines=1_000, why_endless="It cannot end here.")
    assert "Bound every loop" in info.value.hint

    def bounded(x):
        for _ in range(100):
            x = x + 1
        return x

    assert call(bounded, 0, max_lines=1_000) == 100


def with_map(a, b):
    return torch.stack(list(map(lambda row: (a - row).pow(2).sum(-1), b)), dim=1)


def with_reduce(a):
    import functools

    return functools.reduce(lambda s, row: s + row, a)


def with_apply(t):
    return t.clone().apply_(abs)


def test_loops_by_another_name_are_loops():
    assert checks.python_loop_in(with_map) == "map(...), a loop by another name"
    assert checks.python_loop_in(with_reduce) == "reduce(...), a loop by another name"
    assert checks.python_loop_in(with_apply) == "apply_(...), a loop by another name"


def test_forbid_blocks_every_alias_of_a_function():
    assert torch.functional.cdist is torch.cdist
    points = torch.randn(3, 2)
    for spelling in (lambda a: torch.cdist(a, a), lambda a: torch.functional.cdist(a, a)):
        with pytest.raises(ForbiddenCall), forbid("torch.cdist", answer=spelling):
            spelling(points)
    assert torch.functional.cdist is torch.cdist and torch.cdist(points, points).shape == (3, 3)


@pytest.mark.slow
def test_an_endless_loop_in_a_notebook_kernel_gets_a_verdict_and_the_kernel_goes_on(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    code = (
        "from course_utils.checks import Exercise, _run\n"
        "def forever(x):\n"
        "    while True:\n"
        "        x = x + 1\n"
        "result = _run(Exercise('99.9', 't', 'h', lambda answer: answer(0), time_limit=1.0), forever)\n"
        "print(result.status, '|', result.message)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code), nbformat.v4.new_code_cell("print('alive')")])
    NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    first = "".join(output.get("text", "") for output in nb.cells[0].outputs)
    assert first.startswith("not quite | The check stopped your code after 1 s")
    assert "alive" in "".join(output.get("text", "") for output in nb.cells[1].outputs)


# --------------------------------------------------------------------------- forbid_kernels


def _sdpa_by_private_alias(q, k, v):
    return torch._C._nn.scaled_dot_product_attention(q, k, v)


def _lstm_cell_by_aten(x, h, c, w_ih, w_hh):
    return torch.ops.aten.lstm_cell(x, [h, c], w_ih, w_hh)


def _swallowing(q, k, v):
    try:
        return torch.ops.aten.scaled_dot_product_attention.default(q, k, v)
    except Exception:
        return torch.softmax(q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5, -1) @ v


def test_forbid_kernels_blocks_private_aliases_and_swallowed_errors():
    from course_utils.checks import forbid_kernels

    q = k = v = torch.randn(2, 3, 4)
    for attempt in (_sdpa_by_private_alias, _swallowing):
        with pytest.raises(Wrong, match=r"calls PyTorch's scaled_dot_product_attention.*Use a softmax"):
            with forbid_kernels("scaled_dot_product_attention", instead="Use a softmax."):
                attempt(q, k, v)
    x, h, c = torch.randn(2, 3), torch.randn(2, 5), torch.randn(2, 5)
    with pytest.raises(Wrong, match="lstm_cell"):
        with forbid_kernels("lstm"):
            _lstm_cell_by_aten(x, h, c, torch.randn(20, 3), torch.randn(20, 5))
    with forbid_kernels("lstm", "scaled_dot_product_attention"):  # everything else runs as usual
        assert torch.allclose(torch.softmax(q, -1).sum(-1), torch.ones(2, 3))
    with pytest.raises(ValueError, match="kernel names"):
        with forbid_kernels():
            pass
