"""A scenario document, parsed once: read or received as text, checked against the published
schema (schemas/scenario.json) and on its own (scenario/declare.py), with its line lookup kept
for the checks across documents (check_scenarios). A broken one raises ScenarioError with
every problem, each ``file.yaml:LINE: $.json.path: what is wrong; what to write instead``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from campaign_mock.contract import load_contract
from campaign_mock.scenario.declare import Declarations, declare
from campaign_mock.scenario.explain import schema_problems
from campaign_mock.scenario.yaml_lines import JsonPath, YamlFile, parse_yaml, read_yaml, refusal

SCHEMA = "scenario.json"


@dataclass(frozen=True, eq=False)
class Document:
    """`name`: the file's path, or the name a namespace gave a posted document; `data`: its
    JSON-shaped content; `declared`: what it declares, as the generator takes it."""

    name: str
    data: dict[str, Any]
    file: YamlFile
    declared: Declarations

    def line(self, path: JsonPath) -> int:
        """The line a value (or, for a mapping member, its key) is written on."""
        return self.file.line(path)


def read_document(path: str | Path) -> Document:
    """A scenario file, read within bounds (scenario/yaml_lines.py)."""
    return _checked(read_yaml(path))


def parse_document(name: str, text: str) -> Document:
    """YAML (or JSON) text, such as a document posted to the admin API; the caller keeps
    `text` within yaml_lines.MAX_BYTES."""
    return _checked(parse_yaml(name, text))


def _checked(f: YamlFile) -> Document:
    """Refused with every problem of the document: its schema's, and those beyond it in the
    parts the schema accepts (scenario/declare.py), in the order of their lines."""
    schema = schema_problems(f, load_contract().validator(SCHEMA))
    declared = declare(f, [p.path for p in schema])
    problems = sorted([*schema, *declared.problems], key=lambda p: p.line)
    document = Document(f.name, f.data, f, declared)
    if problems:
        refused = refusal(problems)
        refused.partial = document
        raise refused
    return document
