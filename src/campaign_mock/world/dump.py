"""Writes a world as response fixtures: one JSON file per response the mock would give, and
a manifest saying which request each file answers.

Chains are generated, written and dropped one at a time, and the manifest is streamed, so
memory stays flat however large the world. Same seed and scenarios: same bytes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import IO, Callable, Iterable, Iterator, Sequence

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, spaaza_errors
from campaign_mock.contract.facts import CURRENT_COUNT_FROM, EXCLUDE_INACTIVE_BY_DEFAULT_FROM, parse_version
from campaign_mock.exceptions import CampaignMockError
from campaign_mock.world import documented
from campaign_mock.world.build import DEFAULT_CHAINS, DEFAULT_CLOCK, DEFAULT_LEVELUP_USERS, DEFAULT_MERCHANTS, DEFAULT_USERS_PER_CHAIN, build_levelup, chain_specs, iter_chains, refuse_inconsistent, spaaza_world
from campaign_mock.world.levelup import MANAGE_USER_CAMPAIGNS
from campaign_mock.world.model import LevelUpWorld, SpaazaSession, SpaazaWorld, World
from campaign_mock.world.providers import json_bytes
from campaign_mock.world.scenario import Scenario, merged_clock
from campaign_mock.world.spaaza import CURRENCIES, ChainParts, is_active
from campaign_mock.world.views import CampaignQuery, get_campaign, get_campaigns, levelup_body

# One version per body the docs say differs: just before 1.4.11 (inactive campaigns shown),
# 1.4.11 (hidden by default), 1.5.0 (item_purchase_count carries current_count).
_BEFORE_EXCLUDE = (*EXCLUDE_INACTIVE_BY_DEFAULT_FROM[:2], EXCLUDE_INACTIVE_BY_DEFAULT_FROM[2] - 1)
API_VERSIONS = tuple(".".join(map(str, v)) for v in (_BEFORE_EXCLUDE, EXCLUDE_INACTIVE_BY_DEFAULT_FROM, CURRENT_COUNT_FROM))


@dataclass(frozen=True)
class FixtureStats:
    chains: int = 0
    campaigns: int = 0
    files: int = 0


def _dump(path: Path, body) -> bytes:
    # The server's exact bytes (compact JSON, C-accelerated: indenting is 3x slower).
    path.parent.mkdir(parents=True, exist_ok=True)
    written = json_bytes(body)
    path.write_bytes(written)
    return written


class _Manifest:
    """manifest.json, written entry by entry."""

    def __init__(self, stream: IO[str], header: dict):
        self.stream = stream
        self.count = 0
        head = json.dumps(header, indent=2, ensure_ascii=False)
        stream.write(head[:-2] + ',\n  "files": [')

    def add(self, file: str, status: int, method: str, path: str, query: dict, headers: dict) -> None:
        entry = {"file": file, "status": status, "request": {"method": method, "path": path, "query": query, "headers": headers}}
        self.stream.write(("," if self.count else "") + "\n    " + json.dumps(entry, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        self.stream.write("\n  ]\n}\n")


def prepare_out(out: Path) -> None:
    """Make `out` ready: new or empty, or an earlier fixtures directory whose listed files are
    removed first so that none is left stale. Anything else is refused, never overwritten."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        if not any(out.iterdir()):
            return
        manifest = out / "manifest.json"
        if not manifest.is_file():
            raise CampaignMockError(f"{out} is not empty and holds no manifest.json; write fixtures to a new or empty directory, or over earlier fixtures")
        try:
            listed = [entry["file"] for entry in json.loads(manifest.read_bytes())["files"]]
        except (ValueError, KeyError, TypeError) as e:
            raise CampaignMockError(f"{manifest}: not a fixtures manifest ({e}); remove it or choose another directory") from None
        root = out.resolve()
        for name in listed:
            path = (out / name).resolve()
            if path.is_relative_to(root) and path.is_file():
                path.unlink()
        manifest.unlink()
        for directory in sorted((d for d in out.rglob("*") if d.is_dir()), key=lambda d: len(d.parts), reverse=True):
            if not any(directory.iterdir()):
                directory.rmdir()
    except OSError as e:
        raise CampaignMockError(f"{out}: {e.strerror or e}") from None


