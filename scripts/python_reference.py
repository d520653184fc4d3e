#!/usr/bin/env python3
"""The lesson's Python code, and every alternative it names, timed against
wikifetch's mock server.

`cargo bench` runs this after the Rust benchmarks and shows its timings in
results/REPORT.md as the Python reference. Each row says what it changes
against the lesson (`changes`):

- the lesson exactly: `requests.get` without a session, the title pasted
  into the URL unencoded, a for-loop, then `ThreadPoolExecutor(max_workers=10)`
  with `as_completed`;
- the same two with one `requests.Session` (its pool sized to the workers)
  and the title passed as a parameter, so it is encoded;
- asyncio with `httpx.AsyncClient`, at most 10 in flight, with the lesson's
  URL;
- `ProcessPoolExecutor(max_workers=10)` with the lesson's function.

Only the API URL differs from the lesson: it points at the local mock. Over
HTTPS (the `wan` scenario) the mock's CA is trusted through the variables
requests and httpx read (REQUESTS_CA_BUNDLE, SSL_CERT_FILE), so the lesson's
code runs unchanged, with certificate verification on.

Like the Rust rows, every row makes one untimed call first, and a client
that outlives a call (the Session, the AsyncClient) is built once per row
and kept, so that its timed calls start on warm connections; the lesson's
`requests.get` keeps nothing, which is the point. Around every timed call
the mock's counters are read from its admin address: connections opened
and TLS handshakes per call.

Usage: python_reference.py --scenario NAME N REPEATS URL ADMIN [--scenario ...]
       [--ca-cert PATH] --out FILE

The packages are pinned in scripts/requirements.txt; if they are missing it
creates scripts/.venv, installs them there (PyPI), then runs itself again
with that interpreter.
"""

import argparse
import asyncio
import urllib.request
import concurrent.futures
import json
import os
import platform
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(HERE, ".venv")


REQUIREMENTS = os.path.join(HERE, "requirements.txt")


def ensure_packages():
    try:
        import httpx  # noqa: F401
        import requests  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(VENV, "bin", "python")
    if os.path.abspath(sys.executable) == os.path.abspath(python):
        sys.exit("requests or httpx is still missing inside scripts/.venv")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS], check=True
    )
    os.execv(python, [python, *sys.argv])


ensure_packages()
import httpx  # noqa: E402
import requests  # noqa: E402
import requests.adapters  # noqa: E402

API = None  # set in main(): the mock's api.php URL


def wiki_extract_for_title(wiki_title):
    """Query the Wikipedia API and return the first 5 sentences of the text with given title."""

    resp = requests.get(
        API
        + "?action=query&prop=extracts&exsentences=5&explaintext=1&format=json&titles="
        + wiki_title
    )
    # Convert the JSON into a Python dict
    resp_dict = resp.json()
    # Get the extract text from the Python dict
    page_id = list(resp_dict["query"]["pages"].keys())[0]
    extract = resp_dict["query"]["pages"][page_id]["extract"]

    return extract


def lesson_loop(wiki_titles):
    wiki_extracts = []
    for wiki_title in wiki_titles:
        wiki_extracts.append(wiki_extract_for_title(wiki_title))
    return wiki_extracts


def lesson_pool(wiki_titles):
    wiki_extracts = []
    # Use a pool of 10 threads for concurrent execution
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as executor:
        queued_futures = []
        # Submit tasks to the worker queue
        for wiki_title in wiki_titles:
            future = executor.submit(wiki_extract_for_title, wiki_title)
            queued_futures.append(future)
        # Wait for all tasks to complete and gather the results
        for future in concurrent.futures.as_completed(queued_futures):
            wiki_extracts.append(future.result())
    return wiki_extracts


# --- One requests.Session, the title as a parameter -------------------------

SESSION = None  # set per measurement: a Session with a pool of 10


