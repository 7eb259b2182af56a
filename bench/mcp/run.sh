#!/usr/bin/env bash
# What identity adds to connect + tools/list for 10, 100 and 1,000 tools: SDK 1.x and 2.x in
# TypeScript (overhead.mjs, a Node process per SDK line: together, the two lines' 1,000-tool
# garbage made the client's time at 1,000 tools swing 5× between runs), then the Python `mcp`
# SDK 2.x (overhead.py).
# BENCH_QUICK=1 bash bench/mcp/run.sh: a smoke run in a few seconds. BENCH_JSON_DIR=dir: the
# medians as dir/mcp-js-1.json, mcp-js-2.json and mcp-py.json.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/bindings/js/scripts/build-if-stale.sh" >&2
bash "$root/bindings/python/scripts/build.sh" >&2
json() { [ -n "${BENCH_JSON_DIR:-}" ] && echo "$BENCH_JSON_DIR/$1" || true; }
for sdk in 1 2; do
    BENCH_SDK=$sdk BENCH_JSON="$(json "mcp-js-$sdk.json")" nice -n 10 node "$root/bench/mcp/overhead.mjs" "$@"
    echo
done
echo
BENCH_JSON="$(json mcp-py.json)" nice -n 10 "$root/.venv/bin/python" "$root/bench/mcp/overhead.py" "$@"
