"""Where runtime state lives, so that every worker and replica answers from one truth.

Per namespace one JSON state (scenarios, clock, faults), changed only inside a transaction
(`update`), plus its journal. A `generation` number goes up with every change of any
namespace's state; workers compare it on every request (cheaply: a shared memory word for
SQLite) and drop what they derived from state when it moved.

Three stores, one behaviour: MemoryStore (one process: create_app without a state setting),
SQLiteStore (the workers of one machine; a temporary file by default, a kept one with
`serve --state FILE`), RedisStore (replicas on several machines, runtime/redis_store.py).

Journal entries reach the store in batches (runtime/journal.py); a reader first asks every
live writer to flush (`sync_ticket`, `acked`), so a read sees every request answered before it.
"""

from __future__ import annotations

import fcntl
import heapq
import json
import mmap
import os
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections import deque
from pathlib import Path
from typing import Any, Callable

from campaign_mock.exceptions import CampaignMockError

__all__ = ["JournalFilter", "MemoryStore", "SQLiteStore", "StateError", "Store", "open_store"]


class StateError(CampaignMockError):
    """--state names something that cannot hold the runtime state."""

# A writer that has not flushed for this long is gone (a stopped worker); readers stop waiting for it.
WRITER_TIMEOUT_S = 2.0
# Journal bounds: entries kept per namespace and in all; past them the oldest go, counted.
JOURNAL_PER_NAMESPACE = 10_000
JOURNAL_TOTAL = 100_000

# update(ns, change): change(state) -> (new state or None to forget the namespace, result, bump)
Change = Callable[[dict], tuple[dict | None, Any, bool]]


def fresh_state() -> dict:
    return {"scenarios": [], "clock": None, "faults": [], "next_fault": 1}


# A journal row, as the writer hands it over and every store keeps it (runtime/journal.py
# builds the entry from it when read): cheap to make per request, no JSON but the headers'.
COLUMNS = ("ns", "method", "path", "query", "headers", "status", "operation", "error", "fault", "latency", "time", "meta")
_AT = {name: i for i, name in enumerate(COLUMNS)}


def in_time(item: tuple) -> tuple:
    """Sort key of a (seq, row): the answer time, then seq."""
    return item[1][_AT["time"]], item[0]


class JournalFilter:
    """?method=&path=&status=&operation=&error=&limit= of GET .../journal, already checked."""

    def __init__(self, method=None, path=None, status=None, operation=None, error=None, limit=None):
        self.method, self.path, self.status, self.operation, self.error, self.limit = method, path, status, operation, error, limit

    def columns(self) -> dict:
        return {k: v for k, v in (("method", self.method), ("path", self.path), ("status", self.status), ("operation", self.operation), ("error", self.error)) if v is not None}

    def matches(self, row: tuple) -> bool:
        return all(row[_AT[k]] == v for k, v in self.columns().items())


class Store(ABC):
    """What the runtime layer needs of a store: memory (one process), SQLite (workers of one
    machine) and Redis (replicas) give the same answers."""

    kind = ""
    buffered = False  # journal entries come in batches from a writer thread

    @abstractmethod
    def generation(self) -> int: ...
    @abstractmethod
    def read(self, ns: str) -> dict | None: ...
    @abstractmethod
    def update(self, ns: str, change: Change) -> Any: ...
    @abstractmethod
    def append(self, rows: list[tuple]) -> None: ...
    @abstractmethod
    def journal(self, ns: str, flt: JournalFilter) -> tuple[list[tuple], int]:
        """([(seq, row), ...] in the order the requests were answered, entries dropped so far).
        Rows get their seq when written, a batch per worker, so across workers the seq order is
        not the requests' order: the answer time is."""
    @abstractmethod
    def clear_journal(self, ns: str) -> None: ...
    @abstractmethod
    def journal_namespaces(self) -> list[str]: ...  # those with a journal, sorted (GET /__mock/coverage)
    @abstractmethod
    def forget(self, ns: str) -> None: ...
    @abstractmethod
    def namespaces(self) -> list[str]:
        """Every namespace with state or journal entries, sorted."""
    @abstractmethod
    def sync_ticket(self) -> int: ...
    @abstractmethod
    def current_ticket(self) -> int: ...
    @abstractmethod
    def ack(self, writer: str, ticket: int) -> None: ...
    @abstractmethod
    def acked(self, ticket: int) -> bool: ...
    @abstractmethod
    def close(self) -> None: ...

    def wait_flushed(self, timeout: float = 5.0) -> None:
        """Until every live writer flushed what it held when this was called."""
        if not self.buffered:
            return
        ticket = self.sync_ticket()
        deadline = time.monotonic() + timeout
        while not self.acked(ticket) and time.monotonic() < deadline:
            time.sleep(0.002)


