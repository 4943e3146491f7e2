// campaign-mock's QA console. The page's URL says everything shown (namespace, view, entity,
// page), so a link reopens the same view. It calls the documented admin API only
// (admin-openapi.yaml) and writes what it gets as text nodes (el() below, never innerHTML):
// nothing a scenario or a request holds can become markup or script.
"use strict";

const TOKEN_KEY = "campaign-mock-admin-token"; // sessionStorage: this tab only
const PAGE = 50;
const params = new URLSearchParams(location.search);
const ns = params.get("ns") || "default";
const view = params.get("view") || "world";
const nsBase = "/__mock/ns/" + encodeURIComponent(ns);
const main = document.getElementById("main");
let readOnly = false;

// --- the page ------------------------------------------------------------------------

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  node.append(...children.flat(2).filter((c) => c !== null && c !== undefined && c !== false).map((c) => (c instanceof Node ? c : text(c))));
  return node;
}

function text(value) {
  if (value === null || value === undefined) return "";
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function render(...nodes) {
  main.replaceChildren(...nodes.flat());
}

// A URL of this console: the namespace and the given parameters (empty ones left out).
function href(changes, namespace = ns) {
  const next = new URLSearchParams({ ns: namespace });
  for (const [key, value] of Object.entries(changes)) if (value !== null && value !== undefined && value !== "") next.set(key, value);
  return "?" + next.toString();
}

function link(changes, label) {
  return el("a", { href: href(changes) }, label);
}

function table(caption, headers, rows) {
  return el("table", {},
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, headers.map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, rows.map((cells) => el("tr", {}, cells.map((c) => el("td", {}, c))))));
}

function facts(pairs) {
  return el("dl", {}, pairs.map(([name, value]) => [el("dt", {}, name), el("dd", {}, value === null || value === undefined || value === "" ? "none" : value)]));
}

function button(label, onclick, type = "button") {
  // Every button changes state: none works on a read-only mock.
  return el("button", { type, disabled: readOnly, onclick }, label);
}

function said(message) {
  return el("p", { class: "ok", role: "status" }, message);
}

function showProblem(error) {
  const problem = document.getElementById("problem");
  problem.textContent = (error.field ? error.field + ": " : "") + error.message;
  problem.hidden = false;
}

function clearProblem() {
  document.getElementById("problem").hidden = true;
}

// --- the admin API -------------------------------------------------------------------

