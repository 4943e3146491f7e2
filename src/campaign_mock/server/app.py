"""The app factory. All wiring happens here, once: blueprints, error handlers, forced
errors. Mount it under any WSGI server; `campaign-mock serve` runs it on granian."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from campaign_mock.server import errors, forcing, levelup, spaaza
from campaign_mock.server.answers import AnswerCache, CachedAnswers
from campaign_mock.server.config import ServerConfig
from campaign_mock.world import World


@dataclass(frozen=True)
class MockState:
    world: World
    cache: AnswerCache


def create_app(config: ServerConfig | None = None, world: World | None = None) -> Flask:
    """The mock as a Flask app. Without arguments: settings from CAMPAIGN_MOCK_* variables
    (default: seed 0, no scenarios, the default world)."""
    config = config or ServerConfig.from_environment()
    if world is None:
        world = config.build_world()
    app = Flask("campaign_mock")
    app.config["CAMPAIGN_MOCK"] = config
    cache = AnswerCache(config.cache_bytes)
    app.config["CAMPAIGN_MOCK_STATE"] = MockState(world, cache)
    errors.register(app)
    forcing.register(app)
    app.register_blueprint(spaaza.bp)
    app.register_blueprint(levelup.bp)
    app.wsgi_app = CachedAnswers(app.wsgi_app, cache)  # known answers skip Flask entirely
    return app
