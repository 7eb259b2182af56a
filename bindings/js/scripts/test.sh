#!/usr/bin/env bash
# Everything for the npm package: setup, build, Node tests, Chromium tests, packaging tests,
# size check, then the checks npm users' tools make (publint, attw, types, publish dry run).
# Exits non-zero on the first failure.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"
bash scripts/setup.sh
node scripts/build.mjs
echo "==> node --test (vectors, bad input)"
node --test test/
echo "==> Chromium (playwright-core + /usr/bin/chromium)"
node --test browser/
echo "==> packaging tests (npm pack → node-esm, node-cjs, vite)"
node packaging-tests/run.mjs
echo "==> size"
node scripts/size.mjs
echo "==> package checks (publint, attw, types tests, npm publish --dry-run)"
bash scripts/setup-tools.sh
node scripts/check-package.mjs
