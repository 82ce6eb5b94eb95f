"""Local servers and tiny dataset files for the data-loader fault tests (no network needed).

- :class:`LocalServer` is an HTTP server on 127.0.0.1, in a background thread, that serves
  a few files and can misbehave on purpose: answer with an error code, accept a request and
  never answer, send the headers and then nothing, or trickle bytes. It also works as an
  HTTP proxy (requests with an absolute URL), and records every request it sees.
- :func:`tiny_mnist` and :func:`tiny_cifar_archive` build small files in the real formats;
  :func:`checksum_patches` and :func:`apply_patches` make the loaders accept them (in this
  process or in a child process).

Test modules use it as ``from tests.faults.data_fixtures import ...``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import hashlib
import http.server
import io
import os
import pickle
import sys
import tarfile
import tempfile
import threading
import time
import types
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np

PROXY_ENV = ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY")
CIFAR_NAMES = [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]


def md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: object) -> None:  # keep the test output clean
        pass

    def handle(self) -> None:
        if self.rfile.peek(1)[:1] == b"\x16":  # a TLS handshake: this server only speaks http
            self.server.owner.tls_hellos += 1
            return
        super().handle()

    def do_GET(self) -> None:  # the name http.server expects
        owner = self.server.owner
        parts = urlsplit(self.path)
        proxied = bool(parts.scheme)
        owner.requests.append((self.path, proxied))
        mode = owner.mode
        if owner.proxy_only and not proxied:
            return self._error(400, "this server only works as a proxy")
        if owner.proxy_password and self.headers.get("Proxy-Authorization") is None:
            return self._error(407, "proxy authentication required")
        if mode == "stall":  # accept, read the request, never answer
            owner.stop.wait()
            return None
        if mode == "trickle_headers":
            for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n":
                if owner.stop.wait(owner.trickle_s):
                    return None
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            owner.stop.wait()
            return None
        if isinstance(mode, int):
            return self._error(mode, "as the test asked")
        data = owner.files.get(parts.path)
        if data is None:
            return self._error(404, "not found")
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if mode == "stall_body":
            self.wfile.write(data[:10])
            self.wfile.flush()
            owner.stop.wait()
            return None
        if mode == "trickle":
            for k in range(len(data)):
                if owner.stop.wait(owner.trickle_s):
                    return None
                self.wfile.write(data[k : k + 1])
                self.wfile.flush()
            return None
        if mode == "short":  # promise more than is sent, then close the connection
            self.wfile.write(data[: len(data) // 2])
            self.close_connection = True
            return None
        for start in range(0, len(data), owner.chunk):
            self.wfile.write(data[start : start + owner.chunk])
            if owner.chunk_delay_s:
                time.sleep(owner.chunk_delay_s)
        return None

    def _error(self, code: int, why: str) -> None:
        body = why.encode()
        self.send_response(code)
        if code == 407:
            self.send_header("Proxy-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_CONNECT(self) -> None:
        owner = self.server.owner
        owner.requests.append((f"CONNECT {self.path}", True))
        if owner.mode == "stall":
            owner.stop.wait()
            return
        self._error(403, "tunnels are not allowed here")


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    owner: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hangs up early is part of the tests, not a failure


@dataclasses.dataclass
class LocalServer:
    """An HTTP server (and proxy) on 127.0.0.1 that serves ``files`` (URL path -> bytes).

    ``mode`` is ``"normal"``, ``"stall"``, ``"stall_body"``, ``"trickle"``,
    ``"trickle_headers"``, ``"short"``, or an HTTP status code to answer with.
    """

    files: dict[str, bytes] = dataclasses.field(default_factory=dict)
    mode: str | int = "normal"
    proxy_only: bool = False
    proxy_password: bool = False
    chunk: int = 1 << 16
    chunk_delay_s: float = 0.0
    trickle_s: float = 0.05
    requests: list[tuple[str, bool]] = dataclasses.field(default_factory=list)
    tls_hellos: int = 0

    def __post_init__(self) -> None:
        self.stop = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def close(self) -> None:
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving(**options: object) -> Iterator[LocalServer]:
    """A :class:`LocalServer` for the duration of a ``with`` block."""
    server = LocalServer(**options)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.close()


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --------------------------------------------------------------------------- tiny files


def idx_bytes(magic: int, array: np.ndarray) -> bytes:
    header = magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


def tiny_mnist(train: int = 20, test: int = 10, seed: int = 0) -> dict[str, bytes]:
    """The four MNIST ``.gz`` files with ``train`` and ``test`` random images."""
    rng = np.random.default_rng(seed)
    files = {}
    for prefix, n in (("train", train), ("t10k", test)):
        files[f"{prefix}-images-idx3-ubyte.gz"] = idx_bytes(
            2051, rng.integers(0, 256, size=(n, 28, 28))
        )
        files[f"{prefix}-labels-idx1-ubyte.gz"] = idx_bytes(2049, np.arange(n) % 10)
    return files


def cifar_members(images_per_batch: int = 4) -> dict[str, bytes]:
    """The files of a tiny ``cifar-10-batches-py`` folder (name -> bytes)."""
    data = (np.arange(images_per_batch * 3072) % 256).astype(np.uint8)
    batch = {"data": data.reshape(images_per_batch, 3072), "labels": [k % 10 for k in range(images_per_batch)]}
    members = {name: pickle.dumps(batch) for name in CIFAR_NAMES}
    members["batches.meta"] = pickle.dumps({"label_names": [f"class{k}" for k in range(10)]})
    return members


def tar_gz(entries: list[tarfile.TarInfo | tuple[str, bytes]]) -> bytes:
    """A .tar.gz holding ``entries``: (name, content) pairs or ready-made TarInfo objects."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for entry in entries:
            if isinstance(entry, tarfile.TarInfo):
                archive.addfile(entry)
            else:
                name, content = entry
                info = tarfile.TarInfo(name)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return buffer.getvalue()


