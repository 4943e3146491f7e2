"""The domain's consistency rules, checked over a whole world. The generator keeps them by
construction; this module states them once, so tests can prove each holds for many seeds
and that each is caught when planted broken. Returns findings, never raises.

Each finding is 'rule: where: what'; RULES names every rule. `variants_seen` says which of
the value variants the vendor documents (and the user_progress states a client renders) a
world shows: DOCUMENTED_VARIANTS lists them all."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterator

from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.world import documented
from campaign_mock.world.domain import CURRENCIES, award_limit, cashback_rate, has_started, is_within_window, loyalty_wallet, parse_time, wallet_flows
from campaign_mock.world.levelup import LOYALTY_REQUIREMENTS
from campaign_mock.world.model import Json, LevelUpCampaign, World
from campaign_mock.world.specs import GENERATED_CHAINS, WALLET_TYPES
from campaign_mock.world.views import levelup_body

# Every rule a finding can name (the text before its first colon).
RULES = (
    "chain", "wallet reference", "creation order", "loyalty rules", "loyalty levels", "dates", "after the clock", "activity",
    "assignments", "progress", "awards", "award limit", "not started", "current count", "wallet currency", "wallet",
    "wallet flows",
    "loyalty level", "loyalty next level", "loyalty balance", "loyalty dates", "texts", "campaign rules", "user", "app",
    "money", "loyalty progress", "goals", "opt-in", "levelup dates", "levelup texts",
)
LEVELUP_RULES = RULES[RULES.index("money"):]

LEVELUP_MONEY = ("earn_amount", "required_spend_amount", "progress_amount", "qualifying_order_spend_amount")


def findings(world: World) -> list[str]:
    """Every broken rule, as 'rule: where: what'. Empty for a consistent world."""
    return [*_spaaza(world), *_levelup(world)]


def _spaaza(world: World) -> Iterator[str]:
    spaaza = world.spaaza
    for chain in spaaza.chains.values():
        by_id = {c["id"]: c for c in (*chain.campaigns, *chain.unlisted)}
        for c in by_id.values():
            where = f"campaign {c['id']}"
            if c["chain_id"] != chain.id:
                yield f"chain: {where}: chain_id {c['chain_id']} in chain {chain.id}"
            for key in ("recipient_campaign_id", "point_cost_method_wallet_campaign_id"):
                if c.get(key) is not None and by_id.get(c[key], {}).get("type") not in WALLET_TYPES:
                    yield f"wallet reference: {where}: {key} {c[key]} is no wallet of chain {chain.id}"
            for rule in c.get("loyalty_rules", ()):
                for key in ("wallet_campaign_id", "operand_campaign_id"):
                    if key in rule and by_id.get(rule[key], {}).get("type") not in WALLET_TYPES:
                        yield f"wallet reference: {where}: loyalty rule {rule['id']} {key} {rule[key]} is no wallet of chain {chain.id}"
            for key, ref in _references(c):
                referenced = by_id.get(ref)
                if referenced is not None and parse_time(referenced["created_date"]) > parse_time(c["created_date"]):
                    yield f"creation order: {where}: {key} {ref} was created after it ({referenced['created_date']} > {c['created_date']})"
            if c["type"] == "loyalty":
                yield from _levels_and_rules(c)
            yield from _dates(c, world.clock)
            if "current_count" in c and not 0 <= c["current_count"] < max(1, c["target_count"]):
                yield f"current count: {where}: current_count {c['current_count']} for target_count {c['target_count']}"
            yield from _texts(c, chain.name)
            for rule in c.get("campaign_rules") or ():
                if rule.get("campaign_id") != c["id"] or (rule.get("rule_type") == "minimum_basket_total_value" and rule.get("value") != c["minimum_basket_total_value"]):
                    yield f"campaign rules: {where}: rule {rule.get('id')} ({rule.get('rule_type')} {rule.get('value')}, campaign {rule.get('campaign_id')}) is not the campaign's (minimum_basket_total_value {c['minimum_basket_total_value']})"
            assignments = c.get("campaign_assignments")
            if assignments is not None and len(assignments) != c["assignment_count"]:
                yield f"assignments: {where}: assignment_count {c['assignment_count']} but {len(assignments)} listed"
    flows: dict[int, dict[int, tuple[int, int]]] = {}  # user -> wallet -> (paid in, redeemed)
    for (user_id, cid), progress in spaaza.progress.items():
        chain, c = spaaza.campaigns[cid]
        yield from _progress(world, user_id, c, progress, chain.id)
        if "award_count" in progress:
            wallet_flows(c, progress, flows.setdefault(user_id, {}))
    for user_id, by_wallet in flows.items():
        for wallet_id, (paid, redeemed) in by_wallet.items():
            wallet = spaaza.progress.get((user_id, wallet_id))
            where = f"user {user_id} campaign {wallet_id}"
            if wallet is None or "total_amount" not in wallet:
                continue
            if wallet["total_amount"] < paid:
                yield f"wallet flows: {where}: total_amount {wallet['total_amount']} but the user's awards paid {paid} into it"
            if wallet["total_amount"] - wallet["saved_amount"] < redeemed:
                yield f"wallet flows: {where}: {wallet['total_amount'] - wallet['saved_amount']} spent but the user's vouchers cost {redeemed} from it"
    for (user_id, cid), count in spaaza.current_counts.items():
        c = spaaza.campaigns[cid][1]
        where = f"user {user_id} campaign {cid}"
        if not 0 <= count < max(1, c["target_count"]):
            yield f"current count: {where}: current_count {count} for target_count {c['target_count']}"
        elif count and not has_started(c, world.clock):
            yield f"not started: {where}: current_count {count} before the campaign starts ({c['active_date_from']})"
    for user in spaaza.users.values():
        if user.chain_id not in spaaza.chains:
            yield f"user: {user.user_id}: chain {user.chain_id} does not exist"
    for app in spaaza.apps.values():
        if app.chain_id is not None and spaaza.chain(app.chain_id) is None:
            yield f"app: {app.hostname}: chain {app.chain_id} does not exist"


def _references(c: Json) -> Iterator[tuple[str, int]]:
    """(field, campaign id) of every campaign this one refers to."""
    for key in ("recipient_campaign_id", "point_cost_method_wallet_campaign_id", "sender_campaign_id"):
        if c.get(key) is not None:
            yield key, c[key]
    for rule in c.get("loyalty_rules", ()):
        if "wallet_campaign_id" in rule:
            yield f"loyalty rule {rule['id']} wallet_campaign_id", rule["wallet_campaign_id"]


_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_SYMBOLS = {c["symbol"]: c["code"] for c in CURRENCIES.values() if c["code"] != "PTS"}
_TEXT_FIELDS = ("title", "description", "voucher_title", "voucher_text")


def _numbers(c: Json) -> set[float]:
    """The numbers a campaign's texts may state: its own."""
    keys = ("recipient_reward_amount", "point_cost", "target_count", "minimum_basket_total_value", "days_before", "max_reward_quantity")
    out = {float(c[k]) for k in keys if isinstance(c.get(k), (int, float))}
    if c.get("goal_amount"):
        out.add(float(c["goal_amount"]))
    if c.get("recipient_reward_discount_ratio"):
        out.add(round(c["recipient_reward_discount_ratio"] * 100, 6))
    if c.get("cashback_ratio"):
        out.update(map(float, cashback_rate(c["cashback_ratio"])))
    return out


