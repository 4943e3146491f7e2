"""Schemathesis hooks for runs against the admin API (SCHEMATHESIS_HOOKS=admin_hooks): every
refusal must be the admin API's JSON error, naming what is wrong."""

from __future__ import annotations

import json

import schemathesis
from schemathesis.core.failures import Failure


class AdminErrorUnclear(Failure):
    code = "ST951"
    kind_title = "Admin error without a JSON body naming what is wrong"


@schemathesis.check
def admin_error_names_what_is_wrong(ctx, response, case):
    if response.status_code < 400:
        return None
    try:
        body = json.loads(response.content)
    except ValueError:
        body = None
    error = body.get("error") if isinstance(body, dict) else None
    if not (isinstance(error, dict) and "field" in error and isinstance(error.get("message"), str) and error["message"].strip()):
        raise AdminErrorUnclear(
            operation=case.operation.label,
            title="Admin error without a JSON body naming what is wrong",
            message=f"{response.status_code}: {response.content[:200]!r} is not {{\"error\": {{\"field\": ..., \"message\": \"...\"}}}}",
        )
    return None
