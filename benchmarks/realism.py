"""How realistic the generated world is, over many seeds: the number of violations of each
consistency rule (world/consistency.py; every one must be 0), which of the value variants
(world/variety.py) the vendor documents (and the user_progress states a client must render) the generated part
of each seed shows (every one, in every seed), and whether every generated chain's default
answer shows a live loyalty programme and an active campaign of every type. Usage:

    .venv/bin/python benchmarks/realism.py [--seeds 20] [--chains 3] [--users 3] [--merchants 2] [--levelup-users 3] [--clocks -3650,-730,-180,180,1825]

Prints the figures; exits 1 if a rule is broken, a variant missing or a chain's default
answer incomplete in any seed. What is served at each moved clock (Spaaza's get-campaigns for
every user, LevelUp's every representation for every user) is judged by the same rules
(consistency.served_findings), per clock.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from datetime import timedelta

from campaign_mock.runtime.clock import at_clock
from campaign_mock.world import build_world
from campaign_mock.world.consistency import RULES, findings, served_findings
from campaign_mock.world.variety import DOCUMENTED_VARIANTS, live_programme_gaps, variants_seen
from campaign_mock.world.views import exists_now, levelup_exists_now


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--chains", type=int, default=3)
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--merchants", type=int, default=2)
    parser.add_argument("--levelup-users", type=int, default=3)
    parser.add_argument("--clocks", default="-3650,-730,-180,180,1825", help="days from the reference clock at which what is served is judged too (consistency.served_findings)")
    args = parser.parse_args()
    moves = [timedelta(days=int(d)) for d in args.clocks.split(",") if d]
    moved: Counter[str] = Counter()
    per_clock: Counter[tuple[int, str]] = Counter()  # (days moved, what) -> count
    broken: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    gaps = 0
    campaigns = listed = levelup = 0
    start = time.process_time()
    for seed in range(args.seeds):
        world = build_world(seed, chains=args.chains, users_per_chain=args.users, merchants=args.merchants, levelup_users=args.levelup_users)
        campaigns += sum(len(ch.campaigns) + len(ch.unlisted) for ch in world.spaaza.chains.values())
        listed += sum(len(ch.campaigns) for ch in world.spaaza.chains.values())
        levelup += len(world.levelup.campaigns)
        broken.update(f.rule for f in findings(world))
        for move in moves:
            at = at_clock(world, world.clock + move)
            found = served_findings(at)
            moved.update(f.rule for f in found)
            per_clock.update((move.days, f"{f.path[0]} violations") for f in found)
            per_clock[move.days, "spaaza campaigns"] += sum(exists_now(at, c) for ch in world.spaaza.chains.values() for c in ch.campaigns)
            per_clock[move.days, "levelup campaigns"] += sum(levelup_exists_now(at, c) for c in world.levelup.campaigns.values())
        seen.update(variants_seen(world))
        gaps += len(live_programme_gaps(world))
    seconds = time.process_time() - start
    n = args.seeds
    print(f"{n} seeds (chains={args.chains}, users={args.users}, merchants={args.merchants}, levelup users={args.levelup_users}), "
          f"{campaigns} Spaaza campaigns, {seconds:.1f} s CPU (building and judging)\n")
    print(f"{'consistency rule':<28}{'violations':>11}")
    for rule in RULES:
        print(f"{rule:<28}{broken[rule]:>11}")
    unknown = set(broken) - set(RULES)
    for rule in sorted(unknown):
        print(f"{rule + ' (not in RULES)':<28}{broken[rule]:>11}")
    print(f"\nwhat is served at a clock moved by {', '.join(f'{m.days:+} days' for m in moves)}: {sum(moved.values())} violations" + "".join(f"\n  {rule}: {n}" for rule, n in moved.items()))
    print(f"\n{'clock moved':>12}{'Spaaza violations':>19}{'LevelUp violations':>20}{'Spaaza listed existing':>24}{'LevelUp existing':>18}  (of {listed} and {levelup})")
    for m in moves:
        d = m.days
        print(f"{d:>+8} days{per_clock[d, 'spaaza violations']:>19}{per_clock[d, 'levelup violations']:>20}{per_clock[d, 'spaaza campaigns']:>24}{per_clock[d, 'levelup campaigns']:>18}")
    print(f"\n{'documented variant':<42}{'seeds showing it':>17}")
    for variant in DOCUMENTED_VARIANTS:
        print(f"{variant:<42}{seen[variant]:>12} / {n}")
    print(f"\ngenerated chains whose default answer lacks a live programme or an active type: {gaps}")
    missing = [v for v in DOCUMENTED_VARIANTS if seen[v] < n]
    ok = not broken and not moved and not missing and not gaps
    print("\nOK: no violations, every variant in every seed, every chain live" if ok else f"\nFAIL: {sum(broken.values())} violations, {len(missing)} variants missing in some seed, {gaps} incomplete chains")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
