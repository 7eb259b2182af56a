#!/usr/bin/env bash
# Installs the npm dev dependencies from the lockfile when node_modules is older than it, and
# builds the package when dist is missing or older than any source it is made from.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export PATH="$HOME/.cargo/bin:$PATH"

if [ ! -d node_modules/@modelcontextprotocol/sdk ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm ci (with @modelcontextprotocol/sdk)"
    npm ci --no-audit --no-fund
fi
needs_build=0
[ -f dist/mcp.js ] && [ -f dist/node.js ] || needs_build=1
if [ "$needs_build" = 0 ]; then
    newer=$(find ts src Cargo.toml scripts/build.mjs ../../crates/mcp-attest/src -newer dist/mcp.js -type f 2>/dev/null | head -1)
    [ -z "$newer" ] || needs_build=1
fi
if [ "$needs_build" = 1 ]; then
    echo "==> build"
    node scripts/build.mjs
fi
