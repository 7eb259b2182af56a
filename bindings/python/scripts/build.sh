#!/usr/bin/env bash
# Makes sure .venv holds the dev tools (setup.sh) and a current build of the extension:
# `maturin develop --release` when it is missing or older than the Rust it is built from.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"

bash "$here/scripts/setup.sh"

so=$(ls "$here"/python/mcp_attest/_native*.so 2>/dev/null | head -n1 || true)
stale=1
if [ -n "$so" ] && "$py" -c 'import mcp_attest' 2>/dev/null; then
    newer=$(find "$root/crates/mcp-attest/src" "$here/src" "$here/Cargo.toml" -newer "$so" -print -quit 2>/dev/null || true)
    [ -z "$newer" ] && stale=0
fi
if [ "$stale" = 1 ]; then
    echo "build.sh: maturin develop --release"
    (cd "$here" && "$venv/bin/maturin" develop --release --quiet)
fi