async function api(method, path, body, type = "application/json") {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["X-Mock-Admin-Token"] = token;
  const init = { method, headers, cache: "no-store" };
  if (body !== undefined) {
    headers["Content-Type"] = type;
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const raw = await response.text();
  let data = null;
  try { data = raw ? JSON.parse(raw) : null; } catch (e) { data = null; }
  if (!response.ok) {
    const error = (data && data.error) || { field: null, message: `${response.status} ${response.statusText}` };
    if (response.status === 401 && error.field === "X-Mock-Admin-Token") askToken();
    throw Object.assign(new Error(error.message), { field: error.field, errors: error.errors || [], status: response.status });
  }
  return data;
}

function askToken() {
  sessionStorage.removeItem(TOKEN_KEY); // missing or wrong: ask (once it works it is kept)
  const form = document.getElementById("token-form");
  form.hidden = false;
  document.getElementById("token").focus();
}

// Runs a change, then shows the view again with a word about what happened (or the refusal).
async function change(run, done) {
  clearProblem();
  try {
    const result = await run();
    await show();
    if (done) main.prepend(said(done(result)));
  } catch (error) {
    showProblem(error);
  }
}

// --- requests, as curl ---------------------------------------------------------------

function quote(value) {
  return "'" + value.replace(/'/g, "'\\''") + "'";
}

function curl(request) {
  const url = location.origin + nsBase + request.path + (request.query ? "?" + request.query : "");
  const lines = [(request.method && request.method !== "GET" ? `curl -X ${quote(request.method)} ` : "curl ") + quote(url)];
  for (const [name, value] of Object.entries(request.headers || {})) lines.push("-H " + quote(`${name}: ${value}`));
  const command = lines.join(" \\\n  ");
  const masked = request.masked || [];
  return masked.length ? `# ${masked.join(", ")}: masked in the journal, not a credential of this world\n${command}` : command;
}

function curlBlock(request) {
  return request ? el("pre", {}, el("code", {}, curl(request))) : el("span", { class: "muted" }, "no request shows it");
}

function curlDetails(request) {
  return request ? el("details", {}, el("summary", {}, "curl"), curlBlock(request)) : "";
}

// --- World ---------------------------------------------------------------------------

function offsetOf(name) {
  const value = Number.parseInt(params.get(name) || "0", 10);
  return Number.isFinite(value) && value > 0 ? value : 0;
}

function pager(page, name) {
  const last = Math.min(page.offset + page.limit, page.total);
  const go = (offset) => { const next = new URLSearchParams(params); next.set(name, offset); return "?" + next.toString(); };
  return el("p", { class: "row" },
    page.total ? `${page.offset + 1}–${last} of ${page.total}` : "none",
    page.offset > 0 ? el("a", { href: go(Math.max(0, page.offset - page.limit)) }, "Previous") : null,
    last < page.total ? el("a", { href: go(last) }, "Next") : null);
}

function clockLine(clock) {
  return el("p", {}, "Clock of the namespace: ", el("code", {}, clock.now), ` (${clock.source}) `, link({ view: "clock" }, "change"));
}

async function showWorld() {
  if (params.has("user")) return showUser(params.get("user"));
  if (params.has("chain")) return showChain(params.get("chain"));
  if (params.has("merchant")) return showMerchant(params.get("merchant"));
  const q = params.get("q") || "";
  const paging = (name) => new URLSearchParams({ offset: offsetOf(name), limit: PAGE });
  const [clock, chains, merchants, users] = await Promise.all([
    api("GET", `${nsBase}/clock`),
    api("GET", `${nsBase}/world/chains?q=${encodeURIComponent(q)}&${paging("offset")}`),
    api("GET", `${nsBase}/world/levelup/merchants?${paging("moffset")}`),
    api("GET", `${nsBase}/world/levelup/users?${paging("toffset")}`),
  ]);
  const filter = el("input", { id: "chain-filter", type: "search", value: q, maxlength: 200, placeholder: "id or name" });
  const search = (event) => { event.preventDefault(); location.search = href({ view: "world", q: filter.value.trim() }); };
  render(
    el("h1", {}, `World of namespace ${ns}`),
    clockLine(clock),
    el("h2", {}, "Spaaza chains"),
    el("form", { class: "row", role: "search", onsubmit: search }, el("label", { for: "chain-filter" }, "Filter chains"), filter, el("button", { type: "submit" }, "Filter")),
    table(q ? `chains matching "${q}"` : "chains", ["Chain", "Name", "Admin session", "App hostname", "Users", "Campaigns"],
      chains.chains.map((c) => [link({ view: "world", chain: c.chain_id }, `chain ${c.chain_id}`), c.name, c.admin ? `user ${c.admin.user_id}` : "none", c.app_hostname || "none", c.users, c.campaigns])),
    pager(chains, "offset"),
    el("h2", {}, "LevelUp merchants"),
    table("merchants", ["Merchant", "Campaigns", "Kinds"],
      merchants.merchants.map((m) => [link({ view: "world", merchant: m.merchant_id }, `merchant ${m.merchant_id}`), m.campaigns, m.kinds.join(", ")])),
    pager(merchants, "moffset"),
    el("h2", {}, "LevelUp users and tokens"),
    table("users by their tokens", ["User", "Token", "Permissions", "Request"],
      users.users.map((u) => [`user ${u.user_id}`, el("code", {}, u.token), u.permissions.join(", ") || "none", curlDetails(u.request)])),
    pager(users, "toffset"),
  );
}

function back() {
  return el("p", {}, link({ view: "world" }, "← World"));
}

async function showChain(id) {
  const chain = await api("GET", `${nsBase}/world/chains/${encodeURIComponent(id)}`);
  const admin = chain.admin || {};
  render(
    back(),
    el("h1", {}, `Chain ${chain.chain_id}: ${chain.name}`),
    facts([
      ["Aliases", chain.aliases.join(", ")], ["Currency", chain.currency], ["App hostname", chain.app_hostname],
      ["Admin session user", admin.user_id], ["Admin session key", admin.session_key], ["Admin bearer token", admin.bearer_token],
    ]),
    el("h2", {}, "The request that shows it"),
    curlBlock(chain.request),
    el("h2", {}, "Campaigns"),
    table(`activity at ${chain.clock}`, ["Campaign", "Type", "Title", "Activity", "Active from", "Active until", "Created", "Request"],
      chain.campaigns.map((c) => [
        c.listed ? String(c.id) : `${c.id} (deleted: never listed)`, c.type, text(c.title),
        el("span", { class: c.active ? "ok" : "bad" }, c.active ? "active" : "inactive"),
        c.active_date_from || "", c.active_date_until || "", c.created_date || "", curlDetails(c.request),
      ])),
    el("h2", {}, "Users"),
    table(`${chain.users.length} users`, ["User", "Name", "Member number", "Username"],
      chain.users.map((u) => [link({ view: "world", user: u.user_id }, `user ${u.user_id}`), `${u.first_name} ${u.last_name}`, u.member_number, u.username])),
  );
}

function summary(progress) {
  return Object.entries(progress).filter(([, v]) => v === null || typeof v !== "object").map(([k, v]) => `${k}: ${v === null ? "null" : text(v)}`).join(", ");
}

async function showUser(id) {
  const user = await api("GET", `${nsBase}/world/users/${encodeURIComponent(id)}`);
  const session = user.session || {};
  render(
    el("p", {}, link({ view: "world" }, "← World"), " · ", link({ view: "world", chain: user.chain_id }, `chain ${user.chain_id}: ${user.chain_name}`)),
    el("h1", {}, `User ${user.user_id}: ${user.first_name} ${user.last_name}`),
    facts([
      ...Object.entries(user.identifiers),
      ["session key (X-Spaaza-Session-Key)", session.session_key], ["bearer token", session.bearer_token], ["app hostname", user.app_hostname],
    ]),
    el("h2", {}, "The request that shows it"),
    curlBlock(user.request),
    el("h2", {}, "Progress"),
    table(`user_progress at ${user.clock}`, ["Campaign", "Type", "Title", "Activity", "Progress"],
      user.progress.map((p) => [String(p.campaign_id), p.type, text(p.title), p.active ? "active" : "inactive",
        summary(p.user_progress) + (p.current_count !== undefined ? `, current_count: ${p.current_count}` : "")])),
    el("h2", {}, "Wallets"),
    table("balances", ["Wallet", "Type", "Title", "Currency", "Saved", "Total", "Redeemable"],
      user.wallets.map((w) => [w.deleted ? `${w.campaign_id} (deleted)` : String(w.campaign_id), w.type, text(w.title), w.currency || "", text(w.saved_amount), text(w.total_amount), w.is_redeemable ? "yes" : "no"])),
  );
}

async function showMerchant(id) {
  const merchant = await api("GET", `${nsBase}/world/levelup/merchants/${encodeURIComponent(id)}`);
  render(
    back(),
    el("h1", {}, `LevelUp merchant ${merchant.merchant_id}`),
    table("campaigns, with each token user's progress", ["Campaign", "Kind", "Title", "Representations", "Required", "Progress by user", "Request"],
      merchant.campaigns.map((c) => [String(c.id), c.kind, text(c.title), c.representations.join(", "), c.required,
        c.progress.map((p) => `${p.user_id}: ${p.progress}`).join(", "), curlDetails(c.request)])),
  );
}

// --- Scenarios -----------------------------------------------------------------------

// The document with each refusal message beside the line it names ("LINE: $.path: what").
function refusalListing(source, errors) {
  const lines = source.split("\n");
  const beside = new Map();
  const loose = [];
  for (const message of errors) {
    const found = /^(\d+): /.exec(message);
    if (!found) { loose.push(message); continue; }
    const line = Math.min(Math.max(Number(found[1]), 1), lines.length);
    beside.set(line, [...(beside.get(line) || []), message]);
  }
  return [
    el("p", { class: "bad" }, "Refused: nothing was loaded."),
    ...loose.map((message) => el("p", { class: "bad" }, message)),
    el("ol", { class: "listing", "aria-label": "The refused scenario" },
      lines.map((line, i) => {
        const why = beside.get(i + 1) || [];
        return el("li", { class: why.length ? "refused" : null }, line || " ", why.map((w) => el("span", { class: "why" }, w)));
      })),
  ];
}

function declaredLinks(document) {
  const spaaza = (document && document.spaaza) || {};
  const chains = Array.isArray(spaaza.chains) ? spaaza.chains.filter((c) => c && c.id !== undefined) : [];
  return chains.map((c) => [" ", link({ view: "world", chain: text(c.id) }, `chain ${text(c.id)}`)]);
}

function loadedList(scenarios) {
  if (!scenarios.length) return el("p", { class: "muted" }, "None: the namespace serves the base world.");
  return el("ul", {}, scenarios.map((s) => el("li", {},
    el("strong", {}, s.name), declaredLinks(s.document),
    el("details", {}, el("summary", {}, "document"), el("pre", {}, JSON.stringify(s.document, null, 2))))));
}

async function showScenarios() {
  const { scenarios } = await api("GET", `${nsBase}/scenarios`);
  const area = el("textarea", { id: "scenario", rows: 16, spellcheck: "false", placeholder: "spaaza:\n  chains:\n    - id: 7001\n      campaigns:\n        - {type: cashback, title: My offer}" });
  const name = el("input", { id: "scenario-name", maxlength: 64, placeholder: "scenario-N", spellcheck: "false" });
  const outcome = el("div", { id: "outcome" });
  const load = async (event) => {
    event.preventDefault();
    clearProblem();
    const query = name.value.trim() ? "?name=" + encodeURIComponent(name.value.trim()) : "";
    try {
      const { loaded } = await api("POST", `${nsBase}/scenarios${query}`, area.value, "application/yaml");
      area.value = "";
      name.value = "";
      outcome.replaceChildren(said(`Loaded into ${ns}: ${loaded.join(", ")}`));
      list.replaceChildren(loadedList((await api("GET", `${nsBase}/scenarios`)).scenarios));
    } catch (error) {
      if (error.status === 422) outcome.replaceChildren(...refusalListing(area.value, error.errors.length ? error.errors : [error.message]));
      else showProblem(error);
    }
  };
  const list = el("div", { id: "loaded" }, loadedList(scenarios));
  render(
    el("h1", {}, `Scenarios of namespace ${ns}`),
    el("form", { onsubmit: load },
      el("p", {}, el("label", { for: "scenario" }, "Scenario"), " (YAML or JSON, the scenario-file format)"),
      area,
      el("p", { class: "row" }, el("label", { for: "scenario-name" }, "Name"), name, button("Load scenario", null, "submit"))),
    outcome,
    el("h2", {}, "Loaded scenarios"),
    list,
    el("p", { class: "row" },
      button("Clear scenarios", () => change(() => api("DELETE", `${nsBase}/scenarios`), () => "Scenarios cleared: the namespace serves the base world.")),
      button("Reset namespace", () => change(() => api("DELETE", nsBase), () => `Namespace ${ns} reset: scenarios, clock, faults and journal.`))),
  );
}

// --- Clock ---------------------------------------------------------------------------

async function showClock() {
  const clock = await api("GET", `${nsBase}/clock`);
  const input = el("input", { id: "clock", value: clock.now, size: 32, spellcheck: "false" });
  const set = (event) => { event.preventDefault(); change(() => api("PUT", `${nsBase}/clock`, { now: input.value.trim() }), (c) => `Clock set to ${c.now}.`); };
  render(
    el("h1", {}, `Clock of namespace ${ns}`),
    el("p", {}, "Now: ", el("code", { id: "clock-now" }, clock.now), ` (${clock.source})`),
    el("form", { class: "row", onsubmit: set },
      el("label", { for: "clock" }, "Clock"), input, button("Set clock", null, "submit"),
      button("Back to reference", () => change(() => api("DELETE", `${nsBase}/clock`), () => "Clock back to the reference."))),
    el("p", { class: "muted" }, "A date-time with an offset, e.g. 2024-07-01T00:00:00+00:00. Activity, exclude_inactive and get-campaign's 449 follow it."),
  );
}

// --- Faults --------------------------------------------------------------------------

async function showFaults() {
  const [{ faults }, known] = await Promise.all([api("GET", `${nsBase}/faults`), api("GET", "/__mock/catalogue")]);
  const operation = el("select", { id: "fault-operation" }, known.operations.map((o) => el("option", { value: o.operation }, `${o.operation} (${o.vendor})`)));
  const error = el("input", { id: "fault-error", list: "fault-errors", size: 20, placeholder: "217 or permission_missing" });
  const errors = el("datalist", { id: "fault-errors" },
    known.spaaza_errors.map((e) => el("option", { value: e.code }, `Spaaza ${e.name} (${e.http_status})`)),
    known.levelup_errors.map((e) => el("option", { value: e.name }, `LevelUp (${e.http_status})`)));
  const delay = el("input", { id: "fault-delay", type: "number", min: 0, size: 8 });
  const drop = el("input", { id: "fault-drop", type: "checkbox" });
  const times = el("input", { id: "fault-times", type: "number", min: 1, value: 1, size: 6 });
  const arm = (event) => {
    event.preventDefault();
    const spec = { operation: operation.value, times: times.value.trim() ? Number(times.value) : null };
    const code = error.value.trim();
    if (code) spec.error = /^\d+$/.test(code) ? Number(code) : code;
    if (delay.value.trim()) spec.delay_ms = Number(delay.value);
    if (drop.checked) spec.drop = true;
    change(() => api("POST", `${nsBase}/faults`, spec), (f) => `Armed ${f.id}.`);
  };
  const does = (f) => (f.drop ? "drop the connection" : f.delay_ms !== undefined ? `delay ${f.delay_ms} ms` : `error ${f.error}`);
  render(
    el("h1", {}, `Faults of namespace ${ns}`),
    el("form", { onsubmit: arm },
      el("p", { class: "row" }, el("label", { for: "fault-operation" }, "Operation"), operation),
      el("p", { class: "row" },
        el("label", { for: "fault-error" }, "Error"), error, errors, " or ",
        el("label", { for: "fault-delay" }, "Delay (ms)"), delay, " or ",
        drop, el("label", { for: "fault-drop" }, "Drop the connection")),
      el("p", { class: "row" }, el("label", { for: "fault-times" }, "Times"), times, el("span", { class: "muted" }, "(empty: until removed)"), button("Arm fault", null, "submit"))),
    table("armed, in the order they fire", ["Fault", "Operation or path", "Does", "Times", "Remaining", "Fired", ""],
      faults.map((f) => [f.id, f.operation || f.path, does(f), f.times === null ? "until removed" : f.times, f.remaining === null ? "∞" : f.remaining, f.fired,
        button("Remove", () => change(() => api("DELETE", `${nsBase}/faults/${encodeURIComponent(f.id)}`), () => `Removed ${f.id}.`))])),
    el("p", {}, button("Clear faults", () => change(() => api("DELETE", `${nsBase}/faults`), () => "Faults cleared."))),
  );
}

// --- Journal -------------------------------------------------------------------------

const repeats = new Map(); // seq -> curl text, fetched when a row's curl is first opened
const opened = new Set();
const COLUMNS = ["Time (UTC)", "Method", "Path", "Status", "Operation", "Error", "Why", "Repeat"];

function why(entry) {
  const reasons = [];
  if (entry.fault) reasons.push(`fault ${entry.fault}`);
  if (Array.isArray(entry.scenarios)) reasons.push(entry.scenarios.length ? `scenarios: ${entry.scenarios.join(", ")}` : "base world");
  if (entry.clock) reasons.push(`clock ${entry.clock}`);
  if (entry.variation) reasons.push(`variation ${entry.variation.name} (seed ${entry.variation.seed})${entry.variation.field ? ` without ${entry.variation.field}` : ""}`);
  return reasons.join("; ") || "—";
}

// A row, and below it a full-width one with the curl to repeat the request (asked for when
// first opened: the journal masks secrets, the world knows them).
function journalRows(entry) {
  const block = el("pre", {}, repeats.get(entry.seq) || "…");
  const below = el("tr", { class: "repeat", hidden: !opened.has(entry.seq) }, el("td", { colspan: COLUMNS.length }, block));
  const toggle = el("button", { type: "button", "aria-expanded": String(opened.has(entry.seq)) }, "curl");
  toggle.addEventListener("click", async () => {
    const open = below.hidden;
    below.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    if (!open) { opened.delete(entry.seq); return; }
    opened.add(entry.seq);
    if (!repeats.has(entry.seq)) {
      try { repeats.set(entry.seq, curl(await api("GET", `${nsBase}/journal/${entry.seq}/request`))); } catch (error) { repeats.set(entry.seq, error.message); }
    }
    block.textContent = repeats.get(entry.seq);
  });
  const cells = [el("time", { datetime: entry.time, title: entry.time }, entry.time.slice(11, 23)), entry.method, entry.path + (entry.query_string ? "?" + entry.query_string : ""), entry.status === null ? "dropped" : entry.status,
    entry.operation || "", text(entry.error), why(entry), toggle];
  return [el("tr", {}, cells.map((c) => el("td", {}, c))), below];
}

async function showJournal() {
  const body = el("tbody", {});
  const counts = el("caption", {}, "the newest 100, newest first, updating every second");
  let shown = "";
  const refresh = async () => {
    if (document.hidden) return;
    const journal = await api("GET", `${nsBase}/journal?limit=100`);
    const entries = journal.requests.slice().reverse();
    const seen = entries.map((e) => e.seq).join(",");
    if (seen === shown) return; // unchanged: keep the rows (and any open curl) as they are
    shown = seen;
    counts.textContent = `the newest 100, newest first, updating every second: ${entries.length} shown` + (journal.dropped ? `; the bounded journal dropped ${journal.dropped} older ones` : "");
    body.replaceChildren(...entries.flatMap(journalRows));
  };
  await refresh();
  render(
    el("h1", {}, `Journal of namespace ${ns}`),
    el("p", {}, button("Clear journal", () => change(() => api("DELETE", `${nsBase}/journal`), () => "Journal cleared."))),
    el("table", { id: "journal" }, counts,
      el("thead", {}, el("tr", {}, COLUMNS.map((h) => el("th", { scope: "col" }, h)))),
      body),
  );
  return () => refresh().catch(showProblem);
}

// --- Coverage ------------------------------------------------------------------------

async function showCoverage() {
  const holder = el("div", {});
  const refresh = async () => {
    if (document.hidden) return;
    const report = await api("GET", `${nsBase}/coverage`);
    holder.replaceChildren(table(
      `${report.requests} request(s): ${report.covered} of ${report.total} documented behaviours reached (${report.percent}%), updating every 3 seconds`,
      ["Dimension", "Covered", "Total", "Percent", "Never reached"],
      Object.values(report.dimensions).map((d) => [d.title, d.covered, d.total, `${d.percent}%`, d.missing.join(", ")])));
  };
  await refresh();
  render(el("h1", {}, `Coverage of namespace ${ns}`), holder);
  return () => refresh().catch(showProblem);
}

// --- start ---------------------------------------------------------------------------

const VIEWS = { world: showWorld, scenarios: showScenarios, clock: showClock, faults: showFaults, journal: showJournal, coverage: showCoverage };
const POLL_MS = { journal: 1000, coverage: 3000 }; // a coverage report reads the whole journal
let poll = null;
let refreshing = null; // the shown view's refresh (a view shown again after a change has a new one)

async function show() {
  const refresh = await (VIEWS[view] || showWorld)();
  refreshing = typeof refresh === "function" ? refresh : null;
  if (refreshing && poll === null) poll = setInterval(() => refreshing && refreshing(), POLL_MS[view]);
}

async function start() {
  const input = document.getElementById("namespace");
  input.value = ns;
  document.getElementById("namespace-form").addEventListener("submit", (event) => {
    event.preventDefault();
    location.search = href({ view }, input.value.trim()); // a new key is a new namespace, as in the admin API
  });
  for (const a of document.querySelectorAll("nav a")) {
    a.setAttribute("href", href({ view: a.dataset.view }));
    if (a.dataset.view === view) a.setAttribute("aria-current", "page");
  }
  document.getElementById("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value);
    location.reload();
  });
  try {
    readOnly = Boolean((await api("GET", "/__mock/health")).read_only_admin);
  } catch (error) {
    showProblem(error);
  }
  document.getElementById("read-only").hidden = !readOnly;
  try {
    await show();
  } catch (error) {
    render(el("p", { class: "muted" }, "Nothing to show."));
    showProblem(error);
  }
  api("GET", "/__mock/namespaces").then(({ namespaces }) => {
    document.getElementById("namespaces").replaceChildren(...namespaces.map((n) => el("option", { value: n })));
  }).catch(() => {});
}

start();
