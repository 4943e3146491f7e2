"""A namespace's variation (contract/variations.py) as its state keeps it: `{"name": NAME,
"seed": N}` or None. Checked whole before the store's transaction, so a bad one changes
nothing."""

from __future__ import annotations

from campaign_mock.contract.variations import VARIATIONS, WITHOUT, check_seed
from campaign_mock.exceptions import InputError

__all__ = ["parse_variation", "shown_variation", "variation_of"]

FIELDS = ("name", "seed", "field")
MAX_FIELD = 500  # characters of a field path (without-field)


def parse_variation(spec: object) -> dict:
    if not isinstance(spec, dict):
        raise InputError(None, 'give {"name": NAME, "seed": N} (seed optional)')
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise InputError(unknown[0], f"unknown field {unknown[0]!r}; a variation takes {', '.join(FIELDS)}")
    name = spec.get("name")
    if not isinstance(name, str) or name not in (*VARIATIONS, WITHOUT):
        shown = repr(name)[:80] if name is not None else "nothing"
        raise InputError("name", f"{shown} is no variation; known: {', '.join(VARIATIONS)}")
    seed = check_seed(spec.get("seed", 0))
    field = spec.get("field")
    if (name == WITHOUT) != ("field" in spec):
        raise InputError("field", f"a field is given with {WITHOUT} (only): the field removed from every answer, e.g. $.results.campaigns[*].voucher_title")
    if field is not None and not (isinstance(field, str) and field.startswith("$") and len(field) <= MAX_FIELD):
        raise InputError("field", f"a field is a path such as $.results.campaigns[*].voucher_title (at most {MAX_FIELD} characters)")
    return {"name": name, "seed": seed, "field": field}


def variation_of(state: dict | None) -> tuple[str, int, str | None] | None:
    kept = (state or {}).get("variation")
    return (kept["name"], kept["seed"], kept.get("field")) if kept else None


def shown_variation(variation: dict | tuple[str, int, str | None] | None) -> dict:
    """What GET .../variation shows: the name and seed, both null where none is set (and the
    field of without-field)."""
    if isinstance(variation, dict):
        variation = (variation["name"], variation["seed"], variation.get("field"))
    name, seed, field = variation if variation else (None, None, None)
    return {"name": name, "seed": seed, **({"field": field} if field is not None else {})}
