"""A planted faulty server: the real mock app (campaign_mock.server.app.create_app()) behind
a Flask front that corrupts its answers in one way, the request's fault (the runtime API
under /__mock/, GET /__mock/world included, passes through untouched). One front, one mock,
serves every fault: it holds no state, and `with_fault(front, NAME)` is the WSGI app that
plants NAME in each request. Each fault gets a port of its own, so the checker sees a plain
server at the root of its base URL (`check` judges the path as sent: under a path prefix such
as /__fault/NAME/, known_request_succeeds never recognises a request and always_217 passed):

  campaign_id_string             get-campaigns: the first campaign's id is a string
  error_217_as_500               error 217 chain_id_not_found is served with HTTP 500
  error_217_named_user_not_found error 217 carries the name user_not_found
  unknown_error_500              every Spaaza error becomes HTTP 500 with code 999 internal_error (not in the catalogue)
  campaign_type_ignored          get-campaigns with campaign_type also lists a campaign of another type
  loyalty_off_by_one             loyalty user_progress: points_to_proceed_next_level + 1
  progress_formats_swapped       get-campaigns: two campaigns of different progress formats swap user_progress
  inactive_listed                get-campaigns excluding inactive campaigns also lists an inactive one
  order_reversed                 get-campaigns in ascending order instead of descending
  goals_inverted                 LevelUp custom_progress_based_v1: each goal's accomplished is inverted
  reference_dangling             get-campaigns: a recipient_campaign_id names a campaign that is not listed
  always_217                     every Spaaza request is answered 217 chain_id_not_found (a server that serves nothing)
  always_68                      every Spaaza request is answered 68 (no read access), with its documented HTTP 500
  content_type_text              Spaaza answers carry Content-Type text/plain
  no_www_authenticate            LevelUp 401 answers lose their WWW-Authenticate header
  none                           no fault (the front itself must pass)

Tests serve it on threads of their own process (conftest.py); by hand:

    python tests/check/faulty_server.py --port 8099 --fault loyalty_off_by_one
"""

from __future__ import annotations

import argparse
import json
from urllib.parse import parse_qsl, urlencode

from flask import Flask, Response, request

from campaign_mock.contract import load_contract
from campaign_mock.contract.catalogue import spaaza_errors
from campaign_mock.server.app import create_app
from campaign_mock.server.config import ServerConfig

FAULTS = (
    "campaign_id_string", "error_217_as_500", "error_217_named_user_not_found", "unknown_error_500",
    "campaign_type_ignored", "loyalty_off_by_one", "progress_formats_swapped", "inactive_listed", "order_reversed",
    "goals_inverted", "reference_dangling", "always_217", "always_68", "content_type_text", "no_www_authenticate", "none",
)
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
FAULT = "faulty_server.fault"  # the WSGI environ key with_fault sets
CATALOGUE = spaaza_errors()
CONTRACT = load_contract()


def create_faulty_app() -> Flask:
    mock = create_app(ServerConfig()).test_client(use_cookies=False)  # seed 0: the world of fixtures/default
    front = Flask("faulty_mock")

    def forward(path: str, query: str) -> tuple[int, object, dict]:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in ("host", "content-length")]
        answer = mock.open(path, method=request.method, query_string=query, headers=headers, data=request.get_data())
        body = answer.get_data()
        try:
            document = json.loads(body) if body else None
        except ValueError:
            document = None
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in ("content-length",)}
        return answer.status_code, document if document is not None else body, kept

    @front.route("/", defaults={"path": ""}, methods=METHODS)
    @front.route("/<path:path>", methods=METHODS)
    def proxy(path: str):
        fault = request.environ[FAULT]
        query = request.query_string.decode("latin-1")
        status, document, headers = forward("/" + path, query)
        spaaza = not path.startswith("v15/") and not path.startswith("__mock")
        if fault in ("always_217", "always_68") and spaaza:
            error = CATALOGUE[217 if fault == "always_217" else 68]
            status = error.http_status
            document = error.body()
        if fault == "content_type_text" and spaaza:
            headers["Content-Type"] = "text/plain; charset=utf-8"
        if fault == "no_www_authenticate" and status == 401:
            headers.pop("WWW-Authenticate", None)
        if isinstance(document, (dict, list)):
            status, document = corrupt(fault, path, query, status, document, forward)
            payload = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
        else:
            payload = document
        return Response(payload, status=status, headers=headers)

    return front