def _session_headers(session: SpaazaSession, version: str, hostname: str | None = None) -> dict:
    headers = {"X-Spaaza-Session-User-Id": str(session.user_id), "X-Spaaza-Session-Key": session.key, "X-Spaaza-API-Version": version}
    if hostname:
        headers["X-Spaaza-MyPrice-App-Hostname"] = hostname
    return headers


def _chain_world(seed: int, clock: datetime, parts: ChainParts) -> World:
    return World(seed=seed, clock=clock, spaaza=spaaza_world([parts], whole=False), levelup=LevelUpWorld({}, {}, {}))


_NO_SPAAZA = SpaazaWorld({}, {}, CURRENCIES, {}, {}, {}, {})


def _write_chain(out: Path, manifest: _Manifest, world: World, parts: ChainParts) -> int:
    chain = parts.chain
    admins = [s for s in world.spaaza.sessions.values() if s.role == "admin" and chain.id in s.chain_ids]
    admin = next((s for s in admins if s.user_id == documented.ADMIN_USER_ID), admins[0])  # the documented one where there is one
    app = parts.apps[0]
    sessions = {s.user_id: s for s in parts.sessions}
    written = 0
    for v in API_VERSIONS:
        query = CampaignQuery(version=parse_version(v))
        file = f"spaaza/chain-{chain.id}/get-campaigns/admin/v{v}.json"
        _dump(out / file, get_campaigns(world, chain, query))
        manifest.add(file, 200, "GET", "/get-campaigns", {"chain_id": str(chain.id)}, _session_headers(admin, v))
        written += 1
        for user in parts.users:
            body = get_campaigns(world, chain, CampaignQuery(version=query.version, user_id=user.user_id))
            file = f"spaaza/chain-{chain.id}/get-campaigns/user-{user.user_id}/v{v}.json"
            _dump(out / file, body)
            # The same body answers the admin asking for the user and the user's own session.
            manifest.add(file, 200, "GET", "/get-campaigns", {"chain_id": str(chain.id), "user_id": str(user.user_id)}, _session_headers(admin, v))
            manifest.add(file, 200, "GET", "/get-campaigns", {"chain_id": str(chain.id)}, _session_headers(sessions[user.user_id], v, app.hostname))
            written += 1
    if chain.id == documented.CHAIN_ID:
        written += _write_documented_request(out, manifest, world, chain, admin)
    current = API_VERSIONS[-1]
    for campaign in chain.campaigns:
        if not is_active(campaign, world.clock):
            continue  # get-campaign answers 449; see spaaza/errors/
        file = f"spaaza/chain-{chain.id}/get-campaign/{campaign['id']}.json"
        body = _dump(out / file, get_campaign(world, campaign, CampaignQuery(version=parse_version(current))))
        manifest.add(file, 200, "GET", "/get-campaign", {"campaign_id": str(campaign["id"])}, _session_headers(admin, current))
        written += 1
        # Older versions only where the body differs (item_purchase_count without current_count):
        # one file per distinct body, named by the newest version that gives it.
        files = {body: file}
        for v in reversed(API_VERSIONS[:-1]):
            older = json_bytes(get_campaign(world, campaign, CampaignQuery(version=parse_version(v))))
            if files.get(older) == file:
                continue
            if older not in files:
                files[older] = f"spaaza/chain-{chain.id}/get-campaign/{campaign['id']}-v{v}.json"
                (out / files[older]).write_bytes(older)
                written += 1
            manifest.add(files[older], 200, "GET", "/get-campaign", {"campaign_id": str(campaign["id"])}, _session_headers(admin, v))
    return written


def _write_documented_request(out: Path, manifest: _Manifest, world: World, chain, admin: SpaazaSession) -> int:
    """The vendor's own example request, as the docs send it (chain 1743, the alias)."""
    file = f"spaaza/chain-{chain.id}/get-campaigns/documented-request.json"
    query = CampaignQuery(version=parse_version(documented.API_VERSION), exclude_inactive=False)
    _dump(out / file, get_campaigns(world, chain, query))
    manifest.add(file, 200, "GET", "/internal/get-campaigns", {"chain_id": str(documented.CHAIN_ALIAS), "exclude_inactive": "false"}, _session_headers(admin, documented.API_VERSION))
    return 1


