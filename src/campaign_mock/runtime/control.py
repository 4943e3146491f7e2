"""Runtime control of a running mock: namespaces with their scenarios, clock, faults and
journal, kept in a Store so that every worker and replica sees the same. Knows nothing of
HTTP: server/admin.py maps requests onto these methods.

A namespace is an overlay on the shared base world. One that changed nothing answers from the
base world itself (and shares its cached answers); its clock is a shallow view of a world
(runtime/clock.at_clock); its scenarios build a world of their own, kept in a small LRU shared
by every namespace with the same scenarios, so a thousand namespaces never cost a thousand
worlds."""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import partial
from typing import Callable, Sequence

from cachetools import LRUCache

from campaign_mock.exceptions import InputError, ScenarioError
from campaign_mock.runtime import faults as fault_rules
from campaign_mock.runtime.clock import at_clock, parse_now
from campaign_mock.runtime.coverage import coverage_of_answers
from campaign_mock.runtime.journal import entry_of
from campaign_mock.runtime.store import JournalFilter, Store, fresh_state
from campaign_mock.runtime.variation import parse_variation, shown_variation, variation_of
from campaign_mock.scenario import Document, parse_document
from campaign_mock.world.model import World

__all__ = ["DEFAULT_NAMESPACE", "NamespaceView", "Runtime", "check_key"]

DEFAULT_NAMESPACE = "default"
# Not "." nor "..": HTTP clients resolve those as dot segments of the URL (RFC 3986 5.2.4), so
# /__mock/ns/../faults would reach another path than the one the user wrote.
KEY = re.compile(r"(?!\.\.?\Z)[A-Za-z0-9_.-]{1,64}")
MAX_SCENARIOS = 32  # per namespace
# Armed faults per namespace: every request of it looks through them (2,443 made it 8x slower).
MAX_FAULTS = 1000
PARSED_BYTES_KEPT = 4 * 2**20  # of scenario text, per process
LOAD_TRIES = 5  # a scenario is checked again when another request changed the namespace's meanwhile
WORLDS_KEPT = 8  # built overlays; more distinct scenario sets are rebuilt on use (~50 ms each)
WORLDS_BYTES_KEPT = 256 * 2**20  # and their estimated memory, per process (world_bytes)
VIEWS_KEPT = 4096  # namespace views per process (a view is small: it shares its world)

# A namespace's scenario documents -> the world with them added (a document refused on its
# own comes as its ScenarioError: the builder then only finds the problems across documents).
BuildWorld = Callable[[Sequence["Document | ScenarioError"]], World]


def world_bytes(world: World) -> int:
    """A world's memory, estimated from what it holds (measured with tracemalloc: about 1.2 KB
    per campaign, user and progress record, and 1.3 MB for a small world)."""
    s, lu = world.spaaza, world.levelup
    return 2**20 + 1500 * (len(s.campaigns) + len(s.users) + len(s.progress) + len(lu.campaigns) + len(lu.tokens) + len(lu.progress))


def check_key(key: str, field: str = "namespace") -> str:
    if not KEY.fullmatch(key):
        raise InputError(field, f"{key[:80]!r} is not a {field} key: 1 to 64 of A-Z a-z 0-9 _ . -, not '.' nor '..'")
    return key


@dataclass(frozen=True)
class NamespaceView:
    """What a request in a namespace sees. `answers` keys its cached answers: None for the
    base world, else the scenarios and clock it is a function of."""

    world: World
    answers: tuple | None
    faults: tuple[dict, ...]  # live ones, in arming order
    clock_source: str
    scenarios: tuple[str, ...] = ()  # names of the namespace's scenarios (not the server's own)
    variation: tuple[str, int, str | None] | None = None  # (name, seed, field) its answers are varied by (runtime/variation.py)


