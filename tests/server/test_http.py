"""What every request gets, whatever the vendor: the vendor's shape for unknown routes,
methods and our own failures; forced errors and delays; the same bytes from every process."""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager

import pytest
import requests
from mockserver import LEVELUP_AUTH, SPAAZA_ADMIN, free_port, start_mock
from werkzeug.serving import make_server

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, spaaza_errors
from campaign_mock.contract.validate import violations
from campaign_mock.server import levelup, spaaza
from campaign_mock.server.answers import AnswerCache
from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig

DOCUMENTED = "/internal/get-campaigns?chain_id=1743&exclude_inactive=false"


@pytest.mark.parametrize("path", ["/", "/get-campaignz", "/internal/nope", "/v14/campaigns/20/basic_v1"])
def test_unknown_spaaza_route_is_a_spaaza_error(base_url, path):
    response = requests.get(base_url + path, timeout=10)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["result"] == {"code": 2, "status": "error"}


@pytest.mark.parametrize("path", ["/v15/campaigns", "/v15/campaigns/20", "/v15/anything/else/here"])
def test_unknown_levelup_route_is_a_levelup_error(base_url, path):
    response = requests.get(base_url + path, timeout=10)
    assert response.status_code == 404
    assert violations("levelup-errors.json", response.json()) == []


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
@pytest.mark.parametrize("path", ["/get-campaigns", "/internal/get-campaigns", "/get-campaign", "/v15/campaigns/20/basic_v1"])
def test_wrong_method_is_405_in_the_vendors_shape(base_url, method, path):
    response = requests.request(method, base_url + path, data="{}", timeout=10)
    assert response.status_code == 405
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Allow"] == "GET, HEAD"  # sorted: the same in every process
    body = response.json()
    if path.startswith("/v15/"):
        assert body == LEVELUP_ERRORS["method_not_allowed"].body()
    else:
        assert body["error"]["name"] == "method_not_allowed"


@pytest.mark.parametrize("method, path, status", [("GET", "/nope", 404), ("POST", "/get-campaigns?chain_id=1762", 405), ("POST", "/v15/campaigns/20/basic_v1", 405), ("GET", "/v15/nope", 404)])
def test_a_forced_error_does_not_hide_an_unknown_route_or_method(base_url, method, path, status):
    forced = "401" if path.startswith("/v15/") else "217"
    response = requests.request(method, base_url + path, headers={**SPAAZA_ADMIN, **LEVELUP_AUTH, "X-Mock-Error": forced}, timeout=10)
    assert response.status_code == status


@pytest.mark.parametrize("code", sorted(spaaza_errors()))
def test_forced_spaaza_error(base_url, code):
    response = requests.get(base_url + DOCUMENTED, headers={**SPAAZA_ADMIN, "X-Mock-Error": str(code)}, timeout=10)
    assert response.status_code == spaaza_errors()[code].http_status
    assert response.json() == spaaza_errors()[code].body()


@pytest.mark.parametrize("forced, key", [("401", "invalid_token"), ("404", "not_found"), *((k, k) for k in LEVELUP_ERRORS)])
def test_forced_levelup_error(base_url, forced, key):
    response = requests.get(base_url + "/v15/campaigns/20/basic_v1", headers={**LEVELUP_AUTH, "X-Mock-Error": forced}, timeout=10)
    assert response.status_code == LEVELUP_ERRORS[key].http_status
    assert response.json() == LEVELUP_ERRORS[key].body()
    # A 405 names the methods the resource takes, as the real one does (and nothing else does).
    assert response.headers.get("Allow") == ("GET, HEAD" if key == "method_not_allowed" else None)


@pytest.mark.parametrize("path", [DOCUMENTED, "/v15/campaigns/20/basic_v1"])
@pytest.mark.parametrize("value", ["9999", "no", "", pytest.param("2" * 5000, id="5000-digits"), "\u00b2"])
def test_forcing_something_undocumented_is_a_clear_400(base_url, path, value):
    response = requests.get(base_url + path, headers={"X-Mock-Error": value.encode("latin-1")}, timeout=10)
    assert response.status_code == 400
    assert "X-Mock-Error" in response.text


