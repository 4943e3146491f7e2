"""What a generated Spaaza campaign's texts say (title, description, voucher texts), written from
its own numbers and currency, so that no text promises what the campaign does not pay (the
"texts" consistency rule judges them)."""

from __future__ import annotations

from campaign_mock.world.domain import CURRENCIES, cashback_rate
from campaign_mock.world.model import Json
from campaign_mock.world.providers import plural
from campaign_mock.world.specs import WALLET_TYPES


def money(currency: Json, amount: int | str) -> str:
    return f"{currency['symbol']}{amount}" if currency["display_position"] == "before" else f"{amount} {currency['symbol']}"


def reward_phrase(c: Json) -> str:
    """What the campaign pays, in words: "€5", "10% off", "1 point"."""
    method, amount = c.get("recipient_reward_method"), c.get("recipient_reward_amount") or 0
    if method == "percentage_basket_voucher":
        return f"{round(c['recipient_reward_discount_ratio'] * 100)}% off"
    if method == "points":
        return f"{amount} point" + ("" if amount == 1 else "s")
    return money(CURRENCIES[c["currency_id"]], amount)


# Title and description per type, filled from the campaign's own numbers (write_texts).
_TEXTS = {
    "basket": ("{reward} off a basket over {basket}", "Spend {basket} in one go and save {reward}"),
    "birthday": ("Birthday", "A {reward} birthday treat from {chain}"),
    "cashback": ("Save points on every {code}", "Earn {rate} spent at {chain}"),
    "content": ("News from {chain}", "Read what is new this season"),
    "interaction": ("Get a {reward} voucher with {points} points", "Exchange {points} points for a {reward} voucher"),
    "item_purchase_count": ("Buy {target} {products}, get a {reward} voucher", "Every {product} counts towards your voucher"),
    "login": ("Log in and earn {reward}", "Open the {chain} app to collect a {reward} voucher"),
    "loyalty": ("{chain} Loyalty Campaign", "From {lowest} to {highest}: the {chain} loyalty programme"),
    "matching_item": ("{reward} off matching items", "Buy the matching set and save {reward}"),
    "mobile_content": ("{chain} in your pocket", "Exclusive content in the app"),
    "points_wallet": ("{chain} Points Wallet", "Build up points in your wallet"),
    "product": ("{reward} off every {product}", "A discount on {products}"),
    "profile_completion": ("Complete your profile", "Fill in your profile and get {reward}"),
    "progress": ("Spend {goal} and earn {reward}", "Earn a {reward} voucher for every {goal} you spend"),
    "purchase_count": ("Shop {target} times, get {reward}", "Every visit counts"),
    "referral": ("Refer a friend, both get {reward}", "Invite friends to {chain}"),
    "signup": ("Welcome to the club", "Welcome to {chain}: {reward} on your first purchase"),
    "subscription": ("{chain} Plus", "A monthly subscription with perks"),
    "wallet": ("{chain} Monetary Wallet", "Converted wallet points come here"),
}


VOUCHER_NOTES = "Valid in participating stores; one voucher per purchase."
# The texts a campaign states about itself; where a scenario writes one, the others name
# NEUTRAL_PRODUCT rather than a drawn product.
WRITTEN_TEXTS = frozenset({"title", "description", "voucher_title", "voucher_text", "voucher_description"})
NEUTRAL_PRODUCT = "item"


def write_texts(c: Json, chain_name: str, product: str) -> None:
    """Title, description and voucher texts, from the numbers and currency they describe."""
    ctype = c["type"]
    currency = CURRENCIES[c["currency_id"]]
    reward = reward_phrase(c)
    fill = {"chain": chain_name, "code": currency["code"], "reward": reward, "points": c.get("point_cost", 0), "target": c["target_count"], "product": product, "products": plural(product)}
    if ctype == "basket":
        fill["basket"] = money(currency, c["minimum_basket_total_value"])
    elif ctype == "progress":
        fill["goal"] = money(currency, c["goal_amount"].split(".")[0])
    elif ctype == "cashback":
        points, per = cashback_rate(c["cashback_ratio"])
        fill["rate"] = f"{points} point{'s' if points > 1 else ''} for every {per} {currency['code']}"
    elif ctype == "loyalty":
        fill.update(lowest=c["loyalty_levels"][0]["name"], highest=c["loyalty_levels"][-1]["name"])
    title, description = _TEXTS[ctype]
    c["title"] = title.format_map(fill)
    c["description"] = description.format_map(fill)
    if ctype not in WALLET_TYPES and ctype != "loyalty":
        c["voucher_text"] = c["voucher_title"] = f"Your {reward} voucher" if c["recipient_reward_method"] != "points" else f"{reward} added to your wallet"
        c["voucher_description"] = f"Thanks for shopping at {chain_name}"
