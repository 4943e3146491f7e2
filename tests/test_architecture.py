"""The dependency rules of ARCHITECTURE.md, read from the import statements."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "campaign_mock"

# layer -> what it must not import (campaign_mock subpackages and third-party modules)
FORBIDDEN = {
    "contract": ("campaign_mock.world", "campaign_mock.scenario", "campaign_mock.runtime", "campaign_mock.server", "campaign_mock.check", "campaign_mock.cli", "flask", "requests"),
    # The world is built from what the scenario language hands it (world/specs.py), never from the language.
    "world": ("campaign_mock.scenario", "campaign_mock.runtime", "campaign_mock.server", "campaign_mock.check", "campaign_mock.cli", "flask", "requests", "werkzeug"),
    "scenario": ("campaign_mock.runtime", "campaign_mock.server", "campaign_mock.check", "campaign_mock.cli", "flask", "requests", "werkzeug"),
    "server": ("campaign_mock.check", "campaign_mock.cli"),
    # runtime state (namespaces, scenarios, clock, faults, journal) knows nothing of HTTP.
    "runtime": ("campaign_mock.server", "campaign_mock.check", "campaign_mock.cli", "flask", "werkzeug", "requests"),
    "check": ("campaign_mock.server", "campaign_mock.runtime", "campaign_mock.scenario", "campaign_mock.cli"),
}
# layer -> the only modules of campaign_mock it may import besides its own.
ALLOWED = {
    # check judges any server, the vendor's included: never the mock's code. From the world it
    # takes only the documented facts (the docs' credentials), in world/documented.py.
    "check": ("campaign_mock.contract", "campaign_mock.exceptions", "campaign_mock.environment", "campaign_mock.world", "campaign_mock.world.documented"),
    # The scenario language knows the generator only by what it can be asked for.
    "scenario": ("campaign_mock.contract", "campaign_mock.exceptions", "campaign_mock.world.specs", "campaign_mock.world", "campaign_mock.world.documented"),
}


def _is_module(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from campaign_mock.world import build` imports the module campaign_mock.world.build.
            names.update(f"{node.module}.{a.name}" for a in node.names if _is_module(f"{node.module}.{a.name}"))
    return names


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_dependencies_point_one_way(layer):
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).glob("*.py"))
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_it_may(layer):
    allowed = (f"campaign_mock.{layer}", *ALLOWED[layer])
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).glob("*.py"))
        for name in _imports(path)
        if name.startswith("campaign_mock") and not any(name == ok or (name.startswith(ok + ".") and ok != "campaign_mock.world") for ok in allowed)
    ]
    assert offences == []


def test_nothing_imports_the_cli():
    offences = [str(p) for p in PACKAGE.rglob("*.py") if p.name not in ("cli.py", "__main__.py") and "campaign_mock.cli" in _imports(p)]
    assert offences == []


def test_the_checker_loads_no_generator():
    """At run time too: what check imports pulls in only the documented facts of the world
    (and their data classes), never the generator, the views or Faker."""
    import subprocess
    import sys

    code = (
        "import sys, campaign_mock.check.checks, campaign_mock.check.drift, campaign_mock.check.cli_command;"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('campaign_mock.world', 'campaign_mock.server', 'faker')))))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == ["campaign_mock.world", "campaign_mock.world.documented", "campaign_mock.world.model"]


def test_client_and_plugin_sit_on_top():
    """Only the other top-level entry points (the CLI, the plugin) use the admin client; nothing
    imports the plugin."""
    on_top = {"cli.py", "pytest_plugin.py", "client.py"}
    offences = [
        f"{p.relative_to(PACKAGE)} imports {name}"
        for p in PACKAGE.rglob("*.py")
        for name in _imports(p)
        if (name == "campaign_mock.pytest_plugin" and p.name != "pytest_plugin.py") or (name == "campaign_mock.client" and p.name not in on_top)
    ]
    assert offences == []


def test_coverage_is_pure():
    """runtime/coverage.py reads the contract and nothing else of ours: no HTTP, no store."""
    imports = _imports(PACKAGE / "runtime" / "coverage.py")
    ours = {n for n in imports if n.startswith("campaign_mock")}
    assert ours and all(n.startswith(("campaign_mock.contract", "campaign_mock.exceptions")) for n in ours)
    assert not {n.split(".")[0] for n in imports} & {"flask", "requests", "werkzeug", "sqlite3", "redis"}


def test_the_client_loads_no_server():
    """MockClient drives a mock in another process: importing it (or the plugin) loads no
    server, no Flask, no generator and no Faker."""
    import subprocess
    import sys

    code = "import sys, campaign_mock.client, campaign_mock.pytest_plugin; print(' '.join(sorted(m for m in sys.modules if m.startswith(('campaign_mock.server', 'campaign_mock.world.', 'campaign_mock.runtime', 'flask', 'faker')))))"
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert loaded == ["campaign_mock.world.documented", "campaign_mock.world.model"]
