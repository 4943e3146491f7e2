"""The one path every request takes, top to bottom. The WSGI app `create_app` serves.

  0. again      the same request (method, path, query string, every header) as one
                answered from the cache before in the same state (generation): its answer
                and journal record are what steps 1-4 gave then, so they are replayed
                (answers.AnswerCache).
  1. namespace  /__mock/ns/KEY/<vendor path>, X-Mock-Namespace, or the root's `default`.
                Any other /__mock/ path is the admin API: Flask serves it; it is never
                journalled.
  2. state      the namespace's view, one snapshot: its world (scenarios, clock), the key of
                its answers, its live faults (runtime/control.py).
  3. fault      the first live fault that matches, claimed in the store (GET only).
  4. answer     a dropped connection; an unknown route or method; a forced delay, then a
                forced error (a fault's, or X-Mock-Delay-Ms / X-Mock-Error); else the answer
                cache, or the vendor's view computed once and kept.
  5. journal    one plain record per request, whatever the answer (runtime/journal.py).
  6. send

Vendor requests never enter Flask: a request replayed costs reading its headers, two
dictionary lookups and a journal record (benchmarks/hot_path.py measures this path against a
bare WSGI callable)."""

from __future__ import annotations

import time
from typing import Any, Callable, Iterable, Iterator, Mapping

from werkzeug import Request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map

from campaign_mock.contract.operations import is_levelup, operation_of
from campaign_mock.exceptions import InputError
from campaign_mock.runtime import DEFAULT_NAMESPACE, JournalWriter, NamespaceView, Runtime, answer_meta, check_key
from campaign_mock.runtime.coverage import answer_facts
from campaign_mock.runtime.faults import documented_error
from campaign_mock.runtime.journal import masked_query
from campaign_mock.server import errors, levelup, spaaza
from campaign_mock.server.answers import Answer, AnswerCache, request_key
from campaign_mock.server.forcing import DelaySlots, Forced, forced
from campaign_mock.server.headers import request_headers
from campaign_mock.server.variation import varied

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

VENDOR_ROUTES = Map([*spaaza.RULES, *levelup.RULES], merge_slashes=False)  # // is no route: a 404, never a redirect page
# /__mock/ns/KEY/<rest>: <rest> is the admin API's when it starts with one of these, else a vendor path.
NAMESPACED = "/__mock/ns/"
ADMIN_PARTS = frozenset({"scenarios", "clock", "faults", "journal", "world", "coverage", "variation"})
# A request given no answer (a drop fault): the connection is closed (step 6).
DROPPED = "500 Dropped"
DROPPED_HEADERS = [("Content-Length", "1"), ("Connection", "close")]
# How long a dropped answer's body waits before it ends, so that the server has written the
# head by then, every time (see _dropped).
DROP_WAIT_S = 0.05


