"""A request's headers as the journal records them: (names, values), names as HTTP writes them
(X-Spaaza-Session-Key), in a stable order. Read on every vendor request, so it is cheap.

A WSGI environ holds dozens of keys of which a handful are headers (a server puts its own
there, and granian the whole process environment); a Python loop over them all was the
journal's largest cost. Environs with the same keys in the same order (the shape: every
request of a client that sends the same headers, on the same server) have the same headers:
the shape is kept with its header names and a reader of their values, so a request costs a
tuple of its keys, a lookup and one read (benchmarks/hot_path.py). A new shape is learned from
the keys that are no header, learned as they are met, by a set difference (in C). Bounded: a
client can only add HTTP_ keys, never learned, and at most CACHED shapes with at most
KEPT_KEYS_LENGTH characters of header keys each are kept.

The process environment is never a request header: granian copies it into every environ, and
an HTTP_PROXY with credentials would otherwise be journalled with every request. Its keys
are known as no header from the start (a client's own `Proxy:` header is then not journalled
either, where the process has an HTTP_PROXY)."""

from __future__ import annotations

import os
from operator import itemgetter
from typing import Callable

__all__ = ["request_headers"]

HEADER = "HTTP_"
CACHED = 4096
KEPT_KEYS_LENGTH = 4096  # characters of a request's header keys, at most, for its shape to be kept
_not_headers: frozenset[str] = frozenset(os.environ)
# An environ's keys, in order -> the request's header names sorted, and what reads their values.
_shapes: dict[tuple[str, ...], tuple[tuple[str, ...], Callable[[dict], tuple[str, ...]]]] = {}


def header_name(key: str) -> str:
    """HTTP_X_SPAAZA_SESSION_KEY -> X-Spaaza-Session-Key."""
    return "-".join(part.capitalize() for part in key[len(HEADER) :].split("_"))


def request_headers(environ: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, values) of the request's headers, sorted by name."""
    every = tuple(environ)
    shape = _shapes.get(every)
    if shape is None:
        shape = _learn(every, environ.keys() - _not_headers)
    names, values = shape
    return names, values(environ)


def _reader(keys: tuple[str, ...]) -> Callable[[dict], tuple[str, ...]]:
    """environ -> the values of `keys`, a tuple (an itemgetter reads them in C: 3x a loop)."""
    if len(keys) > 1:
        return itemgetter(*keys)
    if keys:
        key = keys[0]
        return lambda environ: (environ[key],)
    return lambda environ: ()


def _learn(every: tuple[str, ...], found: set[str]) -> tuple[tuple[str, ...], Callable[[dict], tuple[str, ...]]]:
    global _not_headers  # a lost update (two threads learning at once) is learned again later
    learned = {k for k in found if not k.startswith(HEADER)}
    if learned and len(_not_headers) < CACHED:
        _not_headers = _not_headers | learned
    keys = tuple(sorted(found - learned))
    shape = (tuple(map(header_name, keys)), _reader(keys))
    # A client names its headers: keep no huge names (the server's own keys, a process
    # environment of any size among them, are not the client's to grow). A full table starts
    # again, so that a client cycling through header sets slows no other for long.
    if sum(map(len, keys)) <= KEPT_KEYS_LENGTH:
        if len(_shapes) >= CACHED:
            _shapes.clear()
        _shapes[every] = shape
    return shape
