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
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in _imports(path)
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN[layer])
    ]
    assert offences == []


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_it_may(layer):
    allowed = (f"campaign_mock.{layer}", *ALLOWED[layer])
    offences = [
        f"{path.relative_to(PACKAGE)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
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


def _source(*parts: str) -> dict[str, str]:
    """Each module's code without its docstrings and comments (what it does, not what it says)."""
    import io
    import tokenize

    found = {}
    for path in sorted(PACKAGE.joinpath(*parts).rglob("*.py")):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        kept, previous = [], tokenize.NEWLINE
        for token in tokens:
            is_docstring = token.type == tokenize.STRING and previous in (tokenize.NEWLINE, tokenize.NL, tokenize.INDENT, tokenize.DEDENT)
            if token.type != tokenize.COMMENT and not is_docstring:
                kept.append(token.string)
            if token.type not in (tokenize.COMMENT, tokenize.NL):
                previous = token.type
        found[str(path.relative_to(PACKAGE))] = " ".join(kept)
    return found


def test_runtime_reads_no_wsgi_environ():
    """The server hands the runtime plain values (a namespace key, a journal record): no module
    of runtime/ reads a WSGI environ or its HTTP_ keys."""
    offences = [name for name, code in _source("runtime").items() if "environ" in code]
    assert offences == []


def test_only_the_pipeline_serves_vendor_paths():
    """Vendor requests never enter Flask: every route of the app is under /__mock/, and the
    vendors' paths are the pipeline's (a vendor view is a plain function of world and request)."""
    from campaign_mock.server.app import create_app
    from campaign_mock.server.pipeline import VENDOR_ROUTES

    app = create_app()
    flask_routes = [rule.rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    assert flask_routes and all(r.startswith("/__mock/") for r in flask_routes)
    assert {rule.rule for rule in VENDOR_ROUTES.iter_rules()} >= {"/get-campaigns", "/get-campaign", "/v15/campaigns/<campaign_id>/<representation>"}


def test_failures_become_responses_in_one_module():
    """Only server/errors.py makes an error answer (the vendor envelopes, the mock's own codes,
    the admin API's status for each kind of refused input): elsewhere in server/ no error
    body is built, no response is given a status of 400 or more, and no kind is mapped to a
    status; the others call errors' functions."""
    offences = []
    for path in sorted((PACKAGE / "server").rglob("*.py")):
        if path.name == "errors.py":
            continue
        where = path.relative_to(PACKAGE)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Name) and node.id in ("INPUT_STATUS", "abort"):
                offences.append(f"{where}:{node.lineno} {node.id}")
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "body" and not node.args:
                offences.append(f"{where}:{node.lineno} builds an error body")
            statuses = [a.value for a in [*node.args, *(k.value for k in node.keywords)] if isinstance(a, ast.Constant) and isinstance(a.value, int) and not isinstance(a.value, bool)]
            if name in ("Response", "json_response", "json", "Answer") and any(400 <= v < 600 for v in statuses):
                offences.append(f"{where}:{node.lineno} {name}(... {statuses})")
    assert offences == []


def test_one_place_writes_the_levelup_prefix():
    """/v15/ is written once, in contract/operations.py: routes, paths, regexes and checks read it."""
    offences = [name for name, code in _source().items() if "/v15/" in code and name != "contract/operations.py"]
    assert offences == []


def test_one_reader_of_the_environment():
    """CAMPAIGN_MOCK_* variables are read in environment.py only (settings dataclasses, the plugin)."""
    offences = [name for name, code in _source().items() if name != "environment.py" and ("getenv" in code or "environ . get ( \"CAMPAIGN_MOCK" in code or "environ [ \"CAMPAIGN_MOCK" in code or "envvar = \"CAMPAIGN_MOCK" in code)]
    assert offences == []
