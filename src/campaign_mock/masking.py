"""Which request headers and query parameters are secrets, and how a secret is shown: masked
whole, "…" and a fingerprint. The journal masks with it (runtime/journal.py), and the client
compares what a test names with what the journal kept (client.py), so it depends on nothing."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

__all__ = ["AUTH_SCHEMES", "SECRET_NAMES", "is_secret", "mask"]

# Secrets, masked whole wherever the journal keeps them (headers and query parameters): these
# names, and every name that reads like a credential (README, "What the journal keeps").
SECRET_NAMES = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-spaaza-session-key", "x-mock-admin-token", "session-key", "access-token", "token"})
_CREDENTIAL = re.compile(r"token|secret|passw|api-?key|auth|cookie|credential|signature|session-key|-key$")
# Authorization schemes shown before a masked credential (the scheme is no secret; repeating a
# request needs it, runtime/describe.py).
AUTH_SCHEMES = frozenset({"basic", "bearer", "digest", "token"})
# Secrets longer than this are masked without being kept in the cache (a client may send a
# different 200 KB secret with every request).
CACHED_LENGTH = 1024


def is_secret(name: str) -> bool:
    """Whether a header or query parameter of this name is masked (any case, _ as -)."""
    lower = name.lower().replace("_", "-")
    return lower in SECRET_NAMES or _CREDENTIAL.search(lower) is not None


def mask(value: str) -> str:
    """A secret masked whole: "…" and a fingerprint of 6 hex digits (24 bits of a keyed hash:
    enough to tell two credentials apart in a journal, too few to recover one), after the
    scheme of an Authorization ("Bearer …3fa9c1")."""
    return _mask(value) if len(value) <= CACHED_LENGTH else _mask.__wrapped__(value)


@lru_cache(maxsize=1024)  # a client sends the same secret with every request
def _mask(value: str) -> str:
    fingerprint = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=3, person=b"campaign-mock").hexdigest()
    scheme, space, credential = value.partition(" ")
    if space and scheme.lower() in AUTH_SCHEMES and credential and " " not in credential:
        return f"{scheme} …{fingerprint}"
    return f"…{fingerprint}"
