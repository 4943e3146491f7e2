"""Runtime state in Redis (`serve --state redis://HOST:PORT/DB`): replicas on several machines
behind a load balancer share namespaces, faults and the journal. Same behaviour as the SQLite
store (runtime/store.py); state changes are optimistic transactions (WATCH/MULTI), the journal
is one list per namespace, trimmed by a script so that the bounds hold atomically."""

from __future__ import annotations

import json
import secrets
from collections import Counter

import redis

from campaign_mock.runtime.store import BATCH_SPAN_S, WRITER_TIMEOUT_S, Store, fresh_state, in_time

__all__ = ["RedisStore"]

PREFIX = "campaign-mock:"
# Journal entries read at a time from the end of a namespace's list, for a read with a limit.
JOURNAL_PAGE = 500

# KEYS: the generation. ARGV: a random start. A generation goes up with every change; an emptied
# Redis (restarted without persistence, FLUSHDB) has none, and counting again from 0 would give
# a number that meant other state before, which a server that saw it then still trusts (its
# views, its replays). So a new count starts from a random number of 62 bits.
_BUMP = """
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])
"""

# KEYS: none. ARGV: per-namespace bound, total bound, prefix, then the namespaces just appended
# to. Entries are JSON arrays [seq, row...]; `jorder` holds "seq ns" of every kept entry (score:
# seq), so its size is exactly what the total bound counts and its first is the oldest entry.
_SEQ = """
local function seq_of(item) return string.match(item, '^%[(%d+),') end
"""
_TRIM = _SEQ + """
local per, total = tonumber(ARGV[1]), tonumber(ARGV[2])
local prefix = ARGV[3]
local order = prefix .. 'jorder'
for i = 4, #ARGV do
  local key = prefix .. 'j:' .. ARGV[i]
  local n = redis.call('LLEN', key)
  if n > per then
    for _, item in ipairs(redis.call('LRANGE', key, 0, n - per - 1)) do
      redis.call('ZREM', order, seq_of(item) .. ' ' .. ARGV[i])
    end
    redis.call('LTRIM', key, n - per, -1)
    redis.call('HINCRBY', prefix .. 'jdropped', ARGV[i], n - per)
  end
end
while redis.call('ZCARD', order) > total do
  local oldest = redis.call('ZRANGE', order, 0, 0)[1]
  local ns = string.match(oldest, '^%d+ (.*)$')
  -- Its namespace's first entry goes: the oldest, or one a replica that took later seq numbers
  -- pushed before it (skipped, that entry would stay in its list and out of the count).
  local head = redis.call('LPOP', prefix .. 'j:' .. ns)
  if head then
    redis.call('ZREM', order, seq_of(head) .. ' ' .. ns)
    redis.call('HINCRBY', prefix .. 'jdropped', ns, 1)
  else
    redis.call('ZREM', order, oldest)
  end
end
return 0
"""
# ARGV: prefix, namespace. Its journal, gone from the total's count too.
_CLEAR = _SEQ + """
local prefix, ns = ARGV[1], ARGV[2]
local key = prefix .. 'j:' .. ns
for _, item in ipairs(redis.call('LRANGE', key, 0, -1)) do
  redis.call('ZREM', prefix .. 'jorder', seq_of(item) .. ' ' .. ns)
end
redis.call('DEL', key)
redis.call('HDEL', prefix .. 'jdropped', ns)
return 0
"""


def _time(item: list) -> float:
    """A journal item's answer time ([seq, *row])."""
    return in_time((item[0], tuple(item[1:])))[0]