@pytest.mark.parametrize("path", [DOCUMENTED, "/v15/campaigns/20/basic_v1"])
@pytest.mark.parametrize("value", ["soon", "-5", pytest.param("1" * 5000, id="5000-digits"), "\u00b2"])
def test_a_malformed_delay_is_a_clear_400(base_url, path, value):
    response = requests.get(base_url + path, headers={"X-Mock-Delay-Ms": value.encode("latin-1")}, timeout=10)
    assert response.status_code == 400
    assert "X-Mock-Delay-Ms" in response.text


def test_forced_error_leaves_the_world_alone(base_url):
    before = requests.get(base_url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10).content
    requests.get(base_url + DOCUMENTED, headers={**SPAAZA_ADMIN, "X-Mock-Error": "217"}, timeout=10)
    assert requests.get(base_url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10).content == before


def test_forced_delay(base_url):
    started = time.monotonic()
    response = requests.get(base_url + DOCUMENTED, headers={**SPAAZA_ADMIN, "X-Mock-Delay-Ms": "600"}, timeout=10)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.6
    assert requests.get(base_url + DOCUMENTED, headers={"X-Mock-Delay-Ms": "soon"}, timeout=10).status_code == 400


@contextmanager
def serving(app):
    """`app` (an app the test holds, to plant or inspect) over a real socket, by werkzeug."""
    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()


def test_a_delay_past_the_cap_is_cut_to_the_cap():
    with serving(create_app(ServerConfig(max_delay_ms=300))) as url:
        started = time.monotonic()
        response = requests.get(url + DOCUMENTED, headers={**SPAAZA_ADMIN, "X-Mock-Delay-Ms": "999999999"}, timeout=10)
        waited = time.monotonic() - started
    assert response.status_code == 200
    assert 0.3 <= waited < 5  # cut to the 0.3 s cap (the upper bound is loose: shared machine)


def test_unexpected_exception_is_logged_and_answered_as_the_vendors_500(caplog, monkeypatch):
    """A planted failing view, of each vendor."""

    def boom(*_, **__):
        raise RuntimeError("planted")

    monkeypatch.setattr(spaaza, "answer_get_campaigns", boom)
    monkeypatch.setattr(levelup, "answer_campaign", boom)
    with serving(create_app()) as url:
        spaaza_answer = requests.get(url + DOCUMENTED + "&session_key=ghijklmnop", headers=SPAAZA_ADMIN, timeout=10)
        levelup_answer = requests.get(f"{url}/v15/campaigns/20/basic_v1", headers=LEVELUP_AUTH, timeout=10)
    assert spaaza_answer.status_code == 500 and spaaza_answer.json()["error"]["code"] == 9500
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("campaign_mock"))
    assert "chain_id=1743" in ours and "ghijklmnop" not in ours  # the request named, its secrets masked as in the journal
    assert "Traceback" not in spaaza_answer.text and "planted" not in spaaza_answer.text
    assert levelup_answer.status_code == 500 and levelup_answer.json() == LEVELUP_ERRORS["server_error"].body()
    assert caplog.text.count("the mock failed") == 2 and "RuntimeError: planted" in caplog.text  # with the trace, in the log


URLS = [
    (DOCUMENTED, SPAAZA_ADMIN),
    ("/get-campaigns?chain_id=1762&user_id=176201", SPAAZA_ADMIN),
    ("/get-campaigns?chain_id=1762&order_by=priority&campaign_type=loyalty,wallet", SPAAZA_ADMIN),
    ("/get-campaign?campaign_id=809&user_id=176202", SPAAZA_ADMIN),
    ("/v15/campaigns/30201/basic_v1", LEVELUP_AUTH),
    ("/v15/campaigns/30205/spend_based_gift_card_loyalty_v1", LEVELUP_AUTH),
    ("/get-campaigns?chain_id=1", SPAAZA_ADMIN),
]


def _bodies(url: str) -> list[tuple[int, bytes]]:
    return [(r.status_code, r.content) for r in (requests.get(url + path, headers=h, timeout=10) for path, h in URLS)]


def test_same_seed_same_bytes_across_processes_and_workers(base_url):
    """A second server process, with two workers, answers byte for byte like the first."""
    other = start_mock("--workers", "2")
    try:
        first, second = _bodies(base_url), _bodies(other.url)
        assert [s for s, _ in first] == [200, 200, 200, 200, 200, 200, 400]
        assert first == second
        assert _bodies(other.url) == second  # and again, whichever worker answers
    finally:
        other.stop()


