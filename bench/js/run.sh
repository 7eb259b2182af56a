#!/usr/bin/env bash
# JS benchmark: mcp-attest (wasm) vs jose, node:crypto, @noble/ed25519. BENCH_QUICK=1 for a smoke run.
# `run.sh startup`: only the start-up comparison (startup.mjs).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
js="$here/../../bindings/js"
[ -f "$js/dist/node.js" ] || (cd "$js" && bash scripts/setup.sh && node scripts/build.mjs)
if [ ! -d "$here/node_modules" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
fi
cd "$here"
if [ "${1:-}" = startup ]; then exec node startup.mjs; fi
node bench.mjs
