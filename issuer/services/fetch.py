"""Fetch a document from the web for verification, safely (no SSRF, bounded size and time).

Used for other issuers' DID documents, issuer profiles, status lists and credentials given
by URL. Every hop of a redirect chain is checked: only http(s), only public addresses (unless
``allow_private`` is set for development and tests), at most ``max_redirects`` hops, at most
``max_bytes`` of body, and a deadline for the whole fetch. The connection goes to the very IP
address that was checked (no DNS rebinding), with the host name kept for TLS and Host.

:func:`post` sends a body the same way (webhooks): one hop (a redirect is an answer, never
followed), the same address checks, and at most ``max_bytes`` of the answer kept.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3

from issuer import jsontext
from issuer.errors import IssuerError


class FetchError(IssuerError):
    """The document could not be fetched (refused, unreachable, too big, too slow, not JSON)."""

    title = "Could not fetch"
    status = 422


class NotFetched(FetchError):
    """Fetching from other servers is turned off (``issuer verify --offline``), so a document
    that would have been fetched was not."""

    def __init__(self, url: str):
        self.url = url
        super().__init__("not fetched: offline")


class HttpStatusError(FetchError):
    """The server answered with a status other than 200 (after redirects): ``http_status``."""

    def __init__(self, url: str, http_status: int):
        self.url, self.http_status = url, http_status
        super().__init__(f"{url} answered HTTP {http_status}")


@dataclass(frozen=True)
class Fetched:
    url: str  # final URL, after redirects
    content_type: str
    body: bytes

    def json(self) -> Any:
        try:
            return jsontext.loads(self.body)
        except jsontext.JSONTextError as exc:
            raise FetchError(f"{self.url} did not return JSON: {exc}") from None


@dataclass(frozen=True)
class FetchPolicy:
    allow_private: bool = False
    max_bytes: int = 1024 * 1024
    max_redirects: int = 3
    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    deadline: float = 10.0
    user_agent: str = "issuer-verifier/0.1 (Open Badges 3.0)"


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


# DNS lookups run here so that a resolver that does not answer cannot hold a request past
# its deadline (getaddrinfo itself has no timeout). A stuck lookup keeps its thread until the
# system resolver gives up; with every thread stuck, further lookups time out in the queue.
_DNS_POOL = concurrent.futures.ThreadPoolExecutor(max_workers=8, thread_name_prefix="dns")


def _resolve(host: str, port: int, policy: FetchPolicy, timeout: float | None = None) -> str:
    """One checked IP address for ``host``; raises FetchError for a forbidden one, or when the
    name does not resolve within ``timeout`` seconds (default: the connect timeout)."""
    timeout = policy.connect_timeout if timeout is None else timeout
    lookup = _DNS_POOL.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        infos = lookup.result(timeout=timeout)
    except concurrent.futures.TimeoutError:
        lookup.cancel()
        raise FetchError(f"cannot resolve {host}: no answer within {timeout:.1f} s") from None
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(f"cannot resolve {host}: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise FetchError(f"cannot resolve {host}")
    if not policy.allow_private:
        forbidden = [a for a in addresses if not _is_public(a)]
        if forbidden:
            raise FetchError(
                f"refusing to fetch from {host}: it resolves to a private, loopback or reserved "
                f"address ({forbidden[0]})"
            )
    return str(addresses[0])


def fetch(url: str, *, policy: FetchPolicy = FetchPolicy(), accept: str = "application/json") -> Fetched:
    """GET ``url`` under ``policy``. Raises FetchError with a readable reason."""
    started = time.monotonic()
    current = url
    for _hop in range(policy.max_redirects + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(f"refusing to fetch {current!r}: only http(s) URLs are fetched")
        if parts.username or parts.password:
            raise FetchError("refusing to fetch a URL with credentials in it")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        remaining = policy.deadline - (time.monotonic() - started)
        if remaining <= 0:
            raise FetchError(f"fetching {url} took longer than {policy.deadline:.0f} s")
        address = _resolve(parts.hostname, port, policy, min(policy.connect_timeout, remaining))
        response = _get(parts, address, port, accept, policy, remaining)
        if response.status in (301, 302, 303, 307, 308):
            location = response.headers.get("Location")
            response.release_conn()
            if not location:
                raise FetchError(f"{current} redirected without a Location")
            current = urljoin(current, location)
            continue
        try:
            if response.status != 200:
                raise HttpStatusError(current, response.status)
            body = _read_capped(response, policy, started)
        finally:
            response.release_conn()
        return Fetched(current, response.headers.get("Content-Type", ""), body)
    raise FetchError(f"{url} redirected more than {policy.max_redirects} times")


@dataclass(frozen=True)
class Posted:
    """The answer to a POST: its status and the first ``max_bytes`` of its body."""

    status: int
    body: bytes
    truncated: bool  # the answer was longer than the body kept


def post(url: str, body: bytes, *, headers: dict[str, str], policy: FetchPolicy = FetchPolicy()
         ) -> Posted:
    """POST ``body`` to ``url`` under ``policy`` (no redirects followed). Raises FetchError
    when the request could not be made or answered (refused address, timeout, reset)."""
    started = time.monotonic()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"refusing to send to {url!r}: only http(s) URLs are used")
    if parts.username or parts.password:
        raise FetchError("refusing to send to a URL with credentials in it")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchError(f"refusing to send to {url!r}: invalid port") from None
    address = _resolve(parts.hostname, port, policy)
    response = _get(parts, address, port, "*/*", policy, policy.deadline,
                    method="POST", body=body, extra_headers=headers)
    try:
        kept, truncated, size = [], False, 0
        try:
            for chunk in response.stream(min(16384, policy.max_bytes + 1),
                                         decode_content=False):
                if size + len(chunk) > policy.max_bytes:
                    kept.append(chunk[:policy.max_bytes - size])
                    truncated = True
                    break
                size += len(chunk)
                kept.append(chunk)
                if time.monotonic() - started > policy.deadline:
                    raise FetchError(f"the answer took longer than {policy.deadline:.0f} s")
        except urllib3.exceptions.HTTPError as exc:
            raise FetchError(f"the answer broke off: {exc.__class__.__name__}") from None
    finally:
        response.release_conn()
    return Posted(response.status, b"".join(kept), truncated)


def _get(parts, address: str, port: int, accept: str, policy: FetchPolicy, remaining: float,
         *, method: str = "GET", body: bytes | None = None,
         extra_headers: dict[str, str] | None = None):
    timeout = urllib3.Timeout(connect=min(policy.connect_timeout, remaining),
                              read=min(policy.read_timeout, remaining))
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    headers = {"Host": host_header, "Accept": accept, "User-Agent": policy.user_agent,
               **(extra_headers or {})}
    if parts.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address, port, timeout=timeout, retries=False, maxsize=1,
            server_hostname=parts.hostname, assert_hostname=parts.hostname,
            cert_reqs="CERT_REQUIRED",
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        return pool.urlopen(method, path, body=body, headers=headers, redirect=False,
                            preload_content=False, assert_same_host=False)
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(f"cannot fetch {parts.geturl()}: {exc.__class__.__name__}") from None


def _read_capped(response, policy: FetchPolicy, started: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > policy.max_bytes:
        raise FetchError(f"the document is larger than {policy.max_bytes} bytes")
    chunks, size = [], 0
    try:
        for chunk in response.stream(16384, decode_content=True):
            size += len(chunk)
            if size > policy.max_bytes:
                raise FetchError(f"the document is larger than {policy.max_bytes} bytes")
            if time.monotonic() - started > policy.deadline:
                raise FetchError(f"fetching took longer than {policy.deadline:.0f} s")
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError as exc:
        raise FetchError(f"the download failed: {exc.__class__.__name__}") from None
    return b"".join(chunks)
