"""campaign-mock serve | fixtures | validate | check | coverage.

Thin: parse the options, call one function, turn our errors into a message and an exit
code (0 ok, 1 the thing checked has failures, 2 bad input or usage)."""

from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

import click

from campaign_mock.check.cli_command import check_command
from campaign_mock.exceptions import CampaignMockError


class _Group(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except CampaignMockError as e:
            click.echo(f"campaign-mock: {e}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(package_name="campaign-mock")
def main() -> None:
    """Contract, mock server, fixtures and contract checks for the Spaaza get-campaigns and
    LevelUp v15 campaign APIs."""


def _world_size(command):
    """--chains, --users-per-chain, --merchants: serve and fixtures take the same, so that the
    same options give the same world (and fixtures are what the server answers)."""
    from campaign_mock.world.build import DEFAULT_CHAINS, DEFAULT_MERCHANTS, DEFAULT_USERS_PER_CHAIN
    from campaign_mock.world.specs import MAX_USERS_PER_CHAIN

    for option in reversed((
        click.option("--chains", type=click.IntRange(0), default=DEFAULT_CHAINS, show_default=True, help="Generated Spaaza chains besides the documented one."),
        click.option("--users-per-chain", type=click.IntRange(0, MAX_USERS_PER_CHAIN), default=DEFAULT_USERS_PER_CHAIN, show_default=True, help=f"Generated users per chain (ids <chain>01..<chain>{MAX_USERS_PER_CHAIN})."),
        click.option("--merchants", type=click.IntRange(0), default=DEFAULT_MERCHANTS, show_default=True, help="Generated LevelUp merchants."),
    )):
        command = option(command)
    return command


_seed = click.option("--seed", type=int, default=0, show_default=True, help="World seed: the same seed gives the same bytes.")
_scenario = click.option(
    "--scenario", "scenarios", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="Scenario YAML file (repeatable)."
)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="IP address or host name (resolved) to listen on; a non-loopback one needs --admin-token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True)
@_seed
@_scenario
@_world_size
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--threads", type=click.IntRange(1, 256), default=4, show_default=True, help="Threads per worker for ordinary requests (delayed answers get --max-delays more).")
@click.option("--max-delays", type=click.IntRange(1, 1024), default=64, show_default=True, help="Delayed answers (X-Mock-Delay-Ms or a delay fault) waiting at once per worker; one more is refused at once (503).")
@click.option("--max-connections", type=click.IntRange(16, 65536), default=4096, show_default=True, help="Open connections per worker; past it new ones wait in the listen backlog.")
@click.option("--header-timeout", type=click.FloatRange(0.1, 3600), default=10.0, show_default=True, help="Seconds a connection may take to send a request head; idle keep-alive connections are closed after it too.")
@click.option("--state", metavar="FILE|redis://HOST:PORT/DB", help="Runtime state (namespaces, scenarios, clock, faults, journal): a SQLite file kept across restarts, or Redis shared by replicas. Default: a temporary SQLite file, deleted at exit.")
@click.option("--admin-token", help="Required as X-Mock-Admin-Token by /__mock/ (env CAMPAIGN_MOCK_ADMIN_TOKEN). Without it only loopback clients may use /__mock/.")
@click.option("--read-only-admin", is_flag=True, default=None, help="The admin API and the console (/__mock/ui/) show state but refuse every change (env CAMPAIGN_MOCK_READ_ONLY_ADMIN=1).")
@click.option("--access-log", is_flag=True, help="One JSON line per vendor request on stderr (namespace, operation, status, error, latency).")
def serve(host: str, port: int, seed: int, scenarios: tuple[Path, ...], chains: int, users_per_chain: int, merchants: int, workers: int, threads: int, max_delays: int, max_connections: int, header_timeout: float, state: str | None, admin_token: str | None, read_only_admin: bool | None, access_log: bool) -> None:
    """Serve both vendor APIs over the world for SEED (default: the built-in default world)."""
    from campaign_mock.server.config import TUNING, ServerConfig
    from campaign_mock.server.run import run

    # The tuning, and the admin token and read-only flag where no option gives them, come from
    # CAMPAIGN_MOCK_* (a bad value is refused naming its variable).
    environment = ServerConfig.from_environment(only=(*TUNING, "admin_token", "read_only_admin"))
    config = replace(
        environment,
        seed=seed, scenarios=tuple(str(p) for p in scenarios), chains=chains, users_per_chain=users_per_chain, merchants=merchants,
        max_delays=max_delays, state=state, admin_token=admin_token or environment.admin_token,
        read_only_admin=environment.read_only_admin if read_only_admin is None else read_only_admin, access_log=access_log,
    )
    run(host, port, config, workers, threads, max_connections, header_timeout)


def _stop(signum, frame) -> None:
    raise SystemExit(128 + signum)


@main.command()
@_seed
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Directory to write (created if missing).")
@_scenario
@_world_size
def fixtures(seed: int, out: Path, scenarios: tuple[Path, ...], chains: int, users_per_chain: int, merchants: int) -> None:
    """Write the world as response fixtures plus manifest.json (which request each file answers)."""
    from tqdm import tqdm

    from campaign_mock.scenario import load_scenarios
    from campaign_mock.world.fixtures import write_fixtures
    from campaign_mock.world.specs import WorldSize

    # The same checks as serve's and the admin API's, for the world these options generate.
    loaded = load_scenarios([str(p) for p in scenarios], size=WorldSize(chains=chains, users_per_chain=users_per_chain, merchants=merchants))
    # SIGTERM (a CI timeout, `docker stop`) and SIGHUP end the run as Ctrl-C does: the
    # half-built tree beside --out is removed and the earlier fixtures stay as they were.
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _stop)

    def bar(items, total):
        return tqdm(items, total=total, unit="chain", disable=None, file=sys.stderr)

    stats = write_fixtures(out, seed, loaded, chains=chains, users_per_chain=users_per_chain, merchants=merchants, progress=bar)
    click.echo(f"wrote {stats.files} files for {stats.chains} chains and {stats.campaigns} campaigns to {out}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--operation", help="operationId in openapi.yaml (e.g. getCampaigns); default: inferred from each body.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="text: a line per violation; json: one object for CI (each file's schema, violations and whether it was unreadable; the totals).")
def validate(files: tuple[Path, ...], operation: str | None, output_format: str) -> None:
    """Check captured JSON responses against the contract; print each violation with its
    JSON path and schema rule. Exit 1 if any file violates it, 2 if any cannot be read."""
    from campaign_mock.contract.validate import check_file, operation_ids

    if operation and operation not in operation_ids():
        raise click.BadParameter(f"no operation {operation!r} in openapi.yaml; choose one of {', '.join(operation_ids())}", param_hint="--operation")
    reports = []
    for path in files:  # one at a time, printed as checked: one bad capture hides nothing
        report = check_file(path, operation)
        reports.append(report)
        if output_format == "json":
            continue
        if report.unreadable:
            click.echo(f"{path}: cannot check: {report.unreadable}", err=True)
        elif report.violations:
            click.echo(f"{path}: {len(report.violations)} violation(s) of {report.schema}")
            for v in report.violations:
                click.echo(f"  {v}")
        else:
            click.echo(f"{path}: ok ({report.schema})")
    if output_format == "json":
        click.echo(json.dumps({
            "files": [
                {"path": str(r.path), "schema": r.schema, "ok": not r.unreadable and not r.violations, "unreadable": r.unreadable,
                 "violations": [{"path": v.path, "message": v.message, "rule": v.rule} for v in r.violations]}
                for r in reports
            ],
            "violations": sum(len(r.violations) for r in reports),
            "unreadable": sum(bool(r.unreadable) for r in reports),
        }, indent=2))
    sys.exit(2 if any(r.unreadable for r in reports) else 1 if any(r.violations for r in reports) else 0)


@main.command()
@click.option("--url", required=True, help="The running mock, e.g. http://127.0.0.1:8080.")
@click.option("--namespace", help="One namespace's coverage (default: every namespace together).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of a table.")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="N", help="Exit 1 if coverage is below N percent.")
@click.option("--admin-token", help="X-Mock-Admin-Token, if the mock was started with one (env CAMPAIGN_MOCK_ADMIN_TOKEN).")
def coverage(url: str, namespace: str | None, as_json: bool, fail_under: float | None, admin_token: str | None) -> None:
    """Business coverage of a running mock's journal: which documented operations, errors,
    campaign types, user_progress formats, representations and API versions the requests
    reached. For clients in any language: run their tests against the mock, then this."""
    import json

    from campaign_mock.client import MockClient
    from campaign_mock.environment import env_str
    from campaign_mock.runtime.coverage import format_table

    report = MockClient(url, namespace or "default", admin_token or env_str(os.environ, "CAMPAIGN_MOCK_ADMIN_TOKEN")).coverage(all_namespaces=namespace is None)
    click.echo(json.dumps(report, indent=2) if as_json else "\n".join(format_table(report)))
    if fail_under is not None and report["percent"] < fail_under:
        click.echo(f"campaign-mock: business coverage {report['percent']}% is under {fail_under:g}%", err=True)
        sys.exit(1)


main.add_command(check_command)  # defined beside the checker it drives
