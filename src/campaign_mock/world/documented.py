"""The part of the default world that the vendor documentation shows, kept exactly as
documented (the JSON files beside this module are the docs' example bodies, checked
against the seed documents by tests/world/test_documented.py).

Where the docs disagree with themselves we keep the documented bodies and decide:
- The documented request asks for chain 1743; the response holds chain 1762's campaigns.
  Chain 1762 is the chain; 1743 is an alias of it, so the documented request replays.
- Loyalty campaign 809's rules point at wallet campaign 2009, which is not listed. 2009 is
  a deleted points wallet of chain 1762: it exists (loyalty progress counts its points) but,
  being deleted, is never listed. Its dates are ours: created just before 809 (a programme
  cannot count points in a wallet that does not exist yet), not copied from 859.
- The custom_progress_based_v1 example is requested on campaign 20 but its body says id
  17440. Campaign 17440 is the custom-progress campaign; /20/custom_progress_based_v1 is an
  alias of it (as 1743 is of 1762), so the documented request replays. Campaign 20 is the
  item-based gift card loyalty campaign its other two examples show.
- Campaign 286 shows different amounts in its two representations; both are kept verbatim.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from campaign_mock.world.model import LevelUpCampaign, MyPriceApp, SpaazaSession

_HERE = Path(__file__).parent / "documented"

CHAIN_ID = 1762
CHAIN_ALIAS = 1743
ADMIN_USER_ID = 1548854
ADMIN_SESSION_KEY = "564e5b4faa7f639dacf1983f1dae62155d5734b789b06b5986c43bfe2542854e"
# Not documented; lets the documented admin try `Authorization: Bearer ...` too.
ADMIN_ACCESS_TOKEN = "acme0admin0access0token0000000000001548854"
API_VERSION = "1.4.11"  # the documented request's X-Spaaza-API-Version
# The loyalty campaign names MyPrice app 27; its hostname is not documented.
APP = MyPriceApp(id=27, hostname="acme.myprice.example", chain_id=CHAIN_ID)

LEVELUP_TOKEN = "981-64eef337afa90f88bb897160f686dc9c64a4ff5848eeb8410942e0eecd35f1"
LEVELUP_USER_ID = 981
LEVELUP_MERCHANT_ID = 1
# Which documented campaign each representation belongs to, and the campaign's kind.
LEVELUP_CAMPAIGNS = {
    20: ("item_gift_card", ("basic_v1", "item_based_gift_card_loyalty_v1")),
    17440: ("custom_spend", ("custom_progress_based_v1",)),
    285: ("item_loyalty", ("item_based_loyalty_v1",)),
    286: ("spend_gift_card", ("spend_based_loyalty_v1", "spend_based_gift_card_loyalty_v1")),
    287: ("visit_loyalty", ("visit_based_loyalty_v1",)),
}
# (campaign id in the URL, representation) -> the campaign that answers: the documented request.
LEVELUP_ALIASES = {(20, "custom_progress_based_v1"): 17440}
# basic_v1 for the campaigns whose basic representation the docs do not show.
_BASIC = {
    17440: {"campaign": {"description": "Spend $50, get $5 credit!", "title": "Custom Loyalty"}},
    285: {"campaign": {"description": "Buy 10 Coffees, get a $1 Loyalty Reward!", "title": "Coffee Loyalty"}},
    286: {"campaign": {"description": "Spend $100, get $10!", "title": "Spend Loyalty"}},
    287: {"campaign": {"description": "Visit 10 times, get $10!", "title": "Visit Loyalty"}},
}


@cache
def _text(name: str) -> str:
    return (_HERE / name).read_text(encoding="utf-8")


def spaaza_response() -> dict:
    """The documented get-campaigns response, as documented (a fresh copy: callers may change it)."""
    return json.loads(_text("spaaza-get-campaigns-1762.json"))


def levelup_examples() -> dict:
    """representation -> {"url_campaign_id": .., "body": ..}, as documented (a fresh copy)."""
    return json.loads(_text("levelup-representations.json"))


def spaaza_campaigns() -> list[dict]:
    return spaaza_response()["results"]["campaigns"]


WALLET_2009_CREATED = "2020-02-18T14:40:00+00:00"  # loyalty campaign 809: 2020-02-18T14:45:59


def deleted_wallet_2009() -> dict:
    """The points wallet the documented loyalty rules point at (see the module docstring):
    shaped like documented points wallet 859, deleted."""
    wallet = next(c for c in spaaza_campaigns() if c["id"] == 859)
    wallet.update(id=2009, is_deleted=True, is_default=False, title="ACME Loyalty Points", description="Points that count towards ACME loyalty levels")
    wallet.update(created_date=WALLET_2009_CREATED, last_modified_date=WALLET_2009_CREATED)
    return wallet


def admin_session() -> SpaazaSession:
    return SpaazaSession(
        user_id=ADMIN_USER_ID, key=ADMIN_SESSION_KEY, role="admin", chain_ids=frozenset({CHAIN_ID, CHAIN_ALIAS}),
        access_token=ADMIN_ACCESS_TOKEN, name="Dave Sevenoaks",
    )


def levelup_campaigns() -> list[LevelUpCampaign]:
    examples = levelup_examples()
    campaigns = []
    for cid, (kind, reps) in LEVELUP_CAMPAIGNS.items():
        bodies: dict[str, dict] = {"basic_v1": _BASIC[cid]} if cid in _BASIC else {}
        bodies.update({rep: examples[rep]["body"] for rep in reps})
        campaigns.append(LevelUpCampaign(id=cid, merchant_id=LEVELUP_MERCHANT_ID, kind=kind, bodies=bodies))
    return campaigns


# Not documented: an app with no entity behind it, so that error 264 can be produced.
UNLINKED_APP = MyPriceApp(id=26, hostname="unlinked.myprice.example", chain_id=None)
