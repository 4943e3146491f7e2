"""`campaign-mock fixtures`: the committed fixtures/ regenerate without drift, every file is
valid, and every file is byte for byte what the real server answers to its manifest request."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from campaign_mock.contract.validate import infer_schema, violations

COMMITTED = Path(__file__).parents[2] / "fixtures" / "default"
MANIFEST = json.loads((COMMITTED / "manifest.json").read_text(encoding="utf-8"))


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_committed_fixtures_do_not_drift(tmp_path):
    """If this fails after a deliberate change: regenerate with the command in README."""
    result = subprocess.run([sys.executable, "-m", "campaign_mock", "fixtures", "--seed", "0", "--out", str(tmp_path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "wrote" in result.stdout
    fresh, committed = _tree(tmp_path), _tree(COMMITTED)
    assert sorted(fresh) == sorted(committed)
    assert [name for name in fresh if fresh[name] != committed[name]] == []


def test_manifest_names_every_file_once():
    files = {str(p.relative_to(COMMITTED)) for p in COMMITTED.rglob("*.json")} - {"manifest.json"}
    assert {entry["file"] for entry in MANIFEST["files"]} == files
    assert MANIFEST["seed"] == 0 and MANIFEST["generator"]["faker"]


@pytest.mark.parametrize("name", sorted({e["file"] for e in MANIFEST["files"]}))
def test_every_fixture_is_valid(name):
    body = json.loads((COMMITTED / name).read_text(encoding="utf-8"))
    assert violations(infer_schema(body), body) == []


def test_every_file_is_what_the_server_answers(base_url):
    with requests.Session() as http:
        for entry in MANIFEST["files"]:
            request = entry["request"]
            response = http.get(base_url + request["path"], params=request["query"], headers=request["headers"], timeout=10)
            assert response.status_code == entry["status"], entry
            assert response.content == (COMMITTED / entry["file"]).read_bytes(), entry["file"]


def test_a_broken_scenario_writes_nothing(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("spaaza:\n  chains:\n    - id: 7001\n      campaigns:\n        - type: loyality\n", encoding="utf-8")
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "campaign_mock", "fixtures", "--out", str(out), "--scenario", str(broken)], capture_output=True, text=True)
    assert result.returncode == 2
    assert f"{broken}:5" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()
