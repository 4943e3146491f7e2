"""A namespace's variation (contract/variations.py) as its state keeps it: `{"name": NAME,
"seed": N}` or None. Checked whole before the store's transaction, so a bad one changes
nothing."""

from __future__ import annotations

from campaign_mock.contract.variations import VARIATIONS, check_seed
from campaign_mock.exceptions import InputError

__all__ = ["parse_variation", "shown_variation", "variation_of"]

FIELDS = ("name", "seed")


def parse_variation(spec: object) -> dict:
    if not isinstance(spec, dict):
        raise InputError(None, 'give {"name": NAME, "seed": N} (seed optional)')
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise InputError(unknown[0], f"unknown field {unknown[0]!r}; a variation takes {', '.join(FIELDS)}")
    name = spec.get("name")
    if not isinstance(name, str) or name not in VARIATIONS:
        shown = repr(name)[:80] if name is not None else "nothing"
        raise InputError("name", f"{shown} is no variation; known: {', '.join(VARIATIONS)}")
    try:
        seed = check_seed(spec.get("seed", 0))
    except ValueError as e:
        raise InputError("seed", str(e)) from None
    return {"name": name, "seed": seed}


def variation_of(state: dict | None) -> tuple[str, int] | None:
    kept = (state or {}).get("variation")
    return (kept["name"], kept["seed"]) if kept else None


def shown_variation(variation: dict | tuple[str, int] | None) -> dict:
    """What GET .../variation shows: the name and seed, both null where none is set."""
    if isinstance(variation, dict):
        return {"name": variation["name"], "seed": variation["seed"]}
    name, seed = variation if variation else (None, None)
    return {"name": name, "seed": seed}
