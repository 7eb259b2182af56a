#!/usr/bin/env bash
# Builds and tests the Python package: dev install + pytest + stubtest + mypy, then the wheel
# as a user installs it (maturin build → a fresh throwaway venv → smoke test). Exits non-zero
# on any failure. Run from anywhere; CI calls it as bindings/python/scripts/test.sh.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"          # bindings/python
root="$(cd "$here/../.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"

step() { printf '\n==> python: %s\n' "$*"; }

step "setup (.venv and pinned dev tools)"
bash "$here/scripts/setup.sh"

cd "$here"
step "maturin develop --release"
"$venv/bin/maturin" develop --release --quiet

step "pytest"
"$py" -m pytest -q -p no:cacheprovider "$here/tests"
# The runnable examples of the pure-Python modules.
"$py" -m pytest -q -p no:cacheprovider --doctest-modules "$here/python/mcp_attest/replay.py" "$here/python/mcp_attest/caller.py" "$here/python/mcp_attest/evidence.py"

step "stubtest and mypy"
(cd "$here/python" && "$py" -m mypy.stubtest mcp_attest._native)
"$py" -m mypy --cache-dir "$root/target/mypy-cache"

step "wheel: maturin build --release, install into a fresh venv, smoke test"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$venv/bin/maturin" build --release --quiet --out "$tmp/wheels"
wheel=$(ls "$tmp"/wheels/*.whl)
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KiB)"
python3 -m venv --without-pip "$tmp/venv"
# The dev venv's pip installs into the throwaway venv (no ensurepip round trip, no network:
# the wheel has no dependencies).
"$py" -m pip --python "$tmp/venv/bin/python" install --quiet --no-index --disable-pip-version-check "$wheel"
(cd "$tmp" && "$tmp/venv/bin/python" "$here/scripts/smoke.py")
