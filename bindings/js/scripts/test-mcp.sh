#!/usr/bin/env bash
# The MCP SDK adapter (`mcp-identity/mcp`): installs the SDK dev dependency from the lockfile,
# builds the package when the adapter or the core changed since the last build, and runs the
# end-to-end tests with real SDK 1.x servers and clients (stdio and Streamable HTTP on 127.0.0.1).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export PATH="$HOME/.cargo/bin:$PATH"

# The SDK (and zod) come from package-lock.json; re-install when node_modules is older than it.
if [ ! -d node_modules/@modelcontextprotocol/sdk ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm ci (with @modelcontextprotocol/sdk)"
    npm ci --no-audit --no-fund
fi
node -p "'@modelcontextprotocol/sdk ' + JSON.parse(require('fs').readFileSync('node_modules/@modelcontextprotocol/sdk/package.json', 'utf8')).version"

# Build when dist is missing or older than any source it is made from.
needs_build=0
[ -f dist/mcp.js ] && [ -f dist/node.js ] || needs_build=1
if [ "$needs_build" = 0 ]; then
    newer=$(find ts src Cargo.toml scripts/build.mjs ../../crates/mcp-identity/src -newer dist/mcp.js -type f 2>/dev/null | head -1)
    [ -z "$newer" ] || needs_build=1
fi
if [ "$needs_build" = 1 ]; then
    echo "==> build"
    node scripts/build.mjs
fi

echo "==> node --test test-mcp/ (SDK 1.x server ↔ client, stdio + Streamable HTTP)"
node --test test-mcp/
