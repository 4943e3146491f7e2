"""The world layer: deterministic, referentially consistent data for both vendors, built
from a seed and what scenarios declare (specs.py; the scenario language that writes it is
campaign_mock.scenario). Uses the contract layer; knows nothing of HTTP. Its parts: what a
world is (model, documented, views), the generator (specs, providers, domain, spaaza*,
levelup, build), the consistency rules (consistency, variety) and the fixture writer
(fixtures, fixture_dir); ARCHITECTURE.md says more."""

__all__ = ["DEFAULT_CLOCK", "World", "build_world"]


def __getattr__(name: str):
    # Imported on first use, so that `from campaign_mock.world import documented` (all the
    # checker takes from the world) does not load the generator and Faker.
    if name in ("DEFAULT_CLOCK", "build_world"):
        from campaign_mock.world import build

        return getattr(build, name)
    if name == "World":
        from campaign_mock.world.model import World

        return World
    raise AttributeError(f"module 'campaign_mock.world' has no attribute {name!r}")
