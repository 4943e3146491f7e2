"""The QA console (/__mock/ui/) in a real browser: Playwright for Python driving Debian's
Chromium (by executable path, never `playwright install`) against a real `campaign-mock
serve`. One browser for the session and one server for the module (an xdist group keeps them
on one worker); each test has its own browser context (so its own sessionStorage) and its own
namespace. The tests write a screenshot of each view to reports/console/ (git-ignored) for a
reviewer to look at. The two refusals a browser cannot be made to send (a foreign Host, a
cross-site form post) are sent with plain HTTP."""

from __future__ import annotations

import json
import os
import time
import uuid
from pathlib import Path

import pytest
import requests
from playwright.sync_api import expect, sync_playwright

from mockserver import SPAAZA_ADMIN, start_mock

pytestmark = pytest.mark.xdist_group("console")

ROOT = Path(__file__).parents[2]
SHOTS = ROOT / "reports" / "console"
CHROMIUM = os.environ.get("CAMPAIGN_MOCK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
TOKEN = "console-test-token"

SCENARIO = """\
spaaza:
  chains:
    - id: 7301
      name: Console Coffee
      campaigns:
        - id: 7301100
          type: cashback
          title: Console cashback
      users:
        - user_id: 730101
          points: 40
"""
BROKEN = """\
spaaza:
  chains:
    - id: 7302
      campaigns:
        - type: loyaltyx
"""
SUMMER = (ROOT / "examples" / "scenarios" / "summer-offer.yaml").read_text(encoding="utf-8")
HOSTILE_TITLE = '<script>window.__owned = 1</script><img src=x onerror="window.__owned = 2">'
HOSTILE = f"""\
spaaza:
  chains:
    - id: 7303
      name: "<b>Bold</b> Bar"
      campaigns:
        - id: 7303100
          type: cashback
          title: '{HOSTILE_TITLE}'
"""


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    with sync_playwright() as playwright:
        # launch() gives the browser a fresh temporary user-data dir, removed when it closes.
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server():
    server = start_mock()
    yield server
    server.stop()


@pytest.fixture
def page(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(5000)
    page = context.new_page()
    failures = []
    page.on("pageerror", lambda error: failures.append(error))
    yield page
    context.close()
    assert failures == []  # no script error in any view


@pytest.fixture
def ns(server):
    key = "qa-" + uuid.uuid4().hex[:10]
    yield key
    requests.delete(f"{server.url}/__mock/ns/{key}", timeout=10)


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def open_view(page, ns: str, view: str, **more) -> None:
    query = "&".join(f"{k}={v}" for k, v in {"ns": ns, "view": view, **more}.items())
    page.goto(f"/__mock/ui/?{query}")


def load(server, ns: str, text: str, name: str) -> None:
    loaded = requests.post(f"{server.url}/__mock/ns/{ns}/scenarios?name={name}", data=text.encode(), headers={"Content-Type": "application/yaml"}, timeout=30)
    assert loaded.status_code == 201, loaded.text


def test_the_world_shows_chain_1762_its_admin_session_and_its_users(page, ns):
    page.goto("/__mock/ui/")
    expect(page).to_have_title("campaign-mock console")
    for name in ("World", "Scenarios", "Clock", "Faults", "Journal", "Coverage"):
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    # Type a key and press Enter: the console switches to that namespace, and the URL says so.
    page.get_by_label("Namespace").fill(ns)
    page.get_by_label("Namespace").press("Enter")
    expect(page.get_by_role("heading", name=f"World of namespace {ns}")).to_be_visible()
    assert f"ns={ns}" in page.url
    page.get_by_label("Filter chains").fill("1762")
    page.get_by_label("Filter chains").press("Enter")
    expect(page.get_by_role("table", name='chains matching "1762"').get_by_role("row")).to_have_count(2)  # the header and chain 1762
    shoot(page, "world")
    page.get_by_role("link", name="chain 1762").click()
    expect(page.get_by_role("heading", name="Chain 1762: ACME")).to_be_visible()
    expect(page.get_by_text("1548854", exact=True)).to_be_visible()  # the documented admin session
    expect(page.get_by_text("564e5b4faa7f639dacf1983f1dae62155d5734b789b06b5986c43bfe2542854e").first).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="ACME Loyalty Campaign")).to_contain_text("active")
    shoot(page, "chain")
    page.get_by_role("link", name="user 176201").click()
    expect(page.get_by_role("heading", name="User 176201: Robert Hubbard")).to_be_visible()
    for identifier in ("member_number", "username", "referral_code", "authentication_point_identifier", "auxiliary_identifier"):
        expect(page.locator("dt", has_text=identifier)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="ACME Monetary Wallet")).to_contain_text("EUR")
    # The copy-paste request is the user's own view, and the mock answers it.
    command = page.locator("pre").first.inner_text()
    assert f"/__mock/ns/{ns}/get-campaigns?chain_id=1762" in command and "X-Spaaza-MyPrice-App-Hostname: acme.myprice.example" in command
    shoot(page, "user")
    page.reload()  # the URL reopens the same view
    expect(page.get_by_role("heading", name="User 176201: Robert Hubbard")).to_be_visible()
    page.get_by_label("Namespace").fill("not a key")
    page.get_by_label("Namespace").press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("namespace: 'not a key' is not a namespace key")


