"""`campaign-mock fixtures`: the committed fixtures/ regenerate without drift, every file is
valid, and every file is byte for byte what the real server answers to its manifest request."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
import requests
from cli_runner import run_cli
from mockserver import start_mock

from campaign_mock.contract.validate import infer_schema, violations

COMMITTED = Path(__file__).parents[2] / "fixtures" / "default"
MANIFEST = json.loads((COMMITTED / "manifest.json").read_text(encoding="utf-8"))


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_fixtures_do_not_drift(tmp_path):
    """If this fails after a deliberate change: regenerate with the command in README."""
    result = _fixtures("--seed", "0", "--out", str(tmp_path))  # across processes: test_world.py
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    fresh, committed = _tree(tmp_path), _tree(COMMITTED)
    assert sorted(fresh) == sorted(committed)
    assert [name for name in fresh if fresh[name] != committed[name]] == []


def test_manifest_names_every_file_once():
    files = {str(p.relative_to(COMMITTED)) for p in COMMITTED.rglob("*.json")} - {"manifest.json"}
    assert {entry["file"] for entry in MANIFEST["files"]} == files
    assert MANIFEST["seed"] == 0 and MANIFEST["generator"]["faker"]
    # The sha256 is how a later run knows each file is ours and unchanged.
    assert [e["file"] for e in MANIFEST["files"] if hashlib.sha256((COMMITTED / e["file"]).read_bytes()).hexdigest() != e["sha256"]] == []


@pytest.mark.parametrize("name", sorted({e["file"] for e in MANIFEST["files"]}))
def test_every_fixture_is_valid(name):
    body = json.loads((COMMITTED / name).read_text(encoding="utf-8"))
    assert violations(infer_schema(body), body) == []


def _replay(base_url: str, root: Path, manifest: dict) -> None:
    with requests.Session() as http:
        for entry in manifest["files"]:
            request = entry["request"]
            response = http.get(base_url + request["path"], params=request["query"], headers=request["headers"], timeout=10)
            assert response.status_code == entry["status"], entry
            assert response.content == (root / entry["file"]).read_bytes(), entry["file"]


def test_every_file_is_what_the_server_answers(base_url):
    _replay(base_url, COMMITTED, MANIFEST)


def test_serve_with_the_fixtures_options_answers_every_fixture(tmp_path):
    options = ("--seed", "3", "--chains", "5", "--users-per-chain", "1", "--merchants", "4")
    out = tmp_path / "out"
    assert _fixtures(*options, "--out", str(out)).returncode == 0
    server = start_mock(*options)  # a process: serve hands the options to its workers
    try:
        _replay(server.url, out, json.loads((out / "manifest.json").read_text(encoding="utf-8")))
    finally:
        server.stop()


def test_a_broken_scenario_writes_nothing(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("spaaza:\n  chains:\n    - id: 7001\n      campaigns:\n        - type: loyality\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _fixtures("--out", str(out), "--scenario", str(broken))
    assert result.returncode == 2
    assert f"{broken}:5" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def _fixtures(*args: str) -> subprocess.CompletedProcess:
    """`campaign-mock fixtures` in this process."""
    return run_cli("fixtures", *args)


def test_an_inconsistent_scenario_writes_nothing(tmp_path):
    odd = tmp_path / "odd.yaml"
    odd.write_text("spaaza:\n  chains:\n    - id: 7001\n      campaigns: [{type: cashback, id: 7001100, recipient_campaign_id: 999999}]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = _fixtures("--out", str(out), "--scenario", str(odd))
    assert result.returncode == 2 and "wallet reference: campaign 7001100" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_writing_over_earlier_fixtures_leaves_nothing_stale(tmp_path):
    out = tmp_path / "out"
    assert _fixtures("--out", str(out), "--chains", "2").returncode == 0
    assert _fixtures("--out", str(out), "--chains", "1").returncode == 0
    listed = {e["file"] for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk == listed | {"manifest.json"}
    assert not (out / "spaaza" / "chain-5002").exists()
    (out / "notes.txt").write_text("mine", encoding="utf-8")  # not ours: the next run is refused
    result = _fixtures("--out", str(out), "--chains", "1")
    assert result.returncode == 2 and "notes.txt is not listed" in result.stderr
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("setup, says", [("foreign", "is not empty and holds no manifest.json"), ("under-a-file", "Not a directory")])
def test_out_that_cannot_hold_fixtures_is_refused(tmp_path, setup, says):
    if setup == "foreign":
        out = tmp_path / "home"
        out.mkdir()
        (out / "precious.txt").write_text("keep me", encoding="utf-8")
    else:
        (tmp_path / "afile").write_text("", encoding="utf-8")
        out = tmp_path / "afile" / "sub"
    result = _fixtures("--out", str(out))
    assert result.returncode == 2 and says in result.stderr and "Traceback" not in result.stderr
    if setup == "foreign":
        assert [p.name for p in out.iterdir()] == ["precious.txt"]


def test_the_documented_request_has_its_documented_body():
    from campaign_mock.world import documented

    entry = next(e for e in MANIFEST["files"] if e["request"]["path"] == "/internal/get-campaigns")
    assert entry["request"]["query"] == {"chain_id": "1743", "exclude_inactive": "false"}
    assert entry["request"]["headers"]["X-Spaaza-API-Version"] == "1.4.11"
    assert json.loads((COMMITTED / entry["file"]).read_bytes()) == documented.spaaza_response()


def test_the_manifest_names_scenarios_by_file_name(tmp_path):
    out = tmp_path / "out"
    scenario = Path(__file__).parents[2] / "fixtures" / "scenarios" / "bronze-member.yaml"
    assert _fixtures("--out", str(out), "--chains", "0", "--scenario", str(scenario)).returncode == 0
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenarios"] == ["bronze-member.yaml"]
