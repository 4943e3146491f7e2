"""An answer as its namespace's variation shows it (contract/variations.py): the JSON body
varied against the operation's schema for its status, headers kept. Run once per distinct
answer: the answer cache keys varied answers by the namespace view, which holds the
variation (runtime/control.NamespaceView)."""

from __future__ import annotations

import json

from campaign_mock.contract.variations import WITHOUT, vary_answer, without
from campaign_mock.server.answers import Answer


def varied(answer: Answer, operation: str | None, variation: tuple[str, int, str | None] | None) -> tuple[Answer, dict | None]:
    """(the answer, {"name", "seed"} of the variation where it changed it, else None).
    without-field removes its field whatever the contract says (the reliance report)."""
    if variation is None or operation is None or not answer.body:
        return answer, None
    try:
        body = json.loads(answer.body)
    except ValueError:
        return answer, None
    name, seed, field = variation
    changed = without(body, field) if name == WITHOUT and field else vary_answer(operation, int(answer.status[:3]), body, name, seed)
    if changed is body or changed == body:
        return answer, None  # nothing to vary: not counted as applied
    kept = [h for h in answer.headers if h[0] not in ("Content-Type", "Content-Length")]
    return Answer.json(int(answer.status[:3]), changed, answer.code, kept), {"name": name, "seed": seed, **({"field": field} if field else {})}
