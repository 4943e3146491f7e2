"""The request journal: what each vendor request was and what it got.

The server calls `JournalWriter.record` once per vendor request (answer-cache hits
included); it makes the entry's row, and a thread writes rows to the store in batches, so a
request pays for reading its headers, not for a database write. `meta_of` computes an
answer's operation, error and facts once per distinct answer (the server keeps them beside
the cached bytes)."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
import uuid
from collections import deque
from datetime import datetime, timezone
from functools import cache, lru_cache
from typing import TextIO
from urllib.parse import parse_qs

from campaign_mock.contract import load_contract
from campaign_mock.contract.catalogue import LEVELUP_ERRORS
from campaign_mock.contract.facts import CURRENT_API_VERSION, parse_version
from campaign_mock.runtime.store import Store

__all__ = ["AnswerMeta", "JournalWriter", "dropped_meta", "entry_of", "is_levelup_path", "mask", "meta_of", "operation_of"]

LEVELUP_PREFIX = "/v15/"
SECRET_HEADERS = frozenset({"HTTP_X_SPAAZA_SESSION_KEY", "HTTP_AUTHORIZATION", "HTTP_X_MOCK_ADMIN_TOKEN", "HTTP_COOKIE"})
# Rows waiting for the writer thread; past this a request writes them itself (so memory stays
# bounded when requests come faster than one thread writes). Room for a second of load at
# 10,000 requests/s, about 3 MB: a store that stalls briefly does not stall requests.
MAX_PENDING = 10_000
FLUSH_INTERVAL_S = 0.01
HEARTBEAT_S = 0.5

AnswerMeta = tuple  # (status, operation, error as text, JSON of [operation, error, facts])


def is_levelup_path(path: str) -> bool:
    return path.startswith(LEVELUP_PREFIX)


@cache
def _operations() -> tuple[tuple[re.Pattern, str], ...]:
    spec = load_contract().spec
    found = []
    for template, item in spec["paths"].items():
        operation = (item.get("get") or {}).get("operationId")
        if operation:
            found.append((re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"), operation))
    return tuple(found)


def operation_of(path: str) -> str | None:
    """The contract's operationId for a vendor path, None where none applies."""
    return next((op for pattern, op in _operations() if pattern.match(path)), None)


def operations() -> frozenset[str]:
    return frozenset(op for _, op in _operations())


def operation_path(operation: str) -> str | None:
    """The path template of an operation (to tell its vendor)."""
    spec = load_contract().spec
    return next((t for t, item in spec["paths"].items() if (item.get("get") or {}).get("operationId") == operation), None)


@cache
def _levelup_keys() -> dict[tuple[int, str | None], str]:
    return {(e.http_status, e.message): e.key for e in LEVELUP_ERRORS.values()}


def _error(path: str, status: int, body) -> int | str | None:
    if is_levelup_path(path):
        if status < 400 or not isinstance(body, list) or not body or not isinstance(body[0], dict):
            return None
        return _levelup_keys().get((status, (body[0].get("error") or {}).get("message")))
    if isinstance(body, dict) and isinstance(body.get("error"), dict) and (body.get("result") or {}).get("code") != 1:
        return body["error"].get("code")
    return None


def meta_of(path: str, api_version: str | None, status: int, body_bytes: bytes) -> AnswerMeta:
    """(status, operation, error as text, JSON of [operation, error, facts]) of one answer. Parses the
    body: call once per distinct answer (the server keeps it beside the cached bytes)."""
    try:
        body = json.loads(body_bytes)
    except ValueError:
        body = None
    levelup = is_levelup_path(path)
    campaigns: list[dict] = []
    if not levelup and isinstance(body, dict) and isinstance(body.get("results"), dict):
        results = body["results"]
        campaigns = results.get("campaigns") or ([results["campaign"]] if isinstance(results.get("campaign"), dict) else [])
    contract = load_contract()
    facts = {
        # Only a version the server read (a malformed one is 419): a bounded set of values.
        "api_version": None if levelup else _version_text(api_version),
        "campaign_types": sorted({c["type"] for c in campaigns if "type" in c}),
        "progress_formats": sorted({f for c in campaigns if "user_progress" in c for f in [contract.progress_format(str(c.get("type")))] if f}),
        "representation": path.rsplit("/", 1)[-1] if levelup and operation_of(path) else None,
    }
    operation, error = operation_of(path), _error(path, status, body)
    return status, operation, None if error is None else str(error), json.dumps([operation, error, facts], ensure_ascii=False)


def _version_text(header: str | None) -> str | None:
    version = CURRENT_API_VERSION if header is None else parse_version(header.strip())
    return None if version is None else ".".join(map(str, version))


def dropped_meta(path: str) -> AnswerMeta:
    """A request given no answer: no error sent, no facts."""
    operation = operation_of(path)
    return None, operation, None, json.dumps([operation, None, None])


@lru_cache(maxsize=1024)  # a client sends the same secret with every request
def mask(value: str) -> str:
    """A secret as its first and last four characters (the scheme of an Authorization kept)."""
    scheme, space, secret = value.rpartition(" ")
    shown = f"{secret[:4]}…{secret[-4:]}" if len(secret) > 8 else "…"
    return f"{scheme} {shown}" if space else shown


def _header_name(key: str) -> str:
    return "-".join(part.capitalize() for part in key[5:].split("_"))


