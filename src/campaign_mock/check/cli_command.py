"""`campaign-mock check`: the click command (registered in campaign_mock/cli.py)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

import click
import requests

from campaign_mock.check.known import CHECK_NAME as KNOWN_REQUEST_CHECK
from campaign_mock.check.runner import (
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_PHASES,
    DEFAULT_SEED,
    SAFE_PHASES,
    SAFE_RATE_LIMIT,
    RunOptions,
    run,
)
from campaign_mock.check.settings import CheckSettings
from campaign_mock.exceptions import CampaignMockError, CheckError
from campaign_mock.world import documented

_DEFAULTS = CheckSettings()


def require_server(option: str, url: str, timeout: float = 10) -> None:
    """Fail fast on a URL that is not a server: otherwise every request of the run (or every
    probe of the drift report) fails alike, and that reads as failures or drift, not misuse.
    Any HTTP answer will do, 404 included."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise CampaignMockError(f"{option} {url!r} is not an http(s) URL, e.g. http://127.0.0.1:8080")
    try:
        requests.get(url, timeout=timeout).close()
    except requests.RequestException as e:
        raise CampaignMockError(f"{option} {url}: cannot reach the server ({type(e).__name__})") from None


RATE_LIMIT = re.compile(r"^[1-9]\d*/[smhd]$")


def check_names() -> list[str]:
    """What --check and --exclude-check accept: Schemathesis' checks and ours."""
    import schemathesis.specs.openapi.checks  # noqa: F401  (registers Schemathesis' own checks)
    from schemathesis.checks import CHECKS

    from campaign_mock.check.rules import RULES

    return [*CHECKS.get_all_names(), "max_response_time", *RULES, KNOWN_REQUEST_CHECK]


def validate_usage(phases: str | None, operations: tuple[str, ...], checks: tuple[str, ...], rate_limit: str | None,
                   output_format: str, compare_url: str | None) -> None:
    """Refuse what Schemathesis would refuse, in our options' words, before any request."""
    allowed = DEFAULT_PHASES.split(",")
    for phase in (phases or "").split(",") if phases is not None else []:
        if phase.strip() not in allowed:
            raise CheckError(f"--phases: {phase.strip()!r} is not a phase; use a comma-separated list of {', '.join(allowed)}")
    if operations:
        from campaign_mock.contract.validate import operation_ids

        for operation in operations:
            if operation not in operation_ids():
                raise CheckError(f"--operation: no operation {operation!r} in openapi.yaml; choose one of {', '.join(operation_ids())}")
    if checks:
        known_checks = check_names()
        for name in checks:
            if name not in known_checks:
                raise CheckError(f"--check/--exclude-check: no check {name!r}; choose one of {', '.join(known_checks)}")
    if rate_limit is not None and not RATE_LIMIT.match(rate_limit):
        raise CheckError(f"--rate-limit: {rate_limit!r} is not a rate; write requests per unit, e.g. 100/m (units s, m, h, d)")
    if output_format == "json" and not compare_url:
        raise CheckError("--format json is the drift report's (--compare-url); for a run use --junit-xml or -- --report ndjson")


