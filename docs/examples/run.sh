#!/usr/bin/env bash
# Builds both packages and runs every example of docs/guide-typescript.md and docs/guide-python.md.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
bash bindings/js/scripts/build-if-stale.sh
bash bindings/python/scripts/build.sh
node --test docs/examples/guides.test.mjs
"$root/.venv/bin/python" -m pytest -q -p no:cacheprovider docs/examples/test_guides.py
