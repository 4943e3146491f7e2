"""The request journal: what each vendor request was and what it got.

The server calls `JournalWriter.record` once per vendor request (answer-cache hits
included) with raw values; entries are built and written to the store in batches by a
thread, so a request pays for a tuple append, not a database write. `meta_of` computes an
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
from functools import cache
from typing import TextIO
from urllib.parse import parse_qs

from campaign_mock.contract import load_contract
from campaign_mock.contract.catalogue import LEVELUP_ERRORS
from campaign_mock.contract.facts import CURRENT_API_VERSION
from campaign_mock.runtime.store import Store

__all__ = ["AnswerMeta", "JournalWriter", "is_levelup_path", "mask", "meta_of", "operation_of"]

LEVELUP_PREFIX = "/v15/"
SECRET_HEADERS = frozenset({"X-Spaaza-Session-Key", "Authorization", "X-Mock-Admin-Token", "Cookie"})
FLUSH_INTERVAL_S = 0.01
HEARTBEAT_S = 0.5

AnswerMeta = tuple  # (operation, error, facts)


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
def _levelup_keys() -> dict[tuple[int, str], str]:
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
    """(operation, error, facts) of one answer. Parses the body: call once per distinct answer."""
    try:
        body = json.loads(body_bytes)
    except ValueError:
        body = None
    levelup = is_levelup_path(path)
    campaigns = []
    if not levelup and isinstance(body, dict) and isinstance(body.get("results"), dict):
        results = body["results"]
        campaigns = results.get("campaigns") or ([results["campaign"]] if isinstance(results.get("campaign"), dict) else [])
    contract = load_contract()
    facts = {
        "api_version": None if levelup else (api_version.strip() if api_version else ".".join(map(str, CURRENT_API_VERSION))),
        "campaign_types": sorted({c["type"] for c in campaigns if "type" in c}),
        "progress_formats": sorted({f for c in campaigns if "user_progress" in c for f in [contract.progress_format(c.get("type"))] if f}),
        "representation": path.rsplit("/", 1)[-1] if levelup and operation_of(path) else None,
    }
    return operation_of(path), _error(path, status, body), facts


def mask(value: str) -> str:
    """A secret as its first and last four characters (the scheme of an Authorization kept)."""
    scheme, space, secret = value.rpartition(" ")
    shown = f"{secret[:4]}…{secret[-4:]}" if len(secret) > 8 else "…"
    return f"{scheme} {shown}" if space else shown


def _header_name(key: str) -> str:
    return "-".join(part.capitalize() for part in key[5:].split("_"))


def request_headers(environ: dict) -> dict[str, str]:
    return {k: v for k, v in environ.items() if k.startswith("HTTP_")}


def _entry(raw: tuple) -> dict:
    ns, method, path, query_string, headers, status, meta, fault, latency_ms, wall = raw
    operation, error, facts = meta
    shown = {}
    for key, value in headers.items():
        name = _header_name(key)
        shown[name] = mask(value) if name in SECRET_HEADERS else value
    return {
        "time": datetime.fromtimestamp(wall, timezone.utc).isoformat(timespec="milliseconds"),
        "namespace": ns,
        "method": method,
        "path": path,
        "query": parse_qs(query_string, keep_blank_values=True),
        "query_string": query_string,
        "headers": shown,
        "status": status,
        "operation": operation,
        "error": error,
        "fault": fault,
        "latency_ms": round(latency_ms, 3),
        "facts": facts,
    }


def _access_line(entry: dict) -> str:
    keys = ("time", "namespace", "method", "path", "operation", "status", "error", "fault", "latency_ms")
    return json.dumps({k: entry[k] for k in keys}, ensure_ascii=False)


class JournalWriter:
    """Collects raw entries and writes them in batches. With a store that is not buffered (in
    memory) each entry is written at once."""

    def __init__(self, store: Store, access_log: TextIO | None = None):
        self.store = store
        self.access_log = access_log
        self.id = uuid.uuid4().hex
        self._pending: deque[tuple] = deque()  # append and popleft are atomic
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        if store.buffered:
            self._thread = threading.Thread(target=self._run, name="campaign-mock-journal", daemon=True)
            self._thread.start()

    def record(self, *raw) -> None:
        """(ns, method, path, query_string, headers, status, meta, fault, latency_ms, wall)."""
        if self._thread is not None:
            self._pending.append(raw)
        else:
            with self._lock:
                self._write([raw])

    def _write(self, raws: list[tuple]) -> None:
        entries = [_entry(r) for r in raws]
        self.store.append(entries)
        if self.access_log is not None:
            self.access_log.write("".join(_access_line(e) + "\n" for e in entries))
            self.access_log.flush()

    def _run(self) -> None:
        acked, last = -1, 0.0
        while True:
            time.sleep(FLUSH_INTERVAL_S)
            try:
                ticket = self.store.current_ticket()  # before taking the batch: see Store.wait_flushed
                raws = [self._pending.popleft() for _ in range(len(self._pending))]
                if raws:
                    self._write(raws)
                now = time.monotonic()
                if raws or ticket != acked or now - last > HEARTBEAT_S:
                    self.store.ack(self.id, ticket)
                    acked, last = ticket, now
            except Exception as e:  # never let the writer die: report and go on
                print(f"campaign-mock: journal writer: {e}", file=sys.stderr)
