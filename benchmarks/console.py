"""The QA console (/__mock/ui/) with the largest world we generate, side by side with the
default world: each admin call a view makes (median latency as a client sees it) and the time a
real browser (Playwright driving Debian's chromium) takes from navigation to the view shown;
for each call also the server's CPU time (what a busy, shared machine moves far less).
Target (issue 17): no view takes more than a second. Each world's namespace first gets a full
journal (--journal vendor requests), which the journal and coverage views read. Asserts nothing.

    .venv/bin/python benchmarks/console.py [--chains 5000] [--merchants 1000] [--journal 10000] [--repeat 10]

5,000 chains are the 10^5 campaigns of benchmarks/world_generation.py's largest size; `serve`
builds that world once to check it and once per worker, which takes a minute or two.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from server import cpu_seconds, free_port  # benchmarks/server.py

NS = "bench"
CHROMIUM = os.environ.get("CAMPAIGN_MOCK_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ADMIN = {"X-Spaaza-Session-User-Id": "1548854", "X-Spaaza-Session-Key": "564e5b4faa7f639dacf1983f1dae62155d5734b789b06b5986c43bfe2542854e"}


def serve(args: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "campaign_mock", "serve", "--port", str(port), *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"serve {args} exited")
        try:
            requests.get(url + "/__mock/health", timeout=2)
            return process, url
        except requests.ConnectionError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"serve {args} did not start in 15 minutes")


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def fill_journal(url: str, count: int) -> None:
    """`count` vendor requests in the namespace: chains, users' own views, LevelUp."""
    base = f"{url}/__mock/ns/{NS}"
    paths = [("/get-campaigns?chain_id=1762", ADMIN), ("/get-campaign?campaign_id=809", ADMIN), ("/get-campaigns?chain_id=1", ADMIN),
             ("/v15/campaigns/20/basic_v1", {"Authorization": "token 981-64eef337afa90f88bb897160f686dc9c64a4ff5848eeb8410942e0eecd35f1"})]

    def send(n: int) -> None:
        with requests.Session() as http:
            for i in range(n, count, 8):
                path, headers = paths[i % len(paths)]
                http.get(base + path, headers=headers, timeout=10)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(send, range(8)))


def targets(url: str) -> dict:
    """Ids to look at: the last chain (the end of the id order), a user of it, the last merchant."""
    base = f"{url}/__mock/ns/{NS}/world"
    first = requests.get(f"{base}/chains?limit=1", timeout=60).json()
    last = requests.get(f"{base}/chains?limit=1&offset={first['total'] - 1}", timeout=60).json()["chains"][0]
    chain = requests.get(f"{base}/chains/{last['chain_id']}", timeout=60).json()
    merchants = requests.get(f"{base}/levelup/merchants?limit=1", timeout=60).json()
    merchant = requests.get(f"{base}/levelup/merchants?limit=1&offset={merchants['total'] - 1}", timeout=60).json()["merchants"][0]
    newest = requests.get(f"{url}/__mock/ns/{NS}/journal?limit=1", timeout=60).json()["requests"][0]["seq"]
    return {
        "chain": last["chain_id"], "name": last["name"].split()[0], "user": chain["users"][0]["user_id"] if chain["users"] else 176201,
        "merchant": merchant["merchant_id"], "seq": newest, "chains": first["total"], "merchants": merchants["total"],
    }


def calls(t: dict) -> dict[str, str]:
    ns = f"/__mock/ns/{NS}"
    return {
        "world: chains, first page": f"{ns}/world/chains",
        "world: chains filtered by name": f"{ns}/world/chains?q={t['name']}",
        "world: the last chain": f"{ns}/world/chains/{t['chain']}",
        "world: a user of it": f"{ns}/world/users/{t['user']}",
        "world: LevelUp merchants": f"{ns}/world/levelup/merchants",
        "world: the last merchant": f"{ns}/world/levelup/merchants/{t['merchant']}",
        "world: LevelUp users": f"{ns}/world/levelup/users",
        "journal: newest 100": f"{ns}/journal?limit=100",
        "journal: one entry's curl": f"{ns}/journal/{t['seq']}/request",
        "coverage (whole journal)": f"{ns}/coverage",
        "faults": f"{ns}/faults",
        "GET /__mock/world (all at once, unpaged)": "/__mock/world",
    }


