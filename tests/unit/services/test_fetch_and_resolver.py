"""The safe fetcher and the controller resolver, against a real local HTTP server."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from issuer.dataintegrity import multikey
from issuer.services.fetch import FetchError, FetchPolicy, NotFetched, fetch
from issuer.services.resolver import TTLCache, did_web_url, make_controller_resolver

KEY = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}
    hits: list = []

    def do_GET(self):  # noqa: N802 (http.server API)
        self.hits.append(self.path)
        route = self.routes.get(self.path)
        if route is None:
            self.send_response(404)
            self.end_headers()
            return
        status, headers, body = route
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield base
    httpd.shutdown()
    httpd.server_close()


LOCAL = FetchPolicy(allow_private=True, max_bytes=1000, max_redirects=2, deadline=5)


def route(path, status=200, body=b"{}", headers=None):
    Handler.routes[path] = (status, headers or {"Content-Type": "application/json"}, body)


def test_fetches_json(server):
    route("/doc", body=b'{"a": 1}')
    fetched = fetch(server + "/doc", policy=LOCAL)
    assert fetched.json() == {"a": 1}
    assert fetched.url == server + "/doc"


def test_loopback_is_refused_by_default(server):
    route("/doc2")
    with pytest.raises(FetchError, match="private, loopback or reserved"):
        fetch(server + "/doc2")


@pytest.mark.parametrize("url", ["http://10.0.0.1/x", "http://192.168.1.1/x", "http://169.254.169.254/latest",
                                 "http://[::1]/x", "http://0.0.0.0/x", "http://localhost/x",
                                 "http://[::ffff:127.0.0.1]/x"])
def test_private_addresses_are_refused_before_connecting(url):
    with pytest.raises(FetchError, match="refusing"):
        fetch(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x/", "javascript:alert(1)",
                                 "http://user:pw@example.org/"])
def test_only_plain_http_urls(url):
    with pytest.raises(FetchError, match="refusing"):
        fetch(url, policy=LOCAL)


def test_redirects_are_followed_a_few_times(server):
    route("/r1", status=302, headers={"Location": "/r2"})
    route("/r2", status=301, headers={"Location": "/final"})
    route("/final", body=b'{"ok": true}')
    assert fetch(server + "/r1", policy=LOCAL).json() == {"ok": True}
    route("/loop", status=302, headers={"Location": "/loop"})
    with pytest.raises(FetchError, match="redirected more than 2 times"):
        fetch(server + "/loop", policy=LOCAL)


def test_every_redirect_hop_is_checked_again(server):
    route("/to-file", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(FetchError, match="only http"):
        fetch(server + "/to-file", policy=LOCAL)


def test_size_is_capped(server):
    route("/big", body=b"[" + b"1," * 2000 + b"1]")
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetch(server + "/big", policy=LOCAL)


def test_http_errors_are_reasons(server):
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(server + "/missing", policy=LOCAL)
    route("/html", body=b"<html>", headers={"Content-Type": "text/html"})
    with pytest.raises(FetchError, match="did not return JSON"):
        fetch(server + "/html", policy=LOCAL).json()


def test_unreachable_port_is_a_reason():
    with pytest.raises(FetchError, match="cannot fetch"):
        fetch("http://127.0.0.1:9/x", policy=LOCAL)


@pytest.mark.parametrize(("did", "url"), [
    ("did:web:example.com", "https://example.com/.well-known/did.json"),
    ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
    ("did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json"),
    ("did:web:example.com%3A3000:issuers:x", "https://example.com:3000/issuers/x/did.json"),
])
def test_did_web_urls(did, url):
    assert did_web_url(did) == url


def test_resolver_uses_local_documents_first_and_did_key_offline():
    local_doc = multikey.controller_document("did:web:badges.example.org", [KEY])
    resolve = make_controller_resolver(local=lambda i: local_doc if i == local_doc["id"] else None,
                                       network=False, cache=None)
    assert resolve("did:web:badges.example.org") is local_doc
    assert resolve("did:key:" + KEY)["verificationMethod"][0]["publicKeyMultibase"] == KEY
    with pytest.raises(NotFetched, match="offline"):  # would be fetched, but network is off
        resolve("did:web:elsewhere.example")
    assert resolve("urn:uuid:1") is None  # nothing to fetch it from


def test_resolver_fetches_profiles_and_caches_them(server):
    profile = multikey.controller_document(server + "/issuers/1", [KEY])
    route("/issuers/1", body=json.dumps(profile).encode())
    resolve = make_controller_resolver(policy=FetchPolicy(allow_private=True), cache=TTLCache(ttl=60))
    Handler.hits.clear()
    assert resolve(server + "/issuers/1") == profile
    assert resolve(server + "/issuers/1") == profile
    assert Handler.hits == ["/issuers/1"]  # second answer from the cache


def test_resolver_failure_is_a_fetch_error(server):
    resolve = make_controller_resolver(policy=FetchPolicy(allow_private=True), cache=None)
    with pytest.raises(FetchError):
        resolve(server + "/issuers/nobody")
