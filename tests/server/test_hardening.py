"""What a careless or hostile client cannot do to a real `serve` (granian, two workers): read
the process environment from the journal, reach the admin API through a namespace's prefix,
get an HTML page, or see a drop fault answer differently from one time to the next."""

from __future__ import annotations

import socket
import uuid

import pytest
import requests

from mockserver import SPAAZA_ADMIN, start_mock

PROXY_SECRET = "http://ci-user:hunter2-proxy@proxy.example:3128"


@pytest.fixture(scope="module")
def server():
    server = start_mock("--workers", "2", env={"HTTP_PROXY": PROXY_SECRET, "HTTP_X_CI_TOKEN": "ci-token-zzz"})
    yield server
    server.stop()


@pytest.fixture
def ns(server):
    return f"{server.url}/__mock/ns/h-{uuid.uuid4().hex[:10]}"


def _raw(url: str, path: str) -> bytes:
    """Everything the server sends for one GET before it closes the connection."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
        return data


def test_the_process_environment_is_never_journalled(ns):
    requests.get(f"{ns}/get-campaigns?chain_id=1762", headers=SPAAZA_ADMIN, timeout=10)
    [entry] = requests.get(f"{ns}/journal", timeout=10).json()["requests"]
    assert entry["headers"]["X-Spaaza-Session-User-Id"] == SPAAZA_ADMIN["X-Spaaza-Session-User-Id"]
    assert not {"Proxy", "X-Ci-Token"} & set(entry["headers"])
    assert "hunter2" not in str(entry) and "ci-token-zzz" not in str(entry)


def test_the_admin_api_is_not_reached_through_a_namespace_prefix_nor_journalled(server, ns):
    other = f"{server.url}/__mock/ns/h-{uuid.uuid4().hex[:10]}"
    sneaked = requests.post(f"{ns}{other.removeprefix(server.url)}/faults", json={"operation": "getCampaigns", "error": 217}, headers={"X-Mock-Admin-Token": "tkn"}, timeout=10)
    assert sneaked.status_code == 404 and sneaked.headers["Content-Type"] == "application/json" and "error" in sneaked.json()
    assert requests.get(f"{other}/faults", timeout=10).json() == {"faults": []}
    assert requests.get(f"{ns}/journal", timeout=10).json()["count"] == 0


@pytest.mark.parametrize("path", ["//get-campaigns", "/get-campaigns//", "//v15/campaigns/20/basic_v1", "/__mock//world", "//__mock/world"])
def test_a_double_slash_is_json_never_a_redirect_page(server, path):
    """(granian merges a leading //: those are then answered as the path they name.)"""
    response = requests.get(server.url + path, allow_redirects=False, timeout=10)
    assert 400 <= response.status_code < 500 and response.headers["Content-Type"] == "application/json"
    assert response.json()  # the vendor's envelope on a vendor path, the admin API's JSON on /__mock/


def test_a_drop_is_the_same_every_time_and_journalled_as_dropped(server, ns):
    n = 12
    assert requests.post(f"{ns}/faults", json={"operation": "getCampaignBasicV1", "drop": True, "times": n}, timeout=10).status_code == 201
    sent_each = [_raw(server.url, f"{ns.removeprefix(server.url)}/v15/campaigns/20/basic_v1") for _ in range(n)]
    seen = {b"\r\n".join(line for line in sent.split(b"\r\n") if not line.startswith(b"date:")) for sent in sent_each}
    assert len(seen) == 1, seen  # every drop alike
    [sent] = seen
    head, _, body = sent.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 500") and b"content-length: 1" in head.lower() and body == b""
    journal = requests.get(f"{ns}/journal", timeout=10).json()["requests"]
    assert len(journal) == n and {e["status"] for e in journal} == {None}
    # Then the fault is used up and the next request is answered.
    assert requests.get(f"{ns}/v15/campaigns/20/basic_v1", headers={"Authorization": "token x"}, timeout=10).status_code in (200, 401)


def test_the_server_logged_no_traceback(server):
    """(Last in this module.) Drops, refusals and double slashes log no traceback."""
    server.stop()
    assert b"Traceback" not in server.process.stderr.read()
