"""Writes a world as response fixtures: one JSON file per response the mock would give, and
a manifest saying which request each file answers (into a directory kept safe by
fixture_dir.py).

Chains are generated, written and dropped one at a time, and the manifest is streamed, so
memory stays flat however large the world. Same seed and scenarios: same bytes."""

from __future__ import annotations

import errno
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from campaign_mock.contract.catalogue import LEVELUP_ERRORS, spaaza_errors
from campaign_mock.contract.facts import CURRENT_COUNT_FROM, EXCLUDE_INACTIVE_BY_DEFAULT_FROM, MANAGE_USER_CAMPAIGNS, parse_version
from campaign_mock.contract.operations import levelup_path
from campaign_mock.exceptions import CampaignMockError
from campaign_mock.world import documented
from campaign_mock.world.build import DEFAULT_CHAINS, DEFAULT_CLOCK, DEFAULT_LEVELUP_USERS, DEFAULT_MERCHANTS, DEFAULT_USERS_PER_CHAIN, build_levelup, chain_specs, iter_chains, refuse_inconsistent, spaaza_world
from campaign_mock.world.domain import CURRENCIES, is_active
from campaign_mock.world.fixture_dir import Manifest, fresh_tree, prepare_out, swap_in
from campaign_mock.world.model import LevelUpWorld, SpaazaSession, SpaazaWorld, World
from campaign_mock.world.providers import json_bytes, name_data
from campaign_mock.world.spaaza import ChainParts
from campaign_mock.world.specs import Scenario, merged_clock
from campaign_mock.world.views import CampaignQuery, get_campaign, get_campaigns, levelup_body

# One version per body the docs say differs: just before 1.4.11 (inactive campaigns shown),
# 1.4.11 (hidden by default), 1.5.0 (item_purchase_count carries current_count).
_BEFORE_EXCLUDE = (EXCLUDE_INACTIVE_BY_DEFAULT_FROM[0], EXCLUDE_INACTIVE_BY_DEFAULT_FROM[1], EXCLUDE_INACTIVE_BY_DEFAULT_FROM[2] - 1)
_VERSIONS = (_BEFORE_EXCLUDE, EXCLUDE_INACTIVE_BY_DEFAULT_FROM, CURRENT_COUNT_FROM)
API_VERSIONS = tuple(".".join(map(str, v)) for v in _VERSIONS)


@dataclass(frozen=True)
class FixtureStats:
    chains: int = 0
    campaigns: int = 0
    files: int = 0


def _dump(path: Path, body) -> bytes:
    # The server's exact bytes (compact JSON, C-accelerated: indenting is 3x slower).
    written = json_bytes(body)
    _write_new(path, written)
    return written


def _write_new(path: Path, data: bytes) -> None:
    # Only ever into our own fresh tree: exclusive create, so nothing there is overwritten.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as stream:
        stream.write(data)


def _session_headers(session: SpaazaSession, version: str, hostname: str | None = None) -> dict:
    headers = {"X-Spaaza-Session-User-Id": str(session.user_id), "X-Spaaza-Session-Key": session.key, "X-Spaaza-API-Version": version}
    if hostname:
        headers["X-Spaaza-MyPrice-App-Hostname"] = hostname
    return headers


def _chain_world(seed: int, clock: datetime, parts: ChainParts) -> World:
    return World(seed=seed, clock=clock, spaaza=spaaza_world([parts], whole=False), levelup=LevelUpWorld({}, {}, {}))


_NO_SPAAZA = SpaazaWorld({}, {}, CURRENCIES, {}, {}, {}, {})


