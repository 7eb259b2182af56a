#!/usr/bin/env bash
# The cross-language half of the end-to-end matrix: the TypeScript client against the Python
# server, and the Python client against the TypeScript server, over stdio and Streamable HTTP —
# server identity, and caller identity against guarded servers whose evidence logs are then
# verified by the other language and the CLI.
# (The same-language halves are test-mcp.sh here and bindings/python/scripts/test-mcp.sh.)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bash "$root/bindings/js/scripts/build-if-stale.sh"
bash "$root/bindings/python/scripts/build.sh"
# The caller-identity halves check each server's evidence log with the CLI as well.
(cd "$root" && cargo build --quiet -p mcp-attest-cli)
echo "==> TypeScript client ↔ Python server"
(cd "$root/bindings/js" && node --test test-cross/)
echo "==> Python client ↔ TypeScript server"
"$root/.venv/bin/python" -m pytest -q -p no:cacheprovider "$root/bindings/python/tests_cross"