def with_fault(front: Flask, fault: str):
    """The WSGI app that serves every request through `front` with `fault` planted."""
    if fault not in FAULTS:
        raise ValueError(f"unknown fault {fault!r}; choose one of {', '.join(FAULTS)}")

    def app(environ, start_response):
        environ[FAULT] = fault
        return front(environ, start_response)

    return app


def corrupt(fault: str, path: str, query: str, status: int, body, forward):
    campaigns = body.get("results", {}).get("campaigns") if isinstance(body, dict) and isinstance(body.get("results"), dict) else None
    error = body.get("error") if isinstance(body, dict) else None
    if fault == "campaign_id_string" and campaigns:
        campaigns[0]["id"] = str(campaigns[0]["id"])
    elif fault in ("error_217_as_500", "error_217_named_user_not_found") and isinstance(error, dict) and error.get("code") == 217:
        if fault == "error_217_as_500":
            status = 500
        else:
            error["name"] = "user_not_found"
    elif fault == "unknown_error_500" and isinstance(error, dict):
        status = 500
        error.update(code=999, name="internal_error", description="Something went wrong.")
    elif fault == "campaign_type_ignored" and campaigns is not None:
        params = parse_qsl(query, keep_blank_values=True)
        types = {t for k, v in params if k == "campaign_type" for t in v.split(",")}
        if types:
            unfiltered = urlencode([(k, v) for k, v in params if k not in ("campaign_type", "exclude_inactive")] + [("exclude_inactive", "false")])
            _, everything, _ = forward("/" + path, unfiltered)
            others = [c for c in (everything.get("results") or {}).get("campaigns", []) if c.get("type") not in types] if isinstance(everything, dict) else []
            if others:
                campaigns.append(others[0])
    elif fault == "progress_formats_swapped" and campaigns:
        with_progress = [c for c in campaigns if isinstance(c.get("user_progress"), dict)]
        for a in with_progress:
            b = next((b for b in with_progress if CONTRACT.progress_format(b["type"]) != CONTRACT.progress_format(a["type"])), None)
            if b is not None:
                a["user_progress"], b["user_progress"] = b["user_progress"], a["user_progress"]
                break
    elif fault == "inactive_listed" and campaigns is not None:
        params = parse_qsl(query, keep_blank_values=True)
        unfiltered = urlencode([(k, v) for k, v in params if k != "exclude_inactive"] + [("exclude_inactive", "false")])
        _, everything, _ = forward("/" + path, unfiltered)
        listed = {c.get("id") for c in campaigns}
        inactive = [c for c in (everything.get("results") or {}).get("campaigns", []) if c.get("id") not in listed and (c.get("active") is False or c.get("is_active") is False)] if isinstance(everything, dict) else []
        if inactive:
            campaigns.append(inactive[0])
    elif fault == "order_reversed" and campaigns:
        campaigns.reverse()
    elif fault == "goals_inverted" and isinstance(body, dict) and isinstance(body.get("campaign"), dict):
        for item in body["campaign"].get("goals") or []:
            goal = item.get("goal") if isinstance(item, dict) else None
            if isinstance(goal, dict) and isinstance(goal.get("accomplished"), bool):
                goal["accomplished"] = not goal["accomplished"]
    elif fault == "reference_dangling" and campaigns:
        target = next((c for c in campaigns if "recipient_campaign_id" in c), None)
        if target is not None:
            target["recipient_campaign_id"] = 999999999
    elif fault == "loyalty_off_by_one" and campaigns:
        for c in campaigns:
            progress = c.get("user_progress")
            if isinstance(progress, dict) and isinstance(progress.get("points_to_proceed_next_level"), int):
                progress["points_to_proceed_next_level"] += 1
    return status, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--fault", required=True, choices=FAULTS)
    args = parser.parse_args()
    from werkzeug.serving import run_simple

    run_simple("127.0.0.1", args.port, with_fault(create_faulty_app(), args.fault), threaded=True)


if __name__ == "__main__":
    main()
