"""Proxies (HTTPS_PROXY, HTTP_PROXY, NO_PROXY, in either letter case).

Many university networks only let traffic out through a proxy. The reachability probe and
the download must both go through it, NO_PROXY must be respected, and a message must name
the proxy (never its password) and never say "offline" when a proxy was tried. The proxy
here is a local server that only answers absolute-URL requests, for host names that do
not exist: only a request that really went through the proxy can succeed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import course_utils.data as D
from course_utils.data import _net
from tests.faults.data_fixtures import (
    apply_patches,
    checksum_patches,
    free_port,
    online_with_data_dir,
    serving,
    tiny_cifar_archive,
    tiny_mnist,
)

NOWHERE = "http://mnist.course-test.invalid/mnist/"  # resolvable only by the proxy


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return online_with_data_dir(monkeypatch, tmp_path / "data")


@pytest.fixture
def proxy(env: Path, monkeypatch: pytest.MonkeyPatch):
    """A working proxy that knows the MNIST files under NOWHERE."""
    files = tiny_mnist()
    with serving(files={f"/mnist/{n}": b for n, b in files.items()}, proxy_only=True) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(NOWHERE,)), monkeypatch)
        yield server


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy"])
def test_a_working_proxy_is_used(proxy, monkeypatch, variable: str) -> None:
    monkeypatch.setenv(variable, proxy.url)
    test = D.load_mnist("test", source="full", verbose=False)
    assert len(test) == 10
    assert all(proxied and url.startswith(NOWHERE) for url, proxied in proxy.requests)


def test_a_proxy_given_as_host_and_port(proxy, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"127.0.0.1:{proxy.port}")
    assert len(D.load_mnist("test", source="full", verbose=False)) == 10


def test_fashion_mnist_and_cifar10_through_the_proxy(env: Path, monkeypatch) -> None:
    files, archive = tiny_mnist(), tiny_cifar_archive()
    served = {f"/f/{n}": b for n, b in files.items()} | {"/c/cifar-10-python.tar.gz": archive}
    with serving(files=served, proxy_only=True) as server:
        apply_patches(
            checksum_patches(
                fashion=files,
                fashion_mirrors=("http://fashion.course-test.invalid/f/",),
                cifar_archive=archive,
                cifar_url="http://cifar.course-test.invalid/c/cifar-10-python.tar.gz",
            ),
            monkeypatch,
        )
        monkeypatch.setenv("HTTP_PROXY", server.url)
        assert len(D.load_fashion_mnist("test", verbose=False)) == 10
        assert len(D.load_cifar10("test", verbose=False)) == 4


def test_a_dead_proxy_is_named_and_not_called_offline(proxy, monkeypatch, capsys) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")
    test = D.load_mnist("test")  # auto: the sample, with the reason
    assert len(test) == 1000
    out = capsys.readouterr().out
    assert "the proxy 127.0.0.1:" in out and "(from HTTP_PROXY)" in out and "offline" not in out
    with pytest.raises(D.DatasetUnavailableError) as caught:
        D.load_mnist("test", source="full")
    message = str(caught.value)
    assert "the proxy did not answer" in message and "connection refused" in message
    assert "check the proxy settings (HTTPS_PROXY, HTTP_PROXY and NO_PROXY)" in message
    assert "offline" not in message.lower()


def test_the_proxy_password_is_never_shown(proxy, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://ann:s3cret@127.0.0.1:{free_port()}")
    with pytest.raises(D.DatasetUnavailableError, match=r"the proxy 127\.0\.0\.1:") as caught:
        D.load_mnist("test", source="full")
    assert "s3cret" not in str(caught.value) and "ann" not in str(caught.value)


def test_a_proxy_that_asks_for_a_password(env: Path, monkeypatch) -> None:
    files = tiny_mnist()
    with serving(files={f"/mnist/{n}": b for n, b in files.items()}, proxy_only=True, proxy_password=True) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(NOWHERE,)), monkeypatch)
        monkeypatch.setenv("HTTP_PROXY", server.url)
        with pytest.raises(D.DatasetUnavailableError, match=r"asks for a user name and password \(HTTP 407\).*user:password@"):
            D.load_mnist("test", source="full")


def test_a_proxy_that_blocks_the_address(env: Path, monkeypatch, capsys) -> None:
    with serving(proxy_only=True, mode=403) as server:
        apply_patches(checksum_patches(mnist=tiny_mnist(), mnist_mirrors=(NOWHERE,)), monkeypatch)
        monkeypatch.setenv("HTTP_PROXY", server.url)
        assert len(D.load_mnist("test")) == 1000
    out = capsys.readouterr().out
    assert "asked for mnist.course-test.invalid, answered HTTP 403" in out and "offline" not in out


def test_https_goes_to_https_proxy_and_a_refused_tunnel_is_named(env: Path, monkeypatch) -> None:
    with serving(proxy_only=True) as server:
        apply_patches(checksum_patches(mnist=tiny_mnist(), mnist_mirrors=("https://mnist.course-test.invalid/m/",)), monkeypatch)
        monkeypatch.setenv("HTTPS_PROXY", server.url)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # not for https
        with pytest.raises(D.DatasetUnavailableError, match=r"refused to connect to it \(Tunnel connection failed: 403") as caught:
            D.load_mnist("test", source="full")
        assert server.requests[0][0] == "CONNECT mnist.course-test.invalid:443"
    assert "offline" not in str(caught.value).lower()


def test_an_https_proxy_is_not_used_for_http(env: Path, monkeypatch) -> None:
    files = tiny_mnist()
    with serving(files={f"/m/{n}": b for n, b in files.items()}) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{free_port()}")
        assert len(D.load_mnist("test", source="full", verbose=False)) == 10


@pytest.mark.parametrize(
    ("variable", "value"),
    [("NO_PROXY", "example.org,127.0.0.1"), ("no_proxy", "localhost,127.0.0.1"), ("NO_PROXY", "*")],
)
def test_no_proxy_is_respected(env: Path, monkeypatch, variable: str, value: str) -> None:
    files = tiny_mnist()
    with serving(files={f"/m/{n}": b for n, b in files.items()}) as server:
        apply_patches(checksum_patches(mnist=files, mnist_mirrors=(server.url + "m/",)), monkeypatch)
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{free_port()}")  # dead: must be bypassed
        monkeypatch.setenv(variable, value)
        assert len(D.load_mnist("test", source="full", verbose=False)) == 10
        assert server.requests and not any(proxied for _, proxied in server.requests)


def test_a_malformed_proxy_setting_is_named(proxy, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://")
    with pytest.raises(D.DatasetUnavailableError, match=r"from HTTP_PROXY\) is not a valid address: fix or unset it"):
        D.load_mnist("test", source="full")


def test_the_probe_asks_the_proxy(proxy, monkeypatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    found = _net.probe([NOWHERE])  # the host does not exist; the proxy does
    assert found.answered == [NOWHERE] and found.proxied
    assert _net.describe_proxy(NOWHERE) == f"the proxy 127.0.0.1:{proxy.port} (from HTTP_PROXY)"
    monkeypatch.setenv("NO_PROXY", "course-test.invalid")
    assert _net.proxy_for(NOWHERE) is None
    assert _net.probe([NOWHERE], timeout=1).answered == []
