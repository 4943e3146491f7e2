"""The admin API's access rules (server/access.py), one request environ at a time: the browser
cases that a real browser cannot be made to send (a foreign Host, another site's form) and
the combinations with a token and read-only mode. tests/server/test_console.py sends the same
over HTTP to a real server."""

from __future__ import annotations

import pytest

from campaign_mock.server.access import is_loopback_host, refusal
from campaign_mock.server.errors import INPUT_STATUS

ADMIN = "/__mock/ns/qa/faults"


def status(refused) -> int:
    """The HTTP status the admin API answers a refusal with."""
    return INPUT_STATUS[refused.kind]


def environ(method="GET", path=ADMIN, host="127.0.0.1:8080", **headers) -> dict:
    env = {"REQUEST_METHOD": method, "PATH_INFO": path, "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": host}
    env.update({"HTTP_" + k.upper(): v for k, v in headers.items()})
    return env


@pytest.mark.parametrize("host", ["localhost", "localhost:8080", "LOCALHOST.:8080", "app.localhost:3000", "127.0.0.1", "127.0.0.1:8080", "127.9.9.9:1", "[::1]:8080", "[::1]", "[::ffff:127.0.0.1]:80"])
def test_loopback_hosts(host):
    assert is_loopback_host(host)
    assert refusal(environ(host=host), None) is None


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.evil.example:8080", "10.0.0.7:8080", "0.0.0.0:8080", "", "[::1", "campaign-mock:8080"])
def test_without_a_token_a_foreign_host_is_refused_as_dns_rebinding(host):
    assert not is_loopback_host(host)
    refused = refusal(environ(host=host), None)
    assert status(refused) == 403 and refused.field == "Host"
    assert refusal(environ(path="/__mock/ui/", host=host), None).field == "Host"  # the console too
    assert refusal(environ(path="/__mock/health", host=host), None) is None  # health is for everyone
    # With a token, a compose service name (any Host) works.
    assert refusal(environ(host=host, x_mock_admin_token="t"), "t") is None


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("sent_by", [
    {"sec_fetch_site": "cross-site"}, {"sec_fetch_site": "same-site"},  # another port of localhost is same-site
    {"origin": "http://evil.example"}, {"origin": "http://127.0.0.1:8081"}, {"origin": "http://localhost:8080"}, {"origin": "null"},
    {"origin": "http://127.0.0.1:8080", "sec_fetch_site": "cross-site"},
])
def test_a_state_change_from_another_site_is_refused_token_or_not(method, sent_by):
    refused = refusal(environ(method, **sent_by), None)
    assert status(refused) == 403 and refused.field in ("Origin", "Sec-Fetch-Site")
    assert status(refusal(environ(method, **sent_by, x_mock_admin_token="t"), "t")) == 403
    assert refusal(environ("GET", **sent_by), None) is None  # reading: the browser keeps the answer from the page


@pytest.mark.parametrize("sent_by", [
    {}, {"sec_fetch_site": "same-origin", "origin": "http://127.0.0.1:8080"}, {"sec_fetch_site": "none"}, {"origin": "http://127.0.0.1:8080"},
])
def test_the_console_and_clients_outside_a_browser_may_change_state(sent_by):
    assert refusal(environ("POST", **sent_by), None) is None


def test_behind_a_tls_proxy_the_origin_matches_the_host_by_its_scheme():
    assert refusal(environ("POST", host="mock.example", origin="https://mock.example", x_mock_admin_token="t"), "t") is None
    assert refusal(environ("POST", host="mock.example:443", origin="https://mock.example", x_mock_admin_token="t"), "t") is None
    assert refusal(environ("POST", host="mock.example", origin="https://other.example", x_mock_admin_token="t"), "t").field == "Origin"


def test_with_a_token_the_console_files_load_without_it_and_nothing_else_does():
    for path in ("/__mock/ui", "/__mock/ui/", "/__mock/ui/console.js"):
        assert refusal(environ(path=path), "t") is None
    for path in ("/__mock/uix", "/__mock/world", "/__mock/ns/qa/world/chains"):
        assert status(refusal(environ(path=path), "t")) == 401


def test_read_only_refuses_every_state_change_and_no_read():
    for method in ("POST", "PUT", "DELETE"):
        refused = refusal(environ(method), None, read_only=True)
        assert status(refused) == 403 and "--read-only-admin" in refused.message
        assert status(refusal(environ(method, x_mock_admin_token="u"), "t", read_only=True)) == 401  # who asks, first
    for method in ("GET", "HEAD"):
        assert refusal(environ(method), None, read_only=True) is None
