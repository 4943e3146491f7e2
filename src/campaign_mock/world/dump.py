"""Writes a world as response fixtures: one JSON file per response the mock would give, and
a manifest saying which request each file answers.

Chains are generated, written and dropped one at a time, and the manifest is streamed, so
memory stays flat however large the world. Same seed and scenarios: same bytes."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
from contextlib import contextmanager
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
from campaign_mock.world.providers import json_bytes, name_data
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
    written = json_bytes(body)
    _write_new(path, written)
    return written


def _write_new(path: Path, data: bytes) -> None:
    # Only ever into our own fresh tree: exclusive create, so nothing there is overwritten.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as stream:
        stream.write(data)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class _Manifest:
    """manifest.json, written entry by entry, one a line (_manifest_entries reads it back line by
    line: neither holds the whole text in memory)."""

    def __init__(self, stream: IO[str], header: dict):
        self.stream = stream
        self.count = 0
        head = json.dumps(header, indent=2, ensure_ascii=False)
        stream.write(head[:-2] + ",\n" + _FILES_LINE)

    def add(self, file: str, data: bytes, status: int, method: str, path: str, query: dict, headers: dict) -> None:
        """`data`: the file's bytes, for its sha256 (how a later run knows the file is ours)."""
        if not _FIXTURE_NAME.fullmatch(file):
            raise AssertionError(f"{file}: not a fixture name _FIXTURE_NAME allows; a later run would refuse these fixtures")
        entry = {"file": file, "sha256": _sha(data), "status": status, "request": {"method": method, "path": path, "query": query, "headers": headers}}
        self.stream.write(("," if self.count else "") + "\n    " + json.dumps(entry, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        self.stream.write("\n  ]\n}\n")


_FILES_LINE = '  "files": ['
# Every name a fixture file may have (what _write_chain, _write_levelup and _write_errors write;
# _Manifest.add holds them to it). A later run deletes earlier fixtures only under these names,
# so no manifest, however forged, can make it delete a file of the user's own (notes.txt, a
# .csv, anything outside spaaza/ and levelup/).
_ID = r"-?[0-9]+"
_VERSION = r"v[0-9]+\.[0-9]+\.[0-9]+"
_FIXTURE_NAME = re.compile(
    rf"spaaza/chain-{_ID}/get-campaigns/(?:admin|user-{_ID})/{_VERSION}\.json"
    rf"|spaaza/chain-{_ID}/get-campaigns/documented-request\.json"
    rf"|spaaza/chain-{_ID}/get-campaign/{_ID}(?:-{_VERSION})?\.json"
    rf"|spaaza/errors/[0-9]+-[a-z0-9_]+\.json"
    rf"|levelup/user-{_ID}/campaign-{_ID}/[a-z0-9_]+\.json"
    r"|levelup/errors/[a-z0-9_]+\.json"
)
_MAX_MANIFEST_LINE = 1 << 20  # ours are < 1 KB; a longer line is not ours
_MAX_DEPTH = 8  # folders under --out; ours go 4 deep


def _not_ours(out: Path, why: str) -> CampaignMockError:
    return CampaignMockError(
        f"{out}: {why}; --out must be missing, an empty directory, or earlier fixtures exactly as their manifest.json lists them "
        "(choose another directory, or remove it yourself)"
    )


def _manifest_entries(out: Path) -> dict[str, str]:
    """file -> sha256 from an earlier manifest.json, read line by line as _Manifest writes it;
    anything else is not ours."""
    try:
        # Never follow a symlink, never wait on a pipe.
        fd = os.open(out / "manifest.json", os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise _not_ours(out, "is not empty and holds no manifest.json (or a symlink in its place)") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _not_ours(out, "manifest.json is not a regular file")
    with open(fd, "r", encoding="utf-8", errors="strict") as text:
        def line() -> str:
            got = text.readline(_MAX_MANIFEST_LINE)
            if len(got) >= _MAX_MANIFEST_LINE:
                raise _not_ours(out, "manifest.json has a line longer than campaign-mock writes")
            return got

        try:
            head = []
            while (got := line()) and got.rstrip("\n") != _FILES_LINE:
                head.append(got)
                if len(head) > 100:
                    break
            header = json.loads("".join(head).rstrip().rstrip(",") + "}") if got else None
            if not isinstance(header, dict) or not isinstance(header.get("generator"), dict) or not isinstance(header["generator"].get("campaign-mock"), str):
                raise _not_ours(out, "manifest.json was not written by campaign-mock")
            files: dict[str, str] = {}
            while (got := line().rstrip("\n")) != "  ]":
                entry = json.loads(got.rstrip(",")) if got.startswith("    {") else None
                file, sha = (entry.get("file"), entry.get("sha256")) if isinstance(entry, dict) else (None, None)
                if not isinstance(file, str) or not isinstance(sha, str) or files.setdefault(file, sha) != sha:
                    raise _not_ours(out, f"manifest.json: line {len(head) + len(files) + 2} is not a fixtures entry with a file and its sha256")
                if not _FIXTURE_NAME.fullmatch(file):
                    raise _not_ours(out, f"manifest.json lists {file[:80]!r}, a name campaign-mock never gives a fixture file")
            if line() != "}\n" or line() != "":
                raise _not_ours(out, "manifest.json does not end as campaign-mock writes it")
        except (ValueError, UnicodeDecodeError) as e:
            raise _not_ours(out, f"manifest.json is not a campaign-mock manifest ({str(e)[:80]})") from None
    return files


def _check_owned(out: Path) -> dict[str, str]:
    """Refuses unless every entry under `out` is a regular file or a directory (no symlink, no
    pipe), every file but manifest.json is listed with its sha256, and every listed file exists:
    then the tree is exactly what an earlier run wrote, and replacing it loses nothing."""
    listed = _manifest_entries(out)
    found = 0

    def walk(directory: Path, prefix: str) -> None:
        nonlocal found
        before = found
        if prefix.count("/") > _MAX_DEPTH:
            raise _not_ours(out, f"{prefix} is nested deeper than fixtures are")
        with os.scandir(directory) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    walk(Path(entry.path), name + "/")
                    continue
                if not entry.is_file(follow_symlinks=False):
                    raise _not_ours(out, f"{name} is not a regular file (a symlink or special file)")
                if name == "manifest.json":
                    continue
                if name not in listed:
                    raise _not_ours(out, f"{name} is not listed in manifest.json")
                digest = hashlib.sha256()
                with open(entry.path, "rb") as stream:
                    while chunk := stream.read(1 << 16):
                        digest.update(chunk)
                if digest.hexdigest() != listed[name]:
                    raise _not_ours(out, f"{name} has changed since campaign-mock wrote it (its sha256 differs from the manifest's)")
                found += 1
        if found == before and prefix:
            raise _not_ours(out, f"{prefix} is a folder with no listed file")

    walk(out, "")
    if found != len(listed):
        raise _not_ours(out, f"{len(listed) - found} file(s) manifest.json lists are missing")
    return listed


def _replaceable(out: Path) -> bool:
    """Whether `out` exists (an empty directory or earlier fixtures, checked); refuses anything
    else before anything is written."""
    if out.name in ("", ".", ".."):
        raise CampaignMockError(
            f"{out}: name the directory itself (e.g. --out ../{Path.cwd().name if out.name != '..' else 'fixtures'}), not . or .. or /: "
            "fixtures are built beside it and renamed into place"
        )
    try:
        st = out.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(st.st_mode):
        raise CampaignMockError(f"{out}: is a symlink; give the directory it points to (fixtures never follow a symlink)")
    if not stat.S_ISDIR(st.st_mode):
        raise CampaignMockError(f"{out}: exists and is not a directory")
    if any(out.iterdir()):
        _check_owned(out)
    return True


@contextmanager
def _fresh_tree(out: Path) -> Iterator[Path]:
    """A new private directory beside `out` (same filesystem, so it can be renamed into place)
    to build the fixtures in; removed if the build fails, so a failed run changes nothing."""
    parent = out.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    while True:
        tree = parent / f".{out.name}.campaign-mock-{secrets.token_hex(4)}"
        try:
            tree.mkdir()  # exclusive: never a directory anyone else made
            break
        except FileExistsError:
            continue
    try:
        yield tree
    except BaseException:
        shutil.rmtree(tree, ignore_errors=True)
        raise


_STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C, SIGTERM (a CI timeout, `docker stop`) and SIGHUP wait until the block ends, so
    the swap is never cut between moving the earlier fixtures aside and the new ones in."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextmanager
def _beside_out_locked(out: Path) -> Iterator[None]:
    """Runs writing into the same --out take turns to check it and swap: without this, one
    run's check could read the other's half-swapped folder (refused as edited, or missing).
    The lock is on the folder holding --out (flock: released when the process ends)."""
    try:
        import fcntl
    except ImportError:  # Windows: no flock
        yield
        return
    try:
        fd = os.open(out.absolute().parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except FileNotFoundError:
        yield  # nothing there yet to check or swap
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _swap_in(tree: Path, out: Path) -> None:
    with _signals_held(), _beside_out_locked(out):
        _swap(tree, out)


def _swap(tree: Path, out: Path) -> None:
    """Moves the finished `tree` to `out`. Earlier fixtures are moved aside first and deleted
    only file by file as listed (a file that appeared meanwhile keeps its folder)."""
    # What is there now, checked as at the start: another run may have written or removed it.
    if not _replaceable(out) or not any(out.iterdir()):
        tree.rename(out)  # replaces an empty directory; fails, changing nothing, if it is not
        return
    listed = _check_owned(out)  # again, just before: nothing the user added since is touched
    old = tree.with_name(tree.name + "-old")
    out.rename(old)
    try:
        tree.rename(out)
    except OSError:
        old.rename(out)
        raise
    try:
        for name in (*listed, "manifest.json"):
            (old / name).unlink(missing_ok=True)
    except OSError:
        pass
    folders = {old / folder for name in listed for folder in Path(name).parents}
    for folder in sorted(folders, key=lambda d: len(d.parts), reverse=True):
        try:
            folder.rmdir()  # only if empty
        except OSError:
            pass
    if os.path.lexists(old):
        raise CampaignMockError(f"wrote {out}; the earlier fixtures were moved to {old} and it is not empty now: check it and remove it yourself")


def prepare_out(out: Path) -> bool:
    """Checks `out` can take fixtures (see _replaceable); returns whether it exists."""
    try:
        with _beside_out_locked(out):
            return _replaceable(out)
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
        body = _dump(out / file, get_campaign(world, campaign, CampaignQuery(version=parse_version(current))))
        manifest.add(file, body, 200, "GET", "/get-campaign", {"campaign_id": str(campaign["id"])}, _session_headers(admin, current))
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
                _write_new(out / files[older], older)
                written += 1
            manifest.add(files[older], older, 200, "GET", "/get-campaign", {"campaign_id": str(campaign["id"])}, _session_headers(admin, v))
    return written


def _write_documented_request(out: Path, manifest: _Manifest, world: World, chain, admin: SpaazaSession) -> int:
    """The vendor's own example request, as the docs send it (chain 1743, the alias)."""
    file = f"spaaza/chain-{chain.id}/get-campaigns/documented-request.json"
    query = CampaignQuery(version=parse_version(documented.API_VERSION), exclude_inactive=False)
    data = _dump(out / file, get_campaigns(world, chain, query))
    manifest.add(file, data, 200, "GET", "/internal/get-campaigns", {"chain_id": str(documented.CHAIN_ALIAS), "exclude_inactive": "false"}, _session_headers(admin, documented.API_VERSION))
    return 1


def _write_levelup(out: Path, manifest: _Manifest, world: World) -> int:
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
                manifest.add(file, bodies[cid, rep], 200, "GET", f"/v15/campaigns/{cid}/{rep}", {}, {"Authorization": f"token {token.token}"})
                written += 1
        for (alias, rep), cid in sorted(world.levelup.aliases.items()):
            # The same file answers the documented request on the alias id.
            manifest.add(f"levelup/user-{token.user_id}/campaign-{cid}/{rep}.json", bodies[cid, rep], 200, "GET", f"/v15/campaigns/{alias}/{rep}", {}, {"Authorization": f"token {token.token}"})
    return written


def _write_errors(out: Path, manifest: _Manifest) -> int:
    """Every documented error body, for clients' error-path tests; the request that
    produces each is in the README, so the manifest gives the forced-error header."""
    for error in spaaza_errors().values():
        file = f"spaaza/errors/{error.code}-{error.name}.json"
        data = _dump(out / file, error.body())
        manifest.add(file, data, error.http_status, "GET", "/get-campaigns", {"chain_id": str(documented.CHAIN_ID)}, {"X-Mock-Error": str(error.code)})
    for error in LEVELUP_ERRORS.values():
        file = f"levelup/errors/{error.key}.json"
        data = _dump(out / file, error.body())
        manifest.add(file, data, error.http_status, "GET", "/v15/campaigns/20/basic_v1", {}, {"X-Mock-Error": error.key})
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
    exactly as their manifest lists them (see _check_owned); anything else is refused before
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
        with _fresh_tree(out) as tree:
            with open(tree / "manifest.json", "x", encoding="utf-8") as stream:
                manifest = _Manifest(stream, header)
                files = campaigns = 0
                for parts in (progress or (lambda it, total: it))(iter_chains(seed, clock, specs), len(specs)):
                    world = _chain_world(seed, clock, parts)
                    files += _write_chain(tree, manifest, world, parts)
                    campaigns += len(parts.chain.campaigns)
                files += _write_levelup(tree, manifest, World(seed=seed, clock=clock, spaaza=_NO_SPAAZA, levelup=levelup))
                files += _write_errors(tree, manifest)
                manifest.close()
            _swap_in(tree, out)
    except OSError as e:
        hint = "; is --out a mount point? give a folder inside it" if e.errno in (errno.EBUSY, errno.EXDEV) else ""
        raise CampaignMockError(f"{out}: {e.strerror or e}{hint}; the earlier contents are unchanged") from None
    return FixtureStats(chains=len(specs), campaigns=campaigns, files=files)
