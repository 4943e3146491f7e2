"""The world layer: deterministic, referentially consistent data for both vendors, built
from a seed and scenario files. Uses the contract layer; knows nothing of HTTP."""

from campaign_mock.world.build import DEFAULT_CLOCK, build_world
from campaign_mock.world.model import World

__all__ = ["DEFAULT_CLOCK", "World", "build_world"]