def test_another_seed_gives_another_world(base_url):
    other = start_mock("--seed", "1")
    try:
        first, second = _bodies(base_url), _bodies(other.url)
        assert first[0] == second[0]  # the documented part is the same in every world
        assert first[1] != second[1]  # the generated part is not
    finally:
        other.stop()


@pytest.fixture
def counted(monkeypatch):
    """How often each vendor's view runs (in this process)."""
    runs = {"spaaza": 0, "levelup": 0}

    def counting(vendor, view):
        def run(*args, **kwargs):
            runs[vendor] += 1
            return view(*args, **kwargs)

        return run

    monkeypatch.setattr(spaaza, "answer_get_campaigns", counting("spaaza", spaaza.answer_get_campaigns))
    monkeypatch.setattr(levelup, "answer_campaign", counting("levelup", levelup.answer_campaign))
    return runs


@pytest.mark.parametrize("path, headers", [(DOCUMENTED, SPAAZA_ADMIN), ("/v15/campaigns/20/basic_v1", {}), ("/get-campaigns?chain_id=999999", SPAAZA_ADMIN)])
def test_a_cached_answer_is_the_first_answer_again(counted, path, headers):
    """The first request runs the view, the second is answered from the cache without it:
    same status, headers, bytes."""
    with serving(create_app()) as url:
        first, second = (requests.get(url + path, headers=headers, timeout=10) for _ in range(2))
    assert sum(counted.values()) == 1
    assert first.status_code == second.status_code
    for header in ("Content-Type", "Content-Length", "WWW-Authenticate", "Allow"):
        assert first.headers.get(header) == second.headers.get(header)
    assert first.content == second.content


def test_the_answer_cache_is_bounded_by_bytes(counted):
    """Answers of 40 KB each (a generated chain's campaigns) in a 100 KB cache: the newest two
    are kept, the oldest is computed again."""
    from campaign_mock.world.build import build_world

    world = build_world()
    app = create_app(ServerConfig(cache_bytes=100_000), world=world)

    def admin(chain):
        session = world.spaaza.sessions[chain * 100]
        return {"X-Spaaza-Session-User-Id": str(session.user_id), "X-Spaaza-Session-Key": session.key}

    with serving(app) as url, requests.Session() as http:
        def get(chain):
            answer = http.get(f"{url}/get-campaigns?chain_id={chain}", headers=admin(chain), timeout=10)
            assert answer.status_code == 200 and len(answer.content) > 35_000
            return counted["spaaza"]

        assert [get(chain) for chain in (5001, 5002, 5003)] == [1, 2, 3]
        assert get(5003) == get(5002) == 3  # the newest: kept
        assert get(5001) == 4  # the oldest: gone, computed again
    assert 0 < app.config["CAMPAIGN_MOCK_STATE"].cache.size <= 100_000


def test_the_answer_cache_counts_the_request_keys_bytes():
    """Tiny answers to requests with kilobytes of junk each: the junk is what the cache would
    hold, so it counts toward the bound (10,000 such requests grew a worker by 170 MB)."""
    app = create_app(ServerConfig(cache_bytes=100_000))
    cache = app.config["CAMPAIGN_MOCK_STATE"].cache
    junk = "x" * 16_384
    with serving(app) as url, requests.Session() as http:
        for i in range(30):
            assert http.get(f"{url}/get-campaigns?chain_id=1762&pad{i}={junk}", timeout=10).status_code == 401
    assert cache.size <= 100_000 and len(cache) == 5  # 17 KB and more each


def test_the_same_request_again_is_replayed_with_its_journal_entry(monkeypatch):
    """The second identical request skips steps 1-4: it is answered (same bytes) and journalled
    (same entry but for its latency and time) even with the namespace's state planted to fail,
    which a request not seen before meets."""
    app = create_app()
    pipeline = app.wsgi_app
    with serving(app) as url, requests.Session() as http:
        first = http.get(url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10)
        with monkeypatch.context() as planted:
            planted.setattr(pipeline.runtime, "view", lambda ns: 1 / 0)
            again = http.get(url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10)
            other = http.get(url + DOCUMENTED + "&other=1", headers=SPAAZA_ADMIN, timeout=10)
        journal = http.get(url + "/__mock/journal", timeout=10).json()["requests"]
    assert first.status_code == again.status_code == 200 and first.content == again.content
    assert first.headers["Content-Length"] == again.headers["Content-Length"]
    assert other.status_code == 500  # (not replayed: it met the planted failure)
    one, two = ({k: v for k, v in entry.items() if k not in ("seq", "time", "latency_ms")} for entry in journal[:2])
    assert one == two and one["status"] == 200 and one["headers"]["X-Spaaza-Session-Key"] != SPAAZA_ADMIN["X-Spaaza-Session-Key"]  # (masked)


