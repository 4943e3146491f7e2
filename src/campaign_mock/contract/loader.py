"""Parses schemas/ and openapi.yaml into one immutable Contract, built once per process."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from campaign_mock.contract.files import admin_spec_path, schemas_dir, spec_path


def _registry(directory: Path) -> Registry:
    # Keyed by $id (the bare file name), so relative refs between files resolve.
    resources = []
    for path in sorted(directory.glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents.get("$id", path.name), Resource.from_contents(contents, default_specification=DRAFT202012)))
    return Registry().with_resources(resources).crawl()


@dataclass(frozen=True)
class Contract:
    registry: Registry
    spec: dict[str, Any]
    _validators: dict[str, Draft202012Validator] = field(default_factory=dict, repr=False, compare=False)

    def schema(self, name: str) -> Any:
        """A schema by file name, or file name plus JSON pointer ("x.json#/$defs/y")."""
        resource, _, pointer = name.partition("#")
        contents = self.registry.contents(resource)
        for part in filter(None, pointer.split("/")):
            contents = contents[part]
        return contents

    def validator(self, name: str) -> Draft202012Validator:
        """A reusable validator with format checking on (date-time offsets are enforced)."""
        if name not in self._validators:
            schema = {"$ref": name}
            self._validators[name] = Draft202012Validator(
                schema, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER
            )
        return self._validators[name]

    # Facts that the schemas state once and everything else reads.
    @property
    def campaign_types(self) -> tuple[str, ...]:
        return tuple(self.schema("spaaza-campaign.json#/$defs/campaign_type")["enum"])

    @property
    def progress_formats(self) -> tuple[str, ...]:
        """The user_progress formats: 'standard', 'loyalty', 'wallet'."""
        return tuple(self.schema("spaaza-user-progress.json")["$defs"])

    def progress_format(self, campaign_type: str) -> str | None:
        """One of progress_formats, or None where the type has no user_progress."""
        for fmt in self.progress_formats:
            if campaign_type in self.schema(f"spaaza-campaign.json#/$defs/progress_{fmt}_types")["enum"]:
                return fmt
        return None


@cache
def load_contract() -> Contract:
    spec = yaml.safe_load(spec_path().read_text(encoding="utf-8"))
    return Contract(registry=_registry(schemas_dir()), spec=spec)


@cache
def admin_schema(name: str) -> Draft202012Validator:
    """A validator for a schema of the admin API's own document (admin-openapi.yaml), by name."""
    spec = yaml.safe_load(admin_spec_path().read_text(encoding="utf-8"))
    return Draft202012Validator(spec["components"]["schemas"][name])
