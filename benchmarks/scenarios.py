"""The largest scenario world the checks accept (world/specs.SCENARIO_LIMITS): a document at
every limit at once, and one with every campaign in one chain of 98 users, their check and
build time and the process's peak memory, beside the
default world's, and proof that one more of each is refused with the limit named. Each
measurement runs in a process of its own (peak RSS is per process). Prints figures; asserts
nothing but the refusals. Usage:

    .venv/bin/python benchmarks/scenarios.py
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from campaign_mock.exceptions import ScenarioError
from campaign_mock.world.specs import MAX_USERS_PER_CHAIN, SCENARIO_LIMITS


def largest(extra: str | None = None) -> dict:
    """A document at every limit (`extra`: one past that one)."""
    more = dict.fromkeys(SCENARIO_LIMITS, 0)
    if extra:
        more[extra] = 1
    chains_n = SCENARIO_LIMITS["chains"] + more["chains"]
    campaigns_n = SCENARIO_LIMITS["campaigns"] + more["campaigns"]
    users_n = SCENARIO_LIMITS["users"] + more["users"]
    assignments_left = SCENARIO_LIMITS["assignments"] + more["assignments"]
    chains = []
    for i in range(chains_n):
        chain_id = 7001 + i
        campaigns = []
        for k in range(campaigns_n // chains_n + (i < campaigns_n % chains_n)):
            count = min(assignments_left, 25)
            assignments_left -= count
            campaigns.append({"id": chain_id * 1000 + 100 + k, "type": "signup", "assignment_count": count})
        users = min(MAX_USERS_PER_CHAIN, users_n // chains_n + (i < users_n % chains_n))
        chains.append({"id": chain_id, "campaigns": campaigns, "generated_users": users})
    if assignments_left:
        chains[0]["campaigns"][0]["assignment_count"] += assignments_left
    levelup_campaigns = [{"id": 9001 + k, "kind": "spend_loyalty"} for k in range(SCENARIO_LIMITS["levelup campaigns"] + more["levelup campaigns"])]
    levelup_users = [{"user_id": 100_001 + k} for k in range(SCENARIO_LIMITS["levelup users"] + more["levelup users"])]
    return {"spaaza": {"chains": chains}, "levelup": {"campaigns": levelup_campaigns, "users": levelup_users}}


def densest() -> dict:
    """Every campaign in one chain of 98 users: the most user progress a document can ask for."""
    return {"spaaza": {"chains": [{"id": 7001, "generated_users": MAX_USERS_PER_CHAIN, "campaigns": [{"id": 7001100 + k, "type": "signup"} for k in range(SCENARIO_LIMITS["campaigns"])]}]}}


def measure(path: str | None) -> dict:
    """In this process: check and build the world of the document at `path` (None: default)."""
    from campaign_mock.scenario import load_scenarios
    from campaign_mock.world.build import build_world

    start = time.perf_counter()
    scenarios = load_scenarios([path] if path else [])
    checked = time.perf_counter()
    world = build_world(0, scenarios=scenarios)
    built = time.perf_counter()
    return {
        "check_s": round(checked - start, 2),
        "build_s": round(built - checked, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "campaigns": sum(len(ch.campaigns) + len(ch.unlisted) for ch in world.spaaza.chains.values()),
        "users": len(world.spaaza.users),
        "levelup_campaigns": len(world.levelup.campaigns),
    }


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2] or None)))
        return 0
    from campaign_mock.scenario import load_scenarios

    with tempfile.TemporaryDirectory() as folder:
        path, dense = Path(folder) / "largest.json", Path(folder) / "densest.json"
        path.write_text(json.dumps(largest()), encoding="utf-8")
        dense.write_text(json.dumps(densest()), encoding="utf-8")
        print(f"limits: {', '.join(f'{k} {v:,}' for k, v in SCENARIO_LIMITS.items())}; the largest document: {path.stat().st_size / 1024:.0f} KB")
        for label, arg in (("default world", ""), ("largest accepted", str(path)), ("densest chain", str(dense))):
            out = subprocess.run([sys.executable, __file__, "--measure", arg], capture_output=True, text=True, check=True)
            m = json.loads(out.stdout)
            print(f"{label:18} check {m['check_s']:6.2f} s  build {m['build_s']:6.2f} s  peak {m['peak_mb']:5} MB  ({m['campaigns']:,} campaigns, {m['users']:,} users, {m['levelup_campaigns']:,} LevelUp campaigns)")
        for what in SCENARIO_LIMITS:
            past = Path(folder) / "past.json"
            past.write_text(json.dumps(largest(what)), encoding="utf-8")
            try:
                load_scenarios([past])
            except ScenarioError as e:
                assert f"more than {SCENARIO_LIMITS[what]} {what}" in str(e), str(e)
                print(f"one more of {what:18} refused: {e.problems[0][len(str(past)) + 1:][:110]}...")
            else:
                raise AssertionError(f"one more of {what} was accepted")
    return 0


if __name__ == "__main__":
    sys.exit(main())