def _write_chain(out: Path, manifest: Manifest, world: World, parts: ChainParts) -> int:
    chain = parts.chain
    admins = [s for s in world.spaaza.sessions.values() if s.role == "admin" and chain.id in s.chain_ids]
    admin = next((s for s in admins if s.user_id == documented.ADMIN_USER_ID), admins[0])  # the documented one where there is one
    app = parts.apps[0]
    sessions = {s.user_id: s for s in parts.sessions}
    written = 0
    for api, v in zip(_VERSIONS, API_VERSIONS):
        query = CampaignQuery(version=api)
        file = f"spaaza/chain-{chain.id}/get-campaigns/admin/v{v}.json"
        data = _dump(out / file, get_campaigns(world, chain, query))
        manifest.add(file, data, 200, "GET", "/get-campaigns", {"chain_id": str(chain.id)}, _session_headers(admin, v))
        written += 1
        for user in parts.users:
            body = get_campaigns(world, chain, CampaignQuery(version=query.version, user_id=user.user_id))
            file = f"spaaza/chain-{chain.id}/get-campaigns/user-{user.user_id}/v{v}.json"
            data = _dump(out / file, body)
            # The same body answers the admin asking for the user and the user's own session.
            manifest.add(file, data, 200, "GET", "/get-campaigns", {"chain_id": str(chain.id), "user_id": str(user.user_id)}, _session_headers(admin, v))
            manifest.add(file, data, 200, "GET", "/get-campaigns", {"chain_id": str(chain.id)}, _session_headers(sessions[user.user_id], v, app.hostname))
            written += 1
    if chain.id == documented.CHAIN_ID:
        written += _write_documented_request(out, manifest, world, chain, admin)
    current = API_VERSIONS[-1]
    for campaign in chain.campaigns:
        if not is_active(campaign, world.clock):
            continue  # get-campaign answers 449; see spaaza/errors/
        file = f"spaaza/chain-{chain.id}/get-campaign/{campaign['id']}.json"
        data = _dump(out / file, get_campaign(world, campaign, CampaignQuery(version=_VERSIONS[-1])))
        manifest.add(file, data, 200, "GET", "/get-campaign", {"campaign_id": str(campaign["id"])}, _session_headers(admin, current))
        written += 1
        # Older versions only where the body differs (item_purchase_count without current_count):
        # one file per distinct body, named by the newest version that gives it.
        files = {data: file}
        for api, v in reversed(list(zip(_VERSIONS[:-1], API_VERSIONS[:-1]))):
            older = json_bytes(get_campaign(world, campaign, CampaignQuery(version=api)))
            if files.get(older) == file:
                continue
            if older not in files:
                files[older] = f"spaaza/chain-{chain.id}/get-campaign/{campaign['id']}-v{v}.json"
                _write_new(out / files[older], older)
                written += 1
            manifest.add(files[older], older, 200, "GET", "/get-campaign", {"campaign_id": str(campaign["id"])}, _session_headers(admin, v))
    return written


def _write_documented_request(out: Path, manifest: Manifest, world: World, chain, admin: SpaazaSession) -> int:
    """The vendor's own example request, as the docs send it (chain 1743, the alias)."""
    file = f"spaaza/chain-{chain.id}/get-campaigns/documented-request.json"
    api = parse_version(documented.API_VERSION)
    assert api is not None, documented.API_VERSION
    query = CampaignQuery(version=api, exclude_inactive=False)
    data = _dump(out / file, get_campaigns(world, chain, query))
    manifest.add(file, data, 200, "GET", "/internal/get-campaigns", {"chain_id": str(documented.CHAIN_ALIAS), "exclude_inactive": "false"}, _session_headers(admin, documented.API_VERSION))
    return 1


def _write_levelup(out: Path, manifest: Manifest, world: World) -> int:
    written = 0
    tokens = sorted(world.levelup.tokens.values(), key=lambda t: t.user_id)
    for token in tokens:
        if MANAGE_USER_CAMPAIGNS not in token.permissions:
            continue
        bodies: dict[tuple[int, str], bytes] = {}  # this token's, for the alias entries below
        for cid in sorted(world.levelup.campaigns):
            campaign = world.levelup.campaigns[cid]
            for rep in campaign.bodies:
                file = f"levelup/user-{token.user_id}/campaign-{cid}/{rep}.json"
                bodies[cid, rep] = _dump(out / file, levelup_body(world, campaign, rep, token.user_id))
                manifest.add(file, bodies[cid, rep], 200, "GET", levelup_path(cid, rep), {}, {"Authorization": f"token {token.token}"})
                written += 1
        for (alias, rep), cid in sorted(world.levelup.aliases.items()):
            # The same file answers the documented request on the alias id.
            manifest.add(f"levelup/user-{token.user_id}/campaign-{cid}/{rep}.json", bodies[cid, rep], 200, "GET", levelup_path(alias, rep), {}, {"Authorization": f"token {token.token}"})
    return written