@pytest.mark.parametrize("change, path, body, seen", [
    ("post", "/__mock/faults", {"path": "/internal/get-campaigns", "error": 217}, lambda entry: entry["status"] == 400 and entry["fault"] == "f1"),
    ("put", "/__mock/clock", {"now": "2031-01-01T00:00:00Z"}, lambda entry: entry["status"] == 200 and entry["clock"].startswith("2031-01-01")),
])
def test_a_state_change_ends_every_replay(change, path, body, seen):
    """Replays are by state generation: after a fault is armed or the clock moved, the same
    request is answered, and journalled, from the new state."""
    with serving(create_app()) as url, requests.Session() as http:
        for _ in range(2):
            assert http.get(url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10).status_code == 200
        assert getattr(http, change)(url + path, json=body, timeout=10).status_code in (200, 201)
        http.get(url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10)
        journal = http.get(url + "/__mock/journal", timeout=10).json()["requests"]
    assert [seen(entry) for entry in journal] == [False, False, True]


def test_a_replay_is_only_for_requests_that_read_its_generation(monkeypatch):
    """A replay kept by a request that raced a state change (other threads forgot and kept
    replays meanwhile) is still tagged with the generation its request read: a request that
    reads another is answered anew."""
    app = create_app()
    pipeline = app.wsgi_app
    with serving(app) as url, requests.Session() as http:
        for _ in range(2):
            assert http.get(url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10).status_code == 200
        assert pipeline.cache.replays() == 1
        moved = pipeline.runtime.generation() + 1
        pipeline.cache.replays_of = moved  # (as a racing thread leaves it)
        monkeypatch.setattr(pipeline.runtime, "generation", lambda: moved)
        monkeypatch.setattr(pipeline.runtime, "view", lambda ns: 1 / 0)
        assert http.get(url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10).status_code == 500  # (not replayed)


def test_a_forced_delay_is_never_replayed():
    with serving(create_app()) as url, requests.Session() as http:
        assert http.get(url + DOCUMENTED, headers=SPAAZA_ADMIN, timeout=10).status_code == 200  # (cached)
        for _ in range(2):
            started = time.monotonic()
            assert http.get(url + DOCUMENTED, headers={**SPAAZA_ADMIN, "X-Mock-Delay-Ms": "300"}, timeout=10).status_code == 200
            assert time.monotonic() - started >= 0.3


def test_a_replayed_head_request_has_no_body():
    """(At the WSGI interface: a server may or may not drop a HEAD's body for us.)"""
    client = create_app().test_client()
    heads = [client.head(DOCUMENTED, headers=SPAAZA_ADMIN) for _ in range(3)]
    assert [(h.status_code, h.data) for h in heads] == [(200, b"")] * 3
    assert int(heads[2].headers["Content-Length"]) > 1000


