"""The linter and the type checker, run by the test command so their findings fail CI like
any test. Rules and exceptions: [tool.ruff] and [tool.mypy] in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).parents[1]


def _run(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", *argv], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_ruff_finds_nothing_in_src():
    result = _run("ruff", "check", "--no-cache", "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_src():
    result = _run("mypy", "--cache-dir", "/dev/null")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_public_name_is_there():
    """Each package's __all__ is its public API: every name in it resolves."""
    import importlib

    for package in ("campaign_mock", "campaign_mock.contract", "campaign_mock.world", "campaign_mock.scenario", "campaign_mock.check", "campaign_mock.server", "campaign_mock.exceptions"):
        module = importlib.import_module(package)
        missing = [name for name in module.__all__ if getattr(module, name, None) is None]
        assert missing == [], (package, missing)


# Built-in exceptions campaign-mock raises, each for a reason an except CampaignMockError must not
# catch: Python's protocols, test assertions, process control, and signals caught in one place.
BUILTIN_RAISES = {
    "AttributeError": "a module's lazy __getattr__ (Python's protocol)",
    "AssertionError": "the client's assert_* helpers and internal invariants (pytest shows them as failures)",
    "SystemExit": "the CLI and wsgi.app_factory end the process",
    "KeyboardInterrupt": "the pytest plugin's SIGTERM handler interrupts the session as Ctrl-C does",
    "KeyError": "a lookup of our own constant by a name our code wrote (contract/catalogue.spaaza_error)",
    "OSError": "an unreachable Redis, turned into StateError by runtime/store.open_store",
    "ConnectionAbortedError": "a drop fault's body: the server closes the connection",
}


def _raised_classes() -> list[tuple[str, str]]:
    """(module file, class name) of every `raise Name(...)` / `raise Name` in src/."""
    import ast

    found = []
    for path in sorted((REPO / "src" / "campaign_mock").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(target, ast.Name) and target.id[:1].isupper():
                    found.append((str(path.relative_to(REPO)), target.id))
    return found


def test_every_error_is_a_campaign_mock_error():
    """One class to catch: every exception campaign-mock raises on purpose descends from it; the
    built-in ones it raises are the few above, each for its reason; the classes it defines are
    CampaignMockErrors, but for the checks' failures, which Schemathesis' protocol makes
    AssertionErrors."""
    import builtins
    import importlib
    import inspect
    import pkgutil

    import campaign_mock
    from campaign_mock import CampaignMockError

    defined = {}
    for info in pkgutil.walk_packages(campaign_mock.__path__, "campaign_mock."):
        if info.name == "campaign_mock.__main__":  # (runs the CLI)
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == info.name:
                defined[name] = value
    stray = {name for name, cls in defined.items() if not issubclass(cls, (CampaignMockError, AssertionError))}
    assert stray == set()
    unknown = []
    for where, name in _raised_classes():
        if name in defined:
            continue
        if name in BUILTIN_RAISES and isinstance(getattr(builtins, name, None), type):
            continue
        unknown.append(f"{where}: raise {name}")
    assert unknown == []