# Keys of WSGI environs that are no request header, learned as they are met: a server puts its
# own there and granian the whole process environment, so an environ holds dozens of keys of
# which a handful are headers, and a Python loop over them all was the journal's largest cost.
# A set difference (in C) leaves the headers. Bounded: a client can only add HTTP_ keys, which
# are never learned.
_not_headers: frozenset[str] = frozenset()
HEADER = "HTTP_"
# The header names and values clients send again and again, each kept as one object: a batch of
# rows then marshals each once (runtime/store.py), a third of the bytes. Bounded caches.
_names: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[int, ...]]] = {}  # names -> (names, where secrets are)
_values: dict[tuple[str, ...], tuple[str, ...]] = {}  # as sent -> secrets masked
CACHED = 4096


def _headers(environ: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The request's headers as (WSGI names sorted, their values), secrets masked."""
    global _not_headers  # a lost update (two threads learning at once) is learned again later
    rest = environ.keys() - _not_headers
    names = tuple(sorted(rest))
    # Names with one prefix sort together: if the first and last have it, all do.
    if names and not (names[0].startswith(HEADER) and names[-1].startswith(HEADER)):
        learned = {k for k in names if not k.startswith(HEADER)}
        if len(_not_headers) < CACHED:
            _not_headers = _not_headers | learned
        names = tuple(k for k in names if k not in learned)
    known = _names.get(names)
    if known is None:
        known = (names, tuple(i for i, k in enumerate(names) if k in SECRET_HEADERS))
        if len(_names) < CACHED:
            _names[names] = known
    names, secrets = known
    values = tuple(map(environ.__getitem__, names))
    shown = _values.get(values)
    if shown is None:
        masked = list(values)
        for i in secrets:
            masked[i] = mask(masked[i])
        if len(_values) >= CACHED:
            _values.clear()
        shown = _values[values] = tuple(masked)
    return names, shown


def entry_of(seq: int, row: tuple) -> dict:
    """A journal entry as GET .../journal shows it."""
    ns, method, path, query_string, headers, status, _, _, fault, latency_ms, wall, meta_json = row
    operation, error, facts = json.loads(meta_json)
    return {
        "seq": seq,
        "time": datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="milliseconds"),
        "namespace": ns,
        "method": method,
        "path": path,
        "query": parse_qs(query_string, keep_blank_values=True),
        "query_string": query_string,
        "headers": dict(zip(map(_header_name, headers[0]), headers[1])),
        "status": status,
        "operation": operation,
        "error": error,
        "fault": fault,
        "latency_ms": round(latency_ms, 3),
        "facts": facts,
    }


def _access_line(row: tuple) -> str:
    ns, method, path, _, _, status, operation, _, fault, latency_ms, wall, meta_json = row
    error = json.loads(meta_json)[1]
    time_ = datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="milliseconds")
    return json.dumps({"time": time_, "namespace": ns, "method": method, "path": path, "operation": operation, "status": status, "error": error, "fault": fault, "latency_ms": round(latency_ms, 3)}, ensure_ascii=False)


class JournalWriter:
    """Collects rows and writes them in batches. With a store that is not buffered (in
    memory) each entry is written at once."""

    def __init__(self, store: Store, access_log: TextIO | None = None):
        self.store = store
        self.access_log = access_log
        self.id = uuid.uuid4().hex
        self._pending: deque[tuple] = deque()  # append and popleft are atomic
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if store.buffered:
            # Known to readers before the first request (ticket 0 is older than any they ask for).
            store.ack(self.id, 0)
            self._thread = threading.Thread(target=self._run, name="campaign-mock-journal", daemon=True)
            self._thread.start()

    def record(self, ns: str, path: str, environ: dict, meta: AnswerMeta, fault: str | None, latency_ms: float, wall: float) -> None:
        """Called by the server once per vendor request. The row is made here, while the
        request's thread still has the environ in its CPU cache: made by the writer thread 10 ms
        later, it cost three times as much (benchmarks/server.py)."""
        status, operation, error, meta_json = meta
        self._pending.append((ns, environ.get("REQUEST_METHOD", ""), path, environ.get("QUERY_STRING", ""), _headers(environ), status, operation, error, fault, latency_ms, wall, meta_json))
        if self._thread is None or len(self._pending) > MAX_PENDING:
            self.flush()

    def flush(self) -> None:
        # One flush at a time: when the writer thread acks a ticket, whatever was taken from
        # the queue before it is in the store (Store.wait_flushed relies on that).
        with self._lock:
            rows = [self._pending.popleft() for _ in range(len(self._pending))]
            if not rows:
                return
            self.store.append(rows)
        if self.access_log is not None:
            self.access_log.write("".join(_access_line(r) + "\n" for r in rows))
            self.access_log.flush()

    def _run(self) -> None:
        acked, last = -1, 0.0
        while True:
            time.sleep(FLUSH_INTERVAL_S)
            try:
                ticket = self.store.current_ticket()  # before the flush: see Store.wait_flushed
                self.flush()
                now = time.monotonic()
                if ticket != acked or now - last > HEARTBEAT_S:
                    self.store.ack(self.id, ticket)
                    acked, last = ticket, now
            except Exception as e:  # never let the writer die: report and go on
                print(f"campaign-mock: journal writer: {e}", file=sys.stderr)
