"""The request journal: what each vendor request was and what it got.

The server hands `JournalWriter.record` one plain record per vendor request, cache hits,
faults, drops and errors alike: method, path, query string, the headers as sent, the answer's
meta, the fault that fired, latency and time. Secrets are masked here; a thread writes the rows
to the store in batches, so a request pays for a tuple, not for a database write. `answer_meta`
is computed once per distinct answer (the server keeps it beside the cached bytes)."""

from __future__ import annotations

import json
import multiprocessing.util
import threading
import time
import uuid
import weakref
from collections import Counter, deque
from datetime import datetime, timezone
from typing import NamedTuple, TextIO
from urllib.parse import parse_qs, unquote_plus

from campaign_mock.masking import is_secret, mask
from campaign_mock.runtime.outage import Outage
from campaign_mock.runtime.store import FLUSH_INTERVAL_S, Store, store_errors

__all__ = ["AnswerMeta", "JournalWriter", "answer_meta", "entry_of", "is_secret", "mask"]

# What one entry keeps of a request, at most (so the journal's bounds in entries are bounds in
# bytes: 10,000 entries per namespace hold at most ~60 MB): each header value, the path and
# the query string cut at MAX_VALUE characters, the headers in all at MAX_HEADERS. The caches
# below keep only what fits these bounds: a key is what a client sent, and a client may send
# a different 200 KB header with every request.
MAX_VALUE = 1024
MAX_HEADERS = 4096
CUT = "…[cut: {} characters]"
# Rows waiting for the writer thread; past this a request writes them itself (so memory stays
# bounded when requests come faster than one thread writes). Room for a second of load at
# 10,000 requests/s, about 3 MB: a store that stalls briefly does not stall requests.
MAX_PENDING = 10_000
# The writer looks every POLL_S whether a reader waits (a sync ticket, Store.wait_flushed), and
# flushes then; else every FLUSH_INTERVAL_S (runtime/store.py). Larger batches cost requests
# less: one transaction and one marshal per namespace per batch, each header tuple marshalled
# once per batch (benchmarks/hot_path.py: 136 -> 127 µs of CPU per request, 0.01 -> 0.1 s);
# readers wait no longer for it.
POLL_S = 0.01
HEARTBEAT_S = 0.5
# Masked header values kept, by what was sent: a client sends the same secrets again and again,
# and a batch of rows then marshals each value once (runtime/store.py).
CACHED = 4096


class AnswerMeta(NamedTuple):
    """What the journal keeps of an answer, computed once per distinct answer."""

    status: int | None  # None: the connection was dropped
    operation: str | None
    error: str | None  # the Spaaza code or LevelUp refusal sent, as text (a filter compares it)
    json: str  # [operation, error, facts, scenarios, clock, variation]: what GET .../journal shows of it


def answer_meta(status: int | None, operation: str | None, error: int | str | None, facts: dict | None, scenarios: tuple[str, ...] = (), clock: str | None = None, variation: dict | None = None) -> AnswerMeta:
    """`facts`: what business coverage counts (runtime/coverage.answer_facts); `scenarios`,
    `clock` and `variation` (its name and seed, where it changed the answer): the namespace
    state the answer was computed from (why it is what it is)."""
    return AnswerMeta(status, operation, None if error is None else str(error), json.dumps([operation, error, facts, list(scenarios), clock, variation], ensure_ascii=False))


def cut(value: str, limit: int = MAX_VALUE) -> str:
    return value if len(value) <= limit else value[:limit] + CUT.format(len(value) - limit)


_secret_at: dict[tuple[str, ...], tuple[int, ...]] = {}  # header names -> where the secrets are
_masked: dict[tuple[tuple[int, ...], tuple[str, ...]], tuple[str, ...]] = {}  # (where, values) -> masked


