"""load_scenarios: files and texts read, parsed and checked together, in one call (the CLI,
the tests). A server reads its own files once (read_document), parses each posted text once
(parse_document) and calls check_scenarios on the set."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

from campaign_mock.scenario.document import parse_document, read_document
from campaign_mock.scenario.together import check_scenarios
from campaign_mock.world.specs import Scenario


def load_scenarios(paths: str | Path | Iterable[str | Path] | None, documents: Sequence[tuple[str, str]] = ()) -> tuple[Scenario, ...]:
    """Parse and check every file (then every (name, YAML or JSON text) document) before any
    is used: a broken one raises ScenarioError naming file:line and field, and nothing is
    half-loaded."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    parsed = [read_document(p) for p in paths or ()] + [parse_document(name, text) for name, text in documents]
    return check_scenarios(parsed)
