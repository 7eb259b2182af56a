#!/usr/bin/env bash
# JS benchmark: mcp-attest (wasm) vs jose, node:crypto, @noble/ed25519. BENCH_QUICK=1 for a smoke run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
js="$here/../../bindings/js"
[ -f "$js/dist/node.js" ] || (cd "$js" && bash scripts/setup.sh && node scripts/build.mjs)
if [ ! -d "$here/node_modules" ] || [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
    (cd "$here" && npm ci --no-audit --no-fund)
fi
cd "$here"
node bench.mjs