def test_a_loaded_scenario_shows_its_campaign_and_a_refused_one_its_lines(page, server, ns):
    open_view(page, ns, "scenarios")
    page.get_by_label("Scenario", exact=True).fill(BROKEN)
    page.get_by_role("button", name="Load scenario").click()
    line = page.get_by_role("list", name="The refused scenario").get_by_role("listitem").nth(4)
    expect(line).to_contain_text("- type: loyaltyx")
    expect(line).to_contain_text("5: $.spaaza.chains[0].campaigns[0].type: 'loyaltyx' is not allowed here")
    shoot(page, "scenario-refused")
    assert requests.get(f"{server.url}/__mock/ns/{ns}/scenarios", timeout=10).json() == {"scenarios": []}

    page.get_by_label("Scenario", exact=True).fill(SCENARIO)
    page.get_by_label("Name", exact=True).fill("console-demo")
    page.get_by_role("button", name="Load scenario").click()
    expect(page.get_by_role("status")).to_contain_text("Loaded into")
    expect(page.locator("#loaded")).to_contain_text("console-demo")
    shoot(page, "scenarios")
    page.get_by_role("link", name="chain 7301").click()
    expect(page.get_by_role("row").filter(has_text="Console cashback")).to_contain_text("active")
    page.get_by_role("link", name="user 730101").click()
    expect(page.get_by_role("row").filter(has_text="Points Wallet")).to_contain_text("40")

    open_view(page, ns, "scenarios")
    page.get_by_role("button", name="Reset namespace").click()
    expect(page.get_by_role("status")).to_contain_text("reset")
    expect(page.locator("#loaded")).to_contain_text("None")


def test_setting_the_clock_makes_a_campaign_inactive(page, server, ns):
    load(server, ns, SUMMER, "summer")
    open_view(page, ns, "world", chain=7102)
    expect(page.get_by_role("row").filter(has_text="Summer cashback")).to_contain_text("active")
    open_view(page, ns, "clock")
    page.get_by_label("Clock").fill("2024-07-01T00:00:00+00:00")
    page.get_by_role("button", name="Set clock").click()
    expect(page.get_by_role("status")).to_contain_text("Clock set to 2024-07-01T00:00:00+00:00")
    shoot(page, "clock")
    open_view(page, ns, "world", chain=7102)
    expect(page.get_by_role("row").filter(has_text="Summer cashback")).to_contain_text("inactive")
    open_view(page, ns, "clock")
    page.get_by_role("button", name="Back to reference").click()
    expect(page.locator("#clock-now")).to_have_text("2024-01-01T00:00:00+00:00")


