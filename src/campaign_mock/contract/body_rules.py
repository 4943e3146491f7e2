"""Findings: a broken rule as data (rule, path, message), for the rules that judge bodies and
worlds (world/consistency.py)."""

from __future__ import annotations

from dataclasses import dataclass

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """One broken rule: its name, where (a JSON path into what was judged), what is wrong (in
    words), and `also`: the other values it is about, where its cause may be written (the
    value a date is compared with, say)."""

    rule: str
    path: Path
    message: str
    also: tuple[Path, ...] = ()

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"
