"""The scenario language: YAML that declares only what a test cares about, parsed into specs
(world/specs.py) that the builder generates the rest of the world around.

The format (published as schemas/scenario.json; every key is optional unless marked)::

    # fixtures/scenarios/bronze-member.yaml
    clock: "2024-01-01T00:00:00+00:00"   # reference "now"; must have an offset. Default 2024-01-01T00:00:00+00:00
    spaaza:
      chains:
        - id: 7001                 # required. 1762 or 5001..6999 add to that (documented / generated) chain;
                                   # any other id makes a new chain (not 1743, the alias of 1762)
          name: Demo Coffee
          currency: EUR            # USD EUR GBP SEK
          generated_users: 2       # more users generated around the declared ones (<= 98 users a chain)
          campaigns:
            - id: 7001100          # default <chain id>010, <chain id>011, ... in order; unique in the world
              type: loyalty        # required: one of the contract's campaign types
              levels:              # loyalty only: name + points threshold; the lowest must be 0
                - {name: Bronze, points: 0}
                - {name: Silver, points: 500}
            - type: cashback
              active: false        # any other key is a field of spaaza-campaign.json, set verbatim and
                                   # checked against it: title, active, is_active, assignment_count,
                                   # reward_priority, active_date_from, active_date_until, ...; an
                                   # unknown key is refused ("did you mean"), never served
              extra: {new_vendor_field: 1}   # fields the contract does not name, set verbatim
            - id: 7001200
              type: signup
              assignment_count: 600
            - {id: 7001300, type: item_purchase_count, target_count: 10}
          users:
            - user_id: 700101      # default <chain id>01, <chain id>02, ...
              member_number: "M-251"   # identifiers (strings): member_number, username, referral_code,
                                       # authentication_point_identifier, auxiliary_identifier
              points: 251          # balance in the chain's points wallet -> decides the loyalty level
              balances: {7001002: 40}  # wallet campaign id -> balance (not the points wallet with `points`)
              awards: {7001200: 1}     # campaign id -> award_count (campaigns with standard user_progress;
                                       # at most max_reward_quantity: 1 for signup and profile_completion)
              session_key: "..."   # the user's X-Spaaza-Session-Key
              progress: {7001300: 9}   # item_purchase_count campaign id -> current_count (< target_count)
    levelup:
      campaigns:                   # id and kind required; kind: item_loyalty spend_loyalty visit_loyalty
                                   # item_gift_card spend_gift_card custom_item custom_spend
        - {id: 9001, kind: spend_loyalty, required: 10000, title: "Spend and save", merchant_id: 1}
        # texts served verbatim, by kind: description, item_singular + item_plural, reward_title,
        # earn_amount (cents), goals [{title, description}] (custom kinds)
      users:                       # user_id required; token default <user id>-<64 hex digits>
        - {user_id: 9101, token: "9101-abc", permissions: [manage_user_campaigns], progress: {9001: 2500}}

Every chain gets a points_wallet (id <chain id>001) and a money wallet (<chain id>002) unless it
declares one. Fields the generator keeps consistent (chain_id, currency_id, loyalty_levels,
loyalty_rules, campaign_assignments, user_progress) cannot be set: use the keys above.
Timestamps are kept as the strings written (YAML's own timestamp type is not applied). Every key
is known (schemas/scenario.json is closed), and the scenarios loaded together are capped
(world/specs.SCENARIO_LIMITS).

Each document is parsed once (read_document for a file, parse_document for text such as a
document posted to the admin API): its schema, then what one document can say wrong beyond
it (levels, field values, dates). check_scenarios then checks the documents loaded together:
duplicate and colliding ids, references between campaigns and users, the clock.
load_scenarios does both for files and texts, and returns nothing unless all pass. Every
problem at once (at most 50) raises ScenarioError, one line each, ``file.yaml:LINE: $.json.path:
what is wrong; what to write instead``: a document refused on its own still goes through the
checks across documents with what of it passed (check_together), and `fixtures`, `serve` and
the admin API all call it, for the world size they generate (WorldSize).

Parts: yaml_lines (YAML read within bounds, every value's line kept), explain (schema errors in
words), declare (one document's declarations and refusals), document (Document, parsed once),
together (the checks across documents), load (load_scenarios)."""

from campaign_mock.scenario.document import Document, parse_document, read_document
from campaign_mock.scenario.load import load_scenarios, read_documents
from campaign_mock.scenario.together import check_scenarios, check_together
from campaign_mock.world.specs import Scenario

__all__ = ["Document", "Scenario", "check_scenarios", "check_together", "load_scenarios", "parse_document", "read_document", "read_documents"]