def test_an_armed_fault_shows_in_the_journal_within_two_seconds(page, server, ns):
    open_view(page, ns, "faults")
    page.get_by_label("Operation").select_option("getCampaigns")
    page.get_by_label("Error").fill("217")
    page.get_by_role("button", name="Arm fault").click()
    expect(page.get_by_role("row").filter(has_text="f1")).to_contain_text("error 217")
    shoot(page, "faults")
    open_view(page, ns, "journal")
    journal = page.get_by_role("table")
    for header in ("Method", "Path", "Status"):
        expect(journal.get_by_role("columnheader", name=header, exact=True)).to_be_visible()
    sent = time.monotonic()
    answer = requests.get(f"{server.url}/__mock/ns/{ns}/get-campaigns?chain_id=1762", headers=SPAAZA_ADMIN, timeout=10)
    assert answer.json()["error"]["code"] == 217
    row = journal.get_by_role("row").filter(has_text="/get-campaigns?chain_id=1762")
    expect(row).to_contain_text("fault f1", timeout=2000)
    assert time.monotonic() - sent < 2
    expect(row).to_contain_text("400")
    row.get_by_role("button", name="curl").click()  # the curl to repeat it has the session key the journal masks
    expect(journal.locator("pre:visible")).to_contain_text(f"X-Spaaza-Session-Key: {SPAAZA_ADMIN['X-Spaaza-Session-Key']}")
    shoot(page, "journal")


def test_coverage_moves_with_the_namespaces_requests(page, server, ns):
    open_view(page, ns, "coverage")
    operations = page.get_by_role("row").filter(has_text="documented operations")
    expect(operations.get_by_role("cell").nth(1)).to_have_text("0")
    requests.get(f"{server.url}/__mock/ns/{ns}/get-campaigns?chain_id=1762", headers=SPAAZA_ADMIN, timeout=10)
    expect(operations.get_by_role("cell").nth(1)).to_have_text("1", timeout=5000)  # polled every 3 s
    expect(page.get_by_role("table")).to_contain_text("1 request(s)")
    shoot(page, "coverage")


def test_a_script_in_a_scenario_is_shown_as_text(page, ns):
    open_view(page, ns, "scenarios")
    page.get_by_label("Scenario", exact=True).fill(HOSTILE)
    page.get_by_role("button", name="Load scenario").click()
    expect(page.locator("#loaded")).to_contain_text("<script>window.__owned = 1</script>")  # the document, as text
    page.get_by_role("link", name="chain 7303").click()
    expect(page.get_by_role("heading", name="Chain 7303: <b>Bold</b> Bar")).to_be_visible()
    expect(page.get_by_role("cell", name=HOSTILE_TITLE)).to_be_visible()
    assert page.locator("main script, main img, main b").count() == 0
    assert page.evaluate("window.__owned") is None
    shoot(page, "hostile")


def test_the_catalogue_and_the_namespaces_the_console_offers(server, ns):
    from campaign_mock.contract.validate import operation_ids

    catalogue = requests.get(f"{server.url}/__mock/catalogue", timeout=10).json()
    assert [o["operation"] for o in catalogue["operations"]] == operation_ids()
    assert {"code": 217, "name": "chain_id_not_found", "http_status": 400} in catalogue["spaaza_errors"]
    assert ns not in requests.get(f"{server.url}/__mock/namespaces", timeout=10).json()["namespaces"]
    requests.put(f"{server.url}/__mock/ns/{ns}/clock", json={"now": "2024-07-01T00:00:00+00:00"}, timeout=10)
    assert ns in requests.get(f"{server.url}/__mock/namespaces", timeout=10).json()["namespaces"]


def test_a_missing_console_file_is_a_json_404(server):
    answer = requests.get(f"{server.url}/__mock/ui/nothing.js", timeout=10)
    assert answer.status_code == 404 and answer.json()["error"]["field"] == "path"
    page = requests.get(f"{server.url}/__mock/ui/", timeout=10)
    assert "campaign-mock" in page.text and "script-src 'self'" in page.headers["Content-Security-Policy"]


