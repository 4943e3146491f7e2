"""A small client for the mock's admin API (`/__mock/`, see admin-openapi.yaml), usable from any
test framework. It speaks HTTP only (requests), so it drives a mock in another process, a
container or a CI service just as well as one started by the pytest plugin.

    mock = MockClient("http://127.0.0.1:8080").namespace("checkout-test")
    mock.load_scenario("scenarios/near-threshold.yaml")
    mock.fail("getCampaigns", 217, times=2)
    my_client = MyClient(base_url=mock.url)          # vendor calls go to the namespace
    ...
    mock.assert_called("getCampaigns", times=3, chain_id=1762)
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping
from urllib.parse import quote

import requests

from campaign_mock.contract.facts import USER_IDENTIFIERS
from campaign_mock.environment import STOP_WITH_STDIN
from campaign_mock.exceptions import CampaignMockError, MockAdminError, ScenarioRefused
from campaign_mock.masking import is_secret, mask
from campaign_mock.world.documented import CHAIN_ID, LEVELUP_USER_ID

__all__ = ["Entry", "MockClient", "MockServerProcess"]

DEFAULT_NAMESPACE = "default"
_SCENARIO_SUFFIXES = (".yaml", ".yml", ".json")
_SHOWN = 20  # requests listed when an assertion fails (the newest)
_START_TIMEOUT = 60  # seconds for `serve` to answer (two cores may be shared by a whole test run)


def _refusal(excinfo: Any) -> bool:
    return excinfo is not None and excinfo.errisinstance(CampaignMockError)


# pytest shows an admin call the mock refused (a wrong argument) at the test's line, with its
# one-line reason: this module's frames would bury it (a bug of ours still shows them).
__tracebackhide__ = _refusal


class Entry(dict):
    """A journal entry, readable as keys (`e["status"]`) or attributes (`e.status`)."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"journal entry has no {name!r}; it has {', '.join(self)}") from None

    def __str__(self) -> str:
        query = f"?{self['query_string']}" if self.get("query_string") else ""
        extra = "".join(f" {k}={self[k]}" for k in ("operation", "error", "fault") if self.get(k) is not None)
        return f"#{self.get('seq', '?')} {self.get('method')} {self.get('path')}{query} -> {self.get('status')}{extra}"


