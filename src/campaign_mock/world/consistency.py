"""The domain's consistency rules, checked over a whole world. The generator keeps them by
construction; this module states them once, so tests can prove each holds for many seeds
and that each is caught when planted broken, and the builder refuses a scenario world that
breaks one. The rules the vendors' docs state about a body are contract/body_rules.py's (the
checker holds any server to the same); the mock's own stricter ones are here.

A finding is data (body_rules.Finding): its rule (one of RULES); its path in the world, such as
("spaaza", "campaigns", id, field), ("spaaza", "progress", user id, campaign id, field) or
("levelup", "campaigns", id, "bodies", representation, "campaign", field) (Scenario.locations
is keyed by these paths' beginnings); its message, 'where: what'; and `also`, the other things
it is about (a progress finding's campaign and user, the clock a date is judged by)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterable, Iterator, Mapping

from campaign_mock.contract import body_rules
from campaign_mock.contract.body_rules import Finding, Path
from campaign_mock.contract.facts import MANAGE_USER_CAMPAIGNS
from campaign_mock.world import documented
from campaign_mock.world.domain import CURRENCIES, award_limit, cashback_rate, has_started, is_within_window, loyalty_wallet, parse_time, wallet_flows
from campaign_mock.world.levelup import LOYALTY_REQUIREMENTS
from campaign_mock.world.model import LEVELUP_PROGRESS_FIELD, Chain, Json, LevelUpCampaign, World
from campaign_mock.world.specs import WALLET_TYPES
from campaign_mock.world.views import CampaignQuery, get_campaigns, levelup_body, levelup_exists_now

# Every rule a finding can name.
RULES = (
    "chain", "wallet reference", "creation order", "loyalty rules", "loyalty levels", "dates", "after the clock", "activity",
    "assignments", "progress", "awards", "award limit", "not started", "current count", "wallet currency", "wallet",
    "wallet flows",
    "loyalty level", "loyalty next level", "loyalty balance", "loyalty dates", "texts", "campaign rules", "user", "app",
    "money", "loyalty progress", "goals", "opt-in", "levelup dates", "levelup texts",
)

LEVELUP_MONEY = ("earn_amount", "required_spend_amount", "progress_amount", "qualifying_order_spend_amount")
CLOCK: Path = ("clock",)


def findings(world: World) -> list[Finding]:
    """Every broken rule. Empty for a consistent world."""
    return [*_campaigns(world), *_progress(world), *_wallet_flows(world), *_current_counts(world), *_owners(world), *_levelup(world)]


def served_findings(world: World) -> list[Finding]:
    """The docs' rules (contract/body_rules.py) and the clock's over what get-campaigns serves
    of a world, every chain's campaigns as each of its users sees them (with the wallet rules
    across one user's answer), and over every LevelUp body that exists at the clock as each
    user sees it: how a world whose clock moved (runtime/clock.at_clock) is judged, since its
    stored values are the generator's at another clock and the views judge them at this one."""
    out: list[Finding] = []
    for chain in world.spaaza.chains.values():
        users = [u.user_id for u in world.spaaza.users.values() if u.chain_id == chain.id]
        for user_id in (None, *users):
            served = get_campaigns(world, chain, CampaignQuery(user_id=user_id, exclude_inactive=False))["results"]["campaigns"]
            if user_id is not None:
                progress = {(user_id, c["id"]): c["user_progress"] for c in served if "user_progress" in c}
                out += _flows_into_wallets(((user_id, c, c["user_progress"]) for c in served if "award_count" in c.get("user_progress", {})), progress)
                out += [f for c in served if "points_balance_current" in c.get("user_progress", {}) for f in _loyalty_balance(user_id, c, c["user_progress"], progress)]
            for c in served:
                p = c.get("user_progress")
                found = (*body_rules.campaign_dates(c), *body_rules.reached_in_time(c, p, clock=world.clock), *body_rules.loyalty_level(c, p), *body_rules.wallet_progress(c, p), *body_rules.nothing_awarded_without_awards(c, p))
                out += _in_world(found, c, user_id)
                at, where = campaign_path(c["id"]), f"campaign {c['id']}"
                out += [Finding("after the clock", at + (key,), f"{where}: {key} {c[key]} is after the clock {world.clock.isoformat()}", (CLOCK,)) for key in _DATED if isinstance(c.get(key), str) and parse_time(c[key]) > world.clock]
                if user_id is not None and not has_started(c, world.clock) and (c.get("current_count") or (isinstance(p, dict) and p.get("award_count"))):
                    out.append(Finding("not started", progress_path(user_id, c["id"]), f"user {user_id} {where}: progress counted before the campaign starts ({c.get('active_date_from')})", _about_progress(user_id, c["id"])))
    return [*out, *_levelup_served(world)]