def views(t: dict) -> dict[str, str]:
    return {
        "World": "view=world", "World, filtered": f"view=world&q={t['name']}", "chain": f"view=world&chain={t['chain']}",
        "user": f"view=world&user={t['user']}", "merchant": f"view=world&merchant={t['merchant']}",
        "Scenarios": "view=scenarios", "Clock": "view=clock", "Faults": "view=faults", "Journal": "view=journal", "Coverage": "view=coverage",
    }


def time_calls(url: str, t: dict, repeat: int, pid: int) -> tuple[dict[str, float], dict[str, float]]:
    """(median latency, mean server CPU time per call), in ms."""
    latency, cpu = {}, {}
    with requests.Session() as http:
        for name, path in calls(t).items():
            took = []
            used = cpu_seconds(pid)
            for _ in range(repeat):
                started = time.perf_counter()
                http.get(url + path, timeout=120).raise_for_status()
                took.append((time.perf_counter() - started) * 1000)
            cpu[name] = (cpu_seconds(pid) - used) * 1000 / repeat
            latency[name] = statistics.median(took)
    return latency, cpu


def time_views(url: str, t: dict, repeat: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    found = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        page = browser.new_page()
        for name, query in views(t).items():
            took = []
            for _ in range(repeat):
                started = time.perf_counter()
                page.goto(f"{url}/__mock/ui/?ns={NS}&{query}")
                page.wait_for_selector("main h1", timeout=60_000)  # the view is rendered whole at once
                took.append((time.perf_counter() - started) * 1000)
            found[name] = statistics.median(took)
        browser.close()
    return found


def measure(label: str, args: list[str], journal: int, repeat: int) -> tuple[dict, dict, dict, dict]:
    print(f"{label}: starting serve {' '.join(args) or '(defaults)'} ...", file=sys.stderr, flush=True)
    started = time.monotonic()
    process, url = serve(args)
    try:
        print(f"{label}: up in {time.monotonic() - started:.0f} s; {journal} requests into the journal ...", file=sys.stderr, flush=True)
        fill_journal(url, journal)
        t = targets(url)
        return t, *time_calls(url, t, repeat, process.pid), time_views(url, t, repeat)
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chains", type=int, default=5000)
    parser.add_argument("--merchants", type=int, default=1000)
    parser.add_argument("--journal", type=int, default=10_000, help="vendor requests in the namespace's journal (10,000 keeps it full)")
    parser.add_argument("--repeat", type=int, default=10)
    a = parser.parse_args()
    small = measure("default world", [], a.journal, a.repeat)
    large = measure("largest world", ["--chains", str(a.chains), "--merchants", str(a.merchants)], a.journal, a.repeat)
    for t, label in ((small[0], "default world"), (large[0], "largest world")):
        print(f"{label}: {t['chains']} chains, {t['merchants']} merchants; a journal of {a.journal} requests")
    for title, index in (("admin call (median ms)", 1), ("admin call, server CPU (ms)", 2), ("browser view, navigation to shown (median ms)", 3)):
        print(f"\n| {title} | default world | largest world | ratio |\n| --- | --- | --- | --- |")
        for name in small[index]:
            s, g = small[index][name], large[index][name]
            print(f"| {name} | {s:,.1f} | {g:,.1f} | {f'{g / s:.2f}x' if s else '-'} |")
    slowest = max(large[3].items(), key=lambda kv: kv[1])
    print(f"\nslowest view with the largest world: {slowest[0]}, {slowest[1]:,.0f} ms (target: under 1,000 ms)")


if __name__ == "__main__":
    main()