def masked(names: tuple[str, ...], values: tuple[str, ...]) -> tuple[str, ...]:
    """`values` with the secrets among them masked and each cut to its bound; the same tuple
    object for the same values."""
    where = _secret_at.get(names)
    if where is None:
        where = tuple(i for i, name in enumerate(names) if is_secret(name))
        if len(_secret_at) < CACHED and sum(map(len, names)) <= MAX_HEADERS:
            _secret_at[names] = where
    shown = _masked.get((where, values))  # (only values within the bounds are kept)
    if shown is not None:
        return shown
    small = max(map(len, values), default=0) <= MAX_VALUE and sum(map(len, values)) <= MAX_HEADERS
    if not where and small:
        return values
    out = list(values)
    for i in where:
        out[i] = mask(out[i])
    shown = _cut_all(tuple(out))
    if small:
        if len(_masked) >= CACHED:
            _masked.clear()
        _masked[(where, values)] = shown
    return shown


def _cut_all(values: tuple[str, ...]) -> tuple[str, ...]:
    """Each value cut at MAX_VALUE; past MAX_HEADERS in all, the rest cut to nothing."""
    out, room = [], MAX_HEADERS
    for value in values:
        kept = cut(value, min(MAX_VALUE, room))
        room = max(0, room - min(len(value), MAX_VALUE))
        out.append(kept)
    return tuple(out)


_queries: dict[str, str] = {}


def masked_query(query: str) -> str:
    """The query string with the values of secret parameters masked, cut at MAX_VALUE."""
    if "=" not in query:
        return cut(query)
    shown = _queries.get(query)
    if shown is None:
        parts = []
        for part in query.split("&"):
            name, eq, value = part.partition("=")
            parts.append(f"{name}={mask(unquote_plus(value))}" if eq and value and is_secret(unquote_plus(name)) else part)
        shown = cut("&".join(parts))
        if len(query) <= MAX_VALUE:
            if len(_queries) >= CACHED:
                _queries.clear()
            _queries[query] = shown
    return shown


def _header_name(name: str) -> str:
    """Rows written before the server passed header names kept WSGI keys (HTTP_X_MOCK_ERROR)."""
    return "-".join(part.capitalize() for part in name[5:].split("_")) if name.startswith("HTTP_") else name


def entry_of(seq: int, row: tuple) -> dict:
    """A journal entry as GET .../journal shows it."""
    ns, method, path, query_string, headers, status, _, _, fault, latency_ms, wall, meta_json = row
    operation, error, facts, *why = json.loads(meta_json)
    scenarios, clock, variation = (*why, None)[:3] if why else ([], None, None)  # (rows written before they were kept)
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
        "scenarios": scenarios,
        "clock": clock,
        "variation": variation,
    }


def _access_line(row: tuple) -> str:
    ns, method, path, _, _, status, operation, _, fault, latency_ms, wall, meta_json = row
    error = json.loads(meta_json)[1]
    time_ = datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="milliseconds")
    return json.dumps({"time": time_, "namespace": ns, "method": method, "path": path, "operation": operation, "status": status, "error": error, "fault": fault, "latency_ms": round(latency_ms, 3)}, ensure_ascii=False)


def _flush_at_exit(ref: weakref.ref) -> None:
    writer = ref()
    if writer is not None:
        writer.flush()


class Recorded(NamedTuple):
    """A request as the journal recorded it, to record again (`JournalWriter.again`): its row
    without the latency and time, and with no fault."""

    head: tuple  # (namespace, method, path, query, (header names, values), status, operation, error, None)
    meta_json: str


