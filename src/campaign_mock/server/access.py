"""Who may use /__mock/ (the admin API and the console): one function, `refusal`, asked once
per admin request (server/admin.py's guard). Vendor paths never come here, so they never
check Host, Origin or a token. /__mock/health answers everyone.

- A state change (any method but GET, HEAD, OPTIONS) sent by a browser from another site is
  refused, token or not: a page elsewhere must not drive the mock through the user's browser
  (a form post or a no-cors fetch needs no preflight). Browsers say where a request comes from
  in Sec-Fetch-Site and Origin; clients such as curl send neither and are not affected.
- Without --admin-token: the client must be on loopback, and the Host it asked for must be a
  loopback name or address, else a DNS-rebinding page (evil.example resolving to 127.0.0.1)
  would be same-origin with the mock. With a token any Host works (a compose service name).
- With --admin-token: X-Mock-Admin-Token must carry it; the console's own files hold no data
  and load without it (the page then asks for the token and sends it with every call).
- --read-only-admin: every state change is refused, whoever asks."""

from __future__ import annotations

import hmac
import ipaddress
from urllib.parse import urlsplit

from campaign_mock.exceptions import InputError

__all__ = ["is_loopback", "is_loopback_host", "refusal"]

HEALTH = "/__mock/health"
CONSOLE = "/__mock/ui"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Sec-Fetch-Site values of a request the page itself (or the user, typing a URL) made.
SAME_SITE_FETCH = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def refusal(environ: dict, token: str | None, read_only: bool = False) -> InputError | None:
    """Why this request may not use /__mock/, or None."""
    path = environ.get("PATH_INFO", "")
    if path == HEALTH:
        return None
    writes = environ.get("REQUEST_METHOD", "GET") not in SAFE_METHODS
    if writes:
        crossed = _cross_site(environ)
        if crossed is not None:
            return crossed
    if token is None:
        host = environ.get("HTTP_HOST")
        if host is not None and not is_loopback_host(host):
            return InputError("Host", f"the admin API answers requests for a loopback host only (localhost or a name under it, 127.0.0.1, [::1]), not {host[:80]!r}: a page on another name could reach it by DNS rebinding; start the server with --admin-token to serve other names", kind="forbidden")
        if not is_loopback(environ.get("REMOTE_ADDR", "")):
            return InputError(None, "the admin API answers loopback clients only; start the server with --admin-token to open it to others", kind="forbidden")
    elif not _is_console_file(path):
        given = environ.get("HTTP_X_MOCK_ADMIN_TOKEN", "")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return InputError("X-Mock-Admin-Token", "the admin API needs the server's admin token in X-Mock-Admin-Token", kind="unauthorized")
    if writes and read_only:
        return InputError(None, f"this mock was started with --read-only-admin: the admin API changes nothing ({environ.get('REQUEST_METHOD')} refused); restart it without that option to change its state", kind="forbidden")
    return None


def _is_console_file(path: str) -> bool:
    return path == CONSOLE or path.startswith(CONSOLE + "/")


def _cross_site(environ: dict) -> InputError | None:
    site = environ.get("HTTP_SEC_FETCH_SITE")
    if site is not None and site.strip().lower() not in SAME_SITE_FETCH:
        return InputError("Sec-Fetch-Site", f"a state change sent from another site ({site[:40]!r}) is refused: only the console or a client outside a browser may change the mock", kind="forbidden")
    origin = environ.get("HTTP_ORIGIN")
    if origin is not None and not _same_origin(origin, environ.get("HTTP_HOST", "")):
        return InputError("Origin", f"a state change sent from another origin ({origin[:80]!r}) is refused: only the console or a client outside a browser may change the mock", kind="forbidden")
    return None


def _same_origin(origin: str, host: str) -> bool:
    """Origin names the host this request was sent to. "null" (a sandboxed frame, a file:
    page) never does. Default ports are the Origin's scheme's on both sides, so a TLS proxy in
    front (https Origin, Host without a port) still matches."""
    try:
        parts = urlsplit(origin.strip())
        default = DEFAULT_PORTS.get(parts.scheme)
        if default is None or not parts.hostname:
            return False
        asked = urlsplit(f"//{host.strip()}")
        return (parts.hostname, parts.port or default) == (asked.hostname, asked.port or default)
    except ValueError:  # a malformed port or bracket
        return False


def is_loopback_host(host: str) -> bool:
    """A Host header (name or address, with or without a port) that only reaches this machine:
    localhost and *.localhost (RFC 6761), loopback addresses."""
    try:
        name = urlsplit(f"//{host.strip()}").hostname
    except ValueError:
        return False
    if not name:
        return False
    name = name.rstrip(".")
    return name == "localhost" or name.endswith(".localhost") or is_loopback(name)


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback
