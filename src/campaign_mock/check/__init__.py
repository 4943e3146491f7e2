"""`campaign-mock check`: Schemathesis with our contract and domain checks against any
server (a vendor or the mock), and a drift report comparing two servers.

- settings.py   what the checks need to know (credentials, steering ids), via env variables
- exchange.py   one request/response pair, independent of Schemathesis (the adapter)
- rules.py      the domain rules, pure functions of an Exchange
- checks.py     the Schemathesis hooks module (checks, auth, steering, failure filter)
- runner.py     runs `schemathesis run` with checks.py loaded
- drift.py      `--compare-url`: the same requests to two servers, differences printed
"""
