"""Runtime control: namespaces (overlays on the base world) with their scenarios, clock,
faults and request journal, kept in a store shared by every worker and replica. Uses world/
and contract/; knows nothing of HTTP (server/admin.py and server/answers.py use it)."""

from campaign_mock.runtime.control import DEFAULT_NAMESPACE, NamespaceView, Runtime, check_key
from campaign_mock.runtime.errors import AdminInputError
from campaign_mock.runtime.journal import JournalWriter, meta_of
from campaign_mock.runtime.store import JournalFilter, MemoryStore, SQLiteStore, Store, open_store

__all__ = [
    "DEFAULT_NAMESPACE", "AdminInputError", "JournalFilter", "JournalWriter", "MemoryStore", "NamespaceView",
    "Runtime", "SQLiteStore", "Store", "check_key", "meta_of", "open_store",
]
