"""Answers are computed once and kept as bytes. A world never changes, so the same request
(the namespace's world and clock, path, query string, the headers that matter) always gets the
same answer.

A view computes an answer through AnswerCache.answer(); after that, RuntimeMiddleware (WSGI
middleware in front of Flask) sends it straight back without routing, which is what lets the
mock outrun a bare Flask app serving precomputed bytes. The middleware is also where every
vendor request is seen once: it picks the namespace (`/__mock/ns/KEY/...` or X-Mock-Namespace),
fires armed faults, and journals the request, cache hits included. Forced errors and delays
always go through Flask (server/forcing.py)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from flask import Response

from campaign_mock.runtime import DEFAULT_NAMESPACE, AdminInputError, JournalWriter, Runtime, check_key, meta_of
from campaign_mock.runtime.journal import dropped_meta, operation_of
from campaign_mock.server.errors import MOCK_SPAAZA_ERRORS, is_levelup, json_response, levelup_response, log, render, spaaza_response
from campaign_mock.server.forcing import FORCE_DELAY, FORCE_ERROR

# Everything an answer may depend on besides path and query string, as WSGI environ keys.
KEY_HEADERS = (
    "HTTP_X_SPAAZA_SESSION_USER_ID",
    "HTTP_X_SPAAZA_SESSION_KEY",
    "HTTP_X_SPAAZA_API_VERSION",
    "HTTP_X_SPAAZA_MYPRICE_APP_HOSTNAME",
    "HTTP_AUTHORIZATION",
)
# Roughly what one entry costs beyond its key and body: the dict slot, the Answer, its headers.
ENTRY_OVERHEAD = 1024


VIEW = "campaign_mock.view"  # environ key: the NamespaceView the request is answered from
ANSWER = "campaign_mock.answer"  # environ key: the Answer a view gave, for the journal


def request_key(environ: dict, answers: tuple | None = None) -> tuple:
    """`answers`: the namespace view's key (None for the base world at its own clock)."""
    return (answers, environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), *map(environ.get, KEY_HEADERS))


def entry_size(key: tuple, answer: "Answer") -> int:
    """What keeping an answer costs. The key counts too: a client may send kilobytes of query
    string or headers with every request, each a new key for a tiny answer."""
    return ENTRY_OVERHEAD + sum(len(part) for part in key if isinstance(part, str)) + len(answer.body)


@dataclass(frozen=True, slots=True)
class Answer:
    status: str  # "200 OK"
    headers: list[tuple[str, str]]  # Content-Type, Content-Length and any vendor header
    body: bytes
    meta: tuple  # the journal's runtime.journal.AnswerMeta: computed once per answer

    @classmethod
    def of(cls, response: Response, environ: dict) -> "Answer":
        body = response.get_data()
        response.headers["Content-Length"] = str(len(body))
        meta = meta_of(environ.get("PATH_INFO", ""), environ.get("HTTP_X_SPAAZA_API_VERSION"), response.status_code, body)
        return cls(response.status, response.headers.to_wsgi_list(), body, meta)

    def response(self) -> Response:
        return Response(self.body, status=self.status, headers=self.headers)