_DATED = ("created_date", "last_modified_date", "last_updated_date")


# --- where things are in the world ----------------------------------------------------


def campaign_path(cid: int) -> Path:
    return ("spaaza", "campaigns", cid)


def progress_path(user_id: int, cid: int) -> Path:
    return ("spaaza", "progress", user_id, cid)


def _about_progress(user_id: int, cid: int) -> tuple[Path, ...]:
    """What a finding on a user's progress is also about: the campaign, then the user."""
    return (campaign_path(cid), ("spaaza", "users", user_id))


def _in_world(found: Iterable[Finding], c: Json, user_id: int | None = None) -> Iterator[Finding]:
    """Findings of contract/body_rules.py on a campaign (and a user's progress in it), as the
    world's: paths from the world's root, where they are before the message."""
    cid = c["id"]
    where = f"campaign {cid}" if user_id is None else f"user {user_id} campaign {cid}"

    def path(p: Path) -> Path:
        if p == CLOCK:
            return p
        if p[0] == "user_progress" and user_id is not None:
            return progress_path(user_id, cid) + p[1:]
        return campaign_path(cid) + p

    about = _about_progress(user_id, cid) if user_id is not None else ()
    for f in found:
        yield Finding(f.rule, path(f.path), f"{where}: {f.message}", (*about, *map(path, f.also)))


# --- Spaaza campaigns -----------------------------------------------------------------


def _campaigns(world: World) -> Iterator[Finding]:
    for chain in world.spaaza.chains.values():
        by_id = {c["id"]: c for c in (*chain.campaigns, *chain.unlisted)}
        for c in by_id.values():
            yield from _campaign(c, chain, by_id, world.clock)


def _campaign(c: Json, chain: Chain, by_id: dict[int, Json], clock: datetime) -> Iterator[Finding]:
    at, where = campaign_path(c["id"]), f"campaign {c['id']}"
    if c["chain_id"] != chain.id:
        yield Finding("chain", at + ("chain_id",), f"{where}: chain_id {c['chain_id']} in chain {chain.id}")
    yield from _references(c, chain, by_id)
    if c["type"] == "loyalty":
        yield from _levels_and_rules(c)
    yield from _dates(c, clock)
    if "current_count" in c and not 0 <= c["current_count"] < max(1, c["target_count"]):
        yield Finding("current count", at + ("current_count",), f"{where}: current_count {c['current_count']} for target_count {c['target_count']}")
    yield from _texts(c, chain.name)
    for rule in c.get("campaign_rules") or ():
        if rule.get("campaign_id") != c["id"] or (rule.get("rule_type") == "minimum_basket_total_value" and rule.get("value") != c["minimum_basket_total_value"]):
            message = f"rule {rule.get('id')} ({rule.get('rule_type')} {rule.get('value')}, campaign {rule.get('campaign_id')}) is not the campaign's (minimum_basket_total_value {c['minimum_basket_total_value']})"
            yield Finding("campaign rules", at + ("campaign_rules",), f"{where}: {message}")
    assignments = c.get("campaign_assignments")
    if assignments is not None and len(assignments) != c["assignment_count"]:
        yield Finding("assignments", at + ("assignment_count",), f"{where}: assignment_count {c['assignment_count']} but {len(assignments)} listed")


def _references(c: Json, chain: Chain, by_id: dict[int, Json]) -> Iterator[Finding]:
    """Wallet references name a wallet of the chain, created before the campaign."""
    at, where = campaign_path(c["id"]), f"campaign {c['id']}"
    for key in ("recipient_campaign_id", "point_cost_method_wallet_campaign_id"):
        if c.get(key) is not None and by_id.get(c[key], {}).get("type") not in WALLET_TYPES:
            yield Finding("wallet reference", at + (key,), f"{where}: {key} {c[key]} is no wallet of chain {chain.id}")
    for rule in c.get("loyalty_rules", ()):
        for key in ("wallet_campaign_id", "operand_campaign_id"):
            if key in rule and by_id.get(rule[key], {}).get("type") not in WALLET_TYPES:
                yield Finding("wallet reference", at + ("loyalty_rules",), f"{where}: loyalty rule {rule['id']} {key} {rule[key]} is no wallet of chain {chain.id}")
    for key, ref in _referred(c):
        referenced = by_id.get(ref)
        if referenced is not None and parse_time(referenced["created_date"]) > parse_time(c["created_date"]):
            yield Finding("creation order", at + ("created_date",), f"{where}: {key} {ref} was created after it ({referenced['created_date']} > {c['created_date']})", (campaign_path(ref),))


