"""Runtime control: namespaces (overlays on the base world) with their scenarios, clock,
faults and request journal, kept in a store shared by every worker and replica. Uses world/
and contract/; knows nothing of HTTP: the server hands it plain values (a namespace key, a
journal record) and maps its answers and errors onto HTTP."""

from campaign_mock.runtime.control import DEFAULT_NAMESPACE, NamespaceView, Runtime, check_key
from campaign_mock.runtime.journal import AnswerMeta, JournalWriter, answer_meta
from campaign_mock.runtime.store import JournalFilter, MemoryStore, SQLiteStore, Store, open_store

__all__ = [
    "DEFAULT_NAMESPACE", "AnswerMeta", "JournalFilter", "JournalWriter", "MemoryStore", "NamespaceView",
    "Runtime", "SQLiteStore", "Store", "answer_meta", "check_key", "open_store",
]