def extract_with_session(wiki_title):
    """The lesson's function with one shared Session and the title encoded."""
    resp = SESSION.get(
        API,
        params={
            "action": "query",
            "prop": "extracts",
            "exsentences": 5,
            "explaintext": 1,
            "format": "json",
            "titles": wiki_title,
        },
    )
    resp_dict = resp.json()
    page_id = list(resp_dict["query"]["pages"].keys())[0]
    return resp_dict["query"]["pages"][page_id]["extract"]


class WithSession:
    """Runs `code` with one Session whose pool holds 10 connections, built
    when the row starts and kept across its calls."""

    def __init__(self, code):
        self.code = code

    def open(self):
        global SESSION
        SESSION = requests.Session()
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=10)
        SESSION.mount("http://", adapter)
        SESSION.mount("https://", adapter)

    def __call__(self, wiki_titles):
        return self.code(wiki_titles)

    def close(self):
        SESSION.close()


def session_loop(wiki_titles):
    return [extract_with_session(t) for t in wiki_titles]


def session_pool(wiki_titles):
    wiki_extracts = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as executor:
        queued_futures = [executor.submit(extract_with_session, t) for t in wiki_titles]
        for future in concurrent.futures.as_completed(queued_futures):
            wiki_extracts.append(future.result())
    return wiki_extracts


# --- asyncio with httpx.AsyncClient, at most 10 in flight --------------------


async def httpx_all(client, wiki_titles, limit=10):
    gate = asyncio.Semaphore(limit)

    async def one(wiki_title):
        async with gate:
            resp = await client.get(
                API
                + "?action=query&prop=extracts&exsentences=5&explaintext=1&format=json&titles="
                + wiki_title
            )
        resp_dict = resp.json()
        page_id = list(resp_dict["query"]["pages"].keys())[0]
        return resp_dict["query"]["pages"][page_id]["extract"]

    return await asyncio.gather(*(one(t) for t in wiki_titles))


class AsyncioHttpx:
    """One event loop and one AsyncClient (10 connections) per row, kept
    across its calls."""

    def open(self, limit=10):
        self.loop = asyncio.new_event_loop()
        limits = httpx.Limits(max_connections=limit, max_keepalive_connections=limit)
        self.client = httpx.AsyncClient(limits=limits)

    def __call__(self, wiki_titles):
        return self.loop.run_until_complete(httpx_all(self.client, wiki_titles))

    def close(self):
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


# --- ProcessPoolExecutor with the lesson's function ---------------------------


def set_api(url):
    global API
    API = url


def process_pool(wiki_titles):
    wiki_extracts = []
    with concurrent.futures.ProcessPoolExecutor(
        max_workers=10, initializer=set_api, initargs=(API,)
    ) as executor:
        queued_futures = [executor.submit(wiki_extract_for_title, t) for t in wiki_titles]
        for future in concurrent.futures.as_completed(queued_futures):
            wiki_extracts.append(future.result())
    return wiki_extracts


# The rows: (name, what it changes against the lesson, code, C, keeps input order).
VARIANTS = [
    ("for-loop", "nothing: the lesson's loop", lesson_loop, 1, True),
    ("ThreadPoolExecutor(10)", "nothing: the lesson's pool", lesson_pool, 10, False),
    (
        "Session for-loop",
        "one requests.Session, the title as a parameter",
        WithSession(session_loop),
        1,
        True,
    ),
    (
        "Session ThreadPoolExecutor(10)",
        "one requests.Session (pool of 10), the title as a parameter",
        WithSession(session_pool),
        10,
        False,
    ),
    (
        "asyncio + httpx (10 in flight)",
        "asyncio tasks and httpx.AsyncClient instead of threads and requests",
        AsyncioHttpx(),
        10,
        True,
    ),
    (
        "ProcessPoolExecutor(10)",
        "processes instead of threads",
        process_pool,
        10,
        False,
    ),
]


def titles(n):
    """The same titles as wikifetch's scenarios (src/scenarios.rs)."""
    out = []
    for i in range(n):
        if i % 10 == 3:
            out.append(f"東京 {i}")
        elif i % 10 == 7:
            out.append(f"AT&T {i}")
        else:
            out.append(f"Article {i}")
    return out


