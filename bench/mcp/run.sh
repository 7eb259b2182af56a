#!/usr/bin/env bash
# The identity overhead on connect + tools/list for a 100-tool MCP server (see overhead.mjs).
# BENCH_QUICK=1 bash bench/mcp/run.sh: a smoke run in a few seconds.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
bash "$root/bindings/js/scripts/build-if-stale.sh" >&2
exec nice -n 10 node "$root/bench/mcp/overhead.mjs" "$@"