class Runtime:
    def __init__(self, store: Store, base: World, build: BuildWorld, base_clock_source: str = "reference"):
        self.store = store
        # Changes whenever any namespace's state changes (what its view is made of): the
        # store's own, read on every request.
        self.generation: Callable[[], int] = store.generation
        self.base = base
        self._build = build
        self._base_clock_source = base_clock_source
        self._base_view = NamespaceView(base, None, (), base_clock_source)
        self._lock = threading.Lock()
        self._generation = -1
        # Read on every request without a lock (a dict read is atomic; a cachetools cache is not
        # safe to read while another thread writes, and costs 4x a dict read, 18x under a lock).
        self._views: OrderedDict[str, NamespaceView] = OrderedDict()
        self._worlds: LRUCache[str, World] = LRUCache(WORLDS_KEPT)  # under self._lock
        self._building: dict[str, threading.Lock] = {}  # digest -> held while one thread builds it
        # Parsed scenario documents by (name, text), bounded by their texts' size (a parsed
        # document keeps its YAML nodes, several times the text).
        self._documents: LRUCache[tuple[str, str], tuple[int, Document]] = LRUCache(PARSED_BYTES_KEPT, getsizeof=lambda kept: kept[0])

    # --- what a request sees ----------------------------------------------------------

    def view(self, ns: str) -> NamespaceView:
        generation = self.store.generation()
        if generation != self._generation:
            with self._lock:
                self._views.clear()
                self._generation = generation
        found = self._views.get(ns)
        if found is None:
            found = self._make_view(self.store.read(ns))  # read after the generation: never older
            with self._lock:
                if self._generation == generation:  # else state changed meanwhile: use, do not keep
                    self._views[ns] = found
                    if len(self._views) > VIEWS_KEPT:
                        self._views.popitem(last=False)
        return found

    def _make_view(self, state: dict | None) -> NamespaceView:
        variation = variation_of(state)
        if state is None or (not state["scenarios"] and state["clock"] is None and not state["faults"] and variation is None):
            return self._base_view
        documents = [(s["name"], s["text"]) for s in state["scenarios"]]
        world, digest = self._world(documents) if documents else (self.base, None)
        source = "scenario" if documents and world.clock != self.base.clock else self._base_clock_source
        if state["clock"] is not None:
            world, source = at_clock(world, parse_now(state["clock"])), "set"
        changed = digest is not None or state["clock"] is not None
        answers = (digest, world.clock.isoformat() if changed else None, variation) if changed or variation else None
        live = tuple(f for f in state["faults"] if fault_rules.is_live(f))
        return NamespaceView(world, answers, live, source, tuple(name for name, _ in documents), variation)

    def _world(self, documents: Sequence[tuple[str, str]], parsed: Document | None = None) -> tuple[World, str]:
        """The world of the server's with these (name, text) scenarios; built on the first
        use in this process (the texts parsed then; `parsed`, the last, already is)."""
        digest = hashlib.sha256(repr(list(documents)).encode()).hexdigest()
        with self._lock:
            world = self._worlds.get(digest)
            if world is not None:
                return world, digest
            building = self._building.setdefault(digest, threading.Lock())
        # One build per world however many requests want it at once (single flight); outside
        # self._lock, so that other namespaces keep answering meanwhile.
        with building:
            with self._lock:
                world = self._worlds.get(digest)
            if world is None:
                if parsed is not None:
                    self._keep_parsed(documents[-1], parsed)
                world = self._build([self._parsed(document) for document in documents])
                with self._lock:
                    self._worlds[digest] = world
                    while len(self._worlds) > 1 and sum(map(world_bytes, self._worlds.values())) > WORLDS_BYTES_KEPT:
                        self._worlds.popitem()  # the least recently used
        with self._lock:
            self._building.pop(digest, None)
        return world, digest

    def _parsed(self, document: tuple[str, str]) -> Document:
        """A stored scenario, parsed once in this process (kept while worlds are built from it)."""
        with self._lock:
            kept = self._documents.get(document)
        if kept is not None:
            return kept[1]
        parsed = parse_document(*document)
        self._keep_parsed(document, parsed)
        return parsed

    def _keep_parsed(self, document: tuple[str, str], parsed: Document) -> None:
        size = len(document[1]) + 1
        if size <= PARSED_BYTES_KEPT:
            with self._lock:
                self._documents[document] = (size, parsed)

    def claim_fault(self, ns: str, view: NamespaceView, operation: str | None, path: str) -> dict | None:
        """The fault that fires for this request, if any: the first live one that matches, its
        `remaining` taken down by one in the store (atomically: each firing happens once)."""
        if not any(fault_rules.matches(f, operation, path) for f in view.faults):
            return None

        def claim(state):
            for fault in state["faults"]:
                if fault_rules.is_live(fault) and fault_rules.matches(fault, operation, path):
                    if fault["remaining"] is not None:
                        fault["remaining"] -= 1
                    fault["fired"] += 1
                    return state, dict(fault), fault["remaining"] == 0  # spent: every worker must know
            return state, None, False

        return self.store.update(ns, claim)

    # --- scenarios --------------------------------------------------------------------

    def load_scenario(self, ns: str, text: str, name: str | None) -> list[str]:
        """Adds one document; refused whole (422 with the loader's messages) if the loader or a
        consistency rule refuses the namespace's scenarios with it.

        The text is parsed once and the world built once, before the store's transaction
        (which holds every worker's writes while it runs); the transaction then only adds the
        document, if the namespace's scenarios are still those it was built with (else it is
        done again, from what they are now: another request changed them meanwhile)."""
        for _ in range(LOAD_TRIES):
            before = (self.store.read(ns) or fresh_state())["scenarios"]
            chosen = _name(ns, before, name)
            try:
                document = parse_document(chosen, text)
            except ScenarioError as e:
                # Refused on its own: checked with the others too, for every problem at once.
                raise refusal(str(self._every_problem(before, e)), chosen) from None
            try:
                self._world([*((s["name"], s["text"]) for s in before), (chosen, text)], document)
            except ScenarioError as e:
                raise refusal(str(e), chosen) from None
            added = {"name": chosen, "text": text, "document": document.data}
            loaded = self.store.update(ns, partial(_append_unless_changed, before, added))
            if loaded is not None:
                return loaded
        raise InputError("scenario", f"namespace {ns!r}: its scenarios changed {LOAD_TRIES} times while this one was being checked; send it again", kind="conflict")

    def _every_problem(self, before: list[dict], refused: ScenarioError) -> ScenarioError:
        """The refusal of a document with the problems the checks across documents find in
        what of it passed (the builder runs them first and refuses before building)."""
        try:
            self._build([*(self._parsed((s["name"], s["text"])) for s in before), refused])
        except ScenarioError as e:
            return e
        return refused

    def scenarios(self, ns: str) -> list[dict]:
        state = self.store.read(ns)
        return [{"name": s["name"], "document": s["document"]} for s in (state["scenarios"] if state else ())]

    def clear_scenarios(self, ns: str) -> None:
        self._change(ns, lambda state: state.update(scenarios=[]))

    # --- clock ------------------------------------------------------------------------

    def clock(self, ns: str) -> dict:
        view = self.view(ns)
        return {"now": view.world.clock.isoformat(), "source": view.clock_source}

    def set_clock(self, ns: str, now) -> dict:
        moment = parse_now(now)
        self._change(ns, lambda state: state.update(clock=moment.isoformat()))
        return self.clock(ns)

    def reset_clock(self, ns: str) -> None:
        self._change(ns, lambda state: state.update(clock=None))

    # --- variation (contract/variations.py) -------------------------------------------

    def set_variation(self, ns: str, spec: object) -> dict:
        """Varies every vendor answer of the namespace: `{"name": NAME, "seed": N}`."""
        variation = parse_variation(spec)
        self._change(ns, lambda state: state.update(variation=variation))
        return shown_variation(variation)

    def variation(self, ns: str) -> dict:
        return shown_variation(variation_of(self.store.read(ns)))

    def clear_variation(self, ns: str) -> None:
        self._change(ns, lambda state: state.update(variation=None))

    # --- faults -----------------------------------------------------------------------

    def add_fault(self, ns: str, spec) -> dict:
        fault = fault_rules.parse_fault(spec)

        def add(state):
            spent = [f for f in state["faults"] if not fault_rules.is_live(f)]
            if len(state["faults"]) - len(spent) >= MAX_FAULTS:
                raise InputError("faults", f"namespace {ns!r} has {MAX_FAULTS} armed faults, the most it keeps (each request looks through them); remove some (DELETE .../faults/ID or .../faults) first", kind="conflict")
            if len(spent) > MAX_FAULTS:  # spent ones are shown (fired), but not without bound
                gone = {f["id"] for f in spent[:-MAX_FAULTS]}
                state["faults"] = [f for f in state["faults"] if f["id"] not in gone]
            fault["id"] = f"f{state['next_fault']}"
            state["next_fault"] += 1
            state["faults"].append(fault)
            return state, shown_fault(fault), True

        return self.store.update(ns, add)

    def faults(self, ns: str) -> list[dict]:
        state = self.store.read(ns)
        return [shown_fault(f) for f in (state["faults"] if state else ())]

    def remove_fault(self, ns: str, fault_id: str) -> bool:
        def remove(state):
            kept = [f for f in state["faults"] if f["id"] != fault_id]
            found = len(kept) != len(state["faults"])
            state["faults"] = kept
            return state, found, found

        return self.store.update(ns, remove)

    def clear_faults(self, ns: str) -> None:
        self._change(ns, lambda state: state.update(faults=[]))

    # --- journal and reset ------------------------------------------------------------

    def journal(self, ns: str, flt: JournalFilter) -> tuple[list[dict], int]:
        """Every request answered before this call (by any worker), oldest first; and how many
        entries the bounds dropped."""
        self.store.wait_flushed()
        rows, dropped = self.store.journal(ns, flt)
        return [entry_of(seq, row) for seq, row in rows], dropped

    def coverage(self, ns: str | None) -> dict:
        """The coverage report of a namespace's journal (of every namespace's: None), read in
        one pass over the journal: its cost does not grow with the number of namespaces."""
        self.store.wait_flushed()
        return coverage_of_answers(*self.store.answer_counts(ns))

    def namespaces(self) -> list[str]:
        """Every namespace with runtime state or journal entries (for reports over all of them)."""
        self.store.wait_flushed()
        return self.store.namespaces()

    def clear_journal(self, ns: str) -> None:
        self.store.wait_flushed()
        self.store.clear_journal(ns)

    def reset(self, ns: str) -> None:
        self.store.wait_flushed()
        self.store.forget(ns)

    def _change(self, ns: str, edit: Callable[[dict], None]) -> None:
        def change(state):
            edit(state)
            return state, None, True

        self.store.update(ns, change)