def _referred(c: Json) -> Iterator[tuple[str, int]]:
    """(field, campaign id) of every campaign this one refers to."""
    for key in ("recipient_campaign_id", "point_cost_method_wallet_campaign_id", "sender_campaign_id"):
        if c.get(key) is not None:
            yield key, c[key]
    for rule in c.get("loyalty_rules", ()):
        if "wallet_campaign_id" in rule:
            yield f"loyalty rule {rule['id']} wallet_campaign_id", rule["wallet_campaign_id"]


def _levels_and_rules(c: Json) -> Iterator[Finding]:
    at, where = campaign_path(c["id"]), f"campaign {c['id']}"
    levels = {lv["id"]: lv for lv in c["loyalty_levels"]}
    initial = [r for r in c["loyalty_rules"] if r["type"] == "initial"]
    if len(initial) != 1 or initial[0]["points_threshold"] != 0:
        yield Finding("loyalty rules", at + ("loyalty_rules",), f"{where}: needs exactly one initial rule at threshold 0")
    for lv in levels.values():
        if lv["campaign_id"] != c["id"]:
            yield Finding("loyalty levels", at + ("loyalty_levels",), f"{where}: level {lv['id']} belongs to campaign {lv['campaign_id']}")
    for rule in c["loyalty_rules"]:
        level = levels.get(rule["loyalty_level_id"])
        if level is None or level["name"] != rule["loyalty_level_name"] or rule["campaign_id"] != c["id"]:
            yield Finding("loyalty rules", at + ("loyalty_rules",), f"{where}: rule {rule['id']} does not name a level of this campaign")
    thresholds = [r["points_threshold"] for r in c["loyalty_rules"]]
    if len(set(thresholds)) != len(thresholds):
        yield Finding("loyalty rules", at + ("loyalty_rules",), f"{where}: two rules share a threshold")


def _dates(c: Json, clock: datetime) -> Iterator[Finding]:
    at, where = campaign_path(c["id"]), f"campaign {c['id']}"
    yield from _in_world(body_rules.campaign_dates(c), c)
    if c.get("last_updated_date") not in (None, c["last_modified_date"]):
        yield Finding("dates", at + ("last_updated_date",), f"{where}: last_updated_date differs from last_modified_date")
    if c["is_active"] and not (c["active"] and is_within_window(c, clock)):
        yield Finding("activity", at + ("is_active",), f"{where}: is_active but inactive or outside its window at {clock.isoformat()}")
    for key in ("created_date", "last_modified_date"):
        if parse_time(c[key]) > clock:
            yield Finding("after the clock", at + (key,), f"{where}: {key} {c[key]} is after the clock {clock.isoformat()}", (CLOCK,))


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


def _texts(c: Json, chain_name: str) -> Iterator[Finding]:
    """Texts state the campaign's own numbers and currency: a title cannot promise €15 on a
    campaign that pays 5, nor speak of pounds in a campaign in euros."""
    allowed = _numbers(c)
    currency = CURRENCIES.get(c["currency_id"], {}) if "currency_id" in c else {}
    for key in _TEXT_FIELDS:
        text = c.get(key)
        if not isinstance(text, str):
            continue
        at, where = campaign_path(c["id"]) + (key,), f"campaign {c['id']}"
        text = text.replace(chain_name, "")
        for number in _NUMBER.findall(text):
            if float(number) not in allowed:
                yield Finding("texts", at, f"{where}: {key} {text!r} states {number}, which is none of the campaign's numbers")
        rate = re.search(r"(\d+) points? for every (\d+)", text)
        if c.get("cashback_ratio") and rate and tuple(map(int, rate.groups())) != cashback_rate(c["cashback_ratio"]):
            yield Finding("texts", at, f"{where}: {key} {text!r} states a rate other than cashback_ratio {c['cashback_ratio']}")
        for symbol, code in _SYMBOLS.items():
            if (symbol in text or re.search(rf"\b{code}\b", text)) and code != currency.get("code"):
                yield Finding("texts", at, f"{where}: {key} {text!r} speaks of {code}, the campaign is in {currency.get('code')}")