def _texts(c: Json, chain_name: str) -> Iterator[str]:
    """Texts state the campaign's own numbers and currency: a title cannot promise €15 on a
    campaign that pays 5, nor speak of pounds in a campaign in euros."""
    allowed = _numbers(c)
    currency = CURRENCIES.get(c.get("currency_id"), {})
    for key in _TEXT_FIELDS:
        text = c.get(key)
        if not isinstance(text, str):
            continue
        text = text.replace(chain_name, "")
        for number in _NUMBER.findall(text):
            if float(number) not in allowed:
                yield f"texts: campaign {c['id']}: {key} {text!r} states {number}, which is none of the campaign's numbers"
        rate = re.search(r"(\d+) points? for every (\d+)", text)
        if c.get("cashback_ratio") and rate and tuple(map(int, rate.groups())) != cashback_rate(c["cashback_ratio"]):
            yield f"texts: campaign {c['id']}: {key} {text!r} states a rate other than cashback_ratio {c['cashback_ratio']}"
        for symbol, code in _SYMBOLS.items():
            if (symbol in text or re.search(rf"\b{code}\b", text)) and code != currency.get("code"):
                yield f"texts: campaign {c['id']}: {key} {text!r} speaks of {code}, the campaign is in {currency.get('code')}"


def _levels_and_rules(c: Json) -> Iterator[str]:
    where = f"campaign {c['id']}"
    levels = {lv["id"]: lv for lv in c["loyalty_levels"]}
    initial = [r for r in c["loyalty_rules"] if r["type"] == "initial"]
    if len(initial) != 1 or initial[0]["points_threshold"] != 0:
        yield f"loyalty rules: {where}: needs exactly one initial rule at threshold 0"
    for lv in levels.values():
        if lv["campaign_id"] != c["id"]:
            yield f"loyalty levels: {where}: level {lv['id']} belongs to campaign {lv['campaign_id']}"
    for rule in c["loyalty_rules"]:
        level = levels.get(rule["loyalty_level_id"])
        if level is None or level["name"] != rule["loyalty_level_name"] or rule["campaign_id"] != c["id"]:
            yield f"loyalty rules: {where}: rule {rule['id']} does not name a level of this campaign"
    thresholds = [r["points_threshold"] for r in c["loyalty_rules"]]
    if len(set(thresholds)) != len(thresholds):
        yield f"loyalty rules: {where}: two rules share a threshold"