def _append_unless_changed(before: list[dict], added: dict, state: dict) -> tuple[dict, list[str] | None, bool]:
    if state["scenarios"] != before:
        return state, None, False
    state["scenarios"] = [*before, added]
    return state, [s["name"] for s in state["scenarios"]], True


def _name(ns: str, scenarios: list[dict], name: str | None) -> str:
    """The name a new scenario gets: `name`, or the first free scenario-N."""
    if len(scenarios) >= MAX_SCENARIOS:
        raise InputError("scenario", f"namespace {ns!r} has {MAX_SCENARIOS} scenarios already; DELETE .../scenarios first", kind="conflict")
    taken = {s["name"] for s in scenarios}
    chosen = name or next(f"scenario-{n}" for n in range(1, MAX_SCENARIOS + 2) if f"scenario-{n}" not in taken)
    if chosen in taken:
        raise InputError("name", f"namespace {ns!r} has a scenario named {chosen!r} already", kind="conflict")
    return chosen


def shown_fault(fault: dict) -> dict:
    """A fault as GET .../faults lists it: the one kind it has, no empty ones."""
    shown = {"id": fault["id"], "operation": fault["operation"], "path": fault["path"]}
    shown.update((k, fault[k]) for k in fault_rules.KINDS if k in fault)
    shown.update(times=fault["times"], remaining=fault["remaining"], fired=fault["fired"])
    return shown


def refusal(message: str, name: str) -> InputError:
    """The loader's `NAME:LINE: $.path: what is wrong` as 422 errors `LINE: $.path: ...`."""
    lines = [line.removeprefix(f"{name}:").strip() for line in message.splitlines() if line.strip()]
    return InputError("scenario", lines[0] if lines else message, kind="refused", errors=lines or [message])
