"""A DNS resolver that does not answer cannot hold a fetch past its connect timeout/deadline
(getaddrinfo has no timeout of its own). The slow resolver is injected; nothing is fetched."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from issuer.services.fetch import FetchError, FetchPolicy, fetch


@pytest.fixture
def hanging_dns(monkeypatch):
    release = threading.Event()

    def slow(host, *args, **kwargs):
        release.wait(5)  # a resolver that takes its time (released at teardown)
        raise socket.gaierror(socket.EAI_AGAIN, "temporary failure")

    monkeypatch.setattr(socket, "getaddrinfo", slow)
    yield
    release.set()


@pytest.mark.parametrize(("policy", "limit"), [
    (FetchPolicy(connect_timeout=0.3), 1.0),
    (FetchPolicy(connect_timeout=3, deadline=0.4), 1.0),
])
def test_a_hanging_lookup_is_cut_off(hanging_dns, policy, limit):
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"cannot resolve slow\.example: no answer within"):
        fetch("https://slow.example/profile", policy=policy)
    assert time.monotonic() - started < limit


def test_a_failing_lookup_is_reported(monkeypatch):
    def failing(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", failing)
    with pytest.raises(FetchError, match="cannot resolve nowhere.example: .*not known"):
        fetch("https://nowhere.example/x")