def _dates(c: Json, clock: datetime) -> Iterator[str]:
    where = f"campaign {c['id']}"
    if parse_time(c["created_date"]) > parse_time(c["last_modified_date"]):
        yield f"dates: {where}: created after last modified"
    if c.get("last_updated_date") not in (None, c["last_modified_date"]):
        yield f"dates: {where}: last_updated_date differs from last_modified_date"
    start, end = c.get("active_date_from"), c.get("active_date_until")
    if start and end and parse_time(start) > parse_time(end):
        yield f"dates: {where}: active window ends before it starts"
    if c["is_active"] and not (c["active"] and is_within_window(c, clock)):
        yield f"activity: {where}: is_active but inactive or outside its window at {clock.isoformat()}"
    for key in ("created_date", "last_modified_date"):
        if parse_time(c[key]) > clock:
            yield f"after the clock: {where}: {key} {c[key]} is after the clock {clock.isoformat()}"


def _progress(world: World, user_id: int, c: Json, p: Json, chain_id: int) -> Iterator[str]:
    where = f"user {user_id} campaign {c['id']}"
    user = world.spaaza.users.get(user_id)
    if user is None or user.chain_id != chain_id:
        yield f"progress: {where}: the user is not of chain {chain_id}"
    if "award_count" in p:
        expected = p["award_count"] * (c.get("recipient_reward_amount") or 0)
        if p["total_amount_awarded"] != expected:
            yield f"awards: {where}: {p['award_count']} awards of {c.get('recipient_reward_amount')} but {p['total_amount_awarded']} awarded"
        limit, allowed = c.get("max_reward_quantity"), award_limit(c, world.clock)
        if isinstance(limit, int) and p["award_count"] > limit:
            yield f"award limit: {where}: awarded {p['award_count']} times, max_reward_quantity {limit}"
        elif allowed is not None and p["award_count"] > allowed:
            yield f"award limit: {where}: awarded {p['award_count']} times, a birthday campaign {allowed} times at most by the clock (once a year since it started)"
        if p["award_count"] and not has_started(c, world.clock):
            yield f"not started: {where}: awarded {p['award_count']} times before the campaign starts ({c['active_date_from']})"
    elif "saved_amount" in p:
        if p["currency"] != world.spaaza.currencies[c["currency_id"]]:
            yield f"wallet currency: {where}: progress in {p['currency']['code']}, wallet in currency {c['currency_id']}"
        if p["total_amount"] < p["saved_amount"]:
            yield f"wallet: {where}: saved more than ever added"
    elif "points_balance_current" in p:
        points = p["points_balance_current"]
        rules = sorted(c["loyalty_rules"], key=lambda r: r["points_threshold"])
        reached = [r for r in rules if r["points_threshold"] <= points] or rules[:1]
        higher = [r["points_threshold"] for r in rules if r["points_threshold"] > points]
        if p["loyalty_level_id"] != reached[-1]["loyalty_level_id"] or p["name"] != reached[-1]["loyalty_level_name"]:
            yield f"loyalty level: {where}: {points} points reach {reached[-1]['loyalty_level_name']}, progress says {p['name']}"
        if p["points_to_proceed_next_level"] != (higher[0] - points if higher else None):
            yield f"loyalty next level: {where}: points_to_proceed_next_level {p['points_to_proceed_next_level']} for {points} points"
        wallet_id = loyalty_wallet(c)
        wallet = world.spaaza.progress.get((user_id, wallet_id))
        if wallet is not None and wallet["saved_amount"] != points:
            yield f"loyalty balance: {where}: {points} points but {wallet['saved_amount']} in wallet {wallet_id}"
        # Reached after the programme and its wallet existed, not after the clock.
        wallet_campaign = world.spaaza.campaigns.get(wallet_id, (None, {}))[1]
        since = max(parse_time(x["created_date"]) for x in (c, wallet_campaign) if "created_date" in x)
        for key in ("date_reached", "last_review_date"):
            if p.get(key) is not None and not since <= parse_time(p[key]) <= world.clock:
                yield f"loyalty dates: {where}: {key} {p[key]} is not between {since.isoformat()} and the clock {world.clock.isoformat()}"


