"""A stand-in for the mock's `GET /__mock/world` (the runtime interface; issue 8 serves the
real one), built from a World: the faulty front serves it, and test_known reads it."""

from __future__ import annotations


def world_answer(world) -> dict:
    """What `GET /__mock/world` answers per the runtime interface (issue 8 serves it), built
    here from the world the session's mock serves."""
    spaaza, levelup = world.spaaza, world.levelup
    chains = []
    for chain in spaaza.chains.values():
        admin = next(s for s in spaaza.sessions.values() if s.role == "admin" and chain.id in s.chain_ids)
        app = next((a for a in spaaza.apps.values() if a.chain_id == chain.id), None)
        users = [
            {**u.identifiers(), "user_id": u.user_id, "session_key": spaaza.sessions[u.user_id].key, "app_hostname": app.hostname if app else None}
            for u in spaaza.users.values() if u.chain_id == chain.id and u.user_id in spaaza.sessions
        ]
        by_type: dict[str, list[int]] = {}
        for c in chain.campaigns:
            by_type.setdefault(c["type"], []).append(c["id"])
        chains.append({"chain_id": chain.id, "aliases": [], "admin": {"user_id": admin.user_id, "session_key": admin.key, "bearer_token": None},
                       "app_hostname": app.hostname if app else None, "users": users, "campaigns_by_type": by_type})
    tokens = [{"user_id": t.user_id, "token": t.token, "permissions": sorted(t.permissions)} for t in levelup.tokens.values()]
    representations = {str(c.id): sorted(c.bodies) for c in levelup.campaigns.values()}
    return {"spaaza": {"chains": chains, "unlinked_app_hostnames": []}, "levelup": {"tokens": tokens, "representations": representations}}
