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
import functools
import heapq
import json
import marshal
import mmap
import os
import sqlite3
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter, deque
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterator

from campaign_mock.exceptions import CampaignMockError

__all__ = ["JournalFilter", "MemoryStore", "SQLiteStore", "StateError", "Store", "open_store", "store_errors"]


class StateError(CampaignMockError):
    """--state names something that cannot hold the runtime state."""

@functools.cache
def store_errors() -> tuple[type[BaseException], ...]:
    """What a store raises when it cannot be read or written (a locked or broken SQLite file, a
    full disk, Redis gone): the server answers those as an outage, not as its own bug."""
    try:
        from redis.exceptions import RedisError
    except ModuleNotFoundError:
        return (sqlite3.Error, OSError)
    return (sqlite3.Error, OSError, RedisError)


# A writer that has not flushed for this long is gone (a stopped worker); readers stop waiting for it.
WRITER_TIMEOUT_S = 2.0
# Journal bounds: entries kept per namespace and in all; past them the oldest go, counted.
JOURNAL_PER_NAMESPACE = 10_000
JOURNAL_TOTAL = 100_000

# update(ns, change): change(state) -> (new state or None to forget the namespace, result, bump)
Change = Callable[[dict], tuple[dict | None, Any, bool]]


def fresh_state() -> dict:
    # variation: {"name", "seed"} or None (runtime/variation.py); states kept before it have none
    return {"scenarios": [], "clock": None, "faults": [], "next_fault": 1, "variation": None}


# A journal row, as the writer hands it over and every store keeps it (runtime/journal.py
# builds the entry from it when read): cheap to make per request, no JSON. `headers` is
# (WSGI names, their values); `meta` the answer's JSON, one object per distinct answer.
COLUMNS = ("ns", "method", "path", "query", "headers", "status", "operation", "error", "fault", "latency", "time", "meta")
_AT = {name: i for i, name in enumerate(COLUMNS)}


def in_time(item: tuple) -> tuple:
    """Sort key of a (seq, row): the answer time, then seq."""
    return item[1][_AT["time"]], item[0]


# The journal's writer (runtime/journal.JournalWriter) writes a worker's rows every
# FLUSH_INTERVAL_S, sooner when a reader waits: a batch holds what its worker answered in the
# interval before. BATCH_SPAN_S bounds that, with room for a slow flush, so that a read with a
# limit knows when older batches can hold nothing newer than what it has.
FLUSH_INTERVAL_S = 0.1
BATCH_SPAN_S = 2 * FLUSH_INTERVAL_S


def _batch_rows(blob: bytes) -> list[tuple] | None:
    """A journal batch's rows; None for one written by a Python with another marshal format
    (its entries then count as dropped)."""
    try:
        return marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return None