def test_a_cross_site_form_post_is_refused(server, ns):
    fault = json.dumps({"operation": "getCampaigns", "error": 217, "x": "="})  # what a text/plain form can send
    for sent_by in ({"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"}, {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"}):
        refused = requests.post(f"{server.url}/__mock/ns/{ns}/faults", data=fault, headers={"Content-Type": "text/plain", **sent_by}, timeout=10)
        assert refused.status_code == 403, sent_by
        assert refused.json()["error"]["field"] in ("Origin", "Sec-Fetch-Site")
        assert requests.delete(f"{server.url}/__mock/ns/{ns}/journal", headers=sent_by, timeout=10).status_code == 403
    assert requests.get(f"{server.url}/__mock/ns/{ns}/faults", timeout=10).json() == {"faults": []}
    # The console's own writes are same-origin.
    own = {"Origin": server.url, "Sec-Fetch-Site": "same-origin"}
    armed = requests.post(f"{server.url}/__mock/ns/{ns}/faults", json={"operation": "getCampaigns", "error": 217}, headers=own, timeout=10)
    assert armed.status_code == 201


def test_a_foreign_host_is_refused_on_admin_paths_only(server):
    port = server.url.rsplit(":", 1)[1]
    for path in ("/__mock/world", "/__mock/ui/", "/__mock/ns/x/clock"):
        refused = requests.get(server.url + path, headers={"Host": f"evil.example:{port}"}, timeout=10)
        assert refused.status_code == 403 and refused.json()["error"]["field"] == "Host", path
        assert requests.get(server.url + path, headers={"Host": f"localhost:{port}"}, timeout=10).status_code == 200
    # Vendor paths never check Host.
    assert requests.get(f"{server.url}/get-campaigns?chain_id=1762", headers={**SPAAZA_ADMIN, "Host": f"evil.example:{port}"}, timeout=10).status_code == 200
    assert requests.get(f"{server.url}/__mock/ns/x/get-campaigns?chain_id=1762", headers={**SPAAZA_ADMIN, "Host": "evil.example"}, timeout=10).status_code == 200


@pytest.fixture(scope="module")
def guarded_server():
    """A shared console: a token, and read-only."""
    server = start_mock("--admin-token", TOKEN, "--read-only-admin")
    yield server
    server.stop()


def test_with_a_token_the_console_asks_once_per_tab_and_changes_nothing_when_read_only(browser, guarded_server):
    context = browser.new_context(base_url=guarded_server.url)
    context.set_default_timeout(5000)
    try:
        page = context.new_page()
        page.goto("/__mock/ui/?ns=shared&view=clock")
        page.get_by_label("Admin token").fill(TOKEN)
        page.get_by_role("button", name="Use token").click()
        expect(page.get_by_text("Read-only: this mock was started with --read-only-admin")).to_be_visible()
        expect(page.get_by_role("button", name="Set clock")).to_be_disabled()
        shoot(page, "read-only")
        page.get_by_role("link", name="World", exact=True).click()  # kept: not asked again
        expect(page.get_by_role("link", name="chain 1762")).to_be_visible()
        expect(page.get_by_label("Admin token")).to_be_hidden()
        assert page.evaluate("sessionStorage.length") == 1 and page.evaluate("localStorage.length") == 0
        other = context.new_page()  # another tab has its own sessionStorage: asked again
        other.goto("/__mock/ui/")
        expect(other.get_by_label("Admin token")).to_be_visible()
    finally:
        context.close()
    # Read-only refuses every state change, token or not, with a JSON error saying why.
    headers = {"X-Mock-Admin-Token": TOKEN}
    refused = requests.put(f"{guarded_server.url}/__mock/ns/shared/clock", json={"now": "2024-07-01T00:00:00+00:00"}, headers=headers, timeout=10)
    assert refused.status_code == 403 and "--read-only-admin" in refused.json()["error"]["message"]
    assert requests.get(f"{guarded_server.url}/__mock/ns/shared/clock", headers=headers, timeout=10).json()["source"] == "reference"
    # With a token, any Host (a compose service name) works.
    assert requests.get(f"{guarded_server.url}/__mock/world", headers={**headers, "Host": "campaign-mock:8080"}, timeout=10).status_code == 200

