"""`campaign-mock serve`: checks the settings once in this process (a broken scenario fails
here, before any worker starts), prints what to try, then runs granian. Every worker serves
the same world: the one built here, which the workers granian forks start from, or (started
another way) one built from the same CAMPAIGN_MOCK_* settings; so all answer byte-identically."""

from __future__ import annotations

import atexit
import ctypes
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
from dataclasses import replace

import click
from granian import Granian
from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings

from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.contract.operations import levelup_path
from campaign_mock.environment import STOP_WITH_STDIN, env_flag
from campaign_mock.exceptions import CampaignMockError
from campaign_mock.runtime import open_store
from campaign_mock.server.access import is_loopback
from campaign_mock.server.config import ServerConfig
from campaign_mock.server.wsgi import inherit_world
from campaign_mock.world import documented

# Seconds a worker told to stop (Ctrl-C, SIGTERM) may take before it is killed. granian waits
# for the requests a worker holds, so an answer waiting out a forced delay (up to 30 s) held
# Ctrl-C that long, and a worker that missed the signal while loading the app held it forever.
STOP_TIMEOUT_S = 2


class AddressError(CampaignMockError):
    """--host/--port cannot be listened on; the CLI says so in one line (exit 2)."""


def listen_address(host: str, port: int) -> str:
    """The IP address for granian to bind: `host` itself or, for a name such as localhost, what
    it resolves to (granian takes IP addresses only). Checks that nothing listens there yet:
    granian binds with SO_REUSEPORT, so it would silently share the port with another server."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        # IPv4 first where a name has both (localhost -> 127.0.0.1, as clients usually try).
        family, _, _, _, sockaddr = min(found, key=lambda a: a[0] != socket.AF_INET)
        ip = str(sockaddr[0])
    except (OSError, UnicodeError, ValueError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise AddressError(f"--host {host!r}: not an IP address nor a host name that resolves ({reason})") from None
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        # SO_REUSEADDR (without SO_REUSEPORT): a listener on the port refuses the bind, while
        # connections of a server that just stopped (TIME_WAIT) do not.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(sockaddr)
        except OSError as e:
            raise AddressError(f"cannot listen on {_hostport(ip, port)}: {e.strerror or e}") from None
    return ip


def _hostport(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def banner(base: str, config: ServerConfig, world) -> str:
    user = next(u for u in sorted(world.spaaza.users.values(), key=lambda u: u.user_id) if u.chain_id == documented.CHAIN_ID)
    session = world.spaaza.sessions[user.user_id]
    return f"""campaign-mock: seed {config.seed}, scenarios: {', '.join(config.scenarios) or 'none'}
  Spaaza   {base}/get-campaigns   {base}/internal/get-campaigns   {base}/get-campaign
  LevelUp  {base}{levelup_path('<id>', '<representation_type>')}
Try the documented requests:
  curl '{base}/internal/get-campaigns?chain_id=1743&exclude_inactive=false' \\
    -H 'X-Spaaza-Session-User-Id: {documented.ADMIN_USER_ID}' \\
    -H 'X-Spaaza-Session-Key: {documented.ADMIN_SESSION_KEY}' \\
    -H 'X-Spaaza-API-Version: {documented.API_VERSION}'
  curl {base}{levelup_path(20, 'basic_v1')} -H 'Authorization: token {documented.LEVELUP_TOKEN}'
