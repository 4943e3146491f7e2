"""Runtime pieces on their own: the admin guard, the start-up refusal, journal bounds."""

from __future__ import annotations

import pytest

from campaign_mock.runtime import JournalFilter, MemoryStore, SQLiteStore
from campaign_mock.runtime.redis_store import RedisStore
from campaign_mock.server.access import is_loopback, refusal
from campaign_mock.server.errors import INPUT_STATUS
from campaign_mock.server.config import ServerConfig
from campaign_mock.server.run import AddressError, run


@pytest.mark.parametrize("address", ["10.0.0.7", "192.168.1.2", "8.8.8.8", "::ffff:10.0.0.7", "2001:db8::1", "", "garbage"])
def test_the_admin_api_refuses_a_non_loopback_client_without_a_token(address):
    refused = refusal({"PATH_INFO": "/__mock/world", "REMOTE_ADDR": address}, None)
    assert refused is not None and INPUT_STATUS[refused.kind] == 403
    assert refusal({"PATH_INFO": "/__mock/health", "REMOTE_ADDR": address}, None) is None  # health is for everyone
    assert refusal({"PATH_INFO": "/__mock/world", "REMOTE_ADDR": address, "HTTP_X_MOCK_ADMIN_TOKEN": "t"}, "t") is None
    assert INPUT_STATUS[refusal({"PATH_INFO": "/__mock/world", "REMOTE_ADDR": address, "HTTP_X_MOCK_ADMIN_TOKEN": "u"}, "t").kind] == 401


@pytest.mark.parametrize("address", ["127.0.0.1", "127.3.4.5", "::1", "::ffff:127.0.0.1"])
def test_loopback_clients_need_no_token_unless_one_is_set(address):
    assert is_loopback(address)
    assert refusal({"PATH_INFO": "/__mock/ns/x/faults", "REMOTE_ADDR": address}, None) is None
    assert INPUT_STATUS[refusal({"PATH_INFO": "/__mock/ns/x/faults", "REMOTE_ADDR": address}, "t").kind] == 401


def test_serving_on_a_non_loopback_host_without_a_token_is_refused_at_start_up():
    with pytest.raises(AddressError, match="--admin-token"):
        run("0.0.0.0", 0, ServerConfig(), 1, 1)


def _entries(ns: str, n: int) -> list[tuple]:
    """Journal rows (runtime/store.COLUMNS) for paths /p0 .. /p<n-1>."""
    return [(ns, "GET", f"/p{i}", "", ((), ()), 200, None, None, None, 0.1, 0.0, "[null, null, null]") for i in range(n)]


def _store(kind: str, tmp_path, request):
    """A store of `kind` keeping 5 journal entries a namespace and 8 in all."""
    if kind == "memory":
        return MemoryStore(5, 8)
    if kind == "sqlite":
        return SQLiteStore(tmp_path / "s.sqlite", 5, 8)
    return RedisStore(request.getfixturevalue("redis_url"), 5, 8)


def _paths(found) -> list[str]:
    return [row[2] for _, row in found[0]]


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_the_journal_is_bounded_per_namespace_and_in_all_and_counts_what_it_dropped(tmp_path, kind, request):
    store = _store(kind, tmp_path, request)
    store.append(_entries("a", 7))
    assert _paths(store.journal("a", JournalFilter())) == ["/p2", "/p3", "/p4", "/p5", "/p6"] and store.journal("a", JournalFilter())[1] == 2
    store.append(_entries("b", 5))  # 10 kept in all > 8: a's two oldest go
    assert _paths(store.journal("a", JournalFilter())) == ["/p4", "/p5", "/p6"]
    assert store.journal("a", JournalFilter())[1] == 4 and store.journal("b", JournalFilter()) [1] == 0
    assert _paths(store.journal("b", JournalFilter(limit=2))) == ["/p3", "/p4"]
    assert _paths(store.journal("b", JournalFilter(path="/p1", status=200))) == ["/p1"]
    assert {"a", "b"} <= set(store.namespaces())
    store.clear_journal("a")
    assert store.journal("a", JournalFilter()) == ([], 0)
    store.close()


