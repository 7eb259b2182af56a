#!/usr/bin/env bash
# The cross-language half of the end-to-end matrix: the TypeScript client against the Python
# server, and the Python client against the TypeScript server, over stdio and Streamable HTTP.
# (The same-language halves are test-mcp.sh here and bindings/python/scripts/test-mcp.sh.)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
bash "$root/bindings/js/scripts/build-if-stale.sh"
bash "$root/bindings/python/scripts/build.sh"
echo "==> TypeScript client ↔ Python server"
(cd "$root/bindings/js" && node --test test-cross/)
echo "==> Python client ↔ TypeScript server"
"$root/.venv/bin/python" -m pytest -q -p no:cacheprovider "$root/bindings/python/tests_cross"