class MemoryStore(Store):
    """One process. Everything under one lock; the journal in deques."""

    kind = "memory"

    def __init__(self, per_namespace: int = JOURNAL_PER_NAMESPACE, total: int = JOURNAL_TOTAL):
        self._lock = threading.Lock()
        self._gen = 0
        self._states: dict[str, str] = {}
        self._per, self._total = per_namespace, total
        self._journal: dict[str, deque] = {}
        # (seq, ns) of every kept entry, oldest first, and of some already gone (trimmed from
        # their namespace, or cleared): those are skipped, and compacted away past 2 x total.
        self._order: deque = deque()
        self._kept = 0  # entries kept in all: what the total bound counts
        self._dropped: dict[str, int] = {}
        self._seq = 0

    def generation(self) -> int:
        return self._gen

    def read(self, ns):
        text = self._states.get(ns)
        return None if text is None else json.loads(text)

    def update(self, ns, change):
        with self._lock:
            state, result, bump = change(self.read(ns) or fresh_state())
            if state is None:
                self._states.pop(ns, None)
            else:
                self._states[ns] = json.dumps(state)
            if bump:
                self._gen += 1
            return result

    def append(self, rows):
        with self._lock:
            for row in rows:
                self._seq += 1
                ns = row[0]
                kept = self._journal.setdefault(ns, deque())
                kept.append((self._seq, row))
                self._order.append((self._seq, ns))
                self._kept += 1
                if len(kept) > self._per:
                    kept.popleft()
                    self._kept -= 1
                    self._dropped[ns] = self._dropped.get(ns, 0) + 1
            while self._kept > self._total:
                seq, ns = self._order.popleft()
                kept = self._journal.get(ns)
                if kept and kept[0][0] == seq:  # else gone already: no entry dropped
                    kept.popleft()
                    self._kept -= 1
                    self._dropped[ns] = self._dropped.get(ns, 0) + 1
            if len(self._order) > 2 * self._total + 2:
                self._order = deque(heapq.merge(*([(seq, ns) for seq, _ in kept] for ns, kept in self._journal.items())))

    def journal(self, ns, flt):
        with self._lock:
            rows = sorted(((seq, row) for seq, row in self._journal.get(ns, ()) if flt.matches(row)), key=in_time)
            return (rows[-flt.limit :] if flt.limit else rows), self._dropped.get(ns, 0)

    def clear_journal(self, ns):
        with self._lock:
            self._kept -= len(self._journal.pop(ns, ()))
            self._dropped.pop(ns, None)

    def journal_namespaces(self):
        with self._lock:
            return sorted(self._journal)

    def forget(self, ns):
        with self._lock:
            self._states.pop(ns, None)
            self._gen += 1
        self.clear_journal(ns)

    def namespaces(self):
        with self._lock:
            return sorted(set(self._states) | {ns for ns, kept in self._journal.items() if kept})

    def sync_ticket(self):
        return 0

    def current_ticket(self):
        return 0

    def ack(self, writer, ticket):
        pass

    def acked(self, ticket):
        return True

    def close(self):
        pass


