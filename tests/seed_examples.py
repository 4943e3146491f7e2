"""Extract the documented examples from the vendor pages in tests/data/seeds/.

The seed files are plain-text copies of the vendor documentation (ground truth).
Nothing here is hand-copied: every example is located in the text and parsed, so a
test that validates these bodies validates the documentation itself.

    documented_examples() -> {
        "spaaza_get_campaigns": <full get-campaigns example response>,
        "user_progress_standard": {...}, "user_progress_loyalty": {...},
        "user_progress_wallet": {...},
        "levelup": {representation_name: (campaign_id_from_url, body)},
    }
    documented_spaaza_errors() -> [(code, name, description, http_status), ...]
    documented_spaaza_request() -> {"path": ..., "query": {...}, "headers": {...}}
"""
from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

SEEDS = Path(__file__).resolve().parent / "data" / "seeds"
SPAAZA_PROGRESS = "000_7b7403723b20141f.txt"
LEVELUP = "001_019e86c7b70070d8.txt"
SPAAZA_GET_CAMPAIGNS = "003_e8c34ac7eed7c8e0.txt"

_DECODER = json.JSONDecoder()


def _text(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def _decode_at(text: str, start: int):
    """Decode the JSON value that starts at the first '{' or '[' at/after start."""
    m = re.compile(r"[{\[]").search(text, start)
    if m is None:
        raise ValueError(f"no JSON value after offset {start}")
    value, _end = _DECODER.raw_decode(text, m.start())
    return value


def _spaaza_get_campaigns(text: str) -> dict:
    # The example body starts at the line '{' after 'Example response:' and ends
    # before the 'Possible error responses' heading (which also appears earlier,
    # in the page's table of contents, so search from the example onwards).
    i = text.index("Example response:")
    j = re.compile(r"^\{\s*$", re.M).search(text, i).start()
    k = text.index("Possible error responses", j)
    return json.loads(text[j:k])


def _user_progress(text: str) -> dict[str, dict]:
    # The page shows three fragments '"user_progress": {...}' (one with a trailing
    # comma); wrap each in braces, i.e. decode the object after the key.
    found = {}
    for label, key in (("Standard", "standard"), ("Loyalty", "loyalty"), ("Wallet", "wallet")):
        head = re.compile(rf"^\s*\W*\s*{label} - ", re.M).search(text)
        if head is None:
            raise ValueError(f"user_progress section {label!r} not found")
        frag = text.index('"user_progress":', head.end())
        found[key] = json.loads("{" + text[frag:_fragment_end(text, frag)] + "}")["user_progress"]
    return found


def _fragment_end(text: str, frag: int) -> int:
    brace = text.index("{", frag)
    _value, end = _DECODER.raw_decode(text, brace)
    return end


_CURL = re.compile(r"curl \S*?/v15/campaigns/(\d+)/(\w+)")


def _levelup(text: str) -> dict[str, tuple[int, dict]]:
    out: dict[str, tuple[int, dict]] = {}
    curls = list(_CURL.finditer(text))
    for n, m in enumerate(curls):
        stop = curls[n + 1].start() if n + 1 < len(curls) else len(text)
        head = text.find("Example Response", m.end(), stop)
        if head < 0:
            raise ValueError(f"no example response for {m.group(2)}")
        out[m.group(2)] = (int(m.group(1)), _decode_at(text, head))
    return out


_ERROR_ROW = re.compile(r"^(\d+) \| (\w+) (.+?) \| (\d{3}) \|\s*$", re.M)


@functools.cache
def documented_spaaza_errors() -> tuple[tuple[int, str, str, int], ...]:
    """The error table of the get-campaigns page, in the table's order."""
    text = _text(SPAAZA_GET_CAMPAIGNS)
    table = text[text.index("Possible error responses", text.index("Example response:")):]
    return tuple((int(c), n, d, int(s)) for c, n, d, s in _ERROR_ROW.findall(table))


@functools.cache
def documented_spaaza_request() -> dict:
    """The documented example curl request of get-campaigns."""
    text = _text(SPAAZA_GET_CAMPAIGNS)
    m = re.search(r"curl --location '([^']+)'", text)
    url = urlsplit(m.group(1))
    end = text.index("Response (#response)", m.end())
    headers = dict(re.findall(r"--header '([^:]+): ([^']*)'", text[m.end():end]))
    return {"url": m.group(1), "path": url.path, "query": dict(parse_qsl(url.query)), "headers": headers}


@functools.cache
def _examples() -> dict:
    progress = _user_progress(_text(SPAAZA_PROGRESS))
    return {
        "spaaza_get_campaigns": _spaaza_get_campaigns(_text(SPAAZA_GET_CAMPAIGNS)),
        "user_progress_standard": progress["standard"],
        "user_progress_loyalty": progress["loyalty"],
        "user_progress_wallet": progress["wallet"],
        "levelup": _levelup(_text(LEVELUP)),
    }


def documented_examples() -> dict:
    """A fresh deep copy of every documented example (callers may mutate it)."""
    return copy.deepcopy(_examples())