class JournalWriter:
    """Collects rows and writes them in batches. With a store that is not buffered (in
    memory) each entry is written at once."""

    def __init__(self, store: Store, access_log: TextIO | None = None):
        self.store = store
        self.access_log = access_log
        self.outage = Outage("the journal cannot be written to the state store; its entries wait (up to 10,000), then count as dropped")
        self._lost: dict[str, int] = {}  # namespace -> rows dropped while the store was unreachable
        self._lost_lock = threading.Lock()
        self.id = uuid.uuid4().hex
        self._pending: deque[tuple] = deque()  # append and popleft are atomic
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if store.buffered:
            # Known to readers before the first request (ticket 0 is older than any they ask for).
            store.ack(self.id, 0)
            self._thread = threading.Thread(target=self._run, name="campaign-mock-journal", daemon=True)
            self._thread.start()
            # What waits is written when the process ends: granian's workers are multiprocessing
            # children, which end without running atexit but run multiprocessing's finalizers
            # (an ordinary exit runs them too). A stopped `serve --state` lost its last requests.
            multiprocessing.util.Finalize(None, _flush_at_exit, args=(weakref.ref(self),), exitpriority=10)

    def record(self, ns: str, method: str, path: str, query: str, headers: tuple[tuple[str, ...], tuple[str, ...]], meta: AnswerMeta, fault: str | None, latency_ms: float, wall: float) -> Recorded:
        """Called by the server once per vendor request; `headers` are (names, values) as sent.
        The row is made here, in the request's thread: made by the writer thread later,
        it cost three times as much (benchmarks/server.py). Returns it for `again`."""
        names, values = headers
        head = (ns, method, path if len(path) <= MAX_VALUE else cut(path), masked_query(query) if query else query, (names, masked(names, values)), meta.status, meta.operation, meta.error)
        self._add((*head, fault, latency_ms, wall, meta.json))
        return Recorded((*head, None), meta.json)

    def again(self, recorded: Recorded, latency_ms: float, wall: float) -> None:
        """The same request as `recorded` once more, with the same answer and no fault: what
        the same request costs the second time (server/pipeline.py replays it)."""
        self._add((*recorded.head, latency_ms, wall, recorded.meta_json))

    def _add(self, row: tuple) -> None:
        self._pending.append(row)
        if self._thread is None or len(self._pending) > MAX_PENDING:
            if self.outage.down:  # no request waits for a store that is not there
                self._drop_oldest()
            else:
                self.flush()

    def flush(self) -> bool:
        """Writes what waits; False where the store refused the rows. A store that fails keeps
        the rows waiting (up to MAX_PENDING; older ones are then counted as dropped), and says
        so in one line per outage."""
        # One flush at a time: when the writer thread acks a ticket, whatever was taken from
        # the queue before it is in the store (Store.wait_flushed relies on that).
        with self._lock:
            take = self._pending.popleft
            rows = [take() for _ in range(len(self._pending))]
            if not rows and not self._lost:  # (a count that failed is written without new rows)
                return True
            try:
                self.store.append(rows)
            except store_errors() as e:
                self._pending.extendleft(reversed(rows))
                self._drop_oldest()
                self.outage.failed(e)
                return False
            except Exception:  # not the store's (a row it cannot take, a bug): written again it would fail again
                self._count_lost(Counter(row[0] for row in rows))
                raise
            failure = None
            if self._lost:
                with self._lost_lock:
                    lost, self._lost = self._lost, {}
                try:
                    self.store.add_dropped(lost)
                except store_errors() as e:  # the rows are in (put back, they were written twice): only the count waits
                    self._count_lost(lost)
                    failure = e
            if failure is None:
                self.outage.recovered()
            else:
                self.outage.failed(failure)
        if self.access_log is not None:
            self.access_log.write("".join(_access_line(r) + "\n" for r in rows))
            self.access_log.flush()
        return True

    def _drop_oldest(self) -> None:
        gone: dict[str, int] = {}
        while len(self._pending) > MAX_PENDING:
            ns = self._pending.popleft()[0]
            gone[ns] = gone.get(ns, 0) + 1
        if gone:
            self._count_lost(gone)

    def _count_lost(self, counts: dict[str, int]) -> None:
        with self._lost_lock:
            for ns, n in counts.items():
                self._lost[ns] = self._lost.get(ns, 0) + n

    def _run(self) -> None:
        acked, last, flushed = -1, 0.0, 0.0
        while True:
            time.sleep(POLL_S)
            try:
                ticket = self.store.current_ticket()  # before the flush: see Store.wait_flushed
                now = time.monotonic()
                if ticket != acked or now - flushed >= FLUSH_INTERVAL_S:
                    written = self.flush()
                    flushed = now
                    if not written:
                        continue  # no ack: a reader waiting for the rows would read without them
                # (a heartbeat between flushes acks a ticket acked after a flush already)
                if ticket != acked or now - last > HEARTBEAT_S:
                    self.store.ack(self.id, ticket)
                    acked, last = ticket, now
            except Exception as e:  # never let the writer die: report (one line per outage) and go on
                self.outage.failed(e)
