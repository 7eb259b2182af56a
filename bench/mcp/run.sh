#!/usr/bin/env bash
# What identity adds to connect + tools/list for 10, 100 and 1,000 tools: SDK 1.x and 2.x in
# TypeScript (overhead.mjs, one Node process), then the Python `mcp` SDK 2.x (overhead.py).
# BENCH_QUICK=1 bash bench/mcp/run.sh: a smoke run in a few seconds. BENCH_JSON_DIR=dir: the
# medians as dir/mcp-js.json and dir/mcp-py.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/bindings/js/scripts/build-if-stale.sh" >&2
bash "$root/bindings/python/scripts/build.sh" >&2
json() { [ -n "${BENCH_JSON_DIR:-}" ] && echo "$BENCH_JSON_DIR/$1" || true; }
BENCH_JSON="$(json mcp-js.json)" nice -n 10 node "$root/bench/mcp/overhead.mjs" "$@"
echo
BENCH_JSON="$(json mcp-py.json)" nice -n 10 "$root/.venv/bin/python" "$root/bench/mcp/overhead.py" "$@"
