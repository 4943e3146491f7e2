"""The README is complete and true: its commands are the ones CI runs, its error table is the
catalogue, every CLI option and example scenario is mentioned, every dependency explained."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from click import Context

from campaign_mock.cli import main
from campaign_mock.contract.catalogue import spaaza_errors

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
TEST_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt -e '.[test]' && .venv/bin/python -m pytest -q"
SERVE_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -q -c constraints.txt . && .venv/bin/campaign-mock serve"


def test_ci_runs_the_readme_test_command():
    assert TEST_COMMAND in README
    assert TEST_COMMAND in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert SERVE_COMMAND in README


def test_error_table_is_the_catalogue():
    rows = re.findall(r"^\| (\d+) \| (\w+) \| (\d{3}) \| (.+) \|$", README, re.MULTILINE)
    assert [(int(c), n, int(s)) for c, n, s, _ in rows] == [(e.code, e.name, e.http_status) for e in spaaza_errors().values()]


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_and_option_is_documented(command):
    assert f"campaign-mock {command}" in README
    cmd = main.commands[command]
    for param in cmd.get_params(Context(cmd)):
        for opt in param.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in README, f"{command} {opt}"


def test_every_example_scenario_is_mentioned():
    for path in (ROOT / "fixtures" / "scenarios").glob("*.yaml"):
        assert path.name in README


def test_every_dependency_is_explained():
    """A row per dependency, extras included, saying whether it is pinned or a range."""
    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = [Requirement(d) for d in project["dependencies"] + [d for extra in project["optional-dependencies"].values() for d in extra]]
    table = README[README.index("| package | kind | why |"):]
    rows = {name.strip(): kind for names, kind in re.findall(r"^\| ([^|]+?)(?: \([^)]*\))? \| (pinned|range) \|", table, re.MULTILINE) for name in names.split(",")}
    for dep in deps:
        if dep.name == project["name"]:
            continue  # an extra of ours, named by another
        pinned = any(spec.operator == "==" for spec in dep.specifier)
        assert rows.get(dep.name) == ("pinned" if pinned else "range"), dep


def test_the_credentials_the_readme_gives_are_the_worlds():
    from campaign_mock.world import documented

    for credential in (documented.ADMIN_ACCESS_TOKEN, documented.LEVELUP_TOKEN, str(documented.ADMIN_USER_ID), documented.APP.hostname):
        assert credential in README


def _yaml_block_after(marker: str, text: str) -> str:
    return re.search(re.escape(marker) + r".*?```yaml\n(.*?)```", text, re.DOTALL).group(1)


def test_the_readme_scenario_example_loads_and_builds(tmp_path):
    """The format's own example, as a reader would copy it (session_key filled in)."""
    from campaign_mock.world import build_world
    from campaign_mock.scenario import load_scenarios

    example = _yaml_block_after("### Scenario files", README)
    path = tmp_path / "readme.yaml"
    path.write_text(example.replace('session_key: "..."', 'session_key: "k-700101"'), encoding="utf-8")
    world = build_world(0, scenarios=load_scenarios([path]))
    assert world.spaaza.progress[(700101, 7001200)]["award_count"] == 1
    assert world.levelup.progress[(9101, 9001)] == 2500


def test_the_readme_pytest_example_is_the_file_the_tests_run():
    """tests/test_pytest_plugin.py runs examples/test_loyalty_client.py; the README shows it whole."""
    block = re.search(r"stays true:\n\n```python\n(.*?)```", README, re.DOTALL).group(1)
    assert block == (ROOT / "examples" / "test_loyalty_client.py").read_text(encoding="utf-8")