# --- Spaaza users' progress -----------------------------------------------------------


def _progress(world: World) -> Iterator[Finding]:
    for (user_id, cid), p in world.spaaza.progress.items():
        chain, c = world.spaaza.campaigns[cid]
        user = world.spaaza.users.get(user_id)
        if user is None or user.chain_id != chain.id:
            yield Finding("progress", progress_path(user_id, cid), f"user {user_id} campaign {cid}: the user is not of chain {chain.id}", _about_progress(user_id, cid))
        if "award_count" in p:
            yield from _standard(world, user_id, c, p)
        elif "saved_amount" in p:
            yield from _in_world(body_rules.wallet_progress(c, p), c, user_id)
        elif "points_balance_current" in p:
            yield from _loyalty(world, user_id, c, p)


def _standard(world: World, user_id: int, c: Json, p: Json) -> Iterator[Finding]:
    """Awards pay the campaign's reward each, no more often than it allows, none before it starts."""
    at, where, about = progress_path(user_id, c["id"]) + ("award_count",), f"user {user_id} campaign {c['id']}", _about_progress(user_id, c["id"])
    yield from _in_world(body_rules.nothing_awarded_without_awards(c, p), c, user_id)
    if p["award_count"] and p["total_amount_awarded"] != p["award_count"] * (c.get("recipient_reward_amount") or 0):
        yield Finding("awards", at, f"{where}: {p['award_count']} awards of {c.get('recipient_reward_amount')} but {p['total_amount_awarded']} awarded", about)
    limit, allowed = c.get("max_reward_quantity"), award_limit(c, world.clock)
    if isinstance(limit, int) and p["award_count"] > limit:
        yield Finding("award limit", at, f"{where}: awarded {p['award_count']} times, max_reward_quantity {limit}", about)
    elif allowed is not None and p["award_count"] > allowed:
        yield Finding("award limit", at, f"{where}: awarded {p['award_count']} times, a birthday campaign {allowed} times at most by the clock (once a year since it started)", (*about, CLOCK))
    if p["award_count"] and not has_started(c, world.clock):
        yield Finding("not started", at, f"{where}: awarded {p['award_count']} times before the campaign starts ({c['active_date_from']})", about)


def _loyalty(world: World, user_id: int, c: Json, p: Json) -> Iterator[Finding]:
    """The level the points reach, the balance in the wallet that counts them, reached after
    the programme and its wallet existed and before the clock."""
    yield from _in_world(body_rules.loyalty_level(c, p), c, user_id)
    yield from _loyalty_balance(user_id, c, p, world.spaaza.progress)
    wallet_id = loyalty_wallet(c)
    wallet_created = None
    if wallet_id is not None:
        wallet_campaign = world.spaaza.campaigns[wallet_id][1] if wallet_id in world.spaaza.campaigns else {}
        wallet_created = parse_time(wallet_campaign["created_date"]) if "created_date" in wallet_campaign else None
    for key in ("date_reached", "last_review_date"):
        yield from _in_world(body_rules.reached_in_time(c, p, key, wallet_created, world.clock), c, user_id)


def _loyalty_balance(user_id: int, c: Json, p: Json, progress: Mapping[tuple[int, int], Json]) -> Iterator[Finding]:
    """A loyalty programme's points are the balance of the user's wallet its levels count."""
    points, wallet_id = p["points_balance_current"], loyalty_wallet(c)
    wallet = progress.get((user_id, wallet_id)) if wallet_id is not None else None
    if wallet_id is not None and wallet is not None and wallet["saved_amount"] != points:
        message = f"user {user_id} campaign {c['id']}: {points} points but {wallet['saved_amount']} in wallet {wallet_id}"
        yield Finding("loyalty balance", progress_path(user_id, c["id"]) + ("points_balance_current",), message, (progress_path(user_id, wallet_id), *_about_progress(user_id, c["id"])))


def _wallet_flows(world: World) -> Iterator[Finding]:
    standard = ((user_id, world.spaaza.campaigns[cid][1], p) for (user_id, cid), p in world.spaaza.progress.items() if "award_count" in p)
    return _flows_into_wallets(standard, world.spaaza.progress)