class Pipeline:
    def __init__(self, admin: WSGIApp, runtime: Runtime, cache: AnswerCache, journal: JournalWriter, delays: DelaySlots):
        self.admin = admin
        self.runtime = runtime
        self.cache = cache
        self.journal = journal
        self.delays = delays

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        started = time.perf_counter()
        method, path, headers = environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""), request_headers(environ)
        identity = (method, path, environ.get("QUERY_STRING", ""), headers)
        try:
            generation: int | None = self.runtime.generation()
        except Exception:  # a store that stopped answering: step 2 answers for it
            generation = None
        if generation != self.cache.replays_of:  # state changed: nothing answered before is replayed
            self.cache.forget_replays(generation)
        # 0. again: the same request as one answered from the cache before, in this state (see AnswerCache)
        replay = self.cache.replay(identity)
        if replay is not None and replay[2] == generation:  # (one kept by a request that raced a change is not)
            answer, recorded, _ = replay
            errors.STORE_OUTAGE.recovered()  # (as any answer that reached the state)
            # 5. journal
            self.journal.again(recorded, (time.perf_counter() - started) * 1000, time.time())
            return send(answer, method, start_response)
        # 1. namespace
        try:
            ns = namespace(environ)
        except InputError as e:
            refused = errors.input_refused(e)
            start_response(refused.status, refused.headers.to_wsgi_list())
            return [refused.get_data()]
        if ns is None:
            return self.admin(environ, start_response)
        path = environ.get("PATH_INFO", "")  # (seen from the namespace)
        fault = key = None
        try:
            # 2. state
            view = self.runtime.view(ns)
            # 3. fault: every documented operation is a GET; another method (a browser's
            # OPTIONS preflight, a stray POST) is answered as without faults, using none up.
            if view.faults and method == "GET":
                fault = self.runtime.claim_fault(ns, view, operation_of(path), path)
            # 4. answer
            answer, key = self.answer(environ, method, path, view, fault)
            errors.STORE_OUTAGE.recovered()
        except Exception as e:  # a store that stopped answering, a kept scenario that no longer builds
            answer = self.finish(errors.vendor_failure(path, e, f"namespace {ns!r}: {method} {path}"), path, environ, (), None)
        # 5. journal
        meta = answer.meta
        assert meta is not None
        recorded = self.journal.record(ns, method, path, environ.get("QUERY_STRING", ""), headers, meta, fault["id"] if fault else None, (time.perf_counter() - started) * 1000, time.time())
        # Replayed from now on: an answer from the cache, nothing forced (no fault fired either:
        # whether one fires is a function of the view, the same while the generation is).
        if key is not None and generation is not None:
            self.cache.keep_replay(generation, identity, key, recorded)
        return send(answer, method, start_response)

    def answer(self, environ: dict, method: str, path: str, view: NamespaceView, fault: dict | None) -> tuple[Answer, tuple | None]:
        """(the answer, its cache key where the cache gave it or keeps it and nothing was forced)."""
        if fault is not None and "drop" in fault:
            return Answer(DROPPED, DROPPED_HEADERS, b"", None, answer_meta(None, operation_of(path), None, None)), None
        asked = forced(environ, fault)
        key = request_key(view.answers, environ)
        # Every route is a GET (and HEAD): only those were answered before, so only they may hit.
        if asked is None and method in ("GET", "HEAD"):
            hit = self.cache.get(key)
            if hit is not None:
                return hit, key
        try:
            found, values = VENDOR_ROUTES.bind_to_environ(environ).match(path, method)
        except HTTPException as e:  # an unknown route or method is answered as such, forced or not
            return self.finish(errors.not_routed(path, e, environ), path, environ, (), view), None
        if asked is not None:
            refused = self.forced_answer(asked, path)
            if refused is not None:
                return self.finish(refused, path, environ, (), view), None
            hit = self.cache.get(key)  # (a delay, then the usual answer)
            if hit is not None:
                return hit, None
        answer = self.cache.keep(key, self.compute(found, values, path, environ, view))
        return answer, (key if asked is None else None)

    def forced_answer(self, asked: Forced, path: str) -> Answer | None:
        """The answer a forced error gives (or a malformed X-Mock-* header, or too many delays),
        after the forced delay; None where the request is then answered as usual."""
        if asked.delay is not None:
            ms = asked.delay_ms()
            if ms is None:
                return errors.mock_answer(path, errors.DELAY_INVALID)
            if not self.delays.wait(ms):
                return errors.mock_answer(path, errors.DELAYS_BUSY)
        if asked.error is None:
            return None
        known = documented_error(asked.error, is_levelup(path))
        if known is None:
            return errors.mock_answer(path, errors.MOCK_ERROR_INVALID)
        return errors.forced_answer(path, known, _methods(path))

    def compute(self, view_of: Callable, values: Mapping[str, Any], path: str, environ: dict, view: NamespaceView) -> Answer:
        """The vendor's view, run: its body as a 200, a refusal as the vendor's error."""
        try:
            body = view_of(view.world, Request(environ), **values)
        except Exception as e:
            query = environ.get("QUERY_STRING")  # (logged as the journal shows it: secrets masked)
            return self.finish(errors.vendor_failure(path, e, f"{environ.get('REQUEST_METHOD')} {path}{'?' + masked_query(query) if query else ''}"), path, environ, (), view)
        results = body.get("results") if isinstance(body, dict) else None
        campaigns = (results.get("campaigns") or ([results["campaign"]] if "campaign" in results else [])) if isinstance(results, dict) else []
        return self.finish(Answer.json(200, body, None), path, environ, campaigns, view)

    @staticmethod
    def finish(answer: Answer, path: str, environ: dict, campaigns, view: NamespaceView | None) -> Answer:
        """The answer (varied, where its namespace asks) with what the journal records of it,
        computed once per distinct answer."""
        facts = answer_facts(path, environ.get("HTTP_X_SPAAZA_API_VERSION"), campaigns)
        scenarios, clock = (view.scenarios, view.world.clock.isoformat()) if view is not None else ((), None)
        answer, variation = varied(answer, operation_of(path), view.variation if view is not None else None)
        return answer.with_meta(answer_meta(int(answer.status[:3]), operation_of(path), answer.code, facts, scenarios, clock, variation))


def namespace(environ: dict) -> str | None:
    """The request's namespace, None for the admin API. A namespaced vendor request is then
    seen from its namespace: PATH_INFO without the prefix (SCRIPT_NAME takes it)."""
    path = environ.get("PATH_INFO", "")
    if not path.startswith("/__mock/"):
        asked = environ.get("HTTP_X_MOCK_NAMESPACE")
        return DEFAULT_NAMESPACE if asked is None else check_key(asked.strip())
    slash = path.find("/", len(NAMESPACED))
    rest = path[slash:]
    # The admin API is never reached through a namespace's prefix, nor journalled as its traffic.
    if not path.startswith(NAMESPACED) or slash < 0 or rest == "/" or rest.split("/", 2)[1] in ADMIN_PARTS or rest.startswith("/__mock/"):
        return None
    ns = check_key(path[len(NAMESPACED) : slash])
    environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + path[: len(path) - len(rest)]
    environ["PATH_INFO"] = rest
    return ns


def send(answer: Answer, method: str, start_response: Callable) -> Iterable[bytes]:
    """6. send"""
    start_response(answer.status, answer.headers)
    if answer.status is DROPPED:
        return _dropped()
    return [b""] if method == "HEAD" else [answer.body]


def _methods(path: str) -> Iterable[str]:
    """The methods a routed path takes (for a forced 405's Allow)."""
    return VENDOR_ROUTES.bind("localhost").allowed_methods(path)


def _dropped() -> Iterator[bytes]:
    """The body of a dropped answer: none, where its head promised one byte, so the server
    closes the connection after the head (Connection: close for servers that would wait).
    Zero bytes cannot be promised: granian hands the head to the connection before it reads
    the body, and WSGI gives an app no socket to close. Ending the body at once raced with
    that (3 to 6 of 20 drops sent nothing, the rest the head); waiting until the head is
    written makes every drop the same. Ending it (not raising) logs no traceback."""
    time.sleep(DROP_WAIT_S)
    return
    yield b""  # a generator: the server reads it after the head
