"""A request's headers as the journal records them: (names, values), names as HTTP writes them
(X-Spaaza-Session-Key), in a stable order. Read on every vendor request, so it is cheap.

A WSGI environ holds dozens of keys of which a handful are headers (a server puts its own
there, and granian the whole process environment); a Python loop over them all was the
journal's largest cost. The keys that are no header are learned as they are met, and a set
difference (in C) leaves the headers. Bounded: a client can only add HTTP_ keys, never learned."""

from __future__ import annotations

__all__ = ["request_headers"]

HEADER = "HTTP_"
CACHED = 4096
_not_headers: frozenset[str] = frozenset()
_names: dict[tuple[str, ...], tuple[str, ...]] = {}  # WSGI keys -> header names


def header_name(key: str) -> str:
    """HTTP_X_SPAAZA_SESSION_KEY -> X-Spaaza-Session-Key."""
    return "-".join(part.capitalize() for part in key[len(HEADER) :].split("_"))


def request_headers(environ: dict) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(names, values) of the request's headers, sorted by name."""
    global _not_headers  # a lost update (two threads learning at once) is learned again later
    keys = tuple(sorted(environ.keys() - _not_headers))
    # Keys with one prefix sort together: if the first and last have it, all do.
    if keys and not (keys[0].startswith(HEADER) and keys[-1].startswith(HEADER)):
        learned = {k for k in keys if not k.startswith(HEADER)}
        if len(_not_headers) < CACHED:
            _not_headers = _not_headers | learned
        keys = tuple(k for k in keys if k not in learned)
    names = _names.get(keys)
    if names is None:
        names = tuple(map(header_name, keys))
        if len(_names) < CACHED:
            _names[keys] = names
    return names, tuple(map(environ.__getitem__, keys))
