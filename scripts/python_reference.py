#!/usr/bin/env python3
"""The lesson's Python code, timed against wikifetch's mock server.

`cargo bench` runs this after the Rust benchmarks and shows its timings in
results/REPORT.md as the Python reference. It reproduces the lesson exactly:
`requests.get` without a session, the title pasted into the URL unencoded,
a for-loop, then `ThreadPoolExecutor(max_workers=10)` with `as_completed`.
Only the API URL differs: it points at the local mock.

Usage: python_reference.py --latency-url URL --overhead-url URL --out FILE

If `requests` is not installed, it creates scripts/.venv and installs it
there (PyPI), then runs itself again with that interpreter.
"""

import argparse
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


def ensure_requests():
    try:
        import requests  # noqa: F401
        return
    except ImportError:
        pass
    python = os.path.join(VENV, "bin", "python")
    if os.path.abspath(sys.executable) == os.path.abspath(python):
        sys.exit("requests is still missing inside scripts/.venv")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", "requests"], check=True)
    os.execv(python, [python, *sys.argv])


ensure_requests()
import requests  # noqa: E402

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


def measure(name, scenario, code, n, concurrency, repeats, url):
    global API
    API = url
    wiki_titles = titles(n)
    seconds = []
    extracts = []
    for _ in range(repeats):
        start = time.perf_counter()
        extracts = code(wiki_titles)
        seconds.append(time.perf_counter() - start)
    return {
        "scenario": scenario,
        "code": name,
        "titles": n,
        "concurrency": concurrency,
        "repeats": repeats,
        "mean_s": statistics.mean(seconds),
        "min_s": min(seconds),
        "max_s": max(seconds),
        "wrong": wrong(wiki_titles, extracts, ordered=concurrency == 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency-url", required=True, help="mock with a 20 ms delay")
    parser.add_argument("--overhead-url", required=True, help="mock with no delay")
    parser.add_argument("--out", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    r = args.repeats
    runs = [
        measure("for-loop", "latency", lesson_loop, 100, 1, r, args.latency_url),
        measure("ThreadPoolExecutor(10)", "latency", lesson_pool, 100, 10, r, args.latency_url),
        measure("for-loop", "overhead", lesson_loop, 1000, 1, r, args.overhead_url),
        measure("ThreadPoolExecutor(10)", "overhead", lesson_pool, 1000, 10, r, args.overhead_url),
    ]
    result = {
        "python": platform.python_version(),
        "requests": requests.__version__,
        "runs": runs,
    }
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=2)
    for run in runs:
        print(f"python reference: {run['scenario']:<9} {run['code']:<24} "
              f"mean {run['mean_s'] * 1e3:8.1f} ms  wrong {run['wrong']}")


if __name__ == "__main__":
    main()
