#!/usr/bin/env bash
# The four Python MediaWiki clients a classroom uses, against `wikifetch
# serve` (issue #31): installs wikipedia, wikipedia-api, pymediawiki and
# mwclient from the Python package registry into a throwaway virtual
# environment, starts the mock on a free 127.0.0.1 port, and runs
# scripts/classroom_clients.py, which points each library at the mock with
# its own setting and checks a summary, a short summary, sections and a
# search against what the mock's wiki holds.
#
# Exit status: 0 passed; 1 a check failed (or the set-up did); 77 skipped
# because the registry (or python3 with venv) cannot be reached, with a
# SKIP line saying so. Never a silent pass. The whole run is bounded by
# CLASSROOM_LIMIT seconds (default 300), and the server is stopped on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
limit="${CLASSROOM_LIMIT:-300}"
skip=77
packages=(wikipedia==1.4.0 wikipedia-api==0.16.0 pymediawiki==0.7.5 mwclient==0.11.0)

if [ "${1-}" != "--bounded" ]; then
  status=0
  timeout --kill-after=10 "$limit" "$0" --bounded || status=$?
  if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "error: classroom clients ran past their ${limit}s limit and were stopped" >&2
  fi
  exit "$status"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/wikifetch-classroom.XXXXXX")"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

if ! python3 -m venv "$work/venv" >/dev/null 2>&1; then
  echo "SKIP classroom clients: python3 with venv is not available"
  exit "$skip"
fi
index="${PIP_INDEX_URL:-https://pypi.org/simple}"
if ! "$work/venv/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1].rstrip('/') + '/pip/', timeout=15)" "$index" 2>/dev/null; then
  echo "SKIP classroom clients: the Python package registry ($index) cannot be reached"
  exit "$skip"
fi
echo "== pip install ${packages[*]}"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check "${packages[@]}"

exe="${WIKIFETCH:-}"
if [ -z "$exe" ]; then
  cargo build --quiet --bin wikifetch
  exe="target/debug/wikifetch"
fi
"$exe" serve --port 0 --exit-with-parent >"$work/serve.out" 2>"$work/serve.err" &
server=$!
url=""
for _ in $(seq 100); do
  url="$(head -n 1 "$work/serve.out" 2>/dev/null || true)"
  [ -n "$url" ] && break
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "error: wikifetch serve did not start:" >&2
  cat "$work/serve.err" >&2
  exit 1
fi
echo "== classroom clients against $url"
"$work/venv/bin/python" scripts/classroom_clients.py "$url"
