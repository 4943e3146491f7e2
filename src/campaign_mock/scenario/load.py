"""load_scenarios: files and texts read, parsed and checked together, in one call (the CLI,
the tests). A server reads its own files once (read_document), parses each posted text once
(parse_document) and calls check_scenarios on the set."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable, Iterable, Sequence

from campaign_mock.exceptions import ScenarioError
from campaign_mock.scenario.document import Document, parse_document, read_document
from campaign_mock.scenario.together import check_together
from campaign_mock.world.specs import Scenario, WorldSize


def load_scenarios(paths: str | Path | Iterable[str | Path] | None, documents: Sequence[tuple[str, str]] = (), size: WorldSize | None = None) -> tuple[Scenario, ...]:
    """Parse and check every file (then every (name, YAML or JSON text) document) before any
    is used, for a world of `size` (the default world's when None): a broken one raises
    ScenarioError with every problem, each naming file:line and field, and nothing is
    half-loaded."""
    return check_together(read_documents(paths, documents), size)


def read_documents(paths: str | Path | Iterable[str | Path] | None, documents: Sequence[tuple[str, str]] = ()) -> list[Document | ScenarioError]:
    """Every file and (name, text) document parsed, or its refusal (for check_together, which
    reports every document's problems, not only the first one's)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    reads: list[Callable[[], Document]] = [partial(read_document, p) for p in paths or ()]
    reads += [partial(parse_document, name, text) for name, text in documents]
    parsed: list[Document | ScenarioError] = []
    for read in reads:
        try:
            parsed.append(read())
        except ScenarioError as e:
            parsed.append(e)
    return parsed
