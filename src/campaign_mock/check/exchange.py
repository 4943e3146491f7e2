"""One request and its response, as the domain rules see them. The only place that knows
how Schemathesis (or requests) represents them: a Schemathesis API change touches this file.

The request is read from what was actually sent (the prepared request's URL and headers),
not from the generated case, so the rules judge the wire, whoever built the request."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import parse_qs, urlsplit

from requests.structures import CaseInsensitiveDict

from campaign_mock.contract.facts import query_value
from campaign_mock.contract.operations import LEVELUP_CAMPAIGN

NO_BODY = object()  # the body is absent or not JSON



def operation_kind(path: str) -> tuple[str | None, str | None]:
    """("get-campaigns" | "get-campaign" | "levelup" | None, LevelUp representation)."""
    path = path.rstrip("/")
    if path.endswith("/get-campaigns"):
        return "get-campaigns", None
    if path.endswith("/get-campaign"):
        return "get-campaign", None
    match = LEVELUP_CAMPAIGN.search(path)
    if match:
        return "levelup", match.group(2)
    return None, None


@dataclass(frozen=True)
class Exchange:
    method: str
    path: str
    query: Mapping[str, str]  # each query parameter as sent, by facts.query_value (the first)
    request_headers: CaseInsensitiveDict
    status: int
    body: Any  # parsed JSON or NO_BODY
    response_headers: CaseInsensitiveDict = field(default_factory=CaseInsensitiveDict)

    @property
    def kind(self) -> str | None:
        return operation_kind(self.path)[0]

    @property
    def representation(self) -> str | None:
        return operation_kind(self.path)[1]

    # Shapes the rules look at -------------------------------------------------------
    def campaigns(self) -> list[dict]:
        """The Spaaza campaigns of a 200 answer (one for get-campaign), else []."""
        if self.status != 200 or not isinstance(self.body, dict) or not isinstance(self.body.get("results"), dict):
            return []
        results = self.body["results"]
        if self.kind == "get-campaigns" and isinstance(results.get("campaigns"), list):
            return [c for c in results["campaigns"] if isinstance(c, dict)]
        if self.kind == "get-campaign" and isinstance(results.get("campaign"), dict):
            return [results["campaign"]]
        return []

    def spaaza_error(self) -> dict | None:
        body = self.body
        if isinstance(body, dict) and isinstance(body.get("result"), dict) and body["result"].get("status") == "error":
            return body.get("error") if isinstance(body.get("error"), dict) else {}
        return None


def _parse_body(content: bytes | None) -> Any:
    if not content:
        return NO_BODY
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        return NO_BODY


def _from_prepared(request, status: int, content: bytes | None, headers: Mapping[str, Any]) -> Exchange:
    url = urlsplit(request.url)
    query = {k: query_value(v) for k, v in parse_qs(url.query, keep_blank_values=True).items()}
    response_headers: CaseInsensitiveDict = CaseInsensitiveDict()
    for name, value in headers.items():
        response_headers[name] = value[0] if isinstance(value, list) and value else value
    return Exchange(
        method=request.method,
        path=url.path,
        query=query,
        request_headers=CaseInsensitiveDict(request.headers),
        status=status,
        body=_parse_body(content),
        response_headers=response_headers,
    )


def from_schemathesis(case: Any, response: Any) -> Exchange:
    """From a Schemathesis 4 (case, response) pair, as passed to a check."""
    return _from_prepared(response.request, response.status_code, response.content, response.headers)


def from_requests(response: Any) -> Exchange:
    """From a requests.Response (the drift report sends its own requests)."""
    return _from_prepared(response.request, response.status_code, response.content, response.headers)
