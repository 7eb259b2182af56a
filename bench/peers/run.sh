#!/usr/bin/env bash
# `just bench-peers`: every ratio of issue #14's table in one command. One Node process
# (bench/js/peers.mjs: passport vs jose, the 100-tool MCP overhead with SDK 1.x and 2.x) and
# one Python process (bench/python/peers.py: passport vs PyJWT, Ed25519 vs PyNaCl, the Python
# adapter's 100-tool overhead), each running its ratios BENCH_RUNS times (default 5); then the
# table of medians and spreads (table.py). BENCH_QUICK=1: a smoke run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/bindings/js/scripts/build-if-stale.sh" >&2
bash "$root/bindings/python/scripts/build.sh" >&2
js="$root/bench/js"
if [ ! -d "$js/node_modules" ] || [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
    (cd "$js" && npm ci --no-audit --no-fund) >&2
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$js" && BENCH_JSON="$tmp/node.json" nice -n 10 node peers.mjs)
BENCH_JSON="$tmp/python.json" nice -n 10 "$root/.venv/bin/python" "$root/bench/python/peers.py"
echo
"$root/.venv/bin/python" "$root/bench/peers/table.py" "$tmp/node.json" "$tmp/python.json"