def test_a_namespace_whose_kept_state_no_longer_builds_answers_the_vendors_500():
    """E.g. --state FILE kept a scenario that the server's own scenarios now clash with."""
    from campaign_mock.server.app import create_app

    app = create_app()
    runtime = app.config["CAMPAIGN_MOCK_STATE"].runtime
    runtime.store.update("kept", lambda state: ({**state, "scenarios": [{"name": "x", "text": "spaaza: 1", "document": None}]}, None, True))
    client = app.test_client()
    spaaza = client.get("/__mock/ns/kept/get-campaigns?chain_id=1762")
    assert spaaza.status_code == 500 and spaaza.json["error"]["code"] == 9500
    assert client.get("/__mock/ns/kept/v15/campaigns/20/basic_v1").status_code == 500
    assert client.get("/get-campaigns?chain_id=1762").status_code == 401  # other namespaces unharmed


@pytest.mark.parametrize("kind", ["memory", "sqlite", "redis"])
def test_a_cleared_or_reset_namespace_no_longer_counts_toward_the_total_bound(tmp_path, kind, request):
    store = _store(kind, tmp_path, request)
    store.append(_entries("a", 4))
    store.append(_entries("b", 4))
    store.clear_journal("b")
    store.append(_entries("c", 4))
    store.forget("c")
    store.append(_entries("a", 1))  # 5 kept in all: nothing to drop
    found, dropped = store.journal("a", JournalFilter())
    assert len(found) == 5 and dropped == 0
    for _ in range(40):  # entries trimmed per namespace are not counted either
        store.append(_entries("d", 5))
    assert len(store.journal("a", JournalFilter())[0]) == 3 and len(store.journal("d", JournalFilter())[0]) == 5
    store.close()


def test_the_memory_journal_index_stays_bounded():
    store = MemoryStore(5, 8)
    for _ in range(1000):
        store.append(_entries("a", 3))
    assert len(store._order) <= 2 * 8 + 2 and len(store.journal("a", JournalFilter())[0]) == 5


def test_a_scenario_is_built_outside_the_stores_transaction():
    """The store's transaction holds every worker's writes (a firing fault, another namespace):
    parsing and building a world (seconds for a large document) happen before it, and inside it
    the world built is a cache hit."""
    from campaign_mock.runtime import Runtime
    from campaign_mock.world.build import build_world

    base = build_world(0)
    store = MemoryStore()
    inside = []
    update = store.update

    def watched_update(ns, change):
        inside.append(True)
        try:
            return update(ns, change)
        finally:
            inside.pop()

    builds = []

    def build(documents):
        builds.append(bool(inside))
        return base

    store.update = watched_update  # type: ignore[method-assign]
    runtime = Runtime(store, base, build)
    assert runtime.load_scenario("a", "clock: '2024-01-01T00:00:00+00:00'\n", None) == ["scenario-1"]
    assert builds == [False]  # built once, outside; inside the transaction the LRU answered


def test_a_sqlite_file_with_tables_campaign_mock_did_not_write_is_refused_and_left_as_it_was(tmp_path):
    import sqlite3

    from campaign_mock.runtime.store import StateError, open_store

    theirs = tmp_path / "theirs.sqlite"
    with sqlite3.connect(theirs) as conn:
        conn.execute("CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO users VALUES (1, 'ada')")
    conn.close()
    before = theirs.read_bytes()
    with pytest.raises(StateError, match="did not write.*users"):
        open_store(str(theirs))
    assert theirs.read_bytes() == before


