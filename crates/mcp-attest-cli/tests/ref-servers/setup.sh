#!/usr/bin/env bash
# Installs the pinned official MCP reference servers that tests/net.rs puts behind
# `mcp-attest wrap`: @modelcontextprotocol/server-memory (npm, from package-lock.json) and
# mcp-server-time (PyPI, into its own venv: it pins the mcp 1.x SDK, and the repository's
# .venv holds 2.x for the Python adapter). Idempotent: skips what is already in place.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
TIME_VERSION=2026.10.19
if [ ! -x node_modules/.bin/mcp-server-memory ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "==> npm ci (reference servers)"
    npm ci --no-audit --no-fund
fi
venv="$here/.venv"
if ! "$venv/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('mcp-server-time') != '$TIME_VERSION')" 2>/dev/null; then
    echo "==> mcp-server-time $TIME_VERSION"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "mcp-server-time==$TIME_VERSION"
fi