def _flows_into_wallets(standard: Iterable[tuple[int, Json, Json]], progress: Mapping[tuple[int, int], Json]) -> Iterator[Finding]:
    """What a user's awards paid into a wallet is in its total_amount; what their vouchers cost
    left it. `standard`: (user id, campaign, standard progress); `progress`: where the users'
    wallet progress is found."""
    flows: dict[int, dict[int, tuple[int, int]]] = {}  # user -> wallet -> (paid in, redeemed)
    for user_id, c, p in standard:
        wallet_flows(c, p, flows.setdefault(user_id, {}))
    for user_id, by_wallet in flows.items():
        for wallet_id, (paid, redeemed) in by_wallet.items():
            wallet = progress.get((user_id, wallet_id))
            if wallet is None or "total_amount" not in wallet:
                continue
            at, where, about = progress_path(user_id, wallet_id), f"user {user_id} campaign {wallet_id}", _about_progress(user_id, wallet_id)
            if wallet["total_amount"] < paid:
                yield Finding("wallet flows", at + ("total_amount",), f"{where}: total_amount {wallet['total_amount']} but the user's awards paid {paid} into it", about)
            if wallet["total_amount"] - wallet["saved_amount"] < redeemed:
                yield Finding("wallet flows", at + ("saved_amount",), f"{where}: {wallet['total_amount'] - wallet['saved_amount']} spent but the user's vouchers cost {redeemed} from it", about)


def _current_counts(world: World) -> Iterator[Finding]:
    """A user's current_count is below the target, and none before the campaign starts."""
    for (user_id, cid), count in world.spaaza.current_counts.items():
        c = world.spaaza.campaigns[cid][1]
        at, where, about = ("spaaza", "current_counts", user_id, cid), f"user {user_id} campaign {cid}", (progress_path(user_id, cid), *_about_progress(user_id, cid))
        if not 0 <= count < max(1, c["target_count"]):
            yield Finding("current count", at, f"{where}: current_count {count} for target_count {c['target_count']}", about)
        elif count and not has_started(c, world.clock):
            yield Finding("not started", at, f"{where}: current_count {count} before the campaign starts ({c['active_date_from']})", about)


def _owners(world: World) -> Iterator[Finding]:
    """Users and apps belong to chains that exist."""
    spaaza = world.spaaza
    for user in spaaza.users.values():
        if user.chain_id not in spaaza.chains:
            yield Finding("user", ("spaaza", "users", user.user_id, "chain_id"), f"{user.user_id}: chain {user.chain_id} does not exist")
    for app in spaaza.apps.values():
        if app.chain_id is not None and spaaza.chain(app.chain_id) is None:
            yield Finding("app", ("spaaza", "apps", app.hostname, "chain_id"), f"{app.hostname}: chain {app.chain_id} does not exist")


# --- LevelUp --------------------------------------------------------------------------


def _body_path(campaign: LevelUpCampaign, representation: str) -> Path:
    return ("levelup", "campaigns", campaign.id, "bodies", representation, "campaign")


def _levelup(world: World) -> Iterator[Finding]:
    users = {t.user_id for t in world.levelup.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions}
    for campaign in world.levelup.campaigns.values():
        for rep, body in campaign.bodies.items():
            for key in LEVELUP_MONEY:
                value = body["campaign"].get(key)
                if value is not None and type(value) is not int:
                    yield Finding("money", _body_path(campaign, rep) + (key,), f"campaign {campaign.id} {rep}: {key} {value!r} is not integer cents")
        for user_id in users:
            yield from _levelup_progress(world, campaign, user_id)
        yield from _levelup_dates(campaign, campaign.bodies, world.clock)
        if campaign.id not in documented.LEVELUP_CAMPAIGNS:  # the docs' own bodies contradict each other (schemas/README.md)
            yield from _levelup_texts(campaign)