def test_a_state_file_of_the_row_per_entry_journal_keeps_its_namespaces_and_starts_a_new_journal(tmp_path):
    import json
    import sqlite3

    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old)
    conn.executescript(
        """
        CREATE TABLE namespaces(ns TEXT PRIMARY KEY, state TEXT NOT NULL);
        CREATE TABLE journal(seq INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL, method TEXT, path TEXT, query TEXT, headers TEXT,
            status INTEGER, operation TEXT, error TEXT, fault TEXT, latency REAL, time REAL, meta INTEGER);
        CREATE TABLE metas(id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
        CREATE TABLE journal_counts(ns TEXT PRIMARY KEY, kept INTEGER NOT NULL, dropped INTEGER NOT NULL);
        CREATE TABLE sync(id INTEGER PRIMARY KEY CHECK (id = 0), ticket INTEGER NOT NULL);
        CREATE TABLE writers(id TEXT PRIMARY KEY, ack INTEGER NOT NULL, seen REAL NOT NULL);
        INSERT INTO journal_counts VALUES ('a', 3, 2);
        """
    )
    conn.execute("INSERT INTO namespaces VALUES ('a', ?)", (json.dumps({"scenarios": [], "clock": "2024-01-01T00:00:00+00:00", "faults": [], "next_fault": 1}),))
    conn.commit()
    conn.close()
    store = SQLiteStore(old, 5, 8)
    assert store.read("a")["clock"] == "2024-01-01T00:00:00+00:00"
    assert store.journal("a", JournalFilter()) == ([], 0)
    store.append(_entries("a", 7))
    assert _paths(store.journal("a", JournalFilter())) == ["/p2", "/p3", "/p4", "/p5", "/p6"] and store.journal("a", JournalFilter())[1] == 2
    store.close()
    SQLiteStore(old, 5, 8).close()  # marked as ours now: opens again


def test_the_headers_are_read_from_any_environ_in_order():
    from campaign_mock.server.headers import request_headers

    process = {f"VAR_{i}": "x" for i in range(50)} | {"HTTPS": "on", "wsgi.input": None}  # what granian copies into every environ
    environ = process | {"REQUEST_METHOD": "GET", "HTTP_USER_AGENT": "ua", "HTTP_AUTHORIZATION": "token ghijklmnopqr", "HTTP_ACCEPT": "*/*"}
    assert request_headers(environ) == (("Accept", "Authorization", "User-Agent"), ("*/*", "token ghijklmnopqr", "ua"))
    # Keys met before are skipped, and keys met for the first time are still told from headers.
    again = environ | {"CONTENT_TYPE": "text/plain", "zzz.server": 1, "HTTP_X_NEW": "1"}
    assert request_headers(again)[0] == ("Accept", "Authorization", "User-Agent", "X-New")
    assert request_headers({"HTTP_HOST": "h"}) == (("Host",), ("h",))
    assert request_headers({}) == ((), ())
    # Environs are told apart by their keys in order: the same keys in another order give the
    # same headers, the same keys the request's own values.
    assert request_headers(dict(reversed(environ.items()))) == request_headers(environ)
    assert request_headers(environ | {"HTTP_USER_AGENT": "other"}) == (("Accept", "Authorization", "User-Agent"), ("*/*", "token ghijklmnopqr", "other"))
    assert request_headers({k: v for k, v in environ.items() if k != "HTTP_ACCEPT"})[0] == ("Authorization", "User-Agent")


SECRETS = {  # header -> a secret sent in it (some short, some with spaces)
    "Authorization": "token ghijklmnopqr",
    "Proxy-Authorization": "Basic uXNlcjpwYXNz",
    "Cookie": "session=xyz789; theme=dark",
    "X-Spaaza-Session-Key": "ghijklm nopqrstu",
    "X-Mock-Admin-Token": "s3cr3t-tkn",
    "X-Api-Key": "k-ghijklmno",
    "X-Client-Secret": "shh-a-secret",
}


def _leaks(secret: str, shown: str) -> bool:
    """Whether `shown` reveals 3 characters in a row of `secret` (a scheme word aside). The
    secrets are no hex digits but a few, which the fingerprints are made of."""
    scheme, _, rest = secret.partition(" ")
    hidden = rest if scheme.lower() in ("token", "basic", "bearer") else secret
    return any(hidden[i : i + 3] in shown for i in range(len(hidden) - 2))