class AnswerCache:
    """Bounded by the bytes it holds (keys, bodies and a per-entry overhead); when full, the
    oldest answers go first."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0
        self._answers: dict[tuple, Answer] = {}
        self._lock = threading.Lock()  # misses only: worker threads may add at once

    def get(self, key: tuple) -> Answer | None:
        return self._answers.get(key)

    def answer(self, environ: dict, compute: Callable[[], object]) -> Response:
        view = environ.get(VIEW)  # None: called outside the middleware (the base world's answers)
        key = request_key(environ, view.answers if view is not None else None)
        hit = self._answers.get(key)
        if hit is None:
            hit = Answer.of(render(compute), environ)
            self._keep(key, hit)
        environ[ANSWER] = hit
        return hit.response()

    def _keep(self, key: tuple, answer: Answer) -> None:
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = answer
            self.size += entry_size(key, answer)
            while self.size > self.max_bytes and len(self._answers) > 1:
                oldest = next(iter(self._answers))
                self.size -= entry_size(oldest, self._answers.pop(oldest))

    def __len__(self) -> int:
        return len(self._answers)


# /__mock/ns/KEY/<rest>: <rest> is the admin API's when it starts with one of these, else a vendor path.
NAMESPACED = "/__mock/ns/"
ADMIN_PARTS = frozenset({"scenarios", "clock", "faults", "journal", "world", "coverage"})


def is_admin_rest(rest: str | None) -> bool:
    return not rest or rest == "/" or rest.split("/", 2)[1] in ADMIN_PARTS


class RuntimeMiddleware:
    """WSGI middleware in front of Flask: namespace, faults, answer cache, journal."""

    def __init__(self, app: Callable, cache: AnswerCache, runtime: Runtime, journal: JournalWriter):
        self.app = app
        self.cache = cache
        self.runtime = runtime
        self.journal = journal

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        path = environ.get("PATH_INFO", "")
        try:
            if path.startswith("/__mock/"):
                slash = path.find("/", len(NAMESPACED))
                rest = path[slash:]
                if not path.startswith(NAMESPACED) or slash < 0 or is_admin_rest(rest):
                    return self.app(environ, start_response)  # the admin API: never journalled
                ns = check_key(path[len(NAMESPACED) : slash])
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + path[: len(path) - len(rest)]
                environ["PATH_INFO"] = path = rest
            else:
                asked = environ.get("HTTP_X_MOCK_NAMESPACE")
                ns = DEFAULT_NAMESPACE if asked is None else check_key(asked.strip())
        except AdminInputError as e:
            return _send(start_response, json_response(e.body(), e.status))
        try:
            view = environ[VIEW] = self.runtime.view(ns)
        except Exception:  # a store that stopped answering, a kept scenario that no longer builds
            log.exception("namespace %r: its runtime state cannot be read", ns)
            return _send(start_response, levelup_response("server_error") if is_levelup(path) else spaaza_response(MOCK_SPAAZA_ERRORS[500]))
        journalled = environ  # the request as the client sent it
        # Every documented operation is a GET: another method (a browser's OPTIONS preflight, a
        # stray POST) is answered as without faults and does not use one up.
        fault = self.runtime.claim_fault(ns, view, operation_of(path), path) if view.faults and environ.get("REQUEST_METHOD") == "GET" else None
        if fault is not None:
            journalled = dict(environ)
            if "drop" in fault:
                self._record(ns, journalled, path, dropped_meta(path), fault, started)
                start_response("500 Dropped", [("Content-Length", "1")])
                return _dropped(fault["id"])
            if "error" in fault:
                environ[FORCE_ERROR] = str(fault["error"])
            else:
                environ[FORCE_DELAY] = str(fault["delay_ms"])
        if environ.get("REQUEST_METHOD") == "GET" and FORCE_ERROR not in environ and FORCE_DELAY not in environ:
            hit = self.cache.get(request_key(environ, view.answers))
            if hit is not None:
                start_response(hit.status, hit.headers)
                self._record(ns, journalled, path, hit.meta, fault, started)
                return [hit.body]
        status = []

        def capture(status_line, response_headers, exc_info=None):
            status.append(status_line)
            return start_response(status_line, response_headers, exc_info)

        result = self.app(environ, capture)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
        answer = environ.get(ANSWER)
        meta = answer.meta if answer is not None else meta_of(path, environ.get("HTTP_X_SPAAZA_API_VERSION"), int(status[0][:3]), body)
        self._record(ns, journalled, path, meta, fault, started)
        return [body]

    def _record(self, ns, environ, path, meta, fault, started) -> None:
        self.journal.record(ns, path, environ, meta, fault["id"] if fault else None, (time.perf_counter() - started) * 1000, time.time())


class DroppedConnection(Exception):
    """A "drop" fault: the request is given no answer."""


def _dropped(fault_id: str) -> Iterator[bytes]:
    # A body that fails before its first byte: granian then closes the connection without
    # sending even the status line (the client sees "empty reply"/"connection aborted").
    raise DroppedConnection(fault_id)
    yield b""  # a generator: the failure happens when the server reads the body


def _send(start_response: Callable, response: Response) -> Iterable[bytes]:
    body = response.get_data()
    start_response(response.status, [*response.headers.to_wsgi_list()])
    return [body]
