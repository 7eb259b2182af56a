#!/usr/bin/env bash
# Tests the MCP SDK adapter (mcp_attest.mcp) with real MCP servers and clients: a Python
# server and client over stdio and Streamable HTTP on 127.0.0.1 (tests_mcp/). Uses .venv from
# setup.sh (which installs the pinned `mcp`); builds the extension with maturin develop if the
# installed one is missing or older than the Rust sources. Run from anywhere; extra arguments go
# to pytest. Opt-in: MCP_VERSIONS="2.0.0 2.1.1 2.2.0" also runs the tests against each listed
# `mcp` release in a throwaway venv (needs the package index).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # bindings/python
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"

bash "$here/scripts/build.sh"

echo "test-mcp.sh: mcp $("$py" -c 'import importlib.metadata as m; print(m.version("mcp"))') (supported: >=2,<3)"
# The replay-store tests (replay.test.mjs / test_replay.py) start their own redis-server on a
# free port and skip, saying so, when it is missing (.ci/run installs it).
if [ -x "${REDIS_SERVER:-/usr/bin/redis-server}" ]; then "${REDIS_SERVER:-/usr/bin/redis-server}" --version; else echo "no redis-server: the replay-store tests will be skipped"; fi
"$py" -m pytest -q -p no:cacheprovider "$here/tests_mcp" "$@"
(cd "$here" && "$py" -m mypy --strict --cache-dir "$root/target/mypy-cache" tests_mcp)

tmp=""
trap '[ -z "$tmp" ] || rm -rf "$tmp"' EXIT
for v in ${MCP_VERSIONS:-}; do
    echo "test-mcp.sh: mcp $v (throwaway venv)"
    tmp="$(mktemp -d)"
    "$py" -m venv "$tmp/venv"
    "$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check "mcp==$v" "$(grep -E '^pytest==' "$here/requirements-dev.txt")"
    PYTHONPATH="$here/python" "$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider "$here/tests_mcp" "$@"
    rm -rf "$tmp"; tmp=""
done
