"""The vendors' error catalogues. Spaaza's codes, names, descriptions and HTTP statuses are
read from schemas/spaaza-error.json (the one source of truth, which also makes a body whose
name does not fit its code invalid); LevelUp's few refusals are defined here."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from campaign_mock.contract.loader import load_contract


@dataclass(frozen=True)
class SpaazaError:
    code: int
    name: str
    description: str
    http_status: int

    def body(self) -> dict:
        return {
            "result": {"code": 2, "status": "error"},
            "error": {"code": self.code, "name": self.name, "description": self.description},
        }


@dataclass(frozen=True)
class SpaazaWarning:
    code: int
    name: str
    description: str

    def body(self, message: dict) -> dict:
        return {"code": self.code, "name": self.name, "description": self.description, "message": message}


@cache
def spaaza_errors() -> dict[int, SpaazaError]:
    """Code -> error, in the documentation's table order."""
    entries = load_contract().schema("spaaza-error.json#/$defs/catalogue")["oneOf"]
    return {
        e["properties"]["code"]["const"]: SpaazaError(
            code=e["properties"]["code"]["const"],
            name=e["properties"]["name"]["const"],
            description=e["x-description"],
            http_status=e["x-http-status"],
        )
        for e in entries
    }


def spaaza_error(name: str) -> SpaazaError:
    """Look an error up by its documented name, so call sites read like the docs."""
    for error in spaaza_errors().values():
        if error.name == name:
            return error
    raise KeyError(f"{name!r} is not in the Spaaza error catalogue")


@cache
def spaaza_warnings() -> dict[str, SpaazaWarning]:
    entries = load_contract().schema("spaaza-warning.json#/$defs/catalogue")["oneOf"]
    return {
        e["properties"]["name"]["const"]: SpaazaWarning(
            code=e["x-code"], name=e["properties"]["name"]["const"], description=e["x-description"]
        )
        for e in entries
    }


# LevelUp documents statuses, not codes. Each refusal: HTTP status, error code (LevelUp's
# code is optional; we send one so clients can tell refusals apart) and message.
@dataclass(frozen=True)
class LevelUpError:
    key: str
    http_status: int
    message: str
    code: str | None = None
    www_authenticate: str | None = None

    def body(self) -> list:
        error = {"message": self.message, "object": {401: "access_token", 404: "campaign"}.get(self.http_status), "property": None}
        if self.code:
            error["code"] = self.code
        return [{"error": error}]


_INVALID_TOKEN = 'OAuth2 realm="levelup", error="invalid_token"'

LEVELUP_ERRORS: dict[str, LevelUpError] = {
    e.key: e
    for e in (
        LevelUpError("missing_token", 401, "You must be logged in to do that.", "not_authorized", _INVALID_TOKEN),
        LevelUpError("invalid_token", 401, "The access token is invalid or has expired.", "invalid_token", _INVALID_TOKEN),
        # Documented: the token needs manage_user_campaigns. LevelUp answers missing
        # permissions with 401 as well; the spec lists 401 and 404 only.
        LevelUpError(
            "permission_missing",
            401,
            "This access token does not have the manage_user_campaigns permission.",
            "permission_missing",
            'OAuth2 realm="levelup", error="insufficient_scope", scope="manage_user_campaigns"',
        ),
        LevelUpError("not_found", 404, "The campaign does not exist or cannot be displayed.", "not_found"),
        LevelUpError("server_error", 500, "Something went wrong on our end.", "server_error"),
        # Not documented: what the mock answers a method the endpoint does not take.
        LevelUpError("method_not_allowed", 405, "This endpoint does not accept that HTTP method.", "method_not_allowed"),
    )
}
