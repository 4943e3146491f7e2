"""The operations of openapi.yaml by path: which operationId a request path is, which vendor a
path belongs to, and how a LevelUp campaign path is written. The one table the server (routing,
errors), the journal and faults (operations by name), the checker and the fixture writer read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from campaign_mock.contract.loader import load_contract

__all__ = ["LEVELUP_CAMPAIGN", "LEVELUP_PREFIX", "Operation", "is_levelup", "levelup_path", "operation_of", "operation_path", "operations"]

# Every LevelUp path starts so; every other vendor path is Spaaza's.
LEVELUP_PREFIX = "/v15/"
# A LevelUp campaign path ends so: the campaign id and the representation (documented or not).
LEVELUP_CAMPAIGN = re.compile(r"/v15/campaigns/([^/]+)/([^/?]+)$")


def is_levelup(path: str) -> bool:
    return path.startswith(LEVELUP_PREFIX)


def levelup_path(campaign_id: int | str, representation: str) -> str:
    return f"{LEVELUP_PREFIX}campaigns/{campaign_id}/{representation}"


@dataclass(frozen=True)
class Operation:
    id: str  # operationId
    template: str  # /v15/campaigns/{campaign_id}/basic_v1
    pattern: re.Pattern[str]


@cache
def _table() -> tuple[Operation, ...]:
    found = []
    for template, item in load_contract().spec["paths"].items():
        operation = (item.get("get") or {}).get("operationId")
        if operation:
            pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            found.append(Operation(operation, template, pattern))
    return tuple(found)


def operation_of(path: str) -> str | None:
    """The contract's operationId for a vendor path, None where none applies."""
    return next((op.id for op in _table() if op.pattern.match(path)), None)


def operations() -> frozenset[str]:
    return frozenset(op.id for op in _table())


def operation_path(operation: str) -> str | None:
    """The path template of an operation (to tell its vendor)."""
    return next((op.template for op in _table() if op.id == operation), None)
