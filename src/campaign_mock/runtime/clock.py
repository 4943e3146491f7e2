"""A namespace's clock: what PUT .../clock accepts, and the world seen at that clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from campaign_mock.exceptions import InputError
from campaign_mock.world.model import World
from campaign_mock.world.specs import CLOCK_YEARS

__all__ = ["at_clock", "parse_now"]


def parse_now(value) -> datetime:
    """A date-time with a UTC offset, in the years a scenario's clock may be in too
    (world/specs.CLOCK_YEARS)."""
    if not isinstance(value, str):
        raise InputError("now", 'give "now" as a date-time string with an offset, e.g. "2024-06-01T12:00:00+00:00"')
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("now", f'{value[:80]!r} is not a date-time; write e.g. "2024-06-01T12:00:00+00:00"') from None
    if moment.tzinfo is None:
        raise InputError("now", f'{value[:80]!r} has no UTC offset; write e.g. "{value[:40]}+00:00"')
    if moment.year not in CLOCK_YEARS:
        raise InputError("now", f"{value[:80]!r} is outside the years {CLOCK_YEARS.start}..{CLOCK_YEARS.stop - 1}; pick a clock in that range")
    return moment


def at_clock(world: World, now: datetime) -> World:
    """A shallow view of `world` at another clock: the vendors' data shared, activity judged
    at `now` (world/domain.is_active)."""
    if now == world.clock and world.generated_clock is None:
        return world
    return replace(world, clock=now, generated_clock=world.generated_clock or world.clock)
