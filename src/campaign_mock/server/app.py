"""The app factory. All wiring happens here, once: the runtime state, the answer cache, the
journal, the request pipeline (server/pipeline.py) that every request enters, and the Flask
app behind it that serves the admin API. Mount it under any WSGI server; `campaign-mock serve`
runs it on granian."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from flask import Flask

from campaign_mock.runtime import JournalWriter, Runtime, open_store
from campaign_mock.server import admin, errors
from campaign_mock.server.answers import AnswerCache
from campaign_mock.server.config import ServerConfig, Worlds
from campaign_mock.server.forcing import DelaySlots
from campaign_mock.server.pipeline import Pipeline
from campaign_mock.world import DEFAULT_CLOCK, World


@dataclass(frozen=True)
class MockState:
    world: World  # the base world; a namespace's is runtime.view(ns).world
    cache: AnswerCache
    runtime: Runtime


def create_app(config: ServerConfig | None = None, world: World | None = None) -> Flask:
    """The mock as a WSGI app (a Flask app whose wsgi_app is the pipeline). Without arguments:
    settings from CAMPAIGN_MOCK_* variables (default: seed 0, no scenarios, the default world)."""
    config = config or ServerConfig.from_environment()
    worlds = Worlds(config)
    if world is None:
        world = worlds.build()
    app = Flask("campaign_mock")
    app.url_map.merge_slashes = False  # // in an admin path: a JSON 404, never a redirect page
    app.config["CAMPAIGN_MOCK"] = config
    cache = AnswerCache(config.cache_bytes)
    store = open_store(config.state, config.journal_per_namespace, config.journal_total)
    runtime = Runtime(store, world, worlds.build, "reference" if world.clock == DEFAULT_CLOCK else "scenario")
    app.config["CAMPAIGN_MOCK_STATE"] = MockState(world, cache, runtime)
    errors.register(app)
    app.register_blueprint(admin.bp)
    journal = JournalWriter(store, sys.stderr if config.access_log else None)
    app.wsgi_app = Pipeline(app.wsgi_app, runtime, cache, journal, DelaySlots(config.max_delays, config.max_delay_ms))  # type: ignore[method-assign]
    return app
