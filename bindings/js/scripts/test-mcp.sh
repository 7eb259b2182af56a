#!/usr/bin/env bash
# The MCP SDK adapter (`mcp-attest/mcp`): installs the SDK dev dependency from the lockfile,
# builds the package when the adapter or the core changed since the last build, and runs the
# end-to-end tests with real SDK 1.x servers and clients (stdio and Streamable HTTP on 127.0.0.1).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/build-if-stale.sh
node -p "'@modelcontextprotocol/sdk ' + JSON.parse(require('fs').readFileSync('node_modules/@modelcontextprotocol/sdk/package.json', 'utf8')).version"

# The replay-store tests (replay.test.mjs / test_replay.py) start their own redis-server on a
# free port and skip, saying so, when it is missing (.ci/run installs it).
if [ -x "${REDIS_SERVER:-/usr/bin/redis-server}" ]; then "${REDIS_SERVER:-/usr/bin/redis-server}" --version; else echo "no redis-server: the replay-store tests will be skipped"; fi
echo "==> node --test test-mcp/ (SDK 1.x server ↔ client, stdio + Streamable HTTP)"
node --test test-mcp/