def _levelup(world: World) -> Iterator[str]:
    levelup = world.levelup
    users = {t.user_id for t in levelup.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions}
    for campaign in levelup.campaigns.values():
        for rep, body in campaign.bodies.items():
            for key in LEVELUP_MONEY:
                value = body["campaign"].get(key)
                if value is not None and type(value) is not int:
                    yield f"money: campaign {campaign.id} {rep}: {key} {value!r} is not integer cents"
        for user_id in users:
            progress = levelup.progress.get((user_id, campaign.id), 0)
            for rep, body in campaign.bodies.items():
                for key in LOYALTY_REQUIREMENTS:
                    if key in body["campaign"] and progress >= body["campaign"][key]:
                        yield f"loyalty progress: campaign {campaign.id} {rep} user {user_id}: progress {progress} reaches {key} {body['campaign'][key]} (it resets when a reward is earned)"
            if "custom_progress_based_v1" in campaign.bodies:
                shown = levelup_body(world, campaign, "custom_progress_based_v1", user_id)["campaign"]
                for g in shown["goals"]:
                    if g["goal"]["accomplished"] != (shown["current_progress"] >= g["goal"]["progress_required"]):
                        yield f"goals: campaign {campaign.id} user {user_id}: goal {g['goal']['id']} accomplished is wrong"
                if shown["requires_opt_in"] is not (shown["opted_in"] is not None):
                    yield f"opt-in: campaign {campaign.id} user {user_id}: opted_in {shown['opted_in']} with requires_opt_in {shown['requires_opt_in']} (null exactly when no opt-in is required)"
                elif shown["opted_in"] is False and progress:
                    yield f"opt-in: campaign {campaign.id} user {user_id}: progress {progress} without opting in"
        yield from _levelup_dates(campaign, world.clock)
        if campaign.id not in documented.LEVELUP_CAMPAIGNS:  # the docs' own bodies contradict each other (schemas/README.md)
            yield from _levelup_texts(campaign)