def _levelup_progress(world: World, campaign: LevelUpCampaign, user_id: int) -> Iterator[Finding]:
    """Loyalty progress stays below every requirement; goals and opt-in as the user sees them."""
    at = ("levelup", "progress", user_id, campaign.id)
    user = ("levelup", "users", user_id)
    progress = world.levelup.progress.get((user_id, campaign.id), 0)
    for rep, body in campaign.bodies.items():
        for key in LOYALTY_REQUIREMENTS:
            if key in body["campaign"] and progress >= body["campaign"][key]:
                message = f"campaign {campaign.id} {rep} user {user_id}: progress {progress} reaches {key} {body['campaign'][key]} (it resets when a reward is earned)"
                yield Finding("loyalty progress", at, message, (_body_path(campaign, rep) + (key,), user))
    if "custom_progress_based_v1" not in campaign.bodies:
        return
    where, about = f"campaign {campaign.id} user {user_id}", (_body_path(campaign, "custom_progress_based_v1"), user)
    shown = levelup_body(world, campaign, "custom_progress_based_v1", user_id)
    for f in body_rules.goals_accomplished(shown):
        yield Finding(f.rule, at, f"{where}: {f.message}", about)
    c = shown["campaign"]
    if c["requires_opt_in"] is not (c["opted_in"] is not None):
        yield Finding("opt-in", at, f"{where}: opted_in {c['opted_in']} with requires_opt_in {c['requires_opt_in']} (null exactly when no opt-in is required)", about)
    elif c["opted_in"] is False and progress:
        yield Finding("opt-in", at, f"{where}: progress {progress} without opting in", about)


def _levelup_dates(campaign: LevelUpCampaign, bodies: Mapping[str, Json], clock: datetime) -> Iterator[Finding]:
    """A campaign opened and a progress period started before the clock; a period resets,
    and a campaign closes, after it starts; the period is the one running at the clock."""
    for rep, body in bodies.items():
        c = body["campaign"]
        where = f"campaign {campaign.id} {rep}"
        for start_key, end_key in (("opens_at", "closes_at"), ("progress_period_starts_at", "progress_period_resets_at")):
            start, end = c.get(start_key), c.get(end_key)
            if start is not None and parse_time(start) > clock:
                yield Finding("levelup dates", _body_path(campaign, rep) + (start_key,), f"{where}: {start_key} {start} is after the clock {clock.isoformat()}", (CLOCK,))
            if start is not None and end is not None and parse_time(end) <= parse_time(start):
                yield Finding("levelup dates", _body_path(campaign, rep) + (end_key,), f"{where}: {end_key} {end} is not after {start_key} {start}")
        resets = c.get("progress_period_resets_at")
        if resets is not None and parse_time(resets) <= clock:
            yield Finding("levelup dates", _body_path(campaign, rep) + ("progress_period_resets_at",), f"{where}: progress_period_resets_at {resets} is not after the clock {clock.isoformat()}: that period is over", (CLOCK,))


def _levelup_served(world: World) -> Iterator[Finding]:
    """What LevelUp serves at the world's clock: of every campaign that exists then, the dates
    (the same for every user) and, as each user sees it, progress below a loyalty requirement
    and goals accomplished exactly when reached."""
    users = sorted({t.user_id for t in world.levelup.tokens.values() if MANAGE_USER_CAMPAIGNS in t.permissions})
    for campaign in world.levelup.campaigns.values():
        if not levelup_exists_now(world, campaign) or not users:
            continue
        for i, user_id in enumerate(users):
            bodies = {rep: levelup_body(world, campaign, rep, user_id) for rep in campaign.bodies}
            if i == 0:
                yield from _levelup_dates(campaign, bodies, world.clock)
            for rep, body in bodies.items():
                c, field, where = body["campaign"], LEVELUP_PROGRESS_FIELD[rep], f"campaign {campaign.id} {rep} user {user_id}"
                at = ("levelup", "progress", user_id, campaign.id)
                for key in LOYALTY_REQUIREMENTS:
                    if field is not None and key in c and c[field] >= c[key]:
                        yield Finding("loyalty progress", at, f"{where}: {field} {c[field]} reaches {key} {c[key]}", (_body_path(campaign, rep) + (key,),))
                yield from (Finding(f.rule, at, f"{where}: {f.message}", (_body_path(campaign, rep),)) for f in body_rules.goals_accomplished(body))


def _cents_text(cents: int) -> str:
    return f"{cents // 100}" if cents % 100 == 0 else f"{cents / 100:.2f}"


def _levelup_texts(campaign: LevelUpCampaign) -> Iterator[Finding]:
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
    at = ("levelup", "campaigns", campaign.id)
    for key, text in sorted(texts):
        wrong = [n for n in _NUMBER.findall(text) if n not in allowed]
        if wrong:
            yield Finding("levelup texts", at, f"campaign {campaign.id}: {key} {text!r} states {', '.join(wrong)}, which none of its bodies does")
        if key == "description" and items and re.match(r"Buy \d", text) and not any(i in text.lower() for i in items):
            yield Finding("levelup texts", at, f"campaign {campaign.id}: {key} {text!r} names none of the items it counts ({', '.join(sorted(items))})")