def tiny_cifar_archive(extra: list[tarfile.TarInfo | tuple[str, bytes]] = ()) -> bytes:
    """``cifar-10-python.tar.gz`` in miniature, with optional extra (hostile) entries."""
    members = [(f"cifar-10-batches-py/{n}", b) for n, b in cifar_members().items()]
    return tar_gz([*extra, *members])


# --------------------------------------------------------------------------- checksum patches


def checksum_patches(
    *,
    mnist: dict[str, bytes] | None = None,
    mnist_mirrors: tuple[str, ...] | None = None,
    fashion: dict[str, bytes] | None = None,
    fashion_mirrors: tuple[str, ...] | None = None,
    cifar_archive: bytes | None = None,
    cifar_url: str | None = None,
) -> dict[str, object]:
    """Plain data saying which checksums and URLs to replace (picklable, for child processes)."""
    patches: dict[str, object] = {}
    for key, files, mirrors in (
        ("mnist", mnist, mnist_mirrors),
        ("fashion_mnist", fashion, fashion_mirrors),
    ):
        if files is not None or mirrors is not None:
            patches[key] = {
                "md5": {name: md5(data) for name, data in (files or {}).items()},
                "mirrors": mirrors,
            }
    if cifar_archive is not None or cifar_url is not None:
        patches["cifar10"] = {
            "url": cifar_url,
            "tgz_md5": md5(cifar_archive) if cifar_archive is not None else None,
            "md5": {name: md5(data) for name, data in cifar_members().items()},
        }
    return patches


def apply_patches(patches: dict[str, object], monkeypatch: object = None) -> None:
    """Make the loaders accept the tiny files described by :func:`checksum_patches`.

    With a pytest ``monkeypatch`` the changes are undone after the test; without one (in a
    child process) they last until the process ends.
    """
    from torchvision.datasets import CIFAR10

    from course_utils.data import mnist as mnist_module

    def set_attr(owner: object, name: str, value: object) -> None:
        if monkeypatch is not None:
            monkeypatch.setattr(owner, name, value)  # type: ignore[attr-defined]
        else:
            setattr(owner, name, value)

    for key in ("mnist", "fashion_mnist"):
        if key in patches:
            change = patches[key]
            spec = mnist_module.IDX_DATASETS[key]
            md5s = {**spec.md5, **change["md5"]}  # type: ignore[index]
            mirrors = change["mirrors"] or spec.mirrors  # type: ignore[index]
            new = dataclasses.replace(spec, md5=md5s, mirrors=tuple(mirrors))
            if monkeypatch is not None:
                monkeypatch.setitem(mnist_module.IDX_DATASETS, key, new)  # type: ignore[attr-defined]
            else:
                mnist_module.IDX_DATASETS[key] = new
    if "cifar10" in patches:
        change = patches["cifar10"]
        sums = change["md5"]  # type: ignore[index]
        if change["url"]:  # type: ignore[index]
            set_attr(CIFAR10, "url", change["url"])  # type: ignore[index]
        if change["tgz_md5"]:  # type: ignore[index]
            set_attr(CIFAR10, "tgz_md5", change["tgz_md5"])  # type: ignore[index]
        set_attr(CIFAR10, "train_list", [[n, sums[n]] for n, _ in CIFAR10.train_list])
        set_attr(CIFAR10, "test_list", [[n, sums[n]] for n, _ in CIFAR10.test_list])
        set_attr(CIFAR10, "meta", {**CIFAR10.meta, "md5": sums["batches.meta"]})


def write_files(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


# --------------------------------------------------------------------------- environment


def clear_proxies(monkeypatch: object) -> None:
    """Remove every proxy variable (both letter cases) for the duration of a test."""
    for name in PROXY_ENV:
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)  # type: ignore[attr-defined]