def _write_errors(out: Path, manifest: Manifest) -> int:
    """Every documented error body, for clients' error-path tests; the request that
    produces each is in the README, so the manifest gives the forced-error header."""
    for spaaza in spaaza_errors().values():
        file = f"spaaza/errors/{spaaza.code}-{spaaza.name}.json"
        data = _dump(out / file, spaaza.body())
        manifest.add(file, data, spaaza.http_status, "GET", "/get-campaigns", {"chain_id": str(documented.CHAIN_ID)}, {"X-Mock-Error": str(spaaza.code)})
    for levelup in LEVELUP_ERRORS.values():
        file = f"levelup/errors/{levelup.key}.json"
        data = _dump(out / file, levelup.body())
        manifest.add(file, data, levelup.http_status, "GET", levelup_path(20, "basic_v1"), {}, {"X-Mock-Error": levelup.key})
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
    """Writes the world for `seed` to `out`: built beside it and renamed into place, so a failed
    run leaves `out` as it was. `out` must be missing, an empty directory or earlier fixtures
    exactly as their manifest lists them (world/fixture_dir.py); anything else is refused before
    anything is written. `progress(chains, total)` wraps the chain loop (the CLI passes a
    progress bar)."""
    clock = merged_clock(scenarios) or DEFAULT_CLOCK
    specs = chain_specs(chains, users_per_chain, scenarios)
    # Nothing is written unless the scenarios' world is consistent: only the chains they touch
    # can break a rule (the generator keeps the rest by construction).
    touched = {c.id for s in scenarios for c in s.chains}
    for parts in iter_chains(seed, clock, {cid: specs[cid] for cid in touched}):
        refuse_inconsistent(_chain_world(seed, clock, parts), scenarios)
    levelup = build_levelup(seed, clock, merchants, levelup_users, scenarios)
    refuse_inconsistent(World(seed=seed, clock=clock, spaaza=_NO_SPAAZA, levelup=levelup), scenarios)
    prepare_out(out)  # refused before anything is written
    header = {
        "seed": seed,
        "clock": clock.isoformat(),
        # File names, not paths: the same scenarios give the same bytes wherever they live.
        "scenarios": [Path(s.source).name for s in scenarios],
        "generator": {"campaign-mock": version("campaign-mock"), "faker": name_data().faker},
    }
    try:
        with fresh_tree(out) as tree:
            with open(tree / "manifest.json", "x", encoding="utf-8") as stream:
                manifest = Manifest(stream, header)
                files = campaigns = 0
                for parts in (progress or (lambda it, total: it))(iter_chains(seed, clock, specs), len(specs)):
                    world = _chain_world(seed, clock, parts)
                    files += _write_chain(tree, manifest, world, parts)
                    campaigns += len(parts.chain.campaigns)
                files += _write_levelup(tree, manifest, World(seed=seed, clock=clock, spaaza=_NO_SPAAZA, levelup=levelup))
                files += _write_errors(tree, manifest)
                manifest.close()
            swap_in(tree, out)
    except OSError as e:
        hint = "; is --out a mount point? give a folder inside it" if e.errno in (errno.EBUSY, errno.EXDEV) else ""
        raise CampaignMockError(f"{out}: {e.strerror or e}{hint}; the earlier contents are unchanged") from None
    return FixtureStats(chains=len(specs), campaigns=campaigns, files=files)