class MockClient:
    """One namespace of a running mock. `url` is the base URL to give the client under test."""

    def __init__(self, url: str, namespace: str = DEFAULT_NAMESPACE, admin_token: str | None = None, timeout: float = 10, *, session: requests.Session | None = None):
        self.root = url.rstrip("/")
        self.key = namespace
        self.admin_token = admin_token
        self.timeout = timeout
        self._http = session or requests.Session()
        if admin_token:
            self._http.headers["X-Mock-Admin-Token"] = admin_token

    def __repr__(self) -> str:
        return f"MockClient({self.root!r}, namespace={self.key!r})"

    @property
    def url(self) -> str:
        """The namespace's base URL for vendor calls (the root for the default namespace)."""
        return self.root if self.key == DEFAULT_NAMESPACE else f"{self.root}/__mock/ns/{_segment(self.key)}"

    def namespace(self, key: str) -> MockClient:
        """The same server, another namespace (sharing this client's connections)."""
        return MockClient(self.root, key, self.admin_token, self.timeout, session=self._http)

    # -- the admin operations, one method each ---------------------------------------------

    def health(self) -> dict:
        return self._call("GET", "/__mock/health")

    def world(self) -> dict:
        """What can be reached in this namespace: chains, users with all six identifiers and
        their sessions, app hostnames, LevelUp tokens, campaign ids by type, the clock."""
        return self._call("GET", self._ns("world"))

    def load_scenario(self, source: str | Path | Mapping, name: str | None = None) -> list[str]:
        """Add a scenario (YAML or JSON text, a dict, or a file path) to the namespace; returns
        the names loaded. A refused document changes nothing and raises ScenarioRefused with
        the loader's `line: $.path: what is wrong` messages."""
        body, content_type, default_name = _scenario_body(source)
        params = {"name": name or default_name} if (name or default_name) else None
        return self._call("POST", self._ns("scenarios"), data=body, headers={"Content-Type": content_type}, params=params)["loaded"]

    def scenarios(self) -> list[dict]:
        return self._call("GET", self._ns("scenarios"))["scenarios"]

    def clear_scenarios(self) -> None:
        self._call("DELETE", self._ns("scenarios"))

    def set_clock(self, when: datetime | str) -> dict:
        """Move the namespace's clock (a datetime with a UTC offset, or an ISO string)."""
        now = when.isoformat() if isinstance(when, datetime) else when
        return self._call("PUT", self._ns("clock"), json={"now": now})

    def clock(self) -> dict:
        return self._call("GET", self._ns("clock"))

    def reset_clock(self) -> None:
        self._call("DELETE", self._ns("clock"))

    def set_variation(self, name: str, seed: int = 0, field: str | None = None) -> dict:
        """Vary every vendor answer of the namespace as variation `name` does (GET
        /__mock/variations lists them): e.g. "nullable-null". ("without-field" with `field`,
        e.g. "$.results.campaigns[*].voucher_title": that field removed from every answer,
        what the reliance report does; not the contract.)"""
        return self._call("PUT", self._ns("variation"), json={"name": name, "seed": seed, **({"field": field} if field else {})})

    def variation(self) -> dict | None:
        """The namespace's variation ({"name", "seed"}), None where its answers are not varied."""
        shown = self._call("GET", self._ns("variation"))
        return shown if shown["name"] is not None else None

    def clear_variation(self) -> None:
        self._call("DELETE", self._ns("variation"))

    def variations(self) -> list[dict]:
        """The catalogue: each variation's name, description and the operations it changes."""
        return self._call("GET", "/__mock/variations")["variations"]

    def fail(self, operation: str, error: int | str, times: int | None = 1) -> dict:
        """The next `times` requests to `operation` (an operationId of openapi.yaml) answer
        `error`: a Spaaza code (217 or "217") or a LevelUp refusal name or status."""
        return self.add_fault(operation=operation, error=error, times=times)

    def delay(self, operation: str, ms: int, times: int | None = 1) -> dict:
        return self.add_fault(operation=operation, delay_ms=ms, times=times)

    def drop(self, operation: str, times: int | None = 1) -> dict:
        """The next `times` requests to `operation` get no answer: the connection is closed."""
        return self.add_fault(operation=operation, drop=True, times=times)

    def add_fault(self, **spec: Any) -> dict:
        """Any fault the admin API takes, e.g. `add_fault(path="/get-campaigns", error=217, times=None)`."""
        return self._call("POST", self._ns("faults"), json=spec)

    def faults(self) -> list[dict]:
        return self._call("GET", self._ns("faults"))["faults"]

    def clear_faults(self) -> None:
        self._call("DELETE", self._ns("faults"))

    def journal(self, **filters: Any) -> list[Entry]:
        """The namespace's recorded vendor requests, oldest first. Filters: method, path,
        status, operation, error, limit."""
        params = {k: v for k, v in filters.items() if v is not None}
        return [Entry(e) for e in self._call("GET", self._ns("journal"), params=params)["requests"]]

    def journal_request(self, seq: int) -> dict:
        """A journal entry's request, repeatable: method, path, query, headers (the secrets the
        journal masks put back from the world)."""
        return self._call("GET", self._ns(f"journal/{seq}/request"))

    def clear_journal(self) -> None:
        self._call("DELETE", self._ns("journal"))

    def reset(self) -> None:
        """Back to a fresh namespace: scenarios, clock, faults, variation and journal."""
        self._call("DELETE", self._ns(""))

    def coverage(self, all_namespaces: bool = False) -> dict:
        """The business coverage report of this namespace's journal (or of every namespace)."""
        return self._call("GET", "/__mock/coverage" if all_namespaces else self._ns("coverage"))

    # -- finding credentials in the world ----------------------------------------------------

    def admin_headers(self, chain_id: int = CHAIN_ID) -> dict[str, str]:
        """The headers of the admin session that reads `chain_id` (or an alias of it); by
        default the documented admin of the documented chain."""
        for chain in self.world()["spaaza"]["chains"]:
            if chain_id == chain["chain_id"] or chain_id in chain.get("aliases", ()):
                if chain.get("admin"):
                    return {"X-Spaaza-Session-User-Id": str(chain["admin"]["user_id"]), "X-Spaaza-Session-Key": chain["admin"]["session_key"]}
        raise MockAdminError(f"no admin session for chain_id={chain_id} in namespace {self.key!r}", field="chain_id")

    def user(self, user_id: int | None = None, chain_id: int | None = None) -> dict:
        """A Spaaza user of the world (by id, or the first of a chain) with its six identifiers,
        `session_key`, `app_hostname` and `chain_id`."""
        for chain in self.world()["spaaza"]["chains"]:
            for user in chain["users"]:
                if (user_id is None or user["user_id"] == user_id) and (chain_id is None or chain["chain_id"] == chain_id or chain_id in chain.get("aliases", ())):
                    return {**user, "chain_id": chain["chain_id"]}
        raise MockAdminError(f"no Spaaza user with user_id={user_id} chain_id={chain_id} in namespace {self.key!r}", field="user_id")

    def user_headers(self, user_id: int | None = None, chain_id: int | None = None) -> dict[str, str]:
        """The headers of that user's own session (X-Spaaza-Session-*, app hostname)."""
        u = self.user(user_id, chain_id)
        return {"X-Spaaza-Session-User-Id": str(u["user_id"]), "X-Spaaza-Session-Key": u["session_key"], "X-Spaaza-MyPrice-App-Hostname": u["app_hostname"]}

    def token(self, user_id: int = LEVELUP_USER_ID) -> str:
        """The LevelUp access token of `user_id` (by default the documented one)."""
        for t in self.world()["levelup"]["tokens"]:
            if t["user_id"] == user_id:
                return t["token"]
        raise MockAdminError(f"no LevelUp token for user_id={user_id} in namespace {self.key!r}", field="user_id")

    # -- assertions on the journal (messages list what was received) ---------------------------

    def assert_called(self, operation: str | None = None, *, times: int | None = None, path: str | None = None, status: int | None = None, headers: Mapping[str, str] | None = None, **query: Any) -> list[Entry]:
        """That requests matching all of these reached the mock: `times` exactly (at least
        once when None). `query` names query parameters and their values (`chain_id=1762`).
        Returns the matching entries."""
        __tracebackhide__ = True
        received = self.journal()
        found = [e for e in received if _matches(e, operation, path, status, headers, query)]
        if (len(found) != times) if times is not None else not found:
            wanted = _describe(operation, path, status, headers, query)
            expected = f"{times} time(s)" if times is not None else "at least once"
            raise AssertionError(f"expected {wanted} {expected}, got {len(found)}\n{_listing(received, self.key)}")
        return found

    def assert_not_called(self, operation: str | None = None, **criteria: Any) -> None:
        __tracebackhide__ = True
        self.assert_called(operation, times=0, **criteria)

    def assert_single_user_identifier(self) -> None:
        """That no request named a user in two ways at once (Spaaza error 416)."""
        __tracebackhide__ = True
        received = self.journal()
        bad = [e for e in received if sum(k in (e.get("query") or {}) for k in USER_IDENTIFIERS) > 1]
        if bad:
            raise AssertionError(f"{len(bad)} request(s) named two user identifiers ({', '.join(USER_IDENTIFIERS)}):\n" + "\n".join(f"  {e}" for e in bad[:_SHOWN]))

    # -- plumbing ----------------------------------------------------------------------------

    def _ns(self, tail: str) -> str:
        return f"/__mock/ns/{_segment(self.key)}" + (f"/{tail}" if tail else "")

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, self.root + path, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise MockAdminError(f"{method} {self.root}{path}: no answer within {self.timeout} s") from None
        except requests.ConnectionError:
            raise MockAdminError(f"{method} {self.root}{path}: cannot connect (is the mock running there?)") from None
        except requests.RequestException as e:  # an impossible URL, say
            raise MockAdminError(f"{method} {self.root}{path}: {e}") from None
        if response.status_code == 204:
            return None
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.ok and body is not None:
            return body
        raise _error(method, path, response.status_code, body, response.text)


