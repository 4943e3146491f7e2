"""Facts the vendor documentation states that a JSON Schema cannot carry. Stated once here;
the world, the server and the checker read them (the schemas carry the rest: shapes,
campaign types, user_progress formats, the error catalogue)."""

from __future__ import annotations

# The six alternative ways get-campaigns names a user; more than one at once is error 416.
# openapi.yaml declares each (tests/contract/test_spec.py).
USER_IDENTIFIERS = ("user_id", "member_number", "username", "referral_code", "authentication_point_identifier", "auxiliary_identifier")
# What the mock takes for a well-formed `username` (an email address; else 267). The scenario
# schema states the same pattern, and a test holds the two together.
USERNAME_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# user_id is "an integer up to 10 digits long" (error 154); openapi.yaml's maximum agrees (tested).
USER_ID_MAX_DIGITS = 10
# The permission a LevelUp token needs to read a user's campaigns (else 403).
MANAGE_USER_CAMPAIGNS = "manage_user_campaigns"
# How the boolean query parameters (display_full_campaign, exclude_inactive) are spelled.
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}

# A query parameter given more than once (chain_id=5001&chain_id=1762): Spaaza documents
# nothing. The mock reads every parameter by its first value (werkzeug's MultiDict.get, for
# each parameter alike; tests/server pins it), and the checker judges answers the same way.
def query_value(values: list[str]) -> str:
    return values[0]


# campaign_type content or mobile_content needs no session.
NO_SESSION_TYPES = frozenset({"content", "mobile_content"})

# get-campaigns' version-specific changes (X-Spaaza-API-Version).
EXCLUDE_INACTIVE_BY_DEFAULT_FROM = (1, 4, 11)
CURRENT_COUNT_FROM = (1, 5, 0)
# A request without the header gets the current version: the newest change documented.
CURRENT_API_VERSION = (1, 5, 0)
# Every version that changes an answer, oldest first (the versions a client should try).
VERSION_CHANGES = tuple(sorted({EXCLUDE_INACTIVE_BY_DEFAULT_FROM, CURRENT_COUNT_FROM}))

# A response whose campaigns have more assignments than this together shows none, with the
# objects_exceed_maximum_quantity warning (schemas/README.md decision 19).
MAX_ASSIGNMENTS_SHOWN = 500

ORDER_BY = ("created_date", "priority")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """"1.4.11" -> (1, 4, 11); None unless three dot-separated decimal numbers."""
    parts = text.split(".")
    # ASCII digits only, as the spec's \d; and short enough for int() (it refuses 4,300+ digits).
    if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) <= 4000 for p in parts):
        return None
    return tuple(int(p) for p in parts)  # type: ignore[return-value]