_SCHEMA = """
CREATE TABLE IF NOT EXISTS namespaces(ns TEXT PRIMARY KEY, state TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS journal(seq INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL, method TEXT, path TEXT,
    query TEXT, headers TEXT, status INTEGER, operation TEXT, error TEXT, fault TEXT, latency REAL, time REAL, meta INTEGER);
-- An answer's meta (operation, error, facts) once: there are few, and a row is half its size without it.
CREATE TABLE IF NOT EXISTS metas(id INTEGER PRIMARY KEY, json TEXT NOT NULL UNIQUE);
CREATE INDEX IF NOT EXISTS journal_by_ns ON journal(ns, seq);
CREATE TABLE IF NOT EXISTS journal_counts(ns TEXT PRIMARY KEY, kept INTEGER NOT NULL, dropped INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sync(id INTEGER PRIMARY KEY CHECK (id = 0), ticket INTEGER NOT NULL);
INSERT OR IGNORE INTO sync VALUES (0, 0);
CREATE TABLE IF NOT EXISTS writers(id TEXT PRIMARY KEY, ack INTEGER NOT NULL, seen REAL NOT NULL);
"""


class SQLiteStore(Store):
    """The workers of one machine share one SQLite file (WAL: readers never wait for the
    writer). The generation lives in an 8-byte file beside it, mapped into every process, so
    the per-request check is a memory read rather than a query."""

    kind = "sqlite"
    buffered = True

    def __init__(self, path: str | os.PathLike, per_namespace: int = JOURNAL_PER_NAMESPACE, total: int = JOURNAL_TOTAL):
        self.path = str(path)
        self._per, self._total = per_namespace, total
        self._local = threading.local()
        self._meta_ids: dict[str, int] = {}  # metas rows are never deleted: ids stay valid
        with self._connect() as conn:
            conn.executescript(_SCHEMA)
        gen_path = Path(self.path + "-generation")
        self._gen_fd = os.open(gen_path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._gen_fd).st_size < 8:
            os.ftruncate(self._gen_fd, 8)
        self._gen = mmap.mmap(self._gen_fd, 8)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-512")  # KiB per connection (one per thread): the journal is written more than read
        return conn

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
        return conn

    def generation(self) -> int:
        return int.from_bytes(self._gen[:8], "little")

    def _bump(self) -> None:
        """After the commit (a reader that sees the new number must find the new state), under
        a lock on the file (two writers must not both write the same next number)."""
        fcntl.flock(self._gen_fd, fcntl.LOCK_EX)
        try:
            self._gen[:8] = (self.generation() + 1).to_bytes(8, "little")
        finally:
            fcntl.flock(self._gen_fd, fcntl.LOCK_UN)

    def read(self, ns):
        row = self._conn.execute("SELECT state FROM namespaces WHERE ns = ?", (ns,)).fetchone()
        return None if row is None else json.loads(row[0])

    def _write(self, fn, bump: bool = False):
        """fn(conn) in one write transaction; with bump, fn returns (result, changed)."""
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            result = fn(conn)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if bump:
            result, changed = result
            if changed:
                self._bump()
        return result

    def update(self, ns, change):
        def run(conn):
            row = conn.execute("SELECT state FROM namespaces WHERE ns = ?", (ns,)).fetchone()
            state, result, bump = change(json.loads(row[0]) if row else fresh_state())
            if state is None:
                conn.execute("DELETE FROM namespaces WHERE ns = ?", (ns,))
            else:
                conn.execute("INSERT OR REPLACE INTO namespaces VALUES (?, ?)", (ns, json.dumps(state)))
            return result, bump

        return self._write(run, bump=True)

    def append(self, rows):
        if not rows:
            return

        def run(conn):
            meta = len(COLUMNS) - 1
            stored = [(*row[:meta], self._meta_id(conn, row[meta])) for row in rows]
            conn.executemany(f"INSERT INTO journal({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", stored)
            added: dict[str, int] = {}
            for row in rows:
                added[row[0]] = added.get(row[0], 0) + 1
            for ns, n in added.items():
                kept = conn.execute(
                    "INSERT INTO journal_counts VALUES (?, ?, 0) ON CONFLICT(ns) DO UPDATE SET kept = kept + excluded.kept RETURNING kept", (ns, n)
                ).fetchone()[0]
                if kept > self._per:
                    self._drop(conn, "WHERE ns = ?", (ns,), kept - self._per)
            total = conn.execute("SELECT total(kept) FROM journal_counts").fetchone()[0]
            if total > self._total:
                self._drop(conn, "", (), int(total) - self._total)

        self._write(run)

    def _meta_id(self, conn, text: str) -> int:
        found = self._meta_ids.get(text)
        if found is None:
            conn.execute("INSERT OR IGNORE INTO metas(json) VALUES (?)", (text,))
            found = self._meta_ids[text] = conn.execute("SELECT id FROM metas WHERE json = ?", (text,)).fetchone()[0]
        return found

    def _drop(self, conn, where: str, args: tuple, n: int) -> None:
        oldest = f"SELECT seq, ns FROM journal {where} ORDER BY seq LIMIT ?"
        for ns, k in conn.execute(f"SELECT ns, count(*) FROM ({oldest}) GROUP BY ns", (*args, n)).fetchall():
            conn.execute("UPDATE journal_counts SET kept = kept - ?, dropped = dropped + ? WHERE ns = ?", (k, k, ns))
        conn.execute(f"DELETE FROM journal WHERE seq IN (SELECT seq FROM ({oldest}))", (*args, n))

    def journal(self, ns, flt):
        where, args = ["journal.ns = ?"], [ns]
        for column, value in flt.columns().items():
            where.append(f"{column} = ?")
            args.append(value)
        columns = ", ".join(COLUMNS[:-1]) + ", metas.json"
        sql = f"SELECT seq, {columns} FROM journal JOIN metas ON metas.id = journal.meta WHERE {' AND '.join(where)} ORDER BY time DESC, seq DESC"
        if flt.limit:
            sql += f" LIMIT {int(flt.limit)}"
        rows = self._conn.execute(sql, args).fetchall()
        entries = [(row[0], row[1:]) for row in reversed(rows)]
        dropped = self._conn.execute("SELECT dropped FROM journal_counts WHERE ns = ?", (ns,)).fetchone()
        return entries, dropped[0] if dropped else 0

    def journal_namespaces(self):
        return [ns for (ns,) in self._conn.execute("SELECT ns FROM journal_counts ORDER BY ns")]

    def clear_journal(self, ns):
        self._write(lambda conn: (conn.execute("DELETE FROM journal WHERE ns = ?", (ns,)), conn.execute("DELETE FROM journal_counts WHERE ns = ?", (ns,))))

    def forget(self, ns):
        def run(conn):
            for table in ("namespaces", "journal", "journal_counts"):
                conn.execute(f"DELETE FROM {table} WHERE ns = ?", (ns,))
            return None, True

        self._write(run, bump=True)

    def namespaces(self):
        rows = self._conn.execute("SELECT ns FROM namespaces UNION SELECT ns FROM journal_counts WHERE kept > 0 ORDER BY ns").fetchall()
        return [ns for (ns,) in rows]

    def sync_ticket(self):
        return self._write(lambda conn: conn.execute("UPDATE sync SET ticket = ticket + 1 RETURNING ticket").fetchone()[0])

    def current_ticket(self) -> int:
        return self._conn.execute("SELECT ticket FROM sync").fetchone()[0]

    def ack(self, writer, ticket):
        self._write(lambda conn: conn.execute("INSERT OR REPLACE INTO writers VALUES (?, ?, ?)", (writer, ticket, time.time())))

    def acked(self, ticket):
        alive = time.time() - WRITER_TIMEOUT_S
        row = self._conn.execute("SELECT count(*) FROM writers WHERE seen > ? AND ack < ?", (alive, ticket)).fetchone()
        return row[0] == 0

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        self._gen.close()
        os.close(self._gen_fd)


def open_store(url: str | None, per_namespace: int = JOURNAL_PER_NAMESPACE, total: int = JOURNAL_TOTAL) -> Store:
    """None: in memory (one process); redis://...: Redis; anything else: a SQLite file."""
    if not url:
        return MemoryStore(per_namespace, total)
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            from campaign_mock.runtime.redis_store import RedisStore

            return RedisStore(url, per_namespace, total)
        return SQLiteStore(url, per_namespace, total)
    except (OSError, sqlite3.Error) as e:
        raise StateError(f"--state {url}: cannot be opened ({e})") from None