An end user's own view (user session of chain {documented.CHAIN_ID}):
  curl '{base}/get-campaigns?chain_id={documented.CHAIN_ID}' -H 'X-Spaaza-Session-User-Id: {user.user_id}' \\
    -H 'X-Spaaza-Session-Key: {session.key}' -H 'X-Spaaza-MyPrice-App-Hostname: {documented.APP.hostname}'
{_credentials(world)}
Forced errors and delays: add -H 'X-Mock-Error: 217' or -H 'X-Mock-Delay-Ms: 1500'.
Runtime control (namespaces, scenarios, clock, faults, journal): {base}/__mock/health, {base}/__mock/world
QA console in a browser: {base}/__mock/ui/""" + (" (read-only)" if config.read_only_admin else "")


_LISTED = 10  # credentials printed per kind; `campaign-mock fixtures` writes them all to manifest.json


def _credentials(world) -> str:
    """Admin sessions of the other chains (scenario chains included) and the LevelUp tokens, so
    that everything served can be reached from the banner alone."""
    admins = sorted((s for s in world.spaaza.sessions.values() if s.role == "admin" and s.user_id != documented.ADMIN_USER_ID), key=lambda s: s.user_id)
    tokens = sorted(world.levelup.tokens.values(), key=lambda t: t.user_id)
    lines = ["Admin sessions (X-Spaaza-Session-User-Id / X-Spaaza-Session-Key), by chain:"]
    lines += [f"  chain {min(s.chain_ids)}: {s.user_id} / {s.key}" for s in admins[:_LISTED]]
    lines.append("LevelUp tokens (Authorization: token ...), by user:")
    lines += [f"  user {t.user_id}: {t.token}" + ("" if MANAGE_USER_CAMPAIGNS in t.permissions else "  (lacks manage_user_campaigns)") for t in tokens[:_LISTED]]
    if len(admins) > _LISTED or len(tokens) > _LISTED:
        lines.append(f"  (first {_LISTED} of each; `campaign-mock fixtures` with the same options writes every credential to manifest.json)")
    return "\n".join(lines)


def _two_malloc_arenas() -> None:
    """As MALLOC_ARENA_MAX=2 for the workers (forked from here, they inherit it), unless the
    user set that. glibc gives threads that allocate at once arenas of their own, up to eight
    per core, and memory freed in one is not reused by another: with every request computing a
    new answer (1,000 namespaces with clocks of their own, benchmarks/server.py) the process
    tree crept up ~10 MB every 8 s; with two arenas, a quarter of that. No-op without glibc."""
    if "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX (malloc.h)
    except (OSError, AttributeError):
        pass


def _stop_when_stdin_closes() -> None:
    """With STOP_WITH_STDIN set, the process that started us holds our stdin's other end and
    never writes: when it ends in any way (killed, crashed, an xdist worker's os._exit) the
    end closes, and we stop as on Ctrl-C. In a session of our own, nothing else would stop us."""

    def watch() -> None:
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="campaign-mock-owner", daemon=True).start()


def run(host: str, port: int, config: ServerConfig, workers: int, threads: int, max_connections: int = 4096, header_timeout: float = 10) -> None:
    """`threads` per worker for ordinary requests, plus config.max_delays for delayed answers
    (server/forcing.py refuses one more), so delays never hold what other clients need.
    `max_connections` open per worker (granian's backpressure: past it, new ones wait in the
    listen backlog); a connection that sends no complete request head within `header_timeout`
    seconds, idle keep-alive ones included, is closed."""
    if env_flag(os.environ, STOP_WITH_STDIN, False):
        _stop_when_stdin_closes()
    address = listen_address(host, port)  # fail fast, in this process: the address...
    if config.admin_token is None and not is_loopback(address):
        raise AddressError(f"--host {host}: the admin API (/__mock/) would be open to the network; give --admin-token TOKEN (or serve on 127.0.0.1)")
    world = config.build_world()  # ...and the scenarios
    if config.state is None:  # the workers share one SQLite file in a private folder, removed at exit
        private = tempfile.mkdtemp(prefix="campaign-mock-")
        atexit.register(shutil.rmtree, private, True)
        config = replace(config, state=os.path.join(private, "state.sqlite"))
    open_store(config.state, verify=True).close()  # fail fast: a state the workers could not open, or a damaged one
    os.environ.update(config.to_environment())
    click.echo(banner(f"http://{_hostport(host, port)}", config, world), err=True)
    inherit_world(config, world)  # forked workers start from it (serve answers ~0.3 s sooner)
    _two_malloc_arenas()
    # granian warns when a worker may run more threads than 2 x cores + 1. Ours are `threads`
    # for requests and max_delays that only sleep through a forced delay (no CPU), so the
    # warning would alarm for nothing: say what they are instead.
    logging.getLogger("_granian").addFilter(lambda record: "Python threads" not in record.getMessage())
    click.echo(f"Threads per worker: {threads} for requests, {config.max_delays} more that only wait out forced delays (--max-delays).", err=True)
    Granian(
        "campaign_mock.server.wsgi:app_factory",
        address=address,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads + config.max_delays,
        backpressure=max_connections,
        backlog=max_connections,
        # HTTP/1 only: the header timeout is what closes idle and slow connections.
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(header_timeout * 1000)),
        factory=True,
        log_access=False,
        workers_kill_timeout=STOP_TIMEOUT_S,
    ).serve()