def test_replays_count_toward_the_cache_bound_and_hold_only_answers_it_holds():
    from campaign_mock.server.answers import Answer

    cache = AnswerCache(max_bytes=20_000)
    cache.forget_replays(0)
    identity = lambda i, value="v": ("GET", f"/p{i}", "", (("X-A",), (value,)))  # noqa: E731
    answers = [cache.keep(("key", i), Answer("200 OK", [], b"x" * 1000, None)) for i in range(5)]  # ~10 KB
    cache.keep_replay(0, identity(0), ("key", 0), None)  # type: ignore[arg-type]
    assert cache.replays() == 1 and cache.replay(identity(0)) == (answers[0], None, 0)
    kept = []
    for i in range(1, 30):  # ~1 KB each: about 9 fit beside the answers, then they all go at once
        cache.keep_replay(0, identity(i), ("key", i % 5), None)  # type: ignore[arg-type]
        kept.append(cache.replays())
        assert cache.size + cache.replay_size <= 20_000
    assert max(kept) < 12 and 1 in kept[5:]  # (started again)
    cache.keep_replay(0, identity(1, "x" * 20_000), ("key", 1), None)  # type: ignore[arg-type]
    assert cache.replay(identity(1, "x" * 20_000)) is None  # larger than what the answers leave
    cache.keep_replay(0, identity(99), ("key", 99), None)  # type: ignore[arg-type]
    assert cache.replay(identity(99)) is None  # no answer kept under that key
    cache.keep_replay(0, identity(0), ("key", 0), None)  # type: ignore[arg-type]
    for i in range(5, 20):  # answers let go: every replay with them
        cache.keep(("key", i), Answer("200 OK", [], b"x" * 1000, None))
    assert cache.replays() == 0 and cache.size <= 20_000


def test_replays_count_the_header_names_they_keep():
    """A client whose header names are too long for their shape to be kept (server/headers.py)
    sends new name strings with every request, and each replay keeps them (in its request and
    its journal record): they count toward the bound like the values do."""
    app = create_app(ServerConfig(cache_bytes=200_000))
    cache = app.config["CAMPAIGN_MOCK_STATE"].cache
    long_names = {f"X-{'n' * 800}-{j}": "v" for j in range(50)}  # 40 KB of names, 50 bytes of values
    with serving(app) as url, requests.Session() as http:
        for i in range(30):
            assert http.get(url + DOCUMENTED, headers={**SPAAZA_ADMIN, **long_names, "X-Request": str(i)}, timeout=10).status_code == 200
    held = sum(1024 + len(path) + len(query) + sum(map(len, names)) + sum(map(len, values)) for _, path, query, (names, values) in cache._replays)
    assert cache.replays() >= 1 and cache.size + held <= cache.max_bytes


@pytest.mark.parametrize("hostname, code", [(b"\xff\xfe.example", 238), (b"caf\xc3\xa9.example", 238), (b"", 238), (None, 269)])
def test_an_app_hostname_that_is_not_ascii_names_no_app(base_url, hostname, code):
    """Raw bytes on the socket: no HTTP client sends invalid UTF-8 in a header."""
    from campaign_mock.world.build import build_world

    session = build_world().spaaza.sessions[176201]
    head = f"GET /get-campaigns?chain_id=1762 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Spaaza-Session-User-Id: {session.user_id}\r\nX-Spaaza-Session-Key: {session.key}\r\n".encode()
    if hostname is not None:
        head += b"X-Spaaza-MyPrice-App-Hostname: " + hostname + b"\r\n"
    host, port = base_url.rsplit("/", 1)[-1].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head + b"\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["error"]["code"] == code


# A parameter given twice counts with its first value, for every parameter alike (Spaaza
# documents nothing; contract/facts.query_value, which the checker reads requests by). One
# parameter of each kind whose two values give different answers on the documented chain.
@pytest.mark.parametrize("path, name, first, second, rest", [
    ("/get-campaigns", "chain_id", "5001", "1762", {}),
    ("/get-campaigns", "campaign_type", "loyalty", "cashback", {"chain_id": "1762"}),
    ("/get-campaigns", "exclude_inactive", "false", "true", {"chain_id": "1762"}),
    ("/get-campaigns", "user_id", "176202", "176201", {"chain_id": "1762"}),
    ("/get-campaign", "campaign_id", "809", "2011", {}),
    ("/get-campaigns", "auth_method", "session", "bearer", {"chain_id": "1762"}),
])
def test_a_repeated_query_parameter_counts_with_its_first_value(base_url, path, name, first, second, rest):
    def get(query):
        return requests.get(base_url + path, params=query, headers=SPAAZA_ADMIN, timeout=10)

    repeated = get([*rest.items(), (name, first), (name, second)])
    only_first, only_second = get({**rest, name: first}), get({**rest, name: second})
    assert (repeated.status_code, repeated.content) == (only_first.status_code, only_first.content)
    assert (only_first.status_code, only_first.content) != (only_second.status_code, only_second.content)  # the test can tell
    from campaign_mock.check.exchange import from_requests

    assert from_requests(repeated).query[name] == first  # the checker reads it the same way
