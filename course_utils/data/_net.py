"""Downloads that honour proxies, give up on stalled servers within seconds, and verify MD5s.

- :func:`probe` asks, in at most ``PROBE_TIMEOUT_S``, which servers accept a connection.
  When a proxy applies (``HTTPS_PROXY``, ``HTTP_PROXY`` and ``NO_PROXY``, in either letter
  case, or the system settings: exactly what ``urllib`` uses) it is the proxy that is asked.
- :func:`fetch` downloads one URL. The whole attempt is bounded, not each read: a server
  (or proxy) must start answering within ``ANSWER_TIMEOUT_S``, and then deliver at least
  ``MIN_BYTES_PER_WINDOW`` every ``WINDOW_S`` seconds, so one that accepts and never
  answers, or trickles bytes, costs seconds. An ``https`` address is never retried over
  plain ``http``.
- :func:`download_files` and :func:`download_archive` add the rest: https mirrors first,
  a scratch folder, MD5 checks before anything reaches the cache, and the lock of
  :mod:`._lock` so that processes sharing a cache download once.

Problems raise :class:`DownloadFailed`, whose message names the server (and the proxy) and
what went wrong; the loaders turn it into advice.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ._archive import extract_members
from ._cache import CorruptDataError, cached_file, cached_folder, file_md5, publish, scratch_folder
from ._lock import download_lock

PROBE_TIMEOUT_S = 3.0  # how long a server (or proxy) may take to accept a connection
ANSWER_TIMEOUT_S = 5.0  # how long it may take to start answering a request
ATTEMPT_TIMEOUT_S = 8.0  # all mirrors together, until the first one answers
WINDOW_S = 5.0  # once answering: at least MIN_BYTES_PER_WINDOW in every WINDOW_S seconds
MIN_BYTES_PER_WINDOW = 32 * 1024
MAX_BYTES = 1 << 30  # no dataset file of the course is bigger than 1 GiB
USER_AGENT = "pytorch/vision"  # what torchvision sends to these same mirrors
PROXY_VARIABLES = "HTTPS_PROXY, HTTP_PROXY and NO_PROXY"


class DownloadFailed(Exception):
    """A download did not work; the message says which server (or proxy) and why."""

    def __init__(self, message: str, *, server_down: bool = False) -> None:
        super().__init__(message)
        self.server_down = server_down  # True: do not ask this server again for other files


# --------------------------------------------------------------------------- proxies


def proxy_for(url: str) -> str | None:
    """The proxy ``urllib`` uses for ``url`` (``NO_PROXY`` respected), or None for direct."""
    parts = urlsplit(url)
    proxy = urllib.request.getproxies().get(parts.scheme)
    host = parts.netloc.rpartition("@")[2]
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    return proxy


def _proxy_parts(proxy: str) -> tuple[str, int]:
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    if not parts.hostname:
        raise ValueError("no host name")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def _proxy_source(url: str) -> str:
    scheme = urlsplit(url).scheme
    for name in (f"{scheme}_proxy", f"{scheme.upper()}_PROXY"):
        if os.environ.get(name):
            return name
    return "the system's proxy settings"


def describe_proxy(url: str) -> str:
    """``"the proxy http://host:port (from HTTPS_PROXY)"``: never the password, if one is set."""
    proxy = proxy_for(url) or ""
    try:
        host, port = _proxy_parts(proxy)
        shown = f"{host}:{port}"
    except ValueError:
        shown = "(not a valid address)"
    return f"the proxy {shown} (from {_proxy_source(url)})"


def _server(url: str) -> str:
    """Who answers for ``url``, in words: the host, or the proxy on its way."""
    host = urlsplit(url).netloc.rpartition("@")[2]
    return f"{describe_proxy(url)}, asked for {host}," if proxy_for(url) else host


# --------------------------------------------------------------------------- probe


@dataclass(frozen=True)
class Probe:
    """Which URLs answered, and, when none did, why in one short phrase and in detail."""

    answered: list[str]
    short: str
    detail: str
    proxied: bool


def probe(urls: Sequence[str], timeout: float = PROBE_TIMEOUT_S) -> Probe:
    """Ask, all at once and within about ``timeout`` seconds, which servers accept a connection.

    Through a proxy, the proxy is asked. The result lists the answering URLs, https first.
    """
    answers: dict[str, str] = {}  # url -> "" (answered) or what went wrong
    endpoints: dict[str, tuple[str, int] | None] = {}
    for url in urls:
        proxy = proxy_for(url)
        try:
            if proxy:
                endpoints[url] = _proxy_parts(proxy)
            else:
                parts = urlsplit(url)
                endpoints[url] = (parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        except ValueError:
            endpoints[url] = None
            answers[url] = f"{describe_proxy(url)} is not a valid address: fix or unset it"

    def ask(url: str, endpoint: tuple[str, int]) -> None:
        try:
            with socket.create_connection(endpoint, timeout=timeout):
                answers[url] = ""
        except (OSError, ValueError) as error:
            answers[url] = f"no answer from {_server(url).rstrip(',')} ({_reason(error)})"

    threads = [
        threading.Thread(target=ask, args=(url, endpoint), daemon=True)
        for url, endpoint in endpoints.items()
        if endpoint is not None
    ]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout + 0.5
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    answered = [url for url in prefer_https(urls) if answers.get(url) == ""]
    proxied = any(proxy_for(url) for url in urls)
    problems = [
        answers.get(url) or f"no answer from {_server(url).rstrip(',')} (timed out)"
        for url in urls
        if answers.get(url) != ""
    ]
    short = "the proxy did not answer" if proxied else "offline"
    return Probe(answered, short, "; ".join(dict.fromkeys(problems)), proxied)


def prefer_https(urls: Sequence[str]) -> list[str]:
    """``urls`` with the https ones first (otherwise in their order)."""
    return sorted(urls, key=lambda url: not url.startswith("https://"))


# --------------------------------------------------------------------------- one download


def _reason(error: BaseException) -> str:
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, socket.gaierror):
        return "its name could not be looked up"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "timed out"
    return str(getattr(error, "strerror", None) or error) or type(error).__name__


def _failure(error: BaseException, url: str) -> DownloadFailed:
    """Describe a failed request, naming the server and any proxy on the way."""
    server = _server(url)
    if isinstance(error, urllib.error.HTTPError):
        if error.code == 407:
            return DownloadFailed(
                f"{describe_proxy(url)} asks for a user name and password (HTTP 407): put them in "
                "the proxy variable, e.g. HTTPS_PROXY=http://user:password@proxy.example.org:3128",
                server_down=True,
            )
        return DownloadFailed(f"{server} answered HTTP {error.code} {error.reason} for {url}")
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    if isinstance(reason, ssl.SSLError):
        return DownloadFailed(
            f"the secure connection to {server} failed ({reason}); the course never falls back "
            f"to plain http for {url}",
            server_down=True,
        )
    if isinstance(reason, OSError) and "Tunnel connection failed" in str(reason):
        if "407" in str(reason):
            return _failure(urllib.error.HTTPError(url, 407, "", None, None), url)  # type: ignore[arg-type]
        return DownloadFailed(f"{server} refused to connect to it ({reason})", server_down=True)
    if isinstance(reason, TimeoutError):  # the socket's own limit ran out first
        return DownloadFailed(f"{server} did not answer in time for {url} (stalled)", server_down=True)
    if isinstance(error, ValueError):
        return DownloadFailed(f"{describe_proxy(url)} is not a valid address ({error}): fix or unset it", server_down=True)
    return DownloadFailed(f"{server} did not deliver {url} ({_reason(error)})", server_down=True)


def _open(url: str, timeout: float) -> http.client.HTTPResponse:
    """Send the request and wait at most ``timeout`` seconds for the answer to start."""
    opener = urllib.request.build_opener()  # reads the proxy variables now
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    box: dict[str, object] = {}
    finished, abandoned = threading.Event(), threading.Event()

    def work() -> None:  # in a thread, because a trickled answer can outlast any socket timeout
        try:
            box["response"] = opener.open(request, timeout=WINDOW_S)
        except BaseException as error:  # handed over to the caller below
            box["error"] = error
        finished.set()
        if abandoned.is_set() and "response" in box:
            box["response"].close()  # type: ignore[attr-defined]

    threading.Thread(target=work, daemon=True, name="course-download").start()
    if not finished.wait(timeout):
        abandoned.set()
        if "response" in box:
            box["response"].close()  # type: ignore[attr-defined]
        raise DownloadFailed(
            f"{_server(url)} accepted the connection but did not answer within {timeout:g} s "
            "(stalled)",
            server_down=True,
        )
    if "error" in box:
        raise _failure(box["error"], url)  # type: ignore[arg-type]
    return box["response"]  # type: ignore[return-value]


def fetch(url: str, destination: Path, md5: str, *, timeout: float = ANSWER_TIMEOUT_S) -> None:
    """Download ``url`` to ``destination`` and check its MD5; raise :class:`DownloadFailed`."""
    response = _open(url, timeout)
    server = _server(url)
    digest = hashlib.md5(usedforsecurity=False)
    received = window_bytes = 0
    window_start = time.monotonic()
    try:
        with destination.open("wb") as stream:
            while True:
                try:
                    chunk = response.read1(1 << 16)
                except TimeoutError:
                    raise DownloadFailed(
                        f"{server} stopped sending {url} for {WINDOW_S:g} s after {received:,} "
                        "bytes (stalled)", server_down=True) from None
                except (OSError, http.client.HTTPException) as error:
                    raise DownloadFailed(
                        f"the connection to {server} broke after {received:,} bytes of {url} "
                        f"({_reason(error)})") from None
                if not chunk:
                    break
                stream.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                now = time.monotonic()
                if received > MAX_BYTES:
                    raise DownloadFailed(f"{server} sent more than {MAX_BYTES:,} bytes for {url}")
                if now - window_start >= WINDOW_S:
                    if received - window_bytes < MIN_BYTES_PER_WINDOW:
                        raise DownloadFailed(
                            f"{server} is sending {url} far too slowly ({received - window_bytes:,} "
                            f"bytes in {now - window_start:.0f} s; stalled)", server_down=True)
                    window_start, window_bytes = now, received
    except OSError as error:  # writing failed: a full disk, a vanished folder
        raise DownloadFailed(f"cannot write {destination} ({_reason(error)})") from None
    finally:
        response.close()
    if response.length:  # the server promised more than it sent
        raise DownloadFailed(f"{server} closed the connection after {received:,} bytes of {url}")
    if digest.hexdigest() != md5:
        raise DownloadFailed(
            f"what {server} sent for {url} is not the expected file (its MD5 checksum is not "
            f"{md5}: an error page, or a damaged copy)"
        )


# --------------------------------------------------------------------------- whole datasets


def _quiet(line: str) -> None:
    pass


def download_files(mirrors: Sequence[str], files: dict[str, str], target: Path, *, what: str,
                   say: Callable[[str], None] = _quiet) -> None:
    """Download ``files`` (name -> MD5) into ``target`` from the first mirror that has each.

    Mirrors are tried https first; one that failed to answer is not asked again. Each file
    is verified in a scratch folder before it is moved into ``target``. Safe when several
    processes share ``target``: one downloads, the others wait and use its files.
    """
    target.mkdir(parents=True, exist_ok=True)

    def done() -> bool:
        try:
            return all(cached_file(target / name) for name in files)
        except (CorruptDataError, RuntimeError):
            return False

    with download_lock(target / ".download.lock", done=done, what=what, say=say) as mine:
        if not mine:
            return
        say(f"Downloading {what} into {target} ...")
        live = prefer_https(mirrors)
        deadline = time.monotonic() + ATTEMPT_TIMEOUT_S  # until a first mirror answers
        with scratch_folder(target) as scratch:
            down: list[str] = []  # why mirrors were dropped, for the files after them
            for name, md5 in files.items():
                problems = []
                for mirror in list(live):
                    wait = min(ANSWER_TIMEOUT_S, max(1.0, deadline - time.monotonic()))
                    try:
                        fetch(mirror + name, scratch / name, md5, timeout=wait)
                    except DownloadFailed as error:
                        problems.append(str(error))
                        if error.server_down:
                            live.remove(mirror)
                            down.append(str(error))
                        continue
                    deadline = float("inf")
                    publish(scratch / name, target / name)
                    break
                else:
                    raise DownloadFailed("; ".join(problems or down)
                                         or "no mirror was left to try: run this again later")


def download_archive(url: str, md5: str, root: Path, folder: str, members: dict[str, str], *,
                     what: str, say: Callable[[str], None] = _quiet) -> None:
    """Download the archive at ``url``, unpack ``members`` (path -> MD5) of ``folder`` into ``root``.

    The archive's MD5 is checked, then only the listed members are unpacked, with a path
    filter (nothing can be written outside the scratch folder), and each member's MD5 is
    checked before the folder is moved into place in one step. Safe for a shared ``root``.
    """
    target = root / folder

    def done() -> bool:
        try:
            return cached_folder(target)
        except (CorruptDataError, RuntimeError):
            return False

    lock = root / f".{folder}.lock"
    with download_lock(lock, done=done, what=what, say=say) as mine:
        if not mine:
            return
        say(f"Downloading {what} into {target} ...")
        with scratch_folder(root) as scratch:
            archive = scratch / Path(urlsplit(url).path).name
            fetch(url, archive, md5, timeout=ANSWER_TIMEOUT_S)
            extract_members(archive, scratch, members, origin=url)
            archive.unlink()
            for name, expected in members.items():
                if file_md5(scratch / name) != expected:
                    raise CorruptDataError(
                        f"{name} in the archive from {url} does not have the checksum the course "
                        f"expects ({expected}); nothing was put in {root}. Try again later."
                    )
            publish(scratch / folder, target)
