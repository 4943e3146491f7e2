"""Entry point for WSGI servers: `granian --interface wsgi --factory campaign_mock.server.wsgi:app_factory`
(or gunicorn 'campaign_mock.server.wsgi:app_factory()'). Settings come from CAMPAIGN_MOCK_*."""

import gc
import os
import sys

from campaign_mock.exceptions import CampaignMockError
from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig
from campaign_mock.world import World

# What a worker keeps of its process environment once the app is built (see seal_environment).
KEPT = frozenset({"PATH", "HOME", "LANG", "LANGUAGE", "TZ", "TMPDIR", "TEMP", "TMP", "SQLITE_TMPDIR", "SSL_CERT_FILE", "SSL_CERT_DIR"})
KEPT_PREFIXES = ("LC_", "MALLOC_")


# The world `serve` built before starting its workers, with the settings it was built for.
# granian forks the workers (Linux's default start method): a worker with the same settings
# starts from that world instead of building it again (and finds every module imported).
_inherited: tuple[dict[str, str], World] | None = None


def inherit_world(config: ServerConfig, world: World) -> None:
    global _inherited
    _inherited = (config.to_environment(), world)


def app_factory():
    try:
        config = ServerConfig.from_environment()
        world = _inherited[1] if _inherited is not None and _inherited[0] == config.to_environment() else None
        app = create_app(config, world)
    except CampaignMockError as e:  # a bad CAMPAIGN_MOCK_* value or scenario: say which, no trace
        print(f"campaign-mock: {e}", file=sys.stderr)
        raise SystemExit(2) from None
    seal_environment()
    # The world lives as long as the process: out of the cyclic GC's sight, its full passes no
    # longer walk it (with 5,000 chains they doubled the CPU time of a coverage report).
    gc.freeze()
    # The pipeline itself, not the Flask app around it: a vendor request never enters Flask
    # (the admin API does, through the pipeline), so one call less on every request.
    return app.wsgi_app


def seal_environment() -> None:
    """Empties the worker's process environment but for locale, paths and temporary folders,
    once the app has read its settings. granian copies the whole process environment into
    every request's WSGI environ: an `HTTP_PROXY` with credentials or a CI token named HTTP_*
    would then look like a request header (server/headers.py keeps those out of the journal
    anyway), and every request paid for copying some 60 keys (about 18% of the hot path's
    req/s, benchmarks/hot_path.py)."""
    for key in [k for k in os.environ if k not in KEPT and not k.startswith(KEPT_PREFIXES)]:
        del os.environ[key]
