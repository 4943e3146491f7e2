"""`fixtures --out` never loses a user's files: a hostile or careless --out is refused with
exit 2 and left byte for byte as it was; earlier fixtures are replaced only when they are
exactly what their manifest lists; a failed run leaves the earlier fixtures intact."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_runner import run_cli

from campaign_mock.exceptions import CampaignMockError
from campaign_mock.world.fixtures import write_fixtures

SMALL = ("--chains", "0", "--users-per-chain", "1", "--merchants", "1")


def _fixtures(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """`campaign-mock fixtures` in this process; the signal and the race below need processes."""
    return run_cli("fixtures", *SMALL, *args, cwd=cwd)


def _snapshot(root: Path) -> dict[str, object]:
    """Every entry under root, symlinks as their target text (never followed)."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            key = str(p.relative_to(root))
            kind = p.lstat().st_mode
            found[key] = ("link", os.readlink(p)) if stat.S_ISLNK(kind) else ("dir",) if stat.S_ISDIR(kind) else p.read_bytes() if stat.S_ISREG(kind) else ("special", kind)
    return found


def _refused(result: subprocess.CompletedProcess, says: str) -> None:
    assert result.returncode == 2, result.stderr
    assert says in result.stderr and "Traceback" not in result.stderr, result.stderr


def _earlier(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert _fixtures("--out", str(out)).returncode == 0
    return out


def _first_file(out: Path) -> str:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"][0]["file"]


def test_a_manifest_naming_the_users_own_files_deletes_nothing(tmp_path):
    """The issue's case: any manifest.json listing files was taken for earlier fixtures."""
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "notes.txt").write_text("mine\n")
    (d / "sub" / "data.csv").write_text("1,2\n")
    (d / "manifest.json").write_text('{"files":[{"file":"notes.txt"},{"file":"sub/data.csv"}]}\n')
    before = _snapshot(d)
    _refused(_fixtures("--out", str(d)), "manifest.json was not written by campaign-mock")
    assert _snapshot(d) == before


def test_a_forged_manifest_with_the_users_files_and_their_sha256_deletes_nothing(tmp_path):
    """A manifest anyone can write, in campaign-mock's exact format with the right sha256s,
    still cannot name a file campaign-mock never writes: the user's own files stay."""
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "notes.txt").write_text("mine\n")
    (d / "sub" / "data.csv").write_text("1,2\n")
    entries = [{"file": name, "sha256": hashlib.sha256((d / name).read_bytes()).hexdigest()} for name in ("notes.txt", "sub/data.csv")]
    head = json.dumps({"seed": 0, "generator": {"campaign-mock": "0.1.0", "faker": "1"}}, indent=2)
    (d / "manifest.json").write_text(head[:-2] + ',\n  "files": [' + ",".join("\n    " + json.dumps(e) for e in entries) + "\n  ]\n}\n")
    before = _snapshot(d)
    _refused(_fixtures("--out", str(d)), "manifest.json lists 'notes.txt', a name campaign-mock never gives a fixture file")
    assert _snapshot(d) == before