def _segment(key: str) -> str:
    """A namespace key as one path segment. `.` and `..` are written %2E: as dots, HTTP clients
    resolve them (RFC 3986 5.2.4) and the request would reach another path; so encoded, the
    server sees the key and refuses it (400, field "namespace")."""
    return quote(key, safe="") if key.strip(".") else "%2E" * len(key)


def _error(method: str, path: str, status: int, body: Any, text: str) -> MockAdminError:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return MockAdminError(f"{method} {path}: HTTP {status}, not the admin API's JSON error: {text[:200]!r}", status)
    field, message, errors = error.get("field"), error.get("message") or "(no message)", error.get("errors") or []
    cls = ScenarioRefused if status == 422 else MockAdminError
    where = f" ({field})" if field else ""
    if errors:  # str() lists them one a line; the first is usually the message itself
        message = f"{len(errors)} problem(s)"
    return cls(f"{method} {path}: {status}{where}: {message}", status, field, errors)


def is_scenario_path(source: object) -> bool:
    """A Path, or a one-line string naming a .yaml, .yml or .json file (else scenario text)."""
    return isinstance(source, Path) or (isinstance(source, str) and "\n" not in source and source.lower().endswith(_SCENARIO_SUFFIXES))


def _scenario_body(source: str | Path | Mapping) -> tuple[bytes, str, str | None]:
    """(body, content type, default name) for a scenario given as text, dict or path."""
    if isinstance(source, Mapping):
        return json.dumps(source).encode(), "application/json", None
    if not is_scenario_path(source):
        return str(source).encode(), "application/yaml", None
    path = Path(source)
    try:
        data = path.read_bytes()
    except OSError as e:
        raise MockAdminError(f"scenario {path}: cannot read it ({e.strerror})", field="scenario") from None
    return data, "application/json" if path.suffix.lower() == ".json" else "application/yaml", path.name