def _levelup_dates(campaign: LevelUpCampaign, clock: datetime) -> Iterator[str]:
    """A campaign opened and a progress period started before the clock; a period resets,
    and a campaign closes, after it starts."""
    for rep, body in campaign.bodies.items():
        c = body["campaign"]
        where = f"campaign {campaign.id} {rep}"
        for start_key, end_key in (("opens_at", "closes_at"), ("progress_period_starts_at", "progress_period_resets_at")):
            start, end = c.get(start_key), c.get(end_key)
            if start is not None and parse_time(start) > clock:
                yield f"levelup dates: {where}: {start_key} {start} is after the clock {clock.isoformat()}"
            if start is not None and end is not None and parse_time(end) <= parse_time(start):
                yield f"levelup dates: {where}: {end_key} {end} is not after {start_key} {start}"


def _cents_text(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"


def _levelup_texts(campaign: LevelUpCampaign) -> Iterator[str]:
    """Texts state the campaign's numbers (counts, and money in dollars of its cents) and,
    where items are counted, name the items the bodies count."""
    bodies = [b["campaign"] for b in campaign.bodies.values()]
    allowed: set[str] = set()
    items: set[str] = set()
    for c in bodies:
        for key in ("required_item_count", "required_visit_count"):
            if key in c:
                allowed.add(str(c[key]))
        for key in ("earn_amount", "required_spend_amount"):
            if c.get(key):
                allowed.add(_cents_text(c[key]))
        for g in c.get("goals", ()):
            allowed.update(_NUMBER.findall(g["goal"]["title"]))
            allowed.add(str(g["goal"]["progress_required"]) if c["progress_type"] == "item" else _cents_text(g["goal"]["progress_required"]))
        if c.get("reward_title"):
            allowed.update(_NUMBER.findall(c["reward_title"]))
        if "required_item_plural" in c and c.get("progress_type", "item") == "item":
            items.add(c["required_item_plural"].lower())
    texts = {(key, c[key]) for c in bodies for key in ("title", "description") if isinstance(c.get(key), str)}
    for key, text in sorted(texts):
        wrong = [n for n in _NUMBER.findall(text) if n not in allowed]
        if wrong:
            yield f"levelup texts: campaign {campaign.id}: {key} {text!r} states {', '.join(wrong)}, which none of its bodies does"
        if key == "description" and items and re.match(r"Buy \d", text) and not any(i in text.lower() for i in items):
            yield f"levelup texts: campaign {campaign.id}: {key} {text!r} names none of the items it counts ({', '.join(sorted(items))})"


# --- variety: what the generated part shows ---------------------------------------------

# The value variants the vendor documents and the user_progress states a client must render,
# as variants_seen names them. Every seed's generated part shows them all (tests, benchmarks/realism.py).
DOCUMENTED_VARIANTS = (
    "last_updated_date: null", "last_updated_date: set",
    "tags: null", "tags: string",
    "voucher_notes: null", 'voucher_notes: "null"', "voucher_notes: text",
    "max_reward_quantity: null", "max_reward_quantity: integer",
    "active_date_from: null", "active_date_from: set",
    "campaign: inactive", "campaign: expired", "campaign: future", "campaign: deleted",
    "user: new with nothing", "loyalty: near the next level", "loyalty: top level",
    "wallet: full", "wallet: empty", "current_count: one short of its target",
    "levelup opted_in: true", "levelup opted_in: false", "levelup opted_in: null",
    "levelup requires_opt_in: true", "levelup requires_opt_in: false",
    "levelup time: local offset", "levelup goal: accomplished", "levelup goal: open",
)


def _campaign_variants(c: Json, clock: datetime) -> Iterator[str]:
    yield "last_updated_date: " + ("null" if c.get("last_updated_date") is None else "set")
    yield "tags: " + ("null" if c.get("tags") is None else "string")
    if "voucher_notes" in c and c["type"] not in WALLET_TYPES and c["type"] != "loyalty":
        notes = c["voucher_notes"]
        yield "voucher_notes: " + ("null" if notes is None else '"null"' if notes == "null" else "text")
    yield "max_reward_quantity: " + ("null" if c.get("max_reward_quantity") is None else "integer")
    yield "active_date_from: " + ("null" if c.get("active_date_from") is None else "set")
    if c.get("is_deleted"):
        yield "campaign: deleted"
    elif not c["active"]:
        yield "campaign: inactive"
    elif not has_started(c, clock):
        yield "campaign: future"
    elif not is_within_window(c, clock):
        yield "campaign: expired"


def variants_seen(world: World) -> set[str]:
    """Which DOCUMENTED_VARIANTS the generated part of the world shows (the documented
    examples are left out: they show their own)."""
    seen: set[str] = set()
    spaaza = world.spaaza
    documented_ids = {c["id"] for c in documented.spaaza_campaigns()} | {documented.deleted_wallet_2009()["id"]}
    for cid, (_, c) in spaaza.campaigns.items():
        if cid not in documented_ids:
            seen.update(_campaign_variants(c, world.clock))
    progress_by_user: dict[int, list[Json]] = {}
    for (user_id, cid), p in spaaza.progress.items():
        progress_by_user.setdefault(user_id, []).append(p)
        if "points_to_proceed_next_level" in p:
            rules = sorted(r["points_threshold"] for r in spaaza.campaigns[cid][1]["loyalty_rules"])
            to_next = p["points_to_proceed_next_level"]
            if to_next is None:
                seen.add("loyalty: top level")
            else:
                reached = max(t for t in rules if t <= p["points_balance_current"])
                if 0 < to_next * 10 <= p["points_balance_current"] + to_next - reached:
                    seen.add("loyalty: near the next level")
        elif "saved_amount" in p and p["total_amount"] > 0:
            seen.add("wallet: full" if p["saved_amount"] == p["total_amount"] else "wallet: empty" if p["saved_amount"] == 0 else "wallet: partly spent")
    for progresses in progress_by_user.values():
        if all(p.get("award_count", 0) == 0 and p.get("total_amount", 0) == 0 and p.get("points_balance_current", 0) == 0 for p in progresses):
            seen.add("user: new with nothing")
    for (_user_id, cid), count in spaaza.current_counts.items():
        if count and count == spaaza.campaigns[cid][1]["target_count"] - 1:
            seen.add("current_count: one short of its target")
    levelup = world.levelup
    users = [t.user_id for t in levelup.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions]
    for campaign in levelup.campaigns.values():
        if campaign.id in documented.LEVELUP_CAMPAIGNS:
            continue
        for body in campaign.bodies.values():
            for key in ("opens_at", "closes_at", "progress_period_starts_at", "progress_period_resets_at"):
                if body["campaign"].get(key) and not body["campaign"][key].endswith("+00:00"):
                    seen.add("levelup time: local offset")
        if "custom_progress_based_v1" in campaign.bodies:
            for user_id in users:
                shown = levelup_body(world, campaign, "custom_progress_based_v1", user_id)["campaign"]
                seen.add(f"levelup requires_opt_in: {str(shown['requires_opt_in']).lower()}")
                seen.add("levelup opted_in: " + ("null" if shown["opted_in"] is None else str(shown["opted_in"]).lower()))
                seen.update(f"levelup goal: {'accomplished' if g['goal']['accomplished'] else 'open'}" for g in shown["goals"])
    return seen & set(DOCUMENTED_VARIANTS)


def live_programme_gaps(world: World) -> list[str]:
    """What a generated chain's default answer (API 1.5.0, no flags: inactive campaigns
    hidden) lacks: a live loyalty programme and an active campaign of every type."""
    from campaign_mock.contract import load_contract
    from campaign_mock.world.views import CampaignQuery, select

    types = set(load_contract().campaign_types)
    gaps = []
    for chain in world.spaaza.chains.values():
        if chain.id not in GENERATED_CHAINS:
            continue
        shown = {c["type"] for c in select(world, chain.campaigns, CampaignQuery())}
        if types - shown:
            gaps.append(f"chain {chain.id}: the default answer shows no active {', '.join(sorted(types - shown))}")
    return gaps
