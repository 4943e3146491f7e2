"""`campaign-mock check`: Schemathesis with our contract and domain checks against any
server (a vendor or the mock), and a drift report comparing two servers.

- settings.py   what the checks need to know (credentials, steering ids), via env variables
- exchange.py   one request/response pair, independent of Schemathesis (the adapter)
- rules.py      the domain rules, pure functions of an Exchange
- checks.py     the Schemathesis hooks module (checks, auth, steering, failure filter)
- runner.py     runs `schemathesis run` with checks.py loaded
- drift.py      `--compare-url`: the same requests to two servers, differences printed
"""

__all__ = ["RULES", "CheckSettings", "DriftReport", "Exchange", "RunOptions", "drift", "run"]

_HOMES = {
    "RULES": "campaign_mock.check.rules", "CheckSettings": "campaign_mock.check.settings", "DriftReport": "campaign_mock.check.drift",
    "Exchange": "campaign_mock.check.exchange", "RunOptions": "campaign_mock.check.runner", "drift": "campaign_mock.check.drift",
    "run": "campaign_mock.check.runner",
}


def __getattr__(name: str):
    # Imported on first use: importing the package must not load Schemathesis or requests.
    if name in _HOMES:
        from importlib import import_module

        return getattr(import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'campaign_mock.check' has no attribute {name!r}")