def online_with_data_dir(monkeypatch: object, folder: Path) -> Path:
    """Online as far as the course can tell (no proxy, no COURSE_OFFLINE), caching in ``folder``."""
    clear_proxies(monkeypatch)
    monkeypatch.delenv("COURSE_OFFLINE", raising=False)  # type: ignore[attr-defined]
    monkeypatch.setenv("COURSE_DATA_DIR", str(folder))  # type: ignore[attr-defined]
    return folder


def deny_writes(monkeypatch: object, folder: Path) -> None:
    """Make creating anything inside ``folder`` fail with "Permission denied", even as root.

    Real read-only folders (``chmod``) do not stop root, and Windows has no such modes, so
    the tests that need one patch the two calls the course uses to create folders and
    files: ``Path.mkdir`` and ``tempfile`` (the scratch folders and the write test).
    """
    folder = Path(os.path.abspath(folder))

    def inside(path: object) -> bool:
        target = Path(os.path.abspath(os.fspath(path)))  # type: ignore[arg-type]
        return target == folder or folder in target.parents

    def denied(path: object) -> PermissionError:
        return PermissionError(13, "Permission denied", os.fspath(path))  # type: ignore[arg-type]

    real_mkdir = Path.mkdir
    real_temporary = tempfile.TemporaryFile
    real_mkdtemp = tempfile.mkdtemp

    def mkdir(self: Path, mode: int = 0o777, parents: bool = False, exist_ok: bool = False) -> None:
        if inside(self):
            if exist_ok and self.is_dir():
                return
            raise denied(self)
        real_mkdir(self, mode, parents, exist_ok)

    def temporary(*args: object, dir: object = None, **kwargs: object) -> object:
        if dir is not None and inside(dir):
            raise denied(dir)
        return real_temporary(*args, dir=dir, **kwargs)  # type: ignore[arg-type]

    def mkdtemp(*args: object, dir: object = None, **kwargs: object) -> str:
        if dir is not None and inside(dir):
            raise denied(dir)
        return real_mkdtemp(*args, dir=dir, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "mkdir", mkdir)  # type: ignore[attr-defined]
    monkeypatch.setattr(tempfile, "TemporaryFile", temporary)  # type: ignore[attr-defined]
    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)  # type: ignore[attr-defined]


# --------------------------------------------------------------------------- child processes


def download_modules() -> types.ModuleType:
    """``course_utils.data._net`` imported without ``course_utils/__init__`` (and so without torch).

    For child processes of the shared-cache tests: they start in a fraction of a second.
    """
    root = Path(__file__).resolve().parents[2] / "course_utils"
    for name, folder in (("course_utils", root), ("course_utils.data", root / "data")):
        if name not in sys.modules:
            package = types.ModuleType(name)
            package.__path__ = [str(folder)]
            sys.modules[name] = package
    from course_utils.data import _net

    return _net


def child_download(job: dict[str, object], barrier: object, queue: object) -> None:
    """Run one download job in a child process (see ``test_shared_cache``) and report."""
    net = download_modules()
    barrier.wait(60)  # type: ignore[attr-defined]
    lines: list[str] = []
    try:
        if job["kind"] == "files":
            net.download_files(job["mirrors"], job["files"], Path(job["target"]), what="MNIST", say=lines.append)  # type: ignore[arg-type]
        else:
            net.download_archive(job["url"], job["md5"], Path(job["root"]), job["folder"], job["members"], what="CIFAR-10", say=lines.append)  # type: ignore[arg-type]
        queue.put(("ok", lines))  # type: ignore[attr-defined]
    except BaseException as error:  # reported to the parent
        queue.put(("error", f"{type(error).__name__}: {error}"))  # type: ignore[attr-defined]


def child_load(job: dict[str, object], barrier: object, queue: object) -> None:
    """Call a real loader in a child process (imports torch: the slow shared-cache tests)."""
    os.environ.update(job["env"])  # type: ignore[arg-type]
    import course_utils.data as data

    apply_patches(job["patches"])  # type: ignore[arg-type]
    barrier.wait(120)  # type: ignore[attr-defined]
    try:
        loader = getattr(data, job["loader"])  # type: ignore[arg-type]
        with contextlib.redirect_stdout(io.StringIO()):
            queue.put(("ok", len(loader(job["split"], source="full"))))  # type: ignore[attr-defined]
    except BaseException as error:  # reported to the parent
        queue.put(("error", f"{type(error).__name__}: {error}"))  # type: ignore[attr-defined]


def run_children(target: object, jobs: list[dict[str, object]], timeout: float = 120) -> list[tuple]:
    """Start one spawned process per job, all released at once by a barrier; return their reports."""
    import multiprocessing

    spawn = multiprocessing.get_context("spawn")  # the only start method on every OS
    queue = spawn.Queue()
    barrier = spawn.Barrier(len(jobs))
    processes = [spawn.Process(target=target, args=(job, barrier, queue)) for job in jobs]
    for process in processes:
        process.start()
    try:
        return [queue.get(timeout=timeout) for _ in processes]
    finally:
        for process in processes:
            process.join(10)
            if process.is_alive():
                process.kill()
