"""GET /__mock/world: everything a test can reach in a world, so that nobody has to read code
or guess a credential (chains, their admin sessions and app hostnames, every user with all six
identifiers and their session, LevelUp tokens, campaign ids by type)."""

from __future__ import annotations

from collections import defaultdict

from campaign_mock.world import documented
from campaign_mock.world.model import World

__all__ = ["describe"]


def describe(world: World) -> dict:
    spaaza, levelup = world.spaaza, world.levelup
    aliases = defaultdict(list)
    for alias, target in spaaza.chain_aliases.items():
        aliases[target].append(alias)
    hostnames = defaultdict(list)
    for app in sorted(spaaza.apps.values(), key=lambda a: a.hostname):
        hostnames[app.chain_id].append(app.hostname)
    admins = defaultdict(list)
    for session in sorted(spaaza.sessions.values(), key=lambda s: s.user_id):
        if session.role == "admin":
            for chain_id in session.chain_ids:
                admins[chain_id].append(session)
    users = defaultdict(list)
    for user in sorted(spaaza.users.values(), key=lambda u: u.user_id):
        users[user.chain_id].append(user)

    chains = []
    for chain_id in sorted(spaaza.chains):
        chain = spaaza.chains[chain_id]
        app_hostname = hostnames[chain_id][0] if hostnames[chain_id] else None
        # The docs' admin where it is one of them (what a reader of the docs tries first).
        admin = min(admins[chain_id], key=lambda s: s.user_id != documented.ADMIN_USER_ID, default=None)
        by_type = defaultdict(list)
        for c in chain.campaigns:
            by_type[c["type"]].append(c["id"])
        chains.append({
            "chain_id": chain_id,
            "name": chain.name,
            "aliases": sorted(aliases[chain_id]),
            "admin": None if admin is None else {"user_id": admin.user_id, "session_key": admin.key, "bearer_token": admin.access_token or None},
            "app_hostname": app_hostname,
            "users": [
                {**u.identifiers(), "session_key": spaaza.sessions[u.user_id].key if u.user_id in spaaza.sessions else None, "app_hostname": app_hostname}
                for u in users[chain_id]
            ],
            "campaigns_by_type": {t: ids for t, ids in sorted(by_type.items())},
        })
    by_kind = defaultdict(list)
    for campaign in sorted(levelup.campaigns.values(), key=lambda c: c.id):
        by_kind[campaign.kind].append(campaign.id)
    return {
        "spaaza": {"chains": chains, "unlinked_app_hostnames": hostnames[None]},
        "levelup": {
            "tokens": [{"user_id": t.user_id, "token": t.token, "permissions": sorted(t.permissions)} for t in sorted(levelup.tokens.values(), key=lambda t: t.user_id)],
            "campaigns_by_kind": dict(sorted(by_kind.items())),
            "representations": {str(c.id): sorted(c.bodies) for c in sorted(levelup.campaigns.values(), key=lambda c: c.id)},
        },
        "clock": world.clock.isoformat(),
    }