def _write_levelup(out: Path, manifest: _Manifest, world: World) -> int:
    written = 0
    tokens = sorted(world.levelup.tokens.values(), key=lambda t: t.user_id)
    for token in tokens:
        if MANAGE_USER_CAMPAIGNS not in token.permissions:
            continue
        for cid in sorted(world.levelup.campaigns):
            campaign = world.levelup.campaigns[cid]
            for rep in campaign.bodies:
                file = f"levelup/user-{token.user_id}/campaign-{cid}/{rep}.json"
                _dump(out / file, levelup_body(world, campaign, rep, token.user_id))
                manifest.add(file, 200, "GET", f"/v15/campaigns/{cid}/{rep}", {}, {"Authorization": f"token {token.token}"})
                written += 1
        for (alias, rep), cid in sorted(world.levelup.aliases.items()):
            # The same file answers the documented request on the alias id.
            manifest.add(f"levelup/user-{token.user_id}/campaign-{cid}/{rep}.json", 200, "GET", f"/v15/campaigns/{alias}/{rep}", {}, {"Authorization": f"token {token.token}"})
    return written


def _write_errors(out: Path, manifest: _Manifest) -> int:
    """Every documented error body, for clients' error-path tests; the request that
    produces each is in the README, so the manifest gives the forced-error header."""
    for error in spaaza_errors().values():
        file = f"spaaza/errors/{error.code}-{error.name}.json"
        _dump(out / file, error.body())
        manifest.add(file, error.http_status, "GET", "/get-campaigns", {"chain_id": str(documented.CHAIN_ID)}, {"X-Mock-Error": str(error.code)})
    for error in LEVELUP_ERRORS.values():
        file = f"levelup/errors/{error.key}.json"
        _dump(out / file, error.body())
        manifest.add(file, error.http_status, "GET", "/v15/campaigns/20/basic_v1", {}, {"X-Mock-Error": error.key})
    return len(spaaza_errors()) + len(LEVELUP_ERRORS)


def write_fixtures(
    out: Path,
    seed: int = 0,
    scenarios: Sequence[Scenario] = (),
    *,
    chains: int = DEFAULT_CHAINS,
    users_per_chain: int = DEFAULT_USERS_PER_CHAIN,
    merchants: int = DEFAULT_MERCHANTS,
    levelup_users: int = DEFAULT_LEVELUP_USERS,
    progress: Callable[[Iterator[ChainParts], int], Iterable[ChainParts]] | None = None,
) -> FixtureStats:
    """Writes the world for `seed` under `out`. `progress(chains, total)` wraps the chain
    loop (the CLI passes a progress bar)."""
    clock = merged_clock(scenarios) or DEFAULT_CLOCK
    specs = chain_specs(chains, users_per_chain, scenarios)
    # Nothing is written unless the scenarios' world is consistent: only the chains they touch
    # can break a rule (the generator keeps the rest by construction).
    touched = {c.id for s in scenarios for c in s.chains}
    for parts in iter_chains(seed, clock, {cid: specs[cid] for cid in touched}):
        refuse_inconsistent(_chain_world(seed, clock, parts), scenarios)
    levelup = build_levelup(seed, clock, merchants, levelup_users, scenarios)
    refuse_inconsistent(World(seed=seed, clock=clock, spaaza=_NO_SPAAZA, levelup=levelup), scenarios)
    prepare_out(out)
    header = {
        "seed": seed,
        "clock": clock.isoformat(),
        # File names, not paths: the same scenarios give the same bytes wherever they live.
        "scenarios": [Path(s.source).name for s in scenarios],
        "generator": {"campaign-mock": version("campaign-mock"), "faker": version("faker")},
    }
    with open(out / "manifest.json", "w", encoding="utf-8") as stream:
        manifest = _Manifest(stream, header)
        files = campaigns = 0
        for parts in (progress or (lambda it, total: it))(iter_chains(seed, clock, specs), len(specs)):
            world = _chain_world(seed, clock, parts)
            files += _write_chain(out, manifest, world, parts)
            campaigns += len(parts.chain.campaigns)
        files += _write_levelup(out, manifest, World(seed=seed, clock=clock, spaaza=_NO_SPAAZA, levelup=levelup))
        files += _write_errors(out, manifest)
        manifest.close()
    return FixtureStats(chains=len(specs), campaigns=campaigns, files=files)
