"""A server that accepts but never answers, or trickles bytes, costs seconds.

The whole attempt is bounded, not each read: a mirror must start answering within
``ANSWER_TIMEOUT_S`` and then keep up at least ``MIN_BYTES_PER_WINDOW`` per ``WINDOW_S``.
``load_mnist()`` then falls back to its sample, the other loaders raise, and both name the
server that stalled. The fast tests shrink the limits to one second (so each takes about
one); a slow test checks the real limits end to end.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import course_utils.data as D
from course_utils.data import _net
from tests.faults.data_fixtures import (
    apply_patches,
    checksum_patches,
    online_with_data_dir,
    serving,
    tiny_cifar_archive,
    tiny_mnist,
)

FILES = tiny_mnist()
STALLS = ["stall", "stall_body", "trickle", "trickle_headers"]
STALLED = r"(?s)127\.0\.0\.1:\d+.*(did not answer|stopped sending|far too slowly)"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return online_with_data_dir(monkeypatch, tmp_path / "course data")


@pytest.fixture
def short_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_net, "ANSWER_TIMEOUT_S", 1.0)
    monkeypatch.setattr(_net, "ATTEMPT_TIMEOUT_S", 1.5)
    monkeypatch.setattr(_net, "WINDOW_S", 1.0)


def mnist_from(monkeypatch: pytest.MonkeyPatch, *mirrors: str, key: str = "mnist") -> None:
    if key == "mnist":
        apply_patches(checksum_patches(mnist=FILES, mnist_mirrors=mirrors), monkeypatch)
    else:
        apply_patches(checksum_patches(fashion=FILES, fashion_mirrors=mirrors), monkeypatch)


def timed(call):  # type: ignore[no-untyped-def]
    start = time.monotonic()
    result = call()
    return result, time.monotonic() - start


@pytest.mark.parametrize("mode", STALLS)
def test_load_mnist_falls_back_within_seconds_and_names_the_server(env, short_limits, monkeypatch, capsys, mode) -> None:
    with serving(files={f"/m/{n}": b for n, b in FILES.items()}, mode=mode, trickle_s=0.3) as server:
        mnist_from(monkeypatch, server.url + "m/")
        test, elapsed = timed(lambda: D.load_mnist("test"))
    assert len(test) == 1000 and "bundled sample" in test.source
    assert elapsed < 6  # reading the sample takes a few of those seconds
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert f"127.0.0.1:{server.port}" in line and "stalled" in line
    assert not list(env.rglob("*.gz"))  # nothing half-downloaded is left in the cache


@pytest.mark.parametrize("mode", STALLS)
def test_source_full_raises_naming_the_server(env, short_limits, monkeypatch, mode) -> None:
    with serving(files={f"/m/{n}": b for n, b in FILES.items()}, mode=mode, trickle_s=0.3) as server:
        mnist_from(monkeypatch, server.url + "m/")
        start = time.monotonic()
        with pytest.raises(D.DatasetUnavailableError, match=STALLED) as caught:
            D.load_mnist("test", source="full")
    assert time.monotonic() - start < 4
    assert "run this again later" in str(caught.value) and "offline" not in str(caught.value)


def test_fashion_mnist_server_stalls(env, short_limits, monkeypatch) -> None:
    with serving(mode="stall") as server:
        mnist_from(monkeypatch, server.url + "f/", key="fashion_mnist")
        with pytest.raises(D.DatasetUnavailableError, match=STALLED):
            D.load_fashion_mnist("test")


@pytest.mark.parametrize("mode", ["stall", "stall_body", "trickle"])
def test_cifar_server_stalls(env, short_limits, monkeypatch, mode) -> None:
    archive = tiny_cifar_archive()
    with serving(files={"/c/cifar-10-python.tar.gz": archive}, mode=mode, trickle_s=0.2) as server:
        apply_patches(checksum_patches(cifar_archive=archive, cifar_url=server.url + "c/cifar-10-python.tar.gz"), monkeypatch)
        start = time.monotonic()
        with pytest.raises(D.DatasetUnavailableError, match=r"(?s)CIFAR-10 is not available.*" + STALLED[4:]):
            D.load_cifar10("test")
    assert time.monotonic() - start < 4
    assert not (env / "cifar-10-batches-py").exists()


def test_a_stalled_first_mirror_is_skipped_for_the_next(env, short_limits, monkeypatch) -> None:
    with serving(mode="stall") as bad, serving(files={f"/m/{n}": b for n, b in FILES.items()}) as good:
        mnist_from(monkeypatch, bad.url + "m/", good.url + "m/")
        test, elapsed = timed(lambda: D.load_mnist("test", source="full", verbose=False))
    assert len(test) == 10 and elapsed < 4
    assert len(bad.requests) == 1  # a mirror that stalled once is not asked for the second file


@pytest.mark.parametrize(
    ("mode", "files", "words"),
    [
        ("short", None, "closed the connection after"),
        ("normal", {n: b"<html>log in first</html>" for n in FILES}, "not the expected file"),
        (404, None, "HTTP 404"),
        (503, None, "HTTP 503"),
    ],
    ids=["short body", "captive portal", "404", "503"],
)
def test_broken_answers_fail_fast_and_say_what_happened(env, monkeypatch, capsys, mode, files, words) -> None:
    with serving(files={f"/m/{n}": b for n, b in (files or FILES).items()}, mode=mode) as server:
        mnist_from(monkeypatch, server.url + "m/")
        test, elapsed = timed(lambda: D.load_mnist("test"))
        with pytest.raises(D.DatasetUnavailableError, match=words):
            D.load_mnist("test", source="full")
    assert len(test) == 1000 and elapsed < 6
    assert words in capsys.readouterr().out


@pytest.mark.slow
def test_the_real_limits_bound_a_stalled_server_end_to_end(env, monkeypatch) -> None:
    with serving(mode="stall") as server:
        mnist_from(monkeypatch, server.url + "m/")
        start = time.monotonic()
        with pytest.raises(D.DatasetUnavailableError, match=STALLED):
            D.load_mnist("test", source="full")
        elapsed = time.monotonic() - start
    assert elapsed < _net.ANSWER_TIMEOUT_S + 3, elapsed
