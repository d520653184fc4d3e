#!/usr/bin/env python3
"""Peak memory, threads and CPU of each strategy with C requests in flight.

Starts `wikifetch serve` (in its own process, so its memory is not counted),
then runs `wikifetch fetch --strategy S --concurrency C` over N titles for
every strategy, one at a time, and reads from the kernel:
  - peak RSS (VmHWM) and user/system CPU time (wait4's rusage),
  - the most OS threads seen (/proc/PID/status, polled every 5 ms).

Usage: scripts/memory_at_scale.py [--titles 10000] [--concurrency 1000]
       [--latency 20ms] [--binary target/release/wikifetch]
Build first: cargo build --release. Talks to 127.0.0.1 only.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time

STRATEGIES = ["sequential", "thread-pool", "thread-per-request", "rayon", "tokio", "async-std", "smol"]


def status_field(pid, name):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(name + ":"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return None


def run(binary, strategy, url, titles_file, concurrency):
    """Runs one strategy; returns wall seconds, its own rusage, peak threads, results, errors."""
    args = [binary, "fetch", "--strategy", strategy, "--concurrency", str(concurrency),
            "--api-url", url, "--titles-file", titles_file, "--format", "json"]
    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    os.set_blocking(proc.stdout.fileno(), False)
    threads, chunks = 0, []
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        chunk = proc.stdout.read()
        if chunk:
            chunks.append(chunk)
        if pid:
            break
        threads = max(threads, status_field(proc.pid, "Threads") or 0)
        time.sleep(0.005)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    rest = proc.stdout.read()
    if rest:
        chunks.append(rest)
    lines = b"".join(chunks).decode().splitlines()
    errors = sum(1 for line in lines if '"error"' in line)
    return elapsed, usage, threads, len(lines), errors


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--titles", type=int, default=10_000)
    p.add_argument("--concurrency", type=int, default=1000)
    p.add_argument("--latency", default="20ms")
    p.add_argument("--binary", default="target/release/wikifetch")
    a = p.parse_args()
    serve = subprocess.Popen([a.binary, "serve", "--port", "0", "--latency", a.latency],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = serve.stdout.readline().strip()
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write("\n".join(f"Scale {i}" for i in range(a.titles)) + "\n")
            titles_file = f.name
        print(f"N = {a.titles}, C = {a.concurrency}, latency {a.latency}, mock at {url}")
        print(f"{'strategy':<20} {'wall':>8} {'peak RSS':>10} {'threads':>8} {'user':>7} {'sys':>7} {'results':>8} {'errors':>7}")
        for s in STRATEGIES:
            if s == "sequential" and a.titles * 0.022 > 60:
                print(f"{s:<20} skipped: about {a.titles * 0.022:.0f} s one title at a time")
                continue
            elapsed, usage, threads, results, errors = run(a.binary, s, url, titles_file, a.concurrency)
            print(f"{s:<20} {elapsed:7.2f}s {usage.ru_maxrss / 1024:8.1f}MiB {threads:8d} "
                  f"{usage.ru_utime:6.2f}s {usage.ru_stime:6.2f}s {results:8d} {errors:7d}")
    finally:
        serve.terminate()
        serve.wait()
        os.unlink(titles_file)


if __name__ == "__main__":
    sys.exit(main())