def test_the_journal_masks_secrets_whole_in_headers_and_query_parameters():
    from campaign_mock.runtime import Runtime, answer_meta
    from campaign_mock.runtime.journal import JournalWriter, mask
    from campaign_mock.world.build import build_world

    store = MemoryStore()
    writer = JournalWriter(store)
    names = ("Accept", *SECRETS)
    query = "chain_id=1&session_key=ghijklmnop&access_token=at-qrstuv&token=tk-wxyzw&Api_Key=ak-ghighi&q=plain"
    for _ in range(2):  # (the second time from what was masked before)
        writer.record("ns", "GET", "/p", query, (names, ("*/*", *SECRETS.values())), answer_meta(200, None, None, None), None, 1.0, 0.0)
    entries, _ = Runtime(store, build_world(), lambda _: build_world()).journal("ns", JournalFilter())
    assert entries[0]["headers"] == entries[1]["headers"] and entries[0]["headers"]["Accept"] == "*/*"
    for name, secret in SECRETS.items():
        shown = entries[0]["headers"][name]
        assert shown == mask(secret) and "…" in shown and not _leaks(secret, shown), (name, shown)
    assert entries[0]["headers"]["Authorization"].startswith("token …")  # the scheme is no secret
    got = entries[0]["query"]
    assert got["chain_id"] == ["1"] and got["q"] == ["plain"]
    for name, secret in (("session_key", "ghijklmnop"), ("access_token", "at-qrstuv"), ("token", "tk-wxyzw"), ("Api_Key", "ak-ghighi")):
        assert got[name] == [mask(secret)] and not _leaks(secret, got[name][0]) and not _leaks(secret, entries[0]["query_string"])
    # Two credentials are told apart by their fingerprints.
    assert mask("abcdefghi") != mask("abcdefghj")


def test_the_journal_keeps_a_bounded_share_of_each_request():
    from campaign_mock.runtime import answer_meta
    from campaign_mock.runtime.journal import MAX_HEADERS, MAX_VALUE, JournalWriter, entry_of

    store = MemoryStore()
    writer = JournalWriter(store)
    big = "x" * 200_000
    names = tuple(f"X-Big-{i}" for i in range(10))
    writer.record("ns", "GET", "/p/" + big, "q=" + big, (names, (big,) * 10), answer_meta(200, None, None, None), None, 1.0, 0.0)
    (seq, row), = store.journal("ns", JournalFilter())[0]
    entry = entry_of(seq, row)
    assert len(entry["path"]) < MAX_VALUE + 40 and entry["path"].endswith("…[cut: 198979 characters]")
    assert len(entry["query_string"]) < MAX_VALUE + 40
    assert sum(map(len, entry["headers"].values())) < MAX_HEADERS + 10 * 40
    assert entry["headers"]["X-Big-0"].startswith("x" * MAX_VALUE)


