#!/usr/bin/env bash
# Installs the npm package's lint and packaging tools (tools/package-lock.json: eslint,
# typescript-eslint, publint, @arethetypeswrong/cli, @types/node 22) unless already current.
set -euo pipefail
tools="$(cd "$(dirname "$0")/.." && pwd)/tools"
if [ ! -d "$tools/node_modules" ] || [ "$tools/package-lock.json" -nt "$tools/node_modules/.package-lock.json" ]; then
    echo "==> npm ci in bindings/js/tools"
    (cd "$tools" && npm ci --no-audit --no-fund)
fi
