"""Answers are computed once and kept as bytes. The world never changes, so the same
request (path, query string, the headers that matter) always gets the same answer.

A view computes an answer through AnswerCache.answer(); after that, CachedAnswers (WSGI
middleware in front of Flask) sends it straight back without routing, which is what lets the
mock outrun a bare Flask app serving precomputed bytes. Forced errors and delays always go
through Flask (server/forcing.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Iterable

from flask import Response

from campaign_mock.server.errors import render

# Everything an answer may depend on besides path and query string, as WSGI environ keys.
KEY_HEADERS = (
    "HTTP_X_SPAAZA_SESSION_USER_ID",
    "HTTP_X_SPAAZA_SESSION_KEY",
    "HTTP_X_SPAAZA_API_VERSION",
    "HTTP_X_SPAAZA_MYPRICE_APP_HOSTNAME",
    "HTTP_AUTHORIZATION",
)
FORCING_HEADERS = ("HTTP_X_MOCK_ERROR", "HTTP_X_MOCK_DELAY_MS")
# Roughly what one entry costs beyond its key and body: the dict slot, the Answer, its headers.
ENTRY_OVERHEAD = 1024


def request_key(environ: dict) -> tuple:
    return (environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""), *map(environ.get, KEY_HEADERS))


def entry_size(key: tuple, answer: "Answer") -> int:
    """What keeping an answer costs. The key counts too: a client may send kilobytes of query
    string or headers with every request, each a new key for a tiny answer."""
    return ENTRY_OVERHEAD + sum(len(part) for part in key if part) + len(answer.body)


@dataclass(frozen=True, slots=True)
class Answer:
    status: str  # "200 OK"
    headers: list[tuple[str, str]]  # Content-Type, Content-Length and any vendor header
    body: bytes

    @classmethod
    def of(cls, response: Response) -> "Answer":
        body = response.get_data()
        response.headers["Content-Length"] = str(len(body))
        return cls(response.status, response.headers.to_wsgi_list(), body)

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
        key = request_key(environ)
        hit = self._answers.get(key)
        if hit is None:
            hit = Answer.of(render(compute))
            self._keep(key, hit)
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


class CachedAnswers:
    """WSGI middleware: a GET whose answer is known is answered without Flask."""

    def __init__(self, app: Callable, cache: AnswerCache):
        self.app = app
        self.cache = cache

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and not any(h in environ for h in FORCING_HEADERS):
            hit = self.cache.get(request_key(environ))
            if hit is not None:
                start_response(hit.status, hit.headers)
                return [hit.body]
        return self.app(environ, start_response)

