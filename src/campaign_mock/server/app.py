"""The app factory. All wiring happens here, once: blueprints, error handlers, forced
errors. Mount it under any WSGI server; `campaign-mock serve` runs it on granian."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from flask import Flask

from campaign_mock.runtime import JournalWriter, Runtime, open_store
from campaign_mock.server import admin, errors, forcing, levelup, spaaza
from campaign_mock.server.answers import AnswerCache, RuntimeMiddleware
from campaign_mock.server.config import ServerConfig
from campaign_mock.world import DEFAULT_CLOCK, World


@dataclass(frozen=True)
class MockState:
    world: World  # the base world; a request's own is environ[answers.VIEW].world
    cache: AnswerCache
    runtime: Runtime


def create_app(config: ServerConfig | None = None, world: World | None = None) -> Flask:
    """The mock as a Flask app. Without arguments: settings from CAMPAIGN_MOCK_* variables
    (default: seed 0, no scenarios, the default world)."""
    config = config or ServerConfig.from_environment()
    if world is None:
        world = config.build_world()
    app = Flask("campaign_mock")
    app.config["CAMPAIGN_MOCK"] = config
    cache = AnswerCache(config.cache_bytes)
    store = open_store(config.state, config.journal_per_namespace, config.journal_total)
    runtime = Runtime(store, world, config.build_world, "reference" if world.clock == DEFAULT_CLOCK else "scenario")
    app.config["CAMPAIGN_MOCK_STATE"] = MockState(world, cache, runtime)
    errors.register(app)
    forcing.register(app)
    app.register_blueprint(spaaza.bp)
    app.register_blueprint(levelup.bp)
    app.register_blueprint(admin.bp)
    journal = JournalWriter(store, sys.stderr if config.access_log else None)
    app.wsgi_app = RuntimeMiddleware(app.wsgi_app, cache, runtime, journal)  # known answers skip Flask entirely
    return app
