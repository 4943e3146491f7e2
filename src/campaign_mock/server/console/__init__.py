"""The QA console: GET /__mock/ui/ serves a page, its script and its style sheet from the
package (no build step, no CDN, no network). The page calls the documented admin API and
nothing else (admin-openapi.yaml); nested in the admin blueprint, it has exactly its access
rules (server/access.py) and JSON errors.

The Content-Security-Policy allows this origin's script and style only: nothing a scenario or
a request puts in the page can run script, even if an escape were missed (the script writes
text with textContent, never innerHTML)."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from flask import Blueprint, Response

from campaign_mock.exceptions import InputError

__all__ = ["bp"]

bp = Blueprint("console", __name__, url_prefix="/ui")

FILES = {
    "index.html": "text/html; charset=utf-8",
    "console.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
}
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # a new version shows on the next load
}


@cache
def _read(name: str) -> bytes:
    return (files(__name__) / name).read_bytes()


@bp.get("/", defaults={"name": "index.html"})
@bp.get("/<path:name>")
def console_file(name: str) -> Response:
    kind = FILES.get(name)
    if kind is None:
        raise InputError("path", f"the console has no file {name[:80]!r}; open /__mock/ui/", kind="not_found")
    return Response(_read(name), headers={"Content-Type": kind, **HEADERS})
