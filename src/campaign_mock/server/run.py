"""`campaign-mock serve`: checks the settings once in this process (a broken scenario fails
here, before any worker starts), prints what to try, then runs granian. Every worker builds
the same world from the same CAMPAIGN_MOCK_* settings, so all answer byte-identically."""

from __future__ import annotations

import os

import click
from granian import Granian
from granian.constants import Interfaces

from campaign_mock.server.config import ServerConfig
from campaign_mock.world import build_world, documented
from campaign_mock.world.scenario import load_scenarios


def banner(base: str, config: ServerConfig, world) -> str:
    user = next(u for u in sorted(world.spaaza.users.values(), key=lambda u: u.user_id) if u.chain_id == documented.CHAIN_ID)
    session = world.spaaza.sessions[user.user_id]
    return f"""campaign-mock: seed {config.seed}, scenarios: {', '.join(config.scenarios) or 'none'}
  Spaaza   {base}/get-campaigns   {base}/internal/get-campaigns   {base}/get-campaign
  LevelUp  {base}/v15/campaigns/<id>/<representation_type>
Try the documented requests:
  curl '{base}/internal/get-campaigns?chain_id=1743&exclude_inactive=false' \\
    -H 'X-Spaaza-Session-User-Id: {documented.ADMIN_USER_ID}' \\
    -H 'X-Spaaza-Session-Key: {documented.ADMIN_SESSION_KEY}' \\
    -H 'X-Spaaza-API-Version: {documented.API_VERSION}'
  curl {base}/v15/campaigns/20/basic_v1 -H 'Authorization: token {documented.LEVELUP_TOKEN}'
An end user's own view (user session of chain {documented.CHAIN_ID}):
  curl '{base}/get-campaigns?chain_id={documented.CHAIN_ID}' -H 'X-Spaaza-Session-User-Id: {user.user_id}' \\
    -H 'X-Spaaza-Session-Key: {session.key}' -H 'X-Spaaza-MyPrice-App-Hostname: {documented.APP.hostname}'
Forced errors and delays: add -H 'X-Mock-Error: 217' or -H 'X-Mock-Delay-Ms: 1500'."""


def run(host: str, port: int, seed: int, scenarios: list[str], workers: int, threads: int) -> None:
    config = ServerConfig(seed=seed, scenarios=tuple(scenarios))
    world = build_world(seed, scenarios=load_scenarios(config.scenarios))  # fail fast, in this process
    os.environ.update(config.to_environment())
    click.echo(banner(f"http://{host}:{port}", config, world), err=True)
    Granian(
        "campaign_mock.server.wsgi:app_factory",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        factory=True,
        log_access=False,
    ).serve()
