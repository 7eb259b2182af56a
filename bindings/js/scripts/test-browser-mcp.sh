#!/usr/bin/env bash
# The browser MCP client (browser-mcp/): a Vite page bundling the MCP SDK 1.x client and
# mcp-attest/mcp, loaded in headless Chromium against the TS test server over Streamable HTTP.
# Builds the package when stale, installs browser-mcp's dependencies from its lockfile (skipped
# when done), unpacks `npm pack` of the package into browser-mcp/node_modules/mcp-attest (when
# dist changed), then runs browser-mcp/test/ (which runs `vite build` itself, and builds and
# runs every example of docs/guide-browser.md).
# Needs: bash scripts/setup.sh (Chromium at /usr/bin/chromium, the package's dev dependencies).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
export PATH="$HOME/.cargo/bin:$PATH"

bash scripts/build-if-stale.sh

app="$here/browser-mcp"
if [ ! -d "$app/node_modules/@modelcontextprotocol/sdk" ] || [ ! -x "$app/node_modules/.bin/vite" ] \
    || [ "$app/package-lock.json" -nt "$app/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in browser-mcp (SDK, zod, vite)"
    (cd "$app" && npm ci --no-audit --no-fund --prefer-offline --loglevel=error)
fi

# mcp-attest as a user gets it: the packed tarball (no dependencies of its own, so unpacking it
# is what `npm install <tgz>` does). Re-packed when any file in dist is newer than the install.
dest="$app/node_modules/mcp-attest"
stamp="$dest/package.json"
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ -n "$(find dist -type f -newer "$stamp" | head -1)" ]; then
    echo "==> npm pack → browser-mcp/node_modules/mcp-attest"
    mkdir -p "$app/.pack"
    rm -f "$app"/.pack/*.tgz
    tgz="$(npm pack --silent --pack-destination "$app/.pack" | tail -1)"
    rm -rf "$dest"
    mkdir -p "$dest"
    tar -xzf "$app/.pack/$tgz" -C "$dest" --strip-components=1
    touch "$stamp"
fi

echo "==> node --test browser-mcp/test/ (vite build; Chromium ↔ Streamable HTTP server)"
cd "$app"
node --test test/