def _matches(e: Mapping, operation, path, status, headers, query) -> bool:
    if operation is not None and e.get("operation") != operation:
        return False
    if path is not None and e.get("path") != path:
        return False
    if status is not None and e.get("status") != status:
        return False
    sent = {k.lower(): v for k, v in (e.get("headers") or {}).items()}
    if headers and any(sent.get(k.lower()) not in _as_kept(k, v) for k, v in headers.items()):
        return False
    got = e.get("query") or {}
    return all(not _as_kept(k, v).isdisjoint(got.get(k, ())) for k, v in query.items())


def _as_kept(name: str, value: Any) -> set[str]:
    """What the journal may hold for a value a test names: a secret (a session key, a token)
    is kept masked, so the real one matches its mask (and a mask copied from the journal
    matches itself)."""
    return {str(value), mask(str(value))} if is_secret(name) else {str(value)}


def _describe(operation, path, status, headers, query) -> str:
    parts = [operation or path or "a request"]
    if operation and path:
        parts.append(f"at {path}")
    parts += [f"{k}={v}" for k, v in query.items()]
    parts += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if status is not None:
        parts.append(f"answered {status}")
    return " ".join(parts)


def _listing(received: Iterable[Entry], key: str) -> str:
    received = list(received)
    if not received:
        return f"namespace {key!r} received no requests"
    shown = received[-_SHOWN:]
    head = f"namespace {key!r} received {len(received)} request(s)" + (f", the last {_SHOWN}:" if len(received) > _SHOWN else ":")
    return "\n".join([head, *(f"  {e}" for e in shown)])


class MockServerProcess:
    """`campaign-mock serve` on a free loopback port, for any test framework (the pytest plugin
    uses it). In its own process group, so that stopping it stops its workers too.

        with MockServerProcess.start(["--seed", "0"]) as server:
            mock = MockClient(server.url)
    """

    def __init__(self, process: subprocess.Popen, url: str, log):
        self.process, self.url, self.log = process, url, log

    @classmethod
    def start(cls, options: Iterable[str] = (), attempts: int = 3, admin_token: str | None = None) -> MockServerProcess:
        """Start it with these `serve` options and wait until it answers; CampaignMockError with
        its output if it does not (a broken scenario file, say). `admin_token` reaches it through
        its environment, never its command line (which `ps` shows to every user)."""
        options = list(options)
        # Its stdin a pipe we never write to: should we die without stopping it, it stops.
        env = {**os.environ, STOP_WITH_STDIN: "1", **({"CAMPAIGN_MOCK_ADMIN_TOKEN": admin_token} if admin_token else {})}
        for attempt in range(attempts):
            port = _free_port()
            log = tempfile.TemporaryFile()  # a file, not a pipe: nobody reads it while tests run
            argv = [sys.executable, "-m", "campaign_mock", "serve", "--host", "127.0.0.1", "--port", str(port), *options]
            process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
            server = cls(process, f"http://127.0.0.1:{port}", log)
            atexit.register(server.stop)  # in case the caller never reaches its clean-up
            if server._wait():
                return server
            output = server._output()
            server.stop()
            if "cannot listen" not in output or attempt == attempts - 1:  # a port taken meanwhile: try another
                raise CampaignMockError(f"campaign-mock serve {' '.join(options)} did not start:\n{output.strip()[-2000:]}")
        raise AssertionError("unreachable")

    def __enter__(self) -> MockServerProcess:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _wait(self) -> bool:
        deadline = time.monotonic() + _START_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if requests.get(self.url + "/__mock/health", timeout=2).status_code == 200:
                    return True
            except requests.RequestException:  # not listening yet
                pass
            time.sleep(0.05)
        return False

    def _output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        atexit.unregister(self.stop)
        if self.process.poll() is None:
            # SIGINT to granian's main process only: it stops its workers (sent to the whole
            # group, the workers' own handling made shutdown take 10 s).
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # Still alive, so the group is still ours: kill it, workers included.
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
