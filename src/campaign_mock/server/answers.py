"""Answers, and the cache that keeps them as bytes.

A world never changes, so the same request (the namespace's world and clock, path, query
string, the headers that matter) always gets the same answer: computed once, it is kept with
what the journal records of it (`meta`) and sent again as it is (server/pipeline.py)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from werkzeug.http import HTTP_STATUS_CODES

from campaign_mock.runtime import AnswerMeta
from campaign_mock.runtime.journal import Recorded
from campaign_mock.world.providers import json_bytes

# Everything an answer may depend on besides the namespace's view, path and query string, as
# WSGI environ keys.
KEY_HEADERS = (
    "HTTP_X_SPAAZA_SESSION_USER_ID",
    "HTTP_X_SPAAZA_SESSION_KEY",
    "HTTP_X_SPAAZA_API_VERSION",
    "HTTP_X_SPAAZA_MYPRICE_APP_HOSTNAME",
    "HTTP_AUTHORIZATION",
)
# Roughly what one entry costs beyond its key and body: the dict slot, the Answer, its headers.
ENTRY_OVERHEAD = 1024


def status_line(code: int) -> str:
    return f"{code} {HTTP_STATUS_CODES.get(code, 'UNKNOWN').upper()}"


@dataclass(frozen=True, slots=True)
class Answer:
    status: str  # "200 OK"
    headers: list[tuple[str, str]]  # Content-Type, Content-Length and any vendor header
    body: bytes
    code: int | str | None  # the error it carries (a Spaaza code, a LevelUp refusal), None for none
    meta: AnswerMeta | None = None  # what the journal records of it; the pipeline sets it

    @classmethod
    def json(cls, status: int, body: object, code: int | str | None, headers: Iterable[tuple[str, str]] = ()) -> "Answer":
        data = json_bytes(body)
        before = [h for h in headers if h[0] == "WWW-Authenticate"]  # (the order Flask gave them)
        after = [h for h in headers if h[0] != "WWW-Authenticate"]
        return cls(status_line(status), [*before, ("Content-Type", "application/json"), ("Content-Length", str(len(data))), *after], data, code)

    def with_meta(self, meta: AnswerMeta) -> "Answer":
        return replace(self, meta=meta)


def request_key(view_key: tuple | None, environ: dict) -> tuple:
    """What an answer is a function of: the namespace view's key (None for the base world at
    its own clock), the path, the query string and the headers that matter."""
    get = environ.get
    return (view_key, get("PATH_INFO", ""), get("QUERY_STRING", ""), *map(get, KEY_HEADERS))


def entry_size(key: tuple, answer: Answer) -> int:
    """What keeping an answer costs. The key counts too: a client may send kilobytes of query
    string or headers with every request, each a new key for a tiny answer."""
    return ENTRY_OVERHEAD + sum(len(part) for part in key if isinstance(part, str)) + len(answer.body)


class AnswerCache:
    """Bounded by the bytes it holds (keys, bodies and a per-entry overhead); when full, the
    oldest answers go first. Reads take no lock (a dict read is atomic): the hot path.

    It also keeps the requests it answered, to replay them (server/pipeline.py, step 0), by
    everything the pipeline reads of a request: the method, path, query string and every
    header; all of one state generation (`replays_of`), forgotten when the generation read is
    another, and each answers only a request that read the generation its own request read
    (one kept by a request that raced a state change does not). Such a request sent again
    while the state is the same gets
    the same answer and the same journal record (but for its latency and time): the pipeline
    sends the answer kept here with the request as the journal recorded it, one lookup, where
    the steps it skips were half the CPU of a cached answer (benchmarks/hot_path.py). Replays
    count toward the bound too (the same overhead per entry, and the request's characters);
    they take what the answers leave and, when that is full, go all at once (no bookkeeping on
    the hot path). A replay holds only an answer the cache holds: when an answer goes, every
    replay goes with it."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self.size = 0  # of the answers
        self.replay_size = 0
        self._answers: dict[tuple, Answer] = {}
        self._replays: dict[tuple, tuple[Answer, Recorded, int]] = {}
        self.replays_of: int | None = None  # the state generation they were answered in
        # (the answer, the request as the journal recorded it, the generation read before it
        # was answered) of a request like `identity`: the dict's own get (no Python frame on the
        # hot path; the dict is only ever cleared).
        self.replay: Callable[[tuple], tuple[Answer, Recorded, int] | None] = self._replays.get
        self._lock = threading.Lock()  # misses only: worker threads may add at once

    def get(self, key: tuple) -> Answer | None:
        return self._answers.get(key)

    def keep(self, key: tuple, answer: Answer) -> Answer:
        """Keeps `answer` unless an answer for `key` is kept already; returns the kept one."""
        with self._lock:
            kept = self._answers.get(key)
            if kept is not None:
                return kept
            self._answers[key] = answer
            self.size += entry_size(key, answer)
            if self.size + self.replay_size > self.max_bytes:
                self._forget_replays()
            while self.size > self.max_bytes and len(self._answers) > 1:
                oldest = next(iter(self._answers))
                self.size -= entry_size(oldest, self._answers.pop(oldest))
            return answer

    def keep_replay(self, generation: int, identity: tuple, key: tuple, recorded: Recorded) -> None:
        """Replays the answer kept under `key` to requests like `identity` from now on, while
        the state is at `generation` (read before the request was answered)."""
        _, path, query, (names, values) = identity
        # (the names too: a shape too long to be kept gives every request names of its own)
        size = ENTRY_OVERHEAD + len(path) + len(query) + sum(map(len, names)) + sum(map(len, values))
        with self._lock:
            answer = self._answers.get(key)
            if answer is None or generation != self.replays_of:  # (let go, or the state moved, meanwhile)
                return
            if self.size + self.replay_size + size > self.max_bytes:
                self._forget_replays()
                if self.size + size > self.max_bytes:
                    return
            self._replays[identity] = (answer, recorded, generation)
            self.replay_size += size

    def replays(self) -> int:
        return len(self._replays)

    def forget_replays(self, generation: int | None) -> None:
        """Every replay goes: they were of another state generation than `generation`."""
        with self._lock:
            self._forget_replays()
            self.replays_of = generation

    def _forget_replays(self) -> None:
        self._replays.clear()
        self.replay_size = 0

    def __len__(self) -> int:
        return len(self._answers)