class RedisStore(Store):
    kind = "redis"
    buffered = True

    def __init__(self, url: str, per_namespace: int, total: int):
        self._redis = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        self._per, self._total = per_namespace, total
        try:
            self._redis.ping()
        except redis.RedisError as e:
            raise OSError(f"Redis does not answer: {e}") from None
        self._trim = self._redis.register_script(_TRIM)
        self._clear = self._redis.register_script(_CLEAR)

    def _k(self, *parts: str) -> str:
        return PREFIX + ":".join(parts)

    def generation(self) -> int:
        return int(self._redis.get(self._k("gen")) or 0)

    def read(self, ns):
        text = self._redis.get(self._k("ns", ns))
        return None if text is None else json.loads(text)

    def _bump(self, pipe) -> None:
        pipe.eval(_BUMP, 1, self._k("gen"), secrets.randbits(62))

    def update(self, ns, change):
        key, out = self._k("ns", ns), {}

        def run(pipe):
            text = pipe.get(key)
            state, out["result"], bump = change(json.loads(text) if text else fresh_state())
            pipe.multi()
            if state is None:
                pipe.delete(key)
            else:
                pipe.set(key, json.dumps(state))
            if bump:
                self._bump(pipe)

        self._redis.transaction(run, key)
        return out["result"]

    def append(self, rows):
        if not rows:
            return
        last = self._redis.incrby(self._k("seq"), len(rows))
        pipe = self._redis.pipeline(transaction=True)
        for seq, row in enumerate(rows, last - len(rows) + 1):
            pipe.rpush(self._k("j", row[0]), json.dumps([seq, *row], ensure_ascii=False))
            pipe.zadd(self._k("jorder"), {f"{seq} {row[0]}": seq})
        # In the transaction: a batch that fails is written not at all (the journal's writer
        # writes it again), and the bounds hold for every reader.
        self._trim(args=[self._per, self._total, PREFIX, *sorted({row[0] for row in rows})], client=pipe)
        pipe.execute()

    def journal(self, ns, flt):
        """With a limit, the list is read from its end a page at a time, no further than needed:
        replicas push their batches out of the answers' order, but an entry pushed before a
        page's first was answered before it was pushed, at most BATCH_SPAN_S after that first
        entry was answered (store.py)."""
        key = self._k("j", ns)
        if not flt.limit:
            items = [json.loads(item) for item in self._redis.lrange(key, 0, -1)]
        else:
            items, end, times, seen = [], -1, [], set()
            while True:
                read = [json.loads(item) for item in self._redis.lrange(key, end - JOURNAL_PAGE + 1, end)]
                page = [item for item in read if item[0] not in seen]  # entries pushed meanwhile moved the end: some are read again
                seen.update(item[0] for item in page)
                items[:0] = page
                times += [_time(item) for item in page if flt.matches(tuple(item[1:]))]
                end -= JOURNAL_PAGE
                if len(read) < JOURNAL_PAGE or sum(1 for t in times if t > _time(read[0]) + BATCH_SPAN_S) >= flt.limit:
                    break
        rows = sorted(((item[0], tuple(item[1:])) for item in items if flt.matches(tuple(item[1:]))), key=in_time)
        dropped = self._redis.hget(self._k("jdropped"), ns)
        return (rows[-flt.limit :] if flt.limit else rows), int(dropped or 0)

    def add_dropped(self, counts):
        pipe = self._redis.pipeline(transaction=True)
        for ns, n in counts.items():
            pipe.hincrby(self._k("jdropped"), ns, n)
        pipe.execute()

    def answer_counts(self, ns):
        keys = [self._k("j", ns)] if ns is not None else list(self._redis.scan_iter(match=self._k("j", "*"), count=1000))  # (keys hold no glob characters: check_key)
        pipe = self._redis.pipeline(transaction=True)
        for key in keys:
            pipe.lrange(key, 0, -1)
        pipe.hget(self._k("jdropped"), ns) if ns is not None else pipe.hvals(self._k("jdropped"))
        *lists, dropped = pipe.execute()
        counts = Counter(json.loads(item)[-1] for items in lists for item in items)
        return dict(counts), int(dropped or 0) if ns is not None else sum(map(int, dropped))

    def clear_journal(self, ns):
        self._clear(args=[PREFIX, ns])

    def forget(self, ns):
        self._clear(args=[PREFIX, ns])
        pipe = self._redis.pipeline(transaction=True)
        pipe.delete(self._k("ns", ns))
        self._bump(pipe)
        pipe.execute()

    def namespaces(self):
        found = set()
        for kind in ("ns", "j"):
            start = len(self._k(kind, ""))
            found.update(key.decode()[start:] for key in self._redis.scan_iter(self._k(kind, "*")))
        return sorted(found)

    def sync_ticket(self):
        return self._redis.incr(self._k("sync"))

    def current_ticket(self) -> int:
        return int(self._redis.get(self._k("sync")) or 0)

    def ack(self, writer, ticket):
        # A writer that stops acking expires: readers stop waiting for it.
        self._redis.set(self._k("w", writer), ticket, px=int(WRITER_TIMEOUT_S * 1000))

    def acked(self, ticket):
        keys = list(self._redis.scan_iter(self._k("w", "*")))
        values = self._redis.mget(keys) if keys else []
        return all(v is None or int(v) >= ticket for v in values)

    def close(self):
        self._redis.close()
