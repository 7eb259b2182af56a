#!/usr/bin/env bash
# The MCP SDK 2.x adapter (`mcp-attest/mcp/v2`): installs the dev dependencies from the lockfile
# when it is newer than node_modules (or the 2.x SDK packages are missing), builds the package when
# the adapter or the core changed since the last build, and runs the end-to-end tests with real
# SDK 2.x servers and clients (`@modelcontextprotocol/server` / `client`; stdio in both protocol
# eras, Streamable HTTP on 127.0.0.1 via createMcpHandler, and the SDK in-memory transport).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export PATH="$HOME/.cargo/bin:$PATH"

if [ ! -d node_modules/@modelcontextprotocol/server ] || [ ! -d node_modules/@modelcontextprotocol/client ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm ci (with @modelcontextprotocol/server and client)"
    npm ci --no-audit --no-fund
fi
bash scripts/build-if-stale.sh
# build-if-stale.sh keys on dist/mcp.js; the v2 entry must exist and be as new.
if [ ! -f dist/mcp-v2.js ] || [ dist/mcp.js -nt dist/mcp-v2.js ] || [ -n "$(find ts/mcp-v2 -newer dist/mcp-v2.js -type f 2>/dev/null | head -1)" ]; then
    echo "==> build (mcp/v2)"
    node scripts/build.mjs
fi
for p in server client; do
    node -p "'@modelcontextprotocol/$p ' + JSON.parse(require('fs').readFileSync('node_modules/@modelcontextprotocol/$p/package.json', 'utf8')).version"
done

echo "==> node --test test-mcp-v2/ (SDK 2.x server ↔ client, stdio + Streamable HTTP, legacy + 2026 era, in-memory)"
node --test test-mcp-v2/