@click.command(
    "check",
    context_settings={"ignore_unknown_options": False},
    epilog="Extra arguments after `--` go to `schemathesis run` unchanged (e.g. -- --output-sanitize false).",
)
@click.option("--base-url", required=True, help="Server to check, e.g. http://127.0.0.1:8080 (replaces the spec's servers).")
@click.option("--compare-url", help="Drift report instead of a Schemathesis run: send the same fixed requests to --base-url (A) and this server (B) and print where they differ.")
@click.option("--spaaza-user-id", default=_DEFAULTS.spaaza_user_id, show_default=True, help="X-Spaaza-Session-User-Id.")
@click.option("--spaaza-session-key", default=_DEFAULTS.spaaza_session_key, show_default="documented admin key", help="X-Spaaza-Session-Key.")
@click.option("--spaaza-api-version", default=None, help=f"Force X-Spaaza-API-Version on every Spaaza request (default: generated; the drift report uses {documented.API_VERSION} for the documented request).")
@click.option("--spaaza-app-hostname", default=None, help="X-Spaaza-MyPrice-App-Hostname (needed with a user session).")
@click.option("--levelup-token", default=_DEFAULTS.levelup_token, show_default="documented token", help="LevelUp user token, sent as Authorization: token ...")
@click.option("--chain-id", type=int, default=_DEFAULTS.chain_id, show_default=True, help="Chain that steered Spaaza requests ask for.")
@click.option("--progress-user-id", type=int, default=_DEFAULTS.progress_user_id, show_default=True, help=f"User of --chain-id whose user_progress steered requests ask for ({_DEFAULTS.progress_user_id}: the mock's first user of chain {_DEFAULTS.chain_id}).")
@click.option("--fixtures", "fixtures", type=click.Path(exists=True, dir_okay=True, path_type=Path), help="A fixtures folder or its manifest.json: the requests it records as answered 200 steer the run and must be answered 2xx (default: the mock's GET /__mock/world when it answers, not with --safe; always the documented ids and --chain-id/--progress-user-id).")
@click.option("--steer/--no-steer", default=True, show_default=True, help="Replace generated chain/user/campaign ids with known ones in some cases, so 200 answers get checked.")
@click.option("--max-examples", "-n", type=click.IntRange(1), default=DEFAULT_MAX_EXAMPLES, show_default=True, help="Generated cases per operation and phase.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Generation seed (the example database is always off: same seed, same requests).")
@click.option("--phases", default=None, help=f"Comma-separated, any of: {DEFAULT_PHASES}. Default: all three (--safe: {SAFE_PHASES}).")
@click.option("--mode", type=click.Choice(["positive", "negative", "all"]), default=None, help="Generated data: valid, invalid or both (default: all; --safe: positive).")
@click.option("--operation", "operations", multiple=True, help="Only this operationId (repeatable), e.g. getCampaigns.")
@click.option("--check", "checks", multiple=True, help="Only this check (repeatable): a domain check or a Schemathesis one, e.g. response_schema_conformance.")
@click.option("--exclude-check", "exclude_checks", multiple=True, help="Skip this check (repeatable).")
@click.option("--safe", is_flag=True, help=f"For a real vendor: GET only, positive data only, phases {SAFE_PHASES}, no other-method probes, rate-limited to {SAFE_RATE_LIMIT}.")
@click.option("--rate-limit", default=None, help=f"Schemathesis rate limit, e.g. 100/m (default: none; --safe: {SAFE_RATE_LIMIT}).")
@click.option("--junit-xml", type=click.Path(dir_okay=False, path_type=Path), help="Write a JUnit XML report here (one testcase per operation).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="The drift report's output (--compare-url): text, or one JSON object for CI. A run's machine-readable output is --junit-xml (or -- --report ndjson).")
@click.argument("extra", nargs=-1, type=click.UNPROCESSED)
def check_command(
    base_url: str, compare_url: str | None, spaaza_user_id: str, spaaza_session_key: str, spaaza_api_version: str | None,
    spaaza_app_hostname: str | None, levelup_token: str, chain_id: int, progress_user_id: int, fixtures: Path | None, steer: bool,
    max_examples: int, seed: int, phases: str | None, mode: str | None, operations: tuple[str, ...], checks: tuple[str, ...],
    exclude_checks: tuple[str, ...], safe: bool, rate_limit: str | None, junit_xml: Path | None, output_format: str, extra: tuple[str, ...],
) -> None:
    """Check a server (the vendor's or the mock) against openapi.yaml with Schemathesis and
    the domain checks; or, with --compare-url, report drift between two servers.
    Exit 0: no failures / no drift; 1: failures or drift; 2: usage."""
    settings = CheckSettings(
        spaaza_user_id=spaaza_user_id, spaaza_session_key=spaaza_session_key, spaaza_api_version=spaaza_api_version,
        spaaza_app_hostname=spaaza_app_hostname, levelup_token=levelup_token, chain_id=chain_id,
        progress_user_id=progress_user_id, steer=steer, probe_world=not safe,
        fixtures=str((fixtures / "manifest.json") if fixtures and fixtures.is_dir() else fixtures) if fixtures else None,
    )
    validate_usage(phases, operations, checks + exclude_checks, rate_limit, output_format, compare_url)
    require_server("--base-url", base_url)
    if compare_url:
        from campaign_mock.check.drift import drift

        require_server("--compare-url", compare_url)

        report = drift(base_url, compare_url, settings)
        click.echo(json.dumps(report.as_json(), indent=2) if output_format == "json" else "\n".join(report.lines))
        sys.exit(1 if report.differing else 0)

    options = RunOptions(
        base_url=base_url, settings=settings, max_examples=max_examples, seed=seed, phases=phases, mode=mode,
        junit_xml=junit_xml, operations=operations, checks=checks, exclude_checks=exclude_checks, safe=safe,
        rate_limit=rate_limit, extra=extra,
    )
    code = run(options)
    sys.exit(0 if code == 0 else (2 if code == 2 else 1))


