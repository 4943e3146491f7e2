"""The --out directory of `campaign-mock fixtures`. A run writes only into a fresh tree beside
it and swaps that in; it replaces only what an earlier run wrote, exactly as that run's
manifest lists it (names and sha256), so nothing of the user's is lost, and a failed or
interrupted run changes nothing. The manifest is written here too (Manifest), entry by entry,
in the form a later run reads back line by line."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import signal
import stat
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from campaign_mock.exceptions import CampaignMockError


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Manifest:
    """manifest.json, written entry by entry, one a line (_manifest_entries reads it back line by
    line: neither holds the whole text in memory)."""

    def __init__(self, stream: IO[str], header: dict):
        self.stream = stream
        self.count = 0
        head = json.dumps(header, indent=2, ensure_ascii=False)
        stream.write(head[:-2] + ",\n" + _FILES_LINE)

    def add(self, file: str, data: bytes, status: int, method: str, path: str, query: dict, headers: dict) -> None:
        """`data`: the file's bytes, for its sha256 (how a later run knows the file is ours)."""
        if not FIXTURE_NAME.fullmatch(file):
            raise AssertionError(f"{file}: not a fixture name FIXTURE_NAME allows; a later run would refuse these fixtures")
        entry = {"file": file, "sha256": _sha(data), "status": status, "request": {"method": method, "path": path, "query": query, "headers": headers}}
        self.stream.write(("," if self.count else "") + "\n    " + json.dumps(entry, ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        self.stream.write("\n  ]\n}\n")


_FILES_LINE = '  "files": ['
# Every name a fixture file may have (what fixtures.py's _write_chain, _write_levelup and _write_errors write;
# Manifest.add holds them to it). A later run deletes earlier fixtures only under these names,
# so no manifest, however forged, can make it delete a file of the user's own (notes.txt, a
# .csv, anything outside spaaza/ and levelup/).
_ID = r"-?[0-9]+"
_VERSION = r"v[0-9]+\.[0-9]+\.[0-9]+"
FIXTURE_NAME = re.compile(
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
    """file -> sha256 from an earlier manifest.json, read line by line as Manifest writes it;
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
                if not FIXTURE_NAME.fullmatch(file):
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
def fresh_tree(out: Path) -> Iterator[Path]:
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


def swap_in(tree: Path, out: Path) -> None:
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
