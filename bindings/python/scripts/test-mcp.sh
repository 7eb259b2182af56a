#!/usr/bin/env bash
# Tests the MCP SDK adapter (mcp_attest.mcp) with real MCP servers and clients over stdio and
# Streamable HTTP on 127.0.0.1, on both SDK lines the adapter supports:
#   - mcp 2.x (tests_mcp/) in .venv from setup.sh, then mypy --strict over the tests;
#   - mcp 1.x (tests_mcp_v1/) in a second virtualenv, target/venv-mcp1, holding MCP1_PIN and
#     mcp-server-time (a real server that pins mcp<2)
#     (made on first use, kept while the pin is unchanged; needs the package index once).
# Builds the extension with maturin develop if missing or older than the Rust sources. Run
# from anywhere; extra arguments go to both pytest runs. Opt-in: MCP_VERSIONS="2.0.0 2.1.1"
# also runs tests_mcp against each listed 2.x release in a throwaway venv.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # bindings/python
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"

bash "$here/scripts/build.sh"

echo "test-mcp.sh: mcp $("$py" -c 'import importlib.metadata as m; print(m.version("mcp"))') (supported: $("$py" -c 'from mcp_attest.mcp import SUPPORTED_MCP; print(SUPPORTED_MCP)'))"
# The replay-store tests (replay.test.mjs / test_replay.py) start their own redis-server on a
# free port and skip, saying so, when it is missing (.ci/run installs it).
if [ -x "${REDIS_SERVER:-/usr/bin/redis-server}" ]; then "${REDIS_SERVER:-/usr/bin/redis-server}" --version; else echo "no redis-server: the replay-store tests will be skipped"; fi
# The adapter's TXT lookup (tests_mcp/test_caller.py) is tested against a dnsmasq of its own on
# a free loopback port, as the CLI's `dns check` tests do; those tests fail when it is missing.
if command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ]; then echo "dnsmasq: $( (command -v dnsmasq || echo /usr/sbin/dnsmasq) )"; else echo "no dnsmasq: the DNS tests will fail (apt-get install dnsmasq-base)"; fi
"$py" -m pytest -q -p no:cacheprovider "$here/tests_mcp" "$@"
# The adapter's docstring examples (guards, attach_caller_identity, caller_http_client), on 2.x.
"$py" -m pytest -q -p no:cacheprovider --doctest-modules "$here/python/mcp_attest/mcp"
(cd "$here" && "$py" -m mypy --strict --cache-dir "$root/target/mypy-cache" tests_mcp)

# The 1.x line: its own venv (pip refuses both SDK lines in one), the package from the source
# tree (PYTHONPATH; the extension is abi3, built above).
mcp1_pin="${MCP1_PIN:-mcp==1.30.0}"
# A real third-party server that pins mcp<2: the reason the 1.x adapter exists.
mcp1_extra="mcp-server-time==2026.8.18"
venv1="$root/target/venv-mcp1"
stamp1="$venv1/.stamp-$(echo "$mcp1_pin $mcp1_extra" | tr -c 'A-Za-z0-9.\n' _)"
if [ ! -f "$stamp1" ]; then
    echo "test-mcp.sh: making $venv1 with $mcp1_pin $mcp1_extra"
    rm -rf "$venv1"
    "$py" -m venv "$venv1"
    "$venv1/bin/python" -m pip install --quiet --disable-pip-version-check "$mcp1_pin" "$mcp1_extra" "$(grep -E '^pytest==' "$here/requirements-dev.txt")"
    touch "$stamp1"
fi
echo "test-mcp.sh: mcp $("$venv1/bin/python" -c 'import importlib.metadata as m; print(m.version("mcp"))') (the 1.x line)"
(cd "$here/tests_mcp_v1" && PYTHONPATH="$here/python" "$venv1/bin/python" -m pytest -q -p no:cacheprovider -W ignore::DeprecationWarning . "$@")

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