def test_a_symlinked_fixture_file_is_not_followed(tmp_path):
    out = _earlier(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("outside --out\n")
    name = _first_file(out)
    (out / name).unlink()
    (out / name).symlink_to(victim)
    before = _snapshot(out)
    _refused(_fixtures("--out", str(out)), f"{name} is not a regular file")
    assert victim.read_text() == "outside --out\n" and _snapshot(out) == before


def test_a_symlinked_fixture_folder_gets_nothing_written_through_it(tmp_path):
    out = _earlier(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("keep\n")
    (out / "spaaza").rename(tmp_path / "moved")
    (out / "spaaza").symlink_to(elsewhere, target_is_directory=True)
    before = _snapshot(out)
    _refused(_fixtures("--out", str(out)), "spaaza is not a regular file")
    assert _snapshot(elsewhere) == {"keep.txt": b"keep\n"} and _snapshot(out) == before


@pytest.mark.parametrize("entry", ['{"file": 7}', '{"file": ["a"]}', '"notes.txt"', "null", '{"file": "notes.txt"}'])
def test_a_manifest_entry_of_the_wrong_type_is_a_clear_error(tmp_path, entry):
    out = _earlier(tmp_path)
    text = (out / "manifest.json").read_text(encoding="utf-8")
    first = text.index('    {"file"')
    (out / "manifest.json").write_text(text[:first] + "    " + entry + "," + text[text.index("\n", first):], encoding="utf-8")
    before = _snapshot(out)
    _refused(_fixtures("--out", str(out)), "is not a fixtures entry")
    assert _snapshot(out) == before


def test_a_failed_run_leaves_the_earlier_fixtures_intact(tmp_path):
    out = _earlier(tmp_path)
    before = _snapshot(out)

    def fail_midway(chains, total):
        yield next(iter(chains))
        raise OSError(28, "No space left on device")

    with pytest.raises(CampaignMockError, match="No space left on device; the earlier contents are unchanged"):
        write_fixtures(out, chains=2, users_per_chain=1, merchants=1, progress=fail_midway)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no half-built tree left beside


def test_earlier_fixtures_are_replaced_with_nothing_stale(tmp_path):
    out = _earlier(tmp_path)
    assert _fixtures("--out", str(out), "--seed", "1").returncode == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 1
    assert {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()} == {e["file"] for e in manifest["files"]} | {"manifest.json"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _edit(out: Path) -> None:
    (out / _first_file(out)).write_bytes(b"{}")


def _add_file(out: Path) -> None:
    (out / "notes.txt").write_text("mine")


def _add_folder(out: Path) -> None:
    (out / "spaaza" / "mine").mkdir()


def _remove_file(out: Path) -> None:
    (out / _first_file(out)).unlink()


def _truncate_manifest(out: Path) -> None:
    text = (out / "manifest.json").read_bytes()
    (out / "manifest.json").write_bytes(text[: len(text) // 2])


def _fifo(out: Path) -> None:
    os.mkfifo(out / "spaaza" / "pipe")


def _long_line(out: Path) -> None:
    (out / "manifest.json").write_bytes(b"{" + b" " * (2 << 20))


def _manifest_is_a_link(out: Path) -> None:
    real = out.parent / "real-manifest.json"
    (out / "manifest.json").rename(real)
    (out / "manifest.json").symlink_to(real)


def _manifest_is_a_pipe(out: Path) -> None:
    (out / "manifest.json").unlink()
    os.mkfifo(out / "manifest.json")


def _deep_folders(out: Path) -> None:
    deep = out / "spaaza"
    for _ in range(20):  # deeper than campaign-mock writes: refused before any walk gets deep
        deep = deep / "d"
    deep.mkdir(parents=True)


@pytest.mark.parametrize("spoil, says", [
    (_edit, "has changed since campaign-mock wrote it"),
    (_add_file, "notes.txt is not listed in manifest.json"),
    (_add_folder, "spaaza/mine/ is a folder with no listed file"),
    (_remove_file, "file(s) manifest.json lists are missing"),
    (_truncate_manifest, "manifest.json"),
    (_fifo, "spaaza/pipe is not a regular file"),
    (_long_line, "longer than campaign-mock writes"),
    (_manifest_is_a_link, "holds no manifest.json (or a symlink in its place)"),
    (_manifest_is_a_pipe, "manifest.json is not a regular file"),
    (_deep_folders, "is nested deeper than fixtures are"),
])
def test_earlier_fixtures_that_are_not_exactly_ours_are_refused(tmp_path, spoil, says):
    out = _earlier(tmp_path)
    spoil(out)
    before = _snapshot(out)
    _refused(_fixtures("--out", str(out)), says)
    assert _snapshot(out) == before


def test_out_that_is_a_symlink_is_refused(tmp_path):
    real = _earlier(tmp_path)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    before = _snapshot(real)
    _refused(_fixtures("--out", str(link)), "is a symlink")
    assert _snapshot(real) == before and link.is_symlink()


def test_out_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "f"
    f.write_text("mine")
    _refused(_fixtures("--out", str(f)), "is a file")
    assert f.read_text() == "mine"


def test_an_empty_out_is_filled(tmp_path):
    out = tmp_path / "empty"
    out.mkdir()
    assert _fixtures("--out", str(out)).returncode == 0
    assert (out / "manifest.json").is_file()


def test_a_terminated_run_leaves_no_half_written_tree_and_the_earlier_fixtures(tmp_path):
    """SIGTERM (a CI timeout, `docker stop`) mid-run ends like Ctrl-C: the tree being built
    beside --out is removed, the earlier fixtures are untouched."""
    out = _earlier(tmp_path)
    before = _snapshot(out)
    run = subprocess.Popen([sys.executable, "-m", "campaign_mock", "fixtures", "--out", str(out), "--chains", "40"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not any(p.name.startswith(".out.campaign-mock-") for p in tmp_path.iterdir()):
            assert run.poll() is None and time.monotonic() < deadline, "the run ended before it began writing"
            time.sleep(0.05)
        time.sleep(0.3)
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]
    assert _snapshot(out) == before


@pytest.mark.parametrize("out", [".", "..", "sub/.."])
def test_out_that_is_dot_or_dotdot_is_refused_clearly(tmp_path, out):
    (tmp_path / "sub").mkdir()
    _refused(_fixtures("--out", out, cwd=tmp_path / "sub"), "name the directory itself")
    assert [p.name for p in tmp_path.iterdir()] == ["sub"] and not any((tmp_path / "sub").iterdir())


def test_concurrent_runs_into_the_same_out_take_turns(tmp_path):
    """Runs into one --out at once all succeed (they take turns to check and swap; one run's
    check used to read another's half-swapped folder and refuse it as edited), and what is
    left is exactly one run's fixtures."""
    out = _earlier(tmp_path)
    for _ in range(2):
        runs = [subprocess.Popen([sys.executable, "-m", "campaign_mock", "fixtures", *SMALL, "--seed", str(seed), "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for seed in range(4)]
        results = [(run.wait(timeout=120), run.stderr.read()) for run in runs]
        for run in runs:
            run.stderr.close()
        assert [rc for rc, _ in results] == [0, 0, 0, 0], results
        assert [p.name for p in tmp_path.iterdir()] == ["out"]
        assert write_fixtures(out, 0, chains=0, users_per_chain=1, merchants=1).files > 0  # still exactly fixtures