def test_state_changes_from_many_threads_each_move_the_generation_once(tmp_path):
    import threading

    store = SQLiteStore(tmp_path / "s.sqlite")
    start = store.generation()

    def change(n):
        for _ in range(40):
            store.update(f"ns{n}", lambda state: (state, None, True))

    threads = [threading.Thread(target=change, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.generation() - start == 160
    store.close()


def test_a_posted_scenario_is_parsed_once_and_built_once_and_the_servers_own_files_read_once(monkeypatch):
    """Per POST: one parse of the text, one world built; the server's own scenario files are
    read when it starts, never again."""
    from collections import Counter
    from pathlib import Path

    from campaign_mock.runtime import control
    from campaign_mock.server import config as config_module
    from campaign_mock.server.app import create_app

    scenarios = Path(__file__).parents[2] / "fixtures" / "scenarios"
    calls: Counter = Counter()

    def counted(name, function):
        def run(*args, **kwargs):
            calls[name] += 1
            return function(*args, **kwargs)

        return run

    monkeypatch.setattr(config_module, "read_documents", counted("read", config_module.read_documents))
    monkeypatch.setattr(config_module, "build_world", counted("build", config_module.build_world))
    monkeypatch.setattr(control, "parse_document", counted("parse", control.parse_document))
    app = create_app(ServerConfig(scenarios=(str(scenarios / "bronze-member.yaml"),)))
    assert calls == {"read": 1, "build": 1}
    http = app.test_client()
    for n, name in enumerate(("inactive-campaign.yaml", "levelup-progress.yaml"), 1):
        answer = http.post(f"/__mock/ns/once/scenarios?name=s{n}", data=(scenarios / name).read_bytes(), content_type="application/yaml")
        assert answer.status_code == 201, answer.json
        assert calls == {"read": 1, "build": 1 + n, "parse": n}
    assert http.get("/__mock/ns/once/world").status_code == 200  # this process built it: no parse, no build
    assert calls == {"read": 1, "build": 3, "parse": 2}


def test_a_journal_read_with_a_limit_reads_no_more_batches_than_it_needs(tmp_path, monkeypatch):
    import marshal as real_marshal

    from campaign_mock.runtime import store as store_module

    store = SQLiteStore(tmp_path / "s.sqlite")
    for i in range(300):  # 300 flushes of two entries each, a second apart
        store.append([("ns", "GET", f"/p{i}", "", ((), ()), 200 if j else 400, None, None, None, 1.0, float(2 * i + j), "[]") for j in range(2)])
    everything, _ = store.journal("ns", JournalFilter())
    decoded = []

    class Counting:
        dumps = staticmethod(real_marshal.dumps)

        @staticmethod
        def loads(blob):
            decoded.append(1)
            return real_marshal.loads(blob)

    monkeypatch.setattr(store_module, "marshal", Counting)
    newest, _ = store.journal("ns", JournalFilter(limit=5))
    assert newest == everything[-5:] and len(decoded) <= 4
    decoded.clear()
    ok, _ = store.journal("ns", JournalFilter(status=200, limit=3))
    assert ok == [e for e in everything if e[1][5] == 200][-3:] and len(decoded) <= 5
    store.close()


def _counting_runtimes(store, builds, delay=0.0):
    """Two workers' runtimes on one store, counting the worlds they build."""
    import time

    from campaign_mock.runtime import Runtime
    from campaign_mock.world.build import build_world

    base = build_world(0, chains=1)

    def build(documents):
        builds.append(1)
        time.sleep(delay)  # a slow build: every thread asks while it runs
        return build_world(0, chains=1)

    return Runtime(store, base, build), Runtime(store, base, build)


def test_a_scenario_world_wanted_by_many_threads_at_once_is_built_once():
    import threading

    builds: list = []
    one, two = _counting_runtimes(MemoryStore(), builds, delay=0.2)
    one.load_scenario("ns", "spaaza: {}", "s")
    builds.clear()
    views = []
    threads = [threading.Thread(target=lambda: views.append(two.view("ns"))) for _ in range(6)]  # a cold worker
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(views) == 6 and len({id(v.world) for v in views}) == 1 and len(builds) == 1


def test_kept_worlds_are_bounded_in_bytes(monkeypatch):
    from campaign_mock.runtime import control
    from campaign_mock.world.build import build_world

    monkeypatch.setattr(control, "WORLDS_BYTES_KEPT", 2 * control.world_bytes(build_world(0, chains=1)) + 1)
    builds: list = []
    one, _ = _counting_runtimes(MemoryStore(), builds)
    for i in range(4):
        one.load_scenario(f"ns{i}", f"spaaza: {{}}\n# {i}", f"s{i}")
    builds.clear()
    for i in (3, 2, 1):  # the two newest are kept, the others built again
        one.view(f"ns{i}")
    assert len(builds) == 1


def test_the_journal_keeps_no_copy_of_huge_values_clients_send():
    """A client may send a different 200 KB secret with every request: what the journal keeps
    (its rows cut, its caches) stays small."""
    import tracemalloc

    from campaign_mock.runtime import answer_meta
    from campaign_mock.runtime.journal import JournalWriter

    store = MemoryStore()
    writer = JournalWriter(store)
    meta = answer_meta(200, None, None, None)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(100):
        big = f"{i:04d}" + "s" * 200_000
        writer.record("ns", "GET", "/p", f"token={big}", (("Authorization", "X-Api-Key"), (f"Bearer {big}", big)), meta, None, 1.0, 0.0)
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert grown < 5 * 2**20, grown  # (kept whole, the 300 values would be 60 MB)


def test_workers_opening_a_new_state_file_at_once_all_start(tmp_path):
    """serve's workers open the state file at the same moment. Two connections switching a
    file to WAL at once deadlock, and SQLite answers one of them "database is locked" at once,
    without waiting (a worker died with that traceback under a loaded machine)."""
    import sqlite3
    import threading

    failures: list[BaseException] = []
    for n in range(15):
        path = tmp_path / f"state-{n}.sqlite"
        start = threading.Barrier(6)

        def worker(path=path, start=start) -> None:
            try:
                start.wait()
                store = SQLiteStore(path)
                store.read("default")
                store.close()
            except (sqlite3.Error, threading.BrokenBarrierError) as e:
                failures.append(e)

        threads = [threading.Thread(target=worker) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert failures == []


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_a_journal_read_with_a_limit_finds_the_newest_whichever_worker_wrote_it_first(kind, tmp_path, request):
    """Workers write their batches every 0.1 s, so a batch written earlier may hold a request
    answered later than one in a batch written after it. Three workers: A answered r2 at +1 ms
    and wrote it first; B answered 1,100 requests up to +0 ms and wrote them next; C answered e
    at +0.5 ms and wrote it last. The newest is r2, however far back it was written."""
    store = SQLiteStore(tmp_path / "s.sqlite") if kind == "sqlite" else RedisStore(request.getfixturevalue("redis_url"), 10_000, 100_000)

    def row(path: str, at: float) -> tuple:
        return ("limits", "GET", path, "", ((), ()), 200, None, None, None, 0.1, at, "[null, null, null]")

    t0 = 1_000_000.0
    store.clear_journal("limits")
    store.append([row("/r2", t0 + 0.001)])
    store.append([row(f"/b{i}", t0 - 0.09 + i * 0.00008) for i in range(1100)])
    store.append([row("/e", t0 + 0.0005)])
    everything, _ = store.journal("limits", JournalFilter())
    assert everything[-1][1][2] == "/r2"
    for limit in (1, 2, 5):
        newest, _ = store.journal("limits", JournalFilter(limit=limit))
        assert newest == everything[-limit:], (limit, [r[2] for _, r in newest])
    store.clear_journal("limits")
    store.close()


def _failing_once(monkeypatch, store, *names: str, error: Exception) -> None:
    """Each of the store's methods `names` raises `error` the first time it is called."""
    def once(real):
        left = [1]

        def call(*args, **kwargs):
            if left[0]:
                left[0] -= 1
                raise error
            return real(*args, **kwargs)

        return call

    for name in names:
        monkeypatch.setattr(store, name, once(getattr(store, name)))


def test_a_batch_written_is_kept_once_when_counting_what_was_dropped_fails(monkeypatch):
    """The store takes a batch, then fails to count the entries dropped before it: the batch is
    in, and must not be written again."""
    import sqlite3

    from campaign_mock.runtime import answer_meta, journal

    monkeypatch.setattr(journal, "MAX_PENDING", 2)
    store = MemoryStore()
    _failing_once(monkeypatch, store, "append", "add_dropped", error=sqlite3.OperationalError("disk I/O error"))
    writer = journal.JournalWriter(store)
    for i in range(3):  # the first fails and waits; the third drops the oldest
        writer.record("ns", "GET", f"/p{i}", "", ((), ()), answer_meta(200, None, None, None), None, 1.0, float(i))
    writer.flush()  # the batch is in, the count fails
    writer.flush()  # the count is in
    rows, dropped = store.journal("ns", JournalFilter())
    assert [row[2] for _, row in rows] == ["/p1", "/p2"] and dropped == 1


def test_a_batch_the_store_cannot_take_for_another_reason_is_counted_dropped(monkeypatch):
    """Not a store outage (a value the store cannot encode, a bug): the batch is not kept to
    fail again, and the journal says how many entries it lost."""
    import pytest

    from campaign_mock.runtime import answer_meta
    from campaign_mock.runtime.journal import JournalWriter

    store = MemoryStore()  # (not buffered: each record is written at once)
    _failing_once(monkeypatch, store, "append", error=TypeError("cannot encode"))
    writer = JournalWriter(store)
    with pytest.raises(TypeError):
        writer.record("ns", "GET", "/p0", "", ((), ()), answer_meta(200, None, None, None), None, 1.0, 0.0)
    writer.record("ns", "GET", "/p1", "", ((), ()), answer_meta(200, None, None, None), None, 1.0, 1.0)
    rows, dropped = store.journal("ns", JournalFilter())
    assert [row[2] for _, row in rows] == ["/p1"] and dropped == 1


def test_a_reader_waits_for_a_batch_the_store_refused_once(tmp_path, monkeypatch):
    """The flush a reader asked for fails (a full disk, say): the reader must not be told the
    rows are in the store until they are."""
    import sqlite3
    import time

    from campaign_mock.runtime import answer_meta
    from campaign_mock.runtime.journal import JournalWriter

    store = SQLiteStore(tmp_path / "s.sqlite")
    writer = JournalWriter(store)
    time.sleep(0.05)  # its first flush is done
    _failing_once(monkeypatch, store, "append", error=sqlite3.OperationalError("database or disk is full"))
    writer.record("ns", "GET", "/p", "", ((), ()), answer_meta(200, None, None, None), None, 1.0, 0.0)
    store.wait_flushed()
    assert [row[2] for _, row in store.journal("ns", JournalFilter())[0]] == ["/p"]
    store.close()


def _own_redis(redis_url: str, db: int, per: int, total: int) -> RedisStore:
    """A store on a database of the test's Redis of its own, emptied (the total bound counts
    every namespace of a database)."""
    store = RedisStore(f"{redis_url.rsplit('/', 1)[0]}/{db}", per, total)
    store._redis.flushdb()
    return store


def _then(monkeypatch, obj, name: str, action) -> None:
    """`obj.name` runs `action` after each call (another replica writing meanwhile)."""
    real = getattr(obj, name)

    def call(*args, **kwargs):
        result = real(*args, **kwargs)
        action()
        return result

    monkeypatch.setattr(obj, name, call)


def test_the_redis_journal_holds_its_total_bound_when_replicas_write_out_of_seq_order(redis_url, monkeypatch):
    """A replica takes its seq numbers, another takes later ones and writes first: the total
    bound still holds, and what it dropped is counted, as in the other stores."""
    a, b = _own_redis(redis_url, 3, 10, 4), RedisStore(f"{redis_url.rsplit('/', 1)[0]}/3", 10, 4)
    _then(monkeypatch, a._redis, "incrby", lambda: b.append(_entries("x", 3)))
    a.append(_entries("x", 3))
    kept, dropped = a.journal("x", JournalFilter())
    assert (len(kept), dropped) == (4, 2)
    a.close()
    b.close()


def test_a_redis_append_that_fails_midway_writes_nothing(redis_url, monkeypatch):
    """The journal's writer puts a batch the store refused back, to write it again: a batch
    the store refused must not be in it."""
    import redis

    store = _own_redis(redis_url, 4, 10, 100)
    _failing_once(monkeypatch, store, "_trim", error=redis.ConnectionError("Connection reset by peer"))
    with pytest.raises(redis.ConnectionError):
        store.append(_entries("x", 3))
    assert store.journal("x", JournalFilter()) == ([], 0)
    store.close()


def test_a_redis_journal_read_with_a_limit_shows_each_entry_once_while_replicas_write(redis_url, monkeypatch):
    """A read with a limit reads the list a page at a time from its end: entries pushed between
    two pages move its end, and the next page then begins with entries already read."""
    from campaign_mock.runtime.redis_store import JOURNAL_PAGE

    store = _own_redis(redis_url, 5, 10_000, 100_000)
    other = RedisStore(f"{redis_url.rsplit('/', 1)[0]}/5", 10_000, 100_000)
    store.append(_entries("x", JOURNAL_PAGE + 100))
    _then(monkeypatch, store._redis, "lrange", lambda: other.append(_entries("x", 10)))
    kept, _ = store.journal("x", JournalFilter(limit=10_000))
    seqs = [seq for seq, _ in kept]
    assert len(seqs) == len(set(seqs)) >= JOURNAL_PAGE + 100
    store.close()
    other.close()


def test_a_kept_state_file_forgets_the_writers_that_are_gone(tmp_path, monkeypatch):
    """Every worker start registers a journal writer; in a --state file kept across restarts
    the gone ones are forgotten (as Redis expires them), while a live one still counts."""
    import sqlite3
    import time

    from campaign_mock.runtime import store as store_module

    monkeypatch.setattr(store_module, "WRITER_TIMEOUT_S", 0.05)
    store = SQLiteStore(tmp_path / "s.sqlite")
    for i in range(5):  # five worker starts, each gone before the next
        store.ack(f"w{i}", 0)
        time.sleep(0.06)
    store.ack("live", 0)
    with sqlite3.connect(tmp_path / "s.sqlite") as conn:
        assert conn.execute("SELECT id FROM writers").fetchall() == [("live",)]
    assert not store.acked(1) and store.acked(0)
    store.close()
