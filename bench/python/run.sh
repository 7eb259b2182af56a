#!/usr/bin/env bash
# The Python package against PyJWT, joserfc, cryptography and PyNaCl, in one run.
# BENCH_QUICK=1 for a few-second smoke run (figures indicative only).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bash "$root/bindings/python/scripts/setup.sh" >/dev/null
# Build the extension into .venv (a no-op rebuild when nothing changed).
(cd "$root/bindings/python" && "$root/.venv/bin/maturin" develop --release --quiet >/dev/null 2>&1) \
    || (cd "$root/bindings/python" && "$root/.venv/bin/maturin" develop --release)
exec "$root/.venv/bin/python" "$root/bench/python/bench.py"