def wrong(wiki_titles, extracts, ordered):
    """Titles whose extract is not about them (the unencoded `&` cuts the title).

    The pool's `as_completed` loses the order, so there each title is looked
    up among all extracts instead of at its position.
    """
    if ordered:
        return sum(1 for t, e in zip(wiki_titles, extracts) if not e.startswith(t + " "))
    found = set(e.split(" is the subject")[0] for e in extracts)
    return sum(1 for t in wiki_titles if t not in found)


def admin(url, path):
    """The mock's counters, from its admin address (never through TLS)."""
    with urllib.request.urlopen(url + path, timeout=10) as resp:
        return json.load(resp)


def measure(variant, scenario, n, repeats, url, admin_url):
    """Times one row: `repeats` timed calls, the mock's counters read around
    each, after an untimed one for a row whose client outlives a call (the
    lesson's code keeps nothing to warm). A call that raises counts every
    title as failed."""
    global API
    API = url
    name, changes, code, concurrency, ordered = variant
    wiki_titles = titles(n)
    seconds, connections, handshakes, requests_sent, wrongs = [], [], [], [], []
    kept = hasattr(code, "open")
    if kept:
        code.open()
    try:
        for timed in [False] * kept + [True] * repeats:
            admin(admin_url, "/__wikifetch/reset")
            start = time.perf_counter()
            try:
                extracts = code(wiki_titles)
                failed = 0
            except Exception as e:  # noqa: BLE001 - the lesson's code raises anything
                print(f"python reference: {name} ({scenario}) raised {e!r}", file=sys.stderr)
                extracts, failed = [], n
            elapsed = time.perf_counter() - start
            stats = admin(admin_url, "/__wikifetch/stats")
            if not timed:
                continue
            seconds.append(elapsed)
            connections.append(stats["connections"])
            handshakes.append(stats.get("tls13_connections", 0) + stats.get("tls12_connections", 0))
            requests_sent.append(stats["requests"])
            wrongs.append(failed or wrong(wiki_titles, extracts, ordered=ordered))
    finally:
        if kept:
            code.close()
    return {
        "scenario": scenario,
        "code": name,
        "changes": changes,
        "titles": n,
        "concurrency": concurrency,
        "repeats": repeats,
        "mean_s": statistics.mean(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "wrong": max(wrongs),
        "connections_per_call": statistics.mean(connections),
        "tls_handshakes_per_call": statistics.mean(handshakes),
        "requests_per_call": statistics.mean(requests_sent),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenario",
        nargs=5,
        action="append",
        required=True,
        metavar=("NAME", "N", "REPEATS", "URL", "ADMIN"),
        help="a scenario: its name, titles per call, timed calls per row, "
        "the mock's API URL and its admin URL",
    )
    parser.add_argument("--ca-cert", help="the CA an https mock's certificate is signed by")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    if args.ca_cert:
        # What requests and httpx read when verifying: the lesson's code
        # itself stays as it is.
        os.environ["REQUESTS_CA_BUNDLE"] = args.ca_cert
        os.environ["SSL_CERT_FILE"] = args.ca_cert
    runs = [
        measure(v, name, int(n), int(repeats), url, admin_url.rstrip("/"))
        for name, n, repeats, url, admin_url in args.scenario
        for v in VARIANTS
    ]
    result = {
        "python": platform.python_version(),
        "requests": requests.__version__,
        "httpx": httpx.__version__,
        "runs": runs,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    for run in runs:
        print(f"python reference: {run['scenario']:<9} {run['code']:<32} "
              f"mean {run['mean_s'] * 1e3:8.1f} ms  wrong {run['wrong']}  "
              f"connections {run['connections_per_call']:g}  "
              f"TLS handshakes {run['tls_handshakes_per_call']:g}")


if __name__ == "__main__":
    main()