def _enough(entries: list[tuple], batch: list[tuple], limit: int) -> bool:
    """Whether batches read newest first (`batch` the last one read) can stop: `entries` hold
    `limit` answered more than BATCH_SPAN_S after anything in that batch. An older batch was
    written before it, so holds nothing answered after it was written, and it was written at
    most BATCH_SPAN_S after its rows were answered (but for a worker stalled longer than that)."""
    at = _AT["time"]
    after = max(row[at] for row in batch) + BATCH_SPAN_S
    return sum(1 for _, row in entries if row[at] > after) >= limit


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
    def add_dropped(self, counts: dict[str, int]) -> None:
        """Counts entries the journal lost (a writer that could not reach the store) as dropped."""
    @abstractmethod
    def clear_journal(self, ns: str) -> None: ...
    @abstractmethod
    def answer_counts(self, ns: str | None) -> tuple[dict[str, int], int]:
        """(the answers' meta JSON -> how many kept entries of `ns` (of every namespace: None)
        got it, entries dropped): what coverage counts, read in one pass however many
        namespaces there are."""
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

    def add_dropped(self, counts):
        with self._lock:
            for ns, n in counts.items():
                self._dropped[ns] = self._dropped.get(ns, 0) + n

    def clear_journal(self, ns):
        with self._lock:
            self._kept -= len(self._journal.pop(ns, ()))
            self._dropped.pop(ns, None)

    def answer_counts(self, ns):
        with self._lock:
            kept = [self._journal.get(ns, ())] if ns is not None else list(self._journal.values())
            counts = Counter(row[-1] for rows in kept for _, row in rows)
            return dict(counts), self._dropped.get(ns, 0) if ns is not None else sum(self._dropped.values())

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
-- The journal in batches: one row per namespace per writer flush, its rows marshalled (see
-- SQLiteStore): entries first_seq .. first_seq + n - 1, of which the first `skip` are trimmed.
CREATE TABLE IF NOT EXISTS journal_batches(id INTEGER PRIMARY KEY AUTOINCREMENT, ns TEXT NOT NULL, first_seq INTEGER NOT NULL,
    n INTEGER NOT NULL, skip INTEGER NOT NULL, rows BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS journal_batches_by_ns ON journal_batches(ns, id);
CREATE TABLE IF NOT EXISTS journal_counts(ns TEXT PRIMARY KEY, kept INTEGER NOT NULL, dropped INTEGER NOT NULL);
-- The last entry's seq, and the entries kept in all (what the total bound counts).
CREATE TABLE IF NOT EXISTS journal_totals(id INTEGER PRIMARY KEY CHECK (id = 0), last_seq INTEGER NOT NULL, kept INTEGER NOT NULL);
INSERT OR IGNORE INTO journal_totals VALUES (0, 0, 0);
CREATE TABLE IF NOT EXISTS sync(id INTEGER PRIMARY KEY CHECK (id = 0), ticket INTEGER NOT NULL);
INSERT OR IGNORE INTO sync VALUES (0, 0);
CREATE TABLE IF NOT EXISTS writers(id TEXT PRIMARY KEY, ack INTEGER NOT NULL, seen REAL NOT NULL);
"""
# Marks a file as campaign-mock's (PRAGMA application_id, "CMck") and its layout (user_version).
APPLICATION_ID = 0x434D636B
SCHEMA_VERSION = 2
# Version 1 (no marks): the journal a row per entry. Its tables, the journal's dropped on upgrade.
_V1_TABLES = {"namespaces", "journal", "metas", "journal_counts", "sync", "writers"}


def _use_wal(conn: sqlite3.Connection, path: str, timeout: float = 30) -> None:
    """Switches the file to WAL (which it keeps). Workers open a new file at once, and two
    connections switching it together deadlock: SQLite then answers one "database is locked"
    at once, without waiting for its busy timeout. So: look first, and try again."""
    deadline = time.monotonic() + timeout
    while True:
        failure = None
        try:
            if conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal" or conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError as e:
            failure = e
        if time.monotonic() > deadline:
            raise StateError(f"--state {path}: SQLite would not switch the file to WAL mode ({failure or 'is it on a network file system?'})") from failure
        time.sleep(0.005)


_first = itemgetter(0)  # a journal row's namespace


@contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """A write transaction: committed when the block ends, rolled back when it raises."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


class SQLiteStore(Store):
    """The workers of one machine share one SQLite file (WAL: readers never wait for the
    writer). The generation lives in an 8-byte file beside it, mapped into every process, so
    the per-request check is a memory read rather than a query.

    The journal is written a batch per namespace per flush, its rows marshalled into one blob:
    a row of its own per entry (12 columns and an index) cost more than the request it
    recorded (benchmarks/server.py). marshal (the standard library's) because it is several
    times faster than JSON here and a batch is read back by the Python that wrote it; a file
    kept across a Python whose marshal format differs loses its journal entries, which are
    then counted as dropped, not its namespaces."""

    kind = "sqlite"
    buffered = True

    def __init__(self, path: str | os.PathLike, per_namespace: int = JOURNAL_PER_NAMESPACE, total: int = JOURNAL_TOTAL, verify: bool = False):
        """`verify`: check a kept file whole first (PRAGMA quick_check; `serve` does, once)."""
        self.path = str(path)
        self._per, self._total = per_namespace, total
        self._local = threading.local()
        try:  # created readable by its owner only (SQLite gives its -wal and -shm files the same mode)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            pass
        # Not through _connect: its WAL pragma would rewrite a file that may not be ours.
        first = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            if verify:
                problems = [row[0] for row in first.execute("PRAGMA quick_check(3)")]
                if problems != ["ok"]:
                    raise StateError(f"--state {self.path}: the file is damaged ({' '.join('; '.join(problems).split())[:200]}); give a new file, or repair it with the sqlite3 shell's .recover")
            self._prepare(first)
            _use_wal(first, self.path)
        finally:
            first.close()
        gen_path = Path(self.path + "-generation")
        self._gen_fd = os.open(gen_path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._gen_fd).st_size < 8:
            os.ftruncate(self._gen_fd, 8)
        self._gen = mmap.mmap(self._gen_fd, 8)
        self._gen_word = memoryview(self._gen).cast("Q")  # read on every request: no slicing, no int.from_bytes

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """Creates the tables in a new file; refuses a file that holds anyone else's tables,
        which it must not write into; upgrades its own version-1 file (keeping the namespaces)."""
        with _immediate(conn):  # workers start at once: one prepares, the others then see it done
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
            if application_id != APPLICATION_ID:
                if tables == _V1_TABLES:
                    conn.execute("DROP TABLE journal")
                    conn.execute("DROP TABLE metas")
                    conn.execute("DELETE FROM journal_counts")
                elif tables:
                    raise StateError(f"--state {self.path}: a SQLite file with tables campaign-mock did not write ({', '.join(sorted(tables)[:5])}); give a new file")
            elif conn.execute("PRAGMA user_version").fetchone()[0] > SCHEMA_VERSION:
                raise StateError(f"--state {self.path}: written by a newer campaign-mock; give a new file")
            for statement in _SCHEMA.split(";"):  # (no ";" in its comments)
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)  # (WAL: the file is, see _use_wal)
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-512")  # KiB per connection (one per thread): the journal is written more than read
        return conn

    @property
    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._connect()
            self._local.lock = os.open(self.path + "-lock", os.O_RDWR | os.O_CREAT, 0o600)
        return conn

    def generation(self) -> int:
        return self._gen_word[0]

    def read(self, ns):
        row = self._conn.execute("SELECT state FROM namespaces WHERE ns = ?", (ns,)).fetchone()
        return None if row is None else json.loads(row[0])

    def _write(self, fn, bump: bool = False):
        """fn(conn) in one write transaction; with bump, fn returns (result, changed) and the
        generation goes up after the commit (a reader that sees the new number must find the
        new state).

        Writers queue on a lock file (one open file per thread, so threads exclude each other
        too) before SQLite's own lock: the kernel wakes the next one the moment it is free,
        where SQLite's busy handler sleeps up to 100 ms between tries, which stalled journal
        flushes for seconds under load (benchmarks/server.py). The lock also makes reading and
        writing the generation one step."""
        conn = self._conn
        fcntl.flock(self._local.lock, fcntl.LOCK_EX)
        try:
            with _immediate(conn):
                result = fn(conn)
            if bump:
                result, changed = result
                if changed:
                    self._gen_word[0] += 1
        finally:
            fcntl.flock(self._local.lock, fcntl.LOCK_UN)
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

    def append(self, rows: list[tuple]) -> None:
        if not rows:
            return
        names = set(map(_first, rows))
        batches: dict[str, list[tuple]] = {names.pop(): rows} if len(names) == 1 else {}
        if not batches:  # (one namespace, the usual case, costs no loop in Python: a third of a flush)
            for row in rows:
                batches.setdefault(row[0], []).append(row)
        blobs = [(ns, len(batch), marshal.dumps(batch)) for ns, batch in batches.items()]  # before taking the write lock

        def run(conn):
            seq = conn.execute("UPDATE journal_totals SET last_seq = last_seq + ?1, kept = kept + ?1 RETURNING last_seq", (len(rows),)).fetchone()[0] - len(rows) + 1
            stored = []
            for ns, n, blob in blobs:
                stored.append((ns, seq, n, blob))
                seq += n
            conn.executemany("INSERT INTO journal_batches(ns, first_seq, n, skip, rows) VALUES (?, ?, ?, 0, ?)", stored)
            conn.executemany("INSERT INTO journal_counts VALUES (?, ?, 0) ON CONFLICT(ns) DO UPDATE SET kept = kept + excluded.kept", [(ns, n) for ns, _, n, _ in stored])
            touched = list(batches)
            for i in range(0, len(touched), 500):  # (SQLite's bound on parameters)
                chunk = touched[i : i + 500]
                over = conn.execute(f"SELECT ns, kept FROM journal_counts WHERE ns IN ({', '.join('?' * len(chunk))}) AND kept > ?", (*chunk, self._per)).fetchall()
                for ns, kept in over:
                    self._drop(conn, ns, kept - self._per)
            kept = conn.execute("SELECT kept FROM journal_totals").fetchone()[0]
            if kept > self._total:
                self._drop(conn, None, kept - self._total)

        self._write(run)

    def _drop(self, conn, ns: str | None, n: int) -> None:
        """The `n` oldest entries of `ns` (of any namespace: None), counted as dropped: whole
        batches deleted, the last one partly skipped. Each batch holds at least one entry, so
        at most n batches are read."""
        where, args = ("WHERE ns = ?", (ns,)) if ns is not None else ("", ())
        batches = conn.execute(f"SELECT id, ns, n, skip FROM journal_batches {where} ORDER BY id LIMIT ?", (*args, n)).fetchall()
        gone: dict[str, int] = {}
        deleted, total = [], n
        for batch_id, batch_ns, count, skip in batches:
            take = min(count - skip, n)
            if take == count - skip:
                deleted.append((batch_id,))
            else:
                conn.execute("UPDATE journal_batches SET skip = skip + ? WHERE id = ?", (take, batch_id))
            gone[batch_ns] = gone.get(batch_ns, 0) + take
            n -= take
            if not n:
                break
        conn.executemany("DELETE FROM journal_batches WHERE id = ?", deleted)
        conn.executemany("UPDATE journal_counts SET kept = kept - ?, dropped = dropped + ? WHERE ns = ?", [(k, k, batch_ns) for batch_ns, k in gone.items()])
        conn.execute("UPDATE journal_totals SET kept = kept - ?", (total - n,))

    def journal(self, ns, flt):
        """With a limit, batches are read newest first and no further than needed: a read costs
        what it returns, not the whole journal."""
        conn = self._conn
        conn.execute("BEGIN")  # one snapshot: the batches and the count of what was dropped before them
        try:
            counted = conn.execute("SELECT dropped FROM journal_counts WHERE ns = ?", (ns,)).fetchone()
            dropped = counted[0] if counted else 0
            entries: list[tuple] = []
            newest_first = bool(flt.limit)
            for first_seq, count, skip, blob in conn.execute(f"SELECT first_seq, n, skip, rows FROM journal_batches WHERE ns = ? ORDER BY id{' DESC' if newest_first else ''}", (ns,)):
                rows = _batch_rows(blob)
                if rows is None:
                    dropped += count - skip
                    continue
                entries += [(seq, row) for seq, row in enumerate(rows[skip:], first_seq + skip) if flt.matches(row)]
                if newest_first and len(entries) >= flt.limit and _enough(entries, rows, flt.limit):
                    break
        finally:
            conn.execute("COMMIT")
        entries.sort(key=in_time)
        return (entries[-flt.limit :] if flt.limit else entries), dropped

    def answer_counts(self, ns):
        where, args = ("WHERE ns = ?", (ns,)) if ns is not None else ("", ())
        conn = self._conn
        conn.execute("BEGIN")  # one snapshot
        try:
            batches = conn.execute(f"SELECT n, skip, rows FROM journal_batches {where}", args).fetchall()
            dropped = conn.execute(f"SELECT coalesce(sum(dropped), 0) FROM journal_counts {where}", args).fetchone()[0]
        finally:
            conn.execute("COMMIT")
        counts: Counter[str] = Counter()
        for count, skip, blob in batches:
            rows = _batch_rows(blob)
            if rows is None:
                dropped += count - skip
            else:
                counts.update(row[-1] for row in rows[skip:])
        return dict(counts), dropped

    def add_dropped(self, counts):
        self._write(lambda conn: conn.executemany("INSERT INTO journal_counts VALUES (?, 0, ?) ON CONFLICT(ns) DO UPDATE SET dropped = dropped + excluded.dropped", list(counts.items())))

    def clear_journal(self, ns):
        self._write(lambda conn: self._clear_journal(conn, ns))

    @staticmethod
    def _clear_journal(conn, ns: str) -> None:
        conn.execute("DELETE FROM journal_batches WHERE ns = ?", (ns,))
        gone = conn.execute("DELETE FROM journal_counts WHERE ns = ? RETURNING kept", (ns,)).fetchone()
        conn.execute("UPDATE journal_totals SET kept = kept - ?", (gone[0] if gone else 0,))

    def forget(self, ns):
        def run(conn):
            conn.execute("DELETE FROM namespaces WHERE ns = ?", (ns,))
            self._clear_journal(conn, ns)
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
        def run(conn):
            now = time.time()
            conn.execute("INSERT OR REPLACE INTO writers VALUES (?, ?, ?)", (writer, ticket, now))
            # Gone writers are forgotten, as Redis expires them (`acked` already ignores them):
            # a --state file kept across restarts gained a row per worker start.
            conn.execute("DELETE FROM writers WHERE seen <= ?", (now - WRITER_TIMEOUT_S,))

        self._write(run)

    def acked(self, ticket):
        alive = time.time() - WRITER_TIMEOUT_S
        row = self._conn.execute("SELECT count(*) FROM writers WHERE seen > ? AND ack < ?", (alive, ticket)).fetchone()
        return row[0] == 0

    def close(self):
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            os.close(self._local.lock)
            self._local.conn = None
        self._gen_word.release()
        self._gen.close()
        os.close(self._gen_fd)


def open_store(url: str | None, per_namespace: int = JOURNAL_PER_NAMESPACE, total: int = JOURNAL_TOTAL, verify: bool = False) -> Store:
    """None: in memory (one process); redis://...: Redis; anything else: a SQLite file
    (`verify`: checked whole first)."""
    if not url:
        return MemoryStore(per_namespace, total)
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            try:
                from campaign_mock.runtime.redis_store import RedisStore
            except ModuleNotFoundError as e:
                if e.name != "redis":
                    raise
                raise StateError(f"--state {url}: Redis support is not installed: pip install 'campaign-mock[redis]'") from None
            return RedisStore(url, per_namespace, total)
        return SQLiteStore(url, per_namespace, total, verify)
    except (OSError, sqlite3.Error) as e:
        raise StateError(f"--state {url}: cannot be opened ({e})") from None
